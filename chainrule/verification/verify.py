"""Check one case's gradients by five methods against numeric backprop.

- ``chain_sum``: every chain of every parameter, the product of its local formulas (the very
  formulas chainrule prints) evaluated at the case's numbers, summed over chains and examples;
- ``delta``: the δ-factored reverse sweep over the same local formulas;
- ``backprop``: :mod:`chainrule.numeric.backprop`, which shares no code with the rest (the reference);
- ``finite_differences``: fourth-order central differences of the numeric cost;
- ``sympy_diff``: ``sympy.diff`` of the composed cost, left out above a size where it takes
  more than a few seconds.

A method agrees when every gradient g satisfies |g − r| ≤ atol + rtol·|r| against backprop's r.

Examples
--------
>>> from chainrule.numeric.case import random_case
>>> from chainrule.graph.spec import Network
>>> report = verify(random_case(Network([2, 2, 2]), examples=3, seed=0))
>>> report.ok, sorted(report.methods)
(True, ['backprop', 'chain_sum', 'delta', 'finite_differences', 'sympy_diff'])
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import networkx as nx
import numpy as np
import sympy as sp

from chainrule.numeric import backprop as numeric
from chainrule.numeric.case import Case
from chainrule.calculus.counting import count
from chainrule.graph.build import build_graph, graph_size
from chainrule.graph.paths import walk_edges
from chainrule.graph.spec import ParameterIndex
from chainrule.calculus.symbolic import (M, composed_cost, local_derivative, node_symbol, target_symbol,
                                value_formula)

METHODS = ("chain_sum", "delta", "backprop", "finite_differences", "sympy_diff")
TITLES = {"chain_sum": "expanded chain sum", "delta": "delta (reverse sweep)",
          "backprop": "numeric backprop", "finite_differences": "finite differences",
          "sympy_diff": "sympy.diff"}

#: Above these sizes a method is left out, and the report says why.
MAX_CHAINS_SUMMED = 200_000
MAX_EDGES_EVALUATED = 50_000  # the graph's formulas lambdified: about 15 s at this size
MAX_SYMPY_PARAMETERS, MAX_SYMPY_DEPTH = 45, 4
MAX_FINITE_DIFFERENCES = 2_000  # beyond it, a reproducible sample of this many parameters
FINITE_DIFFERENCE_STEP = 1e-4


class Tolerance(NamedTuple):
    rtol: float
    atol: float


EXACT = Tolerance(1e-9, 1e-12)  # the same maths in another order: rounding only
FINITE = Tolerance(1e-6, 1e-9)  # truncation error of the difference quotient as well


class Gradients(NamedTuple):
    """Gradients in the case's shapes: one array per weight layer, and per bias vector."""

    weights: list[np.ndarray]
    biases: list[np.ndarray] | None

    def flat(self) -> np.ndarray:
        return np.concatenate([w.ravel() for w in self.weights]
                              + [b.ravel() for b in self.biases or []])

    def as_lists(self) -> dict:
        return {"weights": [w.tolist() for w in self.weights],
                "biases": None if self.biases is None else [b.tolist() for b in self.biases]}


class NamedGradients(NamedTuple):
    """Gradients of named sources: a number per parameter, an array over examples per input."""

    values: dict

    def flat(self) -> np.ndarray:
        return np.concatenate([np.ravel(v) for v in self.values.values()])

    def as_lists(self) -> dict:
        return {name: np.asarray(v).tolist() for name, v in self.values.items()}


@dataclass
class MethodResult:
    name: str
    gradients: Gradients | None = None
    skipped: str | None = None
    note: str | None = None
    seconds: float = 0.0
    tolerance: Tolerance = EXACT
    compared: np.ndarray | None = None  # which flat entries were computed (a sample), if not all
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    ok: bool | None = None


@dataclass
class Report:
    case: Case | None
    cost: float
    methods: dict[str, MethodResult] = field(default_factory=dict)
    title: str | None = None  # for graphs without a case: what was verified
    reference: str = "backprop"

    @property
    def ok(self) -> bool:
        # A cost that is not finite (saturated or overflowing outputs) verifies nothing.
        return bool(np.isfinite(self.cost)) and all(
            result.ok is not False for result in self.methods.values())

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "cost": self.cost,
            "reference": self.reference,
            "tolerance": {name: result.tolerance._asdict() for name, result in self.methods.items()
                          if name != self.reference},
            "methods": {name: {"max_abs_error": result.max_abs_error,
                               "max_rel_error": result.max_rel_error,
                               "skipped": result.skipped, "note": result.note,
                               "ok": result.ok, "seconds": round(result.seconds, 6)}
                        for name, result in self.methods.items()},
            "gradients": {name: result.gradients.as_lists()
                          for name, result in self.methods.items() if result.gradients},
        }


# --- the graph side: the printed formulas, evaluated ------------------------------------------

def _leaf_values(case: Case) -> dict[sp.Symbol, np.ndarray]:
    """Numbers for the leaves, each an array over the examples: inputs, targets, weights, m.

    Weights and m are repeated per example rather than left scalar because lambdified
    piecewise functions (relu) go through ``numpy.select``, which takes arrays only.
    """
    from chainrule.graph import names

    network, m = case.network, case.examples
    values = {M: np.full(m, float(m))}
    for k in range(1, network.sizes[0] + 1):
        values[node_symbol(names.x_name(k))] = case.inputs[:, k - 1]
    for i in range(1, network.sizes[-1] + 1):
        values[target_symbol(i)] = case.targets[:, i - 1]
    for parameter in network.parameters():
        values[node_symbol(parameter.name)] = np.full(m, case.parameter_value(*parameter))
    return values


def _select(conditions: list, choices: list, default=np.nan) -> np.ndarray:
    """``numpy.select`` for lambdified piecewise functions: SymPy writes the last condition as a
    bare ``True``, which numpy 2 refuses, so every condition is broadcast to an array first."""
    arrays = np.broadcast_arrays(*conditions, *choices)
    return np.select([a.astype(bool) for a in arrays[:len(conditions)]],
                     arrays[len(conditions):], default)


LAMBDIFY_MODULES = [{"select": _select}, "numpy"]


def _lambdify(symbols: list[sp.Symbol], expressions: list, cse: bool = False):
    """lambdify, with the symbols renamed to plain identifiers first.

    Names such as ``a^(2)_1`` are not Python identifiers, and lambdify would then substitute a
    dummy for every argument into every expression: quadratic, minutes on a few thousand edges.
    One rename per expression is linear. CSE pays only on large shared expressions (sympy.diff
    of a composed cost), not on thousands of small independent edge formulas.
    """
    safe = {symbol: sp.Symbol(f"v{i}") for i, symbol in enumerate(symbols)}
    renamed = [sp.sympify(e).xreplace(safe) for e in expressions] if isinstance(
        expressions, (list, tuple)) else sp.sympify(expressions).xreplace(safe)
    return sp.lambdify(list(safe.values()), renamed, modules=LAMBDIFY_MODULES, cse=cse,
                       dummify=False)


def _evaluate(symbols: list[sp.Symbol], expressions: list[sp.Expr], values: dict,
              cse: bool = False) -> list:
    return _lambdify(symbols, expressions, cse)(*(values[symbol] for symbol in symbols))


def evaluate_edges(graph: nx.DiGraph, leaves: dict, examples: int) -> dict:
    """Every edge's local derivative at the given leaf values, one array over the examples each.

    Node values come from each node's own formula (z = Σ θ a, a = f(z), or a graph's formula),
    one topological generation at a time; edge values from the local derivative formulas
    chainrule prints.
    """
    values = dict(leaves)
    for generation in nx.topological_generations(graph):
        computed = [n for n in generation if graph.nodes[n]["kind"] in ("pre", "act", "node")]
        if computed:
            formulas = [value_formula(graph, node) for node in computed]
            symbols = sorted(set().union(*(f.free_symbols for f in formulas)), key=str)
            for node, value in zip(computed, _evaluate(symbols, formulas, values)):
                values[node_symbol(node)] = np.broadcast_to(np.asarray(value, float), (examples,))
    edges = list(graph.edges)
    derivatives = [local_derivative(graph, u, v) for u, v in edges]
    symbols = sorted(set().union(*(d.free_symbols for d in derivatives)), key=str)
    return {edge: np.broadcast_to(np.asarray(value, float), (examples,))
            for edge, value in zip(edges, _evaluate(symbols, derivatives, values))}


def path_sum(graph: nx.DiGraph, source: str, edge_values: dict, examples: int) -> np.ndarray:
    """Σ over the chains of `source` of Π over their factors, per example: the expanded sum."""
    total = np.zeros(examples)
    for factors in walk_edges(graph, source, attribute="factor"):
        product = np.ones(examples)
        for factor in factors:
            product = product * edge_values[factor.wrt, factor.of]
        total += product
    return total


def adjoints(graph: nx.DiGraph, edge_values: dict, examples: int,
             start: dict | None = None) -> dict:
    """The δ-factored sweep: δ(v) = Σ_s δ(s)·∂s/∂v from δ(J) = 1, in reverse topological order.

    `start` gives some nodes' δ outright (the fused output δ^(L) = (a − y)/m of
    :func:`output_start`); the sweep takes it instead of summing their successors.
    """
    cost = graph.graph["cost"]
    start = start or {}
    adjoint = {cost: np.ones(examples)}
    for node in reversed(list(nx.topological_sort(graph))):
        if node in start:
            adjoint[node] = start[node]
        elif node != cost:
            adjoint[node] = sum((adjoint[s] * edge_values[node, s] for s in graph.successors(node)),
                                np.zeros(examples))
    return adjoint


SATURATED = ("an output is exactly 0 or 1 (saturated), where the factor dJ/da divides by zero: "
             "the expanded chain sum is undefined there, while the delta sweep starts from "
             "delta^(L) = (a - y)/m, which is finite")


def output_start(case: Case) -> tuple[dict, bool]:
    """The fused δ^(L) of every output's z node, when the cost has one (bce after a sigmoid,
    softmax-ce after a softmax), and whether an output is saturated at exactly 0 or 1.

    The output activations come from a numpy forward pass: the sweep being checked is the
    backward one, over the local derivatives chainrule prints.
    """
    from chainrule.graph import names

    network = case.network
    _, activities = numeric.forward(case.weights, case.biases, case.inputs, network.activation)
    output = activities[-1]
    delta = numeric.fused_output_delta(network.cost, network.activation[-1], output, case.targets)
    if delta is None:
        return {}, False
    start = {names.z_name(network.depth, j): delta[:, j - 1]
             for j in range(1, network.sizes[-1] + 1)}
    return start, bool(np.any((output == 0) | (output == 1)))


def _as_gradients(case: Case, per_parameter: Callable[[ParameterIndex], float]) -> Gradients:
    """Arrange one number per weight (asked for by its index) into the case's shapes."""
    network = case.network
    weights = [np.array([[per_parameter(ParameterIndex(l, j, k))
                          for k in range(1, network.sizes[l - 1] + 1)]
                         for j in range(1, network.sizes[l] + 1)]) for l in range(1, network.depth)]
    biases = None
    if network.bias:
        biases = [np.array([per_parameter(ParameterIndex(l, j, 0))
                            for j in range(1, network.sizes[l] + 1)])
                  for l in range(1, network.depth)]
    return Gradients(weights, biases)


def chain_sum_gradients(graph: nx.DiGraph, case: Case, edge_values: dict) -> Gradients:
    """The expanded path sum of every weight, summed over the examples."""
    return _as_gradients(case, lambda p: float(path_sum(graph, p.name, edge_values,
                                                        case.examples).sum()))


def delta_gradients(graph: nx.DiGraph, case: Case, edge_values: dict) -> Gradients:
    """The δ-factored sweep's gradient of every weight, summed over the examples."""
    adjoint = adjoints(graph, edge_values, case.examples, start=output_start(case)[0])
    return _as_gradients(case, lambda p: float(adjoint[p.name].sum()))


def sympy_diff_gradients(case: Case) -> Gradients:
    """``sympy.diff`` of the composed cost for every weight, lambdified and summed over examples."""
    network = case.network
    cost = composed_cost(network)
    parameters = [p.name for p in network.parameters()]
    derivatives = [sp.diff(cost, node_symbol(p)) for p in parameters]
    symbols = sorted(set().union(cost.free_symbols), key=str)
    results = _evaluate(symbols, derivatives, _leaf_values(case), cse=True)
    by_name = {p: float(np.sum(np.broadcast_to(r, (case.examples,))))
               for p, r in zip(parameters, results)}
    return _as_gradients(case, lambda p: by_name[p.name])


# --- the comparison ----------------------------------------------------------------------------

def _compare(result: MethodResult, reference: Gradients) -> None:
    """Largest errors against the reference, and whether all are within tolerance. A NaN or
    infinity on either side is a disagreement, never a pass."""
    got, expected = result.gradients.flat(), reference.flat()
    if result.compared is not None:  # finite differences may cover a sample only
        got, expected = got[result.compared], expected[result.compared]
    finite = np.isfinite(got) & np.isfinite(expected)
    difference = np.where(finite, np.abs(got - expected), np.inf)
    scale = np.maximum(np.abs(got), np.abs(expected))
    relative = np.divide(difference, scale, out=np.where(finite, 0.0, np.inf),
                         where=finite & (scale > 0))
    result.max_abs_error = float(difference.max(initial=0.0))
    result.max_rel_error = float(relative.max(initial=0.0))
    rtol, atol = result.tolerance
    result.ok = bool(np.all(finite) and np.all(difference <= atol + rtol * np.abs(expected)))


def _timed(result: MethodResult, compute: Callable[[], Gradients]) -> MethodResult:
    start = time.perf_counter()
    result.gradients = compute()
    result.seconds = time.perf_counter() - start
    return result


def verify(case: Case, methods: tuple[str, ...] = METHODS) -> Report:
    """Compute the case's gradients by each method and compare each with numeric backprop."""
    network = case.network
    start = time.perf_counter()
    cost, weights, biases = numeric.backprop(case)
    reference = Gradients(weights, biases)
    report = Report(case, cost)
    report.methods["backprop"] = MethodResult("backprop", reference, note="the reference",
                                              seconds=time.perf_counter() - start)

    nodes, edges = graph_size(network)
    graph = edge_values = None
    if {"chain_sum", "delta"} & set(methods) and edges <= MAX_EDGES_EVALUATED:
        graph = build_graph(network)
        edge_values = evaluate_edges(graph, _leaf_values(case), case.examples)
    too_big = (f"the graph has {edges:,} edges, more than the {MAX_EDGES_EVALUATED:,} whose "
               "formulas are evaluated one by one")

    saturated = output_start(case)[1]
    if "chain_sum" in methods:
        result = MethodResult("chain_sum")
        chains = count(network).chains
        if saturated:
            result.skipped = SATURATED
        elif graph is None:
            result.skipped = too_big
        elif chains > MAX_CHAINS_SUMMED:
            result.skipped = (f"{chains:,} chains, more than the {MAX_CHAINS_SUMMED:,} summed one "
                              "by one; the delta form computes the same sum")
        else:
            _timed(result, lambda: chain_sum_gradients(graph, case, edge_values))
        report.methods["chain_sum"] = result
    if "delta" in methods:
        result = MethodResult("delta")
        if graph is None:
            result.skipped = too_big
        else:
            _timed(result, lambda: delta_gradients(graph, case, edge_values))
        report.methods["delta"] = result
    if "finite_differences" in methods:
        result = MethodResult("finite_differences", tolerance=FINITE)
        parameters = [tuple(p) for p in network.parameters()]
        if saturated and not np.isfinite(cost):
            result.skipped = "the cost is not finite at this saturated case: nothing to difference"
        elif len(parameters) > MAX_FINITE_DIFFERENCES:
            chosen = np.random.default_rng(0).choice(len(parameters), MAX_FINITE_DIFFERENCES,
                                                     replace=False)
            parameters = [parameters[i] for i in sorted(chosen)]
            result.note = f"on {MAX_FINITE_DIFFERENCES:,} parameters sampled (seed 0)"
        if not result.skipped:
            _timed(result, lambda: Gradients(*numeric.finite_differences(
                case, FINITE_DIFFERENCE_STEP, parameters)))
        if result.note:  # a sample: compare exactly the entries computed, NaN or not
            chosen = set(parameters)
            marks = _as_gradients(case, lambda p: float(tuple(p) in chosen))
            result.compared = marks.flat().astype(bool)
        report.methods["finite_differences"] = result
    if "sympy_diff" in methods:
        result = MethodResult("sympy_diff")
        if saturated:  # its derivative of the composed cost divides by a(1 - a) as well
            result.skipped = SATURATED.replace("the expanded chain sum", "sympy.diff's formula")
        elif network.parameter_count > MAX_SYMPY_PARAMETERS or network.depth > MAX_SYMPY_DEPTH:
            result.skipped = (f"left out above {MAX_SYMPY_PARAMETERS} parameters or "
                              f"{MAX_SYMPY_DEPTH} layers, where it takes more than a few seconds")
        else:
            _timed(result, lambda: sympy_diff_gradients(case))
        report.methods["sympy_diff"] = result

    for name, result in report.methods.items():
        if name != "backprop" and result.gradients is not None:
            _compare(result, reference)
    return report


# --- any graph, and gradients by the inputs -----------------------------------------------------

def random_leaf_values(graph: nx.DiGraph, examples: int = 4, seed: int = 0,
                       init_scale: float = 1.0) -> dict[sp.Symbol, np.ndarray]:
    """Reproducible numbers for a graph's leaves: inputs from [-1, 1] and targets from [0, 1]
    per example, parameters from [-init_scale, init_scale]; each an array over the examples."""
    generator = np.random.default_rng(seed)
    values = {M: np.full(examples, float(examples))}
    for node, kind in graph.nodes(data="kind"):
        if kind == "input":
            values[node_symbol(node)] = generator.uniform(-1.0, 1.0, examples)
        elif kind == "param":
            values[node_symbol(node)] = np.full(examples, generator.uniform(-init_scale, init_scale))
    for target in graph.graph.get("targets", ()):
        values[target] = generator.uniform(0.0, 1.0, examples)
    return values


def verify_graph(graph: nx.DiGraph, sources: list[str], values: dict, examples: int,
                 title: str, backprop: dict | None = None) -> Report:
    """Gradients of `sources` (parameters: summed over examples; inputs: one per example) by the
    chain sum, the δ sweep, finite differences and sympy.diff, and numpy `backprop` when given."""
    from chainrule.calculus.symbolic import graph_composed_cost

    kinds = {source: graph.nodes[source]["kind"] for source in sources}

    def arrange(per_example: dict) -> NamedGradients:
        return NamedGradients({s: float(np.sum(v)) if kinds[s] == "param" else np.asarray(v, float)
                               for s, v in per_example.items()})

    cost_expression = graph_composed_cost(graph)
    cost_symbols = sorted(cost_expression.free_symbols, key=str)
    cost_function = _lambdify(cost_symbols, cost_expression, cse=True)

    def costs(leaves: dict) -> np.ndarray:
        return np.broadcast_to(np.asarray(cost_function(*(leaves[s] for s in cost_symbols)), float),
                               (examples,))

    report = Report(None, float(np.sum(costs(values))), title=title,
                    reference="backprop" if backprop is not None else "sympy_diff")
    if backprop is not None:
        report.methods["backprop"] = MethodResult("backprop", arrange(backprop), note="the reference")

    edge_values = evaluate_edges(graph, values, examples)

    def chain_sum() -> NamedGradients:
        return arrange({source: path_sum(graph, source, edge_values, examples)
                        for source in sources})

    def delta_sweep() -> NamedGradients:
        adjoint = adjoints(graph, edge_values, examples)
        return arrange({source: adjoint[source] for source in sources})

    def finite_differences() -> NamedGradients:
        h = FINITE_DIFFERENCE_STEP
        result = {}
        for source in sources:
            symbol, shifted = node_symbol(source), dict(values)
            samples = []
            for multiple in (2, 1, -1, -2):
                shifted[symbol] = values[symbol] + multiple * h
                samples.append(costs(shifted))
            plus_two, plus_one, minus_one, minus_two = samples
            result[source] = (-plus_two + 8 * plus_one - 8 * minus_one + minus_two) / (12 * h)
        return arrange(result)

    def sympy_diff() -> NamedGradients:
        derivatives = [sp.diff(cost_expression, node_symbol(source)) for source in sources]
        results = _evaluate(cost_symbols, derivatives, values, cse=True)
        return arrange({s: np.broadcast_to(np.asarray(r, float), (examples,))
                        for s, r in zip(sources, results)})

    for name, compute, tolerance in [("chain_sum", chain_sum, EXACT), ("delta", delta_sweep, EXACT),
                                     ("finite_differences", finite_differences, FINITE),
                                     ("sympy_diff", sympy_diff, EXACT)]:
        report.methods[name] = _timed(MethodResult(name, tolerance=tolerance), compute)
    reference = report.methods[report.reference].gradients
    for name, result in report.methods.items():
        if name != report.reference:
            _compare(result, reference)
    report.methods[report.reference].note = "the reference"
    return report


def verify_inputs(case: Case) -> Report:
    """∂J/∂x_k for every example of a layered case, by every method, against numpy backprop."""
    from chainrule.graph import names

    network = case.network
    graph = build_graph(network)
    inputs = [names.x_name(k) for k in range(1, network.sizes[0] + 1)]
    reference = numeric.input_gradients(case)
    return verify_graph(graph, inputs, _leaf_values(case), case.examples,
                        title=f"inputs of {network.architecture}",
                        backprop={x: reference[:, k] for k, x in enumerate(inputs)})
