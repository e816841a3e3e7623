"""The last step of the story: gradient descent, θ := θ − η ∂J/∂θ, with the gradients checked above.

Examples
--------
>>> from chainrule.numeric.case import XOR_INPUTS, XOR_TARGETS, random_case
>>> from chainrule.graph.spec import Network
>>> start = random_case(Network([2, 2, 1]), seed=3, inputs=XOR_INPUTS, targets=XOR_TARGETS)
>>> costs, end = descend(start, epochs=50, learning_rate=2.0)
>>> len(costs), costs[-1] < costs[0]
(51, True)
>>> identical_hidden_units(end)
[]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from chainrule.numeric import backprop as numeric
from chainrule.numeric.case import Case

#: Which weights move: a mask of the weights' shapes per layer, and of the biases' (True moves).
Moving = tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...] | None]


def moving(case: Case, frozen: Sequence[tuple[int, int, int]] = ()) -> Moving | None:
    """The masks of the weights that move when those in `frozen` (layer, j, k; k = 0 a bias)
    are held; None when every weight moves.

    Examples
    --------
    >>> from chainrule.graph.spec import Network
    >>> from chainrule.numeric.case import random_case
    >>> weights, biases = moving(random_case(Network([1, 2], bias=True)), [(1, 2, 0)])
    >>> weights[0].ravel().tolist(), biases[0].tolist()
    ([True, True], [True, False])
    """
    if not frozen:
        return None
    weights = tuple(np.ones(w.shape, bool) for w in case.weights)
    biases = None if case.biases is None else tuple(np.ones(b.shape, bool) for b in case.biases)
    for layer, j, k in frozen:
        if k == 0:
            assert biases is not None  # a bias weight exists only with biases
            biases[layer - 1][j - 1] = False
        else:
            weights[layer - 1][j - 1, k - 1] = False
    return weights, biases


def step(case: Case, learning_rate: float, moves: Moving | None = None) -> tuple[float, Case]:
    """One full-batch gradient step (the weights `moves` holds unchanged); returns the cost
    before it and the updated case."""
    cost, weight_gradients, bias_gradients = numeric.backprop(case)
    if moves is not None:
        weight_gradients = [g * mask for g, mask in zip(weight_gradients, moves[0])]
        if bias_gradients is not None and moves[1] is not None:
            bias_gradients = [g * mask for g, mask in zip(bias_gradients, moves[1])]
    weights = tuple(w - learning_rate * g for w, g in zip(case.weights, weight_gradients))
    biases = case.biases
    if biases is not None:
        assert bias_gradients is not None  # backprop gives bias gradients whenever biases exist
        biases = tuple(b - learning_rate * g for b, g in zip(biases, bias_gradients))
    return cost, replace(case, weights=weights, biases=biases)


def descend(
    case: Case,
    epochs: int,
    learning_rate: float,
    after_epoch: Callable[[int, float], None] | None = None,
    frozen: Sequence[tuple[int, int, int]] = (),
) -> tuple[list[float], Case]:
    """`epochs` steps of gradient descent, the weights in `frozen` (layer, j, k) held. Returns
    the cost before training and after every epoch (epochs + 1 numbers), and the trained case;
    `after_epoch(epoch, cost)` is told each."""
    costs = [numeric.cost_of(case)]
    moves = moving(case, frozen)
    # A learning rate too large overflows exp; the cost becomes inf or nan and training stops
    # there, which the caller reports, so numpy's warnings would only repeat it.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, epochs + 1):
            _, case = step(case, learning_rate, moves)
            costs.append(numeric.cost_of(case))
            if not np.isfinite(costs[-1]):
                break
            if after_epoch is not None:
                after_epoch(epoch, costs[-1])
    return costs, case


def identical_hidden_units(case: Case, tolerance: float = 1e-12) -> list[tuple[int, int]]:
    """Hidden layers whose units all have the same incoming and outgoing weights, as
    (layer, units): such units compute the same function and always get the same gradient."""
    found = []
    for layer in range(2, len(case.network.sizes)):
        incoming = case.weights[layer - 2]
        if case.biases is not None:
            incoming = np.column_stack([case.biases[layer - 2], incoming])
        outgoing = case.weights[layer - 1].T
        units = np.column_stack([incoming, outgoing])
        if units.shape[0] > 1 and np.all(np.abs(units - units[0]) <= tolerance):
            found.append((layer, units.shape[0]))
    return found


def predictions(case: Case) -> np.ndarray:
    """The network's outputs for the case's inputs, one row per example."""
    with np.errstate(over="ignore", invalid="ignore"):  # weights a diverged run left behind
        _, activities = numeric.forward(
            case.weights, case.biases, case.inputs, case.network.activation
        )
    return activities[-1]
