"""``report --case``: one case's worked example, as a published post tells it.

The record holds, in the order a post uses: the network and its numbers (every parameter,
input and target of the case), the forward pass (every computed node's value per example), the
error (each output's part of the cost, and the cost), the backward pass (every selected
parameter's chains, output layer first, each factor's value and each chain's product read from
the numbers of the case, :mod:`chainrule.records.numbers`), the update θ⁺ = θ − η ∂J/∂θ
(``lr``; ``freeze`` holds parameters) and the cost after it. Every number is computed once, by
``values`` (:mod:`chainrule.records.values`): the chains only read them.

The budget, before anything is computed: the chains written (``limit``, as a report counts
them), the graph built (``max_graph``) and the numbers written (``max_numbers``: the forward
pass, the chains' factors and products, the update).

Examples
--------
>>> from chainrule.records.subject import SubjectRequest
>>> record = compute(SubjectRequest("examples/graphs/mazur.json"), "examples/cases/mazur.json",
...                  lr=0.5, freeze=("b1,b2",))
>>> [source.name for source in record.chains.sources][:5]
['w5', 'w6', 'w7', 'w8', 'b2']
>>> round(record.values.cost, 9), round(record.values.cost_after, 9)
(0.298371109, 0.291027774)
>>> record.as_dict()["backward"][0]["gradient"] == record.values.as_dict()["gradients"]["w5"]
True
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from chainrule import budget
from chainrule.calculus.delta import heights
from chainrule.errors import TooLarge
from chainrule.numeric.case import Case
from chainrule.records import chains as chains_record
from chainrule.records import numbers as case_numbers
from chainrule.records import values as values_record
from chainrule.records.subject import Source, SubjectRequest, resolve

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np

    from chainrule.graph.spec import Network
    from chainrule.records.values import ValuesRecord


class Given(NamedTuple):
    """One number of the case as given: its `name`, its `latex` form, its `kind` (``param``,
    ``input`` or ``target``) and its value per example (a parameter's is the same in each)."""

    name: str
    latex: str
    kind: str
    values: np.ndarray


@dataclass(frozen=True, eq=False)
class WorkedRecord:
    """A worked example: the `given` numbers, the `values` record (forward pass, cost, δs,
    factors, gradients, the step), and `chains`, the selected parameters' chains with their
    numbers, output layer first. `computed` names the forward pass's computed nodes, in the
    order they are computed."""

    label: str
    graph: nx.DiGraph
    network: Network | None
    given: tuple[Given, ...]
    computed: tuple[str, ...]
    values: ValuesRecord
    chains: chains_record.ChainsRecord

    @property
    def examples(self) -> int:
        return self.values.examples

    @property
    def origin(self) -> str:
        return self.values.origin

    def as_dict(self) -> dict[str, Any]:
        """The worked example as one document: ``given`` (parameters, inputs, targets),
        ``forward`` (each computed node's value per example), ``cost`` and ``cost_parts``,
        ``backward`` (each selected parameter's numbered chains and gradient, output layer
        first), and ``step`` as ``values --json`` writes it."""
        values = self.values.as_dict()
        given: dict[str, dict[str, Any]] = {"parameters": {}, "inputs": {}, "targets": {}}
        for each in self.given:
            row = each.values.tolist()
            given[f"{each.kind}s" if each.kind != "param" else "parameters"][each.name] = (
                row[0] if each.kind == "param" else row
            )
        return {
            "architecture": self.label,
            "case": {"origin": self.origin, "examples": self.examples},
            "given": given,
            "forward": {name: values["forward"][name] for name in self.computed},
            "cost": values["cost"],
            "cost_parts": values["cost_parts"],
            "backward": self.chains.as_dict(),
            "step": values["step"],
        }


def output_first(graph: nx.DiGraph, sources: tuple[Source, ...]) -> tuple[Source, ...]:
    """`sources` ordered as a post derives them, nearest the cost first (by the longest path
    from each to the cost), in their own order within a layer."""
    height = heights(graph)
    return tuple(sorted(sources, key=lambda source: height[source.name]))


def _given(case: Any, values: ValuesRecord, graph: nx.DiGraph) -> tuple[Given, ...]:
    """The case's numbers as given: parameters, then inputs, then targets, by name."""
    import numpy as np

    rows = []
    for name, row in zip(values.forward.names, values.forward.values):
        kind = values.kind_of(name)
        if kind in ("param", "input"):
            rows.append(Given(name, graph.nodes[name]["latex"], kind, row))
    rows.sort(key=lambda each: each.kind != "param")  # stable: parameters first
    if isinstance(case, Case):
        for index in range(case.network.sizes[-1]):
            # a layered network's targets are no nodes: named y_i, as its cost is written
            name, latex = f"y_{index + 1}", f"y_{{{index + 1}}}"
            rows.append(Given(name, latex, "target", case.targets[:, index]))
    else:
        latex = graph.graph.get("target_latex", {})
        for name, row in case.targets.items():
            rows.append(
                Given(str(name), latex.get(str(name), str(name)), "target", np.asarray(row))
            )
    return tuple(rows)


def compute(
    subject: SubjectRequest,
    case: Any,
    *,
    param: tuple[str, ...] = (),
    limit: int = budget.DOCUMENT_CHAIN_LIMIT,
    lr: float | None = None,
    freeze: tuple[str, ...] = (),
    max_numbers: int = budget.NUMBERS_WRITTEN,
) -> WorkedRecord:
    """The worked example of `subject` on `case` (a case file's path or a case made by
    :func:`chainrule.api.case`; a layered case file sets the network): refused past its budget
    (see the module's) before any number is computed."""
    obtained = case_numbers.obtain(subject, case, max_numbers=max_numbers)
    about = resolve(obtained.about)
    chains, terms = about.totals("parameters", param)
    if chains > limit:
        hint = f" or select weights with {budget.spelled('param', 'l,j,k')}"
        raise TooLarge(
            f"the worked example would write {chains:,} chains, more than "
            f"{budget.spelled('limit', f'{limit:,}')}; {budget.limit_advice(chains, hint)}"
        )
    graph = about.graph()
    sources = output_first(graph, tuple(about.sources("parameters", param)))
    m, nodes = obtained.examples, graph.number_of_nodes()
    parameters = len(about.sources("parameters"))
    case_numbers.check_written(
        about.label,
        # the chains' factors, products and sums; every node's value; the update's three a
        # parameter
        case_numbers.written(m, terms, chains, chains + len(sources)) + m * nodes + 3 * parameters,
        m,
        max_numbers,
    )
    options: dict[str, Any] = {"freeze": freeze}
    if lr is not None:
        options["lr"] = lr
    computed_values = values_record.compute(
        values_record.ValuesRequest(
            obtained.about,
            case=obtained.case,
            max_numbers=max(max_numbers, budget.VALUES_MAX_NUMBERS),
            **options,
        )
    )
    computed_values = dataclasses.replace(computed_values, origin=obtained.origin)
    numbers = case_numbers.from_values(computed_values, obtained.about)
    request = chains_record.ChainsRequest(obtained.about, param=param, limit=limit, view="numbers")
    chains_of = chains_record.ChainsRecord(request, about.label, graph, sources, numbers)
    computed = tuple(
        name
        for name in computed_values.forward.names
        if computed_values.kind_of(name) not in ("param", "input")
    )
    return WorkedRecord(
        about.label,
        graph,
        about.network,
        _given(obtained.case, computed_values, graph),
        computed,
        computed_values,
        chains_of,
    )
