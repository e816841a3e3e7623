"""``check``: hand-derived gradients and δs judged, each mistake named.

A request holds the claims (given one by one, or read from a file, one a line) and the network
or graph they are about. :func:`compute` refuses more than :data:`~chainrule.budget.MAX_CLAIMS`
claims before judging any, then judges each in turn
(:func:`chainrule.verification.claims.judge`): proven correct, shown wrong with its mistake
named, or unknown. A claim that cannot be read is refused with its number, and, among several,
only it: the others keep their verdicts (the command line writes its error line beside them).

Examples
--------
>>> record = compute(CheckRequest.of("2-2-2", claims=["dJ/dtheta^(2)_11 = delta^(3)_1 * a^(2)_1",
...                                                   "dJ/dtheta^(2)_11 = 0"]))
>>> [verdict.document["verdict"] for verdict in record.verdicts], record.ok
(['correct', 'wrong'], False)
>>> record.verdicts[1].true_text
'dJ/dtheta^(2)_11 = delta^(3)_1 * a^(2)_1'
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chainrule import budget
from chainrule.errors import ChainruleError, SpecError, TooLarge
from chainrule.notation.matrix_reading import looks_like_matrix_claim
from chainrule.records import options as shared
from chainrule.records.options import Option, read_options
from chainrule.records.subject import SubjectRequest, resolve, subject_of
from chainrule.verification import claims as judging
from chainrule.verification.matrix_claims import judge_matrix

if TYPE_CHECKING:
    import networkx as nx

DEFAULT_LIMIT = 10_000

CLAIMS = Option(
    "claims",
    "an equation in text, unicode or LaTeX notation",
    default=None,
    metavar="CLAIM",
    repeat=True,
)
FILE = Option(
    "file",
    "read claims from F, one per line ('-' for stdin; blank lines and "
    "lines starting with # are skipped)",
    default=None,
    metavar="F",
)
LIMIT = shared.LIMIT._replace(
    default=DEFAULT_LIMIT,
    help=f"refuse a quantity with more than N chains (default {DEFAULT_LIMIT})",
)
OPTIONS = (*shared.NETWORK, CLAIMS, FILE, LIMIT)


@dataclass(frozen=True)
class CheckRequest:
    """The claims to judge (those given, then those of `file`), what they are about, and the
    most chains a claimed quantity may have."""

    subject: SubjectRequest
    claims: tuple[str, ...] = ()
    file: str | None = None
    limit: int = DEFAULT_LIMIT

    @classmethod
    def of(
        cls, architecture: object = None, graph_text: str | None = None, **given: object
    ) -> CheckRequest:
        """A request from an architecture (or a graph file's text) and options by keyword,
        each checked; the claims of ``file`` are read now, after those given."""
        values = read_options(OPTIONS, given, "check")
        values["claims"] = values["claims"] + _read_claims(values["file"])
        if not values["claims"]:
            raise SpecError(
                "give at least one claim, e.g. 'dJ/dtheta^(1)_11 = delta^(2)_1 * x_1', or "
                + budget.spelled("file", "F")
            )
        return cls(subject_of(architecture, graph_text, values), **values)


def _read_claims(path: str | None) -> tuple[str, ...]:
    """The claims of a file (stdin for ``-``): one a line, blank lines and ``#`` lines left
    out; at most :data:`budget.CLAIMS_FILE_CHARACTERS` characters are read."""
    if path is None:
        return ()
    try:
        if path == "-":
            text = sys.stdin.read(budget.CLAIMS_FILE_CHARACTERS)
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read(budget.CLAIMS_FILE_CHARACTERS)
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise SpecError(f"cannot read claims from {path!r}: {reason}") from None
    return tuple(
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith("#")
    )


@dataclass(frozen=True)
class Verdict:
    """One claim judged: its document (what ``--json`` prints for it), the node the claim is
    about, and, unless it is correct, the true equation in text."""

    document: dict[str, Any]
    node: Hashable
    true_text: str | None

    @property
    def correct(self) -> bool:
        return self.document["verdict"] == "correct"

    @property
    def unreadable(self) -> bool:
        """Whether the claim could not be read (its document holds the ``error``)."""
        return self.document["verdict"] == "unreadable"


@dataclass(frozen=True)
class CheckRecord:
    """Every claim's verdict, in the order given."""

    request: CheckRequest
    graph: nx.DiGraph | None  # None when every claim is a matrix claim (no scalar graph)
    verdicts: tuple[Verdict, ...]

    @property
    def ok(self) -> bool:
        """Whether every claim is proven correct (the command's exit status 0)."""
        return all(verdict.correct for verdict in self.verdicts)

    @property
    def errors(self) -> list[str]:
        """Why each claim that could not be read was refused, ``claim N: ...``."""
        return [verdict.document["error"] for verdict in self.verdicts if verdict.unreadable]

    def as_dict(self) -> dict[str, Any]:
        """The document of ``chainrule check --json``: ``{"claims": [...]}``; a claim that
        could not be read is ``{"claim", "verdict": "unreadable", "error"}``."""
        return {"claims": [verdict.document for verdict in self.verdicts]}


def check_budget(request: CheckRequest) -> None:
    """Refuse, before any claim is read back, more claims than one run judges."""
    given = len(request.claims)
    if given > budget.MAX_CLAIMS:
        source = f" (with {budget.spelled('file', request.file)})" if request.file else ""
        raise TooLarge(
            f"{given:,} claims{source}, more than the {budget.MAX_CLAIMS:,} one run checks; "
            f"check them in runs of at most {budget.MAX_CLAIMS:,}"
        )


def compute(request: CheckRequest, progress: Callable[[int], None] | None = None) -> CheckRecord:
    """Judge every claim of `request`; `progress(claims judged)` is told after each."""
    check_budget(request)
    subject = resolve(request.subject)  # a graph file refuses --bias and the others

    # A claim about a whole tensor of layer sizes (delta^(2), dJ/dTheta^(1)) is judged a layer
    # at a time, with no scalar graph: 784-512-512-10 has too many nodes to build one for.
    matrix = [subject.layered and looks_like_matrix_claim(claim) for claim in request.claims]
    graph = None
    if not all(matrix):
        graph = (
            judging.graph_for_network(subject.layered_network())
            if subject.layered
            else subject.graph()
        )
    verdicts = []
    for number, claim in enumerate(request.claims, start=1):
        try:
            if matrix[number - 1]:
                verdicts.append(_matrix_verdict(subject.layered_network(), claim))
                if progress is not None:
                    progress(number)
                continue
            assert graph is not None  # built above for every scalar claim
            document, node = judging.judge(graph, claim, limit=request.limit)
        except ChainruleError as error:
            if len(request.claims) == 1:
                raise
            # one claim that cannot be read (or judged within the limit) among several: it
            # is refused alone, and the others keep their verdicts
            verdicts.append(
                Verdict(
                    {"claim": claim, "verdict": "unreadable", "error": f"claim {number}: {error}"},
                    None,
                    None,
                )
            )
            if progress is not None:
                progress(number)
            continue
        true_text = (
            None
            if document["verdict"] == "correct"
            else judging.printed_equation(graph, node, style="text")
        )
        verdicts.append(Verdict(document, node, true_text))
        if progress is not None:
            progress(number)
    return CheckRecord(request, graph, tuple(verdicts))


def _matrix_verdict(network, claim: str) -> Verdict:
    """A matrix claim's verdict (:mod:`chainrule.verification.matrix_claims`); its node is the
    quantity's name."""
    document, true_text = judge_matrix(network, claim)
    correct = document["verdict"] == "correct" and document["convention"] == "rows"
    return Verdict(document, document["quantity"], None if correct else true_text)


#: A request from an architecture and options by keyword (``CheckRequest.of``).
request = CheckRequest.of
