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

import weakref
from collections.abc import Hashable

from chainrule.calculus.delta import delta_name, factor_gradient, factoring_steps
from chainrule.notation import notation_for
from chainrule.notation.mathml import MathMLNotation


def block(fragment: str) -> str:
    """A MathML fragment as one ``<math>`` element."""
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML">{fragment}</math>'


class MarkedMathML(MathMLNotation):
    """MathML whose groups (the terms a δ step gathers) carry a class the page can colour."""

    _made: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @classmethod
    def of(cls, graph) -> MarkedMathML:
        """One per graph, kept while the graph lives: its printed formulas are reused."""
        if graph not in cls._made:
            cls._made[graph] = cls(graph)
        return cls._made[graph]

    def group(self, inside: str) -> str:
        return f'<mrow class="grouped"><mo>(</mo>{inside}<mo>)</mo></mrow>'


def name_mathml(node: str) -> str:
    """A node's name as a MathML fragment (θ with its layer and indices)."""
    return notation_for("mathml").name(node, "")  # names need no graph; it keeps each printed


def factor_math(graph, factor) -> dict:
    """One factor (one edge): ∂of/∂wrt and its local formula, alone and as a product's
    factor."""
    mathml, latex = MarkedMathML.of(graph), notation_for("latex", graph)
    return {
        "mathml": block(mathml.partial(factor)),
        "latex": factor.latex,
        "formula_mathml": block(mathml.factor_formula(factor)),
        "formula_latex": latex.factor_formula(factor),
        "local_latex": latex.factor(factor, "local"),
    }


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

    marked, latex_notation = MarkedMathML.of(graph), notation_for("latex", graph)
    steps = []
    for step in factoring_steps(graph, parameter):
        grouped_mathml, mathml = marked.step(step)
        grouped_latex, latex = latex_notation.step(step)
        cuts = list(dict.fromkeys(term.head.node for term in step.terms if term.head is not None))
        steps.append(
            {
                "grouped_mathml": grouped_mathml and block(grouped_mathml),
                "grouped_latex": grouped_latex,
                "mathml": block(mathml),
                "latex": latex,
                "deltas": [delta_name(graph, node) for node in cuts],
                "region": _region(graph, cuts),
            }
        )
    factored = factor_gradient(graph, parameter)
    local_mathml = marked.factored_gradient(factored, "local")
    local_latex = latex_notation.factored_gradient(factored, "local")
    steps.append(
        {
            "grouped_mathml": None,
            "grouped_latex": None,
            "mathml": block(local_mathml.rhs),
            "latex": local_latex.rhs,
            "deltas": steps[-1]["deltas"],
            "region": steps[-1]["region"],
        }
    )
    return steps


def parameter_math(graph, parameter: str) -> dict:
    """Everything the page writes in math for one parameter: the left side ∂J/∂θ, each edge on
    its chains (keyed ``"wrt->of"``, as the page's ``data-edge``; a chain's product is its
    factors in order, joined by a space or, in the local view, by \\cdot) and the factoring
    steps."""
    import networkx as nx

    # In a DAG whose every node reaches J, each edge below the parameter is on one of its paths.
    below = graph.subgraph(nx.descendants(graph, parameter) | {parameter})
    edges = {
        f"{wrt}->{of}": factor_math(graph, graph.edges[wrt, of]["factor"])
        for wrt, of in below.edges
    }
    lhs = MarkedMathML.of(graph).gradient_lhs(parameter)
    return {
        "parameter": parameter,
        "mathml": block(lhs),
        "latex": notation_for("latex", graph).gradient_lhs(parameter),
        "edges": edges,
        "steps": factoring_math(graph, parameter),
    }
