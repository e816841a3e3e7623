"""``verify``: one case's gradients by six methods, each compared with an independent reference.

The subject is layer sizes (a random case drawn from ``seed``, ``examples`` and ``init_scale``,
or a case file's numbers), or any graph (``rnn:``, ``resnet:``, a graph file), whose leaves are
drawn the same way. Every method is priced before anything is computed
(:func:`chainrule.verification.verify.verify`, with the limits of :mod:`chainrule.budget`): one
past its budget is left out and says why, finite differences past theirs take a sample, so that
a verification of any size answers in about two seconds. The record holds what was verified,
where its numbers came from, and every method's result.

Examples
--------
>>> record = compute(VerifyRequest.of("2-2-2", seed=3))
>>> record.ok, record.reference, record.origin
(True, 'backprop', 'seed 3, weights from [-1, 1]')
>>> [name for name, result in record.methods.items() if result.skipped]
[]
>>> record.as_dict()["methods"]["delta"]["ok"]
True
>>> VerifyRequest.of("2-2-2", case="c.json", seed=4)
Traceback (most recent call last):
...
chainrule.errors.SpecError: the case file holds the numbers; seed draws a random case: drop it, \
or leave out case
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chainrule import budget
from chainrule.calculus.counting import count
from chainrule.graph.build import graph_size
from chainrule.graph.spec import Network
from chainrule.numeric.case import Case
from chainrule.records import cases
from chainrule.records import options as shared
from chainrule.records.options import read_options
from chainrule.records.subject import Subject, SubjectRequest, names_a_graph, subject_of
from chainrule.verification.verify import (
    TITLES,
    Gradients,
    MethodResult,
    NamedGradients,
    Report,
    verify,
)

if TYPE_CHECKING:
    from chainrule.numeric.case import Case
    from chainrule.verification.graphcase import GraphCase

__all__ = [
    "TITLES",
    "VerifyRecord",
    "VerifyRequest",
    "compute",
    "describe",
    "request",
    "work",
]

EXAMPLES = shared.examples()
SEED, INIT_SCALE, MAX_NUMBERS, WRT = (
    shared.SEED,
    shared.INIT_SCALE,
    shared.MAX_NUMBERS,
    shared.WRT,
)
OPTIONS = (*shared.NETWORK, EXAMPLES, SEED, INIT_SCALE, MAX_NUMBERS, WRT)


@dataclass(frozen=True)
class VerifyRequest:
    """What to verify: the subject, or a case (`case`: a case file's path, a
    :class:`~chainrule.numeric.case.Case` or a
    :class:`~chainrule.verification.graphcase.GraphCase`) that holds its numbers; how a random
    case is drawn; and which gradients (by the parameters or by the inputs)."""

    subject: SubjectRequest
    case: Any = None
    examples: int = cases.DEFAULT_EXAMPLES
    seed: int = 0
    init_scale: float = 1.0
    max_numbers: int = budget.DEFAULT_MAX_NUMBERS
    wrt: str = "parameters"

    @classmethod
    def of(
        cls,
        architecture: object = None,
        graph_text: str | None = None,
        *,
        case: Any = None,
        **given: object,
    ) -> VerifyRequest:
        """A request from an architecture (or a graph file's text), or a case given as `case`,
        and options by keyword, each checked; the options that draw a case are refused beside
        one (what a layered network's case file fixes, when it is read)."""
        values = read_options(OPTIONS, given, "verify")
        made = cls(subject_of(architecture, graph_text, values), case, **values)
        if case is None:
            if architecture is None and graph_text is None:
                raise cases.missing_subject()
            return made
        cases.refuse_conflicts(made.subject, made.seed, made.examples, made.init_scale)
        return made

    @property
    def names_a_graph(self) -> bool:
        """Whether the subject is a graph (whose case is drawn, never read from a file)."""
        given = self.subject.architecture
        return (
            self.subject.graph_text is not None
            or names_a_graph(given)
            or not isinstance(given, (str, Network, type(None)))
        )


def describe(case: Case) -> str:
    """A case in a line: ``2-2-2 (activation sigmoid, cost mse, no bias), 4 examples``."""
    network = case.network
    activation = (
        ",".join(dict.fromkeys(network.activation))
        if len(set(network.activation)) == 1
        else ",".join(network.activation)
    )
    return (
        f"{network.architecture} (activation {activation}, cost {network.cost}, "
        f"{'with' if network.bias else 'no'} bias), {case.examples} example"
        f"{'' if case.examples == 1 else 's'}"
    )


@dataclass(frozen=True)
class VerifyRecord:
    """A verification: what was verified (`subject`) on which numbers (`origin`; `case`, a
    layered network's Case or a graph's GraphCase), and the `report` of every method, left out
    ones with their reason."""

    request: VerifyRequest
    subject: str
    origin: str
    report: Report
    case: Case | GraphCase | None = None

    @property
    def ok(self) -> bool:
        """Whether every method computed agrees with the reference, at a finite cost."""
        return self.report.ok

    @property
    def cost(self) -> float:
        return self.report.cost

    @property
    def reference(self) -> str:
        return self.report.reference

    @property
    def methods(self) -> dict[str, MethodResult]:
        """Each method's result by name (``backprop``, ``chain_sum``, ...), in report order."""
        return self.report.methods

    @property
    def by_parameter(self) -> bool:
        """Whether the gradients are a case's weights (else named sources of a graph)."""
        return self.report.case is not None

    @property
    def parameter_count(self) -> int:
        """How many gradients a table of them would list."""
        if self.report.case is not None:
            return self.report.case.network.parameter_count
        return len(self.source_gradients())

    def parameter_gradients(self) -> list[tuple[str, float, float]]:
        """Every weight of the case: its name, its value and its gradient by the reference."""
        case = self.report.case
        assert case is not None  # asked only of a case's weights (by_parameter)
        reference = self.methods["backprop"].gradients
        assert isinstance(reference, Gradients)  # a case's weights, in the case's shapes
        rows = []
        for parameter in case.network.parameters():
            layer, j, k = parameter
            if k == 0:
                assert reference.biases is not None  # a bias weight exists only with biases
                gradient = reference.biases[layer - 1][j - 1]
            else:
                gradient = reference.weights[layer - 1][j - 1, k - 1]
            rows.append((parameter.name, case.parameter_value(*parameter), float(gradient)))
        return rows

    def source_gradients(self) -> dict[str, Any]:
        """Each source's gradient by the reference: a number for a parameter, one per example
        for an input."""
        gradients = self.methods[self.reference].gradients
        assert isinstance(gradients, NamedGradients)  # asked only of a graph's sources
        return gradients.values

    def as_dict(self) -> dict[str, Any]:
        """The document of ``chainrule verify --json``: ``ok``, ``cost``, ``reference``, each
        method's ``tolerance``, results and timing, and every computed method's
        ``gradients``."""
        return self.report.as_dict()


def _quiet():
    """Overflow in a saturated case shows up as a non-finite cost or gradient, which the
    report states and counts as a failure; numpy's warnings would only repeat it."""
    import numpy as np

    return np.errstate(all="ignore")


def _verify_case(request: VerifyRequest, case: Case, origin: str) -> VerifyRecord:
    with _quiet():
        report = verify(case, wrt=request.wrt, max_graph=request.subject.max_graph)
    subject = describe(case) if report.case is not None else str(report.title)
    return VerifyRecord(request, subject, origin, report, case)


def compute(request: VerifyRequest) -> VerifyRecord:
    """Verify `request`'s subject: the case is read or drawn (refused past ``max_numbers``
    before it is), every method priced, and those within their budget run and compared."""
    case, origin = cases.obtain(
        request.subject,
        request.case,
        request.examples,
        request.seed,
        request.init_scale,
        request.max_numbers,
    )

    if isinstance(case, Case):
        return _verify_case(request, case, origin)

    graph = case.graph
    subject = Subject(label=case.label, _graph=graph)
    sources = [source.name for source in subject.sources(request.wrt)]
    examples = f"{case.examples} example{'s' if case.examples != 1 else ''}"
    title = f"{case.label} ({request.wrt}), {examples}"
    with _quiet():
        report = verify(graph, sources, case.leaves(), case.examples, title=title)
    return VerifyRecord(request, title, origin, report, case)


def work(network: Network, examples: int = cases.DEFAULT_EXAMPLES) -> int:
    """What verifying a random case of `network` costs, in microseconds, estimated from its
    counts before anything is built: the methods that run within their budgets (the graph's
    formulas and edges, the chains summed, the matrix form, the finite differences' passes) at
    the rates of :data:`~chainrule.budget.FORMULA_WORK` and its neighbours. A command that tells a
    verification among other things (``explain``) leaves it out when this is too much.

    Examples
    --------
    >>> work(Network([2, 2, 2])) < 50_000 < work(Network([2] * 500)) < 2_000_000
    True
    """

    _, edges = graph_size(network)
    cost = 12_000
    if edges <= budget.MAX_EDGES_EVALUATED:
        cost += budget.FORMULA_WORK * 2 * sum(network.sizes[1:]) + budget.EDGE_WORK * edges
        counted = count(network)
        if counted.chains <= budget.MAX_CHAINS_SUMMED and counted.terms <= budget.MAX_TERMS_SUMMED:
            cost += budget.CHAIN_TERM_WORK * counted.terms
    passes = 4 * network.parameter_count * budget.forward_pass_work(network.sizes, examples)
    matrix = budget.matrix_form_work(network.sizes, examples)
    if matrix <= budget.MAX_MATRIX_FORM_WORK:
        cost += matrix // 1_000
    return cost + 2 * min(passes, budget.MAX_FINITE_DIFFERENCE_WORK) // 3_000


#: A request from an architecture and options by keyword (``VerifyRequest.of``).
request = VerifyRequest.of
