"""``chains``: every chain-rule product from the selected sources to J, streamed.

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
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chainrule import budget
from chainrule.calculus import symbolic
from chainrule.calculus.counting import closed_view_size
from chainrule.errors import TooLarge
from chainrule.graph.chains import Chain, iter_chains
from chainrule.notation import notation_for
from chainrule.records import options as shared
from chainrule.records.options import read_options
from chainrule.records.subject import Source, Subject, SubjectRequest, resolve, subject_of

if TYPE_CHECKING:
    import networkx as nx

PARAM = shared.param(
    "the weight theta^(l)_jk (k = 0 for a bias); repeatable; all weights by default"
)
LIMIT, WRT, VIEW = shared.LIMIT, shared.WRT, shared.VIEW
OPTIONS = (*shared.NETWORK, PARAM, LIMIT, WRT, VIEW)


@dataclass(frozen=True)
class ChainsRequest:
    """Which chains to write: the sources selected (every parameter or input by default), the
    view of each factor, and the most chains to write."""

    subject: SubjectRequest
    param: tuple[str, ...] = ()
    limit: int = budget.DEFAULT_CHAIN_LIMIT
    wrt: str = "parameters"
    view: str = "abstract"

    @classmethod
    def of(
        cls, architecture: object = None, graph_text: str | None = None, **given: object
    ) -> ChainsRequest:
        """A request from an architecture (or a graph file's text) and options by keyword,
        each checked."""
        values = read_options(OPTIONS, given, "chains")
        return cls(subject_of(architecture, graph_text, values), **values)


@dataclass(frozen=True)
class ChainGroup:
    """One source's chains: its counts, the chains (an iterator, walked as it is read), and in
    the closed view its gradient as one expression."""

    source: Source
    chains: Iterable[Chain]
    closed: Any = None


@dataclass(frozen=True)
class ChainsRecord:
    """The chains of every selected source, walked on demand."""

    request: ChainsRequest
    label: str
    graph: nx.DiGraph
    sources: tuple[Source, ...]

    def groups(self) -> Iterator[ChainGroup]:
        """Each source's :class:`ChainGroup`, in order; its chains are walked as they are read
        (in the closed view they are first held, one source at a time, to be added up)."""
        for source in self.sources:
            chains: Iterable[Chain] = iter_chains(self.graph, source.name)
            closed = None
            if self.request.view == "closed":
                chains = list(chains)
                closed = symbolic.closed_sum(self.graph, chains)
            yield ChainGroup(source, chains, closed)

    def as_dict(self) -> list[dict[str, Any]]:
        """The document of ``chainrule chains --json``: ``[{"parameter", "chains": [[factor,
        ...], ...]}, ...]``; the local view adds each factor's ``formula`` and
        ``formula_latex``, the closed view each source's ``closed`` and ``closed_latex``."""
        text, latex = notation_for("text", self.graph), notation_for("latex", self.graph)
        document = []
        for group in self.groups():
            entry: dict[str, Any] = {"parameter": group.source.name}
            if group.closed is not None:
                entry["closed"] = text.formula(group.closed)
                entry["closed_latex"] = latex.formula(group.closed)
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
    limit = budget.spelled("limit", f"{request.limit:,}")
    if total > request.limit:
        raise TooLarge(
            f"the selection has {total:,} chains, more than {limit}; "
            f"{budget.limit_advice(total, hint)}"
        )
    if terms > request.limit * budget.TERMS_PER_CHAIN:
        needed = -(-terms // budget.TERMS_PER_CHAIN)
        raise TooLarge(
            f"the selection has {terms:,} terms, more than the "
            f"{request.limit * budget.TERMS_PER_CHAIN:,} ({budget.TERMS_PER_CHAIN} a "
            f"chain) that {limit} allows; {budget.limit_advice(needed, hint)}"
        )


def compute(request: ChainsRequest, subject: Subject | None = None) -> ChainsRecord:
    """The chains record of `request`, refused past its budget before any chain is walked.

    `subject` is the request's subject resolved already: a front end that answers many
    requests about one network (the explorer's page) keeps it, with its graph built once.
    """
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


#: A request from an architecture and options by keyword (``ChainsRequest.of``).
request = ChainsRequest.of
