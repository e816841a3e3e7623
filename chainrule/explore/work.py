"""The explorer's endpoints that have no CLI ``--json`` twin: the layout (``/api/layout``), the
math of one parameter (``/api/math``), the numbers of one case (``/api/values``) and streamed
training (``/api/train``). Each takes the request's query (name -> list of values) and answers
(HTTP status, document); bad input is 400 with the message the CLI would give.

Examples
--------
>>> status, document = math({"arch": ["2-2-2"], "param": ["1,1,1"]}, None)
>>> status, len(document["edges"]), document["steps"][-1]["latex"]
(200, 8, '\\\\delta_{1}^{(2)} \\\\cdot x_{1}')
>>> math({"arch": ["2-2-2"], "param": ["3,1,1"]}, None)[0]
400
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, overload

from chainrule.explore import api

NETWORK_OPTIONS = ("arch", "graph", "bias", "activation", "cost")
DEFAULT_MATH_LIMIT = 2_000
#: Training: epochs per streamed chunk, and the most a request may ask for.
TRAIN_CHUNK = 25
MAX_EPOCHS = 20_000
MAX_TRAIN_PARAMETERS = 5_000
TRAIN_SECONDS = 20.0


@overload
def _one(query: Mapping[str, list[str]], name: str, default: str) -> str: ...
@overload
def _one(query: Mapping[str, list[str]], name: str, default: None = None) -> str | None: ...
def _one(query: Mapping[str, list[str]], name: str, default: str | None = None) -> str | None:
    values = api.values_of(query, name)
    return values[-1] if values else default


def _check_names(query: Mapping[str, list[str]], allowed: tuple[str, ...], endpoint: str) -> None:
    unknown = sorted(key for key in query if key not in allowed)
    if unknown:
        raise api.RequestError(
            f"{endpoint} takes no parameter {unknown[0]!r}; it takes " + ", ".join(allowed)
        )


#: ARCH spellings built as general graphs (chainrule.graph.architectures).
GRAPH_SPELLINGS = ("rnn:", "resnet:")


def _source(query: Mapping[str, list[str]], body: str | None):
    """(network, None) for layer sizes or (None, graph) for a graph file, from the request."""
    from chainrule.graph.spec import Network, SpecError

    text = api.graph_text(query, body)
    if text is not None:
        return None, api.parse_graph(text)
    arch = (_one(query, "arch") or "").strip()
    if not arch:
        raise api.RequestError("give an architecture (arch) or a graph file (graph)")
    if arch.lower().endswith(".json"):
        raise api.RequestError(
            "the explorer reads no files: send a graph file's JSON text as the 'graph' parameter"
        )
    bias = api.flag("bias", api.values_of(query, "bias")) if api.values_of(query, "bias") else False
    if arch.startswith(GRAPH_SPELLINGS):  # rnn:I-H-O:T and resnet:WxN are built as graphs
        from chainrule.graph.architectures import parse_architecture_graph

        return None, parse_architecture_graph(
            arch,
            bias=bias,
            activation=_one(query, "activation", "sigmoid"),
            cost=_one(query, "cost", "mse"),
        )
    try:
        return Network.parse(
            arch,
            bias=bias,
            activation=_one(query, "activation", "sigmoid"),
            cost=_one(query, "cost", "mse"),
        ), None
    except TypeError as error:  # an architecture kind that takes no such options
        raise SpecError(str(error)) from None


def _answer(compute):
    """Run `compute()`; a refusal becomes 400 with its message."""
    from chainrule.errors import ChainruleError

    try:
        return 200, compute()
    except (api.RequestError, ChainruleError) as error:
        return 400, {"error": str(error)}
    except RecursionError:
        return 400, {"error": "the input is nested too deeply"}


def layout(query: Mapping[str, list[str]], body: str | None):
    """``/api/layout``: node positions and edges of the drawing (see :mod:`.layout`)."""

    def compute():
        from chainrule.explore.layout import graph_layout, layered_layout
        from chainrule.graph.spec import parse_parameter

        _check_names(query, NETWORK_OPTIONS + ("param",), "/api/layout")
        network, graph = _source(query, body)
        param = _one(query, "param")
        if graph is not None:
            return graph_layout(graph, param)
        return layered_layout(network, parse_parameter(param, network) if param else None)

    return _answer(compute)


def _graph_and_parameter(query, body):
    """The graph to derive on, its selected parameter's node name, and its chain count."""
    from chainrule.graph.spec import SpecError, parse_parameter

    network, graph = _source(query, body)
    param = _one(query, "param")
    if graph is not None:
        from chainrule.graph.paths import path_counts

        parameters = [n for n, kind in graph.nodes(data="kind") if kind == "param"]
        name = param or parameters[0]
        if name not in parameters:
            raise SpecError(
                f"no parameter {name!r} in {graph.graph['source']}; it has {', '.join(parameters)}"
            )
        return graph, name, path_counts(graph)[name][0], None
    from chainrule.calculus.counting import count_parameter
    from chainrule.graph.build import check_graph_size

    parameter = parse_parameter(param or "1,1,1", network)
    total = count_parameter(network, parameter)[0]

    def checked_graph():
        check_graph_size(network, api.MAX_GRAPH_ELEMENTS)
        return _graph_of(network)

    return (
        checked_graph,
        parameter.name,
        total,
        network,
    )


@lru_cache(maxsize=4)
def _graph_of(network):
    """The graph of a layered network, kept for the next parameter of the same network: its
    edges keep their printed formulas, so a page's clicks cost little after the first."""
    from chainrule.graph.build import build_graph

    return build_graph(network)


def math(query: Mapping[str, list[str]], body: str | None):
    """``/api/math``: MathML and LaTeX of one parameter's chains and δ factoring steps."""

    def compute():
        from chainrule.explore.math import parameter_math

        _check_names(query, NETWORK_OPTIONS + ("param", "limit"), "/api/math")
        limit_text = _one(query, "limit", str(DEFAULT_MATH_LIMIT))
        if not limit_text.isdigit() or not 0 < int(limit_text) <= api.MAX_LIMIT:
            raise api.RequestError(
                f"limit: expected a whole number from 1 to {api.MAX_LIMIT:,}, got {limit_text!r}"
            )
        limit = int(limit_text)
        graph, name, total, _ = _graph_and_parameter(query, body)
        if total > limit:
            raise api.RequestError(
                f"the selection has {total:,} chains, more than --limit "
                f"{limit:,}; raise it with --limit {total}"
            )
        graph = graph() if callable(graph) else graph
        return parameter_math(graph, name)

    return _answer(compute)


def values(query: Mapping[str, list[str]], body: str | None):
    """``/api/values``: one verification case's numbers on the graph (the case ``chainrule
    verify`` draws from the same seed): each z, a and δ of the first example, each weight and
    each gradient (summed over the examples, as J averages over them)."""

    def compute():
        import numpy as np

        from chainrule.graph import names
        from chainrule.numeric import backprop
        from chainrule.numeric.case import random_case

        _check_names(
            query, NETWORK_OPTIONS + ("seed", "examples", "init-scale", "init_scale"), "/api/values"
        )
        network, graph = _source(query, body)
        if graph is not None:
            raise api.RequestError(
                "the numbers panel takes layer sizes; for a graph file, rnn: or resnet: the "
                "check is /api/verify"
            )
        seed, examples = _one(query, "seed", "0"), _one(query, "examples", "4")
        scale = _one(query, "init-scale", "1")
        if not (seed.isdigit() and examples.isdigit() and 0 < int(examples) <= api.MAX_EXAMPLES):
            raise api.RequestError(
                f"seed and examples are whole numbers (examples 1 to {api.MAX_EXAMPLES})"
            )
        try:
            init_scale = float(scale)
        except ValueError:
            init_scale = float("nan")
        if not 0 < init_scale < float("inf"):
            raise api.RequestError(f"init-scale: expected a positive number, got {scale!r}")
        if network.parameter_count > MAX_TRAIN_PARAMETERS:
            raise api.RequestError(
                f"{network.architecture} has {network.parameter_count:,} "
                f"parameters, more than the {MAX_TRAIN_PARAMETERS:,} the "
                "numbers panel shows"
            )
        case = random_case(network, examples=int(examples), seed=int(seed), init_scale=init_scale)
        with np.errstate(all="ignore"):
            # backprop's own forward and backward sweeps: the numbers are the oracle's
            cost, activities, deltas = backprop._backward(case)
            zs, _ = backprop.forward(
                case.weights, case.biases, case.inputs, case.network.activation
            )
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
        from chainrule.files import json_safe

        return json_safe(
            {
                "architecture": network.architecture,
                "seed": int(seed),
                "examples": int(examples),
                "example": 1,
                "cost": float(cost),
                "targets": case.targets[0].tolist(),
                "nodes": nodes,
            }
        )

    return _answer(compute)


class Trainer:
    """Gradient descent a chunk of epochs at a time, for a stream: ``advance()`` returns the
    next lines (``{"epoch", "cost"}``, then a last ``{"done": true, ...}``) and sets `done`."""

    def __init__(self, case, epochs: int, learning_rate: float):
        from chainrule.numeric.backprop import cost_of

        self.case, self.epochs, self.learning_rate = case, epochs, learning_rate
        self.epoch, self.done = 0, False
        self.started = time.monotonic()
        self.pending: list[dict[str, Any]] = [{"epoch": 0, "cost": float(cost_of(case))}]

    def advance(self) -> list[dict]:
        import numpy as np

        from chainrule.files import json_safe
        from chainrule.numeric.train import descend, identical_hidden_units

        lines, self.pending = self.pending, []
        if self.done:
            return lines
        chunk = min(TRAIN_CHUNK, self.epochs - self.epoch)
        costs, self.case = descend(self.case, chunk, self.learning_rate)
        for number, cost in enumerate(costs[1:], start=self.epoch + 1):
            lines.append({"epoch": number, "cost": float(cost)})
        self.epoch += len(costs) - 1
        stopped = None
        if not np.isfinite(costs[-1]):
            stopped = "the cost is no longer finite: the learning rate is too large"
        elif time.monotonic() - self.started > TRAIN_SECONDS:
            stopped = f"stopped after {TRAIN_SECONDS:g} s"
        if stopped or self.epoch >= self.epochs:
            self.done = True
            lines.append(
                {
                    "done": True,
                    "epochs": self.epoch,
                    "stopped": stopped,
                    "identical_hidden_units": [
                        {"layer": layer, "units": units}
                        for layer, units in identical_hidden_units(self.case)
                    ],
                    "trained": self.case.as_dict(),
                }
            )
        return json_safe(lines)


def trainer(query: Mapping[str, list[str]]):
    """``/api/train``: read the query into the ``train`` command's request, as every endpoint
    reads its own (:func:`~chainrule.explore.api.request_of`), check it within the explorer's
    caps and make the case it would train; (200, :class:`Trainer`) or (400, error)."""

    def compute():
        from chainrule import budget
        from chainrule.records import train as train_record
        from chainrule.records.subject import resolve

        with budget.front_end("http", api.EXPLORER_CAPS):
            if api.graph_text(query) is not None:
                raise api.RequestError("training takes layer sizes (arch), not a graph file")
            api.check_parameters("train", query)
            data = api.values_of(query, "data")
            if data and data[-1] not in train_record.DATA_SOURCES:
                raise api.RequestError("the explorer reads no files: data takes xor or random")
            request = api.request_of("train", query, None, module=train_record)
            if request.epochs > MAX_EPOCHS:
                raise api.RequestError(
                    f"{budget.spelled('epochs', f'{request.epochs:,}')} is more than the "
                    f"explorer allows ({MAX_EPOCHS:,})"
                )
            network = resolve(request.subject, "train", layers_only=True).layered_network()
            if network.parameter_count > MAX_TRAIN_PARAMETERS:
                raise api.RequestError(
                    f"{network.architecture} has {network.parameter_count:,} "
                    f"parameters, more than the {MAX_TRAIN_PARAMETERS:,} the "
                    "explorer trains"
                )
            # A run is stopped after TRAIN_SECONDS rather than refused by its estimate.
            _, case = train_record.start(request)
        return Trainer(case, request.epochs, request.lr)

    return _answer(compute)
