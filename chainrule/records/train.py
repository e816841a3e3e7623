"""``train``: gradient descent, θ := θ − η ∂J/∂θ, with the gradients that ``verify`` checks.

The request names a layered network, its training data (XOR, random rows or a file of inputs
and targets) and how to start (random weights, or every weight equal, to show why that fails);
or a case (``case``: a case file, or what :func:`chainrule.api.case` makes) that holds the data
and the starting weights, of layer sizes or of any graph (a graph file, ``rnn:``, ``resnet:``,
trained by its own formulas, compiled once: :mod:`chainrule.verification.descent`). A data file
that holds weights too starts from them, and says so. ``freeze`` holds parameters fixed.
:func:`start` checks all of it and makes the starting case; :func:`compute` also estimates the
run's work and refuses past :data:`~chainrule.budget.MAX_NUMERIC_WORK` before the first
epoch, then descends. The explorer streams a run a chunk of epochs at a time from :func:`start`.

Examples
--------
>>> record = compute(TrainRequest.of("2-2-1", bias=True, epochs=50, seed=3))
>>> len(record.costs), record.costs[-1] < record.costs[0]
(51, True)
>>> record.as_dict()["costs"][0]["epoch"], record.identical
(0, ())
>>> compute(TrainRequest.of("2-2-1", epochs=10**9))
Traceback (most recent call last):
...
chainrule.errors.TooLarge: 1,000,000,000 epochs of 2-2-1 on 4 examples take about ...
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from chainrule import budget
from chainrule.errors import SpecError, TooLarge
from chainrule.files import read_json
from chainrule.graph.spec import Network, parse_parameter
from chainrule.lazy import lazy
from chainrule.numeric.case import XOR_INPUTS, XOR_TARGETS, constant_case, random_case
from chainrule.numeric.train import descend, identical_hidden_units, predictions
from chainrule.records import cases
from chainrule.records import options as shared
from chainrule.records.options import Option, positive_float, positive_int, read_options
from chainrule.records.subject import SubjectRequest, names_a_graph, resolve, subject_of
from chainrule.records.values import (
    _check_evaluation,
    _check_frozen,
    _layered_frozen,
    frozen_names,
    split_frozen,
)
from chainrule.verification.casefile import load_training_data

if TYPE_CHECKING:
    from chainrule.verification import descent as descent
else:
    # Loaded on first use: SymPy and networkx come with them, which the other
    # calls of this module never need.
    descent = lazy("chainrule.verification.descent")

if TYPE_CHECKING:
    import numpy as np

    from chainrule.numeric.case import Case
    from chainrule.verification.graphcase import GraphCase


def _is_layered(case: object) -> bool:
    """Whether a case is a layered network's (else a graph's), without importing either."""
    return hasattr(case, "network")


#: What ``chainrule train`` trains when no architecture is named: XOR's 2 inputs and 1 output.
DEFAULT_ARCHITECTURE = "2-2-1"
DATA_SOURCES = ("xor", "random")

EXAMPLES = shared.examples()
EPOCHS = Option(
    "epochs",
    "epochs of full-batch gradient descent (default 2000)",
    default=2000,
    parse=positive_int,
    metavar="N",
)
LR = Option("lr", "learning rate (default 5)", default=5.0, parse=positive_float, metavar="RATE")
INIT = Option(
    "init",
    "random weights in [-scale, scale] (default), or every "
    "weight equal to the scale, to see why that fails",
    default="random",
    choices=("random", "constant"),
)
DATA = Option(
    "data",
    "xor (default), random, or a JSON file with inputs and targets (a case file, which "
    "holds weights too, starts from them)",
    default="xor",
    metavar="xor|random|FILE",
)
FREEZE = Option(
    "freeze",
    "hold these parameters fixed (names, or l,j,k for layer sizes; comma-separated, repeatable)",
    default=None,
    metavar="NAME[,NAME...]",
    repeat=True,
)
EVERY = Option(
    "every",
    "show the cost of every N-th epoch and the last (default: every epoch; a few on a terminal)",
    default=None,
    parse=positive_int,
    metavar="N",
)
RNN_COST = Option(
    "rnn_cost",
    "rnn: score the last step's output (default) or every step's",
    default=None,
    choices=("last", "sum"),
)
CASE_OPTIONS = (EXAMPLES, shared.SEED, shared.INIT_SCALE, shared.MAX_NUMBERS)
#: The options every front end takes, the explorer's runs among them.
OPTIONS = (*shared.NETWORK, *CASE_OPTIONS, EPOCHS, LR, INIT, DATA)
#: ... and those of the command line and Python's runs: the explorer's streamed runs do not
#: hold parameters or thin their epochs, so its query refuses these rather than ignore them.
RUN_OPTIONS = (*OPTIONS, FREEZE, EVERY, RNN_COST)


@dataclass(frozen=True)
class TrainRequest:
    """What to train, on what data, from which start (or from `case`: a case file's path, a
    Case or a GraphCase), for how long and how fast, which parameters held, and which epochs
    shown."""

    subject: SubjectRequest
    examples: int = 4
    seed: int = 0
    init_scale: float = 1.0
    max_numbers: int = budget.DEFAULT_MAX_NUMBERS
    epochs: int = 2000
    lr: float = 5.0
    init: str = "random"
    data: str = "xor"
    freeze: tuple[str, ...] = ()
    every: int | None = None
    case: Any = None

    @classmethod
    def of(
        cls,
        architecture: object = None,
        graph_text: str | None = None,
        *,
        case: Any = None,
        **given: object,
    ) -> TrainRequest:
        """A request from layer sizes (``2-2-1`` when none is named and no case given), a
        graph, or a case, and options by keyword, each checked; what a case holds (the data,
        the starting weights) is refused beside it."""

        values = read_options(RUN_OPTIONS, given, "train")
        values["freeze"] = frozen_names(values["freeze"])
        if architecture is None and graph_text is None and case is None:
            architecture = DEFAULT_ARCHITECTURE
        made = cls(subject_of(architecture, graph_text, values), case=case, **values)
        if case is not None:
            cases.refuse_conflicts(made.subject, made.seed, made.examples, made.init_scale)
            made._refuse_beside_a_case("the case holds the data and the starting weights")
        return made

    def _refuse_beside_a_case(self, why: str, data: bool = True) -> None:
        """Refuse the options that choose the data (unless not `data`) or a start where
        something else holds them."""
        chosen = [
            budget.spelled(option, value)
            for option, value, default in (
                ("data", self.data, "xor"),
                ("init", self.init, "random"),
            )
            if value != default and (data or option != "data")
        ]
        if chosen:
            raise SpecError(f"{why}; drop {' and '.join(chosen)}")


class Start(NamedTuple):
    """A checked training run before its first epoch: the network and its starting case (a
    graph's: None and its GraphCase), and where its weights came from."""

    network: Network | None
    case: Any  # a Case, or a GraphCase
    origin: str = ""


class _Begun(NamedTuple):
    """Any training run before its first epoch: the network of layer sizes (and its Case), or
    a graph's GraphCase (`network` None); and where the starting weights came from (empty for
    weights drawn as asked)."""

    network: Network | None
    case: Any  # a Case, or a GraphCase with no network
    origin: str = ""


def _training_data(request: TrainRequest, network: Network) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    if request.data == "xor":
        if (network.sizes[0], network.sizes[-1]) != (2, 1):
            # The explorer reads no files: it is not told to use one.
            elsewhere = "" if budget.current_front_end().kind == "http" else " or a file"
            raise SpecError(
                f"{budget.spelled('data', 'xor')} needs 2 inputs and 1 output, and "
                f"{network.architecture} has not; use {budget.spelled('data', 'random')}"
                + elsewhere
            )
        return np.array(XOR_INPUTS), np.array(XOR_TARGETS)
    if request.data == "random":
        sample = random_case(
            network,
            examples=request.examples,
            seed=request.seed + 1,
            max_numbers=request.max_numbers,
        )
        return sample.inputs, sample.targets

    return load_training_data(request.data, network)


def _data(request: TrainRequest) -> tuple[Network, np.ndarray, np.ndarray]:
    """The network and the training rows of `request`, every option checked and the rows
    refused past ``max_numbers`` before they are drawn or read."""
    network = resolve(request.subject, "train", layers_only=True).layered_network()
    if request.data != "random" and request.examples != EXAMPLES.default:
        raise SpecError(
            f"{budget.spelled('examples')} sets the number of random examples; "
            f"{budget.spelled('data', request.data)} brings its own: drop "
            f"{budget.spelled('examples')}, or use {budget.spelled('data', 'random')}"
        )
    if request.data == "random":  # checked before the random rows are drawn
        budget.check_case(network, request.examples, request.max_numbers)
    inputs, targets = _training_data(request, network)
    budget.check_case(network, len(inputs), request.max_numbers)
    return network, inputs, targets


def _starting_case(
    request: TrainRequest, network: Network, inputs: np.ndarray, targets: np.ndarray
) -> Case:
    if request.init == "constant":
        return constant_case(
            network, request.init_scale, inputs, targets, max_numbers=request.max_numbers
        )
    return random_case(
        network,
        seed=request.seed,
        init_scale=request.init_scale,
        inputs=inputs,
        targets=targets,
        max_numbers=request.max_numbers,
    )


def _data_file_weights(request: TrainRequest, network: Network) -> Any:
    """The case of a data file that holds weights too (a case file): training starts from
    them, never ignoring them without a word; None for a file of inputs and targets only."""
    if request.data in DATA_SOURCES:
        return None

    document = read_json(request.data, "data file")
    if not (isinstance(document, dict) and "weights" in document):
        return None
    why = f"data file {request.data!r} holds the starting weights too (training starts from them)"
    request._refuse_beside_a_case(why, data=False)
    drawn = [
        budget.spelled(option)
        for option, given in (("seed", request.seed != 0), ("init_scale", request.init_scale != 1))
        if given
    ]
    if drawn:
        raise SpecError(f"{why}; {' and '.join(drawn)} would draw others: drop it")
    case: Any = cases.load(request.data, dataclasses.replace(request.subject, architecture=None))[0]
    assert _is_layered(case)  # a file with weights is a layered network's case file
    if case.network.sizes != network.sizes:
        raise SpecError(
            f"data file {request.data!r} holds the weights of {case.network.architecture}, "
            f"not {network.architecture}"
        )
    return case


def start(request: TrainRequest) -> Start:
    """The network and starting case of `request` (the explorer's runs; a graph's network is
    None), every option checked, before any epoch and without the run's own budget (the
    explorer stops a run by time instead).

    Examples
    --------
    >>> network, case, origin = start(TrainRequest.of("rnn:1-1-1:2"))
    >>> network is None, sorted(case.parameters)
    (True, ['U_11', 'V_11', 'W_11'])
    """
    network, case, origin = _begin(request)
    return Start(network, case, origin)


def _begin(request: TrainRequest) -> _Begun:
    """The start of any run: from its case (read, or drawn for a graph) or its data."""
    if request.case is not None or _names_a_graph(request):
        case, origin = cases.obtain(
            request.subject,
            request.case,
            request.examples,
            request.seed,
            request.init_scale,
            request.max_numbers,
        )
        if request.case is None:
            label = getattr(case, "label", "the graph")
            request._refuse_beside_a_case(f"{label}'s case holds its data")
            origin = ""
        return _Begun(getattr(case, "network", None), case, origin)
    network, inputs, targets = _data(request)
    given = _data_file_weights(request, network)
    if given is not None:
        return _Begun(network, given, f"the weights in data file {request.data}")
    return _Begun(network, _starting_case(request, network, inputs, targets))


def _names_a_graph(request: TrainRequest) -> bool:
    given = request.subject.architecture
    return (
        request.subject.graph_text is not None
        or names_a_graph(given)
        or not isinstance(given, (str, Network, type(None)))
    )


def check_work(request: TrainRequest, network: Network, examples: int) -> None:
    """Refuse a run whose multiply-adds pass :data:`~chainrule.budget.MAX_NUMERIC_WORK`."""
    # One epoch is a forward and a backward pass: about three multiply-adds per weight and row,
    # and the steps of the pass themselves, which are most of a small network's time.
    arithmetic = 3 * network.parameter_count * examples
    per_epoch = arithmetic + budget.EPOCH_OVERHEAD
    work = request.epochs * per_epoch
    if work > budget.MAX_NUMERIC_WORK:
        most = max(1, budget.MAX_NUMERIC_WORK // per_epoch)
        steps = (
            f" (each epoch counted as {budget.EPOCH_OVERHEAD:,} more for its own steps)"
            if arithmetic < budget.EPOCH_OVERHEAD
            else ""
        )
        raise TooLarge(
            f"{request.epochs:,} epochs of {network.architecture} on {examples:,} "
            f"examples take about {work:,} multiply-adds{steps}, more "
            f"than the {budget.MAX_NUMERIC_WORK:,} of a run; train for at most "
            f"{most:,} epochs ({budget.spelled('epochs', most)}) or on a smaller network"
        )


def check_graph_work(request: TrainRequest, case: GraphCase) -> None:
    """Refuse a run on a graph past :data:`~chainrule.budget.MAX_NUMERIC_WORK`: every epoch
    calls each node's and each edge's compiled formula."""

    _check_evaluation(case.graph, "train")
    per_epoch = descent.epoch_work(case.graph, case.examples)
    work = request.epochs * per_epoch
    if work > budget.MAX_NUMERIC_WORK:
        most = max(1, budget.MAX_NUMERIC_WORK // per_epoch)
        raise TooLarge(
            f"{request.epochs:,} epochs of {case.label} on {case.examples:,} example"
            f"{'' if case.examples == 1 else 's'} take about {work:,} units of work (each "
            f"epoch calls its {case.graph.number_of_nodes() + case.graph.number_of_edges():,} "
            f"formulas), more than the {budget.MAX_NUMERIC_WORK:,} of a run; train for at most "
            f"{most:,} epochs ({budget.spelled('epochs', most)}) or on a smaller graph"
        )


def _frozen_parameters(request: TrainRequest, start: _Begun) -> tuple[tuple[str, ...], list]:
    """The parameters `freeze` names, by name (checked against the subject's), and for layer
    sizes as (layer, j, k)."""

    if start.network is None:
        parameters = list(start.case.parameters)
        frozen = tuple(split_frozen(request.freeze, set(parameters).__contains__))
        _check_frozen(frozen, parameters, start.case.label)
        return frozen, []

    names = [parameter.name for parameter in start.network.parameters()]
    frozen = _layered_frozen(request.freeze, start.network, names)
    by_name = {parameter.name: tuple(parameter) for parameter in start.network.parameters()}
    return frozen, [
        by_name.get(name) or tuple(parse_parameter(name, start.network)) for name in frozen
    ]


@dataclass(frozen=True, eq=False)
class TrainRecord:
    """A training run: the starting case, the cost before training and after every epoch
    (fewer epochs than asked when the cost stopped being finite), the trained case, the hidden
    layers whose units are still identical (layer, units), and the trained outputs (a layered
    network's; a graph's `network` is None); where the starting weights came from (`origin`,
    empty when drawn as asked) and the parameters held (`frozen`)."""

    request: TrainRequest
    network: Network | None
    start: Any  # a Case, or a GraphCase (network None)
    costs: tuple[float, ...]
    trained: Any
    identical: tuple[tuple[int, int], ...]
    outputs: np.ndarray | None
    origin: str = ""
    frozen: tuple[str, ...] = ()

    @property
    def epochs(self) -> int:
        """The epochs run."""
        return len(self.costs) - 1

    @property
    def label(self) -> str:
        """What was trained: layer sizes, or a graph's name."""
        if self.network is not None:
            return self.network.architecture
        return self.start.label

    @property
    def hint(self) -> str | None:
        """Advice for XOR without biases, which a boundary through the origin cannot fit."""
        if (
            self.network is not None
            and self.request.data == "xor"
            and not self.origin
            and self.request.case is None
            and not self.network.bias
        ):
            return (
                "without biases every unit's boundary passes through the origin, and XOR "
                f"cannot be fitted well that way: try {budget.spelled('bias')}"
            )
        return None

    def shown_epochs(self) -> list[int]:
        """The epochs whose cost is shown: every ``every``-th and the last (every one when
        ``every`` is not given)."""
        every = self.request.every
        if every is None:
            return list(range(len(self.costs)))
        return sorted({*range(0, len(self.costs), every), len(self.costs) - 1})

    def final_parameters(self) -> dict[str, float]:
        """Every parameter's value after training, by name."""
        trained = self.trained
        if not _is_layered(trained):
            return dict(trained.parameters)
        return {
            parameter.name: trained.parameter_value(*parameter)
            for parameter in trained.network.parameters()
        }

    def starting_parameters(self) -> dict[str, float]:
        start = self.start
        if not _is_layered(start):
            return dict(start.parameters)
        return {
            parameter.name: start.parameter_value(*parameter)
            for parameter in start.network.parameters()
        }

    def as_dict(self) -> dict[str, Any]:
        """The document of ``chainrule train --json``: the run, the cost of each epoch shown,
        and last ``final``: the cost and every parameter after training."""
        return {
            "architecture": self.label,
            "start": self.origin or None,
            "epochs": self.epochs,
            "learning_rate": self.request.lr,
            "init": self.request.init,
            "frozen": list(self.frozen),
            "costs": [{"epoch": epoch, "cost": self.costs[epoch]} for epoch in self.shown_epochs()],
            "identical_hidden_units": [
                {"layer": layer, "units": units} for layer, units in self.identical
            ],
            "trained": self.trained.as_dict(),
            "final": {"cost": self.costs[-1], "parameters": self.final_parameters()},
        }


def compute(
    request: TrainRequest, progress: Callable[[int, float], None] | None = None
) -> TrainRecord:
    """Train as `request` asks, refused past the budget before the first epoch;
    `progress(epoch, cost)` is told each epoch."""
    began = _begin(request)
    frozen, indices = _frozen_parameters(request, began)
    if began.network is None:
        check_graph_work(request, began.case)
        costs, trained_graph = descent.descend(
            began.case,
            request.epochs,
            request.lr,
            frozen,
            after_epoch=progress,
        )
        return TrainRecord(
            request, None, began.case, tuple(costs), trained_graph, (), None, began.origin, frozen
        )

    case = began.case
    assert _is_layered(case)  # layer sizes'
    check_work(request, began.network, case.examples)
    costs, trained = descend(case, request.epochs, request.lr, after_epoch=progress, frozen=indices)
    return TrainRecord(
        request,
        began.network,
        case,
        tuple(costs),
        trained,
        tuple(identical_hidden_units(trained)),
        predictions(trained),
        began.origin,
        frozen,
    )


#: A request from an architecture and options by keyword (``TrainRequest.of``).
request = TrainRequest.of
