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
numeric backprop to 1e-9 (a test and a benchmark). It is ``verify``'s ``matrix`` method, for
layered networks and, by :func:`graph_matrix_gradients`, for any graph whose names group into
tensors (``rnn:``, ``resnet:``, an indexed graph file).

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
    NoBatchForm,
    forward_form,
    iter_matrix_chains,
    network_batch_form,
    vector_jacobian,
)
from chainrule.graph.layers import (
    LayerGraph,
    Tensor,
    group_nodes,
    network_layers,
    parse_indices,
    split_name,
)
from chainrule.graph.shapes import (
    Expression,
    Hadamard,
    MatMul,
    Ones,
    Operand,
    Sum,
    Transpose,
)
from chainrule.graph.symbols import node_symbol
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
    """One case's values: the tensors of the forward pass and the operands the equations name.

    `leaves` are the parameter and input tensors' values by name (an input m × n, a bias row
    1 × n), `targets` each target matrix by the name the cost edges give it (``y``,
    ``y^(3)``), `m` the examples.
    """

    def __init__(
        self,
        view: LayerGraph,
        leaves: dict[str, np.ndarray],
        targets: dict[str, np.ndarray],
        m: int,
    ):
        self.view, self.targets, self.m = view, targets, m
        self.values: dict[str, np.ndarray] = {
            name: np.asarray(value, float) for name, value in leaves.items()
        }
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
        values: dict[Any, Any] = {a: self.values[name], m: float(self.m)}
        values[y] = self.targets[str(edge.jacobian.operand)]
        return np.broadcast_to(evaluate(rule.derivative(a, y, m), values), self.values[name].shape)

    def cost(self) -> float:
        """J: each cost edge's per-output shares, summed over outputs and examples."""
        a, y, m = sp.symbols("a y m", real=True)
        total = 0.0
        for edge in self.view.in_edges(self.view.cost):
            rule = rules.COSTS[str(edge.jacobian.rule)]
            values: dict[Any, Any] = {a: self.values[edge.source], m: float(self.m)}
            values[y] = self.targets[str(edge.jacobian.operand)]
            total += float(np.sum(evaluate(rule.per_output(a, y, m), values)))
        return total


def case_leaves(case: Any) -> dict[str, np.ndarray]:
    """A layered network's case as the tensors of its layer-level graph: x, each Θ^(l) and
    each bias row b^(l+1)."""
    leaves = {"x": np.asarray(case.inputs, float)}
    for layer, theta in enumerate(case.weights, start=1):
        leaves[f"Theta^({layer})"] = np.asarray(theta, float)
    for layer, bias in enumerate(case.biases or (), start=2):
        leaves[f"b^({layer})"] = np.asarray(bias, float).reshape(1, -1)
    return leaves


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
    targets = {"y": np.asarray(case.targets, float)}
    evaluation = _Evaluation(view, case_leaves(case), targets, case.inputs.shape[0])
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


def graph_leaves(
    graph: Any, view: LayerGraph, leaves: dict, examples: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """A graph's leaf values (by symbol, each an array over the examples, as
    :func:`~chainrule.verification.verify.random_leaf_values` draws them) gathered into the
    tensors of its layer-level graph `view`: each parameter matrix, each input m × n, and each
    target matrix by its group's name (``y^(3)`` of ``y^(3)_1``...)."""
    member = group_nodes(graph).member
    tensors: dict[str, np.ndarray] = {}
    for node, kind in graph.nodes(data="kind"):
        if kind not in ("param", "input"):
            continue
        name, index = member[node]
        tensor = view.tensor(name)
        if name not in tensors:
            rows = examples if tensor.batched else tensor.shape.rows.factor
            tensors[name] = np.zeros((rows, tensor.shape.cols.factor))
        value = np.asarray(leaves[node_symbol(node)], float)
        row, column = _place(index)
        if tensor.batched:
            tensors[name][:, column] = np.broadcast_to(value, (examples,))
        else:
            tensors[name][row, column] = np.ravel(value)[0]
    targets: dict[str, list[tuple[int, np.ndarray]]] = {}
    for target in graph.graph.get("targets", ()):
        base, digits = split_name(str(target))
        entry = parse_indices(digits, 1) if digits is not None else None
        column = entry[0] - 1 if entry else 0
        values = np.broadcast_to(np.asarray(leaves[target], float), (examples,))
        targets.setdefault(base, []).append((column, values))
    matrices = {}
    for base, columns in targets.items():
        matrix = np.zeros((examples, max(column for column, _ in columns) + 1))
        for column, values in columns:
            matrix[:, column] = values
        matrices[base] = matrix
    return tensors, matrices


def _place(index: tuple[int, ...]) -> tuple[int, int]:
    """An entry's row and column (from 0): (j, k) of a matrix, k of a row, (0, 0) alone."""
    if len(index) == 2:
        return index[0] - 1, index[1] - 1
    if len(index) == 1:
        return 0, index[0] - 1
    return 0, 0


def graph_matrix_gradients(
    graph: Any, sources: list[str], leaves: dict, examples: int, view: LayerGraph
) -> dict[str, np.ndarray]:
    """Each source's gradient by the layer-level form of a graph (``rnn:``, ``resnet:``, a
    graph file whose names group into tensors), evaluated with numpy: for a parameter its
    entry of ∂J/∂W (summed over the examples), for an input its column of ∂J/∂x (one number
    per example). `view` is the graph's layer-level graph
    (:func:`~chainrule.calculus.layers.derive_layer_graph`); a Jacobian with no batch form
    raises :class:`~chainrule.calculus.matrix.NoBatchForm`, a cost not in the rules table
    KeyError.

    Examples
    --------
    >>> from chainrule.calculus.layers import derive_layer_graph
    >>> from chainrule.graph.architectures import rnn
    >>> from chainrule.verification.verify import adjoints, evaluate_edges, random_leaf_values
    >>> graph = rnn(1, 2, 1, 3).build()
    >>> leaves = random_leaf_values(graph, examples=2, seed=1)
    >>> ours = graph_matrix_gradients(graph, ["W_12", "x^(1)_1"], leaves, 2,
    ...                               derive_layer_graph(graph))
    >>> sweep = adjoints(graph, evaluate_edges(graph, leaves, 2), 2)
    >>> bool(np.allclose(ours["W_12"], np.sum(sweep["W_12"]), rtol=1e-12))
    True
    >>> ours["x^(1)_1"].shape
    (2,)
    """
    member = group_nodes(graph).member
    tensors, targets = graph_leaves(graph, view, leaves, examples)
    evaluation = _Evaluation(view, tensors, targets, examples)
    kinds = {member[source][0] for source in sources}
    gradients: dict[str, np.ndarray] = {}
    for wrt in ("parameters", "inputs"):
        kind = "param" if wrt == "parameters" else "input"
        if not any(view.tensor(name).kind == kind for name in kinds):
            continue
        equations = network_batch_form(view, wrt)
        if equations is None:
            raise NoBatchForm(f"{view.label} has a Jacobian with no batch form")
        gradients.update(_swept(equations, evaluation))
    result = {}
    for source in sources:
        name, index = member[source]
        row, column = _place(index)
        gradient = np.asarray(gradients[name], float)
        if view.tensor(name).batched:
            result[source] = gradient[:, column]
        else:
            result[source] = np.asarray(gradient[row, column])
    return result
