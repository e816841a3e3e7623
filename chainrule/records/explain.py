"""``explain``: the whole story of one network in six steps, as the records of the commands.

The tour is a composition of the other commands' records: the counts and how they grow with
depth and width (:mod:`~chainrule.records.count`, with the operation counts), the chains of one
weight (:mod:`~chainrule.records.chains`), their factoring into δ and the δ definitions
(:mod:`~chainrule.records.delta`), the same a layer at a time with every shape (the matrix
views of :mod:`~chainrule.records.chains` and :mod:`~chainrule.records.delta`: no scalar graph,
so it is told at any width), and the check against numbers (:mod:`~chainrule.records.verify`).
:mod:`chainrule.present.explain` tells them as text.

The tour never refuses: it says what it can within its budget. Every section is priced from
the counts before anything is built (:func:`tour_work`: the graph built, the chains and
formulas written, the matrix form's layers, and :func:`~chainrule.records.verify.work`); past
:data:`~chainrule.budget.MAX_TOUR_WORK` the check against numbers is left out, and past it
without the check the tour keeps to counts and operations, each saying so. Only the first
:data:`CHAINS_SHOWN` chains are walked, and the factoring is shown step by step only for that
few: a weight of 2^15 chains is grouped in closed form, never enumerated.

Examples
--------
>>> record = compute(ExplainRequest.of("2-2-2"))
>>> record.parameter.name, len(record.shown), record.factoring_steps, record.verification.ok
('theta^(1)_11', 2, 2, True)
>>> record.left_out is None, [row.label for row in record.growth.rows]
(True, ['2-2-2', '2-2-2-2', '2-2-2-2-2', '2-2-2-2-2-2-2', '2-4-2'])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple

from chainrule import budget
from chainrule.calculus.counting import count_parameter
from chainrule.graph.build import graph_size
from chainrule.graph.spec import Network, ParameterIndex, parse_parameter
from chainrule.records import chains as chains_record
from chainrule.records import count as count_record
from chainrule.records import delta as delta_record
from chainrule.records import options as shared
from chainrule.records import verify as verify_record
from chainrule.records.options import read_options
from chainrule.records.subject import SubjectRequest, resolve, subject_of

if TYPE_CHECKING:
    from chainrule.graph.chains import Chain

#: Beyond these, a section says what it left out rather than flooding the terminal.
CHAINS_SHOWN = 8
DELTAS_SHOWN = 8
LOCAL_CHAINS_SHOWN = 2
#: A graph of more nodes and edges than this is never built for the tour.
GRAPH_ELEMENTS_FOR_TOUR = 200_000

PARAM = shared.param("the weight whose chains to follow (default 1,1,1)", repeat=False)._replace(
    default="1,1,1"
)
SEED = shared.SEED._replace(help="seed of the verification's random case (default 0)")
OPTIONS = (*shared.NETWORK, PARAM, SEED)
#: The progress callback: (the section about to be prepared, how many are done, of how many).
Progress = Callable[[str, int, int], None]
STAGES = ("count", "matrix", "chains", "delta", "verify")


@dataclass(frozen=True)
class ExplainRequest:
    """Which network to tell, whose chains to follow, and the seed of the check's case."""

    subject: SubjectRequest
    param: str = "1,1,1"
    seed: int = 0

    @classmethod
    def of(
        cls, architecture: object = "2-2-2", graph_text: str | None = None, **given: object
    ) -> ExplainRequest:
        """A request from layer sizes (2-2-2 by default) and options by keyword, each
        checked."""
        values = read_options(OPTIONS, given, "explain")
        return cls(subject_of(architecture, graph_text, values), **values)


class Left(NamedTuple):
    """A section left out: which (``tour``, everything after the counts; ``verify``, the
    check), and why, in words."""

    section: str
    why: str


@dataclass(frozen=True)
class ExplainRecord:
    """The tour's records. `counts` and `growth` (the network, then one, two and four hidden
    layers deeper and twice as wide; each with its operation counts) are always there; the
    rest is None when its section is `left_out`: `chains` (of `parameter`, whose first
    :data:`CHAINS_SHOWN` are `shown`), `factoring` (its δ form, every δ definition, and the
    steps when it has few chains), `verification`."""

    request: ExplainRequest
    network: Network
    parameter: ParameterIndex
    counts: count_record.CountRecord
    growth: count_record.CountRecord
    graph_elements: int
    #: The parameter's chains and terms, counted in closed form.
    chain_count: tuple[int, int]
    chains: chains_record.ChainsRecord | None = None
    shown: tuple[Chain, ...] = ()
    factoring: delta_record.DeltaRecord | None = None
    factoring_steps: int = 0
    verification: verify_record.VerifyRecord | None = None
    left_out: Left | None = None
    #: The parameter's weight matrix a layer at a time: its layer-level chains with their
    #: shapes, and the δ recursion for every weight (None past the tour's budget of layers).
    matrix_chains: chains_record.MatrixChainsRecord | None = None
    matrix_deltas: delta_record.MatrixDeltaRecord | None = None

    def as_dict(self) -> dict[str, Any]:
        """The tour as one document: each command's own, and what was left out and why."""
        chains, terms = self.chain_count
        document: dict[str, Any] = {
            "architecture": self.network.architecture,
            "parameter": self.parameter.name,
            "count": self.counts.as_dict()[0],
            "growth": self.growth.as_dict(),
            "parameter_chains": chains,
            "parameter_terms": terms,
        }
        if self.chains is not None:
            document["chains"] = [[factor.as_dict() for factor in chain] for chain in self.shown]
        if self.factoring is not None:
            document["delta"] = self.factoring.as_dict()
            document["factoring_steps"] = self.factoring_steps
        if self.matrix_chains is not None and self.matrix_deltas is not None:
            document["matrix"] = {
                "chains": self.matrix_chains.as_dict(),
                "delta": self.matrix_deltas.as_dict(),
            }
        if self.verification is not None:
            document["verify"] = self.verification.as_dict()
        if self.left_out is not None:
            document["left_out"] = self.left_out._asdict()
        return document


def growth(network: Network) -> list[Network]:
    """The network, one, two and four hidden layers deeper, and twice as wide.

    Examples
    --------
    >>> [n.architecture for n in growth(Network([1, 3, 2]))]
    ['1-3-2', '1-3-3-2', '1-3-3-3-2', '1-3-3-3-3-3-2', '1-6-2']
    """
    sizes = network.sizes
    hidden_width = max(sizes[1:-1], default=sizes[0])
    deeper = [sizes[:-1] + (hidden_width,) * extra + sizes[-1:] for extra in (1, 2, 4)]
    wider = sizes[:1] + tuple(2 * n for n in sizes[1:-1]) + sizes[-1:]
    variants = [sizes, *deeper] + ([wider] if wider != sizes else [])
    return [
        Network(v, bias=network.bias, activation=network.activation[0], cost=network.cost)
        for v in dict.fromkeys(variants)
    ]


class TourWork(NamedTuple):
    """The tour's sections priced, in microseconds: everything but the check, and the check."""

    tour: int
    verification: int


def tour_work(network: Network, parameter: ParameterIndex) -> TourWork:
    """What the tour of `network` following `parameter` costs, from its counts: the graph
    built, the chains shown (each partial written, two chains' local formulas printed), the δ
    definitions and the factoring, the matrix form a layer at a time; and the check.

    Examples
    --------
    >>> work = tour_work(Network([2, 2, 2]), ParameterIndex(1, 1, 1))
    >>> work.tour < 100_000, work.verification < 100_000
    (True, True)
    """

    nodes, edges = graph_size(network)
    chains, terms = count_parameter(network, parameter)
    length = terms // chains
    shown = min(chains, CHAINS_SHOWN)
    widest = max(network.sizes)
    written = (
        shown * length * budget.PARTIAL_WORK
        + min(chains, LOCAL_CHAINS_SHOWN) * length * budget.LOCAL_FORMULA_WORK
        # the δ definitions shown, in both views, each a sum over the layer above
        + min(DELTAS_SHOWN, sum(network.sizes[1:])) * 2 * widest * budget.LOCAL_FORMULA_WORK
        + network.depth * budget.MATRIX_LAYER_WORK
    )
    if chains <= CHAINS_SHOWN:  # the steps are written out: every chain once a step
        steps = delta_record.layered_steps(chains, terms)
        written += terms * (steps + 1) * budget.PARTIAL_WORK
    tour = (nodes + edges) * budget.GRAPH_ELEMENT_WORK + written
    return TourWork(tour, verify_record.work(network))


def compute(request: ExplainRequest, progress: Progress | None = None) -> ExplainRecord:
    """The tour's records, each section priced first and left out past the tour's budget."""

    subject = resolve(request.subject, "explain", layers_only=True)
    network = subject.layered_network()
    parameter = parse_parameter(request.param, network)

    def begin(stage: str) -> None:  # told before each record: the check may take a second
        if progress is not None:
            progress(stage, STAGES.index(stage), len(STAGES))

    about = SubjectRequest(network, max_graph=request.subject.max_graph)
    begin("count")
    counts = count_record.compute(count_record.CountRequest((about,), ops=True))
    variants = tuple(SubjectRequest(variant) for variant in growth(network))
    grown = count_record.compute(count_record.CountRequest(variants, ops=True))
    nodes, edges = graph_size(network)
    chains, terms = count_parameter(network, parameter)

    text = ",".join(map(str, parameter))
    matrix: dict[str, Any] = {}
    # The matrix form needs no scalar graph: it is told at any width, within its layers' price.
    if network.depth * budget.MATRIX_LAYER_WORK <= budget.MAX_TOUR_WORK:
        begin("matrix")
        matrix_chains = chains_record.compute(
            chains_record.ChainsRequest(about, param=(text,), view="matrix")
        )
        matrix_deltas = delta_record.compute(
            delta_record.DeltaRequest(
                about, view="matrix", limit=max(budget.DEFAULT_CHAIN_LIMIT, 5 * network.depth)
            )
        )
        assert isinstance(matrix_chains, chains_record.MatrixChainsRecord)
        assert isinstance(matrix_deltas, delta_record.MatrixDeltaRecord)
        matrix = {"matrix_chains": matrix_chains, "matrix_deltas": matrix_deltas}

    def told(**sections: Any) -> ExplainRecord:
        return ExplainRecord(
            request,
            network,
            parameter,
            counts,
            grown,
            nodes + edges,
            (chains, terms),
            **sections,
            **matrix,
        )

    work = tour_work(network, parameter)
    if nodes + edges > min(GRAPH_ELEMENTS_FOR_TOUR, request.subject.max_graph):
        return told(left_out=Left("tour", f"{nodes + edges:,} nodes and edges"))
    if work.tour > budget.MAX_TOUR_WORK:
        seconds = f"about {work.tour / 1e6:.1f} s of work for its {network.depth:,} layers"
        return told(left_out=Left("tour", seconds))

    # Each record is asked for only what the tour shows, which is priced above: the chains
    # are walked to the first CHAINS_SHOWN, the factoring is grouped step by step only when
    # it has no more chains than that. Their own limits (for writing everything) are set not
    # to refuse what the tour never writes.
    begin("chains")
    chain_record = chains_record.compute(
        chains_record.ChainsRequest(
            about, param=(text,), limit=max(chains, -(-terms // budget.TERMS_PER_CHAIN))
        )
    )
    (group,) = chain_record.groups()
    shown = tuple(islice(group.chains, CHAINS_SHOWN))
    begin("delta")
    steps = delta_record.layered_steps(chains, terms)
    factoring = delta_record.compute(
        delta_record.DeltaRequest(
            about,
            param=(text,),
            limit=max(chains, edges, -(-terms * (steps + 1) // budget.TERMS_PER_CHAIN)),
        )
    )
    assert isinstance(factoring, delta_record.DeltaRecord)  # the scalar view
    # Computed now, with the rest of the work, rather than when the presenter reads them.
    _ = factoring.definitions, factoring.gradients
    if chains <= CHAINS_SHOWN:
        _ = factoring.factorings
    verification, left_out = None, None
    if work.tour + work.verification > budget.MAX_TOUR_WORK:
        seconds = f"about {work.verification / 1e6:.1f} s of verification"
        left_out = Left("verify", seconds)
    else:
        begin("verify")
        verification = verify_record.compute(verify_record.VerifyRequest(about, seed=request.seed))
    return told(
        chains=chain_record,
        shown=shown,
        factoring=factoring,
        factoring_steps=steps,
        verification=verification,
        left_out=left_out,
    )


#: A request from layer sizes and options by keyword (``ExplainRequest.of``).
request = ExplainRequest.of
