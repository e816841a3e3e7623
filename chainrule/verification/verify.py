"""Check gradients by six methods, on any computation graph, against an independent reference.

- ``chain_sum``: every chain of every source, the product of its local formulas (the very
  formulas chainrule prints) evaluated at the case's numbers, summed over chains (and examples);
- ``delta``: the δ-factored reverse sweep over the same local formulas;
- ``matrix``: the matrix form a layer at a time, the batch equations chainrule prints
  (:mod:`chainrule.verification.matrix`) evaluated with numpy: no scalar graph, so it runs at
  any width (784-512-512-10 in milliseconds), and for ``rnn:``, ``resnet:`` and graph files
  whose names group into tensors;
- ``backprop``: :mod:`chainrule.numeric.backprop`, which shares no code with the rest: the
  reference whenever the graph is a layered network with a numeric case;
- ``finite_differences``: fourth-order central differences of the cost (the numeric oracle's
  cost for a case's weights, the graph's own forward pass otherwise);
- ``sympy_diff``: ``sympy.diff`` of the composed cost: the reference of a general graph, and
  left out of layered networks above a size where it takes more than a few seconds.

One :func:`verify` does it all: a numeric case is the leaf values of its network's graph, plus
backprop as the reference. A method agrees when every gradient g satisfies
|g − r| ≤ atol + rtol·|r| against the reference's r.

Examples
--------
>>> from chainrule.numeric.case import random_case
>>> from chainrule.graph.spec import Network
>>> report = verify(random_case(Network([2, 2, 2]), examples=3, seed=0))
>>> report.ok, sorted(report.methods)
(True, ['backprop', 'chain_sum', 'delta', 'finite_differences', 'matrix', 'sympy_diff'])
>>> from chainrule.graph.dag import Dag, sigmoid
>>> dag = Dag()
>>> x, w, y = dag.input("x"), dag.parameter("w"), dag.target("y")
>>> cost = dag.cost((sigmoid(w * x) - y) ** 2 / 2)
>>> graph = dag.build()
>>> report = verify(graph, ["w", "x"], random_leaf_values(graph, examples=2), examples=2)
>>> report.ok, report.reference
(True, 'sympy_diff')
>>> from chainrule.verification.graphcase import graph_case
>>> verify(graph_case(graph, {"w": 0.5, "x": [1.0, 2.0], "y": [0.0, 1.0]})).ok
True
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import NamedTuple

import networkx as nx
import numpy as np
import sympy as sp

from chainrule import budget
from chainrule.budget import (
    MAX_CHAINS_SUMMED,
    MAX_DERIVATIVE_WORK,
    MAX_EDGES_EVALUATED,
    MAX_FINITE_DIFFERENCE_WORK,
    MAX_FINITE_DIFFERENCES,
    MAX_GRAPH_DIFFERENCE_WORK,
    MAX_SYMPY_DEPTH,
    MAX_SYMPY_PARAMETERS,
    MAX_SYMPY_WORK,
    MAX_TERMS_SUMMED,
)
from chainrule.calculus.counting import (
    composed_cost_size,
    composed_graph_size,
    count,
    forward_pass_work,
    local_derivative_work,
    sympy_diff_work,
)
from chainrule.calculus.layers import derive_layer_graph
from chainrule.calculus.matrix import NoBatchForm
from chainrule.calculus.symbolic import (
    M,
    composed_cost,
    local_derivative,
    logit_deltas,
    node_symbol,
    target_symbol,
    value_formula,
)
from chainrule.errors import SpecError, TooLarge
from chainrule.graph import names
from chainrule.graph.build import build_graph, graph_size
from chainrule.graph.kinds import COMPUTED, NodeKind
from chainrule.graph.paths import path_counts, walk_edges
from chainrule.graph.spec import ParameterIndex
from chainrule.numeric import backprop as numeric
from chainrule.numeric.case import Case
from chainrule.numeric.differences import STEP as FINITE_DIFFERENCE_STEP
from chainrule.numeric.differences import central_differences
from chainrule.verification.evaluate import evaluate
from chainrule.verification.graphcase import GraphCase
from chainrule.verification.matrix import graph_matrix_gradients, matrix_gradients

METHODS = ("chain_sum", "delta", "matrix", "backprop", "finite_differences", "sympy_diff")
TITLES = {
    "chain_sum": "expanded chain sum",
    "delta": "delta (reverse sweep)",
    "matrix": "matrix form (numpy)",
    "backprop": "numeric backprop",
    "finite_differences": "finite differences",
    "sympy_diff": "sympy.diff",
}


class Tolerance(NamedTuple):
    rtol: float
    atol: float


#: What a reference's result says of itself (and, taken on a sample, what sample).
REFERENCE_NOTE = "the reference"

EXACT = Tolerance(1e-9, 1e-12)  # the same maths in another order: rounding only
FINITE = Tolerance(1e-6, 1e-9)  # truncation error of the difference quotient as well


class Gradients(NamedTuple):
    """Gradients in the case's shapes: one array per weight layer, and per bias vector."""

    weights: list[np.ndarray]
    biases: list[np.ndarray] | None

    def flat(self) -> np.ndarray:
        return np.concatenate(
            [w.ravel() for w in self.weights] + [b.ravel() for b in self.biases or []]
        )

    def as_lists(self) -> dict:
        return {
            "weights": [w.tolist() for w in self.weights],
            "biases": None if self.biases is None else [b.tolist() for b in self.biases],
        }


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
    gradients: Gradients | NamedGradients | None = None
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
            result.ok is not False for result in self.methods.values()
        )

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "cost": self.cost,
            "reference": self.reference,
            "tolerance": {
                name: result.tolerance._asdict()
                for name, result in self.methods.items()
                if name != self.reference
            },
            "methods": {
                name: {
                    "max_abs_error": result.max_abs_error,
                    "max_rel_error": result.max_rel_error,
                    "skipped": result.skipped,
                    "note": result.note,
                    "ok": result.ok,
                    "seconds": round(result.seconds, 6),
                }
                for name, result in self.methods.items()
            },
            "gradients": {
                name: result.gradients.as_lists()
                for name, result in self.methods.items()
                if result.gradients
            },
        }


# --- the graph side: the printed formulas, evaluated ------------------------------------------


def case_leaf_values(case: Case) -> dict[sp.Symbol, np.ndarray]:
    """A case's numbers as the leaves of its network's graph, each an array over the examples:
    inputs, targets, weights and m (weights and m repeated per example)."""
    network, m = case.network, case.examples
    values = {M: np.full(m, float(m))}
    for k in range(1, network.sizes[0] + 1):
        values[node_symbol(names.x_name(k))] = case.inputs[:, k - 1]
    for i in range(1, network.sizes[-1] + 1):
        values[target_symbol(i)] = case.targets[:, i - 1]
    for parameter in network.parameters():
        values[node_symbol(parameter.name)] = np.full(m, case.parameter_value(*parameter))
    return values


def random_leaf_values(
    graph: nx.DiGraph, examples: int = 4, seed: int = 0, init_scale: float = 1.0
) -> dict[sp.Symbol, np.ndarray]:
    """Reproducible numbers for a graph's leaves: inputs from [-1, 1] and targets from [0, 1]
    per example, parameters from [-init_scale, init_scale]; each an array over the examples."""
    generator = np.random.default_rng(seed)
    values = {M: np.full(examples, float(examples))}
    for node, kind in graph.nodes(data="kind"):
        if kind == NodeKind.INPUT:
            values[node_symbol(node)] = generator.uniform(-1.0, 1.0, examples)
        elif kind == NodeKind.PARAM:
            value = generator.uniform(-init_scale, init_scale)
            values[node_symbol(node)] = np.full(examples, value)
    for target in graph.graph.get("targets", ()):
        values[target] = generator.uniform(0.0, 1.0, examples)
    return values


def _per_example(value, examples: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, float), (examples,))


def pass_formulas(graph: nx.DiGraph) -> list[tuple[Hashable, sp.Expr | None]]:
    """The computed nodes (and the cost) in topological order, each with the formula a forward
    pass evaluates: z = Σ θ a, a = f(z), J from the cost rule, or a graph's formulas; None for
    a wide weighted input, summed from the graph. Written once for all the passes of finite
    differences: writing a layered network's formulas costs five times evaluating them."""
    layered = "network" in graph.graph
    formulas: list[tuple[Hashable, sp.Expr | None]] = []
    for node in nx.topological_sort(graph):
        data = graph.nodes[node]
        if data["kind"] not in COMPUTED and node != graph.graph["cost"]:
            continue
        if layered and data["kind"] == NodeKind.PRE and len(graph._pred[node]) > WIDE_FAN_IN:
            formulas.append((node, None))
        else:
            formulas.append((node, value_formula(graph, node)))
    return formulas


def forward_pass(
    graph: nx.DiGraph,
    leaves: dict,
    examples: int,
    formulas: list[tuple[Hashable, sp.Expr | None]] | None = None,
) -> dict:
    """Every node's value (the cost's too), from each node's own formula in topological order
    (:func:`pass_formulas`, written here unless given)."""
    values = dict(leaves)
    memo: dict = {}  # leaves and computed nodes never change below, so one memo serves all
    for node, formula in pass_formulas(graph) if formulas is None else formulas:
        if formula is None:
            value = _weighted_input(graph, node, values)
        else:
            value = evaluate(formula, values, memo)
        values[node_symbol(node)] = _per_example(value, examples)
    return values


#: A weighted input with more incoming edges than this is summed from the graph directly.
WIDE_FAN_IN = 64


def _weighted_input(graph: nx.DiGraph, node: Hashable, values: dict) -> np.ndarray:
    """z^(l+1)_j = Σ_k θ^(l)_jk a^(l)_k (+ θ^(l)_j0), the sum value_formula writes, added up
    from the graph's edges: building the SymPy sum of a wide layer's products costs far more
    (two seconds of verify 100-100-100) than adding the numbers it stands for."""
    total: np.ndarray = np.zeros(1)  # broadcast over the examples by the first term
    for source in graph._pred[node]:
        data = graph.nodes[source]
        if data["kind"] != NodeKind.PARAM:
            continue
        layer, (_, k) = data["layer"], data["index"]
        weight = values[node_symbol(source)]
        if k == 0:
            total = total + weight
        else:
            below = names.x_name(k) if layer == 1 else names.a_name(layer, k)
            total = total + weight * values[node_symbol(below)]
    return total


def graph_cost(
    graph: nx.DiGraph,
    leaves: dict,
    examples: int,
    formulas: list[tuple[Hashable, sp.Expr | None]] | None = None,
) -> np.ndarray:
    """J of each example, by the graph's forward pass."""
    return forward_pass(graph, leaves, examples, formulas)[node_symbol(graph.graph["cost"])]


def evaluate_graph(
    graph: nx.DiGraph,
    leaves: dict,
    examples: int,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict, dict]:
    """Every node's value (by its symbol) and every edge's local derivative (by the edge), one
    array over the examples each, at the given leaf values: the forward pass, then the local
    derivative formulas chainrule prints; `progress(edges evaluated, edges)` is told after each
    edge."""
    values = forward_pass(graph, leaves, examples)
    memo: dict = {}
    evaluated = {}
    total = graph.number_of_edges()
    for done, (u, v) in enumerate(graph.edges, start=1):
        evaluated[u, v] = _per_example(
            evaluate(local_derivative(graph, u, v), values, memo), examples
        )
        if progress is not None:
            progress(done, total)
    return values, evaluated


def evaluate_edges(
    graph: nx.DiGraph,
    leaves: dict,
    examples: int,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Every edge's local derivative at the given leaf values, one array over the examples each
    (:func:`evaluate_graph` without the node values)."""
    return evaluate_graph(graph, leaves, examples, progress)[1]


def path_sum(graph: nx.DiGraph, source: str, edge_values: dict, examples: int) -> np.ndarray:
    """Σ over the chains of `source` of Π over their factors, per example: the expanded sum."""
    total = np.zeros(examples)
    for factors in walk_edges(graph, source, attribute="factor"):
        product = np.ones(examples)
        for factor in factors:
            product = product * edge_values[factor.wrt, factor.of]
        total += product
    return total


def adjoints(
    graph: nx.DiGraph, edge_values: dict, examples: int, start: dict | None = None
) -> dict:
    """The δ-factored sweep: δ(v) = Σ_s δ(s)·∂s/∂v from δ(J) = 1, in reverse topological order.

    `start` gives some nodes' δ outright (the logits' δ = (a − y)/m of a fused cost,
    :func:`logit_start`); the sweep takes it instead of summing their successors.
    """
    cost = graph.graph["cost"]
    start = start or {}
    adjoint = {cost: np.ones(examples)}
    for node in reversed(list(nx.topological_sort(graph))):
        if node in start:
            adjoint[node] = start[node]
        elif node != cost:
            adjoint[node] = sum(
                (adjoint[s] * edge_values[node, s] for s in graph.successors(node)),
                np.zeros(examples),
            )
    return adjoint


SATURATED = (
    "an output is exactly 0 or 1 (saturated), where the factor dJ/da divides by zero: "
    "the expanded chain sum is undefined there, while the delta sweep starts from the logits' "
    "delta, (a - y)/m, which is finite"
)
SATURATED_MATRIX = (
    "an output is exactly 0 or 1 (saturated), where dJ/da divides by zero: the matrix form "
    "as printed multiplies it by f'(z) (delta^(L) = dJ/da .* f'(z^(L))), which is undefined "
    "there"
)


class MatrixFormAbsent(Exception):
    """The subject has no matrix form to evaluate (its names do not group into tensors, or a
    Jacobian has no batch form); the message says why, as the method's row does."""


def logit_start(graph: nx.DiGraph, values: dict, examples: int) -> dict:
    """Where the δ sweep starts for a cost fused with its output activation: ∂J/∂z of every
    logit, (a − y)/m for bce after a sigmoid, evaluated from the graph's own forward `values`
    (:func:`~chainrule.calculus.symbolic.logit_deltas`); empty for any other cost."""
    memo: dict = {}
    return {
        node: _per_example(evaluate(formula, values, memo), examples)
        for node, formula in logit_deltas(graph).items()
    }


def graph_saturated(graph: nx.DiGraph, values: dict) -> bool:
    """Whether an output read by a fused cost is exactly 0 or 1 (its dJ/da divides by zero)."""
    if not logit_deltas(graph):
        return False
    return any(
        bool(np.any((values[node_symbol(node)] == 0) | (values[node_symbol(node)] == 1)))
        for node in graph.predecessors(graph.graph["cost"])
    )


def case_saturated(case: Case) -> bool:
    """Whether an output of a case with a fused cost (bce after a sigmoid, softmax-ce after a
    softmax) is saturated at exactly 0 or 1, where the factor dJ/da divides by zero: the price
    of the expanded chain sum, from a numpy forward pass (the graph's own δ sweep starts from
    :func:`logit_start`)."""
    network = case.network
    _, activities = numeric.forward(case.weights, case.biases, case.inputs, network.activation)
    output = activities[-1]
    fused = numeric.fused_output_delta(network.cost, network.activation[-1], output, case.targets)
    return fused is not None and bool(np.any((output == 0) | (output == 1)))


def sympy_diff(graph: nx.DiGraph, sources: list[str], leaves: dict, examples: int) -> dict:
    """``sympy.diff`` of the composed cost by every source, evaluated per example: the one
    route by SymPy's own differentiation, independent of the chains and of the rules' f'."""
    cost = composed_cost(graph)
    memo: dict = {}
    return {
        source: _per_example(evaluate(sp.diff(cost, node_symbol(source)), leaves, memo), examples)
        for source in sources
    }


def graph_differences(graph: nx.DiGraph, sources: list[str], leaves: dict, examples: int) -> dict:
    """Central differences of the graph's cost per example, one leaf moved at a time."""

    formulas = pass_formulas(graph)

    def cost_shifted(source: str, shift: float) -> np.ndarray:
        symbol = node_symbol(source)
        return graph_cost(graph, {**leaves, symbol: leaves[symbol] + shift}, examples, formulas)

    return central_differences(cost_shifted, sources, FINITE_DIFFERENCE_STEP)


# --- what is verified: a graph with leaf values, or a numeric case ------------------------------


@dataclass
class Problem:
    """One verification's inputs, whatever the subject, and what each method may do.

    Every estimate is made, and every method past its budget is left out (`left_out`: method ->
    why), before anything is computed; `prepare` builds the graph, its sources and its leaf
    values only when a method that needs them runs. `differences` gives finite differences (of
    a sample of the sources when they would cost too much, saying so), the entries computed and
    the note; `arrange` puts per-source results in the report's shapes; `backprop` is the
    independent reference where one exists.
    """

    examples: int
    arrange: Callable[[dict], Gradients | NamedGradients]
    differences: Callable[[], tuple[Gradients | NamedGradients, np.ndarray | None, str | None]]
    cost: float
    prepare: Callable[[], tuple[nx.DiGraph, list[str], dict]]
    left_out: dict[str, str] = field(default_factory=dict)
    case: Case | None = None
    title: str | None = None
    backprop: MethodResult | None = None
    saturated: bool = False  # an output at exactly 0 or 1: the expanded chain sum is undefined
    #: The matrix form's gradients, in the report's shapes (MatrixFormAbsent if there is none).
    matrix: Callable[[], Gradients | NamedGradients] | None = None


def _graph_left_out(elements: int, max_graph: int | None) -> str | None:
    """Why the graph is not built at all: more nodes and edges than ``max_graph`` allows."""
    if max_graph is None or elements <= max_graph:
        return None
    return (
        f"the graph would have {elements:,} nodes and edges, more than "
        f"{budget.spelled('max_graph', f'{max_graph:,}')}; "
        f"{budget.limit_advice(elements, option='max_graph')}"
    )


def _evaluation_left_out(edges: int, derivative_work: int) -> str | None:
    """Why the graph's formulas are not evaluated one by one (the chain sum and the δ sweep):
    too many edges, or local derivatives that SymPy would take too long to find."""
    if edges > MAX_EDGES_EVALUATED:
        return (
            f"the graph has {edges:,} edges, more than the {MAX_EDGES_EVALUATED:,} whose "
            "formulas are evaluated one by one"
        )
    if derivative_work > MAX_DERIVATIVE_WORK:
        return (
            f"its local derivatives take SymPy through about {derivative_work:,} formula "
            f"symbols, more than the {MAX_DERIVATIVE_WORK:,} of a few seconds"
        )
    return None


def _chain_sum_left_out(chains: int, terms: int) -> str | None:
    if chains > MAX_CHAINS_SUMMED:
        return (
            f"{chains:,} chains, more than the {MAX_CHAINS_SUMMED:,} summed one "
            "by one; the delta form computes the same sum"
        )
    if terms > MAX_TERMS_SUMMED:
        return (
            f"{terms:,} terms on the chains, more than the {MAX_TERMS_SUMMED:,} "
            "multiplied one by one; the delta form computes the same sum"
        )
    return None


def _network_sympy_left_out(network, sources: int, each: str) -> str | None:
    """Why ``sympy.diff`` of a layered network's composed cost by `sources` leaves (`each`
    one of them: "weight", "input") is left out: it grows too fast with size."""
    if network.parameter_count > MAX_SYMPY_PARAMETERS or network.depth > MAX_SYMPY_DEPTH:
        return (
            f"left out above {MAX_SYMPY_PARAMETERS} parameters or "
            f"{MAX_SYMPY_DEPTH} layers, where it takes more than a few seconds"
        )
    if sympy_diff_work(network, sources) > MAX_SYMPY_WORK:
        return (
            f"the composed cost of {network.architecture} has "
            f"{composed_cost_size(network):,} symbols; differentiating it for "
            f"every {each} would take more than a few seconds"
        )
    return None


def _sample(count: int, fits: int) -> np.ndarray | None:
    """The indices (sorted) of the sources finite differences take when not all `count` of
    them: at most :data:`MAX_FINITE_DIFFERENCES`, and as many as `fits` in the budget. The same
    request always takes the same sample (seed 0)."""
    size = min(count, MAX_FINITE_DIFFERENCES, fits)
    if size == count:
        return None
    return np.sort(np.random.default_rng(0).choice(count, size, replace=False))


def _sample_note(size: int, count: int, noun: str, passes_of: str, fits: int) -> str:
    """What a sample says: that it is one, and when the budget (not the count) chose its size,
    what all of them would have cost."""
    note = f"on {size:,} {noun} sampled (seed 0)"
    if size < min(count, MAX_FINITE_DIFFERENCES) and size == fits:
        note += f"; all {count:,} would take {4 * count:,} forward passes {passes_of}"
    return note


def _graph_problem(
    graph: nx.DiGraph,
    sources: list[str],
    leaves: dict,
    examples: int,
    title: str | None,
    backprop: dict | None = None,
    network=None,
    matrix: Callable[[], dict] | None = None,
) -> Problem:
    """Sources of a built graph at given leaf values; `backprop` (per source, per example) is
    the independent reference where one exists, and `network` the layered network the graph
    was built from, whose size decides for ``sympy.diff``. `matrix` gives the matrix form's
    gradients per source (a layered network's, in closed form); without it, the layer-level
    graph is read from the scalar graph's names and local derivatives."""
    kinds = {source: graph.nodes[source]["kind"] for source in sources}

    def arrange(per_example: dict) -> NamedGradients:
        return NamedGradients(
            {
                s: float(np.sum(v)) if kinds[s] == NodeKind.PARAM else np.asarray(v, float)
                for s, v in per_example.items()
            }
        )

    left_out: dict[str, str] = {}
    # One forward pass gives the cost and prices what the numbers decide: a saturated output
    # of a fused cost, where dJ/da divides by zero.
    values = forward_pass(graph, leaves, examples)
    saturated = graph_saturated(graph, values)
    evaluation = _evaluation_left_out(graph.number_of_edges(), local_derivative_work(graph))
    counts = path_counts(graph)
    chain_sum = evaluation or _chain_sum_left_out(
        sum(counts[source][0] for source in sources), sum(counts[source][1] for source in sources)
    )
    if chain_sum or saturated:
        left_out["chain_sum"] = chain_sum or SATURATED
    if evaluation:
        left_out["delta"] = evaluation
    if saturated:
        left_out["matrix"] = SATURATED_MATRIX
    elif evaluation and matrix is None:
        left_out["matrix"] = (
            f"its layer-level graph is read from the local derivatives: {evaluation}"
        )

    def matrix_form() -> NamedGradients:
        if matrix is not None:
            return arrange(matrix())
        return arrange(_graph_matrix(graph, sources, leaves, examples))

    if network is not None:
        sympy_left_out = _network_sympy_left_out(network, len(sources), "input")
    else:
        size = composed_graph_size(graph)
        sympy_left_out = None
        if size * len(sources) > MAX_SYMPY_WORK:
            # Estimated before SymPy starts: a deep graph's composed cost grows exponentially.
            sympy_left_out = (
                f"the composed cost has {size:,} symbols; differentiating it for "
                f"{len(sources):,} source{'s' if len(sources) != 1 else ''} would take "
                "more than a few seconds"
            )
    if sympy_left_out:
        left_out["sympy_diff"] = sympy_left_out

    pass_work = forward_pass_work(graph)
    fits = MAX_GRAPH_DIFFERENCE_WORK // (4 * pass_work)
    sample = _sample(len(sources), fits)
    noun = (
        "parameters"
        if all(kind == NodeKind.PARAM for kind in kinds.values())
        else "inputs"
        if all(kind == NodeKind.INPUT for kind in kinds.values())
        else "sources"
    )
    if fits == 0:
        left_out["finite_differences"] = (
            f"each of its {4 * len(sources):,} forward passes evaluates about {pass_work:,} "
            "formula symbols, more than finite differences may take"
        )

    def differences():
        if sample is None:
            return arrange(graph_differences(graph, sources, leaves, examples)), None, None
        chosen = [sources[i] for i in sample]
        computed = graph_differences(graph, chosen, leaves, examples)
        missing = np.full(examples, np.nan)
        gradients = arrange({s: computed.get(s, missing) for s in sources})
        taken = set(chosen)
        compared = arrange({s: np.full(examples, float(s in taken)) for s in sources})
        note = _sample_note(
            len(chosen), len(sources), noun, f"of {pass_work:,} formula symbols", fits
        )
        return gradients, compared.flat().astype(bool), note

    reference = None
    if backprop is not None:
        reference = MethodResult("backprop", arrange(backprop), note=REFERENCE_NOTE)
    return Problem(
        examples,
        arrange,
        differences,
        cost=float(np.sum(values[node_symbol(graph.graph["cost"])])),
        prepare=lambda: (graph, sources, leaves),
        left_out=left_out,
        title=title,
        backprop=reference,
        saturated=saturated,
        matrix=matrix_form,
    )


def _graph_matrix(graph: nx.DiGraph, sources: list[str], leaves: dict, examples: int) -> dict:
    """A graph's gradients by its matrix form, or :class:`MatrixFormAbsent` saying why it has
    none."""
    try:
        view = derive_layer_graph(graph)
    except SpecError as error:
        raise MatrixFormAbsent(str(error)) from None
    unknown = [
        edge.source
        for edge in view.in_edges(view.cost)
        if edge.jacobian.form != "cost" or edge.jacobian.rule is None
    ]
    if unknown:
        raise MatrixFormAbsent(
            f"the cost is the graph's own formula (its derivative by {unknown[0]} is no "
            "cost of the rules table), whose batch form is not known"
        )
    try:
        return graph_matrix_gradients(graph, sources, leaves, examples, view)
    except NoBatchForm as error:
        raise MatrixFormAbsent(f"no batch form: {error}") from None


def _as_gradients(case: Case, per_parameter: Callable[[ParameterIndex], float]) -> Gradients:
    """Arrange one number per weight (asked for by its index) into the case's shapes."""
    network = case.network
    weights = [
        np.array(
            [
                [per_parameter(ParameterIndex(l, j, k)) for k in range(1, network.sizes[l - 1] + 1)]
                for j in range(1, network.sizes[l] + 1)
            ]
        )
        for l in range(1, network.depth)
    ]
    biases = None
    if network.bias:
        biases = [
            np.array(
                [per_parameter(ParameterIndex(l, j, 0)) for j in range(1, network.sizes[l] + 1)]
            )
            for l in range(1, network.depth)
        ]
    return Gradients(weights, biases)


def _sample_mask(case: Case, sampled: list[tuple[int, int, int]]) -> np.ndarray:
    """Which flat entries of the case's gradients a sample of parameters covers."""
    weights = [np.zeros(w.shape, bool) for w in case.weights]
    biases = None if case.biases is None else [np.zeros(b.shape, bool) for b in case.biases]
    for layer, j, k in sampled:
        if k == 0:
            assert biases is not None  # a bias parameter exists only in a case with biases
            biases[layer - 1][j - 1] = True
        else:
            weights[layer - 1][j - 1, k - 1] = True
    return Gradients(weights, biases).flat().astype(bool)


def _case_problem(case: Case, max_graph: int | None = None) -> Problem:
    """A case's weights: its network's graph at the case's numbers, against numeric backprop;
    finite differences of the numeric cost, sampled on wide or deep networks; the graph left
    out when its formulas are too many to evaluate one by one."""
    network = case.network
    began = time.perf_counter()
    cost, weights, biases = numeric.backprop(case)
    reference = MethodResult(
        "backprop",
        Gradients(weights, biases),
        note=REFERENCE_NOTE,
        seconds=time.perf_counter() - began,
    )
    nodes, edges = graph_size(network)
    unbuilt = _graph_left_out(nodes + edges, max_graph)
    # The fixed budget first: raising max_graph past it would not get the graph evaluated.
    evaluation = _evaluation_left_out(edges, 0) or unbuilt
    saturated = case_saturated(case)
    left_out: dict[str, str] = {}
    if saturated:
        left_out["chain_sum"] = SATURATED
    elif evaluation:
        left_out["chain_sum"] = evaluation
    else:
        counted = count(network)
        reason = _chain_sum_left_out(counted.chains, counted.terms)
        if reason:
            left_out["chain_sum"] = reason
    if evaluation:
        left_out["delta"] = evaluation
    sympy_left_out = _network_sympy_left_out(network, network.parameter_count, "weight") or unbuilt
    if sympy_left_out:
        left_out["sympy_diff"] = sympy_left_out

    pass_work = budget.forward_pass_work(network.sizes, case.examples)
    fits = MAX_FINITE_DIFFERENCE_WORK // (4 * pass_work)
    if fits == 0:
        left_out["finite_differences"] = (
            f"each of its {4 * network.parameter_count:,} forward passes through "
            f"{network.depth - 1:,} weight layers costs more than finite differences may take"
        )

    def arrange(per_example: dict) -> Gradients:
        return _as_gradients(case, lambda p: float(np.sum(per_example[p.name])))

    matrix_left_out = SATURATED_MATRIX if saturated else _matrix_left_out(case)
    if matrix_left_out:
        left_out["matrix"] = matrix_left_out

    def differences():
        count = network.parameter_count
        sample = _sample(count, fits)
        if sample is None:
            return Gradients(*numeric.finite_differences(case, FINITE_DIFFERENCE_STEP)), None, None
        # by index: listing 784-512-512-10's 668,672 weights to sample a few took a second
        chosen = [_parameter_at(network, int(i)) for i in sample]
        gradients = Gradients(*numeric.finite_differences(case, FINITE_DIFFERENCE_STEP, chosen))
        note = _sample_note(
            len(chosen),
            count,
            "parameters",
            f"through {network.depth - 1:,} weight layers",
            fits,
        )
        # a sample: compare exactly the entries computed, NaN or not
        return gradients, _sample_mask(case, chosen), note

    def prepare() -> tuple[nx.DiGraph, list[str], dict]:
        sources = [p.name for p in network.parameters()]
        return build_graph(network), sources, case_leaf_values(case)

    return Problem(
        case.examples,
        arrange,
        differences,
        cost,
        prepare,
        left_out=left_out,
        case=case,
        backprop=reference,
        saturated=saturated,
        matrix=lambda: Gradients(*_matrix_of_case(case)[:2]),
    )


def _parameter_at(network, index: int) -> tuple[int, int, int]:
    """The `index`-th weight of ``network.parameters()`` (from 0) as (layer, j, k), found by
    arithmetic rather than by listing them.

    Examples
    --------
    >>> from chainrule.graph.spec import Network
    >>> network = Network([2, 3, 2], bias=True)
    >>> all(_parameter_at(network, i) == tuple(p) for i, p in enumerate(network.parameters()))
    True
    """
    first_source = 0 if network.bias else 1
    for layer in range(1, network.depth):
        count = network.layer_parameter_count(layer)
        if index < count:
            row_length = network.sizes[layer - 1] + network.bias
            j, k = divmod(index, row_length)
            return layer, j + 1, k + first_source
        index -= count
    raise IndexError(f"{network.architecture} has {network.parameter_count:,} parameters")


def _matrix_left_out(case: Case) -> str | None:
    """Why the matrix form of a case is not evaluated: its layers and passes would take more
    than :data:`~chainrule.budget.MAX_MATRIX_FORM_WORK`."""
    network = case.network
    work = budget.matrix_form_work(network.sizes, case.examples)
    if work <= budget.MAX_MATRIX_FORM_WORK:
        return None
    return (
        f"its {network.depth - 1:,} weight layers' batch equations and passes would take about "
        f"{work / 1e9:.1f} s, more than the {budget.MAX_MATRIX_FORM_WORK / 1e9:g} s it may take"
    )


def _matrix_of_case(case: Case) -> tuple:
    """A case's weight and bias gradients and its input gradients, by the matrix form."""
    ours = matrix_gradients(case)
    return ours.weights, ours.biases, ours.inputs


def _inputs_problem(case: Case, max_graph: int | None = None) -> Problem:
    """A case's inputs: ∂J/∂x_k per example on its network's graph, against numpy backprop's
    δ^(2) Θ^(1). Every method but the reference runs on the graph: when it is too large to
    build and evaluate, each is left out, saying why."""
    network = case.network
    inputs = [names.x_name(k) for k in range(1, network.sizes[0] + 1)]
    reference = numeric.input_gradients(case)
    per_input = {x: reference[:, k] for k, x in enumerate(inputs)}
    nodes, edges = graph_size(network)
    unbuilt = _evaluation_left_out(edges, 0) or _graph_left_out(nodes + edges, max_graph)
    title = f"inputs of {network.architecture}"

    def matrix() -> dict:
        gradients = _matrix_of_case(case)[2]
        return {x: gradients[:, k] for k, x in enumerate(inputs)}

    matrix_left_out = SATURATED_MATRIX if case_saturated(case) else _matrix_left_out(case)
    if unbuilt is None:
        problem = _graph_problem(
            build_graph(network),
            inputs,
            case_leaf_values(case),
            case.examples,
            title=title,
            backprop=per_input,
            network=network,
            matrix=matrix,
        )
        problem.left_out.pop("matrix", None)
        if matrix_left_out:
            problem.left_out["matrix"] = matrix_left_out
        return problem

    def arrange(per_example: dict) -> NamedGradients:
        return NamedGradients({x: np.asarray(v, float) for x, v in per_example.items()})

    def nothing():
        raise AssertionError("every method on the graph is left out")

    left_out = {method: unbuilt for method in METHODS if method not in ("backprop", "matrix")}
    if matrix_left_out:
        left_out["matrix"] = matrix_left_out
    return Problem(
        case.examples,
        arrange,
        nothing,
        cost=numeric.cost_of(case),
        prepare=nothing,
        left_out=left_out,
        title=title,
        backprop=MethodResult("backprop", arrange(per_input), note=REFERENCE_NOTE),
        matrix=lambda: arrange(matrix()),
    )


# --- the comparison ----------------------------------------------------------------------------


def _compare(result: MethodResult, reference: Gradients | NamedGradients) -> None:
    """Largest errors against the reference, and whether all are within tolerance. A NaN or
    infinity on either side is a disagreement, never a pass."""
    assert result.gradients is not None  # only results with gradients are compared
    got, expected = result.gradients.flat(), reference.flat()
    if result.compared is not None:  # finite differences may cover a sample only
        got, expected = got[result.compared], expected[result.compared]
    finite = np.isfinite(got) & np.isfinite(expected)
    difference = np.where(finite, np.abs(got - expected), np.inf)
    scale = np.maximum(np.abs(got), np.abs(expected))
    relative = np.divide(
        difference, scale, out=np.where(finite, 0.0, np.inf), where=finite & (scale > 0)
    )
    result.max_abs_error = float(difference.max(initial=0.0))
    result.max_rel_error = float(relative.max(initial=0.0))
    rtol, atol = result.tolerance
    result.ok = bool(np.all(finite) and np.all(difference <= atol + rtol * np.abs(expected)))


def _timed(result: MethodResult, compute: Callable[[], Gradients | NamedGradients]) -> MethodResult:
    start = time.perf_counter()
    result.gradients = compute()
    result.seconds = time.perf_counter() - start
    return result


def verify(
    subject: Case | GraphCase | nx.DiGraph,
    sources: list[str] | None = None,
    leaves: dict | None = None,
    examples: int | None = None,
    title: str | None = None,
    *,
    wrt: str = "parameters",
    methods: tuple[str, ...] = METHODS,
    max_graph: int | None = None,
) -> Report:
    """Compute gradients by each method and compare each with the reference.

    Every method is priced before anything is computed; one past its budget (``chainrule.
    budget``: MAX_CHAINS_SUMMED and the rest) is left out, and its result says why; finite
    differences past theirs take a sample of the sources, and say so.

    Parameters
    ----------
    subject : Case, GraphCase or networkx.DiGraph
        A numeric case (its network's graph at its numbers, checked against numeric backprop),
        a graph's case (:func:`chainrule.api.case`: its leaves' numbers, checked against
        ``sympy.diff``; `sources` are its parameters, or its inputs with ``wrt="inputs"``,
        unless given), or any computation graph with `sources`, `leaves` and `examples`.
    sources, leaves, examples, title
        For a graph: the nodes to differentiate by (parameters: gradients summed over the
        examples; inputs: one per example), the leaves' values (see :func:`random_leaf_values`),
        the number of examples, and what the report calls it.
    wrt : {"parameters", "inputs"}
        For a case: differentiate by its weights (default) or by its inputs x_k.
    methods : tuple of str
        The methods to run besides the reference.
    max_graph : int, optional
        For a case: the most nodes and edges of its graph to build; above it, the methods that
        need the graph are left out, naming the limit.
    """
    if isinstance(subject, GraphCase):
        kind = NodeKind.PARAM if wrt == "parameters" else NodeKind.INPUT
        if sources is None:
            sources = [n for n, k in subject.graph.nodes(data="kind") if k == kind]
        leaves, examples, title = subject.leaves(), subject.examples, title or subject.label
        subject = subject.graph
    if isinstance(subject, Case):
        if wrt == "parameters":
            problem = _case_problem(subject, max_graph)
        else:
            problem = _inputs_problem(subject, max_graph)
    else:
        if sources is None or leaves is None or examples is None:
            raise TypeError(
                "verify(graph, ...) needs the sources, leaves and examples; or give it a case: "
                "verify(chainrule.api.case(graph, values))"
            )
        problem = _graph_problem(subject, list(sources), leaves, examples, title)
    return _check(problem, methods)


def _reference(problem: Problem) -> str:
    """The method the others are compared with: numeric backprop where it exists, else
    sympy.diff; where that is left out, the δ sweep, which the independent finite differences
    then check; where that is left out too, finite differences alone."""
    if problem.backprop is not None:
        return "backprop"
    for method in ("sympy_diff", "delta", "finite_differences"):
        if method not in problem.left_out:
            return method
    raise TooLarge(
        f"nothing can verify {problem.title}: "
        + "; ".join(f"{TITLES[name]}: {why}" for name, why in problem.left_out.items())
    )


def _check(problem: Problem, methods: tuple[str, ...]) -> Report:
    """Every method on one problem, in one order, each compared with the reference; the graph
    and its leaf values are prepared only if a method that runs needs them."""
    reference_name = _reference(problem)
    if reference_name != "backprop":
        methods = tuple(dict.fromkeys((reference_name, *methods)))
    report = Report(problem.case, problem.cost, title=problem.title, reference=reference_name)
    if problem.backprop is not None:
        report.methods["backprop"] = problem.backprop
    running = [m for m in METHODS if m in methods and m not in problem.left_out]
    prepared = problem.prepare() if set(running) & {"chain_sum", "delta", "sympy_diff"} else None
    evaluated = None
    if prepared is not None and {"chain_sum", "delta"} & set(running):
        graph, _, leaves = prepared
        evaluated = evaluate_graph(graph, leaves, problem.examples)

    for name in ("chain_sum", "delta", "matrix", "finite_differences", "sympy_diff"):
        if name not in methods:
            continue
        result = MethodResult(name, tolerance=FINITE if name == "finite_differences" else EXACT)
        report.methods[name] = result
        if name in problem.left_out:
            result.skipped = problem.left_out[name]
        elif name == "matrix":
            assert problem.matrix is not None  # every problem says how, or leaves it out
            try:
                _timed(result, problem.matrix)
            except MatrixFormAbsent as absent:
                result.gradients, result.skipped = None, str(absent)
        elif name == "finite_differences":
            if problem.saturated and not np.isfinite(problem.cost):
                result.skipped = (
                    "the cost is not finite at this saturated case: nothing to difference"
                )
            else:
                start = time.perf_counter()
                result.gradients, result.compared, result.note = problem.differences()
                result.seconds = time.perf_counter() - start
        else:
            assert prepared is not None  # prepared above for every method that runs on it
            _run_on_graph(result, problem, prepared, evaluated)

    reference = report.methods[reference_name]
    # A reference taken on a sample (finite differences, when nothing else fits) says so.
    sampled = reference.note not in (None, REFERENCE_NOTE)
    reference.note = REFERENCE_NOTE + (f"; {reference.note}" if sampled else "")
    for name, result in report.methods.items():
        if name != reference_name and result.gradients is not None:
            assert reference.gradients is not None  # the reference always runs
            _compare(result, reference.gradients)
    return report


def _run_on_graph(
    result: MethodResult,
    problem: Problem,
    prepared: tuple[nx.DiGraph, list[str], dict],
    evaluated: tuple[dict, dict] | None,
) -> None:
    """The chain sum, the δ sweep or sympy.diff, timed, on the prepared graph (whose node and
    edge values are `evaluated`)."""
    graph, sources, leaves = prepared
    examples = problem.examples
    if result.name == "sympy_diff":
        _timed(result, lambda: problem.arrange(sympy_diff(graph, sources, leaves, examples)))
        return
    assert evaluated is not None  # evaluated for the chain sum and the δ sweep
    node_values, values = evaluated
    if result.name == "chain_sum":
        _timed(
            result,
            lambda: problem.arrange(
                {source: path_sum(graph, source, values, examples) for source in sources}
            ),
        )
        return

    def delta_sweep():
        # a fused cost's δ starts at the logits, from the graph's own forward values
        adjoint = adjoints(graph, values, examples, start=logit_start(graph, node_values, examples))
        return problem.arrange({source: adjoint[source] for source in sources})

    _timed(result, delta_sweep)
