"""``count``: parameters, chains and terms of each architecture, and what the gradients cost.

Layer sizes are counted in closed form (exact integers, no graph); a graph file, ``rnn:`` or
``resnet:`` by the dynamic programme over its graph. With ``ops`` each row adds the operations
to get every gradient three ways (:func:`~chainrule.calculus.counting.operation_counts`).

Examples
--------
>>> record = compute(CountRequest.of(["2-2-2", "784-512-512-10"]))
>>> [(row.label, row.parameters, row.chains, row.terms) for row in record.rows]
[('2-2-2', 8, 12, 52), ('784-512-512-10', 668672, 2057835520, 14399585280)]
>>> record.as_dict()[0]["layers"][0]
{'layer': 1, 'parameters': 4, 'chains': 8, 'terms': 40, 'chain_length': 5}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chainrule import budget
from chainrule.calculus.counting import Count, OperationCounts, count, operation_counts
from chainrule.errors import SpecError
from chainrule.graph.kinds import NodeKind
from chainrule.graph.spec import Network
from chainrule.lazy import lazy
from chainrule.records import options as shared
from chainrule.records.options import Option, read_options
from chainrule.records.subject import SubjectRequest, names_a_graph, resolve

if TYPE_CHECKING:
    from chainrule.graph import paths as graph_paths
else:
    # Loaded on first use: these modules load SymPy or networkx as they are imported,
    # which the arithmetic on layer sizes never needs.
    graph_paths = lazy("chainrule.graph.paths")

BY_LAYER = Option("by_layer", "also give the counts of each weight layer", False, flag=True)
OPS = Option(
    "ops",
    "add the operations (multiplications + additions) to get every "
    "gradient: expanded path sum, reverse mode (delta), forward mode",
    False,
    flag=True,
)
OPTIONS = (*shared.NETWORK, BY_LAYER, OPS)


@dataclass(frozen=True)
class CountRequest:
    """The architectures to count (ARCH texts, Networks or graphs) and how."""

    subjects: tuple[SubjectRequest, ...]
    by_layer: bool = False
    ops: bool = False

    @classmethod
    def of(
        cls,
        architectures: Sequence[object] | object,
        graph_text: str | None = None,
        **given: object,
    ) -> CountRequest:
        """A request from architectures (or a graph file's text) and options by keyword, each
        checked."""
        if isinstance(architectures, str) or not isinstance(architectures, Sequence):
            architectures = [architectures]
        if graph_text is not None:
            architectures = [None]
        values = read_options(OPTIONS, given, "count")
        network = {name: values.pop(name) for name in ("bias", "activation", "cost", "max_graph")}
        return cls(
            tuple(
                SubjectRequest(architecture, graph_text=graph_text, **network)
                for architecture in architectures
            ),
            **values,
        )


@dataclass(frozen=True)
class CountRow:
    """One architecture's counts: `count` for layer sizes (with its per-layer rows), else the
    totals of a graph; `ops` when they were asked for."""

    label: str
    parameters: int
    chains: int
    terms: int
    count: Count | None = None
    ops: OperationCounts | None = None

    def as_dict(self) -> dict[str, Any]:
        document = (
            self.count.as_dict()
            if self.count is not None
            else {
                "architecture": self.label,
                "parameters": self.parameters,
                "chains": self.chains,
                "terms": self.terms,
            }
        )
        if self.ops is not None:
            document["ops"] = self.ops.as_dict()
        return document


@dataclass(frozen=True)
class CountRecord:
    """The counts of every architecture asked for, in order."""

    request: CountRequest
    rows: tuple[CountRow, ...]

    @property
    def layered(self) -> bool:
        return all(row.count is not None for row in self.rows)

    def as_dict(self) -> list[dict[str, Any]]:
        """The document of ``chainrule count --json``: one object per architecture."""
        return [row.as_dict() for row in self.rows]


def _graph_row(graph, ops: bool) -> CountRow:
    counts = graph_paths.path_counts(graph)
    parameters = [node for node, kind in graph.nodes(data="kind") if kind == NodeKind.PARAM]
    return CountRow(
        label=graph.graph["source"],
        parameters=len(parameters),
        chains=sum(counts[p][0] for p in parameters),
        terms=sum(counts[p][1] for p in parameters),
        ops=operation_counts(graph) if ops else None,
    )


def _names_a_graph(subject: SubjectRequest) -> bool:
    """Whether `subject` is a graph rather than layer sizes, before resolving it."""
    given = subject.architecture
    return (
        subject.graph_text is not None
        or names_a_graph(given)
        or not isinstance(given, (str, Network))
    )


def compute(request: CountRequest) -> CountRecord:
    """Count every architecture of `request`: closed forms for layer sizes, the dynamic
    programme for a graph. Graphs and layer sizes are not mixed in one table."""
    if request.by_layer and request.ops:
        raise SpecError(
            f"{budget.spelled('by_layer')} and {budget.spelled('ops')} are two tables; ask "
            "for one at a time"
        )
    graphs = [_names_a_graph(subject) for subject in request.subjects]
    if any(graphs):
        if not all(graphs):
            raise SpecError("count graph files and layer sizes in separate commands")
        if request.by_layer:
            raise SpecError(
                f"a graph file has no layers to count by: leave out {budget.spelled('by_layer')}"
            )
        rows = [_graph_row(resolve(subject).graph(), request.ops) for subject in request.subjects]
        return CountRecord(request, tuple(rows))
    rows = []
    for subject in request.subjects:
        counted = count(resolve(subject).layered_network())
        rows.append(
            CountRow(
                label=counted.network.architecture,
                parameters=counted.parameters,
                chains=counted.chains,
                terms=counted.terms,
                count=counted,
                ops=operation_counts(counted.network) if request.ops else None,
            )
        )
    return CountRecord(request, tuple(rows))


#: A request from an architecture and options by keyword (``CountRequest.of``).
request = CountRequest.of
