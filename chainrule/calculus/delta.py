"""δ factoring: the expanded path sum regrouped into backpropagation, and proven equal.

Many chains of a parameter share their cost-side end: every path from a weighted input z to J.
Their sum is δ(z) = ∂J/∂z, computed once per neuron in reverse topological order,
δ(v) = Σ over successors s of δ(s)·∂s/∂v from δ(J) = 1. Here δ is named at every weighted input
(the standard δ^(l)_j = ∂J/∂z^(l)_j); the adjoints of other nodes are written inline, which gives
the textbook definitions

    δ^(L)_i = ∂J/∂a^(L)_i · ∂a^(L)_i/∂z^(L)_i,   δ^(l)_j = ∂a^(l)_j/∂z^(l)_j · Σ_i δ^(l+1)_i ∂z^(l+1)_i/∂a^(l)_j,

and every gradient as ∂J/∂θ^(l)_jk = δ^(l+1)_j ∂z^(l+1)_j/∂θ^(l)_jk = δ^(l+1)_j a^(l)_k.

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
"""

from __future__ import annotations

from typing import Hashable, NamedTuple

import networkx as nx
import sympy as sp

from chainrule.graph import names
from chainrule.graph.chains import Factor, iter_chains
from chainrule.graph.kinds import NodeKind
from chainrule.calculus.symbolic import Partial, abstract_sum, node_symbol, partial


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
    return [node for generation in generations
            for node in sorted(generation, key=lambda node: graph.nodes[node]["index"])
            if is_delta_node(graph, node)]


def _adjoint(graph: nx.DiGraph, node: Hashable) -> sp.Expr:
    """Σ_s ref(s)·∂s/∂node, where ref(s) is δ(s) if named, 1 for J, else written out inline."""
    cost = graph.graph["cost"]
    total = sp.Integer(0)
    factored: dict[sp.Expr, list[sp.Expr]] = {}
    for successor in graph.successors(node):
        edge = Partial(node_symbol(successor), node_symbol(node))
        if successor == cost:
            total += edge
        elif is_delta_node(graph, successor):
            total += delta_symbol(graph, successor) * edge
        else:  # an activation: its own adjoint times the edge; collect the shared edge factor
            factored.setdefault(edge, []).append(_adjoint(graph, successor))
    for edge, adjoints in factored.items():
        total += edge * sp.Add(*adjoints)
    return total


def delta_definitions(graph: nx.DiGraph) -> dict[sp.Symbol, sp.Expr]:
    """δ(z) for every weighted input z, in partials and the δ of the layer above."""
    return {delta_symbol(graph, node): _adjoint(graph, node) for node in delta_nodes(graph)}


def factored_gradient(graph: nx.DiGraph, parameter: Hashable) -> sp.Expr:
    """∂J/∂parameter in δ form: Σ over its successors z of δ(z)·∂z/∂parameter."""
    return _adjoint(graph, parameter)


def expand_deltas(expression: sp.Expr, definitions: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
    """Replace every δ by its definition, repeatedly, until only partials remain."""
    while expression.free_symbols & definitions.keys():
        expression = expression.xreplace(definitions)
    return expression


def proves_equal_to_path_sum(graph: nx.DiGraph, parameter: Hashable,
                             expression: sp.Expr | None = None) -> bool:
    """Whether `expression` (the δ-factored gradient by default), δ expanded, is the path sum.

    Both sides are polynomials in the partials, so their difference expanding to 0 is a proof.
    """
    if expression is None:
        expression = factored_gradient(graph, parameter)
    expanded = expand_deltas(expression, delta_definitions(graph))
    path_sum = abstract_sum(iter_chains(graph, parameter))
    return sp.expand(expanded - path_sum) == 0


# --- the factoring step, shown ---------------------------------------------------------------

class Term(NamedTuple):
    """One term of a step: `head` (δ of node `cut`, or nothing) times the ordered `suffix`."""

    cut: Hashable | None
    suffix: tuple[Factor, ...]


class Step(NamedTuple):
    """One stage of the factoring: `groups` shows which terms of the previous stage merged."""

    terms: tuple[Term, ...]
    groups: tuple[tuple[Term, tuple[tuple[Term, tuple[Factor, ...]], ...]], ...]


def heights(graph: nx.DiGraph) -> dict[Hashable, int]:
    """The length of the longest path from each node to the cost."""
    cost = graph.graph["cost"]
    height = {}
    for node in reversed(list(nx.topological_sort(graph))):
        successors = [height[s] + 1 for s in graph.successors(node)]
        height[node] = max(successors) if successors else (0 if node == cost else -1)
    return height


def factoring_steps(graph: nx.DiGraph, parameter: Hashable) -> list[Step]:
    """The path sum of `parameter`, then grouped into δ one height above J at a time.

    Step 0 has one term per chain (no δ). At each later step a threshold rises through the
    heights (longest distance to J) of the δ nodes on the chains, and each chain is cut at its
    highest δ node not above the threshold. Everything between that node and J differs from
    chain to chain only on the cost side, so the terms that share a cut and the rest of the
    chain merge, their cost-side parts summing to δ of the cut. This holds for any graph; on a
    layered network it proceeds one layer of weighted inputs at a time, down to δ ∂z/∂θ.
    """
    chains = list(iter_chains(graph, parameter))
    height = heights(graph)
    thresholds = sorted({height[f.wrt] for chain in chains for f in chain
                         if is_delta_node(graph, f.wrt)})
    previous = [Term(None, tuple(chain)) for chain in chains]
    steps = [Step(terms=tuple(previous), groups=())]
    for threshold in thresholds:
        current = []
        for chain in chains:
            cuts = [i for i, f in enumerate(chain)
                    if is_delta_node(graph, f.wrt) and height[f.wrt] <= threshold]
            current.append(Term(chain[cuts[-1]].wrt, tuple(chain[cuts[-1] + 1:])) if cuts
                           else Term(None, tuple(chain)))
        merged: dict[Term, list[tuple[Term, tuple[Factor, ...]]]] = {}
        for before, term in zip(previous, current):
            middle = before.suffix[:len(before.suffix) - len(term.suffix)]
            merged.setdefault(term, []).append((before, middle))
        groups = tuple((term, tuple(dict.fromkeys(members))) for term, members in merged.items())
        steps.append(Step(terms=tuple(merged), groups=groups))
        previous = current
    return steps


def term_expression(graph: nx.DiGraph, term: Term) -> sp.Expr:
    head = sp.Integer(1) if term.cut is None else delta_symbol(graph, term.cut)
    return head * sp.Mul(*(partial(factor) for factor in term.suffix))


def step_expression(graph: nx.DiGraph, step: Step) -> sp.Expr:
    """A step as one SymPy expression in partials and δ symbols."""
    return sp.Add(*(term_expression(graph, term) for term in step.terms))
