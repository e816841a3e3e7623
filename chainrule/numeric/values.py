"""Every number of one case, layer by layer: the forward pass, each local factor, each δ.

Numeric backprop (:mod:`chainrule.numeric.backprop`) needs only the δ of each weighted input;
a worked example shows every number a hand derivation writes: each z and a, each output's part
of the cost, each local factor (∂z/∂θ = a, ∂z/∂a = θ, ∂a/∂z = f'(z), ∂J/∂a), and ∂J/∂v of every
node, the weights' per example. This module computes them in numpy from the same formulas as
the oracle (its activations, costs and fused output δ), as arrays with one row per example;
naming them is left to the caller, since this package imports nothing of the graph.

Examples
--------
>>> from chainrule.numeric.case import random_case
>>> from chainrule.graph.spec import Network
>>> numbers = layer_values(random_case(Network([2, 2, 1], bias=True), examples=3, seed=1))
>>> [z.shape for z in numbers.zs], numbers.weight_deltas[0].shape
([(3, 2), (3, 1)], (3, 2, 2))
>>> bool(np.allclose(numbers.weight_deltas[1].sum(axis=0), numbers.weight_gradients[1]))
True
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from chainrule.numeric import backprop as numeric
from chainrule.numeric.case import Case


class LayerValues(NamedTuple):
    """One case's numbers by layer, each array with one row per example.

    `activities[l - 1]` is a^(l) (the inputs for l = 1) and `zs[l - 2]` is z^(l); the factors
    are `output_factor` (∂J/∂a^(L)) and `activation_factors[l - 2]` (∂a^(l)/∂z^(l): f'(z), or
    for a softmax layer its Jacobian, m × n × n with [e, i, j] = ∂a_i/∂z_j); the δs are
    ∂J/∂z^(l) (`z_deltas`), ∂J/∂a^(l) (`a_deltas`, the inputs' at l = 1) and each weight's
    per example (`weight_deltas[l - 1]`, m × n_{l+1} × n_l; a bias weight's is its z's δ).
    """

    activities: list[np.ndarray]
    zs: list[np.ndarray]
    output_costs: np.ndarray
    cost: float
    output_factor: np.ndarray
    activation_factors: list[np.ndarray]
    z_deltas: list[np.ndarray]
    a_deltas: list[np.ndarray]
    weight_deltas: list[np.ndarray]
    weight_gradients: list[np.ndarray]
    bias_gradients: list[np.ndarray] | None


def _activation_factor(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    if name == "softmax":
        # ∂a_i/∂z_j = a_i ([i = j] − a_j), for every example
        return a[:, :, None] * (np.eye(a.shape[1])[None, :, :] - a[:, None, :])
    return numeric.ACTIVATIONS[name][1](z, a)


def layer_values(case: Case) -> LayerValues:
    """Every number of `case` by layer: a forward pass, then a backward pass that keeps each
    δ and each local factor (see :class:`LayerValues`).

    Notes
    -----
    The arrays hold m × (the neurons) numbers, and the weights' δs m × (the weights): as much
    as the case and its gradients, times the examples.
    """
    network = case.network
    activations, cost = network.activation, network.cost
    zs, activities = numeric.forward(case.weights, case.biases, case.inputs, activations)
    output, targets = activities[-1], case.targets
    output_costs = numeric.output_costs(cost, activations[-1], zs[-1], output, targets)
    output_factor = numeric.COSTS[cost][1](output, targets, output.shape[0])
    factors = [
        _activation_factor(name, z, a) for name, z, a in zip(activations, zs, activities[1:])
    ]
    # δ^(L) fused with the cost where it can be (finite at a saturated output), as the oracle
    delta = numeric.fused_output_delta(cost, activations[-1], output, targets)
    if delta is None:
        if activations[-1] == "softmax":
            delta = np.einsum("ei,eij->ej", output_factor, factors[-1])
        else:
            delta = output_factor * factors[-1]
    z_deltas = [delta]
    a_deltas = [output_factor]
    for layer in range(len(case.weights) - 1, -1, -1):
        below = z_deltas[0] @ case.weights[layer]  # ∂J/∂a of the layer below: δ Θ
        a_deltas.insert(0, below)
        if layer > 0:
            z_deltas.insert(0, below * factors[layer - 1])
    weight_deltas = [
        delta[:, :, None] * a[:, None, :] for delta, a in zip(z_deltas, activities[:-1])
    ]
    return LayerValues(
        activities,
        zs,
        output_costs,
        float(np.sum(output_costs)),
        output_factor,
        factors,
        z_deltas,
        a_deltas,
        weight_deltas,
        [deltas.sum(axis=0) for deltas in weight_deltas],
        None if case.biases is None else [delta.sum(axis=0) for delta in z_deltas],
    )
