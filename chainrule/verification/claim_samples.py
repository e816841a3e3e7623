"""The numbers behind ``chainrule check``: random points, every node and edge on them, fits.

A :class:`Samples` draws exact small rationals for the leaves (x, θ, y, m), runs the forward pass
and every edge's local partial on them in float64 arrays, and sweeps the adjoints backwards, so
that every true quantity of the graph is known at every point at once. Claims are evaluated on
the same points by walking their expression trees (:func:`numeric`). :func:`zero_one_fit` finds
which chains a claim is the sum of.

Examples
--------
>>> import numpy as np
>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> numeric(sp.exp(x) / (1 + x**2), {x: np.array([0.0, 1.0])})
array([1.        , 1.35914091])
>>> zero_one_fit(np.array([[1.0, 2.0], [3.0, 5.0], [2.0, 7.0]]), np.array([2.0, 5.0, 7.0]))
array([0., 1.])
"""

from __future__ import annotations

from collections.abc import Hashable
from fractions import Fraction

import numpy as np
import sympy as sp

from chainrule.calculus.symbolic import M, local_derivative, node_symbol
from chainrule.graph.chains import Chain

AGREE = 1e-7  # relative agreement on numbers (float64 at the sampled points)


class Samples:
    """Random points: exact small rationals for the leaves (x, θ, y, m) and, in float64 arrays,
    every node's value by the forward pass and every edge's local partial."""

    def __init__(self, context, count: int, seed: int):
        self.context, self.count = context, count
        graph = context.graph
        rng = np.random.default_rng(seed)
        grid = [Fraction(n, 4) for n in range(-6, 7) if n]
        self.exact: dict[sp.Symbol, list[Fraction]] = {}
        leaves = [node for node in context.order if graph.nodes[node]["kind"] in ("input", "param")]
        for node in leaves:
            self.exact[node_symbol(node)] = [grid[i] for i in rng.integers(len(grid), size=count)]
        for target in sorted(context.vocabulary.targets, key=str):
            self.exact[target] = [Fraction(int(n), 4) for n in rng.integers(1, 4, size=count)]
        ms = [2, 3, 4, 5]
        self.exact[M] = [Fraction(ms[i % 4]) for i in range(count)]
        self.values: dict[sp.Symbol, np.ndarray] = {
            symbol: np.array([float(v) for v in column]) for symbol, column in self.exact.items()
        }
        with np.errstate(all="ignore"):
            for node in context.order:
                if graph.nodes[node]["kind"] in ("pre", "act", "node"):
                    self.values[node_symbol(node)] = self.evaluate(context.value(node))
        self._edges: dict[tuple, np.ndarray] = {}

    def evaluate(self, expression: sp.Expr) -> np.ndarray:
        with np.errstate(all="ignore"):
            try:
                value = np.asarray(numeric(expression, self.values))
            except (TypeError, ValueError, KeyError, ArithmeticError):
                value = np.asarray(np.nan)  # not a number here (e.g. zoo): proves nothing
            if np.iscomplexobj(value):  # a log or root of a negative number: not a real value
                value = np.where(value.imag == 0, value.real, np.nan)
        return np.broadcast_to(value.astype(float), (self.count,))

    def edge(self, wrt: Hashable, of: Hashable) -> np.ndarray:
        if (wrt, of) not in self._edges:
            self._edges[wrt, of] = self.evaluate(local_derivative(self.context.graph, wrt, of))
        return self._edges[wrt, of]

    def chain(self, chain: Chain) -> np.ndarray:
        value = np.ones(self.count)
        for factor in chain:
            value = value * self.edge(factor.wrt, factor.of)
        return value

    def adjoints(self) -> dict[Hashable, np.ndarray]:
        """∂J/∂v of every node at every point: the reverse sweep on numbers."""
        if not hasattr(self, "_adjoints"):
            graph = self.context.graph
            adjoint = {self.context.cost: np.ones(self.count)}
            for node in reversed(self.context.order):
                if node == self.context.cost:
                    continue
                total = np.zeros(self.count)
                for successor in graph.successors(node):
                    total = total + adjoint[successor] * self.edge(node, successor)
                adjoint[node] = total
            self._adjoints = adjoint
        return self._adjoints

    def exact_point(self, index: int) -> dict[sp.Symbol, sp.Expr]:
        """The leaves of point `index` exactly, and every node's value to 30 digits."""
        point: dict[sp.Symbol, sp.Expr] = {
            symbol: sp.Rational(column[index].numerator, column[index].denominator)
            for symbol, column in self.exact.items()
        }
        graph = self.context.graph
        for node in self.context.order:
            if graph.nodes[node]["kind"] in ("pre", "act", "node"):
                point[node_symbol(node)] = self.context.value(node).xreplace(point).evalf(40)
        return point


_NUMPY_FUNCTIONS = {sp.exp: np.exp, sp.log: np.log, sp.tanh: np.tanh}
_COMPARISONS = {
    sp.StrictGreaterThan: np.greater,
    sp.StrictLessThan: np.less,
    sp.GreaterThan: np.greater_equal,
    sp.LessThan: np.less_equal,
}


def numeric(expression: sp.Basic, values: dict[sp.Symbol, np.ndarray]):
    """`expression` on numpy arrays, walking its tree: for the small formulas of edges, nodes
    and claims this is many times faster than compiling each with ``lambdify``."""
    if expression.is_Symbol:
        return values[expression]
    if expression.is_Number:
        return float(expression)
    if isinstance(expression, sp.Add):
        total = 0.0
        for arg in expression.args:
            total = total + numeric(arg, values)
        return total
    if isinstance(expression, sp.Mul):
        product = 1.0
        for arg in expression.args:
            product = product * numeric(arg, values)
        return product
    if isinstance(expression, sp.Pow):
        base = numeric(expression.base, values)
        if expression.exp == -1:
            return 1.0 / base
        return np.power(base, numeric(expression.exp, values))
    function = _NUMPY_FUNCTIONS.get(type(expression))
    if function is not None:
        return function(numeric(expression.args[0], values))
    if isinstance(expression, sp.Piecewise):
        conditions = [np.asarray(numeric(c, values), dtype=bool) for _, c in expression.args]
        choices = [numeric(v, values) for v, _ in expression.args]
        shape = np.broadcast_shapes(*(np.shape(x) for x in conditions + choices))
        return np.select(
            [np.broadcast_to(c, shape) for c in conditions],
            [np.broadcast_to(v, shape) for v in choices],
            np.nan,
        )
    comparison = _COMPARISONS.get(type(expression))
    if comparison is not None:
        return comparison(numeric(expression.lhs, values), numeric(expression.rhs, values))
    if isinstance(expression, sp.ITE):
        condition, then, otherwise = (np.asarray(_bool(arg, values)) for arg in expression.args)
        return np.where(condition, then, otherwise)
    if isinstance(expression, (sp.And, sp.Or)):
        combine = np.logical_and if isinstance(expression, sp.And) else np.logical_or
        result = _bool(expression.args[0], values)
        for arg in expression.args[1:]:
            result = combine(result, _bool(arg, values))
        return result
    if isinstance(expression, sp.Not):
        return np.logical_not(_bool(expression.args[0], values))
    if expression is sp.true:
        return True
    if expression is sp.false:
        return False
    symbols = sorted(expression.free_symbols, key=str)  # anything else: compile it
    return sp.lambdify(symbols, expression, "numpy")(*(values[s] for s in symbols))


def _bool(expression: sp.Basic, values: dict[sp.Symbol, np.ndarray]):
    return np.asarray(numeric(expression, values), dtype=bool)


def agree(left: np.ndarray, right: np.ndarray, scale: np.ndarray | None = None) -> np.ndarray:
    """Per point: True where the two agree, False where they differ, ignoring non-finite points
    (they count as agreeing: a point that overflows proves nothing)."""
    size = np.maximum(np.abs(left), np.abs(right))
    if scale is not None:
        size = np.maximum(size, scale)
    with np.errstate(all="ignore"):
        close = np.abs(left - right) <= AGREE * np.maximum(size, 1e-12)
    return close | ~np.isfinite(left) | ~np.isfinite(right)


def least_squares(columns: np.ndarray, target: np.ndarray) -> np.ndarray | None:
    """The least-squares weights by Gram-Schmidt (twice, for stability) in long double; None
    if the columns are dependent. Written out rather than ``numpy.linalg.lstsq``: LAPACK's
    threads take up to a second to start on a busy machine, far more than this small fit."""
    a = columns.astype(np.longdouble)
    scale = np.sqrt((a * a).sum(axis=0))
    if not (scale > 0).all():
        return None
    a = a / scale
    rows, n = a.shape
    q = np.zeros((rows, n), dtype=np.longdouble)
    r = np.zeros((n, n), dtype=np.longdouble)
    for j in range(n):
        v = a[:, j].copy()
        for _ in range(2):
            coefficients = (q[:, :j] * v[:, None]).sum(axis=0)
            r[:j, j] += coefficients
            v = v - (q[:, :j] * coefficients).sum(axis=1)
        norm = np.sqrt((v * v).sum())
        if norm < 1e-9:
            return None
        r[j, j], q[:, j] = norm, v / norm
    projected = (q * target.astype(np.longdouble)[:, None]).sum(axis=0)
    weights = np.zeros(n, dtype=np.longdouble)
    for i in range(n - 1, -1, -1):
        weights[i] = (projected[i] - (r[i, i + 1 :] * weights[i + 1 :]).sum()) / r[i, i]
    return (weights / scale).astype(float)


def zero_one_fit(columns: np.ndarray, target: np.ndarray) -> np.ndarray | None:
    """Weights of 0 or 1 with columns @ weights = target at every row, or None."""
    if columns.shape[1] == 0:
        return None
    weights = least_squares(columns, target)
    if weights is None:
        return None
    rounded = np.round(weights)
    if not (np.abs(weights - rounded) < 1e-6).all() or not set(rounded) <= {0.0, 1.0}:
        return None
    if not agree(columns @ rounded, target, np.abs(columns).sum(axis=1)).all():
        return None
    return rounded
