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

import numpy as np

from chainrule.errors import SpecError
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


def load_case(path: str | os.PathLike) -> Case:
    """Read and check a case file; every problem is a SpecError naming the file."""
    from chainrule.files import read_json

    document = read_json(path, "case file")
    try:
        return case_from_dict(document)
    except SpecError as error:
        raise SpecError(f"case file {str(path)!r}: {error}") from None


def load_training_data(path: str | os.PathLike, network: Network) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets from a JSON file with those two fields (a case file will do)."""
    from chainrule.files import read_json

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


def save_case(case: Case, path: str | os.PathLike) -> None:
    """Write `case` as a case file, atomically."""
    from chainrule.files import write_text_atomically

    write_text_atomically(path, json.dumps(case.as_dict(), indent=2) + "\n")
