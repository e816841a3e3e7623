"""How many chains and terms the expanded chain rule needs, and how many operations each way.

A term is one partial-derivative factor; a chain is one product of terms, one path from a
parameter to J. Counts are exact Python integers, so ``784-512-512-10`` answers at once without
building a graph. :func:`chainrule.graph.paths.path_counts` counts the same things on any graph by
dynamic programming; the tests hold the two (and brute-force enumeration) to each other.
:func:`operation_counts` prices the gradients three ways (expanded, reverse, forward), in closed
form for a layered network and by walking any graph.

Examples
--------
>>> from chainrule.graph.spec import Network
>>> c = count(Network([2, 2, 2]))
>>> c.parameters, c.chains, c.terms
(8, 12, 52)
>>> [(row.layer, row.chains, row.terms, row.chain_length) for row in c.layers]
[(1, 8, 40, 5), (2, 4, 12, 3)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, NamedTuple

from chainrule import rules
from chainrule.graph.kinds import NodeKind
from chainrule.graph.spec import SOFTMAX, Network, ParameterIndex

if TYPE_CHECKING:  # networkx is imported only by the graph walk: `count` must start fast
    import networkx as nx
from chainrule.lazy import lazy

if TYPE_CHECKING:
    from chainrule.calculus import symbolic as symbolic
    from chainrule.graph import build as graph_build
    from chainrule.graph import paths as graph_paths
    from chainrule.graph import symbols as symbols
else:
    # Loaded on first use: these modules load SymPy or networkx as they are imported,
    # which the arithmetic on layer sizes never needs.
    symbolic = lazy("chainrule.calculus.symbolic")
    graph_build = lazy("chainrule.graph.build")
    graph_paths = lazy("chainrule.graph.paths")
    symbols = lazy("chainrule.graph.symbols")


class LayerCount(NamedTuple):
    """Counts for the weights Θ^(layer), which feed layer ``layer + 1``."""

    layer: int
    parameters: int
    chains: int
    terms: int
    chain_length: int

    @property
    def chains_per_parameter(self) -> int:
        return self.chains // self.parameters


class Count(NamedTuple):
    """Counts for a whole architecture; `layers` has one row per weight layer."""

    network: Network
    parameters: int
    chains: int
    terms: int
    layers: tuple[LayerCount, ...]

    def as_dict(self) -> dict:
        """The JSON object of ``chainrule count --json``."""
        return {
            "architecture": self.network.architecture,
            "sizes": list(self.network.sizes),
            "bias": self.network.bias,
            "parameters": self.parameters,
            "chains": self.chains,
            "terms": self.terms,
            "layers": [row._asdict() for row in self.layers],
        }


def paths_from_weighted_input(network: Network, layer: int) -> tuple[int, int]:
    """Paths from one ``z^(layer)_j`` to J and the terms on them, as ``(paths, terms)``.

    At the output, z -> a -> J is one path of two terms; a softmax output has one such path
    through every output activation. Each layer below fans out to every neuron above it, adding
    two terms (da/dz and dz/da) to every path.

    Examples
    --------
    >>> paths_from_weighted_input(Network([2, 2, 2]), 2)
    (2, 8)
    """
    output_size = network.sizes[-1]
    paths = output_size if network.softmax_output else 1
    terms = 2 * paths
    for upper in range(network.depth, layer, -1):  # layer numbers are 1-based
        fan_out = network.sizes[upper - 1]
        paths, terms = fan_out * paths, fan_out * (terms + 2 * paths)
    return paths, terms


def count_parameter(network: Network, parameter: ParameterIndex) -> tuple[int, int]:
    """The chains and terms of one weight, as ``(chains, terms)``, without building a graph.

    Examples
    --------
    >>> count_parameter(Network([2, 2, 2]), ParameterIndex(1, 1, 1))
    (2, 10)
    """
    paths, terms = paths_from_weighted_input(network, parameter.layer + 1)
    return paths, terms + paths


def count_input(network: Network) -> tuple[int, int]:
    """The chains and terms of one input x_k, as ``(chains, terms)``: x_k feeds every z^(2)_j.

    Examples
    --------
    >>> count_input(Network([2, 2, 2]))
    (4, 20)
    """
    paths, terms = paths_from_weighted_input(network, 2)
    fan_out = network.sizes[1]
    return fan_out * paths, fan_out * (terms + paths)


def count(network: Network) -> Count:
    """Parameters, chains and terms of `network`, in total and per weight layer.

    Notes
    -----
    O(L) integer operations, whatever the layer widths: a weight θ^(l)_jk has as many chains as
    z^(l+1)_j has paths to J, each one term (dz/dθ) longer, and those paths are counted for
    every layer in one sweep from the output down.
    """
    output_size = network.sizes[-1]
    paths = output_size if network.softmax_output else 1
    terms = 2 * paths
    from_weighted_input = {network.depth: (paths, terms)}
    for layer in range(network.depth - 1, 1, -1):  # layer numbers are 1-based
        fan_out = network.sizes[layer]
        paths, terms = fan_out * paths, fan_out * (terms + 2 * paths)
        from_weighted_input[layer] = (paths, terms)
    rows = []
    for layer in range(1, network.depth):
        parameters = network.layer_parameter_count(layer)
        paths, terms = from_weighted_input[layer + 1]
        chains, terms = paths, terms + paths
        rows.append(
            LayerCount(
                layer=layer,
                parameters=parameters,
                chains=parameters * chains,
                terms=parameters * terms,
                chain_length=terms // chains,
            )
        )
    return Count(
        network=network,
        parameters=sum(row.parameters for row in rows),
        chains=sum(row.chains for row in rows),
        terms=sum(row.terms for row in rows),
        layers=tuple(rows),
    )


def closed_view_size(graph, sources) -> int:
    """An estimate of the closed view's size: symbols printed for the chains of `sources`.

    The closed view substitutes the forward pass into every factor, so a factor at node v
    carries v's closed expression, whose size grows with the number of paths from the leaves
    (inputs and parameters) to v. Two dynamic programmes, forward and backward over the graph:
    ``size(v)`` = Σ over predecessors u of (``size(u)`` for computed u, else 1), and
    ``total(v)`` = Σ over successors s of (``total(s)`` + paths(s) · ``size(s)``), so that
    ``total(p)`` sums ``size`` over every node of every chain of p. Measured on this machine,
    printing takes about 1 s per 4,000 of them.

    Examples
    --------
    >>> from chainrule.graph.build import build_graph
    >>> from chainrule.graph.spec import Network
    >>> closed_view_size(build_graph(Network([1, 1, 1])), ["theta^(1)_11"])
    10
    """
    import networkx as nx

    cost = graph.graph["cost"]
    order = list(nx.topological_sort(graph))
    size: dict = {}
    for node in order:
        predecessors = graph._pred[node]
        size[node] = sum(size[u] if graph._pred[u] else 1 for u in predecessors)
    size[cost] = 0  # J itself is never substituted
    paths: dict = {cost: 1}
    total: dict = {cost: 0}
    for node in reversed(order):
        if node == cost:
            continue
        paths[node] = sum(paths[s] for s in graph._succ[node])
        total[node] = sum(total[s] + paths[s] * size[s] for s in graph._succ[node])
    return sum(total[source] for source in sources)


def _piecewise(activation: str) -> bool:
    """Whether the rules write `activation` as a Piecewise: sympy.diff of its compositions
    multiplies the cases (the softmax output has no such rule)."""
    rule = rules.ACTIVATIONS.get(activation)
    return rule is not None and rule.piecewise


def composed_cost_size(network: Network) -> int:
    """Symbols in J written out as one tree in x, θ and y (the composed cost ``sympy.diff``
    differentiates): a weighted input sums a term per incoming weight, a piecewise activation
    repeats its argument in its condition, a softmax output holds every weighted input.

    Examples
    --------
    >>> relu = Network([2, 2, 2], activation="relu")
    >>> composed_cost_size(Network([2, 2, 2])), composed_cost_size(relu)
    (20, 72)
    """
    sizes, bias = network.sizes, int(network.bias)
    weighted = 2 * sizes[0] + bias
    activated = weighted
    for layer in range(2, network.depth + 1):
        name = network.activation[layer - 2]
        if name == SOFTMAX:
            activated = sizes[-1] * weighted
        else:
            activated = weighted * (2 if _piecewise(name) else 1)
        if layer < network.depth:
            weighted = sizes[layer - 1] * (1 + activated) + bias
    return sizes[-1] * activated


def sympy_diff_work(network: Network, sources: int | None = None) -> int:
    """A measure of what ``sympy.diff`` of the composed cost by `sources` leaves (every weight
    by default; ``verify --wrt inputs`` differentiates by the inputs) costs, calibrated on this
    machine: about 4,000 is one second. Each Piecewise layer past the second multiplies the
    cases SymPy carries through the derivative, so it weighs ten times more.

    Examples
    --------
    >>> sympy_diff_work(Network([2, 2, 2])), sympy_diff_work(Network([2, 2, 2]), sources=2)
    (160, 40)
    """
    piecewise = sum(_piecewise(name) for name in network.activation)
    if sources is None:
        sources = network.parameter_count
    return composed_cost_size(network) * sources * 10 ** max(0, piecewise - 2)


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


def operation_counts(
    subject: Network | nx.DiGraph, sources: Iterable[Hashable] | None = None
) -> OperationCounts:
    """Multiplications and additions to get the gradients of `sources` (every parameter by
    default) in `subject`: a computation graph, or a layered network.

    A layered network's counts for all its parameters come from the closed form: exact integers
    in O(L) time, so ``chainrule count --ops 784-512-512-10`` builds no graph. Anything else
    walks the graph (O(sources × edges) for forward mode); the tests hold the two to each other.

    Examples
    --------
    >>> operation_counts(Network([2, 2, 2])).as_dict()
    {'expanded': {'multiplications': 40, 'additions': 4},
     'reverse': {'multiplications': 16, 'additions': 2},
     'forward': {'multiplications': 36, 'additions': 4}}
    >>> from chainrule.graph.build import build_graph
    >>> operation_counts(build_graph(Network([2, 2, 2]))) == operation_counts(Network([2, 2, 2]))
    True
    """
    if isinstance(subject, Network):
        if sources is None:
            return _layered_operation_counts(subject)

        subject = graph_build.build_graph(subject)
    return _walked_operation_counts(subject, sources)


def _walked_operation_counts(
    graph: nx.DiGraph, sources: Iterable[Hashable] | None
) -> OperationCounts:
    """The counts by walking the graph: paths by dynamic programming, cones by networkx."""
    import networkx as nx

    cost = graph.graph["cost"]
    if sources is None:
        sources = [node for node, kind in graph.nodes(data="kind") if kind == NodeKind.PARAM]
    sources = list(sources)
    counts = graph_paths.path_counts(graph)
    expanded = Ops(
        sum(counts[p][1] - counts[p][0] for p in sources), sum(counts[p][0] - 1 for p in sources)
    )

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


def _layered_operation_counts(network: Network) -> OperationCounts:
    """The same counts for every parameter of a layered network, in closed form."""
    c = count(network)
    expanded = Ops(c.terms - c.chains, c.chains - c.parameters)
    sizes, depth, softmax = network.sizes, network.depth, network.softmax_output
    n = {layer: sizes[layer - 1] for layer in range(1, depth + 1)}  # n[l]: neurons of layer l

    # reverse: θ -> z (one each); z -> a; a -> z of the layer above; a^(L) -> J (free)
    z_to_a = sum(n[l] for l in range(2, depth)) + (n[depth] ** 2 if softmax else n[depth])
    a_to_z = sum(n[l] * n[l + 1] for l in range(2, depth))
    reverse = Ops(
        c.parameters + z_to_a + a_to_z,
        sum(n[l] * (n[l + 1] - 1) for l in range(2, depth))
        + (n[depth] * (n[depth] - 1) if softmax else 0),
    )

    def layer_ops(l: int, reached: int) -> tuple[int, int]:
        """A tangent sweep's work at layer l when `reached` of its weighted inputs carry one:
        into the activations (a softmax couples them all), then on to the layer above."""
        if l == depth and softmax:
            mult, add = reached * n[l], n[l] * (reached - 1)
        else:
            mult, add = reached, 0
        if l < depth:
            mult, add = mult + reached * n[l + 1], add + n[l + 1] * (reached - 1)
        return mult, add

    # A weight feeding layer `first` reaches one weighted input there and every neuron above:
    # suffix sums of the full layers make every weight layer's sweep O(1), so O(L) in all.
    full: dict[int, tuple[int, int]] = {depth + 1: (0, 0)}
    for l in range(depth, 1, -1):
        mult, add = layer_ops(l, n[l])
        full[l] = (full[l + 1][0] + mult, full[l + 1][1] + add)
    forward_mult = forward_add = 0
    for row in c.layers:
        first = row.layer + 1  # the layer whose one weighted input the weight feeds
        mult, add = layer_ops(first, 1)
        mult, add = mult + full[first + 1][0], add + full[first + 1][1]
        outputs_reached = n[depth] if softmax else (1 if first == depth else n[depth])
        mult += outputs_reached
        add += outputs_reached - 1
        forward_mult += row.parameters * mult
        forward_add += row.parameters * add
    return OperationCounts(expanded, reverse, Ops(forward_mult, forward_add))


def composed_graph_size(graph) -> int:
    """Symbols in a graph's cost written out as one tree in its leaves (what ``sympy.diff``
    differentiates), from each node's own formula: every occurrence of a computed node in a
    formula stands for that node's whole tree. One pass in topological order, one walk of each
    formula; no expression is composed.

    Examples
    --------
    >>> from chainrule.graph.build import build_graph
    >>> from chainrule.graph.spec import Network
    >>> composed_graph_size(build_graph(Network([2, 2, 2])))
    33
    """
    import networkx as nx

    size: dict = {}
    for node in nx.topological_sort(graph):
        if not graph._pred[node]:
            size[node] = 1
            continue
        uses = _symbol_uses(symbolic.value_formula(graph, node))
        size[node] = sum(uses[symbols.node_symbol(u)] * size[u] for u in graph._pred[node]) + 1
    return size[graph.graph["cost"]]


def _symbol_uses(formula) -> Counter:
    """How often each symbol occurs in `formula`'s tree, in one walk (``formula.count(symbol)``
    for every symbol would walk it once per symbol: a second for a formula of 100 inputs)."""
    from sympy import preorder_traversal

    return Counter(part for part in preorder_traversal(formula) if part.is_Symbol)


def _formula_size(graph, node) -> int:
    """Nodes of `node`'s formula tree: a graph file's formula, walked; a layered network's,
    estimated without writing it (a weighted input adds a product of two symbols per weight,
    an activation or the cost a few symbols per input)."""
    formula = graph.nodes[node].get("formula")
    if formula is not None:
        from sympy import preorder_traversal

        return sum(1 for _ in preorder_traversal(formula))
    inputs = len(graph._pred[node])
    if graph.nodes[node]["kind"] == NodeKind.PRE:
        return 1 + 3 * inputs // 2
    return 10 * inputs


def local_derivative_work(graph) -> int:
    """Symbols SymPy walks to find a graph's local derivatives: differentiating the formula of
    v by each of its inputs u walks v's formula once per edge u -> v. A layered network's
    local derivatives are written in closed form, without SymPy: 0.

    Examples
    --------
    >>> from chainrule.graph.dag import Dag, sigmoid
    >>> dag = Dag()
    >>> x, w, y = dag.input("x"), dag.parameter("w"), dag.target("y")
    >>> cost = dag.cost((sigmoid(w * x) - y) ** 2 / 2)
    >>> graph = dag.build()  # J's formula, 17 symbols, differentiated by w and by x
    >>> local_derivative_work(graph), forward_pass_work(graph)
    (34, 17)
    """
    return sum(
        len(graph._pred[node]) * _formula_size(graph, node)
        for node, formula in graph.nodes(data="formula")
        if formula is not None
    )


def forward_pass_work(graph) -> int:
    """Symbols one forward pass over `graph` evaluates: every computed node's formula (the
    cost's too), walked as a tree. Each costs about the same few microseconds of numpy calls,
    whatever the number of examples.

    Examples
    --------
    >>> from chainrule.graph.build import build_graph
    >>> from chainrule.graph.spec import Network
    >>> forward_pass_work(build_graph(Network([2, 2, 2])))
    88
    """
    return sum(_formula_size(graph, node) for node in graph if graph._pred[node])
