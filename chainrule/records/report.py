"""``report``: the whole derivation of one network, as the records of the commands it tells.

A report is a composition: the counts and operation counts (:mod:`~chainrule.records.count`),
every chain of the selected weights (:mod:`~chainrule.records.chains`), every δ and every
gradient through them and the factoring of the first selected weight
(:mod:`~chainrule.records.delta`), the check against numbers (:mod:`~chainrule.records.verify`)
and the picture of the first weight's chains (:mod:`~chainrule.records.draw`). This module
computes nothing itself: it prices the whole before anything is built, then asks each command
for its record. :mod:`chainrule.present.report` writes them as one document (LaTeX, Markdown or
HTML).

The budget, before anything is built: the chains written (``limit``, 2,000 by default: a
document typesets every chain twice, abstract and local), the graph built (``max_graph``), the
terms of every δ definition and gradient (one per edge of the graph, within ``limit`` as
``delta`` counts them), and the terms the factoring writes over its steps (within ``limit``
times :data:`~chainrule.budget.TERMS_PER_CHAIN`, as ``delta`` counts them). The verification
keeps to its own budget. A picture past the drawing's budget is left out, and the document
says why: the derivation is whole without it.

With a case (``case``: a case file's path, or what :func:`chainrule.api.case` makes) the report
is the worked example of that case instead, as a published post tells it
(:mod:`chainrule.records.worked`): the network and its numbers, the forward pass, the error,
the backward pass output layer first (each gradient's chains in symbols, then in numbers, then
its value), the update (``lr``, ``freeze``) and the cost after it. It takes layer sizes (a
layered case file sets them), graph files, ``rnn:`` and ``resnet:``.

Examples
--------
>>> record = compute(ReportRequest.of("2-2-2", param=["2,1,2"]))
>>> record.focus, record.counts.rows[0].chains, len(record.deltas.definitions)
('theta^(2)_12', 12, 4)
>>> record.verification.ok, record.drawing.total, record.figure_left_out
(True, 1, None)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chainrule import budget
from chainrule.errors import SpecError, TooLarge
from chainrule.graph.build import check_graph_size, graph_size
from chainrule.graph.spec import Network
from chainrule.records import chains as chains_record
from chainrule.records import count as count_record
from chainrule.records import delta as delta_record
from chainrule.records import draw as draw_record
from chainrule.records import numbers as case_numbers
from chainrule.records import options as shared
from chainrule.records import values as values_record
from chainrule.records import verify as verify_record
from chainrule.records import worked
from chainrule.records.cases import missing_subject, refuse_conflicts
from chainrule.records.options import read_options
from chainrule.records.subject import SubjectRequest, resolve, subject_of

PARAM = shared.param(
    "write only these weights' chains (repeatable; the first is the one factored and drawn)"
)
LIMIT = shared.limit(budget.DOCUMENT_CHAIN_LIMIT, "chains")
SEED = shared.SEED._replace(help="seed of the verification's random case (default 0)")
#: A worked example's (``case``): the step's learning rate and held parameters, and the most
#: numbers it writes.
LR, FREEZE = values_record.LR, values_record.FREEZE
MAX_NUMBERS = case_numbers.MAX_NUMBERS
WORKED_OPTIONS = (LR, FREEZE, MAX_NUMBERS)
OPTIONS = (*shared.NETWORK, PARAM, LIMIT, SEED, *WORKED_OPTIONS)

#: The progress callback: (the record about to be computed, how many are done, of how many).
Progress = Callable[[str, int, int], None]
#: The records a report is made of, in the order they are computed.
STAGES = ("count", "chains", "delta", "verify", "draw")


@dataclass(frozen=True)
class ReportRequest:
    """What to report: layer sizes, the weights whose chains to write (every weight by
    default; the first is factored and drawn), the most chains to write, and the seed of the
    verification's random case."""

    subject: SubjectRequest
    param: tuple[str, ...] = ()
    limit: int = budget.DOCUMENT_CHAIN_LIMIT
    seed: int = 0
    #: a worked example's case (a case file's path, a Case or a GraphCase), step and bound
    case: Any = None
    lr: float = values_record.DEFAULT_LR
    freeze: tuple[str, ...] = ()
    max_numbers: int = budget.NUMBERS_WRITTEN

    @classmethod
    def of(
        cls,
        architecture: object = None,
        graph_text: str | None = None,
        *,
        case: Any = None,
        **given: object,
    ) -> ReportRequest:
        """A request from layer sizes (or, with a `case`, any subject) and options by keyword,
        each checked; ``lr``, ``freeze`` and ``max_numbers`` are a worked example's, refused
        without a case, and ``seed`` beside one."""
        values = read_options(OPTIONS, given, "report")
        values["freeze"] = values_record.frozen_names(values["freeze"] or ())
        made = cls(subject_of(architecture, graph_text, values), case=case, **values)
        if case is None:
            unused = [
                budget.spelled(option)
                for option, given in (
                    ("lr", made.lr != LR.default),
                    ("freeze", bool(made.freeze)),
                    ("max_numbers", made.max_numbers != MAX_NUMBERS.default),
                )
                if given
            ]
            if unused:
                raise SpecError(
                    f"{unused[0]} is for a worked example, which {budget.spelled('case', 'FILE')}"
                    f" writes: add it, or drop {unused[0]}"
                )
            if architecture is None and graph_text is None:
                raise missing_subject()
        else:
            refuse_conflicts(made.subject, made.seed, 1, 1.0, 1)
        return made


@dataclass(frozen=True)
class ReportRecord:
    """The records a report tells, each computed by its own command's module: `counts` (with
    the operation counts), `chains` (of the selected weights), `deltas` (every δ, every
    gradient), `factoring` (of the `focus`, the first selected weight), `verification` and
    `drawing` (None, with the reason in `figure_left_out`, past the drawing's budget)."""

    request: ReportRequest
    network: Network
    focus: str
    counts: count_record.CountRecord
    chains: chains_record.ChainsRecord
    deltas: delta_record.DeltaRecord
    factoring: delta_record.DeltaRecord
    verification: verify_record.VerifyRecord
    drawing: draw_record.DrawRecord | None
    figure_left_out: str | None = None
    #: The focus's weight matrix a layer at a time (its layer-level chains with their shapes)
    #: and the δ recursion for a batch, every operand's shape.
    matrix_chains: chains_record.MatrixChainsRecord | None = None
    matrix_deltas: delta_record.MatrixDeltaRecord | None = None

    @property
    def selected(self) -> tuple[str, ...]:
        """The names of the weights whose chains are written."""
        return tuple(source.name for source in self.chains.sources)

    def as_dict(self) -> dict[str, Any]:
        """The report as one document: each command's own (``count``, ``chains``, ``delta``,
        ``factoring``, ``verify``) and what the figure shows or why it is left out."""
        return {
            "architecture": self.network.architecture,
            "parameters": list(self.selected),
            "focus": self.focus,
            "count": self.counts.as_dict()[0],
            "chains": self.chains.as_dict(),
            "delta": self.deltas.as_dict(),
            "factoring": self.factoring.as_dict()["factoring"],
            "verify": self.verification.as_dict(),
            "matrix": None
            if self.matrix_chains is None or self.matrix_deltas is None
            else {"chains": self.matrix_chains.as_dict(), "delta": self.matrix_deltas.as_dict()},
            "figure": (
                {"title": self.drawing.title, "summary": self.drawing.summary}
                if self.drawing is not None
                else {"left_out": self.figure_left_out}
            ),
        }


def _check_budget(request: ReportRequest, network: Network, subject, focus) -> None:
    """Refuse, before anything is built, a report past its budget (see the module's)."""

    limit = budget.spelled("limit", f"{request.limit:,}")
    chains, _ = subject.totals("parameters", request.param)  # counted, never listed
    if chains > request.limit:
        advice = budget.limit_advice(
            chains, f" or select weights with {budget.spelled('param', 'l,j,k')}"
        )
        raise TooLarge(f"the report would write {chains:,} chains, more than {limit}; {advice}")
    check_graph_size(network, request.subject.max_graph)
    # Every δ definition and every gradient is typeset whatever the selection: one term per
    # edge of the graph, each with its local formula printed by SymPy (about 100 µs). 500
    # layers of width 2 (4,992 terms) took 0.6 s of typesetting and 0.8 s of verification.
    _, edges = graph_size(network)
    if edges > request.limit:
        raise TooLarge(
            f"the report would typeset {edges:,} terms in its delta definitions and "
            f"gradients (one per edge of its computation graph), more than {limit}; "
            f"{budget.limit_advice(edges)}"
        )
    written = delta_record.factoring_terms(subject, [focus])
    allowed = request.limit * budget.TERMS_PER_CHAIN
    if written > allowed:
        raise TooLarge(
            f"the report's factoring of {focus.name} would write about {written:,} terms "
            f"over its steps, more than the {allowed:,} ({budget.TERMS_PER_CHAIN} a chain) "
            f"that {limit} allows; "
            f"{budget.limit_advice(-(-written // budget.TERMS_PER_CHAIN))}"
        )


def layered_subject(subject: SubjectRequest):
    """The layer sizes a report without a case derives; any other subject is refused, saying
    that a worked example (``case``) takes it."""
    try:
        return resolve(subject, "report", layers_only=True)
    except SpecError as error:
        if "takes layer sizes" not in str(error):
            raise
        raise SpecError(
            f"{error}, and report with a worked example's {budget.spelled('case', 'FILE')}"
        ) from None


def compute(
    request: ReportRequest, progress: Progress | None = None
) -> ReportRecord | worked.WorkedRecord:
    """The records of the report of `request`, refused past its budget before any is
    computed; `progress` is told as each is done. With a case, its worked example."""
    if request.case is not None:
        return worked.compute(
            request.subject,
            request.case,
            param=request.param,
            limit=request.limit,
            lr=request.lr,
            freeze=request.freeze,
            max_numbers=request.max_numbers,
        )
    subject = layered_subject(request.subject)
    network = subject.layered_network()
    # The first weight selected (or of the network) is factored and drawn.
    first = request.param[0] if request.param else ",".join(map(str, next(network.parameters())))
    (focus,) = subject.sources("parameters", [first])
    _check_budget(request, network, subject, focus)
    # Every record is about the same Network, so each command builds exactly what the report
    # priced (its options are already checked: the requests are made directly).
    about = SubjectRequest(network, max_graph=request.subject.max_graph)

    def begin(stage: str) -> None:  # told before each record: the check may take a second
        if progress is not None:
            progress(stage, STAGES.index(stage), len(STAGES))

    begin("count")
    counts = count_record.compute(count_record.CountRequest((about,), ops=True))
    begin("chains")
    chains = chains_record.compute(
        chains_record.ChainsRequest(about, param=request.param, limit=request.limit)
    )
    assert isinstance(chains, chains_record.ChainsRecord)  # the scalar view: no matrix
    begin("delta")
    # Priced above with the report's own messages: within them, neither record refuses.
    deltas = delta_record.compute(delta_record.DeltaRequest(about, limit=request.limit))
    factoring = delta_record.compute(
        delta_record.DeltaRequest(about, param=(first,), limit=request.limit)
    )
    assert isinstance(deltas, delta_record.DeltaRecord)  # the scalar view
    assert isinstance(factoring, delta_record.DeltaRecord)
    # The matrix form: a handful of equations a layer, no scalar graph (priced by the graph's
    # edges above, which it never exceeds).
    matrix_chains = chains_record.compute(
        chains_record.ChainsRequest(about, param=(first,), view="matrix")
    )
    matrix_deltas = delta_record.compute(
        delta_record.DeltaRequest(about, view="matrix", limit=max(request.limit, 5 * network.depth))
    )
    assert isinstance(matrix_chains, chains_record.MatrixChainsRecord)
    assert isinstance(matrix_deltas, delta_record.MatrixDeltaRecord)
    begin("verify")
    verification = verify_record.compute(verify_record.VerifyRequest(about, seed=request.seed))
    begin("draw")
    drawing, left_out = None, None
    try:
        drawing = draw_record.compute(draw_record.DrawRequest(about, param=first))
    except TooLarge as refusal:  # the derivation is whole without its picture
        left_out = str(refusal)
    return ReportRecord(
        request,
        network,
        focus.name,
        counts,
        chains,
        deltas,
        factoring,
        verification,
        drawing,
        left_out,
        matrix_chains,
        matrix_deltas,
    )


#: A request from layer sizes and options by keyword (``ReportRequest.of``).
request = ReportRequest.of
