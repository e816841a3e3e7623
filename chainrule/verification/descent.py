"""Gradient descent on any graph: its own formulas, compiled once, stepped epoch by epoch.

``train`` on a graph file, ``rnn:`` or ``resnet:`` runs the graph's forward pass and its δ sweep
(the local derivatives chainrule prints, started from the logits for a fused cost) every epoch.
Walking SymPy's trees each time (:mod:`chainrule.verification.evaluate`) costs milliseconds an
epoch; each formula is compiled once with ``lambdify`` instead, so that an epoch of a worked
example's graph takes a fraction of a millisecond.

Examples
--------
>>> from chainrule.graph.graphfile import graph_from_text
>>> from chainrule.verification.graphcase import graph_case
>>> graph = graph_from_text('{"inputs": ["x"], "parameters": ["w"], "targets": ["y"], '
...                         '"nodes": {"h": "w*x"}, "cost": "(h - y)^2/2"}', "tiny.json")
>>> costs, trained = descend(graph_case(graph, {"w": 0.0, "x": [1.0], "y": [2.0]}), 3, 0.5)
>>> [round(cost, 6) for cost in costs], trained.parameters
([2.0, 0.5, 0.125, 0.03125], {'w': 1.75})
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from typing import Any

import networkx as nx
import numpy as np
import sympy as sp

from chainrule.calculus.symbolic import local_derivative, logit_deltas, value_formula
from chainrule.graph.kinds import NodeKind
from chainrule.graph.symbols import node_symbol
from chainrule.verification.graphcase import GraphCase

#: What one compiled formula costs a call, in the nanoseconds the budget counts
#: (:data:`chainrule.budget.MAX_NUMERIC_WORK`): on floats (one example), and on numpy arrays,
#: beside a few per example.
SCALAR_CALL_WORK = 1_500
ARRAY_CALL_WORK = 6_000


class _Compiled:
    """One formula as a function of its free symbols, in a fixed order: on numpy arrays (one
    number per example), or on Python floats for a single example, where numpy's calls would
    cost more than the arithmetic."""

    def __init__(self, formula: sp.Expr, scalar: bool):
        self.symbols = tuple(sorted(formula.free_symbols, key=str))
        plain = {symbol: sp.Symbol(f"v{i}") for i, symbol in enumerate(self.symbols)}
        # names such as a^(2)_1 are not Python identifiers: lambdify sees plain ones
        modules = "math" if scalar else "numpy"
        self.function = sp.lambdify(list(plain.values()), formula.xreplace(plain), modules)
        self.scalar = scalar

    def __call__(self, values: dict, examples: int):
        if self.scalar:
            # math's functions raise where numpy's give inf or nan: a diverging run must stop
            # and say so, as it does on arrays
            try:
                return float(self.function(*[values[symbol] for symbol in self.symbols]))
            except OverflowError:
                return float("inf")
            except (ValueError, ZeroDivisionError):
                return float("nan")
        result = self.function(*[values[symbol] for symbol in self.symbols])
        return np.broadcast_to(np.asarray(result, float), (examples,))


class CompiledGraph:
    """A graph's forward pass, local derivatives and δ start, compiled once (on floats when
    `scalar`: one example)."""

    def __init__(self, graph: nx.DiGraph, scalar: bool = False):
        self.graph = graph
        self.scalar = scalar
        self.cost = graph.graph["cost"]
        order = list(nx.topological_sort(graph))
        self.computed = [
            (node, _Compiled(value_formula(graph, node), scalar))
            for node in order
            if graph.nodes[node]["kind"] not in (NodeKind.INPUT, NodeKind.PARAM)
        ]
        self.edges = {
            (u, v): _Compiled(local_derivative(graph, u, v), scalar) for u, v in graph.edges
        }
        self.starts = {
            node: _Compiled(formula, scalar) for node, formula in logit_deltas(graph).items()
        }
        self.reverse = list(reversed(order))

    def forward(self, leaves: dict, examples: int) -> dict:
        """Every node's value per example (by symbol), from the leaves' (by symbol)."""
        values = dict(leaves)
        for node, compiled in self.computed:
            values[node_symbol(node)] = compiled(values, examples)
        return values

    def cost_of(self, values: dict) -> float:
        return float(np.sum(values[node_symbol(self.cost)]))

    def adjoints(self, values: dict, examples: int) -> dict[Hashable, Any]:
        """∂J/∂v of every node per example (a float each for one example): the δ sweep from
        δ(J) = 1, each logit of a fused cost started at its δ, (a − y)/m."""
        adjoint: dict[Hashable, Any] = {self.cost: 1.0 if self.scalar else np.ones(examples)}
        successors = self.graph._succ
        for node in self.reverse:
            if node in self.starts:
                adjoint[node] = self.starts[node](values, examples)
            elif node != self.cost:
                total: Any = 0.0 if self.scalar else np.zeros(examples)
                for successor in successors[node]:
                    total = total + adjoint[successor] * self.edges[node, successor](
                        values, examples
                    )
                adjoint[node] = total
        return adjoint


def descend(
    case: GraphCase,
    epochs: int,
    learning_rate: float,
    frozen: Collection[str] = (),
    after_epoch: Callable[[int, float], None] | None = None,
) -> tuple[list[float], GraphCase]:
    """`epochs` steps of full-batch gradient descent on `case`'s graph, θ := θ − η ∂J/∂θ,
    the parameters in `frozen` held. Returns the cost before training and after every epoch
    (fewer when it stops being finite) and the trained case; `after_epoch(epoch, cost)` is
    told each."""
    m = case.examples
    compiled = CompiledGraph(case.graph, scalar=m == 1)
    leaves: dict = case.leaves()
    if m == 1:
        leaves = {symbol: float(value[0]) for symbol, value in leaves.items()}
    moving = [name for name in case.parameters if name not in frozen]
    parameters = dict(case.parameters)
    costs = []
    # A learning rate too large overflows exp: the cost becomes inf or nan and training stops
    # there, which the caller reports, so numpy's warnings would only repeat it.
    with np.errstate(all="ignore"):
        values = compiled.forward(leaves, m)
        costs.append(compiled.cost_of(values))
        for epoch in range(1, epochs + 1):
            adjoint = compiled.adjoints(values, m)
            for name in moving:
                parameters[name] -= learning_rate * float(np.sum(adjoint[name]))
                leaves[node_symbol(name)] = (
                    parameters[name] if m == 1 else np.full(m, parameters[name])
                )
            values = compiled.forward(leaves, m)
            costs.append(compiled.cost_of(values))
            if not np.isfinite(costs[-1]):
                break
            if after_epoch is not None:
                after_epoch(epoch, costs[-1])
    return costs, case.with_parameters(parameters)


def epoch_work(graph: nx.DiGraph, examples: int) -> int:
    """What an epoch of :func:`descend` costs in the budget's units: a call per node and per
    edge (the forward pass, then the δ sweep), each a few microseconds and a little more per
    example."""
    calls = 2 * graph.number_of_nodes() + graph.number_of_edges()
    return calls * (SCALAR_CALL_WORK if examples == 1 else ARRAY_CALL_WORK + examples)
