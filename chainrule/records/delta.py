"""``delta``: the δ terms, every gradient through them, and the factoring of chosen parameters.

The request is priced before anything is built: the terms of the δ definitions (one per edge of
the graph, counted in closed form for layer sizes) or the chains of the selected factorings,
against ``limit``, and the terms those factorings write over all their steps (each step writes
every term again, one layer of weighted inputs shorter), against ``limit`` times
:data:`~chainrule.budget.TERMS_PER_CHAIN`. The record computes its δ records
(:mod:`chainrule.calculus.delta`) and lists every source when a presenter first asks for them,
so that a command that prints only the factoring of one weight never defines every δ of the
network, nor lists its 20,000 weights.

The matrix view (``view="matrix"``) writes the same recursion a layer at a time for a batch of
m examples, every operand with its shape (:class:`MatrixDeltaRecord`, from the layer-level graph
of :mod:`chainrule.graph.layers`: no scalar graph for layer sizes, ``rnn:`` or ``resnet:``, so
at any width).

With a case (``case``, a case file, or ``numbers`` to draw one from ``seed``, ``examples`` and
``init_scale``), the record holds the case's numbers (:mod:`chainrule.records.numbers`, read
from the values record): every δ's value per example, every factor's, and each gradient's,
for the presenters to write beside each δ's formula at every step. The numbers written are
priced too, against ``max_numbers``.

Examples
--------
>>> record = compute(DeltaRequest.of("2-2-2", param=["1,1,1"]))
>>> [(f.source.name, len(f.steps)) for f in record.factorings]
[('theta^(1)_11', 3)]
>>> [definition.delta.name for definition in record.definitions]
['delta^(3)_1', 'delta^(3)_2', 'delta^(2)_1', 'delta^(2)_2']
>>> record.as_dict()["gradients"][0]["local"]
'dJ/dtheta^(1)_11 = delta^(2)_1 * x_1'
>>> record = compute(DeltaRequest.of("1-1", numbers=True, seed=2))
>>> document = record.as_dict()
>>> (gradient,) = document["gradients"]
>>> document["case"], gradient["value"] == sum(gradient["per_example"])
({'origin': 'seed 2, weights from [-1, 1]', 'examples': 1}, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chainrule import budget
from chainrule.calculus import delta
from chainrule.calculus.counting import OperationCounts, operation_counts
from chainrule.calculus.matrix import (
    BatchEquation,
    NoBatchForm,
    cost_edges,
    cost_gradient,
    forward_form,
    layer_graph_document,
    sweep_form,
)
from chainrule.errors import SpecError, TooLarge
from chainrule.graph.build import graph_size
from chainrule.graph.shapes import tokens
from chainrule.graph.spec import Network
from chainrule.notation import notation_for
from chainrule.records import cases
from chainrule.records import numbers as case_numbers
from chainrule.records import options as shared
from chainrule.records.chains import equation_document
from chainrule.records.options import Option, read_options
from chainrule.records.subject import (
    MatrixSource,
    Source,
    Subject,
    SubjectRequest,
    resolve,
    resolve_layers,
    subject_of,
)

if TYPE_CHECKING:
    import networkx as nx

    from chainrule.graph.layers import LayerGraph

PARAM = shared.param("show the factoring of theta^(l)_jk's chains (repeatable)")
OPS = Option(
    "ops", "add the operation counts: expanded, reverse and forward mode", False, flag=True
)
LIMIT = shared.limit(budget.DEFAULT_CHAIN_LIMIT, "chains or delta terms")
WRT = shared.WRT
VIEW = Option(
    "view",
    "scalar deltas, one per neuron (default), or the matrix form: the delta recursion a "
    "layer at a time for a batch, every operand's shape under it",
    default="scalar",
    choices=("scalar", "matrix"),
)
NUMBERS = Option(
    "numbers",
    "write each delta's value beside its formula, on a random case (--seed, --examples, "
    "--init-scale; a case file with --case FILE)",
    False,
    flag=True,
)
CASE_OPTIONS = case_numbers.CASE_OPTIONS
OPTIONS = (*shared.NETWORK, PARAM, OPS, LIMIT, WRT, VIEW, NUMBERS, *CASE_OPTIONS)


@dataclass(frozen=True)
class DeltaRequest:
    """What to factor: every source's gradient through the δ terms, or the chains of the
    selected parameters (`param`) grouped into them; with the operation counts (`ops`)."""

    subject: SubjectRequest
    param: tuple[str, ...] = ()
    ops: bool = False
    limit: int = budget.DEFAULT_CHAIN_LIMIT
    wrt: str = "parameters"
    view: str = "scalar"
    #: the numbers of a case: `case` (a case file's path, a Case or a GraphCase), or one drawn
    numbers: bool = False
    case: Any = None
    examples: int = 1
    seed: int = 0
    init_scale: float = 1.0
    max_numbers: int = budget.NUMBERS_WRITTEN

    @classmethod
    def of(
        cls,
        architecture: object = None,
        graph_text: str | None = None,
        *,
        case: Any = None,
        **given: object,
    ) -> DeltaRequest:
        """A request from an architecture (or a graph file's text) and options by keyword,
        each checked; a `case` (a case file's path, or a case made by
        :func:`chainrule.api.case`) writes its numbers, as ``numbers`` does a drawn case's."""
        values = read_options(OPTIONS, given, "delta")
        made = cls(subject_of(architecture, graph_text, values), case=case, **values)
        wanted = made.numbers or case is not None
        case_numbers.refuse_unused(
            wanted,
            case,
            made.examples,
            made.seed,
            made.init_scale,
            made.max_numbers,
            f"{budget.spelled('numbers')} (or {budget.spelled('case', 'FILE')})",
        )
        if wanted and made.view == "matrix":
            raise SpecError(
                f"the numbers of a case are written beside the scalar deltas; leave out "
                f"{budget.spelled('view', 'matrix')} for them"
            )
        if case is not None:
            cases.refuse_conflicts(made.subject, made.seed, made.examples, made.init_scale, 1)
        elif wanted and architecture is None and graph_text is None:
            raise cases.missing_subject()
        return made

    @property
    def with_numbers(self) -> bool:
        """Whether the numbers of a case are written (asked for, or a case given)."""
        return self.numbers or self.case is not None


@dataclass(frozen=True)
class Factoring:
    """One selected source's chains grouped into δ terms, one layer of weighted inputs at a
    time (`steps`), and the gradient they end in (`factored`)."""

    source: Source
    steps: tuple[delta.Step, ...]
    factored: delta.FactoredGradient


@dataclass(frozen=True)
class DeltaRecord:
    """The δ factoring of a subject: its graph, its sources (`every` source of the kind asked
    for, and the `selected` parameters whose factoring is shown) and the operation counts
    (`ops`) if asked for. The δ records, and `every` source, are computed on first use."""

    request: DeltaRequest
    label: str
    graph: nx.DiGraph
    network: Network | None
    selected: tuple[Source, ...]
    ops: OperationCounts | None = None
    subject: Subject | None = field(default=None, repr=False, compare=False)
    #: a case's numbers, when asked for: every δ's and factor's value per example
    numbers: case_numbers.CaseNumbers | None = field(default=None, repr=False, compare=False)

    @cached_property
    def every(self) -> tuple[Source, ...]:
        """Every source of the kind asked for, in order."""
        assert self.subject is not None  # compute() gives every record its subject
        return tuple(self.subject.sources(self.request.wrt))

    @property
    def matrix(self) -> bool:
        """Whether the gradients are also written a layer at a time (a layered network's
        weights)."""
        return self.network is not None and self.request.wrt == "parameters"

    @cached_property
    def definitions(self) -> tuple[delta.DeltaDefinition, ...]:
        """Every δ's definition, from the output down."""
        return delta.define_deltas(self.graph)

    @cached_property
    def gradients(self) -> tuple[delta.FactoredGradient, ...]:
        """The gradient through the δs of each selected source (of every source if none is
        selected)."""
        return tuple(
            delta.factor_gradient(self.graph, source.name) for source in self.selected or self.every
        )

    @cached_property
    def factorings(self) -> tuple[Factoring, ...]:
        """The factoring of each selected source."""
        return tuple(
            Factoring(
                source,
                tuple(delta.factoring_steps(self.graph, source.name)),
                delta.factor_gradient(self.graph, source.name),
            )
            for source in self.selected
        )

    def as_dict(self) -> dict[str, Any]:
        """The document of ``chainrule delta --json``: ``architecture``, ``deltas`` (each
        definition in text and LaTeX, abstract and local), ``gradients`` (of the selected
        sources, or every one), ``matrix_latex`` for a layered network's weights,
        ``factoring`` of the selected ones and ``ops`` if asked for."""
        text, latex = notation_for("text", self.graph), notation_for("latex", self.graph)

        def both(method: str, record, view: str = "abstract") -> tuple[str, str]:
            """The equation `method` writes of `record`, in text and in LaTeX."""
            return (
                str(getattr(text, method)(record, view)),
                str(getattr(latex, method)(record, view)),
            )

        deltas: list[dict[str, Any]] = []
        for definition in self.definitions:
            abstract, abstract_latex = both("delta_definition", definition)
            local, local_latex = both("delta_definition", definition, "local")
            deltas.append(
                {
                    "name": definition.delta.name,
                    "latex": definition.delta.latex,
                    "definition": abstract,
                    "definition_latex": abstract_latex,
                    "local": local,
                    "local_latex": local_latex,
                }
            )
            if self.numbers is not None:
                deltas[-1]["value"] = self.numbers.delta(definition.delta.node).tolist()
        gradients: list[dict[str, Any]] = []
        for source, factored in zip(self.selected or self.every, self.gradients):
            abstract, abstract_latex = both("factored_gradient", factored)
            local, local_latex = both("factored_gradient", factored, "local")
            gradients.append(
                {
                    "parameter": source.name,
                    "text": abstract,
                    "latex": abstract_latex,
                    "local": local,
                    "local_latex": local_latex,
                }
            )
            if self.numbers is not None:
                gradients[-1]["value"] = self.numbers.gradient(source.name)
                gradients[-1]["per_example"] = self.numbers.delta(source.name).tolist()
        document: dict[str, Any] = {"architecture": self.label}
        if self.numbers is not None:
            document["case"] = {"origin": self.numbers.origin, "examples": self.numbers.examples}
        document.update(deltas=deltas, gradients=gradients)
        if self.matrix:
            assert self.network is not None  # a matrix form is a layered network's
            document["matrix_latex"] = [str(eq) for eq in latex.matrix_form(self.network)]
        if self.selected:
            document["factoring"] = [
                {
                    "parameter": factoring.source.name,
                    "steps": [self._step_document(step, latex) for step in factoring.steps],
                }
                for factoring in self.factorings
            ]
            if self.numbers is not None:
                for entry in document["factoring"]:
                    entry["value"] = self.numbers.gradient(entry["parameter"])
        if self.ops is not None:
            document["ops"] = self.ops.as_dict()
        return document

    def _step_document(self, step: delta.Step, latex) -> dict[str, Any]:
        """A factoring step's JSON: its grouped and δ forms in LaTeX, and with numbers, the
        value per example of each δ the step writes."""
        document: dict[str, Any] = dict(zip(("grouped_latex", "latex"), latex.step(step)))
        if self.numbers is not None:
            heads = [term.head for term in step.terms if term.head is not None]
            document["deltas"] = {
                head.name: self.numbers.delta(head.node).tolist() for head in heads
            }
        return document


def _edges(subject: Subject) -> int:
    """Edges of the subject's graph (terms of its δ definitions), without building it for
    layer sizes."""
    if subject.layered:
        return graph_size(subject.layered_network())[1]
    return subject.graph().number_of_edges()


def _nodes(subject: Subject) -> int:
    """Nodes of the subject's graph (a δ and a value each, at most), without building it for
    layer sizes."""
    if subject.layered:
        return graph_size(subject.layered_network())[0]
    return subject.graph().number_of_nodes()


def layered_steps(chains: int, terms: int) -> int:
    """The steps after the path sum that factor a weight θ^(l) of layer sizes with `chains`
    chains of `terms` terms in all: one per layer of weighted inputs it passes, l+1 to L (each
    chain has 2 (L - l) + 1 terms).

    Examples
    --------
    >>> layered_steps(2, 10)  # theta^(1)_11 of 2-2-2
    2
    """
    return (terms // chains - 1) // 2


def _factoring_steps(subject: Subject, source: Source) -> int:
    """How many steps the factoring of `source` takes after its path sum: one per height of
    the δ nodes on its chains, at most; a graph's source, at most its longest path to J."""
    if subject.layered:
        return layered_steps(source.chains, source.terms)
    return delta.heights(subject.graph())[source.name]


def factoring_terms(subject: Subject, selected: list[Source]) -> int:
    """The terms the factorings of `selected` write, at most: each of its steps writes every
    chain's terms again (a step groups the cost-side ends, so the terms shrink: this bounds
    them). Counted, never walked.

    Examples
    --------
    >>> subject = resolve(SubjectRequest("2-2-2"))
    >>> factoring_terms(subject, subject.sources("parameters", ["1,1,1"]))
    30
    """
    return sum(source.terms * (_factoring_steps(subject, source) + 1) for source in selected)


def compute(request: DeltaRequest) -> DeltaRecord | MatrixDeltaRecord:
    """The δ record of `request`, refused before anything is built when the δ definitions (or
    the selected factorings) have more terms (chains) than ``limit``, or the factorings would
    write more terms over their steps than ``limit`` allows
    (:data:`~chainrule.budget.TERMS_PER_CHAIN` a chain); in the matrix view a
    :class:`MatrixDeltaRecord`."""
    if request.view == "matrix":
        return compute_matrix(request)
    obtained = None
    if request.with_numbers:
        # the case first: a layered network's case file sets the network derived
        obtained = case_numbers.obtain(
            request.subject,
            request.case,
            request.examples,
            request.seed,
            request.init_scale,
            request.max_numbers,
        )
        subject = resolve(obtained.about)
    else:
        subject = resolve(request.subject)
    if not subject.layered:
        # A graph without sources of the kind asked for is refused before anything is counted.
        subject.sources(request.wrt)
    selected = subject.sources(request.wrt, request.param) if request.param else []
    if selected:
        shown = sum(source.chains for source in selected)
        what = "chains in the selected factorings"
    else:
        shown, what = _edges(subject), "terms in the delta definitions"
    hint = "" if request.param else f" or factor one weight with {budget.spelled('param')}"
    if shown > request.limit:
        raise TooLarge(
            f"{subject.label} has {shown:,} {what}, more than "
            f"{budget.spelled('limit', f'{request.limit:,}')}; "
            f"{budget.limit_advice(shown, hint)}"
        )
    written = factoring_terms(subject, selected)
    allowed = request.limit * budget.TERMS_PER_CHAIN
    if written > allowed:
        needed = -(-written // budget.TERMS_PER_CHAIN)
        raise TooLarge(
            f"the selected factorings would write about {written:,} terms over their steps, "
            f"more than the {allowed:,} ({budget.TERMS_PER_CHAIN} a chain) that "
            f"{budget.spelled('limit', f'{request.limit:,}')} allows; "
            f"{budget.limit_advice(needed, hint)}"
        )
    numbers = None
    if obtained is not None:
        # A factoring writes its steps' terms and a value a step (fewer than its terms); the
        # δ definitions and gradients write each edge's term at most twice and a value a node.
        if selected:
            terms, products, sources = written, written, len(selected)
        else:
            terms, products = 2 * _edges(subject), _nodes(subject)
            sources = len(subject.sources(request.wrt))
        case_numbers.check_written(
            subject.label,
            case_numbers.written(obtained.examples, terms, products, sources),
            obtained.examples,
            request.max_numbers,
            hint,
        )
        numbers = case_numbers.numbers_of(obtained, request.max_numbers)
    graph = subject.graph()
    network = subject.network
    ops = None
    if request.ops:
        ops = (
            operation_counts(network)
            if network is not None and request.wrt == "parameters"
            else operation_counts(graph, [source.name for source in subject.sources(request.wrt)])
        )
    label = network.architecture if network is not None else graph.graph["source"]
    return DeltaRecord(request, label, graph, network, tuple(selected), ops, subject, numbers)


# -- the matrix view ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixDeltaRecord:
    """The δ recursion of a subject a layer at a time, for a batch (rows are the m examples):
    its layer-level graph (`view`), the tensors whose gradients it ends in (`sources`), the
    forward pass (`forward`, None when a tensor has no forward formula in matrices), the
    cost's dJ/da lines (`costs`) and the sweep (`equations`: each named δ, output first, each
    gradient as soon as its δ is known). Every equation's shapes were checked by the shape
    algebra when it was made."""

    request: DeltaRequest
    label: str
    view: LayerGraph
    sources: tuple[MatrixSource, ...]
    forward: tuple[BatchEquation, ...] | None
    costs: tuple[BatchEquation, ...]
    equations: tuple[BatchEquation, ...]
    #: Whether the subject is a layered network (its δs are δ^(l) = ∂J/∂z^(l)).
    layered: bool = False

    @property
    def backward(self) -> tuple[BatchEquation, ...]:
        """The cost's lines, then the δ recursion: every backward equation in reading order."""
        return self.costs + self.equations

    def as_dict(self) -> dict[str, Any]:
        """The document of ``chainrule delta --view matrix --json``: ``architecture``,
        ``view``, ``wrt``, ``tensors`` (each with its ``shape``), ``forward`` (or null) and
        ``equations``, each ``{"kind", "lhs", "rhs", "unicode", "shape", "latex",
        "operands": [{"name", "shape"}, ...]}``, the operands left to right."""
        return {
            "architecture": self.label,
            "view": "matrix",
            "wrt": self.request.wrt,
            "tensors": layer_graph_document(self.view)["tensors"],
            "forward": None
            if self.forward is None
            else [batch_equation_document(equation) for equation in self.forward],
            "equations": [batch_equation_document(equation) for equation in self.backward],
        }


def batch_equation_document(equation: BatchEquation) -> dict[str, Any]:
    """One batch equation as JSON, with every operand's shape, left to right (the left side
    first; a column of ones, which sums over the examples, is ``1``)."""
    document = equation_document(equation)
    document["unicode"] = equation.written("unicode")
    document["operands"] = [
        {"name": name, "shape": shape.as_json()}
        for name, shape in [(equation.lhs.text, equation.lhs.shape), *_operands(equation.rhs)]
    ]
    return document


def _operands(expression) -> list[tuple[str, Any]]:
    """Each operand of a matrix expression (named matrices and columns of ones) with its
    shape, as the writers put a shape under it."""
    # the writer's pieces: an operand (a column of ones too) comes with its shape
    return [(text, shape) for text, shape in tokens(expression, "text") if shape is not None]


def compute_matrix(request: DeltaRequest) -> MatrixDeltaRecord:
    """The matrix view's record: the layer-level graph (in closed form for layer sizes,
    ``rnn:`` and ``resnet:``; grouped from a graph file's indexed names, or refused with the
    reason), its Jacobians counted against ``limit`` before the recursion is written, and
    refused when a Jacobian on the way has no batch form."""
    if request.ops:
        raise SpecError(
            f"{budget.spelled('ops')} counts the scalar operations; leave out "
            f"{budget.spelled('view', 'matrix')} for them"
        )
    subject = resolve_layers(request.subject)
    view = subject.view
    terms = len(view.edges)  # each Jacobian enters the recursion once
    if terms > request.limit:
        raise TooLarge(
            # the numbers first: a label of 5,000 layer sizes would push them out of the line
            f"the layer-level delta recursion has {terms:,} Jacobians (one an edge of the "
            f"layer-level graph), more than {budget.spelled('limit', f'{request.limit:,}')}; "
            f"{budget.limit_advice(terms)}"
        )
    sources = tuple(subject.sources(request.wrt, request.param or ()))
    try:
        equations = sweep_form(view, [source.name for source in sources])
    except NoBatchForm as error:
        raise SpecError(f"the matrix view of {subject.label} has no batch form: {error}") from None
    costs = tuple(
        equation
        for edge in cost_edges(view, equations)
        if (equation := cost_gradient(view, edge)) is not None
    )
    try:
        forward: tuple[BatchEquation, ...] | None = forward_form(view)
    except NoBatchForm:
        forward = None
    return MatrixDeltaRecord(
        request,
        subject.label,
        view,
        sources,
        forward,
        costs,
        equations,
        subject.network is not None,
    )


#: A request from an architecture and options by keyword (``DeltaRequest.of``).
request = DeltaRequest.of
