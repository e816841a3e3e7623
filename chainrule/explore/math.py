"""Every formula the explorer shows, as MathML (browsers render it natively) and LaTeX (for the
copy button). This module is the explorer's only door into :mod:`chainrule.notation`: when the
notation gets one class per format, this file alone changes.

Examples
--------
>>> from chainrule.graph.build import build_graph
>>> from chainrule.graph.spec import Network
>>> graph = build_graph(Network([1, 1, 1]))
>>> document = parameter_math(graph, "theta^(2)_11")
>>> len(document["edges"]), document["edges"]["theta^(2)_11->z^(3)_1"]["formula_latex"]
(3, 'a_{1}^{(2)}')
>>> document["steps"][-1]["latex"]
'\\\\delta_{1}^{(3)} \\\\cdot a_{1}^{(2)}'
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache

from chainrule.notation import delta_printing, printing


def block(fragment: str) -> str:
    """A MathML fragment as one ``<math>`` element."""
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML">{fragment}</math>'


@lru_cache(maxsize=4096)
def _cached_name(node: str) -> str:
    return delta_printing.Style(mathml=True).name(node, "")


@dataclass(frozen=True)
class _MarkedMathML(delta_printing.Style):
    """MathML whose groups (the terms a δ step gathers) carry a class the page can colour, and
    whose names are printed once each (a step of a wide network names the same nodes often)."""

    def group(self, inside: str) -> str:
        return f'<mrow class="grouped"><mo>(</mo>{inside}<mo>)</mo></mrow>'

    def name(self, node: str, latex: str) -> str:
        return _cached_name(node)


_MATHML = _MarkedMathML(mathml=True)
_LATEX = delta_printing.Style(latex=True)


def name_mathml(node: str) -> str:
    """A node's name as a MathML fragment (θ with its layer and indices)."""
    return _MATHML.name(node, "")


def factor_math(graph, factor) -> dict:
    """One factor (one edge): ∂of/∂wrt and its local formula, alone and as a product's
    factor."""
    return {"mathml": block(_MATHML.partial(factor.of, "", factor.wrt, "")),
            "latex": factor.latex,
            "formula_mathml": block(printing.formula_mathml(graph, factor)),
            "formula_latex": printing.formula_latex(graph, factor),
            "local_latex": printing.factor_latex(graph, factor, "local")}


def _region(graph, cuts: list[Hashable]) -> list[list[str]]:
    """The edges of every path from each δ node to J: what that δ sums."""
    import networkx as nx

    edges: dict[tuple, None] = {}
    for node in cuts:
        for u, v in graph.subgraph(nx.descendants(graph, node) | {node}).edges:
            edges[str(u), str(v)] = None
    return [list(edge) for edge in edges]


def factoring_math(graph, parameter: str) -> list[dict]:
    """The δ factoring of `parameter`'s chains, step by step, each step with its grouped form
    (the marked terms), its δ form, the δ nodes it introduces and the region they sum; the last
    step is the local form, δ times an activation or input."""
    from chainrule.calculus.delta import delta_name, factoring_steps

    steps = []
    for step in factoring_steps(graph, parameter):
        grouped_mathml, mathml = delta_printing.step_lines(graph, step, _MATHML)
        grouped_latex, latex = delta_printing.step_lines(graph, step, _LATEX)
        cuts = list(dict.fromkeys(term.cut for term in step.terms if term.cut is not None))
        steps.append({"grouped_mathml": grouped_mathml and block(grouped_mathml),
                      "grouped_latex": grouped_latex, "mathml": block(mathml), "latex": latex,
                      "deltas": [delta_name(graph, node) for node in cuts],
                      "region": _region(graph, cuts)})
    local_mathml = delta_printing.factored_gradient(graph, parameter, _MATHML, "local")
    local_latex = delta_printing.factored_gradient(graph, parameter, _LATEX, "local")
    steps.append({"grouped_mathml": None, "grouped_latex": None,
                  "mathml": block(local_mathml.rhs), "latex": local_latex.rhs,
                  "deltas": steps[-1]["deltas"], "region": steps[-1]["region"]})
    return steps


def parameter_math(graph, parameter: str) -> dict:
    """Everything the page writes in math for one parameter: the left side ∂J/∂θ, each edge on
    its chains (keyed ``"wrt->of"``, as the page's ``data-edge``; a chain's product is its
    factors in order, joined by a space or, in the local view, by \\cdot) and the factoring
    steps."""
    import networkx as nx

    # In a DAG whose every node reaches J, each edge below the parameter is on one of its paths.
    below = graph.subgraph(nx.descendants(graph, parameter) | {parameter})
    edges = {f"{wrt}->{of}": factor_math(graph, graph.edges[wrt, of]["factor"])
             for wrt, of in below.edges}
    lhs = delta_printing.gradient_lhs(graph, parameter, _MATHML)
    return {"parameter": parameter, "mathml": block(lhs),
            "latex": printing.gradient_lhs_latex(graph, parameter),
            "edges": edges, "steps": factoring_math(graph, parameter)}
