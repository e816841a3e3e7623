"""Graph cases: numbers for the leaves of any graph, named as the graph names them.

A graph file, ``rnn:`` or ``resnet:`` has no layer shapes to hold its numbers, so its case
names its leaves (docs/conventions.md, "Case files")::

    {"values": {"w1": 0.15, "b1": 0.35, "i1": [0.05], "t1": [0.01]}}

A parameter is one number; an input or a target is one number per example, every one the same
length. :func:`graph_case` checks a mapping of that shape against a graph and refuses, naming
the leaf, what is unknown, missing, of the wrong length or not a finite number. A
:class:`GraphCase` keeps its graph, so that whatever it is given to knows what it is about.

Examples
--------
>>> from chainrule.graph.graphfile import graph_from_text
>>> graph = graph_from_text('{"inputs": ["x"], "parameters": ["w"], "targets": ["y"], '
...                         '"nodes": {"h": "w*x"}, "cost": "(h - y)^2/2"}', "tiny.json")
>>> case = graph_case(graph, {"w": 0.5, "x": [1.0, 2.0], "y": [0.0, 1.0]})
>>> case.examples, case.parameters, case.as_dict()["values"]["x"]
(2, {'w': 0.5}, [1.0, 2.0])
>>> graph_case(graph, {"w": 0.5, "x": [1.0, 2.0], "y": [0.0]})
Traceback (most recent call last):
...
chainrule.errors.SpecError: 'y' has 1 number, one per example; 'x' has 2: give every input \
and target the same number of examples
>>> graph_case(graph, {"w": 0.5, "x": [1.0], "y": [0.0], "v": 1})
Traceback (most recent call last):
...
chainrule.errors.SpecError: unknown leaf 'v': tiny.json's leaves are the parameter w, the input \
x and the target y
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import networkx as nx
import numpy as np
import sympy as sp

from chainrule.graph.kinds import COMPUTED, NodeKind
from chainrule.graph.symbols import M, node_symbol, target_symbol
from chainrule.verification.casefile import check_leaf_values


def leaf_names(graph: nx.DiGraph) -> tuple[list[str], list[str], list[str]]:
    """The graph's parameters, inputs and targets by name, in the graph's order."""
    parameters = [n for n, kind in graph.nodes(data="kind") if kind == NodeKind.PARAM]
    inputs = [n for n, kind in graph.nodes(data="kind") if kind == NodeKind.INPUT]
    targets = [str(target) for target in target_symbols(graph)]
    return parameters, inputs, targets


def target_symbols(graph: nx.DiGraph) -> list[sp.Symbol]:
    """The targets of a graph's cost: a graph's declared ones, or a layered network's y_i."""
    network = graph.graph.get("network")
    if network is not None:
        return [target_symbol(i) for i in range(1, network.sizes[-1] + 1)]
    return list(graph.graph.get("targets", ()))


def _label(graph: nx.DiGraph) -> str:
    network = graph.graph.get("network")
    return graph.graph.get("source") or (network.architecture if network else "the graph")


@dataclass(frozen=True, eq=False)
class GraphCase:
    """A graph with numbers at its leaves: each parameter's value, and each input's and each
    target's value per example (arrays of `examples` numbers)."""

    graph: nx.DiGraph
    parameters: dict[str, float]
    inputs: dict[str, np.ndarray]
    targets: dict[str, np.ndarray]
    examples: int

    @property
    def label(self) -> str:
        """What the case is about: the graph file's name, ``rnn:1-2-1:3``, or the layer sizes."""
        return _label(self.graph)

    def leaves(self) -> dict[sp.Symbol, np.ndarray]:
        """Every leaf's value per example, keyed by its SymPy symbol (and ``m``), as the graph's
        formulas are evaluated (:func:`chainrule.verification.verify.forward_pass`)."""
        m = self.examples
        values: dict[sp.Symbol, np.ndarray] = {M: np.full(m, float(m))}
        for name, row in self.inputs.items():
            values[node_symbol(name)] = row
        for name, number in self.parameters.items():
            values[node_symbol(name)] = np.full(m, number)
        for target in target_symbols(self.graph):
            values[target] = self.targets[str(target)]
        return values

    def with_parameters(self, parameters: Mapping[str, float]) -> GraphCase:
        """The same case with other values for some parameters (a step of gradient descent)."""
        return replace(self, parameters={**self.parameters, **parameters})

    def values(self) -> dict[str, Any]:
        """Every leaf by name: a number per parameter, a list per input and target."""
        return {
            **self.parameters,
            **{name: value.tolist() for name, value in self.inputs.items()},
            **{name: value.tolist() for name, value in self.targets.items()},
        }

    def as_dict(self) -> dict[str, Any]:
        """The case-file document: ``{"values": {leaf: number or [per example]}}``."""
        return {"values": self.values()}


def from_leaves(graph: nx.DiGraph, leaves: Mapping[sp.Symbol, Any], examples: int) -> GraphCase:
    """The case of leaf values keyed by symbol (as :func:`random_leaf_values` draws them)."""
    parameters, inputs, targets = leaf_names(graph)
    return GraphCase(
        graph,
        {name: float(np.ravel(leaves[node_symbol(name)])[0]) for name in parameters},
        {name: np.asarray(leaves[node_symbol(name)], float) for name in inputs},
        {
            str(target): np.asarray(leaves[target], float)
            for target in target_symbols(graph)
            if str(target) in targets
        },
        examples,
    )


def graph_case(graph: nx.DiGraph, values: object) -> GraphCase:
    """Check `values` (leaf name -> a number for a parameter, a list of numbers per example for
    an input or a target; or the whole document, ``{"values": {...}}``) against `graph`.

    Every problem is one :class:`~chainrule.errors.SpecError` that names the leaf: an unknown
    or computed name, a missing leaf, a list for a parameter or a number for an input, lists of
    different lengths, or a value that is not a finite number.
    """
    parameters, inputs, targets = leaf_names(graph)
    computed = {str(node) for node, kind in graph.nodes(data="kind") if kind in COMPUTED}
    computed.add(str(graph.graph["cost"]))
    numbers, per_example, examples = check_leaf_values(
        values, (parameters, inputs, targets), _label(graph), computed
    )
    return GraphCase(
        graph,
        numbers,
        {name: per_example[name] for name in inputs},
        {name: per_example[name] for name in targets},
        examples,
    )
