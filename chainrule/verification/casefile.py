"""Case files: reading and checking the JSON format of docs/conventions.md into a numeric case.

The format::

    {"sizes": [2, 2, 2], "activation": "sigmoid", "cost": "mse", "bias": true,
     "weights": [Θ^(1), Θ^(2), ...],      # Θ^(l) has shape (n_{l+1}, n_l)
     "biases": [b^(2), b^(3), ...] or null,
     "inputs": m rows of n_1 numbers, "targets": m rows of n_L numbers}

Files are parsed with :mod:`json` only, checked shape by shape against the architecture spec
(which is why this lives here and not in :mod:`chainrule.numeric`), and every problem is a
:class:`~chainrule.errors.SpecError` naming the field.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Collection, Mapping, Sequence

import numpy as np

from chainrule import budget
from chainrule.errors import SpecError
from chainrule.files import read_json, write_text_atomically
from chainrule.graph import names
from chainrule.graph.spec import DEFAULT_ACTIVATION, DEFAULT_COST, Network
from chainrule.numeric.case import Case


def case_from_dict(document: object) -> Case:
    """Build and check a case from a parsed case file; a problem is a SpecError.

    Examples
    --------
    >>> from chainrule.numeric.case import random_case
    >>> case = random_case(Network([2, 2, 1], bias=True), examples=3, seed=0)
    >>> case_from_dict(case.as_dict()) == case
    True
    >>> case_from_dict({"sizes": [2, 2]})
    Traceback (most recent call last):
    ...
    chainrule.errors.SpecError: the case file has no 'weights', 'inputs', 'targets'
    """
    if not isinstance(document, dict):
        raise SpecError("a case file holds one JSON object")
    missing = [key for key in ("sizes", "weights", "inputs", "targets") if key not in document]
    if missing:
        raise SpecError(f"the case file has no {', '.join(repr(k) for k in missing)}")
    sizes = document["sizes"]
    if not isinstance(sizes, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in sizes
    ):
        raise SpecError("'sizes' must be a list of whole numbers, e.g. [2, 2, 2]")
    activation = document.get("activation", DEFAULT_ACTIVATION)
    if not (
        isinstance(activation, str)
        or (isinstance(activation, list) and all(isinstance(a, str) for a in activation))
    ):
        raise SpecError("'activation' must be a name or a list of names")
    cost = document.get("cost", DEFAULT_COST)
    if not isinstance(cost, str):
        raise SpecError(f"'cost' must be a name, e.g. \"{DEFAULT_COST}\"")
    bias = document.get("bias", document.get("biases") is not None)
    if not isinstance(bias, bool):
        raise SpecError("'bias' must be true or false")
    network = Network(tuple(sizes), bias=bias, activation=activation, cost=cost)
    weights = _matrices(
        document["weights"],
        "weights",
        [(network.sizes[l], network.sizes[l - 1]) for l in range(1, network.depth)],
    )
    biases = None
    if network.bias:
        if document.get("biases") is None:
            raise SpecError("'bias' is true but the case file has no 'biases'")
        biases = _matrices(document["biases"], "biases", [(n,) for n in network.sizes[1:]])
    elif document.get("biases") is not None:
        raise SpecError("'biases' given but 'bias' is false")
    inputs = _array(document["inputs"], "inputs", 2)
    targets = _array(document["targets"], "targets", 2)
    if inputs.shape[0] == 0:
        raise SpecError("'inputs' has no examples")
    if inputs.shape[1] != network.sizes[0]:
        raise SpecError(
            f"'inputs' rows have {inputs.shape[1]} numbers; the input layer has {network.sizes[0]}"
        )
    if targets.shape != (inputs.shape[0], network.sizes[-1]):
        raise SpecError(
            f"'targets' has shape {list(targets.shape)}; expected "
            f"[{inputs.shape[0]}, {network.sizes[-1]}] (one row per input row)"
        )
    _check_targets(network, targets)
    return Case(network, weights, biases, inputs, targets)


def _array(value: object, field: str, dimensions: int) -> np.ndarray:
    def check(item, depth):
        if depth == 0:
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise SpecError(f"'{field}' holds {json.dumps(item)}, which is not a number")
            if isinstance(item, int) and abs(item) > 10**300:
                raise SpecError(f"'{field}' holds a number too large for a float")
            if not math.isfinite(item):
                raise SpecError(f"'{field}' holds {item}, which is not a finite number")
            return
        if not isinstance(item, list):
            raise SpecError(f"'{field}' must be nested lists of numbers, {dimensions} deep")
        for element in item:
            check(element, depth - 1)

    check(value, dimensions)
    try:
        array = np.array(value, dtype=float)
    except ValueError:  # ragged rows
        raise SpecError(f"'{field}' has rows of different lengths") from None
    if array.ndim != dimensions:
        raise SpecError(f"'{field}' has rows of different lengths")
    return array


def _matrices(value: object, field: str, shapes: list[tuple[int, ...]]) -> tuple[np.ndarray, ...]:
    if not isinstance(value, list) or len(value) != len(shapes):
        raise SpecError(f"'{field}' must be a list of {len(shapes)} arrays, one per weight layer")
    arrays = []
    for layer, (item, shape) in enumerate(zip(value, shapes), start=1):
        array = _array(item, f"{field}[{layer - 1}]", len(shape))
        if array.shape != shape:
            raise SpecError(
                f"'{field}[{layer - 1}]' has shape {list(array.shape)}; layer {layer} "
                f"needs {list(shape)}"
            )
        arrays.append(array)
    return tuple(arrays)


def _check_targets(network: Network, targets: np.ndarray) -> None:
    if network.cost in ("bce", "softmax-ce") and ((targets < 0) | (targets > 1)).any():
        raise SpecError(f"'targets' of cost {network.cost} must lie in [0, 1]")


# --- cases that name their leaves: {"values": {"w1": 0.15, "i1": [0.05], ...}} ---------------


def _leaf_number(value: object, name: str) -> float:
    """A finite float from a JSON number, refused by the leaf's name otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        shown = type(value).__name__ if isinstance(value, (list, dict)) else repr(value)[:40]
        raise SpecError(f"{name!r} holds {shown}, which is not a number")
    try:
        number = float(value)
    except OverflowError:
        raise SpecError(f"{name!r} holds a number too large for a float") from None
    if not math.isfinite(number):
        raise SpecError(f"{name!r} holds {number}, which is not a finite number")
    return number


def _leaves_in_words(leaves: Sequence[Sequence[str]]) -> str:
    """The parameters w1, w2, the input x and the target y: a subject's leaves, for a refusal."""
    parts = []
    for noun, named in zip(("parameter", "input", "target"), leaves):
        if named:
            shown = ", ".join(named[:12]) + (
                f", ... ({len(named)} in all)" if len(named) > 12 else ""
            )
            parts.append(f"the {noun}{'s' if len(named) > 1 else ''} {shown}")
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def check_leaf_values(
    values: object,
    leaves: tuple[Sequence[str], Sequence[str], Sequence[str]],
    label: str,
    computed: Collection[str] = (),
) -> tuple[dict[str, float], dict[str, np.ndarray], int]:
    """Check a case that names its leaves against a subject's `leaves` (its parameters, inputs
    and targets, by name): every leaf given once, a parameter one finite number, an input or a
    target a list of finite numbers, one per example, all of one length.

    `values` is the mapping or the whole document (``{"values": {...}}``). Returns each
    parameter's number, each input's and target's numbers per example, and the examples. Every
    problem is one :class:`~chainrule.errors.SpecError` naming the leaf (`computed` are the
    subject's other nodes, refused as given values).

    Examples
    --------
    >>> check_leaf_values({"w": 2, "x": [1, 3]}, (["w"], ["x"], []), "g.json")
    ({'w': 2.0}, {'x': array([1., 3.])}, 2)
    >>> check_leaf_values({"w": [2], "x": [1]}, (["w"], ["x"], []), "g.json")
    Traceback (most recent call last):
    ...
    chainrule.errors.SpecError: 'w' is a parameter: give it one number (the same in every \
example), not a list
    """
    if isinstance(values, Mapping) and set(values) == {"values"}:
        values = values["values"]
    if not isinstance(values, Mapping):
        raise SpecError(
            'a case of named leaves is an object: {"values": {"w1": 0.15, "i1": [0.05], ...}}'
        )
    parameters, inputs, targets = leaves
    known = {*parameters, *inputs, *targets}
    for name in values:
        if name in known:
            continue
        if name in computed:
            raise SpecError(
                f"{str(name)[:80]!r} is computed by {label}, not given: a case gives values to "
                "the parameters, inputs and targets only"
            )
        raise SpecError(
            f"unknown leaf {str(name)[:80]!r}: {label}'s leaves are {_leaves_in_words(leaves)}"
        )
    missing = [name for name in [*parameters, *inputs, *targets] if name not in values]
    if missing:
        shown = ", ".join(missing[:12]) + (", ..." if len(missing) > 12 else "")
        raise SpecError(
            f"the case gives no value for {shown} ({len(missing):,} of the {len(known):,} "
            f"leaves of {label})"
        )
    numbers = {}
    for name in parameters:
        if isinstance(values[name], list):
            raise SpecError(
                f"{name!r} is a parameter: give it one number (the same in every example), "
                "not a list"
            )
        numbers[name] = _leaf_number(values[name], name)
    per_example: dict[str, np.ndarray] = {}
    first: str | None = None
    for name in [*inputs, *targets]:
        given = values[name]
        if not isinstance(given, list):
            noun = "an input" if name in inputs else "a target"
            shown = repr(given)[:40]
            raise SpecError(
                f"{name!r} is {noun}: give it one number per example, as a list "
                f"([{shown}] for one example)"
            )
        if not given:
            raise SpecError(f"{name!r} has no examples: give it one number per example")
        if len(given) > budget.CASE_EXAMPLES:
            raise SpecError(
                f"{name!r} has {len(given):,} examples, more than the "
                f"{budget.CASE_EXAMPLES:,} a case may hold"
            )
        row = np.array([_leaf_number(value, name) for value in given])
        if first is not None and len(row) != len(per_example[first]):
            count = len(row)
            raise SpecError(
                f"{name!r} has {count} number{'' if count == 1 else 's'}, one per example; "
                f"{first!r} has {len(per_example[first])}: give every input and target the "
                "same number of examples"
            )
        first = first or name
        per_example[name] = row
    examples = len(per_example[first]) if first is not None else 1
    return numbers, per_example, examples


def layered_leaves(network: Network) -> tuple[list[str], list[str], list[str]]:
    """A layered network's leaves by name: every θ, the inputs x_k and the targets y_i."""

    return (
        [parameter.name for parameter in network.parameters()],
        [names.x_name(k) for k in range(1, network.sizes[0] + 1)],
        [f"y_{i}" for i in range(1, network.sizes[-1] + 1)],
    )


def case_from_values(network: Network, values: object) -> Case:
    """A layered network's case from its leaves by name (``theta^(1)_11``, ``x_1``, ``y_1``),
    checked as :func:`check_leaf_values` checks any case of named leaves.

    Examples
    --------
    >>> case = case_from_values(Network([1, 1]), {"theta^(1)_11": 0.5, "x_1": [2], "y_1": [1]})
    >>> case.weights, case.inputs.tolist(), case.targets.tolist()
    ((array([[0.5]]),), [[2.0]], [[1.0]])
    """

    parameters, inputs, targets = layered_leaves(network)
    computed = {
        name(layer, j)
        for layer in range(2, network.depth + 1)
        for j in range(1, network.sizes[layer - 1] + 1)
        for name in (names.z_name, names.a_name)
    } | {names.COST_NAME}
    numbers, per_example, examples = check_leaf_values(
        values, (parameters, inputs, targets), network.architecture, computed
    )
    sizes = network.sizes
    weights = tuple(np.zeros((sizes[l], sizes[l - 1])) for l in range(1, len(sizes)))
    biases = tuple(np.zeros(sizes[l]) for l in range(1, len(sizes))) if network.bias else None
    for parameter in network.parameters():
        layer, j, k = parameter
        if k == 0:
            assert biases is not None  # a bias weight exists only with biases
            biases[layer - 1][j - 1] = numbers[parameter.name]
        else:
            weights[layer - 1][j - 1, k - 1] = numbers[parameter.name]
    stack = np.column_stack
    targets_array = stack([per_example[name] for name in targets]).reshape(examples, -1)
    _check_targets(network, targets_array)
    return Case(
        network,
        weights,
        biases,
        stack([per_example[name] for name in inputs]).reshape(examples, -1),
        targets_array,
    )


def load_case(path: str | os.PathLike) -> Case:
    """Read and check a case file; every problem is a SpecError naming the file."""

    document = read_json(path, "case file")
    try:
        return case_from_dict(document)
    except SpecError as error:
        raise SpecError(f"case file {str(path)!r}: {error}") from None


def load_training_data(path: str | os.PathLike, network: Network) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets from a JSON file with those two fields (a case file will do)."""

    document = read_json(path, "data file")
    if not isinstance(document, dict) or not {"inputs", "targets"} <= document.keys():
        raise SpecError(f"data file {str(path)!r} needs 'inputs' and 'targets'")
    try:
        inputs = _array(document["inputs"], "inputs", 2)
        targets = _array(document["targets"], "targets", 2)
        if inputs.shape[1] != network.sizes[0] or targets.shape != (len(inputs), network.sizes[-1]):
            raise SpecError(
                f"'inputs' and 'targets' must have {network.sizes[0]} and "
                f"{network.sizes[-1]} numbers a row, one target row per input row"
            )
        _check_targets(network, targets)
    except SpecError as error:
        raise SpecError(f"data file {str(path)!r}: {error}") from None
    return inputs, targets


def save_case(case, path: str | os.PathLike) -> None:
    """Write `case` (a layered network's :class:`Case`, or a graph's case of named leaves) as a
    case file, atomically."""

    write_text_atomically(path, json.dumps(case.as_dict(), indent=2) + "\n")
