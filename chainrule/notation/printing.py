"""Functions of the first printer, kept for callers: each is one call to a notation class.

New code asks :func:`chainrule.notation.notation_for` for a notation and calls its methods.

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

from collections.abc import Iterable

import networkx as nx

from chainrule.graph.chains import Chain, Factor, iter_chains
from chainrule.graph.kinds import NodeKind
from chainrule.notation import notation_for
from chainrule.notation.base import VIEWS  # noqa: F401  (the views, where callers look)
from chainrule.notation.printers import latex_names  # noqa: F401


def _text(unicode: bool) -> str:
    return "unicode" if unicode else "text"


def latex_printer(graph: nx.DiGraph):
    """The LaTeX printer for expressions over `graph`'s symbols (made once per graph)."""
    return notation_for("latex", graph).printer


def text_printer(unicode: bool = False):
    return notation_for(_text(unicode)).printer


def factor_latex(graph: nx.DiGraph, factor: Factor, view: str = "abstract") -> str:
    return notation_for("latex", graph).factor(factor, view)


def formula_latex(graph: nx.DiGraph, factor: Factor) -> str:
    return notation_for("latex", graph).factor_formula(factor)


def formula_text(graph: nx.DiGraph, factor: Factor, unicode: bool = False) -> str:
    return notation_for(_text(unicode), graph).factor_formula(factor)


def formula_mathml(graph: nx.DiGraph, factor: Factor) -> str:
    """The presentation MathML of a factor's formula, parenthesised as a product's factor."""
    return notation_for("mathml", graph).factor(factor, "local")


def chain_latex(graph: nx.DiGraph, chain: Chain, view: str = "abstract") -> str:
    return notation_for("latex", graph).chain(chain, view)


def chain_text(
    graph: nx.DiGraph, chain: Chain, view: str = "abstract", unicode: bool = False
) -> str:
    return notation_for(_text(unicode), graph).chain(chain, view)


def gradient_lhs_latex(graph: nx.DiGraph, parameter: str) -> str:
    return notation_for("latex", graph).gradient_lhs(parameter)


def gradient_latex(
    graph: nx.DiGraph, parameter: str, chains: Iterable[Chain], view: str = "abstract"
) -> str:
    """∂J/∂parameter as an ``aligned`` block: one chain per line, or the closed expression."""
    return notation_for("latex", graph).gradient(parameter, chains, view)


def gradient_text(
    graph: nx.DiGraph,
    parameter: str,
    chains: Iterable[Chain],
    view: str = "abstract",
    unicode: bool = False,
) -> str:
    return notation_for(_text(unicode), graph).gradient(parameter, chains, view)


def network_latex(graph: nx.DiGraph, view: str = "abstract") -> str:
    """Every parameter's gradient, one ``aligned`` block each, separated by blank lines."""

    parameters = [node for node, kind in graph.nodes(data="kind") if kind == NodeKind.PARAM]
    return "\n\n".join(
        gradient_latex(graph, parameter, iter_chains(graph, parameter), view)
        for parameter in parameters
    )
