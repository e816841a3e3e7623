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

    Exponentials are evaluated where a float holds them: the log of a sum of them as a
    log-sum-exp, and e^u over such a sum (a softmax, a sigmoid and their derivatives) with its
    logarithms added first, so that a saturated unit gives 1 or 0 rather than inf/inf.

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
        if _has_exponential_ratio(args):
            return _exponential_ratio(args, values, memo)
        product = _value(args[0], values, memo)
        for factor in args[1:]:
            product = product * _value(factor, values, memo)
        return product
    if expression.is_Pow:
        base, exponent = args
        if exponent == -1:
            return 1.0 / _value(base, values, memo)
        return _value(base, values, memo) ** _value(exponent, values, memo)
    if kind is sp.log and _is_sum_of_exponentials(args[0]):
        return _log_sum_exp(args[0], values, memo)
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


def _is_sum_of_exponentials(argument: sp.Basic) -> bool:
    """Whether `argument` is e^u_1 + e^u_2 + ... (a positive number counting as e^log c): the
    softplus log(1 + e^z) and the log-sum-exp of a softmax cost."""
    return (
        argument.is_Add
        and any(isinstance(term, sp.exp) for term in argument.args)
        and all(isinstance(term, sp.exp) or (term.is_Number and term > 0) for term in argument.args)
    )


def _log_sum_exp(argument: sp.Add, values: Values, memo: dict):
    """log(e^u_1 + e^u_2 + ...) as max u + log Σ e^(u − max u): e^u overflows a float past
    u = 709, where the shifted sum still has the right logarithm (log(1 + e^1000) is 1000, not
    inf), so that a cost computed from the logits stays finite.

    Examples
    --------
    >>> z = sp.Symbol("z", real=True)
    >>> float(evaluate(sp.log(1 + sp.exp(z)), {z: np.float64(1000.0)}))
    1000.0
    """
    exponents = [
        np.log(np.float64(term)) if term.is_Number else _value(term.args[0], values, memo)
        for term in argument.args
    ]
    largest = exponents[0]
    for exponent in exponents[1:]:
        largest = np.maximum(largest, exponent)
    total = sum(np.exp(exponent - largest) for exponent in exponents)
    return largest + np.log(total)


def _in_log_space(factor: sp.Basic) -> bool:
    """Whether a factor is e^u or a negative power of a sum of exponentials."""
    if isinstance(factor, sp.exp):
        return True
    return bool(factor.is_Pow and factor.exp.is_negative and _is_sum_of_exponentials(factor.base))


def _has_exponential_ratio(factors: tuple) -> bool:
    """Whether a product divides e^u by a sum of exponentials: e^z_i / Σ e^z_k (a softmax),
    e^z/(1 + e^z) and e^-z/(1 + e^-z)^2 (a sigmoid and its derivative, as SymPy writes them),
    or a sum of such numerators, (Σ_i e^z_i c_i) / Σ_k e^z_k (a log-sum-exp's derivative)."""
    if not any(f.is_Pow and _in_log_space(f) for f in factors):
        return False
    return any(
        isinstance(f, sp.exp)
        or (f.is_Add and any(_in_log_space(g) for t in f.args for g in sp.Mul.make_args(t)))
        for f in factors
    )


def _exponential_ratio(factors: tuple, values: Values, memo: dict):
    """A product with e^u over sums of exponentials (:func:`_has_exponential_ratio`), a sum
    in it distributed first, so that each e^u meets the sum it is divided by."""
    for position, factor in enumerate(factors):
        if factor.is_Add and not isinstance(factor, sp.exp):
            rest = factors[:position] + factors[position + 1 :]
            if any(_in_log_space(g) for t in factor.args for g in sp.Mul.make_args(t)):
                total = np.float64(0.0)
                for term in factor.args:
                    total = total + _exponential_ratio(sp.Mul.make_args(term) + rest, values, memo)
                return total
    return _ratio_in_logs(factors, values, memo)


def _ratio_in_logs(factors: tuple, values: Values, memo: dict):
    """A product with e^u over sums of exponentials, its e^u and those powers added up as
    logarithms first (u − k log Σ e^v) and exponentiated once: each alone overflows a float
    past u = 709 (inf/inf), their ratio does not.

    Examples
    --------
    >>> z = sp.Symbol("z", real=True)
    >>> float(evaluate(sp.exp(z) / (1 + sp.exp(z)), {z: np.float64(1000.0)}))
    1.0
    """
    logarithm = np.float64(0.0)
    product = np.float64(1.0)
    for factor in factors:
        if isinstance(factor, sp.exp):
            logarithm = logarithm + _value(factor.args[0], values, memo)
        elif _in_log_space(factor):
            exponent = _value(factor.exp, values, memo)
            logarithm = logarithm + exponent * _log_sum_exp(factor.base, values, memo)
        else:
            product = product * _value(factor, values, memo)
    return product * np.exp(logarithm)


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
