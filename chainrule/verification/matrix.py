"""The matrix form evaluated: the layer-level equations chainrule prints, computed with numpy.

:func:`matrix_gradients` takes a layered network's case (weights, biases, inputs, targets),
builds its layer-level graph in closed form (:func:`~chainrule.graph.layers.network_layers`,
no scalar graph, so any width), and evaluates the *printed* records: the forward pass of
:func:`~chainrule.calculus.matrix.forward_form` (``z = a Θᵀ + b``, ``a = f(z)``), then the
batch equations of :func:`~chainrule.calculus.matrix.network_batch_form` (the δ recursion,
``form="delta"``) or each layer-level chain's vector–Jacobian products summed over the chains
(``form="chains"``). Every matrix expression is evaluated by one walk
(:func:`evaluate_expression`: a product is ``@``, ⊙ is ``*``, ᵀ is ``.T``), with each operand's
value found by its key; the activations' f and f' and
the cost's dJ/da come from the rules table (SymPy formulas evaluated on arrays), not from
:mod:`chainrule.numeric`, so comparing the result with numeric backprop compares two
implementations. Gradients come in the case's shapes: ``weights[l-1]`` is ∂J/∂Θ^(l)
(n_{l+1} × n_l), ``biases[l-1]`` is ∂J/∂b^(l+1) (n_{l+1},).

This is the numeric half of the bridge at real widths: for 784-512-512-10 at m = 8 it equals
numeric backprop to 1e-9 (a test at smaller widths, a benchmark at that one). It will become
``verify``'s ``matrix`` method.

Examples
--------
>>> import numpy as np
>>> from chainrule.graph.spec import Network
>>> from chainrule.numeric.backprop import backprop
>>> from chainrule.numeric.case import random_case
>>> case = random_case(Network([3, 4, 2], bias=True), examples=5, seed=2)
>>> ours, theirs = matrix_gradients(case), backprop(case)
>>> bool(abs(ours.cost - theirs[0]) < 1e-12)
True
>>> all(np.allclose(a, b, rtol=1e-12, atol=0) for a, b in zip(ours.weights, theirs[1]))
True
>>> [g.shape for g in ours.biases]
[(4,), (2,)]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import sympy as sp

from chainrule import rules
from chainrule.calculus.matrix import (
    forward_form,
    iter_matrix_chains,
    network_batch_form,
    vector_jacobian,
)
from chainrule.graph.layers import LayerGraph, Tensor, network_layers
from chainrule.graph.shapes import (
    Expression,
    Hadamard,
    MatMul,
    Ones,
    Operand,
    Sum,
    Transpose,
)
from chainrule.verification.evaluate import evaluate

FORMS = ("delta", "chains")


class MatrixGradients(NamedTuple):
    """The cost and the gradients by the matrix form, in the case's shapes."""

    cost: float
    weights: list[np.ndarray]
    biases: list[np.ndarray] | None
    inputs: np.ndarray


def evaluate_expression(expression: Expression, value: Callable[[Operand], np.ndarray]) -> Any:
    """The numpy value of a matrix expression, each operand's value given by `value`.

    Examples
    --------
    >>> from chainrule.graph.shapes import Dim, Shape
    >>> a = Operand("a", "a", "a", Shape.of("m", 2))
    >>> values = {"a": np.array([[1.0, 2.0], [3.0, 4.0]])}
    >>> ones = Ones(Dim.of(2))
    >>> evaluate_expression(MatMul(Transpose(ones), Hadamard(a, a)), lambda o: values[o.name])
    array([[10., 20.]])
    """
    if isinstance(expression, Operand):
        return value(expression)
    if isinstance(expression, Ones):
        return np.ones((_rows(expression, value), 1))
    if isinstance(expression, Transpose):
        return evaluate_expression(expression.inner, value).T
    if isinstance(expression, MatMul):
        return evaluate_expression(expression.left, value) @ evaluate_expression(
            expression.right, value
        )
    if isinstance(expression, Hadamard):
        return evaluate_expression(expression.left, value) * evaluate_expression(
            expression.right, value
        )
    if isinstance(expression, Sum):
        total: Any = 0.0
        for sign, term in expression.signed():
            total = total + sign * evaluate_expression(term, value)
        return total
    raise TypeError(f"not a matrix expression: {expression!r}")


def _rows(ones: Ones, value: Callable) -> int:
    if ones.rows.known:
        return ones.rows.factor
    return int(value(Operand("m", "m", "m", ones.shape, key="m")))


class _Evaluation:
    """One case's values: the tensors of the forward pass and the operands the equations name."""

    def __init__(self, view: LayerGraph, case: Any):
        self.view, self.case = view, case
        self.m = case.inputs.shape[0]
        self.values: dict[str, np.ndarray] = {"x": np.asarray(case.inputs, float)}
        for layer, theta in enumerate(case.weights, start=1):
            self.values[f"Theta^({layer})"] = np.asarray(theta, float)
        for layer, bias in enumerate(case.biases or (), start=2):
            self.values[f"b^({layer})"] = np.asarray(bias, float).reshape(1, -1)
        for equation in forward_form(view):  # the printed forward pass, shapes checked
            self.values[equation.lhs.name] = evaluate_expression(equation.rhs, self.operand)

    def operand(self, operand: Operand) -> np.ndarray:
        key = operand.name
        if key == "m":
            return np.asarray(self.m)
        if key in self.values:
            return self.values[key]
        kind, _, name = key.partition(":")
        if kind == "activation":
            (edge,) = [e for e in self.view.out_edges(name) if e.jacobian.form == "activation"]
            return _elementwise(
                rules.ACTIVATIONS[str(edge.jacobian.rule)].function, self.values[name]
            )
        if kind == "softmax":
            return _softmax(self.values[name])
        if kind == "f'":
            return self._derivative(name)
        if kind == "dJ":
            return self._cost_gradient(name)
        raise KeyError(f"no value for {operand.text}")

    def _derivative(self, name: str) -> np.ndarray:
        (edge,) = [e for e in self.view.out_edges(name) if e.jacobian.form == "activation"]
        rule = rules.ACTIVATIONS[str(edge.jacobian.rule)]
        z, a = sp.symbols("z a", real=True)
        formula = rule.derivative(z, a)
        return np.broadcast_to(
            evaluate(formula, {z: self.values[name], a: self.values[edge.target]}),
            self.values[name].shape,
        )

    def _cost_gradient(self, name: str) -> np.ndarray:
        (edge,) = [e for e in self.view.out_edges(name) if e.jacobian.form == "cost"]
        rule = rules.COSTS[str(edge.jacobian.rule)]
        a, y, m = sp.symbols("a y m", real=True)
        values = {a: self.values[name], y: np.asarray(self.case.targets, float), m: float(self.m)}
        return np.broadcast_to(evaluate(rule.derivative(a, y, m), values), self.values[name].shape)

    def cost(self) -> float:
        (edge,) = self.view.in_edges(self.view.cost)
        rule = rules.COSTS[str(edge.jacobian.rule)]
        a, y, m = sp.symbols("a y m", real=True)
        values: dict[Any, Any] = {a: self.values[edge.source], m: float(self.m)}
        values[y] = np.asarray(self.case.targets, float)
        return float(np.sum(evaluate(rule.per_output(a, y, m), values)))


def _elementwise(function: Callable, values: np.ndarray) -> np.ndarray:
    z = sp.Symbol("z", real=True)
    return np.broadcast_to(evaluate(function(z), {z: values}), values.shape).astype(float)


def _softmax(values: np.ndarray) -> np.ndarray:
    """The rules table's softmax of each row, a column at a time (shifted by the row's largest,
    which leaves it unchanged and keeps exp finite)."""
    shifted = values - values.max(axis=1, keepdims=True)
    columns = sp.symbols(f"z0:{values.shape[1]}", real=True)
    formulas = rules.softmax(list(columns))
    point = {symbol: shifted[:, i] for i, symbol in enumerate(columns)}
    return np.column_stack([evaluate(formula, point) for formula in formulas])


def matrix_gradients(case: Any, form: str = "delta", view: LayerGraph | None = None):
    """The cost of `case` and its gradients by the layer-level form, evaluated with numpy.

    Parameters
    ----------
    case : chainrule.numeric.case.Case
        A layered network's case.
    form : str
        ``"delta"`` evaluates the δ recursion
        (:func:`~chainrule.calculus.matrix.network_batch_form`), ``"chains"`` each layer-level
        chain's vector–Jacobian products, summed over chains.
    view : LayerGraph, optional
        The network's layer-level graph, if already built.

    Notes
    -----
    The forward pass and two backward sweeps (weights, inputs), O(L) matrix products (the
    chains form, one sweep per chain: O(L²) for a layered network); at 784-512-512-10 and
    m = 8, a few milliseconds.
    """
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}; choose from {', '.join(FORMS)}")
    network = case.network
    view = network_layers(network) if view is None else view
    evaluation = _Evaluation(view, case)
    if form == "delta":  # one sweep for the weights and one for the inputs, as printed
        gradients = {
            **_swept(network_batch_form(view, "parameters"), evaluation),
            **_swept(network_batch_form(view, "inputs"), evaluation),
        }
    else:
        gradients = {
            tensor.name: _chains_gradient(view, tensor, evaluation)
            for tensor in view.tensors
            if tensor.kind in ("param", "input")
        }
    depth = network.depth
    weights = [gradients[f"Theta^({layer})"] for layer in range(1, depth)]
    biases = (
        [gradients[f"b^({layer})"].reshape(-1) for layer in range(2, depth + 1)]
        if network.bias
        else None
    )
    return MatrixGradients(evaluation.cost(), weights, biases, gradients["x"])


def _swept(equations: Any, evaluation: _Evaluation) -> dict[str, np.ndarray]:
    """Each gradient of a sweep of batch equations, by tensor, the equations evaluated in
    order (each δ from the ones before it)."""
    assert equations is not None  # a layered network's Jacobians all have batch forms
    known: dict[str, np.ndarray] = {}

    def value(operand: Operand) -> np.ndarray:
        return known[operand.key] if operand.key in known else evaluation.operand(operand)

    gradients = {}
    for equation in equations:
        known[equation.lhs.key] = evaluate_expression(equation.rhs, value)
        if equation.kind == "gradient":
            gradients[equation.lhs.key.partition(":")[2]] = known[equation.lhs.key]
    return gradients


def _chains_gradient(view: LayerGraph, tensor: Tensor, evaluation: _Evaluation) -> Any:
    """Σ over the tensor's layer-level chains of each one's vector–Jacobian products, from
    the cost's dJ/da back to the tensor."""
    total: Any = 0.0
    for chain in iter_matrix_chains(view, tensor.name):
        upstream: Expression | None = None
        for factor in chain:  # cost first: each factor's vector–Jacobian form on the last
            upstream = vector_jacobian(view, factor.edge, upstream)
        assert upstream is not None
        total = total + evaluate_expression(upstream, evaluation.operand)
    return total
