"""What ARCH means, worked out once: layer sizes or a graph file, and the sources it offers.

Every command that takes ARCH resolves it here, so that each knows the same things the same
way: a label to name it by, the layered :class:`~chainrule.graph.spec.Network` when there is
one (its counts come in closed form, before anything is built), the computation graph (built on
demand, once), and the sources (parameters or inputs) that a selection picks, each with its
chain and term counts. Counting a selection never lists it, so a refusal is instant at any size.

Examples
--------
>>> import argparse
>>> options = argparse.Namespace(bias=False, activation="sigmoid", cost="mse")
>>> subject = resolve("2-2-2", options)
>>> subject.label, subject.totals("parameters", ["1,1,1", "2,1,1"])
('2-2-2', (3, 13))
>>> [tuple(source) for source in subject.sources("inputs")]
[('x_1', 4, 20), ('x_2', 4, 20)]
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from chainrule import budget
from chainrule.calculus.counting import count, count_input, count_parameter
from chainrule.cli.options import UsageError
from chainrule.graph import names
from chainrule.graph.spec import Network, parse_parameter


class Source(NamedTuple):
    """A node whose gradient is asked for, with its numbers of chains and terms."""

    name: str
    chains: int
    terms: int


#: ARCH spellings of architectures built as general graphs (graph/architectures.py).
GRAPH_SPELLINGS = ("rnn:", "resnet:")


def is_graph_file(architecture: str | None) -> bool:
    """Whether ARCH names a graph file. Decided by the suffix alone, so that layer sizes never
    import the graph-file parser (and SymPy with it): `chainrule count` must start fast."""
    return bool(architecture and architecture.lower().endswith(".json"))


def names_a_graph(architecture: str | None) -> bool:
    """Whether ARCH is built as a general graph: a graph file, ``rnn:I-H-O:T`` or
    ``resnet:WxN``; otherwise it is layer sizes."""
    return is_graph_file(architecture) or bool(
        architecture and architecture.startswith(GRAPH_SPELLINGS)
    )


def graph_sources(graph, wrt: str, texts: Sequence[str] = ()) -> list[Source]:
    """The sources of a built graph chosen by name (all of `wrt`'s kind by default)."""
    return Subject(label=graph.graph.get("source", "the graph"), _graph=graph).sources(wrt, texts)


@dataclass
class Subject:
    """A resolved ARCH: layer sizes (``network``) or a graph file (``graph`` given at once)."""

    label: str
    network: Network | None = None
    _graph: Any = field(default=None, repr=False)
    max_graph: int = budget.DEFAULT_MAX_GRAPH
    _path_counts: Any = field(default=None, repr=False)

    @property
    def layered(self) -> bool:
        return self.network is not None

    def layered_network(self) -> Network:
        """The network of a layered subject (callers have checked :attr:`layered`)."""
        assert self.network is not None
        return self.network

    def graph(self):
        """The computation graph, built on first use."""
        if self._graph is None:
            from chainrule.graph.build import build_graph

            self._graph = build_graph(self.layered_network(), self.max_graph)
        return self._graph

    # -- selections -------------------------------------------------------------------------

    def _graph_kind(self, wrt: str) -> tuple[str, str]:
        return ("param", "parameter") if wrt == "parameters" else ("input", "input")

    def _graph_sources(self, wrt: str, texts: Sequence[str]) -> list[Source]:
        from chainrule.graph.paths import path_counts

        graph = self._graph
        kind, noun = self._graph_kind(wrt)
        available = [n for n, k in graph.nodes(data="kind") if k == kind]
        if not available:
            raise UsageError(f"{self.label} has no {noun}s")
        for text in texts:
            if text not in available:
                raise UsageError(
                    f"no {noun} {text!r} in {self.label}; it has {', '.join(available) or 'none'}"
                )
        if self._path_counts is None:  # one DP per subject, however often it is asked
            self._path_counts = path_counts(graph)
        counts = self._path_counts
        chosen = list(dict.fromkeys(texts)) if texts else available
        return [Source(name, *counts[name]) for name in chosen]

    def _layered_inputs(self, texts: Sequence[str]) -> Iterator[Source]:
        if texts:
            raise UsageError("--param selects weights; with --wrt inputs every input is written")
        network = self.layered_network()
        chains, terms = count_input(network)
        return (Source(names.x_name(k), chains, terms) for k in range(1, network.sizes[0] + 1))

    def _layered_parameters(self, texts: Sequence[str]) -> Iterator[Source]:
        network = self.layered_network()
        chosen = (
            list(dict.fromkeys(parse_parameter(text, network) for text in texts))
            if texts
            else network.parameters()
        )
        return (Source(p.name, *count_parameter(network, p)) for p in chosen)

    def sources(self, wrt: str, texts: Sequence[str] = ()) -> list[Source]:
        """The selected sources (every parameter or input when `texts` is empty), in order.

        This lists them: check :meth:`totals` against a budget first.
        """
        if not self.layered:
            return self._graph_sources(wrt, texts)
        if wrt == "inputs":
            return list(self._layered_inputs(texts))
        return list(self._layered_parameters(texts))

    def totals(self, wrt: str, texts: Sequence[str] = ()) -> tuple[int, int]:
        """Chains and terms of the selection, without listing it when it is everything."""
        if self.layered and not texts:
            network = self.layered_network()
            if wrt == "inputs":
                chains, terms = count_input(network)
                return chains * network.sizes[0], terms * network.sizes[0]
            whole = count(network)
            return whole.chains, whole.terms
        selected = self.sources(wrt, texts)
        return sum(s.chains for s in selected), sum(s.terms for s in selected)


def resolve(
    architecture: str,
    options: argparse.Namespace,
    command: str | None = None,
    layers_only: bool = False,
) -> Subject:
    """Work out what ARCH means: a graph file (``*.json``), an ``rnn:``/``resnet:`` spelling
    (built with the options) or layer sizes with the options."""
    if architecture and architecture.startswith(GRAPH_SPELLINGS):
        if layers_only:
            raise UsageError(
                f"{command} takes layer sizes such as 2-2-2; rnn: and resnet: work "
                "with count, chains, delta, verify, draw, paths and explore"
            )
        from chainrule.graph.architectures import parse_architecture_graph

        graph = parse_architecture_graph(
            architecture,
            bias=options.bias,
            activation=options.activation,
            cost=options.cost,
            cost_on=getattr(options, "rnn_cost", "last"),
        )
        return Subject(label=architecture, _graph=graph)
    if is_graph_file(architecture):
        if layers_only:
            raise UsageError(
                f"{command} takes layer sizes such as 2-2-2; graph files work with "
                "count, chains, delta, verify and draw"
            )
        ignored = [
            option
            for option, given in (
                ("--bias", options.bias),
                ("--activation", options.activation != "sigmoid"),
                ("--cost", options.cost != "mse"),
            )
            if given
        ]
        if ignored:
            raise UsageError(
                f"a graph file's formulas set its activations and cost; drop {', '.join(ignored)}"
            )
        from chainrule.graph.graphfile import load_graph_file

        graph = load_graph_file(architecture)
        return Subject(label=graph.graph.get("source", architecture), _graph=graph)
    network = Network.parse(
        architecture, bias=options.bias, activation=options.activation, cost=options.cost
    )
    max_graph = getattr(options, "max_graph", budget.DEFAULT_MAX_GRAPH)
    return Subject(label=network.architecture, network=network, max_graph=max_graph)
