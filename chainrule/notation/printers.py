"""SymPy printer subclasses with chainrule's symbols: the formulas inside every notation.

Each knows the :class:`~chainrule.calculus.symbolic.Partial` atom and writes symbols the way
its notation does; the settings (the LaTeX of every symbol) are given in one place,
:func:`latex_names`. A notation makes one printer and keeps it, so a graph's names are looked
up once.

Examples
--------
>>> import sympy as sp
>>> from chainrule.calculus.symbolic import Partial, node_symbol
>>> a, z = node_symbol("a^(2)_1"), node_symbol("z^(2)_1")
>>> ChainStrPrinter(unicode=True).doprint(Partial(a, z) * (1 - a))
'(1 - a⁽²⁾₁)*∂a⁽²⁾₁/∂z⁽²⁾₁'
>>> ChainLatexPrinter({"symbol_names": {a: "a_{1}^{(2)}", z: "z_{1}^{(2)}"}}).doprint(Partial(a, z))
'\\\\frac{\\\\partial a_{1}^{(2)}}{\\\\partial z_{1}^{(2)}}'
"""

from __future__ import annotations

import networkx as nx
import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.mathml import MathMLPresentationPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from chainrule.calculus.symbolic import M, Partial, node_symbol, target_symbol
from chainrule.graph import names


def latex_names(graph: nx.DiGraph) -> dict[sp.Symbol, str]:
    """LaTeX for every symbol that can appear: nodes, targets and m (for ``symbol_names``)."""
    latex = {node_symbol(name): data["latex"] for name, data in graph.nodes(data=True)}
    if "network" in graph.graph:
        output_size = graph.graph["network"].sizes[-1]
        latex.update({target_symbol(i): f"y_{{{i}}}" for i in range(1, output_size + 1)})
    for target in graph.graph.get("targets", ()):
        latex[target] = graph.graph["target_latex"][str(target)]
    latex[M] = "m"
    return latex


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


class ChainMathMLPrinter(MathMLPresentationPrinter):
    """SymPy's presentation MathML printer (symbols named from their text names, which SymPy
    splits into sub- and superscripts), with the :class:`Partial` atom."""

    def _print_Partial(self, expr: Partial):
        fraction = self.dom.createElement("mfrac")
        for symbol in (expr.of, expr.wrt):
            row = self.dom.createElement("mrow")
            operator = self.dom.createElement("mo")
            operator.appendChild(self.dom.createTextNode("\N{PARTIAL DIFFERENTIAL}"))
            row.appendChild(operator)
            row.appendChild(self._print(symbol))
            fraction.appendChild(row)
        return fraction


def as_product_factor(printer, formula: sp.Expr, open_: str, close: str) -> str:
    """A formula written as one factor of a product: sums and negative terms in parentheses."""
    text = printer.parenthesize(formula, PRECEDENCE["Mul"], strict=True)
    if formula.could_extract_minus_sign() and not text.startswith(open_):
        text = f"{open_}{text}{close}"
    return text
