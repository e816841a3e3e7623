"""What the explorer computes: every endpoint's document, from a request read as the API reads
every query (:func:`~chainrule.explore.api.request_of`) and computed by the records.

The commands with a ``--json`` twin (count, chains, delta, verify) answer their record's
document. The page's own endpoints present a record of theirs: the layout (``/api/layout``)
draws the request's subject, the math of one parameter (``/api/math``) is its chains record
written in MathML and LaTeX, and the numbers of one case (``/api/values``) are the ``values``
record of the case ``verify`` draws, or of a case pasted into the page, with the value of each
of one parameter's chains. ``/api/options`` lists what the page offers: the rules' activations
and costs, the declared options' choices and defaults, and the server's caps. Training
(``/api/train``) is a run of the ``train`` command's request (layer sizes or a graph), streamed
a chunk of epochs at a time: each chunk is one piece of work (:class:`Training`), so that a run
can be stopped between any two.

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
from chainrule.errors import TooLarge
from chainrule.explore import api
from chainrule.explore.layout import graph_layout, layered_layout
from chainrule.explore.math import factoring_numbers, parameter_math
from chainrule.explore.tensors import layers_document
from chainrule.files import json_safe
from chainrule.graph.build import check_graph_size
from chainrule.graph.spec import parse_parameter
from chainrule.graph.symbols import node_symbol
from chainrule.numeric.backprop import backprop, cost_of
from chainrule.numeric.train import descend, identical_hidden_units, predictions
from chainrule.present import explain as present_explain
from chainrule.records import cases
from chainrule.records import chains as chains_record
from chainrule.records import explain as explain_record
from chainrule.records import numbers as case_numbers
from chainrule.records import options as shared
from chainrule.records import train as train_record
from chainrule.records import values as values_record
from chainrule.records import verify as verify_record
from chainrule.records.subject import (
    Subject,
    SubjectRequest,
    names_a_graph,
    resolve,
    resolve_layers,
)
from chainrule.verification.descent import descend as descend_graph
from chainrule.verification.verify import forward_pass

if TYPE_CHECKING:
    from chainrule.graph.spec import Network
    from chainrule.numeric.case import Case

Query = Mapping[str, object]

#: What each of the page's own endpoints takes: parts of the commands' declared options.
LAYOUT_OPTIONS = (*shared.NETWORK, chains_record.PARAM)
LAYERS_OPTIONS = LAYOUT_OPTIONS
MATH_OPTIONS = (*shared.NETWORK, chains_record.PARAM, chains_record.LIMIT)
VALUES_OPTIONS = (*shared.NETWORK, *values_record.CASE_OPTIONS, values_record.RNN_COST)
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
    selected parameter (see :mod:`.layout`); ``layout=compact`` places a layered network's
    neurons, each weight a label on its edge."""

    kinds = api.values_of(query, "layout")
    if kinds and kinds[-1] not in ("graph", "compact"):
        raise api.RequestError("layout takes graph or compact")
    compact = bool(kinds) and kinds[-1] == "compact"
    query = {key: value for key, value in query.items() if key != "layout"}
    request = api.request_of("layout", query, body, module=chains_record, options=LAYOUT_OPTIONS)
    parameter = _one_parameter(request, "layout")
    subject = resolve(request.subject)
    if not subject.layered:
        if compact:
            raise api.RequestError(
                "only layer sizes have a compact layout (a node per neuron): leave out "
                "layout=compact"
            )
        return graph_layout(subject.graph(), parameter) | {"refused": None}  # built: it fits
    network = subject.layered_network()
    chosen = parse_parameter(parameter, network) if parameter else None
    document = layered_layout(network, chosen, compact)
    # A network drawn in summary may be too large to build: its weights are drawn, but no
    # selection can be shown, and the page says why before any click rather than after each.
    document["refused"] = _graph_refusal(network, subject.max_graph)
    return document


def layers(query: Query, body: str | None) -> dict[str, Any]:
    """``/api/layers``: the layer-level graph of the request's subject placed for the page,
    around one tensor (``param``: a tensor's name or any of its entries; the first weight
    matrix by default), with the MathML of its Jacobians and batch equations (see
    :mod:`.tensors`). It is answered at any width: layer sizes, ``rnn:`` and ``resnet:`` have
    it in closed form, so it is what the page shows when the scalar graph is too large, and
    ``scalar_refused`` says why the scalar graph cannot be shown.

    Examples
    --------
    >>> from chainrule.explore.api import answer
    >>> status, document = answer(layers, {"arch": ["784-512-512-10"]}, None, {})
    >>> status, document["parameter"], document["edges"][1]["size"]
    (200, 'Theta^(1)', '512×401408')
    >>> document["scalar_refused"][:26]
    '2,009,913 nodes and edges '
    """
    request = api.request_of("layers", query, body, module=chains_record, options=LAYERS_OPTIONS)
    parameter = _one_parameter(request, "layers")
    subject = resolve_layers(request.subject)
    if parameter is None:
        weights = subject.view.of_kind("param")
        if not weights:
            raise api.RequestError(f"{subject.label} has no parameters")
        parameter = weights[0].name
    # One tensor's sources: its chains are /api/chains?view=matrix's, never walked here.
    sources = tuple(subject.sources("parameters", (parameter,)))
    request = dataclasses.replace(request, view="matrix", param=(parameter,))
    record = chains_record.MatrixChainsRecord(request, subject.label, subject.view, sources)
    network = subject.network
    refused = None if network is None else _graph_refusal(network, request.subject.max_graph)
    return json_safe(layers_document(record, refused))


def _graph_refusal(network: Network, max_graph: int) -> str | None:
    """Why no weight of `network` can be selected (its graph is past `max_graph`), or None.

    >>> from chainrule.graph.spec import Network
    >>> _graph_refusal(Network([2, 2, 2]), 50_000) is None
    True
    >>> _graph_refusal(Network([784, 512, 512, 10]), 50_000)[:42]
    '2,009,913 nodes and edges in the computati'
    """
    try:
        check_graph_size(network, max_graph)
    except TooLarge as error:
        return str(error)
    return None


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
    """``/api/values``: the ``values`` record of a case, for any subject: the case ``verify``
    draws for the same seed (its examples too), or a pasted case (``case``: a case file's JSON
    text, ``{"values": {...}}`` for a graph). Each node's value and ∂J/∂node at the first
    example, each parameter's gradient (summed over the examples, as J averages over them),
    and, with ``param``, the value of each of that parameter's chains (in the order ``/api/
    chains`` lists them) and its share of the gradient.

    Examples
    --------
    >>> from chainrule.explore.api import answer
    >>> status, document = answer(values, {"arch": ["1-1"], "param": ["1,1,1"]}, None, {})
    >>> status, document["examples"], len(document["chains"]["values"])
    (200, 4, 1)
    >>> document["chains"]["shares"], document["chains"]["dominant"]
    ([1.0], 0)
    """
    text = api.case_text(query)
    rest = {key: value for key, value in query.items() if key not in ("case", "param")}
    request = api.request_of(
        "values",
        rest,
        body,
        module=values_record,
        options=VALUES_OPTIONS,
        # the drawn case is verify's (its examples), so that the panel's numbers are the
        # ones its agreement table checks
        defaults={} if text is not None else {"examples": verify_record.EXAMPLES.default},
    )
    if text is not None:
        cases.refuse_conflicts(
            request.subject, request.seed, request.examples, request.init_scale, 1
        )
        request = dataclasses.replace(request, case=cases.CaseText(text))
    record = values_record.compute(request)
    if len(record.gradients.names) > budget.PANEL_PARAMETERS:
        raise api.RequestError(
            f"{record.subject} has {len(record.gradients.names):,} parameters, more than the "
            f"{budget.PANEL_PARAMETERS:,} the numbers panel shows; chainrule values writes them"
        )
    gradients = dict(zip(record.gradients.names, record.gradients.values[:, 0].tolist()))
    nodes: dict[str, dict[str, float]] = {}
    for name, value, delta in zip(
        record.forward.names, record.forward.values[:, 0], record.deltas.values[:, 0]
    ):
        entry = {"value": float(value)}
        if name in gradients:
            entry["gradient"] = gradients[name]
        elif name != record.cost_name:
            entry["delta"] = float(delta)
        nodes[name] = entry
    document: dict[str, Any] = {
        "architecture": record.subject,
        "origin": record.origin,
        "seed": None if text is not None else request.seed,
        "examples": record.examples,
        "example": 1,
        "cost": record.cost,
        "cost_name": record.cost_name,
        "nodes": nodes,
    }
    document["factors"] = {
        f"{wrt}->{of}": float(row[0])
        for of, wrt, row in zip(
            record.factors.names, record.factors.wrt or (), record.factors.values
        )
    }
    givens = record.givens
    document["givens"] = {name: float(row[0]) for name, row in zip(givens.names, givens.values)}
    document["sweep"] = _sweep(record, request.subject)
    if "param" in query:
        document["chains"], document["steps"] = _chain_values(query, body, record, gradients)
    return json_safe(document)


def _sweep(record, subject: SubjectRequest) -> dict[str, list[str]]:
    """The order of the two passes, for the page to play: the nodes the forward pass computes
    (not the inputs and parameters it is given), each after every node it reads; then the
    backward pass, each node's δ (a parameter's gradient) after those of the nodes it feeds,
    the cost's own (1) left out."""
    names = list(record.forward.names)
    resolved = _resolved(subject)
    if not resolved.layered:  # a graph file's nodes are listed as written, not in order
        import networkx as nx

        position = {name: i for i, name in enumerate(names)}
        names = [
            str(node)
            for node in nx.lexicographical_topological_sort(
                resolved.graph(), key=lambda node: position[str(node)]
            )
        ]
    given = ("input", "param")
    return {
        "forward": [name for name in names if record.kind_of(name) not in given],
        "backward": [name for name in reversed(names) if name != record.cost_name],
    }


def _chain_values(
    query: Query, body: str | None, record, gradients: dict[str, float]
) -> tuple[dict, list[dict]]:
    """The value and share of each chain of the one parameter ``param`` names, at `record`'s
    case, and its factoring steps' numbers (:func:`~chainrule.explore.math.factoring_numbers`)."""
    keys = ("arch", "graph", "param", *(option.name for option in shared.NETWORK))
    chosen = {key: value for key, value in query.items() if key in keys}
    network = record.network
    if network is not None:  # a pasted case sets the network: its chains are that network's
        chosen.update(
            bias=[str(network.bias).lower()],
            activation=[",".join(network.activation)],
            cost=[network.cost],
        )
    request = api.request_of(
        "values",
        chosen,
        body,
        module=chains_record,
        options=MATH_OPTIONS,
        defaults={"limit": document_limit(budget.current_front_end().caps)},
    )
    _one_parameter(request, "values")
    chains = chains_record.compute(request, _resolved(request.subject))
    assert isinstance(chains, chains_record.ChainsRecord)  # values takes no view: never a matrix
    group = next(chains.groups())
    chain_values = record.chain_values(group.chains)
    steps = factoring_numbers(
        chains.graph, group.source.name, case_numbers.from_values(record, request.subject)
    )
    gradient = gradients[group.source.name]
    # largest |value| first (ties in the listed order): the chain that dominates the gradient
    order = sorted(range(len(chain_values)), key=lambda i: -abs(chain_values[i]))
    return {
        "parameter": group.source.name,
        "gradient": gradient,
        "values": chain_values,
        "order": order,
        "dominant": order[0] if order else None,
        # a chain's part of the gradient; none when the gradient is 0
        "shares": [value / gradient if gradient else None for value in chain_values],
    }, steps


def _refuse_past_panel(network: Network, what: str) -> None:
    if network.parameter_count > budget.PANEL_PARAMETERS:
        raise api.RequestError(
            f"{network.architecture} has {network.parameter_count:,} parameters, more than "
            f"the {budget.PANEL_PARAMETERS:,} {what}"
        )


def choices(query: Query, body: str | None) -> dict[str, Any]:
    """``/api/options``: what the page offers, from the one registry of rules and the
    commands' declared options: the activations and costs by name, the views, the training
    data, each option's default, the server's caps and the most chains one selection shows.

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
        # the most chains one selection shows (its chains and their math): the page offers
        # no weight with more
        "selection_limit": document_limit(budget.current_front_end().caps),
    }


#: Every endpoint's computation: (query, body) -> its document, refusing with a ChainruleError.
#: Each is a module-level function (or a partial of one), so that it can be sent to a worker.
def tour(query: Query, body: str | None) -> dict[str, Any]:
    """``/api/tour``: ``chainrule explain``'s guided tour of layer sizes, a section at a time
    as the terminal tells it (each with its `topic`, which the page's figure follows), and the
    parameter it follows.

    Examples
    --------
    >>> from chainrule.explore.api import answer
    >>> status, document = answer(tour, {"arch": ["2-2-2"]}, None, {})
    >>> status, document["parameter"], [s["topic"] for s in document["sections"]][:3]
    (200, 'theta^(1)_11', ['counts', 'chains', 'factoring'])
    """
    if body is not None or "graph" in query:
        raise api.RequestError("the tour is of layer sizes (chainrule explain); a graph has none")
    request = api.request_of("explain", query, None, module=explain_record)
    record = explain_record.compute(request)
    return {
        "architecture": record.network.architecture,
        "parameter": record.parameter.name,
        "sections": [section._asdict() for section in present_explain.sections(record)],
    }


ENDPOINTS: dict[str, Callable[[Query, str | None], Any]] = {
    **{command: partial(api.answer_record, command) for command in api.COMMANDS},
    "layout": layout,
    "layers": layers,
    "math": math,
    "values": values,
    "options": choices,
    "tour": tour,
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
    whichever worker runs it. `network` is None for a graph (a graph file, ``rnn:``,
    ``resnet:``), whose cases are GraphCases. `costs` are the cost before training and after
    each epoch so far; `sent` how many of them have been streamed."""

    request: train_record.TrainRequest
    network: Network | None
    start: Any  # a Case, or a GraphCase
    case: Any
    costs: list[float]
    started: float
    sent: int = 0
    stopped: str | None = None
    done: bool = False
    origin: str = ""


def training(query: Query, body: str | None) -> Training:
    """``/api/train``: the query read into the ``train`` command's request, checked within
    the explorer's caps, and its starting case made; the run itself goes a chunk at a time
    (:func:`advance`). A graph (its file's text, ``rnn:``, ``resnet:``) trains on its own
    drawn case, which holds its data.

    Examples
    --------
    >>> run = training({"graph": ['{"inputs": ["x"], "parameters": ["w"], "targets": ["y"], '
    ...                           '"nodes": {"h": "w*x"}, "cost": "(h - y)^2"}']}, None)
    >>> run.network is None, list(run.case.parameters)
    (True, ['w'])
    """
    data = api.values_of(query, "data")
    if data and data[-1] not in train_record.DATA_SOURCES:
        raise api.RequestError(
            "the explorer reads no files: data takes " + " or ".join(train_record.DATA_SOURCES)
        )
    request = api.request_of("train", query, body, module=train_record)
    if request.subject.graph_text is None and not names_a_graph(request.subject.architecture):
        network = resolve(request.subject, "train", layers_only=True).layered_network()
        _refuse_past_panel(network, "the explorer trains; chainrule train trains it")
    # A run is stopped after budget.EXPLORER_TRAIN_SECONDS rather than refused by its estimate.
    network, case, origin = train_record.start(request)
    if network is None and len(case.parameters) > budget.PANEL_PARAMETERS:
        raise api.RequestError(
            f"{case.label} has {len(case.parameters):,} parameters, more than the "
            f"{budget.PANEL_PARAMETERS:,} the explorer trains; chainrule train trains it"
        )
    cost = _graph_cost(case) if network is None else _layered_cost(case)
    return Training(request, network, case, case, [cost], time.monotonic(), origin=origin)


def _layered_cost(case: Case) -> float:
    return float(cost_of(case))


def _graph_cost(case: Any) -> float:
    """The cost of a graph's case (a GraphCase), by its own forward pass."""
    import numpy as np

    with np.errstate(all="ignore"):
        values = forward_pass(case.graph, case.leaves(), case.examples)
    return float(np.sum(values[node_symbol(case.graph.graph["cost"])]))


def _descend(run: Training, epochs: int) -> tuple[list[float], Any]:
    """`epochs` more epochs of `run`: the costs (the current one first) and the case after."""
    if run.network is None:
        return descend_graph(run.case, epochs, run.request.lr)
    return descend(run.case, epochs, run.request.lr)


def _record(run: Training) -> train_record.TrainRecord:
    """The record of a finished run, as ``chainrule train`` makes it."""
    if run.network is None:
        return train_record.TrainRecord(
            run.request, None, run.start, tuple(run.costs), run.case, (), None, run.origin
        )
    return train_record.TrainRecord(
        run.request,
        run.network,
        run.start,
        tuple(run.costs),
        run.case,
        tuple(identical_hidden_units(run.case)),
        predictions(run.case),
        run.origin,
    )


def _parameters(run: Training) -> dict[str, dict[str, float]]:
    """Each parameter's ``value`` and ``gradient`` at the run's current case, by name: for
    layer sizes by backprop (as cheap as an epoch), for a graph by the values record of the
    case (a forward pass and a δ sweep of its formulas).

    Examples
    --------
    >>> run = training({"arch": ["2-1"], "epochs": ["2"]}, None)
    >>> sorted(_parameters(run)["theta^(1)_11"])
    ['gradient', 'value']
    """
    if run.network is None:
        request = values_record.ValuesRequest(run.request.subject, case=run.case)
        try:
            record = values_record.compute(request)
        except TooLarge:  # formulas too many to evaluate one by one: the weights alone
            return {name: {"value": float(v)} for name, v in run.case.parameters.items()}
        by_name = dict(zip(record.gradients.names, record.gradients.values[:, 0].tolist()))
        return {
            name: {"value": float(value), "gradient": by_name[name]}
            for name, value in run.case.parameters.items()
        }
    case = run.case
    _, weight_gradients, bias_gradients = backprop(case)
    found = {}
    for parameter in case.network.parameters():
        layer, j, k = parameter
        gradient = (
            bias_gradients[layer - 1][j - 1]
            if k == 0 and bias_gradients is not None
            else weight_gradients[layer - 1][j - 1, k - 1]
        )
        found[parameter.name] = {
            "value": case.parameter_value(*parameter),
            "gradient": float(gradient),
        }
    return found


def advance(run: Training) -> tuple[int, tuple[Training, list[dict[str, Any]]]]:
    """(200, (the run after its next chunk of epochs, the lines to stream)): an
    ``{"epoch", "cost"}`` line for each epoch, and after the last one ``{"done": true,
    "stopped": why or null}`` with the document of ``chainrule train --json`` but its
    ``costs`` (each was a line)."""
    import numpy as np

    if not run.done:
        chunk = min(TRAIN_CHUNK, run.request.epochs - (len(run.costs) - 1))
        costs, run.case = _descend(run, chunk)
        run.costs += [float(cost) for cost in costs[1:]]
        if len(costs) < chunk + 1 or not np.isfinite(run.costs[-1]):
            run.stopped = "the cost is no longer finite: the learning rate is too large"
        elif time.monotonic() - run.started > budget.EXPLORER_TRAIN_SECONDS:
            run.stopped = f"stopped after {budget.EXPLORER_TRAIN_SECONDS:g} s"
        run.done = run.stopped is not None or len(run.costs) - 1 >= run.request.epochs
    lines: list[dict[str, Any]] = [
        {"epoch": epoch, "cost": run.costs[epoch]} for epoch in range(run.sent, len(run.costs))
    ]
    if lines:  # the weights as they are now, for the page to draw on the graph
        lines[-1]["parameters"] = _parameters(run)
    run.sent = len(run.costs)
    if run.done:
        document = {key: value for key, value in _record(run).as_dict().items() if key != "costs"}
        lines.append({"done": True, "stopped": run.stopped, **document})
    return 200, (run, json_safe(lines))
