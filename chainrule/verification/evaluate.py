"""Numbers for SymPy formulas without ``lambdify``: one walk over the expression tree in numpy.

The formulas verification evaluates are small and of few shapes (symbols, sums, products,
powers, exp, log, tanh, and Piecewise for the kinked activations), and each is evaluated once, so
generating and compiling Python source for them, as ``lambdify`` does, costs far more than the
arithmetic. A walk with a memo of shared sub-expressions does the same arithmetic directly. A
formula of any other shape (a SymPy function outside the table below) falls back to
``lambdify`` for that sub-expression alone, so every SymPy expression evaluates.

Examples
--------
>>> import numpy as np
>>> import sympy as sp
>>> z, a = sp.symbols("z a", real=True)
>>> evaluate(sp.Piecewise((1, z > 0), (sp.Rational(1, 100), True)), {z: np.array([-1.0, 2.0])})
array([0.01, 1.  ])
>>> evaluate(a * (1 - a) + sp.exp(-z), {a: np.array([0.5]), z: np.array([0.0])})
array([1.25])
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp

Values = dict  # SymPy symbol -> number or numpy array (one entry per example)

_FUNCTIONS: dict[type, Callable] = {
    sp.exp: np.exp,
    sp.log: np.log,
    sp.tanh: np.tanh,
    sp.sinh: np.sinh,
    sp.cosh: np.cosh,
    sp.sin: np.sin,
    sp.cos: np.cos,
    sp.tan: np.tan,
    sp.Abs: np.abs,
    sp.sign: np.sign,
}
_COMPARISONS: dict[type, Callable] = {
    sp.StrictGreaterThan: np.greater,
    sp.GreaterThan: np.greater_equal,
    sp.StrictLessThan: np.less,
    sp.LessThan: np.less_equal,
    sp.Equality: np.equal,
    sp.Unequality: np.not_equal,
}
_LOGIC: dict[type, Callable] = {sp.And: np.logical_and, sp.Or: np.logical_or}


def evaluate(expression: sp.Basic, values: Values, memo: dict | None = None):
    """The value of `expression` with each free symbol replaced by its entry in `values`.

    Parameters
    ----------
    expression : sympy.Basic
        A formula, or a condition (for the branches of a Piecewise).
    values : dict
        A number or a numpy array for every free symbol; arrays broadcast together.
    memo : dict, optional
        Values of sub-expressions already computed with these `values`: share one between
        formulas evaluated at the same point, so that common parts are computed once.

    Notes
    -----
    One numpy operation per node of the expression's tree (a DAG, counting shared parts once).
    """
    memo = {} if memo is None else memo
    return _value(expression, values, memo)


def _value(expression: sp.Basic, values: Values, memo: dict):
    if expression.is_Symbol:
        return values[expression]
    if expression.is_Number or expression.is_NumberSymbol:
        return np.float64(expression)
    known = memo.get(expression)
    if known is not None:
        return known
    result = _compute(expression, values, memo)
    memo[expression] = result
    return result


def _compute(expression: sp.Basic, values: Values, memo: dict):
    kind = type(expression)
    args = expression.args
    if expression.is_Add:
        total = _value(args[0], values, memo)
        for term in args[1:]:
            total = total + _value(term, values, memo)
        return total
    if expression.is_Mul:
        product = _value(args[0], values, memo)
        for factor in args[1:]:
            product = product * _value(factor, values, memo)
        return product
    if expression.is_Pow:
        base, exponent = args
        if exponent == -1:
            return 1.0 / _value(base, values, memo)
        return _value(base, values, memo) ** _value(exponent, values, memo)
    if kind in _FUNCTIONS:
        return _FUNCTIONS[kind](_value(args[0], values, memo))
    if kind is sp.Piecewise:
        return _piecewise(expression, values, memo)
    if kind in _COMPARISONS:
        return _COMPARISONS[kind](_value(args[0], values, memo), _value(args[1], values, memo))
    if expression is sp.true or expression is sp.false:
        return np.bool_(bool(expression))
    if kind in _LOGIC:
        result = _value(args[0], values, memo)
        for argument in args[1:]:
            result = _LOGIC[kind](result, _value(argument, values, memo))
        return result
    if kind is sp.Not:
        return np.logical_not(_value(args[0], values, memo))
    return _lambdified(expression, values)


def _piecewise(expression: sp.Piecewise, values: Values, memo: dict):
    """The first branch whose condition holds, element by element; NaN where none does."""
    choices = [_value(branch, values, memo) for branch, _ in expression.args]
    conditions = [_value(condition, values, memo) for _, condition in expression.args]
    arrays = np.broadcast_arrays(*conditions, *choices)
    selected = np.select(
        [array.astype(bool) for array in arrays[: len(conditions)]],
        arrays[len(conditions) :],
        np.nan,
    )
    return selected


def _lambdified(expression: sp.Basic, values: Values):
    """A shape this module does not know: lambdify it alone, its symbols renamed to plain
    identifiers (names such as ``a^(2)_1`` are not Python identifiers)."""
    symbols = sorted(expression.free_symbols, key=str)
    plain = {symbol: sp.Symbol(f"v{i}") for i, symbol in enumerate(symbols)}
    function = sp.lambdify(list(plain.values()), expression.xreplace(plain), modules="numpy")
    return function(*(values[symbol] for symbol in symbols))
