"""``paths``: which chains carry the gradient, on one numeric case.

For a case drawn as ``verify`` draws one (or read from a case file), every edge's local
derivative is evaluated at the case's numbers; a chain's value is the product over its edges,
summed over the examples. The record ranks each selected gradient's chains by |value` (streamed
through a heap), states how much cancels, checks that the chain values add up to numeric
backprop's gradient, and aggregates the chains by length, by layer and (an RNN's) by lag with
dynamic programmes that never enumerate them (see :mod:`chainrule.calculus.aggregates` for what
is exact with several examples).

The budget is checked before anything is evaluated: the edges evaluated one by one, the numbers
the tables of the dynamic programmes compute (nodes and edges × the longest chain × the figures
kept per entry, within ``max_numbers``), and the chains ranked one by one (past ``limit`` the
gradients are not ranked, and every figure comes from the tables).

Examples
--------
>>> record = compute(PathsRequest.of("1-1-1", param=["2,1,1"]))
>>> (gradient,) = record.gradients
>>> gradient.source, gradient.count, f"{gradient.gradient:+.6e}", record.ok
('theta^(2)_11', 1, '+4.690911e-02', True)
>>> [(row.key, row.count) for row in record.by_length.rows]
[(3, 1)]
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from chainrule import budget
from chainrule.calculus.aggregates import longest_key, node_tables, rank_chains
from chainrule.errors import SpecError, TooLarge
from chainrule.graph import names
from chainrule.graph.build import build_graph, graph_size
from chainrule.graph.spec import Network
from chainrule.numeric import backprop
from chainrule.records import options as shared
from chainrule.records.cases import case_for, obtain
from chainrule.records.options import Option, positive_int, read_options
from chainrule.records.subject import Subject, SubjectRequest, names_a_graph, resolve, subject_of
from chainrule.verification import verify

if TYPE_CHECKING:  # numpy and networkx load with the work, not with the request
    import networkx as nx

    from chainrule.calculus.aggregates import Ranking, Row

DEFAULT_TOP = 10
DEFAULT_LIMIT = 1_000_000
#: The progress callback: (what is being done, "edge" or "gradient"; how many done; of how many).
Progress = Callable[[str, int, int], None]

CASE = Option(
    "case",
    "read the case from a case file, as verify does (a graph's names its leaves)",
    default=None,
    metavar="FILE",
)
PARAM = shared.param(
    "the weight theta^(l)_jk (a name for rnn:, resnet: and graph files); repeatable; all by default"
)
WRT = shared.WRT
TOP = Option(
    "top",
    f"chains shown per gradient, largest |value| first (default {DEFAULT_TOP})",
    default=DEFAULT_TOP,
    parse=positive_int,
    metavar="K",
)
LIMIT = shared.LIMIT._replace(
    default=DEFAULT_LIMIT,
    help=f"rank chains one by one only up to N in all (default {DEFAULT_LIMIT:,}); the "
    "aggregates never need it",
)
BY = Option(
    "by",
    "aggregate the chains by length (terms), by layer of parameters, or by lag (time steps "
    "back, rnn: only)",
    default=None,
    choices=("length", "layer", "lag"),
)
EXAMPLES = shared.examples(
    1, "examples in the random case (default 1, where every aggregate is exact over chain values)"
)
MAX_NUMBERS = shared.MAX_NUMBERS._replace(
    help="refuse a case, or tables of chain values, of more than N numbers (default "
    f"{budget.DEFAULT_MAX_NUMBERS:,})"
)
RNN_COST = Option(
    "rnn_cost",
    "rnn: score the last step's output (default) or every step's",
    default=None,  # given or not: it is refused where it does not apply
    choices=("last", "sum"),
)
CASE_OPTIONS = (EXAMPLES, shared.SEED, shared.INIT_SCALE, MAX_NUMBERS)
OPTIONS = (*shared.NETWORK, CASE, PARAM, WRT, TOP, LIMIT, BY, *CASE_OPTIONS, RNN_COST)


@dataclass(frozen=True)
class PathsRequest:
    """Which gradients to take apart (the parameters or inputs selected), on which case, how
    many chains to show each, and how many to rank one by one at most."""

    subject: SubjectRequest
    case: str | None = None
    param: tuple[str, ...] = ()
    wrt: str = "parameters"
    top: int = DEFAULT_TOP
    limit: int = DEFAULT_LIMIT
    by: str | None = None
    examples: int = 1
    seed: int = 0
    init_scale: float = 1.0
    max_numbers: int = budget.DEFAULT_MAX_NUMBERS

    @classmethod
    def of(
        cls, architecture: object = None, graph_text: str | None = None, **given: object
    ) -> PathsRequest:
        """A request from an architecture (none with ``case``), or a graph file's text, and
        options by keyword, each checked."""
        values = read_options(OPTIONS, given, "paths")
        return cls(subject_of(architecture, graph_text, values), **values)


class Numbers(NamedTuple):
    """One case on a graph: every edge's value per example, and the reference gradients."""

    graph: nx.DiGraph
    sources: list[str]
    edge_values: dict
    examples: int
    reference: dict[str, float]  # ∂J/∂source summed over the examples, by the reference method
    reference_name: str
    title: str
    tolerance: tuple[float, float]  # (rtol, atol)
    origin: str = ""  # where the numbers come from: a seed and a scale, or a case file


# --- the record --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathGradient:
    """One selected source's gradient as the sum of its chain values: the sum, its positive
    and negative parts, the number of chains, and (when ranked) its largest chains."""

    source: str
    gradient: float
    positive: float
    negative: float
    count: int
    ranking: Ranking | None = None

    def share(self, value: float) -> float | None:
        """`value` as a fraction of the gradient (None for a zero gradient)."""
        return value / self.gradient if self.gradient else None

    @property
    def top_sum(self) -> float:
        """What the chains shown add up to."""
        return sum(chain.value for chain in self.ranking.top) if self.ranking else 0.0

    def as_dict(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "parameter": self.source,
            "gradient": self.gradient,
            "positive": self.positive,
            "negative": self.negative,
            "count": self.count,
        }
        if self.ranking is not None:
            entry["chains"] = [
                {"value": chain.value, "share": self.share(chain.value), "nodes": list(chain.nodes)}
                for chain in self.ranking.top
            ]
        return entry


@dataclass(frozen=True)
class Aggregate:
    """The chains of the selection grouped by a key (``length``, ``layer`` or ``lag``): one
    row per key; `branches_from` (a resnet's N + 3, for its inputs by length) gives the
    residual branches a chain of each length passes through, (length − N − 3) / 2."""

    key_name: str
    rows: tuple[Row, ...]
    branches_from: int | None = None

    @property
    def abs_total(self) -> float:
        return sum(row.abs_sum for row in self.rows)

    def share(self, row: Row) -> float | None:
        """The row's part of the absolute values of all the rows."""
        total = self.abs_total
        return row.abs_sum / total if total else None

    @staticmethod
    def mean(row: Row) -> float:
        """The mean |value| of the row's chains (a count past a float's range, 2^1024, is
        scaled down before the division and the quotient scaled back).

        Examples
        --------
        >>> from chainrule.calculus.aggregates import Row
        >>> Aggregate.mean(Row(5, 4, 0.0, 2.0, 1.0)), Aggregate.mean(Row(5, 2**2000, 0.0, 1.0, 1.0))
        (0.5, 0.0)
        >>> Aggregate.mean(Row(5, 2**1100, 0.0, 1e300, 1.0))
        7.362...e-32
        """
        shift = max(0, row.count.bit_length() - 1000)
        return math.ldexp(row.abs_sum / (row.count >> shift), -shift)

    def branches(self, row: Row) -> int | None:
        if self.branches_from is None:
            return None
        return (int(row.key) - self.branches_from) // 2  # type: ignore[call-overload]

    @property
    def most_chains(self) -> Row:
        return max(self.rows, key=lambda row: row.count)

    @property
    def heaviest(self) -> Row:
        """The row with the largest sum of absolute values."""
        return max(self.rows, key=lambda row: row.abs_sum)

    def as_dict(self) -> list[dict[str, Any]]:
        return [row.as_dict(self.key_name) for row in self.rows]


@dataclass(frozen=True, eq=False)
class PathsRecord:
    """The chains of every selected gradient on one case: their values ranked (when there are
    at most ``limit`` of them), their aggregates by length, layer and (an RNN's) lag, and the
    check of their sums against the reference gradients."""

    request: PathsRequest
    numbers: Numbers
    gradients: tuple[PathGradient, ...]
    chain_count: int
    by_length: Aggregate
    by_layer: Aggregate
    by_lag: Aggregate | None
    max_abs_error: float
    ok: bool

    @property
    def ranked(self) -> bool:
        """Whether the chains were ranked one by one (not past ``limit``)."""
        return all(gradient.ranking is not None for gradient in self.gradients)

    @property
    def architecture(self) -> str:
        graph = self.numbers.graph
        return graph.graph.get("source") or graph.graph["network"].architecture

    def aggregate(self, key_name: str) -> Aggregate | None:
        """The aggregate by `key_name` (``length``, ``layer`` or ``lag``)."""
        return {"length": self.by_length, "layer": self.by_layer, "lag": self.by_lag}[key_name]

    def as_dict(self) -> dict[str, Any]:
        """The document of ``chainrule paths --json``."""
        numbers, drawn = self.numbers, self.request.case is None
        document: dict[str, Any] = {
            "architecture": self.architecture,
            "wrt": self.request.wrt,
            "examples": numbers.examples,
            "case": self.request.case,
            "seed": self.request.seed if drawn else None,
            "init_scale": self.request.init_scale if drawn else None,
            "abs_basis": "chain" if numbers.examples == 1 else "example",
            "chains_enumerated": self.ranked,
            "gradients": [gradient.as_dict() for gradient in self.gradients],
            "by_length": self.by_length.as_dict(),
            "by_layer": self.by_layer.as_dict(),
            "check": {
                "reference": numbers.reference_name,
                "max_abs_error": self.max_abs_error,
                "ok": self.ok,
                "tolerance": {"rtol": numbers.tolerance[0], "atol": numbers.tolerance[1]},
            },
        }
        if self.by_lag is not None:
            document["by_lag"] = self.by_lag.as_dict()
        return document


# --- the one place that calls verification's helpers: rename them here ------------------------


def _verification():
    return verify


def _edge_limit() -> int:
    return _verification().MAX_EDGES_EVALUATED


def _check_edges(label: str, edges: int) -> None:
    if edges > _edge_limit():
        raise TooLarge(
            f"{label} has {edges:,} edges, more than the {_edge_limit():,} evaluated one by one"
        )


def _case_options(request: PathsRequest) -> argparse.Namespace:
    """The request as the parsed options that verify's case drawing reads."""
    subject = request.subject
    return argparse.Namespace(
        architecture=subject.architecture,
        case=request.case,
        bias=subject.bias,
        activation=subject.activation,
        cost=subject.cost,
        max_graph=subject.max_graph,
        rnn_cost=subject.rnn_cost,
        seed=request.seed,
        examples=request.examples,
        init_scale=request.init_scale,
        max_numbers=request.max_numbers,
    )


# --- the budget of the dynamic programmes ------------------------------------------------------


def table_numbers(elements: int, longest: int, examples: int) -> int:
    """Numbers the tables of one dynamic programme compute: for every node and edge, one entry
    per key up to the `longest` chain's, each a count and per example a sum, a sum of absolute
    values and a largest absolute value.

    Examples
    --------
    >>> table_numbers(41, 5, 1)  # 2-2-2: 19 nodes and 22 edges, chains of up to 5 terms
    984
    """
    return elements * (longest + 1) * (1 + 3 * examples)


def _check_tables(
    request: PathsRequest, label: str, elements: int, keys: dict[str, int], examples: int
) -> None:
    """Refuse tables (by length, and an RNN's by lag) past ``max_numbers``, before any edge is
    evaluated: they grow with the graph times the depth, and a deep narrow net has many
    layers. `keys` is the largest key of each table."""
    numbers = sum(table_numbers(elements, longest, examples) for longest in keys.values())
    described = " and ".join(
        f"{'chains up to ' if key == 'length' else 'lags up to '}{longest:,}"
        f"{' terms' if key == 'length' else ''}"
        for key, longest in keys.items()
    )
    budget.check(
        f"numbers in the tables of chain values of {label} ({elements:,} nodes and edges, "
        f"{described}, {examples:,} example{'' if examples == 1 else 's'})",
        numbers,
        request.max_numbers,
        "max_numbers",
    )


# --- working out the numbers -------------------------------------------------------------------


def _stage(progress: Progress | None, what: str) -> Callable[[int, int], None] | None:
    """`progress` told of one stage of the work (``edge``: evaluated; ``gradient``: ranked)."""
    if progress is None:
        return None
    return lambda done, total: progress(what, done, total)


def _layered_numbers(
    case, sources: list[str], wrt: str, origin: str, max_graph: int, progress: Progress | None
) -> Numbers:
    """A case of a layered net, its edges evaluated, and numpy backprop's gradients."""

    verify = _verification()
    network = case.network
    graph = build_graph(network, max_graph)
    edge_values = verify.evaluate_edges(
        graph, verify.case_leaf_values(case), case.examples, _stage(progress, "edge")
    )
    if wrt == "inputs":
        by_input = backprop.input_gradients(case).sum(axis=0)
        reference = {
            names.x_name(k): float(by_input[k - 1]) for k in range(1, network.sizes[0] + 1)
        }
    else:
        _, weights, biases = backprop.backprop(case)
        reference = {}
        for parameter in network.parameters():
            layer, j, k = parameter
            if k == 0:
                assert biases is not None  # a bias parameter exists only with biases
                reference[parameter.name] = float(biases[layer - 1][j - 1])
            else:
                reference[parameter.name] = float(weights[layer - 1][j - 1, k - 1])
    activation = (
        network.activation[0] if len(set(network.activation)) == 1 else ",".join(network.activation)
    )
    title = (
        f"{network.architecture} (activation {activation}, cost "
        f"{network.cost}{', with bias' if network.bias else ''})"
    )
    return Numbers(
        graph,
        sources,
        edge_values,
        case.examples,
        reference,
        "numeric backprop",
        title,
        tuple(verify.EXACT),
        origin,
    )


def _graph_case(graph, request: PathsRequest):
    """A graph's case, read from the request's case file or drawn as verify draws one, and
    where its numbers came from."""

    return obtain(
        SubjectRequest(graph, max_graph=request.subject.max_graph),
        request.case,
        request.examples,
        request.seed,
        request.init_scale,
        request.max_numbers,
        default_examples=1,
    )


def _graph_numbers(
    graph,
    sources: list[str],
    case,
    origin: str,
    request: PathsRequest,
    progress: Progress | None,
) -> Numbers:
    """A graph's case, its edges evaluated, and the δ sweep's gradients."""
    import numpy as np

    verify = _verification()
    examples = case.examples
    leaves = case.leaves()
    edge_values = verify.evaluate_edges(graph, leaves, examples, _stage(progress, "edge"))
    adjoint = verify.adjoints(graph, edge_values, examples)
    reference = {source: float(np.sum(adjoint[source])) for source in sources}
    subject, options = request.subject, ""
    if graph.graph.get("architecture") in ("rnn", "resnet"):
        rnn_cost = subject.rnn_cost
        options = (
            f" (activation {subject.activation}, cost {subject.cost}"
            + (
                f" on the {rnn_cost or 'last'} step{'s' if rnn_cost == 'sum' else ''}"
                if graph.graph["architecture"] == "rnn"
                else ""
            )
            + (", with bias" if subject.bias else "")
            + ")"
        )
    return Numbers(
        graph,
        sources,
        edge_values,
        examples,
        reference,
        "numeric backprop on the graph (the δ sweep)",
        graph.graph["source"] + options,
        tuple(verify.EXACT),
        origin,
    )


def _graph_of(request: PathsRequest):
    """The graph `request` names (a graph file, its text, ``rnn:``, ``resnet:`` or a built
    graph), built; None for layer sizes, whose case comes first."""
    architecture = request.subject.architecture
    if (
        request.subject.graph_text is not None
        or names_a_graph(architecture)
        or not (architecture is None or isinstance(architecture, (str, Network)))
    ):
        return resolve(request.subject).graph()
    # Layer sizes are resolved too, though their numbers come from the case: resolving is
    # where an option that does not apply to them (--rnn-cost) is refused.
    if architecture is not None:  # else a case file names the network
        resolve(request.subject)
    return None


def _numbers(request: PathsRequest, graph, progress: Progress | None = None) -> Numbers:
    """The case's numbers on the graph, after the budget: refused past the edges evaluated one
    by one and the numbers of the tables, before anything is evaluated."""

    if graph is not None:
        label = graph.graph.get("source", "the graph")
        case, origin = _graph_case(graph, request)
        _check_edges(label, graph.number_of_edges())
        keys = {"length": longest_key(graph)}
        if graph.graph.get("architecture") == "rnn":
            keys["lag"] = longest_key(graph, "lag")
        elements = graph.number_of_nodes() + graph.number_of_edges()
        _check_tables(request, label, elements, keys, case.examples)
        subject = Subject(label=label, _graph=graph)
        sources = [s.name for s in subject.sources(request.wrt, request.param)]
        return _graph_numbers(graph, sources, case, origin, request, progress)

    # from the case file, or drawn as verify draws
    case, origin = case_for(_case_options(request), default_examples=1)
    network = case.network
    nodes, edges = graph_size(network)
    _check_edges(network.architecture, edges)
    # The longest chain of a layered net, from θ^(1) or an input: 2L − 1 terms for L layers.
    _check_tables(
        request,
        network.architecture,
        nodes + edges,
        {"length": 2 * network.depth - 1},
        case.examples,
    )
    # Listing the selection counts each source's chains (a product over the layers): the
    # tables' budget, checked first, bounds that too.
    subject = Subject(label=network.architecture, network=network)
    sources = [s.name for s in subject.sources(request.wrt, request.param)]
    return _layered_numbers(case, sources, request.wrt, origin, request.subject.max_graph, progress)


# --- the aggregates and the ranking ------------------------------------------------------------


def _group(graph, source: str) -> str:
    """The layer a source belongs to: its declared group, θ^(l) in a layered net, else itself."""
    data = graph.nodes[source]
    if "group" in data:
        return data["group"]
    if "network" in graph.graph:
        return f"theta^({data['layer']})" if data["kind"] == "param" else "x"
    return source


def _resnet_offset(graph, wrt: str) -> int | None:
    """N + 3 for the inputs of resnet:WxN, whose chains through k branches have N + 2k + 3
    terms; None otherwise."""
    if graph.graph.get("architecture") != "resnet" or wrt != "inputs":
        return None
    return int(graph.graph["source"].split("x")[-1]) + 3


def tally(request: PathsRequest, numbers: Numbers, progress: Progress | None = None) -> PathsRecord:
    """Rank (within ``limit``), aggregate, total and check every selected source's chains;
    `progress("gradient", ranked, sources)` is told as the ranking goes."""
    import numpy as np

    graph, sources = numbers.graph, numbers.sources
    with np.errstate(all="ignore"):  # overflow shows as inf in the figures and fails the check
        tables = node_tables(graph, numbers.edge_values, numbers.examples, "length", keep=sources)
        totals = {source: tables.total(source, source) for source in sources}
        chain_count = sum(row.count for row in totals.values())
        rankings: dict[str, Ranking] | None = None
        if chain_count <= request.limit:
            rankings = {}
            for done, source in enumerate(sources, start=1):
                rankings[source] = rank_chains(graph, source, numbers.edge_values, request.top)
                if progress is not None:
                    progress("gradient", done, len(sources))
        groups: dict[str, list[str]] = {}
        for source in sources:
            groups.setdefault(_group(graph, source), []).append(source)
        by_layer = tuple(tables.total(members, group) for group, members in groups.items())
        by_lag = None
        if graph.graph.get("architecture") == "rnn":
            lags = node_tables(graph, numbers.edge_values, numbers.examples, "lag", keep=sources)
            by_lag = Aggregate("lag", tuple(lags.rows(sources)))
        by_length = Aggregate(
            "length", tuple(tables.rows(sources)), _resnet_offset(graph, request.wrt)
        )
    gradients = []
    for source in sources:
        row = totals[source]
        if rankings is not None:
            ranking = rankings[source]
            sums = (ranking.total, ranking.positive, ranking.negative)
        else:
            ranking, sums = None, (row.sum, row.positive, row.negative)
        gradients.append(PathGradient(source, *sums, row.count, ranking))
    worst, ok = _check(numbers, gradients)
    return PathsRecord(
        request,
        numbers,
        tuple(gradients),
        chain_count,
        by_length,
        Aggregate("layer", by_layer),
        by_lag,
        worst,
        ok,
    )


def _check(numbers: Numbers, gradients: list[PathGradient]) -> tuple[float, bool]:
    """The largest |chain sum − reference| and whether every gradient is within tolerance."""
    import numpy as np

    rtol, atol = numbers.tolerance
    worst, ok = 0.0, True
    for gradient in gradients:
        got, expected = gradient.gradient, numbers.reference[gradient.source]
        error = abs(got - expected)
        finite = np.isfinite(got) and np.isfinite(expected)
        worst = max(worst, error) if finite else float("inf")
        ok = ok and finite and error <= atol + rtol * abs(expected)
    return worst, bool(ok)


def compute(request: PathsRequest, progress: Progress | None = None) -> PathsRecord:
    """The paths record of `request`, refused past its budget before any edge is evaluated;
    `progress(stage, done, total)` is told as the edges are evaluated (``edge``) and the
    gradients ranked (``gradient``)."""
    graph = _graph_of(request)
    if request.by == "lag" and (graph is None or graph.graph.get("architecture") != "rnn"):
        raise SpecError(
            f"{budget.spelled('by', 'lag')} is for recurrent networks (rnn:I-H-O:T): only their "
            "chains reach back in time"
        )
    return tally(request, _numbers(request, graph, progress), progress)


#: A request from an architecture and options by keyword (``PathsRequest.of``).
request = PathsRequest.of
