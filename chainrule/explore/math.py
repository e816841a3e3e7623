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
>>> document["steps"][-1]["terms"]
[{'delta': 'z^(3)_1', 'items': [{'edge': 'theta^(2)_11->z^(3)_1'}]}]

Every symbol of a local formula is marked with its name (``data-symbol``), so that the page
writes a case's numbers in its place:

>>> document["edges"]["theta^(2)_11->z^(3)_1"]["local_mathml"]
'<math ...><mrow data-symbol="a^(2)_1"><msubsup>...</msubsup></mrow></math>'
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable

from chainrule.calculus.delta import (
    DeltaRef,
    Group,
    delta_name,
    factor_gradient,
    factoring_steps,
)
from chainrule.notation import notation_for
from chainrule.notation.mathml import MathMLNotation
from chainrule.notation.printers import ChainMathMLPrinter
from chainrule.records.numbers import CaseNumbers


def block(fragment: str) -> str:
    """A MathML fragment as one ``<math>`` element."""
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML">{fragment}</math>'


#: A factoring step of more terms than this is written with its first STEP_TERMS_SHOWN and
#: an ellipsis that says how many more: 10-10-10-10-10's first step would be 1,000 chains of
#: 9 partials, megabytes of MathML that no one reads on a page.
STEP_TERMS_SHOWN = 12


class MarkedMathML(MathMLNotation):
    """MathML whose groups (the terms a δ step gathers) carry a class the page can colour."""

    _made: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @classmethod
    def of(cls, graph):
        """One per graph, kept while the graph lives: its printed formulas are reused."""
        made = cls.__dict__["_made"]  # each subclass keeps its own
        if graph not in made:
            made[graph] = cls(graph)
        return made[graph]

    def group(self, inside: str) -> str:
        return f'<mrow class="grouped"><mo>(</mo>{inside}<mo>)</mo></mrow>'


class SubstitutableMathML(MarkedMathML):
    """Local formulas whose every symbol is an ``<mrow data-symbol="name">``: the page puts a
    case's numbers in their place (the formula with the numbers substituted, in the browser,
    for any case, without asking the server again)."""

    _made: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _make_printer(self):
        class Marking(ChainMathMLPrinter):
            def _print_Symbol(self, sym, style="plain"):
                row = self.dom.createElement("mrow")
                row.setAttribute("data-symbol", sym.name)
                row.appendChild(super()._print_Symbol(sym, style))
                return row

        return Marking()


def name_mathml(node: str) -> str:
    """A node's name as a MathML fragment (θ with its layer and indices)."""
    return notation_for("mathml").name(node, "")  # names need no graph; it keeps each printed


def factor_math(graph, factor) -> dict:
    """One factor (one edge): ∂of/∂wrt and its local formula, alone and as a product's
    factor."""
    mathml, latex = MarkedMathML.of(graph), notation_for("latex", graph)
    marked = SubstitutableMathML.of(graph)
    return {
        "mathml": block(mathml.partial(factor)),
        "latex": factor.latex,
        "formula_mathml": block(marked.factor_formula(factor)),
        "formula_latex": latex.factor_formula(factor),
        # as one factor of a chain's product: a sum or a negative formula in parentheses
        "local_mathml": block(marked.factor(factor, "local")),
        "local_latex": latex.factor(factor, "local"),
    }


def _item_document(item) -> dict:
    """One item of a product, as the page evaluates it at a case: an edge's factor, a δ (by
    its node), or a group of products."""
    if isinstance(item, DeltaRef):
        return {"delta": str(item.node)}
    if isinstance(item, Group):
        return {"group": [_product_document(term) for term in item.terms]}
    return {"edge": f"{item.wrt}->{item.of}"}


def _product_document(product) -> dict:
    return {
        "delta": None if product.head is None else str(product.head.node),
        "items": [_item_document(item) for item in product.items],
    }


def _shown_sum(notation, products, view: str = "abstract") -> str:
    """The sum of `products`, its first :data:`STEP_TERMS_SHOWN` written and then an
    ellipsis."""
    products = list(products)
    written = notation.sum(notation.product(p, view) for p in products[:STEP_TERMS_SHOWN])
    if len(products) > STEP_TERMS_SHOWN:
        ellipsis = "<mi>&#x22EF;</mi>" if notation.format == "mathml" else r"\cdots"
        written += notation.plus + ellipsis
    return written


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
    (the marked terms), its δ form, the δ nodes it introduces (by name and by node) and the
    region they sum, and its terms as data for the page to evaluate at a case (the first
    :data:`STEP_TERMS_SHOWN`, of `term_count`); the last step is the local form, δ times an
    activation or input."""
    marked, latex_notation = MarkedMathML.of(graph), notation_for("latex", graph)
    steps = []
    for step in factoring_steps(graph, parameter):
        cuts = list(dict.fromkeys(term.head.node for term in step.terms if term.head is not None))
        grouped = bool(step.grouped)
        steps.append(
            {
                "grouped_mathml": block(_shown_sum(marked, step.grouped)) if grouped else None,
                "grouped_latex": _shown_sum(latex_notation, step.grouped) if grouped else None,
                "mathml": block(_shown_sum(marked, step.terms)),
                "latex": _shown_sum(latex_notation, step.terms),
                "deltas": [delta_name(graph, node) for node in cuts],
                "delta_nodes": [str(node) for node in cuts],
                "region": _region(graph, cuts),
                "term_count": len(step.terms),
                "terms": [_product_document(term) for term in step.terms[:STEP_TERMS_SHOWN]],
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
            "delta_nodes": steps[-1]["delta_nodes"],
            "region": steps[-1]["region"],
            "term_count": len(factored.terms),
            "terms": [_product_document(term) for term in factored.terms],
        }
    )
    return steps


def _step_terms(graph, parameter: str) -> list[tuple]:
    """Each step's terms, in the order :func:`factoring_math` writes the steps: the path sum
    and each grouping, then the local form."""
    return [
        *(step.terms for step in factoring_steps(graph, parameter)),
        factor_gradient(graph, parameter).terms,
    ]


def factoring_numbers(graph, parameter: str, numbers: CaseNumbers) -> list[dict]:
    """The factoring steps of `parameter` at a case, for the page to write beside each step:
    the step's `value` (its terms summed over the examples: every step's is the gradient),
    and for each term written (the first :data:`STEP_TERMS_SHOWN`) its `value` over the
    examples, its value at the first `example`, and the `numbers` of its head δ (if any) and
    items in the first example, in the order the term writes them (a group's number is its
    sum).

    Examples
    --------
    >>> from chainrule.graph.build import build_graph
    >>> from chainrule.graph.spec import Network
    >>> from chainrule.records.numbers import from_values
    >>> from chainrule.records.values import ValuesRequest, compute
    >>> record = compute(ValuesRequest.of("2-2-2", examples=2))
    >>> steps = factoring_numbers(build_graph(Network([2, 2, 2])), "theta^(1)_11",
    ...                           from_values(record, None))
    >>> gradient = record.gradients.by_name()["theta^(1)_11"][0]
    >>> [abs(step["value"] - gradient) < 1e-15 for step in steps]
    [True, True, True, True]
    >>> [len(term["numbers"]) for term in steps[-1]["terms"]]  # δ^(2)_1 and x_1
    [2]
    """
    import numpy as np

    steps = []
    for terms in _step_terms(graph, parameter):
        # a saturated output's factor is infinite: its products are inf or nan, written null
        with np.errstate(all="ignore"):
            steps.append(_step_numbers(terms, numbers))
    return steps


def _step_numbers(terms, numbers: CaseNumbers) -> dict:
    """One step's numbers (see :func:`factoring_numbers`)."""
    values = [numbers.product(term) for term in terms]
    written = []
    for term, value in zip(terms[:STEP_TERMS_SHOWN], values):
        heads = [] if term.head is None else [numbers.delta(term.head.node)]
        written.append(
            {
                "value": float(value.sum()),
                "example": float(value[0]),
                "numbers": [float(row[0]) for row in [*heads, *map(numbers.items, term.items)]],
            }
        )
    return {"value": float(sum(value.sum() for value in values)), "terms": written}


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
