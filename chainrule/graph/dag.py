"""Any computation graph: named nodes whose values are formulas of earlier ones.

The path view holds for every directed acyclic graph: ∂J/∂v is the sum over all paths from v to
J of the products of the local partials. A :class:`Dag` declares inputs, parameters, targets
(constants of the cost), nodes and the cost, each formula a SymPy expression built from
chainrule's constructors (:func:`sigmoid`, :func:`tanh`, ...) or SymPy objects, never a string
evaluated as code. :meth:`Dag.build` gives the same kind of graph as the layered builder, so
counts, chains, printing, δ factoring, operation counts and verification all work on it.

Examples
--------
A residual block, z = θ·a + a:

>>> dag = Dag()
>>> x, theta, y = dag.input("x"), dag.parameter("theta"), dag.target("y")
>>> a = dag.node("a", sigmoid(x))
>>> z = dag.node("z", theta * a + a)
>>> J = dag.cost((z - y) ** 2 / 2)
>>> graph = dag.build()
>>> from chainrule.graph.chains import iter_chains
>>> [str(chain) for chain in iter_chains(graph, "a")]
['dJ/dz * dz/da']
>>> sorted(graph.predecessors("z"))
['a', 'theta']
"""

from __future__ import annotations

from typing import Iterable

import networkx as nx
import sympy as sp

from chainrule import rules
from chainrule.graph.spec import SpecError
from chainrule.calculus.symbolic import M, node_symbol

COST = "J"


def _activation(name: str):
    function = rules.ACTIVATIONS[name].function

    def apply(argument):
        return function(sp.sympify(argument) if isinstance(argument, (int, float)) else argument)

    apply.__name__ = name
    apply.__doc__ = f"The {name} activation as a SymPy expression (from the rules table)."
    return apply


sigmoid = _activation("sigmoid")
tanh = _activation("tanh")
relu = _activation("relu")
identity = _activation("identity")
softplus = _activation("softplus")
leaky_relu = _activation("leaky_relu")
exp, log = sp.exp, sp.log


class Dag:
    """A computation graph under construction; :meth:`build` returns the networkx graph."""

    def __init__(self) -> None:
        self._order: list[str] = []
        self._kinds: dict[str, str] = {}
        self._formulas: dict[str, sp.Expr] = {}
        self._latex: dict[str, str] = {}
        self._extra: dict[str, dict] = {}
        self._targets: list[sp.Symbol] = []
        self._cost: str | None = None
        self._known: set[sp.Symbol] = {M}  # what a formula may use; kept as names are declared

    # -- declarations ---------------------------------------------------------------------------

    def _declare(self, name: str, kind: str, latex: str | None, formula=None, **extra) -> sp.Symbol:
        if not isinstance(name, str) or not name or any(c.isspace() for c in name):
            raise SpecError(f"invalid node name {name!r}: a name is a non-empty word")
        if name in self._kinds:
            raise SpecError(f"{name!r} is declared twice")
        if name == str(M):
            raise SpecError(f"{name!r} is reserved for the number of examples")
        symbol = node_symbol(name)
        if formula is not None:
            self._check_formula(name, formula)
            self._formulas[name] = sp.sympify(formula) if not isinstance(formula, sp.Basic) else formula
        self._kinds[name] = kind
        self._known.add(symbol)
        self._order.append(name)
        self._latex[name] = latex or sp.latex(symbol)
        self._extra[name] = extra
        return symbol

    def _check_formula(self, name: str, formula) -> None:
        if isinstance(formula, str):
            raise SpecError(f"the formula of {name!r} is text; give a SymPy expression built from "
                            "declared symbols (graph files parse text safely)")
        if not isinstance(formula, (sp.Basic, int, float)):
            raise SpecError(f"the formula of {name!r} is a {type(formula).__name__}, not a SymPy "
                            "expression")
        if not isinstance(formula, sp.Basic):
            return
        unknown = sorted(str(s) for s in formula.free_symbols - self._known)
        if unknown:
            raise SpecError(f"the formula of {name!r} uses {', '.join(unknown)}, not declared "
                            "before it (declare inputs, parameters and targets first)")

    def input(self, name: str, latex: str | None = None, **extra) -> sp.Symbol:
        return self._declare(name, "input", latex, **extra)

    def parameter(self, name: str, latex: str | None = None, **extra) -> sp.Symbol:
        """A parameter; using its symbol in several formulas shares it (weight tying)."""
        return self._declare(name, "param", latex, **extra)

    def target(self, name: str, latex: str | None = None) -> sp.Symbol:
        """A target: a constant of the cost, not a node of the graph."""
        if name in self._kinds or node_symbol(name) in self._targets:
            raise SpecError(f"{name!r} is declared twice")
        symbol = node_symbol(name)
        self._targets.append(symbol)
        self._known.add(symbol)
        self._latex[name] = latex or sp.latex(symbol)
        return symbol

    def node(self, name: str, formula, latex: str | None = None, kind: str = "node",
             **extra) -> sp.Symbol:
        """A node whose value is `formula`, a SymPy expression of nodes declared before it."""
        if kind not in ("node", "pre", "act"):
            raise SpecError(f"unknown node kind {kind!r}")
        return self._declare(name, kind, latex, formula, **extra)

    def cost(self, formula, name: str = COST, latex: str | None = None) -> sp.Symbol:
        """The cost of one example (divide by :data:`chainrule.calculus.symbolic.M` to average)."""
        if self._cost is not None:
            raise SpecError("the graph has a cost already")
        symbol = self._declare(name, "cost", latex or name, formula)
        self._cost = name
        return symbol

    # -- the graph ------------------------------------------------------------------------------

    def build(self) -> nx.DiGraph:
        """The computation graph: an edge u -> v wherever v's formula uses u."""
        from chainrule.graph.build import attach_factors

        if self._cost is None:
            raise SpecError("the graph has no cost: declare one with Dag.cost(...)")
        graph = nx.DiGraph(cost=self._cost, targets=list(self._targets),
                           target_latex={str(t): self._latex[str(t)] for t in self._targets})
        for name in self._order:
            data = {"kind": self._kinds[name], "name": name, "latex": self._latex[name],
                    "index": (), **self._extra[name]}
            if name in self._formulas:
                data["formula"] = self._formulas[name]
            graph.add_node(name, **data)
        position = {name: i for i, name in enumerate(self._order)}
        for name, formula in self._formulas.items():
            uses = [str(s) for s in formula.free_symbols if str(s) in position]
            for used in sorted(uses, key=position.get):
                graph.add_edge(used, name)
        # One search from the cost rather than one per node: linear, not quadratic.
        reaching = nx.ancestors(graph, self._cost) | {self._cost}
        unused = [n for n in self._order if n not in reaching]
        if unused:
            raise SpecError(f"{', '.join(unused)} never reach{'es' if len(unused) == 1 else ''} "
                            "the cost")
        for generation, names in enumerate(nx.topological_generations(graph), start=1):
            for name in names:
                graph.nodes[name].setdefault("layer", generation)
        attach_factors(graph)
        return graph

    @property
    def parameters(self) -> list[str]:
        return [n for n in self._order if self._kinds[n] == "param"]

    @property
    def inputs(self) -> list[str]:
        return [n for n in self._order if self._kinds[n] == "input"]


def mlp(sizes: Iterable[int], activation: str = "sigmoid", bias: bool = False) -> Dag:
    """A layered network (mse cost) built through the DAG API, named as the layered builder names
    it, so that the two can be compared term for term."""
    from chainrule.graph import names

    sizes = list(sizes)
    dag = Dag()
    below = [dag.input(names.x_name(k), names.x_latex(k), layer=1, index=(k,))
             for k in range(1, sizes[0] + 1)]
    for layer in range(1, len(sizes)):
        weights = {}
        for j in range(1, sizes[layer] + 1):
            for k in range(0 if bias else 1, sizes[layer - 1] + 1):
                weights[j, k] = dag.parameter(names.theta_name(layer, j, k),
                                              names.theta_latex(layer, j, k), layer=layer,
                                              index=(j, k))
        above = []
        for j in range(1, sizes[layer] + 1):
            total = sum(weights[j, k] * below[k - 1] for k in range(1, sizes[layer - 1] + 1))
            if bias:
                total += weights[j, 0]
            z = dag.node(names.z_name(layer + 1, j), total, names.z_latex(layer + 1, j),
                         kind="pre", layer=layer + 1, index=(j,))
            above.append(dag.node(names.a_name(layer + 1, j),
                                  rules.ACTIVATIONS[activation].function(z),
                                  names.a_latex(layer + 1, j), kind="act", layer=layer + 1,
                                  index=(j,)))
        below = above
    targets = [dag.target(f"y_{i}", f"y_{{{i}}}") for i in range(1, sizes[-1] + 1)]
    dag.cost(sum((y - a) ** 2 for y, a in zip(targets, below)) / (2 * M))
    return dag
