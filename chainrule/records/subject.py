"""What a request is about, worked out once: layer sizes, ``rnn:``/``resnet:``, or any graph.

Every command resolves its subject here, so that each knows the same things the same way: a
label to name it by, the layered :class:`~chainrule.graph.spec.Network` when there is one (its
counts come in closed form, before anything is built), the computation graph (built on demand,
once, within ``max_graph``), and the sources (parameters or inputs) that a selection picks, each
with its chain and term counts. Counting a selection never lists it, so a refusal is instant at
any size.

A subject is named by a :class:`SubjectRequest`: ARCH text (``2-2-2``, ``rnn:1-2-1:3``,
``resnet:2x4`` or a graph file's path), a graph file's JSON text (what the explorer is sent),
or, from Python, a :class:`~chainrule.graph.spec.Network` or a built graph.

Examples
--------
>>> subject = resolve(SubjectRequest("2-2-2"))
>>> subject.label, subject.totals("parameters", ["1,1,1", "2,1,1"])
('2-2-2', (3, 13))
>>> [tuple(source) for source in subject.sources("inputs")]
[('x_1', 4, 20), ('x_2', 4, 20)]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from chainrule import budget, rules
from chainrule.calculus.counting import count, count_input, count_parameter, local_derivative_work
from chainrule.errors import SpecError, TooLarge
from chainrule.graph import names
from chainrule.graph.spec import Network, parse_parameter
from chainrule.lazy import lazy

if TYPE_CHECKING:
    import networkx as nx

    from chainrule.calculus import layers as calculus_layers
    from chainrule.graph import architectures, graphfile, layers
    from chainrule.graph import build as graph_build
    from chainrule.graph import paths as graph_paths
    from chainrule.graph.layers import LayerGraph
    from chainrule.graph.layers import Tensor as LayerTensor
else:
    # Loaded on first use. All but graph.layers load SymPy or networkx as they are imported,
    # which the arithmetic on layer sizes never needs; graph.layers (the matrix view) costs
    # every other command a tenth of its start-up.
    calculus_layers = lazy("chainrule.calculus.layers")
    architectures = lazy("chainrule.graph.architectures")
    graph_build = lazy("chainrule.graph.build")
    graphfile = lazy("chainrule.graph.graphfile")
    layers = lazy("chainrule.graph.layers")
    graph_paths = lazy("chainrule.graph.paths")


class Source(NamedTuple):
    """A node whose gradient is asked for, with its numbers of chains and terms."""

    name: str
    chains: int
    terms: int


#: ARCH spellings of architectures built as general graphs (graph/architectures.py).
GRAPH_SPELLINGS = ("rnn:", "resnet:")
#: What a graph file sent as text (by the explorer) is called in messages.
SENT_GRAPH_NAME = "graph.json"


def is_graph_file(architecture: object) -> bool:
    """Whether ARCH names a graph file. Decided by the suffix alone, so that layer sizes never
    import the graph-file parser (and SymPy with it): `chainrule count` must start fast."""
    return isinstance(architecture, str) and architecture.lower().endswith(".json")


def names_a_graph(architecture: object) -> bool:
    """Whether ARCH is built as a general graph: a graph file, ``rnn:I-H-O:T`` or
    ``resnet:WxN``; otherwise it is layer sizes."""
    return is_graph_file(architecture) or (
        isinstance(architecture, str) and architecture.startswith(GRAPH_SPELLINGS)
    )


@dataclass(frozen=True)
class SubjectRequest:
    """What a request is about, and the options that shape a network built from layer sizes.

    `architecture` is ARCH text, a :class:`Network` or a built graph (from Python);
    `graph_text` a graph file's JSON text (the explorer's); one of the two is given.
    """

    architecture: Any = None
    graph_text: str | None = None
    bias: bool = False
    activation: str = rules.DEFAULT_ACTIVATION
    cost: str = rules.DEFAULT_COST
    max_graph: int = budget.DEFAULT_MAX_GRAPH
    #: rnn: only: which time steps the cost reads (``paths --rnn-cost``).
    rnn_cost: str | None = None

    @property
    def shaped(self) -> list[str]:
        """The network options given other than their defaults, by keyword."""
        return [
            option
            for option, given in (
                ("bias", self.bias),
                ("activation", self.activation != rules.DEFAULT_ACTIVATION),
                ("cost", self.cost != rules.DEFAULT_COST),
            )
            if given
        ]


def subject_of(
    architecture: object, graph_text: str | None, values: dict[str, Any]
) -> SubjectRequest:
    """The subject of a request, taking the network options out of its option `values`
    (keyword -> value, as :func:`~chainrule.records.options.read_options` gives them)."""
    shaping = {
        name: values.pop(name)
        for name in ("bias", "activation", "cost", "max_graph", "rnn_cost")
        if name in values
    }
    return SubjectRequest(architecture, graph_text=graph_text, **shaping)


@dataclass
class Subject:
    """A resolved subject: layer sizes (``network``) or a general graph (``graph`` at once)."""

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

    def graph(self) -> nx.DiGraph:
        """The computation graph, built on first use."""
        if self._graph is None:
            self._graph = graph_build.build_graph(self.layered_network(), self.max_graph)
        return self._graph

    # -- selections -------------------------------------------------------------------------

    def _graph_sources(self, wrt: str, texts: Sequence[str]) -> list[Source]:
        graph = self._graph
        kind, noun = ("param", "parameter") if wrt == "parameters" else ("input", "input")
        available = [n for n, k in graph.nodes(data="kind") if k == kind]
        if not available:
            raise SpecError(f"{self.label} has no {noun}s")
        for text in texts:
            if text not in available:
                raise SpecError(
                    f"no {noun} {text!r} in {self.label}; it has {', '.join(available) or 'none'}"
                )
        if self._path_counts is None:  # one DP per subject, however often it is asked
            self._path_counts = graph_paths.path_counts(graph)
        counts = self._path_counts
        chosen = list(dict.fromkeys(texts)) if texts else available
        return [Source(name, *counts[name]) for name in chosen]

    def _layered_inputs(self, texts: Sequence[str]) -> Iterator[Source]:
        if texts:
            raise SpecError(
                f"{budget.spelled('param')} selects weights; with "
                f"{budget.spelled('wrt', 'inputs')} every input is written"
            )
        network = self.layered_network()
        chains, terms = count_input(network)
        return (Source(names.x_name(k), chains, terms) for k in range(1, network.sizes[0] + 1))

    def _layered_parameters(self, texts: Sequence[str]) -> Iterator[Source]:
        network = self.layered_network()
        if texts:
            chosen = list(dict.fromkeys(parse_parameter(text, network) for text in texts))
            return (Source(p.name, *count_parameter(network, p)) for p in chosen)
        # Every weight of a layer has the same counts: one sweep over the layers, not one per
        # weight (count_parameter walks every layer above, so 20,000 weights of a net 5,000
        # layers deep took 40 s).
        by_layer = {row.layer: row for row in count(network).layers}
        return (
            Source(
                p.name,
                by_layer[p.layer].chains_per_parameter,
                by_layer[p.layer].terms // by_layer[p.layer].parameters,
            )
            for p in network.parameters()
        )

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


def resolve(request: SubjectRequest, command: str | None = None, layers_only: bool = False):
    """Work out what `request` names: a graph (a graph file, its text, an ``rnn:``/``resnet:``
    spelling built with the options, or a built graph) or layer sizes with the options.

    A command that takes layer sizes only (`layers_only`) refuses a graph, naming `command`.
    """
    architecture = request.architecture
    if architecture is None and request.graph_text is None:
        raise SpecError(
            f"give an architecture ({budget.spelled('arch')}) or a graph file "
            f"({budget.spelled('graph')})"
            if budget.current_front_end().kind == "http"
            else "give an architecture such as 2-2-2"
        )
    _check_rnn_cost(request)
    if isinstance(architecture, Network):
        return _layered(architecture, request)
    if request.graph_text is not None or names_a_graph(architecture) or _is_graph(architecture):
        if (
            layers_only
            and isinstance(architecture, str)
            and architecture.startswith(GRAPH_SPELLINGS)
        ):
            raise SpecError(
                f"{command} takes layer sizes such as 2-2-2; rnn: and resnet: work "
                "with count, chains, delta, verify, draw, paths and explore"
            )
        if layers_only:
            raise SpecError(
                f"{command} takes layer sizes such as 2-2-2; graph files work with "
                "count, chains, delta, verify and draw"
            )
        return _general(request)
    if not isinstance(architecture, str):
        raise SpecError(
            f"cannot work on {architecture!r}: give layer sizes such as '2-2-2', a Network, "
            "a graph file's path or a computation graph"
        )
    network = Network.parse(
        architecture, bias=request.bias, activation=request.activation, cost=request.cost
    )
    return _layered(network, request)


def _check_rnn_cost(request: SubjectRequest) -> None:
    architecture = request.architecture
    if request.rnn_cost is not None and not (
        isinstance(architecture, str) and architecture.startswith("rnn:")
    ):
        raise SpecError(
            f"{budget.spelled('rnn_cost')} says which time steps an rnn: network's cost reads; "
            f"{_label_of(request)} has no time steps: drop it"
        )


def _is_graph(value: object) -> bool:
    return hasattr(value, "graph") and hasattr(value, "nodes") and hasattr(value, "edges")


def _label_of(request: SubjectRequest) -> str:
    if request.graph_text is not None:
        return SENT_GRAPH_NAME
    if isinstance(request.architecture, Network):
        return request.architecture.architecture
    return str(request.architecture)


def _layered(network: Network, request: SubjectRequest) -> Subject:
    return Subject(label=network.architecture, network=network, max_graph=request.max_graph)


def _general(request: SubjectRequest) -> Subject:
    architecture = request.architecture
    if isinstance(architecture, str) and architecture.startswith(GRAPH_SPELLINGS):
        graph = architectures.parse_architecture_graph(
            architecture,
            bias=request.bias,
            activation=request.activation,
            cost=request.cost,
            cost_on=request.rnn_cost or "last",
        )
        return Subject(label=architecture, _graph=graph, max_graph=request.max_graph)
    if request.shaped:
        raise SpecError(
            "a graph file's formulas set its activations and cost; drop "
            + ", ".join(budget.spelled(option) for option in request.shaped)
        )
    if request.graph_text is not None:
        graph = graphfile.graph_from_text(request.graph_text, SENT_GRAPH_NAME)
    elif isinstance(architecture, str):
        graph = graphfile.load_graph_file(architecture)
    else:
        graph = architecture
    return Subject(
        label=graph.graph.get("source", "the graph"), _graph=graph, max_graph=request.max_graph
    )


# -- the layer-level view -----------------------------------------------------------------------


class MatrixSource(NamedTuple):
    """A tensor whose gradient is asked for, with its layer-level chains and their factors,
    and the scalar chains they stand for."""

    tensor: LayerTensor
    chains: int
    factors: int
    scalar_chains: int

    @property
    def name(self) -> str:
        return self.tensor.name


@dataclass
class LayerSubject:
    """A subject seen a layer at a time: its label, its layer-level graph, and the layered
    :class:`Network` when there is one (its ``--param l,j,k`` selects a weight matrix)."""

    label: str
    view: LayerGraph
    network: Network | None = None
    _counts: Any = field(default=None, repr=False)

    def _source(self, tensor: LayerTensor) -> MatrixSource:
        if self._counts is None:
            self._counts = self.view.path_counts()
        chains, factors = self._counts[tensor.name]
        return MatrixSource(tensor, chains, factors, self.view.scalar_chains_of(tensor.name))

    def sources(self, wrt: str, texts: Sequence[str] = ()) -> list[MatrixSource]:
        """The selected tensors (every parameter or input tensor when `texts` is empty): a
        tensor by its name (``Theta^(1)``, ``W``) or by any of its entries (``1,2,1`` for
        θ^(1)_21 of layer sizes, ``W_12``), each tensor once, in order."""
        kind, noun = ("param", "parameter") if wrt == "parameters" else ("input", "input")
        if texts and self.network is not None and wrt == "inputs":
            raise SpecError(
                f"{budget.spelled('param')} selects weights; with "
                f"{budget.spelled('wrt', 'inputs')} every input is written"
            )
        if not texts:
            return [self._source(tensor) for tensor in self.view.of_kind(kind)]
        chosen: dict[str, LayerTensor] = {}
        for text in texts:
            tensor = self._tensor_of(text, kind, noun)
            chosen.setdefault(tensor.name, tensor)
        return [self._source(tensor) for tensor in chosen.values()]

    def _tensor_of(self, text: str, kind: str, noun: str) -> LayerTensor:
        available = ", ".join(t.name for t in self.view.of_kind(kind)) or "none"
        if text in self.view:
            tensor = self.view.tensor(text)
        elif self.network is not None and "," in text:  # l,j,k: its own messages say what
            index = parse_parameter(text, self.network)
            tensor = self.view.entry(index.name)[0]
        else:
            try:
                tensor = self.view.entry(text)[0]
            except SpecError:
                tensor = None
        if tensor is None or tensor.kind != kind:
            entries = "l,j,k for theta^(l)_jk or " if self.network is not None else ""
            shown = repr(text) if len(text) <= 40 else repr(text[:40]) + "..."
            raise SpecError(
                f"no {noun} {shown} in {self.label}; give {entries}one of its {noun} "
                f"matrices, {available}"
            )
        return tensor


def resolve_layers(request: SubjectRequest) -> LayerSubject:
    """The layer-level view of what `request` names, without building a scalar graph where the
    view has a closed form: layer sizes (or a :class:`Network`) and ``rnn:``/``resnet:`` at any
    size, within ``max_graph`` tensors and edges; a graph file (or a built graph) is built and
    grouped (:func:`~chainrule.calculus.layers.derive_layer_graph`), within the budget of its
    local derivatives."""

    architecture = request.architecture
    if (
        request.graph_text is None
        and isinstance(architecture, str)
        and architecture.startswith(GRAPH_SPELLINGS)
    ):
        _check_rnn_cost(request)
        view = layers.spelled_layers(
            architecture,
            bias=request.bias,
            activation=request.activation,
            cost=request.cost,
            cost_on=request.rnn_cost or "last",
            max_graph=request.max_graph,
        )
        assert view is not None  # a spelling of GRAPH_SPELLINGS
        return LayerSubject(view.label, view)
    subject = resolve(request)
    if subject.layered:
        network = subject.layered_network()
        budget.check(
            f"tensors and edges in the layer-level graph of {network.architecture}",
            layers.network_layer_size(network),
            request.max_graph,
            "max_graph",
        )
        return LayerSubject(subject.label, layers.network_layers(network), network)

    graph = subject.graph()
    work = local_derivative_work(graph)
    if work > budget.MAX_DERIVATIVE_WORK:
        raise TooLarge(
            f"the matrix view of {subject.label} reads its local derivatives, about {work:,} "
            f"symbols of SymPy, more than the {budget.MAX_DERIVATIVE_WORK:,} of a few seconds; "
            f"use {budget.spelled('view', 'abstract')}"
        )
    return LayerSubject(subject.label, calculus_layers.derive_layer_graph(graph, subject.label))
