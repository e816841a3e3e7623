"""How many chains and terms the expanded chain rule needs, by the closed form for layered networks.

A term is one partial-derivative factor; a chain is one product of terms, one path from a
parameter to J. Counts are exact Python integers, so ``784-512-512-10`` answers at once without
building a graph. :func:`chainrule.graph.paths.path_counts` counts the same things on any graph by
dynamic programming; the tests hold the two (and brute-force enumeration) to each other.

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

from typing import NamedTuple

from chainrule.graph.spec import Network, ParameterIndex


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
        rows.append(LayerCount(layer=layer, parameters=parameters, chains=parameters * chains,
                               terms=parameters * terms, chain_length=terms // chains))
    return Count(network=network,
                 parameters=sum(row.parameters for row in rows),
                 chains=sum(row.chains for row in rows),
                 terms=sum(row.terms for row in rows),
                 layers=tuple(rows))


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



#: Activations written as a Piecewise: sympy.diff of their compositions multiplies the cases.
PIECEWISE_ACTIVATIONS = ("relu", "leaky_relu")


def composed_cost_size(network: Network) -> int:
    """Symbols in J written out as one tree in x, θ and y (the composed cost ``sympy.diff``
    differentiates): a weighted input sums a term per incoming weight, a piecewise activation
    repeats its argument in its condition, a softmax output holds every weighted input.

    Examples
    --------
    >>> composed_cost_size(Network([2, 2, 2])), composed_cost_size(Network([2, 2, 2], activation="relu"))
    (20, 72)
    """
    sizes, bias = network.sizes, int(network.bias)
    weighted = 2 * sizes[0] + bias
    activated = weighted
    for layer in range(2, network.depth + 1):
        name = network.activation[layer - 2]
        if name == "softmax":
            activated = sizes[-1] * weighted
        else:
            activated = weighted * (2 if name in PIECEWISE_ACTIVATIONS else 1)
        if layer < network.depth:
            weighted = sizes[layer - 1] * (1 + activated) + bias
    return sizes[-1] * activated


def sympy_diff_work(network: Network) -> int:
    """A measure of what ``sympy.diff`` of every weight's gradient costs, calibrated on this
    machine: about 4,000 is one second. Each Piecewise layer past the second multiplies the
    cases SymPy carries through the derivative, so it weighs ten times more."""
    piecewise = sum(name in PIECEWISE_ACTIVATIONS for name in network.activation)
    return (composed_cost_size(network) * network.parameter_count
            * 10 ** max(0, piecewise - 2))
