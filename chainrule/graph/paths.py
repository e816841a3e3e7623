"""Every path from a node to the cost, streamed, and path counts by dynamic programming.

These work on any directed acyclic graph, not only layered networks. A DAG needs no visited set,
so the walk is a plain depth-first search over successor lists: nothing holds more than the
current path.

Examples
--------
>>> from chainrule.graph.build import build_graph
>>> from chainrule.graph.spec import Network
>>> g = build_graph(Network([2, 2, 2]))
>>> for path in iter_paths(g, "theta^(1)_11"):
...     print(" -> ".join(path))
theta^(1)_11 -> z^(2)_1 -> a^(2)_1 -> z^(3)_1 -> a^(3)_1 -> J
theta^(1)_11 -> z^(2)_1 -> a^(2)_1 -> z^(3)_2 -> a^(3)_2 -> J
>>> path_counts(g)["theta^(1)_11"]
(2, 10)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Any

import networkx as nx

from chainrule.errors import SpecError


def _cost_node(graph: nx.DiGraph, target: Hashable | None) -> Hashable:
    return graph.graph["cost"] if target is None else target


def walk_edges(
    graph: nx.DiGraph,
    source: Hashable,
    target: Hashable | None = None,
    attribute: str | None = None,
    cost_first: bool = False,
) -> Iterator[tuple]:
    """Yield, for every path from `source` to `target`, a tuple with one label per edge.

    An edge's label is its data under `attribute`, or its head node when `attribute` is None.
    Labels come in path order, or from the target back with `cost_first` (the order of a
    chain). Paths come in the order of the successor lists, depth first: for a layered network,
    the order a hand derivation writes them.

    Notes
    -----
    O(total length of the paths) time; memory proportional to the longest path. A DAG needs no
    visited set, and a node with one successor is stepped over without a stack frame of its own,
    which is why this is many times faster than ``networkx.all_simple_paths``.
    """
    target = _cost_node(graph, target)
    if source not in graph:
        raise KeyError(f"no node {source!r} in the graph")
    adjacency = graph._succ  # the dict of dicts behind graph.succ, without the view's wrapper
    # A path of a DAG visits each node at most once; a longer one has gone round a cycle, which
    # would otherwise make the walk go on for ever. Checked as the walk goes: no O(graph) test
    # before each of many sources.
    longest = graph.number_of_nodes()

    start: tuple[Any, ...] = ()
    pending = [(iter(adjacency[source].items()), start)]
    while pending:
        edges, so_far = pending[-1]
        for child, data in edges:
            # Inlined rather than a helper: this line runs once per edge of every path.
            label = child if attribute is None else data[attribute]
            labels: tuple[Any, ...] = (label,) + so_far if cost_first else so_far + (label,)
            successors = adjacency[child]
            while len(successors) == 1 and child != target:  # a forced step: no branch to stack
                ((child, data),) = successors.items()
                label = child if attribute is None else data[attribute]
                labels = (label,) + labels if cost_first else labels + (label,)
                successors = adjacency[child]
                if len(labels) >= longest:
                    _refuse_cycle(graph)
            if child == target:
                yield labels
            elif len(labels) >= longest:
                _refuse_cycle(graph)
            else:
                pending.append((iter(successors.items()), labels))
                break
        else:
            pending.pop()


def _refuse_cycle(graph: nx.DiGraph):
    cycle = nx.find_cycle(graph)
    raise SpecError(
        f"the graph has a cycle ({' -> '.join(str(u) for u, _ in cycle)} -> "
        f"{cycle[0][0]}): a computation graph must be acyclic"
    )


def iter_paths(
    graph: nx.DiGraph, source: Hashable, target: Hashable | None = None
) -> Iterator[tuple]:
    """Yield every path from `source` to `target` (the cost node by default) as a tuple of nodes.

    Notes
    -----
    See :func:`walk_edges`, which this wraps.
    """
    if source == _cost_node(graph, target):
        yield (source,)
        return
    for heads in walk_edges(graph, source, target):
        yield (source, *heads)


def path_counts(
    graph: nx.DiGraph, target: Hashable | None = None
) -> dict[Hashable, tuple[int, int]]:
    """For every node, the number of paths to `target` and the terms (edges) on them all.

    Dynamic programming in reverse topological order: paths(v) = Σ paths(s) and
    terms(v) = Σ (terms(s) + paths(s)) over the successors s of v, from paths(target) = 1 and
    terms(target) = 0.

    Notes
    -----
    O(nodes + edges) big-integer additions; no path is enumerated.
    """
    target = _cost_node(graph, target)
    counts: dict[Hashable, tuple[int, int]] = {}
    try:
        order = list(nx.topological_sort(graph))
    except nx.NetworkXUnfeasible:
        _refuse_cycle(graph)
    for node in reversed(order):
        if node == target:
            counts[node] = (1, 0)
            continue
        paths = terms = 0
        for successor in graph._succ[node]:
            successor_paths, successor_terms = counts[successor]
            paths += successor_paths
            terms += successor_terms + successor_paths
        counts[node] = (paths, terms)
    return counts
