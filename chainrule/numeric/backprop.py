"""Numeric backpropagation in numpy, vectorised over a batch of m examples.

This module is the independent check: it shares no code with the graph, the chains, the rules
table or SymPy (its activations and costs are written out again here, on purpose), so that
agreement between it and the symbolic side means something. It follows the standard L-layer
method: a forward pass; δ^(L) from the cost; δ^(l) = δ^(l+1) Θ^(l) ⊙ f'(z^(l)); gradients as
outer products summed over the batch, ∂J/∂Θ^(l) = (δ^(l+1))ᵀ a^(l). Gradients have the true sign:
gradient descent is θ := θ − η ∂J/∂θ.

Examples
--------
>>> from chainrule.numeric.case import random_case
>>> from chainrule.graph.spec import Network
>>> case = random_case(Network([2, 2, 1]), examples=4, seed=1)
>>> cost, weight_gradients, bias_gradients = backprop(case)
>>> [g.shape for g in weight_gradients], bias_gradients
([(2, 2), (1, 2)], None)
>>> bool(abs(cost_of(case) - cost) < 1e-15)
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from chainrule.numeric.differences import STEP, central_differences

# The activations and costs again, in numpy. The duplication of chainrule.rules is deliberate:
# this is the independent oracle, and a slip in one table is caught by the other.
LEAKY_SLOPE = 0.01

#: name -> (f(z), f'(z)); f' is given (z, a) so that the sigmoid and tanh can use a = f(z).
ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "sigmoid": (lambda z: 1.0 / (1.0 + np.exp(-z)), lambda z, a: a * (1.0 - a)),
    "tanh": (np.tanh, lambda z, a: 1.0 - a * a),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float)),
    "identity": (lambda z: z, lambda z, a: np.ones_like(z)),
    "softplus": (lambda z: np.logaddexp(0.0, z), lambda z, a: 1.0 / (1.0 + np.exp(-z))),
    "leaky_relu": (
        lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
        lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE),
    ),
}

#: name -> (each example's and output's share of J, dJ/da) over a batch: a and y have one row
#: per example, m is the example count; J is the sum of the shares.
COSTS: dict[str, tuple[Callable, Callable]] = {
    "mse": (lambda a, y, m: (y - a) ** 2 / (2 * m), lambda a, y, m: (a - y) / m),
    "se": (lambda a, y, m: (y - a) ** 2 / 2, lambda a, y, m: a - y),
    "bce": (
        lambda a, y, m: -(y * np.log(a) + (1 - y) * np.log(1 - a)) / m,
        lambda a, y, m: (a - y) / (m * a * (1 - a)),
    ),
    "softmax-ce": (lambda a, y, m: -y * np.log(a) / m, lambda a, y, m: -y / (m * a)),
}


def _softmax(z: np.ndarray) -> np.ndarray:
    shifted = np.exp(z - z.max(axis=1, keepdims=True))  # shifting leaves softmax unchanged
    return shifted / shifted.sum(axis=1, keepdims=True)


def fused_output_costs(
    cost: str, output_activation: str, z: np.ndarray, y: np.ndarray
) -> np.ndarray | None:
    """Each example's and output's share of J computed from the logits z^(L), for a cost fused
    with its output activation (bce after a sigmoid, softmax-ce after a softmax); None for any
    other pair.

    bce: softplus(z) − y z, as log(1 + e^z) by ``logaddexp``; softmax-ce: −y (z − log Σ e^z),
    the log-sum-exp shifted by the row's largest logit. Both are finite where the output
    saturates at exactly 0 or 1 and log a is −∞: at z = 40 and y = 0, bce is 40, not inf.

    Examples
    --------
    >>> z, y = np.array([[40.0]]), np.array([[0.0]])
    >>> fused_output_costs("bce", "sigmoid", z, y)
    array([[40.]])
    >>> with np.errstate(divide="ignore"):  # from a = 1.0: log 0
    ...     float(COSTS["bce"][0](1.0 / (1.0 + np.exp(-z)), y, 1)[0, 0])
    inf
    """
    m = z.shape[0]
    if (cost, output_activation) == ("bce", "sigmoid"):
        return (np.logaddexp(0.0, z) - y * z) / m
    if (cost, output_activation) == ("softmax-ce", "softmax"):
        shifted = z - z.max(axis=1, keepdims=True)
        log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -y * log_softmax / m
    return None


def output_costs(
    cost: str, output_activation: str, z: np.ndarray, a: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """Each example's and output's share of J (m × n_L): from the logits for a fused cost,
    else from the outputs a."""
    fused = fused_output_costs(cost, output_activation, z, y)
    if fused is not None:
        return fused
    return COSTS[cost][0](a, y, a.shape[0])


def _cost(name: str, output_activation: str, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
    return float(np.sum(output_costs(name, output_activation, z, a, y)))


def _cost_gradient(name: str, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dJ/da for every example and output."""
    return COSTS[name][1](a, y, a.shape[0])


def fused_output_delta(
    cost: str, output_activation: str, a: np.ndarray, y: np.ndarray
) -> np.ndarray | None:
    """δ^(L) = ∂J/∂z^(L) with the cost's 1/a cancelled against the output activation, or None.

    For bce after a sigmoid, (a − y)/(m a(1 − a)) · a(1 − a) = (a − y)/m; for softmax-ce after
    a softmax, (a Σ_i y_i − y)/m (that is (a − y)/m for one-hot targets). The fused form is
    finite where an output saturates at exactly 0 or 1 and the product of the two factors is
    0 · ∞.

    Examples
    --------
    >>> a, y = np.array([[1.0]]), np.array([[0.0]])
    >>> fused_output_delta("bce", "sigmoid", a, y)
    array([[1.]])
    >>> fused_output_delta("mse", "sigmoid", a, y) is None
    True
    """
    m = a.shape[0]
    if (cost, output_activation) == ("bce", "sigmoid"):
        return (a - y) / m
    if (cost, output_activation) == ("softmax-ce", "softmax"):
        return (a * y.sum(axis=1, keepdims=True) - y) / m
    return None


def forward(
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray] | None,
    inputs: np.ndarray,
    activations: Sequence[str],
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The weighted inputs z^(2..L) and activations a^(1..L) (a^(1) = x), one row per example."""
    zs, activities = [], [np.asarray(inputs, float)]
    for layer, (theta, name) in enumerate(zip(weights, activations)):
        z = activities[-1] @ theta.T
        if biases is not None:
            z = z + biases[layer]
        zs.append(z)
        activities.append(_softmax(z) if name == "softmax" else ACTIVATIONS[name][0](z))
    return zs, activities


def _unpack(case) -> tuple:
    network = case.network
    return case.weights, case.biases, case.inputs, case.targets, network.activation, network.cost


def cost_of(
    case, weights: Sequence[np.ndarray] | None = None, biases: Sequence[np.ndarray] | None = None
) -> float:
    """J of `case`, optionally with other weights and biases (for finite differences)."""
    case_weights, case_biases, inputs, targets, activations, cost = _unpack(case)
    weights = case_weights if weights is None else weights
    biases = case_biases if biases is None else biases
    zs, activities = forward(weights, biases, inputs, activations)
    return _cost(cost, activations[-1], zs[-1], activities[-1], targets)


def _backward(case) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
    """The cost, the activations a^(1..L), and δ^(2..L) (one row per example), output first
    computed and returned in layer order: deltas[l] is the δ fed by Θ^(l+1)."""
    weights, biases, inputs, targets, activations, cost = _unpack(case)
    zs, activities = forward(weights, biases, inputs, activations)
    output = activities[-1]
    # The fused δ^(L) is finite even where an output saturates at exactly 0 or 1.
    delta = fused_output_delta(cost, activations[-1], output, targets)
    if delta is None:
        upstream = _cost_gradient(cost, output, targets)
        if activations[-1] == "softmax":
            # δ_j = Σ_i g_i a_i([i = j] − a_j) = a_j (g_j − Σ_i g_i a_i)
            delta = output * (upstream - np.sum(upstream * output, axis=1, keepdims=True))
        else:
            delta = upstream * ACTIVATIONS[activations[-1]][1](zs[-1], output)
    deltas = [delta]
    for layer in range(len(weights) - 1, 0, -1):
        derivative = ACTIVATIONS[activations[layer - 1]][1](zs[layer - 1], activities[layer])
        deltas.insert(0, (deltas[0] @ weights[layer]) * derivative)
    return _cost(cost, activations[-1], zs[-1], output, targets), activities, deltas


def backprop(case) -> tuple[float, list[np.ndarray], list[np.ndarray] | None]:
    """The cost and ∂J/∂Θ^(l) for every layer (and ∂J/∂b^(l+1) with biases), by backprop."""
    cost, activities, deltas = _backward(case)
    weight_gradients = [delta.T @ a for delta, a in zip(deltas, activities)]
    bias_gradients = None if case.biases is None else [delta.sum(axis=0) for delta in deltas]
    return cost, weight_gradients, bias_gradients


def input_gradients(case) -> np.ndarray:
    """∂J/∂x for every example and input (m × n_1): the δ of the first hidden layer, δ^(2) Θ^(1)."""
    _, _, deltas = _backward(case)
    return deltas[0] @ case.weights[0]


def finite_differences(
    case, step: float = STEP, parameters: Sequence[tuple[int, int, int]] | None = None
) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    """Central differences of the cost for every parameter, or only those listed as
    (layer, j, k) (the others are left NaN); returns the weight and bias gradients."""
    weights = [w.copy() for w in case.weights]
    biases = None if case.biases is None else [b.copy() for b in case.biases]
    weight_gradients = [np.full(w.shape, np.nan) for w in weights]
    bias_gradients = None if biases is None else [np.full(b.shape, np.nan) for b in biases]
    if parameters is None:
        parameters = [
            (l + 1, j + 1, k + 1)
            for l, w in enumerate(weights)
            for j in range(w.shape[0])
            for k in range(w.shape[1])
        ]
        if biases is not None:
            parameters += [
                (l + 1, j + 1, 0) for l, b in enumerate(biases) for j in range(b.shape[0])
            ]

    def where(layer: int, j: int, k: int) -> tuple[list[np.ndarray], tuple[int, ...]]:
        if k == 0:
            assert biases is not None  # a bias parameter exists only in a case with biases
            return biases, (layer - 1, j - 1)
        return weights, (layer - 1, j - 1, k - 1)

    def cost_shifted(parameter: tuple[int, int, int], shift: float) -> float:
        arrays, (layer, *index) = where(*parameter)
        original = arrays[layer][tuple(index)]
        arrays[layer][tuple(index)] = original + shift
        try:
            return cost_of(case, weights, biases)
        finally:
            arrays[layer][tuple(index)] = original

    for parameter, gradient in central_differences(cost_shifted, parameters, step).items():
        arrays, (layer, *index) = where(*parameter)
        target = bias_gradients if arrays is biases else weight_gradients
        assert target is not None  # bias gradients exist whenever biases do
        target[layer][tuple(index)] = gradient
    return weight_gradients, bias_gradients
