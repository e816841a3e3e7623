"""A case: one network with numbers in it (weights, biases, inputs, targets).

A case holds its architecture as any object with ``sizes``, ``bias``, ``activation`` (one name
per layer 2..L) and ``cost``, such as a :class:`chainrule.graph.spec.Network`: this package
imports numpy and nothing of the graph or SymPy side, so numeric backprop stays independent.
:meth:`Case.as_dict` is the case-file document of docs/conventions.md; reading and checking
case files, which needs the architecture spec, is :mod:`chainrule.verification.casefile`.

Examples
--------
>>> from chainrule.graph.spec import Network
>>> case = random_case(Network([2, 2, 1], bias=True), examples=3, seed=0)
>>> [w.shape for w in case.weights], [b.shape for b in case.biases], case.inputs.shape
([(2, 2), (1, 2)], [(2,), (1,)], (3, 2))
>>> case.as_dict()["sizes"], case == random_case(case.network, examples=3, seed=0)
([2, 2, 1], True)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule import budget

XOR_INPUTS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_TARGETS = [[0.0], [1.0], [1.0], [0.0]]
SOFTMAX_COST = "softmax-ce"  # its targets are one-hot rows


@dataclass(frozen=True, eq=False)
class Case:
    """A network with numbers: ``weights[l-1]`` is Θ^(l), ``biases[l-1]`` is b^(l+1)."""

    network: Any  # duck-typed: sizes, bias, activation (per layer 2..L), cost
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
            assert self.biases is not None  # a bias weight exists only in a case with biases
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

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Case) and json.dumps(self.as_dict()) == json.dumps(other.as_dict())


def random_case(
    network,
    examples: int = 4,
    seed: int = 0,
    init_scale: float = 1.0,
    inputs: np.ndarray | None = None,
    targets: np.ndarray | None = None,
    max_numbers: int = budget.DEFAULT_MAX_NUMBERS,
) -> Case:
    """Weights and biases drawn uniformly from [-init_scale, init_scale], reproducibly from
    `seed`; inputs from [-1, 1]; targets that suit the cost (one-hot rows for softmax-ce,
    values in [0, 1] otherwise) unless given.

    Refused (:class:`~chainrule.errors.TooLarge`, before anything is allocated) when the case
    and its gradients would hold more than `max_numbers` numbers.
    """
    rows = examples if inputs is None else len(inputs)
    budget.check_case(network, rows, max_numbers)
    generator = np.random.default_rng(seed)
    sizes = network.sizes
    weights = tuple(
        generator.uniform(-init_scale, init_scale, (sizes[l], sizes[l - 1]))
        for l in range(1, len(sizes))
    )
    biases = (
        tuple(generator.uniform(-init_scale, init_scale, sizes[l]) for l in range(1, len(sizes)))
        if network.bias
        else None
    )
    if inputs is None:
        inputs = generator.uniform(-1.0, 1.0, (examples, sizes[0]))
    if targets is None:
        if network.cost == SOFTMAX_COST:
            targets = np.eye(sizes[-1])[generator.integers(0, sizes[-1], inputs.shape[0])]
        else:
            targets = generator.uniform(0.0, 1.0, (inputs.shape[0], sizes[-1]))
    return Case(network, weights, biases, np.asarray(inputs, float), np.asarray(targets, float))


def constant_case(
    network,
    value: float,
    inputs: np.ndarray,
    targets: np.ndarray,
    max_numbers: int = budget.DEFAULT_MAX_NUMBERS,
) -> Case:
    """Every weight and bias equal to `value`: the symmetric start that never breaks symmetry."""
    budget.check_case(network, len(inputs), max_numbers)
    sizes = network.sizes
    weights = tuple(np.full((sizes[l], sizes[l - 1]), value) for l in range(1, len(sizes)))
    biases = tuple(np.full(sizes[l], value) for l in range(1, len(sizes))) if network.bias else None
    return Case(network, weights, biases, np.asarray(inputs, float), np.asarray(targets, float))
