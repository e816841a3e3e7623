"""Chains: a path from a parameter to J written as the ordered product of its partials, cost first.

A :class:`Chain` is an immutable tuple of :class:`Factor` records in the order a person derives
them by hand (``dJ/da^(3)_1 * da^(3)_1/dz^(3)_1 * ... * dz^(2)_1/dtheta^(1)_11``). SymPy would
sort a product's factors, so the order lives here, in plain tuples.

Examples
--------
>>> from chainrule.graph.build import build_graph
>>> from chainrule.graph.spec import Network
>>> g = build_graph(Network([1, 1, 1]))
>>> chain, = iter_chains(g, "theta^(1)_11")
>>> print(chain)
dJ/da^(3)_1 * da^(3)_1/dz^(3)_1 * dz^(3)_1/da^(2)_1 * da^(2)_1/dz^(2)_1 * dz^(2)_1/dtheta^(1)_11
>>> chain[0].as_dict()
{'of': 'J', 'wrt': 'a^(3)_1', 'latex': '\\\\frac{\\\\partial J}{\\\\partial a_{1}^{(3)}}'}
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import NamedTuple

import networkx as nx

from chainrule.graph.paths import walk_edges


def _notation(format: str):
    """The graph-free notation of `format`: a factor carries the names it is written with.

    Imported when first used, as the notation sits downstream of the graph.
    """
    from chainrule.notation import notation_for

    return notation_for(format)


class Factor(NamedTuple):
    """One term: the partial derivative of node `of` with respect to node `wrt`."""

    of: str
    wrt: str
    of_latex: str
    wrt_latex: str

    @property
    def text(self) -> str:
        return _notation("text").partial(self)

    @property
    def latex(self) -> str:
        return _notation("latex").partial(self)

    def as_dict(self) -> dict:
        """The JSON form fixed in docs/conventions.md."""
        return {"of": self.of, "wrt": self.wrt, "latex": self.latex}

    def __str__(self) -> str:
        return self.text


class Chain(tuple):
    """One path from a parameter to J: the tuple of its factors, cost first.

    A chain is its product of terms, so it is a tuple of :class:`Factor`; ``len(chain)`` is its
    number of terms and its parameter is what the last factor differentiates by.
    """

    __slots__ = ()

    @property
    def factors(self) -> tuple[Factor, ...]:
        return tuple(self)

    @property
    def parameter(self) -> str:
        return self[-1].wrt

    @property
    def text(self) -> str:
        return _notation("text").chain(self)

    @property
    def latex(self) -> str:
        """The abstract view in LaTeX; a graph's ``notation_for("latex", graph)`` writes the
        local view too."""
        return _notation("latex").chain(self)

    def _repr_latex_(self) -> str:  # Jupyter shows a chain as its product of partials
        return f"$\\displaystyle {self.latex}$"

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Chain({self.text})"


def edge_factor(graph: nx.DiGraph, wrt: Hashable, of: Hashable) -> Factor:
    """The factor d(of)/d(wrt) of the edge wrt -> of, from its two nodes' names."""
    nodes = graph.nodes
    return Factor(
        of=nodes[of]["name"],
        wrt=nodes[wrt]["name"],
        of_latex=nodes[of]["latex"],
        wrt_latex=nodes[wrt]["latex"],
    )


def chain_from_path(graph: nx.DiGraph, path: tuple) -> Chain:
    """The chain of a path ``(parameter, ..., J)``: one factor per edge, read from J back."""
    edges = graph.edges
    return Chain(edges[wrt, of]["factor"] for wrt, of in zip(path[-2::-1], path[:0:-1]))


def iter_chains(graph: nx.DiGraph, source: Hashable) -> Iterator[Chain]:
    """Yield the chain of every path from `source` to the cost, in hand-derivation order.

    Notes
    -----
    Each edge carries its factor (``graph.edges[u, v]["factor"]``), one record shared by every
    chain through it: memory grows with the edges, never with the number of chains.
    """
    return map(Chain, walk_edges(graph, source, attribute="factor", cost_first=True))
