"""The numbers a gradient is checked on: a case file's, or a random case drawn as verify draws it.

``verify`` and ``paths`` evaluate their gradients on one case: read from a case file (``case``,
whose network and numbers are fixed), or drawn from the architecture, ``seed``, ``examples``
and ``init_scale`` within ``max_numbers``. The options a case file makes meaningless are
refused by name, spelled as the front end that asked spells them (``--seed``, ``seed=``).

Examples
--------
>>> from chainrule.graph.spec import Network
>>> case, origin = draw(Network([2, 2, 1]), examples=3, seed=1, init_scale=0.5)
>>> case.inputs.shape, origin
((3, 2), 'seed 1, weights from [-0.5, 0.5]')
>>> refuse_conflicts(SubjectRequest("2-2-1"), seed=3, examples=4, init_scale=1.0)
Traceback (most recent call last):
...
chainrule.errors.SpecError: the case file holds the numbers; seed draws a random case: drop it, \
or leave out case
>>> case, origin = obtain(SubjectRequest("examples/graphs/tied.json"), init_scale=0)
>>> case.parameters, origin
({'w': 0.0, 'b': 0.0}, 'seed 0, every parameter 0')
"""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING, Any, NamedTuple

from chainrule import budget
from chainrule.errors import SpecError
from chainrule.files import parse_json, read_json
from chainrule.graph.spec import Network
from chainrule.numeric.case import Case, random_case
from chainrule.records.options import NETWORK, Option, read_options
from chainrule.records.subject import SubjectRequest, names_a_graph, resolve

if TYPE_CHECKING:
    from chainrule.numeric.case import Case
    from chainrule.verification.graphcase import GraphCase
from chainrule.lazy import lazy

if TYPE_CHECKING:
    from chainrule.verification import casefile as casefile
    from chainrule.verification import graphcase as graphcase
    from chainrule.verification import verify as verification
else:
    # Loaded on first use: these modules load SymPy or networkx as they are imported,
    # which the arithmetic on layer sizes never needs.
    casefile = lazy("chainrule.verification.casefile")
    graphcase = lazy("chainrule.verification.graphcase")
    verification = lazy("chainrule.verification.verify")

#: Examples in a random case unless asked otherwise (``paths`` draws one).
DEFAULT_EXAMPLES = 4


def refuse_conflicts(
    subject: SubjectRequest,
    seed: int,
    examples: int,
    init_scale: float,
    default_examples: int = DEFAULT_EXAMPLES,
) -> None:
    """Refuse, beside a case file, the drawing of random numbers (``seed``, ``examples``,
    ``init_scale`` away from their defaults): the file holds the numbers. (What else a file
    fixes, the network's shape, is refused when the file is read: a case of named leaves
    leaves it to the options.)"""
    leave_out = f"or leave out {budget.spelled('case')}"
    drawn = [
        budget.spelled(option)
        for option, given in (
            ("seed", seed != 0),
            ("examples", examples != default_examples),
            ("init_scale", init_scale != 1.0),
        )
        if given
    ]
    if drawn:
        one = len(drawn) == 1
        raise SpecError(
            f"the case file holds the numbers; {', '.join(drawn)} "
            f"{'draws' if one else 'draw'} a random case: drop {'it' if one else 'them'}, "
            f"{leave_out}"
        )


def _refuse_shape(subject: SubjectRequest) -> None:
    """Refuse, beside a layered network's case file, the options the file sets."""
    if subject.shaped:
        raise SpecError(
            f"the case file sets the network; drop {budget.spelled('bias')}, "
            f"{budget.spelled('activation')} and {budget.spelled('cost')}, or leave out "
            f"{budget.spelled('case')}"
        )


def _architecture_word() -> str:
    """What the subject's argument is called where it was given: ARCH on the command line."""
    return {"cli": "ARCH", "http": "arch"}.get(budget.current_front_end().kind, "architecture")


def _graph_subject(subject: SubjectRequest) -> bool:
    """Whether `subject` names a graph (a graph file, its text, ``rnn:``, ``resnet:`` or a built
    graph) rather than layer sizes."""
    given = subject.architecture
    return (
        subject.graph_text is not None
        or names_a_graph(given)
        or not isinstance(given, (str, Network, type(None)))
    )


def _check_sizes(architecture: object, loaded: Case) -> None:
    """Refuse layer sizes given beside a layered case whose sizes differ."""
    if not architecture or not isinstance(architecture, (str, Network)):
        return
    if names_a_graph(architecture):
        raise SpecError(
            f"the case describes the layered network {loaded.network.architecture}, not "
            f"{architecture}: a graph's case names its leaves, "
            '{"values": {"w1": 0.15, "i1": [0.05], ...}}'
        )
    sizes = (
        architecture.sizes
        if isinstance(architecture, Network)
        else Network.parse(str(architecture)).sizes
    )
    if sizes != loaded.network.sizes:
        raise SpecError(
            f"{_architecture_word()} {architecture} and the case file's sizes "
            f"{loaded.network.architecture} disagree; give one of them"
        )


def of_values(subject: SubjectRequest, values: object) -> Case | GraphCase:
    """The case of `subject` whose leaves `values` names (``{"w1": 0.15, "i1": [0.05], ...}``,
    or the whole ``{"values": ...}`` document): a :class:`~chainrule.numeric.case.Case` for
    layer sizes (leaves ``theta^(l)_jk``, ``x_k``, ``y_i``), a
    :class:`~chainrule.verification.graphcase.GraphCase` for any graph."""
    resolved = resolve(subject)
    if resolved.layered:
        return casefile.case_from_values(resolved.layered_network(), values)

    return graphcase.graph_case(resolved.graph(), values)


#: The options that shape the subject of a case given by its leaves (``rnn_cost`` for rnn:).
CASE_SUBJECT_OPTIONS = ("bias", "activation", "cost", "max_graph", "rnn_cost")


def case(architecture: object, values: object, **options: object) -> Case | GraphCase:
    """The case of `architecture` (layer sizes, ``rnn:``/``resnet:``, a graph file's path, a
    Network or a built graph) whose leaves `values` names: parameters one number each, inputs
    and targets one number per example (``{"w1": 0.15, "i1": [0.05], "t1": [0.01]}``, or the
    whole case-file document ``{"values": {...}}``). Options ``bias``, ``activation``,
    ``cost``, ``max_graph`` and ``rnn_cost`` shape the network, as for every command.

    The case returned (a :class:`~chainrule.numeric.case.Case` for layer sizes, whose leaves
    are ``theta^(l)_jk``, ``x_k`` and ``y_i``; a
    :class:`~chainrule.verification.graphcase.GraphCase` for a graph) is what ``case=`` takes
    in :mod:`chainrule.api`, and ``case.as_dict()`` is its case file. Every problem is one
    :class:`~chainrule.errors.SpecError` naming the leaf.

    Examples
    --------
    >>> made = case("examples/graphs/tied.json", {"w": 0.5, "b": 0, "x": [1, 2], "y": [0, 1]})
    >>> made.examples, made.parameters
    (2, {'w': 0.5, 'b': 0.0})
    >>> case("1-1", {"theta^(1)_11": 0.5, "x_1": [2], "y_1": [1]}).weights
    (array([[0.5]]),)
    >>> case("1-1", {"theta^(1)_11": float("nan"), "x_1": [2], "y_1": [1]})
    Traceback (most recent call last):
    ...
    chainrule.errors.SpecError: 'theta^(1)_11' holds nan, which is not a finite number
    """

    rnn_cost = Option("rnn_cost", "", default=None, choices=("last", "sum"))
    read = read_options((*NETWORK, rnn_cost), options, "case")
    return of_values(SubjectRequest(architecture, **read), values)


class CaseText(NamedTuple):
    """A case file's JSON text, sent rather than named: the explorer reads no files, so a case
    pasted into its page arrives as text and is read as a case file's document is."""

    text: str


def load(case: Any, subject: SubjectRequest) -> tuple[Case | GraphCase, str]:
    """The case given for `subject`, and where its numbers came from: a
    :class:`~chainrule.numeric.case.Case` or a
    :class:`~chainrule.verification.graphcase.GraphCase` as it is, or a case file (its path, or
    its text as a :class:`CaseText`).

    A case file is a layered network's (``sizes``, ``weights``, ...: it sets the network, so
    ``bias``, ``activation`` and ``cost`` are refused beside it, and layer sizes given must be
    its own) or names the leaves of the subject given (``{"values": {...}}``).

    Examples
    --------
    >>> case, origin = load(CaseText('{"values": {"theta^(1)_11": 0.5, "x_1": [2], '
    ...                              '"y_1": [1]}}'), SubjectRequest("1-1"))
    >>> case.weights, origin
    ((array([[0.5]]),), 'the case sent')
    >>> load(CaseText("/etc/passwd"), SubjectRequest("1-1"))
    Traceback (most recent call last):
    ...
    chainrule.errors.SpecError: the case sent is not JSON (a case file's text; ...): '/etc/passwd'
    """

    if isinstance(case, graphcase.GraphCase):
        given = subject.architecture
        same = (
            given is None
            or given is case.graph
            or (isinstance(given, str) and case.label in (given, PurePath(given).name))
        )
        if not same:
            raise SpecError(
                f"the case given is {case.label}'s; leave out {_architecture_word()}, or give "
                "its values"
            )
        return case, "the case given"
    if isinstance(case, Case):
        _refuse_shape(subject)
        _check_sizes(subject.architecture, case)
        return case, "the case given"
    if subject.architecture is None and subject.graph_text is None:
        _refuse_shape(subject)  # without ARCH the file must be a layered network's, which sets it
    # NaN or Infinity in a case is refused by the name of the leaf or field that holds it
    if isinstance(case, CaseText):
        where = origin = "the case sent"
        if not case.text.lstrip().startswith("{"):
            raise SpecError(
                f"{where} is not JSON (a case file's text; the explorer reads no files): "
                f"{case.text.strip()[:40]!r}"
            )
        document = parse_json(case.text, where, nonfinite=True)
    else:
        path = str(case)
        where, origin = f"case file {path!r}", f"case file {path}"
        document = read_json(path, "case file", nonfinite=True)
    if isinstance(document, dict) and "values" in document:
        if subject.architecture is None and subject.graph_text is None:
            raise SpecError(
                f"{where} names leaves: give the {_architecture_word()} they belong "
                "to (a graph file, rnn:, resnet: or layer sizes)"
            )
        unknown = sorted(set(document) - {"values"})
        if unknown:
            raise SpecError(f"{where}: unknown field {unknown[0][:80]!r} beside 'values'")
        try:
            return of_values(subject, document["values"]), origin
        except SpecError as error:
            if (
                "case file" in str(error)
                or where in str(error)
                or str(error).startswith("graph file")
            ):
                raise
            raise SpecError(f"{where}: {error}") from None
    if _graph_subject(subject):
        raise SpecError(
            f"{where} describes a layered network; a graph's case names its "
            'leaves: {"values": {"w1": 0.15, "i1": [0.05], ...}}'
        )
    _refuse_shape(subject)

    try:
        loaded = casefile.case_from_dict(document)
    except SpecError as error:
        raise SpecError(f"{where}: {error}") from None
    _check_sizes(subject.architecture, loaded)
    return loaded, origin


def draw(
    network: Network,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
    init_scale: float = 1.0,
    max_numbers: int = budget.DEFAULT_MAX_NUMBERS,
) -> tuple[Case, str]:
    """A random case of `network`, refused past `max_numbers` before anything is drawn, and
    where its numbers came from."""

    case = random_case(
        network, examples=examples, seed=seed, init_scale=init_scale, max_numbers=max_numbers
    )
    return case, drawn_origin(seed, init_scale, "weights")


def drawn_origin(seed: int, init_scale: float, noun: str) -> str:
    """Where a drawn case's numbers came from: ``seed 0, weights from [-1, 1]`` (``every weight
    0`` at scale 0, a legitimate start for a worked example: every unit alike).

    Examples
    --------
    >>> drawn_origin(3, 0.5, "parameters"), drawn_origin(0, 0.0, "weights")
    ('seed 3, parameters from [-0.5, 0.5]', 'seed 0, every weight 0')
    """
    if init_scale == 0:
        return f"seed {seed}, every {noun.removesuffix('s')} 0"
    return f"seed {seed}, {noun} from [-{init_scale:g}, {init_scale:g}]"


def draw_graph(
    graph,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
    init_scale: float = 1.0,
    max_numbers: int = budget.DEFAULT_MAX_NUMBERS,
) -> tuple[GraphCase, str]:
    """A random case of any graph, drawn as ``verify`` draws one (parameters from
    [-init_scale, init_scale], inputs from [-1, 1] and targets from [0, 1] per example), refused
    past `max_numbers` before anything is drawn; and where its numbers came from."""

    parameters, inputs, targets = graphcase.leaf_names(graph)
    label = graph.graph.get("source", "the graph")
    budget.check(
        f"numbers in a case of {label} with {examples:,} example{'' if examples == 1 else 's'}",
        len(parameters) + examples * (len(inputs) + len(targets)),
        max_numbers,
        "max_numbers",
    )
    leaves = verification.random_leaf_values(graph, examples, seed, init_scale)
    return graphcase.from_leaves(graph, leaves, examples), drawn_origin(
        seed, init_scale, "parameters"
    )


def obtain(
    subject: SubjectRequest,
    case: Any = None,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
    init_scale: float = 1.0,
    max_numbers: int = budget.DEFAULT_MAX_NUMBERS,
    default_examples: int = DEFAULT_EXAMPLES,
) -> tuple[Case | GraphCase, str]:
    """The case of any subject, and where its numbers came from: `case` (a case file's path, a
    Case or a GraphCase) with no drawing option beside it, or one drawn at random (a layered
    network's :class:`~chainrule.numeric.case.Case`, a graph's
    :class:`~chainrule.verification.graphcase.GraphCase`)."""
    if case is not None:
        refuse_conflicts(subject, seed, examples, init_scale, default_examples)
        return load(case, subject)
    if subject.architecture is None and subject.graph_text is None:
        raise missing_subject()
    resolved = resolve(subject)
    if resolved.layered:
        return draw(resolved.layered_network(), examples, seed, init_scale, max_numbers)
    return draw_graph(resolved.graph(), examples, seed, init_scale, max_numbers)


def missing_subject() -> SpecError:
    """The error for a request that names neither an architecture nor a case file (the
    explorer takes no case file: a graph file instead)."""
    kind = budget.current_front_end().kind
    if kind == "cli":
        return SpecError("give an architecture (ARCH) or a case file (--case FILE)")
    if kind == "http":
        return SpecError("give an architecture (arch) or a graph file (graph)")
    return SpecError("give an architecture such as '2-2-2' or a case file (case='FILE')")


def case_for(options: Any, default_examples: int = DEFAULT_EXAMPLES) -> tuple[Case, str]:
    """The case of a layered network named by parsed options (``architecture``, ``case``, the
    network options and the drawing options, as attributes): from the case file, or drawn as
    ``verify`` draws it."""
    subject = SubjectRequest(
        options.architecture,
        bias=options.bias,
        activation=options.activation,
        cost=options.cost,
        max_graph=getattr(options, "max_graph", budget.DEFAULT_MAX_GRAPH),
    )
    case, origin = obtain(
        subject,
        options.case or None,
        options.examples,
        options.seed,
        options.init_scale,
        getattr(options, "max_numbers", budget.DEFAULT_MAX_NUMBERS),
        default_examples,
    )

    assert isinstance(case, Case)  # asked for layer sizes only
    return case, origin
