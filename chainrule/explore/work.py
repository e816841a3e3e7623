"""What the explorer computes: every endpoint's document, from a request read as the API reads
every query (:func:`~chainrule.explore.api.request_of`) and computed by the records.

The commands with a ``--json`` twin (count, chains, delta, verify) answer their record's
document. The page's own endpoints present a record of theirs: the layout (``/api/layout``)
draws the request's subject, the math of one parameter (``/api/math``) is its chains record
written in MathML and LaTeX, and the numbers of one case (``/api/values``) are those of the
case ``verify`` draws. ``/api/options`` lists what the page offers: the rules' activations and
costs, the declared options' choices and defaults, and the server's caps. Training
(``/api/train``) is a run of the ``train`` command's request, streamed a chunk of epochs at a
time: each chunk is one piece of work (:class:`Training`), so that a run can be stopped between
any two.

:data:`ENDPOINTS` names every endpoint's computation; :func:`~chainrule.explore.api.answer`
runs one within the server's caps, in the server's worker processes
(:mod:`chainrule.explore.workers`) or, for the few that are arithmetic on the query alone
(:func:`light`), in place.

Examples
--------
>>> from chainrule.explore.api import answer
>>> status, document = answer(math, {"arch": ["2-2-2"], "param": ["1,1,1"]}, None, {})
>>> status, len(document["edges"]), document["steps"][-1]["latex"]
(200, 8, '\\\\delta_{1}^{(2)} \\\\cdot x_{1}')
>>> answer(math, {"arch": ["2-2-2"], "param": ["3,1,1"]}, None, {})[0]
400
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from chainrule import budget, rules
from chainrule.explore import api
from chainrule.explore.layout import graph_layout, layered_layout
from chainrule.explore.math import parameter_math
from chainrule.files import json_safe
from chainrule.graph import names
from chainrule.graph.spec import parse_parameter
from chainrule.numeric import backprop
from chainrule.numeric.backprop import cost_of
from chainrule.numeric.train import descend, identical_hidden_units, predictions
from chainrule.records import cases
from chainrule.records import chains as chains_record
from chainrule.records import options as shared
from chainrule.records import train as train_record
from chainrule.records import verify as verify_record
from chainrule.records.subject import Subject, SubjectRequest, names_a_graph, resolve

if TYPE_CHECKING:
    from chainrule.graph.spec import Network
    from chainrule.numeric.case import Case

Query = Mapping[str, object]

#: What each of the page's own endpoints takes: parts of the commands' declared options.
LAYOUT_OPTIONS = (*shared.NETWORK, chains_record.PARAM)
MATH_OPTIONS = (*shared.NETWORK, chains_record.PARAM, chains_record.LIMIT)
VALUES_OPTIONS = (
    *shared.NETWORK,
    verify_record.EXAMPLES,
    shared.SEED,
    shared.INIT_SCALE,
    shared.MAX_NUMBERS,
)
#: Training: epochs per streamed chunk, and how long a run may go on before it is stopped.
TRAIN_CHUNK = 25


def _one_parameter(request: chains_record.ChainsRequest, endpoint: str) -> str | None:
    """The one parameter a page endpoint is asked about, or None for its first."""
    if len(request.param) > 1:
        raise api.RequestError(
            f"{endpoint} takes one {budget.spelled('param')}, not {len(request.param)}"
        )
    return request.param[0] if request.param else None


def layout(query: Query, body: str | None) -> dict[str, Any]:
    """``/api/layout``: the request's subject placed by ``chainrule draw``'s code, around the
    selected parameter (see :mod:`.layout`)."""

    request = api.request_of("layout", query, body, module=chains_record, options=LAYOUT_OPTIONS)
    parameter = _one_parameter(request, "layout")
    subject = resolve(request.subject)
    if not subject.layered:
        return graph_layout(subject.graph(), parameter)
    network = subject.layered_network()
    return layered_layout(network, parse_parameter(parameter, network) if parameter else None)


@lru_cache(maxsize=4)
def _resolved(request: SubjectRequest) -> Subject:
    """The subject of a request, kept for the next parameter of the same network: its graph
    keeps its printed formulas (:class:`~chainrule.explore.math.MarkedMathML`), so a page's
    clicks cost little after the first."""
    return resolve(request)


def document_limit(caps: Mapping[str, int]) -> int:
    """The chains a typeset document of one parameter may have unless a request says: the
    share of the explorer's ``limit`` that the command line gives documents
    (:data:`~chainrule.budget.DOCUMENT_CHAIN_LIMIT` of the default), within the cap.

    >>> document_limit({"limit": 10_000}), document_limit({"limit": 100_000})
    (2000, 20000)
    >>> document_limit({"limit": 500}), document_limit({})
    (500, 2000)
    """
    cap = caps.get("limit", budget.DEFAULT_CHAIN_LIMIT)
    share = cap * budget.DOCUMENT_CHAIN_LIMIT // budget.DEFAULT_CHAIN_LIMIT
    return min(cap, max(budget.DOCUMENT_CHAIN_LIMIT, share))


def math(query: Query, body: str | None) -> dict[str, Any]:
    """``/api/math``: one parameter's chains record (its first parameter unless ``param``
    says), written as MathML and LaTeX: each edge on its chains and the δ factoring steps."""

    caps = budget.current_front_end().caps
    request = api.request_of(
        "math",
        query,
        body,
        module=chains_record,
        options=MATH_OPTIONS,
        defaults={"limit": document_limit(caps)},
    )
    parameter = _one_parameter(request, "math")
    subject = _resolved(request.subject)
    if parameter is None:
        first = "1,1,1" if subject.layered else subject.sources("parameters")[0].name
        request = dataclasses.replace(request, param=(first,))
    record = chains_record.compute(request, subject)
    assert isinstance(record, chains_record.ChainsRecord)  # math takes no view: never a matrix
    return parameter_math(record.graph, record.sources[0].name)


def values(query: Query, body: str | None) -> dict[str, Any]:
    """``/api/values``: the numbers of the case ``verify`` draws for the same request: each z,
    a and δ of the first example, each weight and each gradient (summed over the examples, as
    J averages over them)."""
    import numpy as np

    request = api.request_of("values", query, body, module=verify_record, options=VALUES_OPTIONS)
    subject = resolve(request.subject)
    if not subject.layered:
        raise api.RequestError(
            "the numbers panel takes layer sizes; for a graph file, rnn: or resnet: the "
            "check is /api/verify"
        )
    network = subject.layered_network()
    _refuse_past_panel(network, "the numbers panel shows; /api/verify checks its gradients")
    case, _ = cases.draw(
        network, request.examples, request.seed, request.init_scale, request.max_numbers
    )
    with np.errstate(all="ignore"):
        # backprop's own forward and backward sweeps: the numbers are the oracle's
        cost, activities, deltas = backprop._backward(case)
        zs, _ = backprop.forward(case.weights, case.biases, case.inputs, case.network.activation)
        _, weight_gradients, bias_gradients = backprop.backprop(case)
    nodes: dict[str, dict] = {}
    for k, x in enumerate(case.inputs[0], start=1):
        nodes[names.x_name(k)] = {"value": float(x)}
    for layer in range(2, network.depth + 1):
        for j in range(1, network.sizes[layer - 1] + 1):
            nodes[names.z_name(layer, j)] = {
                "value": float(zs[layer - 2][0, j - 1]),
                "delta": float(deltas[layer - 2][0, j - 1]),
            }
            nodes[names.a_name(layer, j)] = {"value": float(activities[layer - 1][0, j - 1])}
    for layer, (theta, gradient) in enumerate(zip(case.weights, weight_gradients), start=1):
        for (j, k), value in np.ndenumerate(theta):
            nodes[names.theta_name(layer, j + 1, k + 1)] = {
                "value": float(value),
                "gradient": float(gradient[j, k]),
            }
        if case.biases is not None:
            assert bias_gradients is not None  # backprop gives them whenever biases exist
            for j, value in enumerate(case.biases[layer - 1]):
                nodes[names.theta_name(layer, j + 1, 0)] = {
                    "value": float(value),
                    "gradient": float(bias_gradients[layer - 1][j]),
                }
    nodes["J"] = {"value": float(cost)}
    return json_safe(
        {
            "architecture": network.architecture,
            "seed": request.seed,
            "examples": request.examples,
            "example": 1,
            "cost": float(cost),
            "targets": case.targets[0].tolist(),
            "nodes": nodes,
        }
    )


def _refuse_past_panel(network: Network, what: str) -> None:
    if network.parameter_count > budget.PANEL_PARAMETERS:
        raise api.RequestError(
            f"{network.architecture} has {network.parameter_count:,} parameters, more than "
            f"the {budget.PANEL_PARAMETERS:,} {what}"
        )


def choices(query: Query, body: str | None) -> dict[str, Any]:
    """``/api/options``: what the page offers, from the one registry of rules and the
    commands' declared options: the activations and costs by name, the views, the training
    data, each option's default and the server's caps.

    >>> document = choices({}, None)
    >>> document["defaults"]["activation"] == rules.DEFAULT_ACTIVATION
    True
    >>> document["activations"] == list(rules.ACTIVATIONS)
    True
    """
    if query or body:
        raise api.RequestError("options takes no parameters")
    page_options = (
        shared.BIAS,
        shared.ACTIVATION,
        shared.COST,
        shared.VIEW,
        shared.SEED,
        train_record.EPOCHS,
        train_record.LR,
    )
    return {
        "activations": list(rules.ACTIVATIONS),
        "costs": list(rules.COSTS),
        "views": list(shared.VIEW.choices or ()),
        "data": list(train_record.DATA_SOURCES),
        "defaults": {option.name: option.default for option in page_options},
        "caps": dict(budget.current_front_end().caps),
    }


#: Every endpoint's computation: (query, body) -> its document, refusing with a ChainruleError.
#: Each is a module-level function (or a partial of one), so that it can be sent to a worker.
ENDPOINTS: dict[str, Callable[[Query, str | None], Any]] = {
    **{command: partial(api.answer_record, command) for command in api.COMMANDS},
    "layout": layout,
    "math": math,
    "values": values,
    "options": choices,
}


def light(endpoint: str, query: Query, body: str | None) -> bool:
    """Whether `endpoint` answers `query` by arithmetic on the query alone, in well under a
    millisecond whatever it asks: the options, and the counts of layer sizes (closed forms,
    no graph). The server answers those in place, never behind the work of others."""
    if endpoint == "options":
        return True
    if endpoint != "count" or body or query.get("graph"):
        return False
    try:
        architectures = api.values_of(query, "arch")
    except api.RequestError:
        return True  # refused by answer() before any work: a refusal is light too
    return not any(names_a_graph(arch.strip()) for arch in architectures)


# -- training, a chunk of epochs at a time --------------------------------------------------


@dataclasses.dataclass
class Training:
    """A training run between two chunks of epochs: everything the next chunk needs, sent to
    whichever worker runs it. `costs` are the cost before training and after each epoch so
    far; `sent` how many of them have been streamed."""

    request: train_record.TrainRequest
    network: Network
    start: Case
    case: Case
    costs: list[float]
    started: float
    sent: int = 0
    stopped: str | None = None
    done: bool = False


def training(query: Query, body: str | None) -> Training:
    """``/api/train``: the query read into the ``train`` command's request, checked within
    the explorer's caps, and its starting case made; the run itself goes a chunk at a time
    (:func:`advance`)."""

    if api.graph_text(query, body) is not None:
        raise api.RequestError("training takes layer sizes (arch), not a graph file")
    data = api.values_of(query, "data")
    if data and data[-1] not in train_record.DATA_SOURCES:
        raise api.RequestError(
            "the explorer reads no files: data takes " + " or ".join(train_record.DATA_SOURCES)
        )
    request = api.request_of("train", query, None, module=train_record)
    network = resolve(request.subject, "train", layers_only=True).layered_network()
    _refuse_past_panel(network, "the explorer trains; chainrule train trains it")
    # A run is stopped after budget.EXPLORER_TRAIN_SECONDS rather than refused by its estimate.
    _, case = train_record.start(request)
    return Training(request, network, case, case, [float(cost_of(case))], time.monotonic())


def advance(run: Training) -> tuple[int, tuple[Training, list[dict[str, Any]]]]:
    """(200, (the run after its next chunk of epochs, the lines to stream)): an
    ``{"epoch", "cost"}`` line for each epoch, and after the last one ``{"done": true,
    "stopped": why or null}`` with the document of ``chainrule train --json`` but its
    ``costs`` (each was a line)."""
    import numpy as np

    if not run.done:
        chunk = min(TRAIN_CHUNK, run.request.epochs - (len(run.costs) - 1))
        costs, run.case = descend(run.case, chunk, run.request.lr)
        run.costs += [float(cost) for cost in costs[1:]]
        if not np.isfinite(run.costs[-1]):
            run.stopped = "the cost is no longer finite: the learning rate is too large"
        elif time.monotonic() - run.started > budget.EXPLORER_TRAIN_SECONDS:
            run.stopped = f"stopped after {budget.EXPLORER_TRAIN_SECONDS:g} s"
        run.done = run.stopped is not None or len(run.costs) - 1 >= run.request.epochs
    lines: list[dict[str, Any]] = [
        {"epoch": epoch, "cost": run.costs[epoch]} for epoch in range(run.sent, len(run.costs))
    ]
    run.sent = len(run.costs)
    if run.done:
        record = train_record.TrainRecord(
            run.request,
            run.network,
            run.start,
            tuple(run.costs),
            run.case,
            tuple(identical_hidden_units(run.case)),
            predictions(run.case),
        )
        document = {key: value for key, value in record.as_dict().items() if key != "costs"}
        lines.append({"done": True, "stopped": run.stopped, **document})
    return 200, (run, json_safe(lines))
