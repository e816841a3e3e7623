"""What each chain is worth: chain values ranked, and aggregates by length, layer and lag.

A chain's value, for one example, is the product of its edges' local derivatives at that
example's numbers; its value for a case is that product summed over the examples. A gradient
is the sum of its chains' values.

- :func:`rank_chains` streams every chain of one source once, keeping the top K by |value| in
  a heap: memory grows with K and the depth, never with the number of chains.
- :func:`node_tables` is a dynamic programme in reverse topological order that never enumerates
  a chain: for every node v and every key ℓ (a chain's length in terms, or its lag in time
  steps) it keeps the number of chains from v to J with that key, the sum of their values, the
  sum of their absolute values and the largest absolute value. Counts are exact Python
  integers, so graphs with more than 10^17 chains are counted exactly.

*Which absolute values.* The sum and the count are exact for any number of examples. The sum of
absolute values and the largest absolute value are taken over the per-example chain values
Π_edges(e), summed (largest taken) over the examples too: |Σ_e Π| is not Σ_e |Π|, and only the
per-example form factors through the graph. With one example (the default of ``chainrule
paths``) the two coincide, and all four are exact over the chain values themselves. Positive
and negative totals from the programme follow the same rule: (sum ± abs_sum) / 2.

Floating point: products of many small factors can underflow to 0 and of many large ones
overflow to infinity; the counts never do.

Examples
--------
>>> from chainrule.graph.architectures import resnet
>>> graph = resnet(1, 3).build()
>>> edges = {edge: np.array([0.5]) for edge in graph.edges}
>>> tables = node_tables(graph, edges, examples=1)
>>> [(row.key, row.count, row.sum) for row in tables.rows("x_1")]
[(6, 1, 0.015625), (8, 3, 0.01171875), (10, 3, 0.0029296875), (12, 1, 0.000244140625)]
>>> ranking = rank_chains(graph, "x_1", edges, top=2)
>>> ranking.count, [round(chain.value, 6) for chain in ranking.top]
(8, [0.015625, 0.003906])
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable
from itertools import pairwise
from typing import Any, NamedTuple

import networkx as nx
import numpy as np

from chainrule.graph.paths import iter_paths

KEYS = ("length", "lag")


class Row(NamedTuple):
    """The chains of one key (a length, a lag, a layer): how many, and what they are worth."""

    key: object
    count: int  # type: ignore[assignment]  # shadows tuple.count; renaming would break callers
    sum: float
    abs_sum: float
    max_abs: float

    @property
    def positive(self) -> float:
        return (self.sum + self.abs_sum) / 2

    @property
    def negative(self) -> float:
        return (self.sum - self.abs_sum) / 2

    def as_dict(self, key_name: str) -> dict:
        return {
            key_name: self.key,
            "count": self.count,
            "sum": self.sum,
            "abs_sum": self.abs_sum,
            "max_abs": self.max_abs,
        }


def edge_key(graph: nx.DiGraph, key: str):
    """How much one edge adds to a chain's key: 1 per term for ``length``; for ``lag``, the
    number of time steps the edge goes forward (1 on a recurrent edge h^(t-1) -> z^(t))."""
    if key == "length":
        return lambda u, v: 1
    if key == "lag":
        steps = graph.nodes

        def lag(u, v) -> int:
            before, after = steps[u].get("step"), steps[v].get("step")
            return after - before if before is not None and after is not None else 0

        return lag
    raise ValueError(f"unknown key {key!r}; choose from {', '.join(KEYS)}")


class Tables:
    """Per node, per key: chain counts (exact), and per-example sums, absolute sums and maxima."""

    def __init__(self, counts: dict, sums: dict, abs_sums: dict, max_abs: dict, key: str):
        self.counts, self.sums, self.abs_sums, self.max_abs, self.key = (
            counts,
            sums,
            abs_sums,
            max_abs,
            key,
        )

    def rows(self, sources: str | Iterable[Hashable]) -> list[Row]:
        """One row per key with at least one chain, over the chains of all `sources` together."""
        sources = [sources] if isinstance(sources, str) else list[Hashable](sources)
        counts = sum((self.counts[s] for s in sources), np.zeros_like(self.counts[sources[0]]))
        sums = sum(self.sums[s] for s in sources).sum(axis=1)
        abs_sums = sum(self.abs_sums[s] for s in sources).sum(axis=1)
        maxima = np.max([self.max_abs[s].max(axis=1) for s in sources], axis=0)
        return [
            Row(key, int(counts[key]), float(sums[key]), float(abs_sums[key]), float(maxima[key]))
            for key in range(len(counts))
            if counts[key]
        ]

    def total(self, sources: str | Iterable[Hashable], key=None) -> Row:
        """All the chains of `sources` in one row, labelled `key`: the rows of :meth:`rows`
        added up in the same order, without making a Row per key (a deep net has thousands of
        keys, and a selection thousands of sources)."""
        sources = [sources] if isinstance(sources, str) else list[Hashable](sources)
        counts = sum((self.counts[s] for s in sources), np.zeros_like(self.counts[sources[0]]))
        present = counts != 0
        sums = sum(self.sums[s] for s in sources).sum(axis=1)[present]
        abs_sums = sum(self.abs_sums[s] for s in sources).sum(axis=1)[present]
        maxima = np.max([self.max_abs[s].max(axis=1) for s in sources], axis=0)[present]
        return Row(
            key,
            sum(counts[present].tolist()),
            float(sum(sums.tolist())),
            float(sum(abs_sums.tolist())),
            max(maxima.tolist(), default=0.0),
        )


def longest_key(graph: nx.DiGraph, key: str = "length") -> int:
    """The largest key of any chain of the graph (its longest path, or its largest lag)."""
    weight, cost = edge_key(graph, key), graph.graph["cost"]
    longest: dict = {}
    for node in reversed(list(nx.topological_sort(graph))):
        longest[node] = (
            0
            if node == cost
            else max((weight(node, s) + longest[s] for s in graph._succ[node]), default=0)
        )
    return max(longest.values())


def node_tables(
    graph: nx.DiGraph,
    edge_values: dict,
    examples: int,
    key: str = "length",
    keep: Iterable[Hashable] | None = None,
) -> Tables:
    """The dynamic programme: for every node, its chains to J by key, without enumerating them.

    From J (one chain, of key 0, value 1), each node v sums over its successors s: the table of
    s shifted by the edge's key and scaled by its value, ∂s/∂v, per example. With `keep`, only
    those nodes' tables are kept: every other is dropped once its predecessors have read it.

    Notes
    -----
    O((nodes + edges) · K · examples) arithmetic, K the largest key plus one; counts are exact
    big integers. Memory O(nodes · K · examples), or, with `keep`, O((kept nodes + the widest
    cut of the graph) · K · examples): a deep narrow net needs little.
    """
    weight, cost = edge_key(graph, key), graph.graph["cost"]
    size = longest_key(graph, key) + 1
    counts: dict = {}
    sums: dict = {}
    abs_sums: dict = {}
    max_abs: dict = {}
    retained = None if keep is None else set(keep)
    unread = {node: len(graph._pred[node]) for node in graph} if retained is not None else {}
    for node in reversed(list(nx.topological_sort(graph))):
        count = np.zeros(size, dtype=object)
        count[:] = 0
        total, absolute, largest = (np.zeros((size, examples)) for _ in range(3))
        if node == cost:
            count[0], total[0], absolute[0], largest[0] = 1, 1.0, 1.0, 1.0
        for successor in graph._succ[node]:
            shift, value = weight(node, successor), edge_values[node, successor][None, :]
            kept = size - shift
            count[shift:] += counts[successor][:kept]
            total[shift:] += value * sums[successor][:kept]
            absolute[shift:] += np.abs(value) * abs_sums[successor][:kept]
            np.maximum(
                largest[shift:], np.abs(value) * max_abs[successor][:kept], out=largest[shift:]
            )
        counts[node], sums[node], abs_sums[node], max_abs[node] = count, total, absolute, largest
        if retained is not None:
            for successor in graph._succ[node]:
                unread[successor] -= 1
                if not unread[successor] and successor not in retained:
                    for table in (counts, sums, abs_sums, max_abs):
                        del table[successor]
    return Tables(counts, sums, abs_sums, max_abs, key)


class RankedChain(NamedTuple):
    """One chain: its value for the case (summed over examples) and its nodes, source to J."""

    value: float
    nodes: tuple


class Ranking(NamedTuple):
    """Every chain of one source, streamed once: the top ones, and how much cancels."""

    source: Hashable
    count: int  # type: ignore[assignment]  # shadows tuple.count; renaming would break callers
    top: list[RankedChain]  # by |value|, largest first; ties in enumeration order
    positive: float  # the sum of the positive chain values
    negative: float  # the sum of the negative chain values

    @property
    def total(self) -> float:
        return self.positive + self.negative


def rank_chains(graph: nx.DiGraph, source: Hashable, edge_values: dict, top: int = 10) -> Ranking:
    """Stream every chain of `source` to J and keep the `top` largest by |value| in a heap.

    The walk is depth first and keeps the running product of each prefix, so every edge of the
    path tree is multiplied once.

    Notes
    -----
    O(edges of the path tree · examples) time; memory O(top + depth), whatever the number of
    chains.
    """
    cost, adjacency = graph.graph["cost"], graph._succ
    one_example = all(np.shape(v) == (1,) for v in edge_values.values())
    values: dict[Any, Any]
    finish: Callable[[Any], float]
    if one_example:  # plain floats: several times faster than arrays of one element
        values = {edge: float(value[0]) for edge, value in edge_values.items()}
        start, finish = 1.0, float
    else:
        values = {edge: np.asarray(value, float) for edge, value in edge_values.items()}
        start, finish = 1.0, lambda product: float(np.sum(product))
    heap: list = []
    count, positive, negative = 0, 0.0, 0.0
    path, products, pending = [source], [start], [iter(adjacency[source])]
    while pending:
        for child in pending[-1]:
            product = products[-1] * values[path[-1], child]
            if child != cost:
                path.append(child)
                products.append(product)
                pending.append(iter(adjacency[child]))
                break
            value = finish(product)
            if value > 0:
                positive += value
            else:
                negative += value
            entry = (abs(value), -count, value)
            if len(heap) < top:
                heapq.heappush(heap, (*entry, (*path, child)))
            elif entry > heap[0][:3]:
                heapq.heapreplace(heap, (*entry, (*path, child)))
            count += 1
        else:
            pending.pop()
            path.pop()
            products.pop()
    ranked = [RankedChain(value, nodes) for _, _, value, nodes in sorted(heap, reverse=True)]
    return Ranking(source, count, ranked, positive, negative)


def enumerated_rows(
    graph: nx.DiGraph, sources: Iterable[Hashable], edge_values: dict, key: str = "length"
) -> list[Row]:
    """The aggregates by brute force: every chain enumerated (small graphs; tests compare)."""

    weight = edge_key(graph, key)
    by_key: dict[int, list] = {}
    for source in sources:
        for path in iter_paths(graph, source):
            edges = list(pairwise(path))
            product = np.prod([edge_values[edge] for edge in edges], axis=0)
            by_key.setdefault(sum(weight(*edge) for edge in edges), []).append(product)
    return [
        Row(k, len(ps), float(np.sum(ps)), float(np.sum(np.abs(ps))), float(np.max(np.abs(ps))))
        for k, ps in sorted(by_key.items())
    ]
