"""δ factoring: the expanded path sum regrouped into backpropagation, proven equal, and priced.

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

from typing import Hashable, Iterable, NamedTuple

import networkx as nx
import sympy as sp

from chainrule.graph import names
from chainrule.graph.chains import Factor, iter_chains
from chainrule.calculus.counting import count
from chainrule.graph.paths import path_counts
from chainrule.graph.spec import Network
from chainrule.calculus.symbolic import Partial, abstract_sum, node_symbol, partial


def is_delta_node(graph: nx.DiGraph, node: Hashable) -> bool:
    """Whether `node` gets a named δ: the weighted inputs z of a layered network, and every
    computed node of a general graph (which has no layers to say which are pre-activations)."""
    return graph.nodes[node]["kind"] in ("pre", "node")


def delta_name(graph: nx.DiGraph, node: Hashable) -> str:
    data = graph.nodes[node]
    if data["kind"] == "node":
        return f"delta_{node}"
    return names.delta_name(data["layer"], data["index"][0])


def delta_latex(graph: nx.DiGraph, node: Hashable) -> str:
    data = graph.nodes[node]
    if data["kind"] == "node":
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


# --- operation counts --------------------------------------------------------------------------

class Ops(NamedTuple):
    multiplications: int
    additions: int


class OperationCounts(NamedTuple):
    """Multiplications and additions to get every parameter's gradient, three ways.

    - expanded: every chain multiplied out (terms − 1 multiplications each), then each
      parameter's chains added (chains − 1 additions);
    - reverse: the δ-factored sweep, δ(v) = Σ_s δ(s)·∂s/∂v over every node a parameter reaches
      (one multiplication per edge, none when s is J since δ(J) = 1; out-degree − 1 additions);
    - forward: one tangent sweep per parameter p, ṫ(v) = Σ_u ṫ(u)·∂v/∂u over the nodes p reaches
      (one multiplication per edge from a reached node, none from p itself since ṫ(p) = 1;
      in-degree from reached nodes − 1 additions).

    Local partials are taken as given in all three: the counts compare how they are combined.
    """

    expanded: Ops
    reverse: Ops
    forward: Ops

    def as_dict(self) -> dict:
        return {name: ops._asdict() for name, ops in self._asdict().items()}


def graph_operation_counts(graph: nx.DiGraph, sources: Iterable[Hashable] | None = None
                           ) -> OperationCounts:
    """Operation counts on any graph, by walking it (O(parameters × edges) for forward mode)."""
    cost = graph.graph["cost"]
    if sources is None:
        sources = [node for node, kind in graph.nodes(data="kind") if kind == "param"]
    sources = list(sources)
    counts = path_counts(graph)
    expanded = Ops(sum(counts[p][1] - counts[p][0] for p in sources),
                   sum(counts[p][0] - 1 for p in sources))

    reached: set[Hashable] = set(sources)
    for source in sources:
        reached |= nx.descendants(graph, source)
    reached.discard(cost)
    reverse_mult = sum(1 for node in reached for s in graph.successors(node) if s != cost)
    reverse_add = sum(graph.out_degree(node) - 1 for node in reached)

    forward_mult = forward_add = 0
    for source in sources:
        cone = nx.descendants(graph, source)
        for node in cone:
            incoming = [u for u in graph.predecessors(node) if u in cone or u == source]
            forward_mult += sum(1 for u in incoming if u != source)
            forward_add += len(incoming) - 1
    return OperationCounts(expanded, Ops(reverse_mult, reverse_add), Ops(forward_mult, forward_add))


def operation_counts(network: Network) -> OperationCounts:
    """The same counts as :func:`graph_operation_counts` for a layered network, in closed form.

    Exact integers in O(L) time, so ``chainrule count --ops 784-512-512-10`` builds no graph.

    Examples
    --------
    >>> operation_counts(Network([2, 2, 2])).as_dict()
    {'expanded': {'multiplications': 40, 'additions': 4}, 'reverse': {'multiplications': 16, 'additions': 2}, 'forward': {'multiplications': 36, 'additions': 4}}
    """
    c = count(network)
    expanded = Ops(c.terms - c.chains, c.chains - c.parameters)
    sizes, depth, softmax = network.sizes, network.depth, network.softmax_output
    n = {layer: sizes[layer - 1] for layer in range(1, depth + 1)}  # n[l]: neurons of layer l

    # reverse: θ -> z (one each); z -> a; a -> z of the layer above; a^(L) -> J (free)
    z_to_a = sum(n[l] for l in range(2, depth)) + (n[depth] ** 2 if softmax else n[depth])
    a_to_z = sum(n[l] * n[l + 1] for l in range(2, depth))
    reverse = Ops(c.parameters + z_to_a + a_to_z,
                  sum(n[l] * (n[l + 1] - 1) for l in range(2, depth))
                  + (n[depth] * (n[depth] - 1) if softmax else 0))

    forward_mult = forward_add = 0
    for row in c.layers:
        first = row.layer + 1  # the layer whose one weighted input the weight feeds
        reached = {first: 1, **{l: n[l] for l in range(first + 1, depth + 1)}}
        mult = add = 0
        for l in range(first, depth + 1):
            if l == depth and softmax:
                mult += reached[l] * n[l]
                add += n[l] * (reached[l] - 1)
            else:
                mult += reached[l]
            if l < depth:
                mult += reached[l] * n[l + 1]
                add += n[l + 1] * (reached[l] - 1)
        outputs_reached = n[depth] if softmax else reached[depth]
        mult += outputs_reached
        add += outputs_reached - 1
        forward_mult += row.parameters * mult
        forward_add += row.parameters * add
    return OperationCounts(expanded, reverse, Ops(forward_mult, forward_add))
