"""A case: one network with numbers in it (weights, biases, inputs, targets), and its file format.

The format is fixed in docs/conventions.md::

    {"sizes": [2, 2, 2], "activation": "sigmoid", "cost": "mse", "bias": true,
     "weights": [Θ^(1), Θ^(2), ...],      # Θ^(l) has shape (n_{l+1}, n_l)
     "biases": [b^(2), b^(3), ...] or null,
     "inputs": m rows of n_1 numbers, "targets": m rows of n_L numbers}

Files are parsed with :mod:`json` only, checked shape by shape, and every problem is a
:class:`~chainrule.errors.SpecError` naming the field. This module imports numpy but nothing of
the graph or SymPy side, so numeric backprop can use it and stay independent.

Examples
--------
>>> case = random_case(Network([2, 2, 1], bias=True), examples=3, seed=0)
>>> [w.shape for w in case.weights], [b.shape for b in case.biases], case.inputs.shape
([(2, 2), (1, 2)], [(2,), (1,)], (3, 2))
>>> Case.from_dict(case.as_dict()) == case
True
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass

import numpy as np

from chainrule.graph.spec import Network, SpecError

XOR_INPUTS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_TARGETS = [[0.0], [1.0], [1.0], [0.0]]


@dataclass(frozen=True, eq=False)
class Case:
    """A network with numbers: ``weights[l-1]`` is Θ^(l), ``biases[l-1]`` is b^(l+1)."""

    network: Network
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...] | None
    inputs: np.ndarray
    targets: np.ndarray

    @property
    def examples(self) -> int:
        return self.inputs.shape[0]

    def parameter_value(self, layer: int, j: int, k: int) -> float:
        """θ^(layer)_jk (k = 0 is the bias weight b^(layer+1)_j)."""
        if k == 0:
            return float(self.biases[layer - 1][j - 1])
        return float(self.weights[layer - 1][j - 1, k - 1])

    def as_dict(self) -> dict:
        network = self.network
        activation = list(network.activation)
        return {
            "sizes": list(network.sizes),
            "activation": activation[0] if len(set(activation)) == 1 else activation,
            "cost": network.cost,
            "bias": network.bias,
            "weights": [w.tolist() for w in self.weights],
            "biases": None if self.biases is None else [b.tolist() for b in self.biases],
            "inputs": self.inputs.tolist(),
            "targets": self.targets.tolist(),
        }

    @classmethod
    def from_dict(cls, document: object) -> Case:
        """Build and check a case from a parsed case file; a problem is a SpecError."""
        if not isinstance(document, dict):
            raise SpecError("a case file holds one JSON object")
        missing = [key for key in ("sizes", "weights", "inputs", "targets") if key not in document]
        if missing:
            raise SpecError(f"the case file has no {', '.join(repr(k) for k in missing)}")
        sizes = document["sizes"]
        if not isinstance(sizes, list) or not all(isinstance(n, int) and not isinstance(n, bool)
                                                  for n in sizes):
            raise SpecError("'sizes' must be a list of whole numbers, e.g. [2, 2, 2]")
        activation = document.get("activation", "sigmoid")
        if not (isinstance(activation, str) or (isinstance(activation, list)
                                                and all(isinstance(a, str) for a in activation))):
            raise SpecError("'activation' must be a name or a list of names")
        cost = document.get("cost", "mse")
        if not isinstance(cost, str):
            raise SpecError("'cost' must be a name, e.g. \"mse\"")
        bias = document.get("bias", document.get("biases") is not None)
        if not isinstance(bias, bool):
            raise SpecError("'bias' must be true or false")
        network = Network(tuple(sizes), bias=bias, activation=activation, cost=cost)
        weights = _matrices(document["weights"], "weights",
                            [(network.sizes[l], network.sizes[l - 1]) for l in range(1, network.depth)])
        biases = None
        if network.bias:
            if document.get("biases") is None:
                raise SpecError("'bias' is true but the case file has no 'biases'")
            biases = _matrices(document["biases"], "biases",
                               [(n,) for n in network.sizes[1:]])
        elif document.get("biases") is not None:
            raise SpecError("'biases' given but 'bias' is false")
        inputs = _array(document["inputs"], "inputs", 2)
        targets = _array(document["targets"], "targets", 2)
        if inputs.shape[0] == 0:
            raise SpecError("'inputs' has no examples")
        if inputs.shape[1] != network.sizes[0]:
            raise SpecError(f"'inputs' rows have {inputs.shape[1]} numbers; the input layer has "
                            f"{network.sizes[0]}")
        if targets.shape != (inputs.shape[0], network.sizes[-1]):
            raise SpecError(f"'targets' has shape {list(targets.shape)}; expected "
                            f"[{inputs.shape[0]}, {network.sizes[-1]}] (one row per input row)")
        _check_targets(network, targets)
        return cls(network, weights, biases, inputs, targets)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Case) and json.dumps(self.as_dict()) == json.dumps(other.as_dict())


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
            raise SpecError(f"'{field}[{layer - 1}]' has shape {list(array.shape)}; layer {layer} "
                            f"needs {list(shape)}")
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
        return Case.from_dict(document)
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
            raise SpecError(f"'inputs' and 'targets' must have {network.sizes[0]} and "
                            f"{network.sizes[-1]} numbers a row, one target row per input row")
        _check_targets(network, targets)
    except SpecError as error:
        raise SpecError(f"data file {str(path)!r}: {error}") from None
    return inputs, targets


def save_case(case: Case, path: str | os.PathLike) -> None:
    from chainrule.files import write_text_atomically

    write_text_atomically(path, json.dumps(case.as_dict(), indent=2) + "\n")


def random_case(network: Network, examples: int = 4, seed: int = 0, init_scale: float = 1.0,
                inputs: np.ndarray | None = None, targets: np.ndarray | None = None) -> Case:
    """Weights and biases drawn uniformly from [-init_scale, init_scale], reproducibly from
    `seed`; inputs from [-1, 1]; targets that suit the cost (one-hot rows for softmax-ce,
    values in [0, 1] otherwise) unless given."""
    generator = np.random.default_rng(seed)
    sizes = network.sizes
    weights = tuple(generator.uniform(-init_scale, init_scale, (sizes[l], sizes[l - 1]))
                    for l in range(1, network.depth))
    biases = (tuple(generator.uniform(-init_scale, init_scale, sizes[l])
                    for l in range(1, network.depth)) if network.bias else None)
    if inputs is None:
        inputs = generator.uniform(-1.0, 1.0, (examples, sizes[0]))
    if targets is None:
        if network.softmax_output:
            targets = np.eye(sizes[-1])[generator.integers(0, sizes[-1], inputs.shape[0])]
        else:
            targets = generator.uniform(0.0, 1.0, (inputs.shape[0], sizes[-1]))
    return Case(network, weights, biases, np.asarray(inputs, float), np.asarray(targets, float))


def constant_case(network: Network, value: float, inputs: np.ndarray, targets: np.ndarray) -> Case:
    """Every weight and bias equal to `value`: the symmetric start that never breaks symmetry."""
    sizes = network.sizes
    weights = tuple(np.full((sizes[l], sizes[l - 1]), value) for l in range(1, network.depth))
    biases = (tuple(np.full(sizes[l], value) for l in range(1, network.depth))
              if network.bias else None)
    return Case(network, weights, biases, np.asarray(inputs, float), np.asarray(targets, float))
