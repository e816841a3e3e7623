"""δ factoring: the expanded path sum regrouped into backpropagation, and proven equal.

Many chains of a parameter share their cost-side end: every path from a weighted input z to J.
Their sum is δ(z) = ∂J/∂z, computed once per neuron in reverse topological order,
δ(v) = Σ over successors s of δ(s)·∂s/∂v from δ(J) = 1. Here δ is named at every weighted input
(the standard δ^(l)_j = ∂J/∂z^(l)_j); the adjoints of other nodes are written inline, which gives
the textbook definitions

    δ^(L)_i = ∂J/∂a^(L)_i · ∂a^(L)_i/∂z^(L)_i,
    δ^(l)_j = ∂a^(l)_j/∂z^(l)_j · Σ_i δ^(l+1)_i ∂z^(l+1)_i/∂a^(l)_j,

and every gradient as ∂J/∂θ^(l)_jk = δ^(l+1)_j ∂z^(l+1)_j/∂θ^(l)_jk = δ^(l+1)_j a^(l)_k.

The definitions, the factored gradients and the factoring steps are built once, as ordered
records (:class:`DeltaDefinition`, :class:`FactoredGradient`, :class:`Step`); their
``expression()`` is the SymPy form the proofs check, and :mod:`chainrule.notation` prints the
same records in every format.

Examples
--------
>>> from chainrule.graph.build import build_graph
>>> from chainrule.graph.spec import Network
>>> graph = build_graph(Network([2, 2, 2]))
>>> definitions = delta_definitions(graph)
>>> [str(symbol) for symbol in definitions]
['delta^(3)_1', 'delta^(3)_2', 'delta^(2)_1', 'delta^(2)_2']
>>> factored_gradient(graph, "theta^(1)_11")
delta^(2)_1*dz^(2)_1/dtheta^(1)_11
>>> proves_equal_to_path_sum(graph, "theta^(1)_11")
True
>>> (term,) = factor_gradient(graph, "theta^(1)_11").terms
>>> term.head.name, [factor.text for factor in term.items], term.expression()
('delta^(2)_1', ['dz^(2)_1/dtheta^(1)_11'], delta^(2)_1*dz^(2)_1/dtheta^(1)_11)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import NamedTuple

import networkx as nx
import sympy as sp

from chainrule.calculus.symbolic import abstract_sum, node_symbol, partial
from chainrule.graph import names
from chainrule.graph.chains import Factor, iter_chains
from chainrule.graph.kinds import NodeKind


def is_delta_node(graph: nx.DiGraph, node: Hashable) -> bool:
    """Whether `node` gets a named δ: the weighted inputs z of a layered network, and every
    computed node of a general graph (which has no layers to say which are pre-activations)."""
    return graph.nodes[node]["kind"] in (NodeKind.PRE, NodeKind.NODE)


def delta_name(graph: nx.DiGraph, node: Hashable) -> str:
    data = graph.nodes[node]
    if data["kind"] == NodeKind.NODE:
        return f"delta_{node}"
    return names.delta_name(data["layer"], data["index"][0])


def delta_latex(graph: nx.DiGraph, node: Hashable) -> str:
    data = graph.nodes[node]
    if data["kind"] == NodeKind.NODE:
        return rf"\delta_{{{data['latex']}}}"
    return names.delta_latex(data["layer"], data["index"][0])


def delta_symbol(graph: nx.DiGraph, node: Hashable) -> sp.Symbol:
    """The symbol δ of a weighted input, ``delta^(l)_j``."""
    return node_symbol(delta_name(graph, node))


def delta_nodes(graph: nx.DiGraph) -> list[Hashable]:
    """The nodes with a named δ, output layer first (the order backpropagation computes them).

    Reverse topological generations, each read in neuron order: every δ comes after the δs
    its definition uses.
    """
    generations = reversed(list(nx.topological_generations(graph)))
    return [
        node
        for generation in generations
        for node in sorted(generation, key=lambda node: graph.nodes[node]["index"])
        if is_delta_node(graph, node)
    ]


# --- the δ representation: immutable records, printed by chainrule.notation, proven here ---
#
# A sum is a tuple of Products; a Product is an optional δ head times ordered items, each a
# Factor (one partial), a DeltaRef or a Group (a parenthesised sum). SymPy would sort the
# factors, so the order lives in these records; `expression()` gives the SymPy form the proofs
# use, and every printer reads the same records, so what is printed is what is proven.


class DeltaRef(NamedTuple):
    """δ of a node, with its `name` and `latex` as a graph node has them (``delta^(2)_1``,
    ``\\delta_{1}^{(2)}``)."""

    node: Hashable
    name: str
    latex: str

    def expression(self) -> sp.Symbol:
        return node_symbol(self.name)


class Group(NamedTuple):
    """A sum written in parentheses inside a product: ``(δ^(3)_1 ∂z/∂a + δ^(3)_2 ∂z/∂a)``."""

    terms: tuple[Product, ...]

    def expression(self) -> sp.Expr:
        return sp.Add(*(term.expression() for term in self.terms))


class Product(NamedTuple):
    """`head` (a δ that multiplies the rest, or None) times the ordered `items`.

    Writers put an explicit times sign after the head and before a :class:`Group`; partials
    side by side are juxtaposed, as a hand derivation writes them. Inside a grouped sum a δ is
    just the first item: ``(δ^(3)_1 ∂z^(3)_1/∂a^(2)_1 + ...)``.
    """

    head: DeltaRef | None
    items: tuple[Factor | DeltaRef | Group, ...]

    def expression(self) -> sp.Expr:
        head = sp.Integer(1) if self.head is None else self.head.expression()
        return head * sp.Mul(
            *(
                partial(item) if isinstance(item, Factor) else item.expression()
                for item in self.items
            )
        )


def sum_expression(terms: Iterable[Product]) -> sp.Expr:
    return sp.Add(*(term.expression() for term in terms))


class DeltaDefinition(NamedTuple):
    """``δ(node) = Σ terms``: the δ of a node in partials and the δ of the nodes it feeds."""

    delta: DeltaRef
    terms: tuple[Product, ...]

    def expression(self) -> sp.Expr:
        return sum_expression(self.terms)


class FactoredGradient(NamedTuple):
    """``∂J/∂source = Σ terms``, each a δ of a node the source feeds times the edge to it."""

    lhs: Factor
    terms: tuple[Product, ...]

    def expression(self) -> sp.Expr:
        return sum_expression(self.terms)


def delta_ref(graph: nx.DiGraph, node: Hashable) -> DeltaRef:
    return DeltaRef(node, delta_name(graph, node), delta_latex(graph, node))


def _adjoint(graph: nx.DiGraph, node: Hashable) -> tuple[Product, ...]:
    """Σ_s ref(s)·∂s/∂node, where ref(s) is δ(s) if named, 1 for J, else written out inline.

    An inline adjoint of one term continues its product (a chain's order, cost first); one of
    several terms becomes ∂s/∂node times their group, as the textbook writes f'(z) Σ δ θ.
    """
    cost = graph.graph["cost"]
    terms = []
    for successor in graph.successors(node):
        edge = graph.edges[node, successor]["factor"]
        if successor == cost:
            terms.append(Product(None, (edge,)))
        elif is_delta_node(graph, successor):
            terms.append(Product(delta_ref(graph, successor), (edge,)))
        else:
            inner = _adjoint(graph, successor)
            if len(inner) == 1:
                terms.append(Product(inner[0].head, (*inner[0].items, edge)))
            else:
                terms.append(Product(None, (edge, Group(inner))))
    return tuple(terms)


def define_delta(graph: nx.DiGraph, node: Hashable) -> DeltaDefinition:
    """The definition of δ(node) as a record (see :func:`delta_definitions` for SymPy)."""
    return DeltaDefinition(delta_ref(graph, node), _adjoint(graph, node))


def define_deltas(graph: nx.DiGraph) -> tuple[DeltaDefinition, ...]:
    """Every δ definition, in the order backpropagation computes them (:func:`delta_nodes`)."""
    return tuple(define_delta(graph, node) for node in delta_nodes(graph))


def factor_gradient(graph: nx.DiGraph, source: Hashable) -> FactoredGradient:
    """∂J/∂source in δ form, as a record: Σ over its successors z of δ(z)·∂z/∂source."""
    data, cost = graph.nodes[source], graph.graph["cost"]
    return FactoredGradient(
        Factor(cost, data["name"], graph.nodes[cost]["latex"], data["latex"]),
        _adjoint(graph, source),
    )


def delta_definitions(graph: nx.DiGraph) -> dict[sp.Symbol, sp.Expr]:
    """δ(z) for every weighted input z, in partials and the δ of the layer above (SymPy)."""
    return {
        definition.delta.expression(): definition.expression()
        for definition in define_deltas(graph)
    }


def factored_gradient(graph: nx.DiGraph, parameter: Hashable) -> sp.Expr:
    """∂J/∂parameter in δ form as SymPy: the expression of :func:`factor_gradient`'s record."""
    return factor_gradient(graph, parameter).expression()


def expand_deltas(expression: sp.Expr, definitions: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
    """Replace every δ by its definition, repeatedly, until only partials remain."""
    while expression.free_symbols & definitions.keys():
        expression = expression.xreplace(definitions)
    return expression


def proves_equal_to_path_sum(graph: nx.DiGraph, parameter: Hashable, expression=None) -> bool:
    """Whether `expression` (the δ-factored gradient by default), δ expanded, is the path sum.

    `expression` is a SymPy expression or a record with an ``expression()`` (a
    :class:`FactoredGradient`, a :class:`Step`). Both sides are polynomials in the partials, so
    their difference expanding to 0 is a proof.
    """
    if expression is None:
        expression = factor_gradient(graph, parameter)
    if not isinstance(expression, sp.Basic):
        expression = expression.expression()
    expanded = expand_deltas(expression, delta_definitions(graph))
    path_sum = abstract_sum(iter_chains(graph, parameter))
    return sp.expand(expanded - path_sum) == 0


# --- the factoring step, shown ---------------------------------------------------------------


class Term(NamedTuple):
    """One term while factoring: δ of node `cut` (or nothing) times the ordered `suffix`."""

    cut: Hashable | None
    suffix: tuple[Factor, ...]


class Step(NamedTuple):
    """One stage of the factoring: the sum of `terms`, and the same sum `grouped` before the
    merge, each set of merging terms in parentheses (empty for step 0, the path sum)."""

    terms: tuple[Product, ...]
    grouped: tuple[Product, ...]

    def expression(self) -> sp.Expr:
        return sum_expression(self.terms)

    def grouped_expression(self) -> sp.Expr:
        return sum_expression(self.grouped)


def heights(graph: nx.DiGraph) -> dict[Hashable, int]:
    """The length of the longest path from each node to the cost."""
    cost = graph.graph["cost"]
    height: dict[Hashable, int] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        successors = [height[s] + 1 for s in graph.successors(node)]
        height[node] = max(successors) if successors else (0 if node == cost else -1)
    return height


def factoring_heights(graph: nx.DiGraph, parameter: Hashable) -> list[int]:
    """The heights at which :func:`factoring_steps` groups the chains of `parameter`, one step
    each: those of the δ nodes on its chains (below it, and reaching J), found without walking
    a chain, of which a deep network has astronomically many.

    Examples
    --------
    >>> from chainrule.graph.build import build_graph
    >>> from chainrule.graph.spec import Network
    >>> factoring_heights(build_graph(Network([2, 2, 2, 2])), "theta^(1)_11")
    [2, 4, 6]
    """
    height = heights(graph)
    on_chains = nx.descendants(graph, parameter) & nx.ancestors(graph, graph.graph["cost"])
    return sorted({height[node] for node in on_chains if is_delta_node(graph, node)})


def factoring_steps(graph: nx.DiGraph, parameter: Hashable) -> list[Step]:
    """The path sum of `parameter`, then grouped into δ one height above J at a time.

    Step 0 has one term per chain (no δ). At each later step a threshold rises through the
    heights (longest distance to J) of the δ nodes on the chains, and each chain is cut at its
    highest δ node not above the threshold. Everything between that node and J differs from
    chain to chain only on the cost side, so the terms that share a cut and the rest of the
    chain merge, their cost-side parts summing to δ of the cut. This holds for any graph; on a
    layered network it proceeds one layer of weighted inputs at a time, down to δ ∂z/∂θ.

    Examples
    --------
    >>> from chainrule.graph.build import build_graph
    >>> from chainrule.graph.spec import Network
    >>> steps = factoring_steps(build_graph(Network([2, 2, 2])), "theta^(1)_11")
    >>> [len(step.terms) for step in steps], steps[-1].expression()
    ([2, 2, 1], delta^(2)_1*dz^(2)_1/dtheta^(1)_11)
    """
    chains = list(iter_chains(graph, parameter))
    height = heights(graph)
    thresholds = factoring_heights(graph, parameter)
    previous = [Term(None, tuple(chain)) for chain in chains]
    steps = [_step(graph, previous, ())]
    for threshold in thresholds:
        current = []
        for chain in chains:
            cuts = [
                i
                for i, f in enumerate(chain)
                if is_delta_node(graph, f.wrt) and height[f.wrt] <= threshold
            ]
            current.append(
                Term(chain[cuts[-1]].wrt, tuple(chain[cuts[-1] + 1 :]))
                if cuts
                else Term(None, tuple(chain))
            )
        merged: dict[Term, list[tuple[Term, tuple[Factor, ...]]]] = {}
        for before, term in zip(previous, current):
            middle = before.suffix[: len(before.suffix) - len(term.suffix)]
            merged.setdefault(term, []).append((before, middle))
        groups = tuple((term, tuple(dict.fromkeys(members))) for term, members in merged.items())
        steps.append(_step(graph, merged, groups))
        previous = current
    return steps


def _step(graph: nx.DiGraph, terms: Iterable[Term], groups) -> Step:
    """The records of a step: each term as a product, and each group of merged terms as the
    parenthesised sum of their cost-side parts (δ of the old cut, then the middle) times the
    shared suffix; a term this step left alone stands as it is."""

    def head(cut: Hashable | None) -> tuple[DeltaRef, ...]:
        return () if cut is None else (delta_ref(graph, cut),)

    def product(term: Term) -> Product:
        return Product(None if term.cut is None else delta_ref(graph, term.cut), term.suffix)

    grouped = []
    for term, members in groups:
        if len(members) == 1 and not members[0][1]:  # untouched by this step: no group to show
            grouped.append(product(term))
        else:
            inside = tuple(
                Product(None, (*head(before.cut), *middle)) for before, middle in members
            )
            grouped.append(Product(None, (Group(inside), *term.suffix)))
    return Step(tuple(map(product, terms)), tuple(grouped))


def step_expression(graph: nx.DiGraph, step: Step) -> sp.Expr:
    """A step as one SymPy expression in partials and δ symbols (``step.expression()``)."""
    return step.expression()
