"""``train``: gradient descent, θ := θ − η ∂J/∂θ, with the gradients that ``verify`` checks.

The request names a layered network, its training data (XOR, random rows or a file of inputs
and targets) and how to start (random weights, or every weight equal, to show why that fails).
:func:`start` checks all of it and makes the starting case; :func:`compute` also estimates the
run's multiply-adds and refuses past :data:`~chainrule.budget.MAX_NUMERIC_WORK` before the first
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

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from chainrule import budget
from chainrule.errors import SpecError, TooLarge
from chainrule.records import options as shared
from chainrule.records.options import Option, positive_float, positive_int, read_options
from chainrule.records.subject import SubjectRequest, resolve, subject_of

if TYPE_CHECKING:
    import numpy as np

    from chainrule.graph.spec import Network
    from chainrule.numeric.case import Case

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
    "xor (default), random, or a JSON file with inputs and targets",
    default="xor",
    metavar="xor|random|FILE",
)
CASE_OPTIONS = (EXAMPLES, shared.SEED, shared.INIT_SCALE, shared.MAX_NUMBERS)
OPTIONS = (*shared.NETWORK, *CASE_OPTIONS, EPOCHS, LR, INIT, DATA)


@dataclass(frozen=True)
class TrainRequest:
    """What to train, on what data, from which start, for how long and how fast."""

    subject: SubjectRequest
    examples: int = 4
    seed: int = 0
    init_scale: float = 1.0
    max_numbers: int = budget.DEFAULT_MAX_NUMBERS
    epochs: int = 2000
    lr: float = 5.0
    init: str = "random"
    data: str = "xor"

    @classmethod
    def of(
        cls, architecture: object = None, graph_text: str | None = None, **given: object
    ) -> TrainRequest:
        """A request from layer sizes (``2-2-1`` when none is named) and options by keyword,
        each checked."""
        values = read_options(OPTIONS, given, "train")
        if architecture is None and graph_text is None:
            architecture = DEFAULT_ARCHITECTURE
        return cls(subject_of(architecture, graph_text, values), **values)


class Start(NamedTuple):
    """A checked training run before its first epoch: the network and its starting case."""

    network: Network
    case: Case


def _training_data(request: TrainRequest, network: Network) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    from chainrule.numeric.case import XOR_INPUTS, XOR_TARGETS, random_case

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
    from chainrule.verification.casefile import load_training_data

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
    from chainrule.numeric.case import constant_case, random_case

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


def start(request: TrainRequest) -> Start:
    """The network and starting case of `request`, every option checked, before any epoch and
    without the run's own budget (the explorer stops a run by time instead)."""
    network, inputs, targets = _data(request)
    return Start(network, _starting_case(request, network, inputs, targets))


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


@dataclass(frozen=True, eq=False)
class TrainRecord:
    """A training run: the starting case, the cost before training and after every epoch
    (fewer epochs than asked when the cost stopped being finite), the trained case, the hidden
    layers whose units are still identical (layer, units), and the trained outputs."""

    request: TrainRequest
    network: Network
    start: Case
    costs: tuple[float, ...]
    trained: Case
    identical: tuple[tuple[int, int], ...]
    outputs: np.ndarray

    @property
    def epochs(self) -> int:
        """The epochs run."""
        return len(self.costs) - 1

    @property
    def hint(self) -> str | None:
        """Advice for XOR without biases, which a boundary through the origin cannot fit."""
        if self.request.data == "xor" and not self.network.bias:
            return (
                "without biases every unit's boundary passes through the origin, and XOR "
                f"cannot be fitted well that way: try {budget.spelled('bias')}"
            )
        return None

    def as_dict(self) -> dict[str, Any]:
        """The document of ``chainrule train --json``."""
        return {
            "architecture": self.network.architecture,
            "epochs": self.epochs,
            "learning_rate": self.request.lr,
            "init": self.request.init,
            "costs": [{"epoch": epoch, "cost": cost} for epoch, cost in enumerate(self.costs)],
            "identical_hidden_units": [
                {"layer": layer, "units": units} for layer, units in self.identical
            ],
            "trained": self.trained.as_dict(),
        }


def compute(
    request: TrainRequest, progress: Callable[[int, float], None] | None = None
) -> TrainRecord:
    """Train as `request` asks, refused past the budget before the first epoch;
    `progress(epoch, cost)` is told each epoch."""
    from chainrule.numeric.train import descend, identical_hidden_units, predictions

    network, inputs, targets = _data(request)
    check_work(request, network, len(inputs))
    case = _starting_case(request, network, inputs, targets)
    costs, trained = descend(case, request.epochs, request.lr, after_epoch=progress)
    return TrainRecord(
        request,
        network,
        case,
        tuple(costs),
        trained,
        tuple(identical_hidden_units(trained)),
        predictions(trained),
    )


#: A request from an architecture and options by keyword (``TrainRequest.of``).
request = TrainRequest.of
