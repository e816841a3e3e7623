"""``chains``: every chain-rule product from the selected sources to J, streamed.

The matrix view (``view="matrix"``) writes the same gradients a layer at a time: one product
of Jacobians per path of tensors, each with its shape, and the δ recursion in batch form
(:class:`MatrixChainsRecord`, from :mod:`chainrule.calculus.matrix`).

The numbers view (``view="numbers"``) writes each chain with the numbers of one case: every
factor's value per example (read from the values record, :mod:`chainrule.records.numbers`),
the chain's product in each example and its value, that product summed over the examples (as
``paths`` and ``values`` define it), and the gradient, the sum of the chains' values. The case
is a case file (``case``) or drawn (``seed``, ``examples``, ``init_scale``); they and
``max_numbers`` are refused in any other view.

The request is counted (closed form or dynamic programme) before anything is listed or built,
so a refusal is instant at any size. The record does not hold the chains: :meth:`ChainsRecord.
groups` walks them again each time it is asked, one source at a time, so a presenter can write
millions of them in constant memory; only the closed view, which must add a source's chains up,
holds one source's chains at a time.

Examples
--------
>>> record = compute(ChainsRequest.of("2-2-2", param=["1,1,1"]))
>>> [(group.source.name, group.source.chains, len(list(group.chains)))
...  for group in record.groups()]
[('theta^(1)_11', 2, 2)]
>>> record.as_dict()[0]["chains"][0][0]["of"]
'J'
>>> record = compute(ChainsRequest.of("1-1", view="numbers", seed=2))
>>> (group,) = record.groups()
>>> (chain,) = group.numbers.chains
>>> chain.factors.shape, bool(chain.value == group.numbers.gradient)
((3, 1), True)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from chainrule import budget
from chainrule.calculus.counting import closed_view_size
from chainrule.calculus.matrix import batch_form, cost_edges, cost_gradient, iter_matrix_chains
from chainrule.errors import TooLarge
from chainrule.graph.shapes import written
from chainrule.lazy import lazy
from chainrule.notation import notation_for
from chainrule.records import numbers as case_numbers
from chainrule.records import options as shared
from chainrule.records.options import read_options
from chainrule.records.subject import (
    LayerSubject,
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
    import numpy as np

    from chainrule.calculus import symbolic
    from chainrule.calculus.matrix import BatchEquation, MatrixChain
    from chainrule.graph import chains as graph_chains
    from chainrule.graph.chains import Chain
    from chainrule.graph.layers import LayerGraph
    from chainrule.records import cases
else:
    # Loaded on first use: they load SymPy and networkx as they are imported, which the
    # matrix view of layer sizes never needs (784-512-512-10's answers in a tenth of a second).
    symbolic = lazy("chainrule.calculus.symbolic")
    graph_chains = lazy("chainrule.graph.chains")
    cases = lazy("chainrule.records.cases")  # loads numpy: the numbers view's only

PARAM = shared.param(
    "the weight theta^(l)_jk (k = 0 for a bias); repeatable; all weights by default"
)
LIMIT, WRT = shared.LIMIT, shared.WRT
VIEW = shared.VIEW._replace(
    help=f"{shared.VIEW.help}, or the numbers of one case: each factor's value, each chain's "
    "product and the gradient (a case from --case FILE, or drawn)",
    choices=(*(shared.VIEW.choices or ()), "numbers"),
)
CASE_OPTIONS = case_numbers.CASE_OPTIONS
OPTIONS = (*shared.NETWORK, PARAM, LIMIT, WRT, VIEW, *CASE_OPTIONS)


@dataclass(frozen=True)
class ChainsRequest:
    """Which chains to write: the sources selected (every parameter or input by default), the
    view of each factor, and the most chains to write."""

    subject: SubjectRequest
    param: tuple[str, ...] = ()
    limit: int = budget.DEFAULT_CHAIN_LIMIT
    wrt: str = "parameters"
    view: str = "abstract"
    #: the numbers view's case: a case file's path, a Case or a GraphCase, or drawn
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
    ) -> ChainsRequest:
        """A request from an architecture (or a graph file's text) and options by keyword,
        each checked; `case` (the numbers view's) is a case file's path or a case made by
        :func:`chainrule.api.case`."""
        values = read_options(OPTIONS, given, "chains")
        made = cls(subject_of(architecture, graph_text, values), case=case, **values)
        numbers = made.view == "numbers"
        case_numbers.refuse_unused(
            numbers,
            case,
            made.examples,
            made.seed,
            made.init_scale,
            made.max_numbers,
            budget.spelled("view", "numbers"),
        )
        if numbers and case is not None:
            cases.refuse_conflicts(made.subject, made.seed, made.examples, made.init_scale, 1)
        elif numbers and architecture is None and graph_text is None:
            raise cases.missing_subject()
        return made


class ChainNumbers(NamedTuple):
    """One chain on a case: each factor's value per example (`factors`, terms × examples),
    their product in each example (`per_example`), and the chain's `value`, that product
    summed over the examples."""

    factors: np.ndarray
    per_example: np.ndarray
    value: float


class GroupNumbers(NamedTuple):
    """A source's chains on a case, in the order of its chains, and the `gradient`: the sum of
    their values."""

    chains: tuple[ChainNumbers, ...]
    gradient: float


@dataclass(frozen=True)
class ChainGroup:
    """One source's chains: its counts, the chains (an iterator, walked as it is read), and in
    the closed view its gradient as one expression, in the numbers view its chains' numbers
    (the chains then held, one source at a time)."""

    source: Source
    chains: Iterable[Chain]
    closed: Any = None
    numbers: GroupNumbers | None = None


@dataclass(frozen=True)
class ChainsRecord:
    """The chains of every selected source, walked on demand; in the numbers view, with the
    `numbers` of one case."""

    request: ChainsRequest
    label: str
    graph: nx.DiGraph
    sources: tuple[Source, ...]
    numbers: case_numbers.CaseNumbers | None = None

    def groups(self) -> Iterator[ChainGroup]:
        """Each source's :class:`ChainGroup`, in order; its chains are walked as they are read
        (in the closed view they are first held, one source at a time, to be added up)."""
        # networkx and SymPy are imported here, not with the module: the matrix view, which
        # answers at real widths in a fraction of a second, needs neither.

        for source in self.sources:
            chains: Iterable[Chain] = graph_chains.iter_chains(self.graph, source.name)
            closed, numbers = None, None
            if self.request.view == "closed":
                chains = list(chains)
                closed = symbolic.closed_sum(self.graph, chains)
            elif self.numbers is not None:
                chains = list(chains)
                numbers = _chain_numbers(self.numbers, chains)
            yield ChainGroup(source, chains, closed, numbers)

    def as_dict(self) -> list[dict[str, Any]]:
        """The document of ``chainrule chains --json``: ``[{"parameter", "chains": [[factor,
        ...], ...]}, ...]``; the local view adds each factor's ``formula`` and
        ``formula_latex``, the closed view each source's ``closed`` and ``closed_latex``. The
        numbers view gives each source its ``gradient`` and each chain as ``{"factors":
        [factor, ...], "value", "per_example"}``, each factor with its ``value`` per example
        (a list), the chain's ``value`` summed over the examples."""
        text, latex = notation_for("text", self.graph), notation_for("latex", self.graph)
        document = []
        for group in self.groups():
            entry: dict[str, Any] = {"parameter": group.source.name}
            if group.closed is not None:
                entry["closed"] = text.formula(group.closed)
                entry["closed_latex"] = latex.formula(group.closed)
            if group.numbers is not None:
                entry["gradient"] = group.numbers.gradient
                entry["chains"] = [
                    numbered_chain_document(chain, numbers, text, latex)
                    for chain, numbers in zip(group.chains, group.numbers.chains)
                ]
            else:
                entry["chains"] = [
                    [factor_document(factor, self.request.view, text, latex) for factor in chain]
                    for chain in group.chains
                ]
            document.append(entry)
        return document


def factor_document(factor, view: str, text, latex) -> dict[str, Any]:
    """One factor of a chain as JSON: ``of``, ``wrt`` and ``latex``, and in the local view its
    ``formula`` and ``formula_latex``."""
    document = factor.as_dict()
    if view == "local":
        document["formula"] = text.factor_formula(factor)
        document["formula_latex"] = latex.factor_formula(factor)
    return document


def numbered_chain_document(chain: Chain, numbers: ChainNumbers, text, latex) -> dict[str, Any]:
    """One chain of the numbers view as JSON: its factors, each with its ``value`` per example,
    the chain's ``value`` (summed over the examples) and its product ``per_example``."""
    factors = []
    for factor, row in zip(chain, numbers.factors.tolist()):
        document = factor_document(factor, "abstract", text, latex)
        document["value"] = row
        factors.append(document)
    return {
        "factors": factors,
        "value": numbers.value,
        "per_example": numbers.per_example.tolist(),
    }


def _chain_numbers(numbers: case_numbers.CaseNumbers, chains: list[Chain]) -> GroupNumbers:
    """Each chain's factors read from the case's values, multiplied in each example and summed
    over the examples; the gradient is the sum of the chains' values."""
    import numpy as np

    numbered = []
    with np.errstate(all="ignore"):  # a saturated output's inf shows in its own chains
        for chain in chains:
            factors = np.array([numbers.factor(f.of, f.wrt) for f in chain])
            per_example = factors.prod(axis=0)
            numbered.append(ChainNumbers(factors, per_example, float(per_example.sum())))
        gradient = float(np.sum([chain.value for chain in numbered]))
    return GroupNumbers(tuple(numbered), gradient)


def _check_budget(request: ChainsRequest, subject: Subject) -> None:
    """Refuse, before anything is listed or built, a selection past ``limit``: its chains,
    its terms (:data:`~chainrule.budget.TERMS_PER_CHAIN` a chain) and, in the closed view, the
    symbols it would print."""
    total, terms = subject.totals(request.wrt, request.param)
    hint = (
        f" or select fewer with {budget.spelled('param', 'l,j,k')}"
        if subject.layered and request.wrt == "parameters"
        else ""
    )
    _check_selection(request.limit, hint, total, "chains", terms, "terms")


def compute(
    request: ChainsRequest, subject: Subject | None = None
) -> ChainsRecord | MatrixChainsRecord:
    """The chains record of `request`, refused past its budget before any chain is walked (in
    the matrix view, a :class:`MatrixChainsRecord`).

    `subject` is the request's subject resolved already: a front end that answers many
    requests about one network (the explorer's page) keeps it, with its graph built once.
    """
    if request.view == "matrix":
        return compute_matrix(request)
    if request.view == "numbers":
        return compute_numbers(request)
    if subject is None:
        subject = resolve(request.subject)
    _check_budget(request, subject)
    graph = subject.graph()
    sources = tuple(subject.sources(request.wrt, request.param))
    if request.view == "closed":
        size = closed_view_size(graph, [source.name for source in sources])
        allowed = int(request.limit * budget.CLOSED_SIZE_PER_CHAIN)
        if size > allowed:
            hint = (
                f" or select fewer with {budget.spelled('param', 'l,j,k')}"
                if subject.layered and request.wrt == "parameters"
                else ""
            )
            needed = int(size / budget.CLOSED_SIZE_PER_CHAIN)
            raise TooLarge(
                f"the closed view of the selection would print about {size:,} "
                f"symbols, more than the {allowed:,} that "
                f"{budget.spelled('limit', f'{request.limit:,}')} allows; use "
                f"{budget.spelled('view', 'local')}, or {budget.limit_advice(needed, hint)}"
            )
    return ChainsRecord(request, subject.label, graph, sources)


def compute_numbers(request: ChainsRequest) -> ChainsRecord:
    """The numbers view's record: the case read (or drawn), the chains counted and refused past
    ``limit``, the numbers they write counted and refused past ``max_numbers``, then the case's
    values computed once (:mod:`chainrule.records.numbers`) for every chain to read."""
    if request.case is None and request.subject.architecture is not None:
        # a drawn case of layer sizes: its network is known before it is drawn
        drawn = resolve(request.subject)
        if drawn.layered:
            _check_budget(request, drawn)
    obtained = case_numbers.obtain(
        request.subject,
        request.case,
        request.examples,
        request.seed,
        request.init_scale,
        request.max_numbers,
    )
    subject = resolve(obtained.about)
    _check_budget(request, subject)
    chains, terms = subject.totals(request.wrt, request.param)
    sources = tuple(subject.sources(request.wrt, request.param))
    hint = (
        f" or select fewer with {budget.spelled('param', 'l,j,k')}"
        if subject.layered and request.wrt == "parameters"
        else ""
    )
    case_numbers.check_written(
        subject.label,
        case_numbers.written(obtained.examples, terms, chains, chains + len(sources)),
        obtained.examples,
        request.max_numbers,
        hint,
    )
    numbers = case_numbers.numbers_of(obtained, request.max_numbers)
    return ChainsRecord(request, subject.label, subject.graph(), sources, numbers)


# -- the matrix view ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixGroup:
    """One tensor's layer-level chains (an iterator, walked as it is read), its δ recursion in
    batch form (None if a Jacobian on the way has none), and the cost's dJ/da lines it uses."""

    source: MatrixSource
    chains: Iterable[MatrixChain]
    batch: tuple[BatchEquation, ...] | None
    costs: tuple[BatchEquation, ...]

    @property
    def equations(self) -> tuple[BatchEquation, ...]:
        """The cost's lines, then the δ recursion: every batch equation in reading order."""
        return self.costs + (self.batch or ())


@dataclass(frozen=True)
class MatrixChainsRecord:
    """The layer-level chains of every selected tensor, walked on demand."""

    request: ChainsRequest
    label: str
    view: LayerGraph
    sources: tuple[MatrixSource, ...]

    def groups(self) -> Iterator[MatrixGroup]:
        for source in self.sources:
            batch = batch_form(self.view, source.name)
            costs = tuple(
                equation
                for edge in cost_edges(self.view, batch or ())
                if (equation := cost_gradient(self.view, edge)) is not None
            )
            yield MatrixGroup(source, iter_matrix_chains(self.view, source.name), batch, costs)

    def as_dict(self) -> list[dict[str, Any]]:
        """The document of ``chainrule chains --view matrix --json``: ``[{"parameter",
        "shape": [rows, cols], "scalar_chains", "chains": [[{"of", "wrt", "shape",
        "latex"}, ...], ...], "batch": [{"kind", "lhs", "rhs", "shape", "latex"}, ...] or
        null}, ...]``."""
        return [matrix_group_document(group) for group in self.groups()]


def matrix_group_document(group: MatrixGroup) -> dict[str, Any]:
    """One tensor's entry of the matrix view's JSON."""
    tensor = group.source.tensor
    return {
        "parameter": tensor.name,
        "shape": tensor.shape.as_json(),
        "scalar_chains": group.source.scalar_chains,
        "chains": [[factor.as_dict() for factor in chain] for chain in group.chains],
        "batch": None
        if group.batch is None
        else [equation_document(equation) for equation in group.equations],
    }


def equation_document(equation: BatchEquation) -> dict[str, Any]:
    return {
        "kind": equation.kind,
        "lhs": equation.lhs.text,
        "rhs": written(equation.rhs, "text"),
        "shape": equation.shape.as_json(),
        "latex": f"{equation.lhs.latex} = {written(equation.rhs, 'latex')}",
    }


def _check_matrix_budget(request: ChainsRequest, subject: LayerSubject) -> list[MatrixSource]:
    """Refuse, before any chain is listed, a selection whose layer-level chains pass
    ``limit`` (a residual network has 2^N), or their factors 100 a chain."""
    sources = subject.sources(request.wrt, request.param)
    chains = sum(source.chains for source in sources)
    factors = sum(source.factors for source in sources)
    hint = (
        f" or select fewer with {budget.spelled('param', 'NAME')}"
        if request.wrt == "parameters"
        else ""
    )
    _check_selection(
        request.limit,
        hint,
        chains,
        "layer-level chains",
        factors,
        "Jacobians in its layer-level chains",
    )
    return sources


def compute_matrix(request: ChainsRequest) -> MatrixChainsRecord:
    """The matrix view's record: the layer-level graph (in closed form for layer sizes,
    ``rnn:`` and ``resnet:``, so at any width), its chains counted before any is listed."""
    subject = resolve_layers(request.subject)
    sources = _check_matrix_budget(request, subject)
    return MatrixChainsRecord(request, subject.label, subject.view, tuple(sources))


#: A request from an architecture and options by keyword (``ChainsRequest.of``).
request = ChainsRequest.of


def _check_selection(
    limit: int, hint: str, chains: int, chains_are: str, terms: int, terms_are: str
) -> None:
    """Refuse a selection of more than `limit` chains, or of more terms than `limit` chains
    of :data:`~chainrule.budget.TERMS_PER_CHAIN` terms each hold, naming what they are (scalar
    chains and their terms, or layer-level chains and their Jacobians) and how to ask for it."""
    spelled = budget.spelled("limit", f"{limit:,}")
    if chains > limit:
        raise TooLarge(
            f"the selection has {chains:,} {chains_are}, more than {spelled}; "
            f"{budget.limit_advice(chains, hint)}"
        )
    if terms > limit * budget.TERMS_PER_CHAIN:
        needed = -(-terms // budget.TERMS_PER_CHAIN)
        raise TooLarge(
            f"the selection has {terms:,} {terms_are}, more than the "
            f"{limit * budget.TERMS_PER_CHAIN:,} ({budget.TERMS_PER_CHAIN} a chain) that "
            f"{spelled} allows; {budget.limit_advice(needed, hint)}"
        )
