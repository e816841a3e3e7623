"""Local derivative rules as data: one entry per activation and per cost, SymPy and numpy side by side.

Every local partial chainrule writes comes from this table, so a rule is stated once. An
activation's derivative takes both ``z`` and ``a = f(z)`` because the textbook forms use whichever
is natural: the sigmoid's f'(z) is shown as a(1 - a), the tanh's as 1 - a^2. A cost's entries are
for one example; J sums them over the m examples.

Examples
--------
>>> import sympy as sp
>>> z, a, y, m = sp.symbols("z a y m")
>>> ACTIVATIONS["sigmoid"].derivative(z, a), ACTIVATIONS["tanh"].derivative(z, a)
(a*(1 - a), 1 - a**2)
>>> COSTS["mse"].derivative(a, y, m)  # dJ/da: (a - y)/m, the true gradient's sign
(a - y)/m
>>> import numpy as np
>>> ACTIVATIONS["relu"].numpy_derivative(np.array([-1.0, 0.0, 2.0]), None)
array([0., 0., 1.])
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
import sympy as sp

from chainrule.graph import spec


class ActivationRule(NamedTuple):
    """f and f' of one activation; derivatives take (z, a) with a = f(z)."""

    name: str
    function: Callable[[sp.Expr], sp.Expr]
    derivative: Callable[[sp.Expr, sp.Expr], sp.Expr]
    numpy_function: Callable[[np.ndarray], np.ndarray]
    numpy_derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]


class CostRule(NamedTuple):
    """One example's share of J and its derivative dJ/da_i, given the example count m."""

    name: str
    per_output: Callable[[sp.Expr, sp.Expr, sp.Expr], sp.Expr]
    derivative: Callable[[sp.Expr, sp.Expr, sp.Expr], sp.Expr]
    numpy_per_output: Callable[[np.ndarray, np.ndarray, int], np.ndarray]
    numpy_derivative: Callable[[np.ndarray, np.ndarray, int], np.ndarray]


def _positive(z: sp.Expr) -> sp.Expr:
    return sp.StrictGreaterThan(z, 0)


LEAKY_SLOPE = sp.Rational(1, 100)

# Every rule on one line: the table is the documentation.
_ACTIVATION_RULES = [
    ActivationRule("sigmoid", lambda z: 1 / (1 + sp.exp(-z)), lambda z, a: a * (1 - a),
                   lambda z: 1 / (1 + np.exp(-z)), lambda z, a: a * (1 - a)),
    ActivationRule("tanh", sp.tanh, lambda z, a: 1 - a**2,
                   np.tanh, lambda z, a: 1 - a**2),
    ActivationRule("relu", lambda z: sp.Piecewise((z, _positive(z)), (0, True)),
                   lambda z, a: sp.Piecewise((1, _positive(z)), (0, True)),  # 0 at z = 0
                   lambda z: np.where(z > 0, z, 0.0), lambda z, a: np.where(z > 0, 1.0, 0.0)),
    ActivationRule("identity", lambda z: z, lambda z, a: sp.Integer(1),
                   lambda z: z, lambda z, a: np.ones_like(z)),
    ActivationRule("softplus", lambda z: sp.log(1 + sp.exp(z)), lambda z, a: 1 / (1 + sp.exp(-z)),
                   lambda z: np.logaddexp(0.0, z), lambda z, a: 1 / (1 + np.exp(-z))),
    ActivationRule("leaky_relu", lambda z: sp.Piecewise((z, _positive(z)), (LEAKY_SLOPE * z, True)),
                   lambda z, a: sp.Piecewise((1, _positive(z)), (LEAKY_SLOPE, True)),
                   lambda z: np.where(z > 0, z, 0.01 * z), lambda z, a: np.where(z > 0, 1.0, 0.01)),
]

_COST_RULES = [
    CostRule("mse", lambda a, y, m: (y - a)**2 / (2 * m), lambda a, y, m: (a - y) / m,
             lambda a, y, m: (y - a)**2 / (2 * m), lambda a, y, m: (a - y) / m),
    CostRule("se", lambda a, y, m: (y - a)**2 / 2, lambda a, y, m: a - y,
             lambda a, y, m: (y - a)**2 / 2, lambda a, y, m: a - y),
    CostRule("bce", lambda a, y, m: -(y * sp.log(a) + (1 - y) * sp.log(1 - a)) / m,
             lambda a, y, m: (a - y) / (m * a * (1 - a)),
             lambda a, y, m: -(y * np.log(a) + (1 - y) * np.log(1 - a)) / m,
             lambda a, y, m: (a - y) / (m * a * (1 - a))),
    CostRule("softmax-ce", lambda a, y, m: -y * sp.log(a) / m, lambda a, y, m: -y / (m * a),
             lambda a, y, m: -y * np.log(a) / m, lambda a, y, m: -y / (m * a)),
]

ACTIVATIONS: dict[str, ActivationRule] = {rule.name: rule for rule in _ACTIVATION_RULES}
COSTS: dict[str, CostRule] = {rule.name: rule for rule in _COST_RULES}

# The spec validates names without importing this module; the two lists must not drift apart.
assert tuple(ACTIVATIONS) == spec.ACTIVATIONS and tuple(COSTS) == spec.COSTS


def softmax(z: list[sp.Expr]) -> list[sp.Expr]:
    """The softmax of a layer's weighted inputs, a_i = e^{z_i} / Σ_k e^{z_k}."""
    total = sum(sp.exp(zk) for zk in z)
    return [sp.exp(zi) / total for zi in z]


def softmax_derivative(a_i: sp.Expr, a_j: sp.Expr, same: bool) -> sp.Expr:
    """da_i/dz_j of a softmax output: a_i ([i = j] - a_j).

    Examples
    --------
    >>> ai, aj = sp.symbols("a_i a_j")
    >>> softmax_derivative(ai, ai, True), softmax_derivative(ai, aj, False)
    (a_i*(1 - a_i), -a_i*a_j)
    """
    return a_i * (1 - a_i) if same else -a_i * a_j
