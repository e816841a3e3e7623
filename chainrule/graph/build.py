"""The computation graph of a layered network as a :class:`networkx.DiGraph`.

Nodes are keyed by their text name (``"theta^(1)_11"``, ``"z^(2)_1"``, ``"J"``) and carry
``kind`` (input, param, pre, act, cost), ``layer``, ``index``, ``name`` and ``latex``. An edge
u -> v means v depends directly on u. Edges are inserted in index order, so walking successors
in order yields chains in the order a hand derivation writes them.

Examples
--------
>>> from chainrule.graph.spec import Network, graph_size
>>> g = build_graph(Network([2, 2, 2]))
>>> g.number_of_nodes(), g.number_of_edges()
(19, 22)
>>> list(g.successors("a^(2)_1"))
['z^(3)_1', 'z^(3)_2']
>>> g.nodes["theta^(1)_12"]["kind"], g.nodes["theta^(1)_12"]["latex"]
(<NodeKind.PARAM: 'param'>, '\\\\theta_{12}^{(1)}')
"""

from __future__ import annotations

import networkx as nx

from chainrule import budget
from chainrule.graph import names
from chainrule.graph.chains import edge_factor
from chainrule.graph.kinds import NodeKind
from chainrule.graph.spec import Network, graph_size

#: Nodes plus edges above which a graph is refused rather than built. networkx keeps a few
#: hundred bytes per node and edge, so this is a few GiB and tens of seconds to build; every
#: count is available without a graph (`chainrule count`).

COST = names.COST_NAME


def check_graph_size(network: Network, limit: int = budget.DEFAULT_MAX_GRAPH) -> None:
    """Raise :class:`~chainrule.errors.TooLarge` if the graph of `network` would pass `limit`
    nodes and edges (``--max-graph``), before building anything."""
    nodes, edges = graph_size(network)
    budget.check(
        f"nodes and edges in the computation graph of {network.architecture}",
        nodes + edges,
        limit,
        "max_graph",
        "; `chainrule count` gives its counts without it",
    )


def _activation_node(network: Network, layer: int, k: int) -> str:
    """The node whose value neuron k of `layer` passes on: x_k for the input layer."""
    return names.x_name(k) if layer == 1 else names.a_name(layer, k)


def build_graph(network: Network, max_graph: int = budget.DEFAULT_MAX_GRAPH) -> nx.DiGraph:
    """Build the computation graph of `network` (inputs, weights, z, a and the cost J).

    Raises :class:`~chainrule.errors.TooLarge` before building anything if the graph would
    have more than `max_graph` nodes and edges.

    Notes
    -----
    O(number of parameters) time and memory.
    """
    check_graph_size(network, max_graph)
    sizes, depth = network.sizes, network.depth
    graph = nx.DiGraph(network=network, cost=COST)
    for k in range(1, sizes[0] + 1):
        graph.add_node(
            names.x_name(k),
            kind=NodeKind.INPUT,
            layer=1,
            index=(k,),
            name=names.x_name(k),
            latex=names.x_latex(k),
        )
    for parameter in network.parameters():
        graph.add_node(
            parameter.name,
            kind=NodeKind.PARAM,
            layer=parameter.layer,
            index=(parameter.j, parameter.k),
            name=parameter.name,
            latex=parameter.latex,
        )
    for layer in range(2, depth + 1):
        for j in range(1, sizes[layer - 1] + 1):
            graph.add_node(
                names.z_name(layer, j),
                kind=NodeKind.PRE,
                layer=layer,
                index=(j,),
                name=names.z_name(layer, j),
                latex=names.z_latex(layer, j),
            )
        for j in range(1, sizes[layer - 1] + 1):
            graph.add_node(
                names.a_name(layer, j),
                kind=NodeKind.ACT,
                layer=layer,
                index=(j,),
                name=names.a_name(layer, j),
                latex=names.a_latex(layer, j),
            )
    graph.add_node(
        COST, kind=NodeKind.COST, layer=depth + 1, index=(), name=COST, latex=names.COST_LATEX
    )

    first_source = 0 if network.bias else 1
    for layer in range(1, depth):
        for j in range(1, sizes[layer] + 1):
            z = names.z_name(layer + 1, j)
            for k in range(first_source, sizes[layer - 1] + 1):
                graph.add_edge(names.theta_name(layer, j, k), z)
                if k:
                    graph.add_edge(_activation_node(network, layer, k), z)
    for layer in range(2, depth + 1):
        is_softmax = network.softmax_output and layer == depth
        for j in range(1, sizes[layer - 1] + 1):
            # A softmax couples the outputs: every a^(L)_i depends on every z^(L)_j.
            targets = range(1, sizes[layer - 1] + 1) if is_softmax else (j,)
            for i in targets:
                graph.add_edge(names.z_name(layer, j), names.a_name(layer, i))
    for i in range(1, sizes[-1] + 1):
        graph.add_edge(names.a_name(depth, i), COST)
    attach_factors(graph)
    return graph


def attach_factors(graph: nx.DiGraph) -> None:
    """Give every edge u -> v its factor dv/du (attribute ``factor``), built from node names."""
    for wrt, of, data in graph.edges(data=True):
        data["factor"] = edge_factor(graph, wrt, of)
