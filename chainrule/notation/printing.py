"""LaTeX and terminal text for factors, chains and gradients, in the abstract, local or closed view.

SymPy would sort the factors of a product, so a chain is printed factor by factor from its own
ordered tuple; SymPy prints each factor's formula, through printers that know each symbol's
LaTeX or unicode name (settings live in one place: :func:`latex_printer`, :func:`text_printer`).
The LaTeX uses only amsmath commands (``\\frac``, ``\\partial``, ``aligned``, ``cases``) so that
it renders in KaTeX and MathJax alike.

Examples
--------
>>> from chainrule.graph.build import build_graph
>>> from chainrule.graph.chains import iter_chains
>>> from chainrule.graph.spec import Network
>>> graph = build_graph(Network([1, 1, 1]))
>>> chain = next(iter_chains(graph, "theta^(2)_11"))
>>> print(chain_latex(graph, chain, "local"))
\\frac{a_{1}^{(3)} - y_{1}}{m} \\cdot a_{1}^{(3)} \\left(1 - a_{1}^{(3)}\\right) \\cdot a_{1}^{(2)}
>>> print(chain_text(graph, chain, "local", unicode=True))
(a⁽³⁾₁ - y₁)/m · a⁽³⁾₁*(1 - a⁽³⁾₁) · a⁽²⁾₁
"""

from __future__ import annotations

from typing import Iterable, Sequence

import networkx as nx
import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from chainrule.graph import names
from chainrule.graph.chains import Chain, Factor
from chainrule.calculus.symbolic import Partial, closed_sum, latex_names, local_derivative

VIEWS = ("abstract", "local", "closed")


class ChainLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with chainrule's symbol names and the :class:`Partial` atom."""

    def _print_Partial(self, expr: Partial) -> str:
        return rf"\frac{{\partial {self._print(expr.of)}}}{{\partial {self._print(expr.wrt)}}}"


class ChainStrPrinter(StrPrinter):
    """SymPy's text printer, optionally spelling symbols in unicode (θ⁽¹⁾₁₁)."""

    def __init__(self, settings=None, unicode: bool = False):
        super().__init__(settings)
        self.unicode = unicode

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return names.unicode_name(expr.name) if self.unicode else expr.name

    def _print_Partial(self, expr: Partial) -> str:
        of, wrt = self._print(expr.of), self._print(expr.wrt)
        return f"∂{of}/∂{wrt}" if self.unicode else f"d{of}/d{wrt}"


def latex_printer(graph: nx.DiGraph) -> ChainLatexPrinter:
    """The LaTeX printer for expressions over `graph`'s symbols (made once per graph)."""
    printer = graph.graph.get("latex_printer")
    if printer is None:
        printer = graph.graph["latex_printer"] = ChainLatexPrinter(
            {"symbol_names": latex_names(graph)})
    return printer


def text_printer(unicode: bool = False) -> ChainStrPrinter:
    return ChainStrPrinter(unicode=unicode)


def _cached_edge_string(graph: nx.DiGraph, factor: Factor, key: str, render) -> str:
    """Each edge's formula is printed once and kept on the edge: chains share their edges."""
    data = graph.edges[factor.wrt, factor.of]
    if key not in data:
        data[key] = render(local_derivative(graph, factor.wrt, factor.of))
    return data[key]


def _as_product_factor(printer, formula: sp.Expr, open_: str, close: str) -> str:
    """A formula written as one factor of a product: sums and negative terms in parentheses."""
    text = printer.parenthesize(formula, PRECEDENCE["Mul"], strict=True)
    if formula.could_extract_minus_sign() and not text.startswith(open_):
        text = f"{open_}{text}{close}"
    return text


def factor_latex(graph: nx.DiGraph, factor: Factor, view: str = "abstract") -> str:
    """One factor: ∂of/∂wrt (abstract) or its formula, parenthesised as a product's factor (local)."""
    if view == "abstract":
        return factor.latex
    printer = latex_printer(graph)
    return _cached_edge_string(graph, factor, "formula_latex_in_product",
                               lambda formula: _as_product_factor(printer, formula, r"\left(",
                                                                  r"\right)"))


def formula_latex(graph: nx.DiGraph, factor: Factor) -> str:
    """The LaTeX of a factor's formula on its own (for JSON)."""
    printer = latex_printer(graph)
    return _cached_edge_string(graph, factor, "formula_latex", printer.doprint)


def formula_text(graph: nx.DiGraph, factor: Factor, unicode: bool = False) -> str:
    """The text of a factor's formula on its own (for JSON and terminals)."""
    printer = text_printer(unicode)
    key = "formula_unicode" if unicode else "formula_text"
    return _cached_edge_string(graph, factor, key, printer.doprint)


def formula_mathml(graph: nx.DiGraph, factor: Factor) -> str:
    """The presentation MathML of a factor's formula, parenthesised as a product's factor."""
    from sympy.printing.mathml import mathml

    def render(formula: sp.Expr) -> str:
        fragment = mathml(formula, printer="presentation")
        if isinstance(formula, sp.Add):  # a sum inside a product needs its parentheses
            fragment = f"<mrow><mo>(</mo>{fragment}<mo>)</mo></mrow>"
        return fragment

    return _cached_edge_string(graph, factor, "formula_mathml", render)


def _factor_text(graph: nx.DiGraph, factor: Factor, view: str, unicode: bool) -> str:
    if view == "abstract":
        if unicode:
            return f"∂{names.unicode_name(factor.of)}/∂{names.unicode_name(factor.wrt)}"
        return factor.text
    printer = text_printer(unicode)
    key = "formula_unicode_in_product" if unicode else "formula_text_in_product"
    return _cached_edge_string(graph, factor, key,
                               lambda formula: _as_product_factor(printer, formula, "(", ")"))


def _check_view(view: str, allowed: Sequence[str] = VIEWS) -> None:
    if view not in allowed:
        raise ValueError(f"unknown view {view!r}; choose from {', '.join(allowed)}")


def chain_latex(graph: nx.DiGraph, chain: Chain, view: str = "abstract") -> str:
    """A chain as the hand derivation writes it, cost first, in the abstract or local view."""
    _check_view(view, VIEWS[:2])
    separator = " " if view == "abstract" else r" \cdot "
    return separator.join(factor_latex(graph, factor, view) for factor in chain)


def chain_text(graph: nx.DiGraph, chain: Chain, view: str = "abstract",
               unicode: bool = False) -> str:
    """A chain for a terminal: ``dJ/da^(3)_1 * ...`` or, with `unicode`, ``∂J/∂a⁽³⁾₁ · ...``."""
    _check_view(view, VIEWS[:2])
    separator = " · " if unicode else " * "
    return separator.join(_factor_text(graph, factor, view, unicode) for factor in chain)


def gradient_lhs_latex(graph: nx.DiGraph, parameter: str) -> str:
    return rf"\frac{{\partial J}}{{\partial {graph.nodes[parameter]['latex']}}}"


def gradient_latex(graph: nx.DiGraph, parameter: str, chains: Iterable[Chain],
                   view: str = "abstract") -> str:
    """∂J/∂parameter as an ``aligned`` block: one chain per line, or the closed expression.

    Examples
    --------
    >>> from chainrule.graph.build import build_graph
    >>> from chainrule.graph.chains import iter_chains
    >>> from chainrule.graph.spec import Network
    >>> g = build_graph(Network([1, 1, 1]))
    >>> print(gradient_latex(g, "theta^(2)_11", iter_chains(g, "theta^(2)_11")))
    \\begin{aligned}
    \\frac{\\partial J}{\\partial \\theta_{11}^{(2)}} &= \\frac{\\partial J}{\\partial a_{1}^{(3)}} \\frac{\\partial a_{1}^{(3)}}{\\partial z_{1}^{(3)}} \\frac{\\partial z_{1}^{(3)}}{\\partial \\theta_{11}^{(2)}}
    \\end{aligned}
    """
    _check_view(view)
    lhs = gradient_lhs_latex(graph, parameter)
    if view == "closed":
        rhs = [latex_printer(graph).doprint(closed_sum(graph, chains))]
    else:
        rhs = [chain_latex(graph, chain, view) for chain in chains]
    lines = [f"{lhs} &= {rhs[0]}", *(rf"&\quad + {term}" for term in rhs[1:])]
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


def gradient_text(graph: nx.DiGraph, parameter: str, chains: Iterable[Chain],
                  view: str = "abstract", unicode: bool = False) -> str:
    """∂J/∂parameter for a terminal: one chain per line, or the closed expression."""
    _check_view(view)
    name = names.unicode_name(parameter) if unicode else parameter
    lhs = f"∂J/∂{name}" if unicode else f"dJ/d{name}"
    if view == "closed":
        return f"{lhs} = {text_printer(unicode).doprint(closed_sum(graph, chains))}"
    rhs = [chain_text(graph, chain, view, unicode) for chain in chains]
    indent = " " * len(lhs)
    return "\n".join([f"{lhs} = {rhs[0]}", *(f"{indent} + {term}" for term in rhs[1:])])



def network_latex(graph: nx.DiGraph, view: str = "abstract") -> str:
    """Every parameter's gradient, one ``aligned`` block each, separated by blank lines."""
    from chainrule.graph.chains import iter_chains

    from chainrule.graph.kinds import NodeKind

    parameters = [node for node, kind in graph.nodes(data="kind") if kind == NodeKind.PARAM]
    return "\n\n".join(gradient_latex(graph, parameter, iter_chains(graph, parameter), view)
                       for parameter in parameters)
