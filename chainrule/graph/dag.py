"""Any computation graph: named nodes whose values are formulas of earlier ones.

The path view holds for every directed acyclic graph: ∂J/∂v is the sum over all paths from v to
J of the products of the local partials. A :class:`Dag` declares inputs, parameters, targets
(constants of the cost), nodes and the cost, each formula a SymPy expression built from
chainrule's constructors (``chainrule.sigmoid``, :func:`activation`, one per activation of the
rules table) or SymPy objects, never a string
evaluated as code. :meth:`Dag.build` gives the same kind of graph as the layered builder, so
counts, chains, printing, δ factoring, operation counts and verification all work on it.

Examples
--------
A residual block, z = θ·a + a:

>>> dag = Dag()
>>> x, theta, y = dag.input("x"), dag.parameter("theta"), dag.target("y")
>>> import chainrule
>>> a = dag.node("a", chainrule.sigmoid(x))
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

import functools
from collections.abc import Callable, Iterable
from typing import Any

import networkx as nx
import sympy as sp

from chainrule import rules
from chainrule.graph import names
from chainrule.graph.build import attach_factors
from chainrule.graph.kinds import COMPUTED, NodeKind
from chainrule.graph.spec import Network, SpecError
from chainrule.graph.symbols import M, node_symbol

COST = "J"


def activation(name: str) -> Callable[[Any], sp.Expr]:
    """The activation `name` of the rules table, as a function that builds its SymPy expression.

    Every activation of :data:`chainrule.rules.ACTIVATIONS` is also an attribute of this module
    and of ``chainrule`` (``chainrule.tanh``), looked up in the table when it is used.

    Examples
    --------
    >>> z = sp.Symbol("z")
    >>> activation("tanh")(z), activation("tanh")(0)
    (tanh(z), 0)
    >>> activation("swish")
    Traceback (most recent call last):
    ...
    chainrule.errors.SpecError: unknown activation 'swish'; choose from sigmoid, tanh, ...
    """
    rule = rules.ACTIVATIONS.get(name)
    if rule is None:
        raise SpecError(f"unknown activation {name!r}; choose from {', '.join(rules.ACTIVATIONS)}")
    return _builder(rule)


@functools.cache
def _builder(rule: rules.ActivationRule) -> Callable[[Any], sp.Expr]:
    """One function per rule, so that ``chainrule.tanh is chainrule.tanh``."""

    def apply(argument: Any) -> sp.Expr:
        if isinstance(argument, (int, float)) and not isinstance(argument, bool):
            argument = sp.sympify(argument)  # a number, never text
        return rule.function(argument)

    apply.__name__ = apply.__qualname__ = rule.name
    apply.__doc__ = f"The {rule.name} activation as a SymPy expression (from the rules table)."
    return apply


def __getattr__(name: str) -> Callable[[Any], sp.Expr]:
    # The activations are not module attributes: they are read from the rules table when used.
    if name in rules.ACTIVATIONS:
        return activation(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


exp, log = sp.exp, sp.log


class Dag:
    """A computation graph under construction; :meth:`build` returns the networkx graph."""

    def __init__(self) -> None:
        self._order: list[str] = []
        self._kinds: dict[str, NodeKind] = {}
        self._formulas: dict[str, sp.Expr] = {}
        self._latex: dict[str, str] = {}
        self._extra: dict[str, dict] = {}
        self._targets: list[sp.Symbol] = []
        self._cost: str | None = None
        self._known: set[sp.Symbol] = {M}  # what a formula may use: grows with each declaration
        self._uses: dict[str, list[str]] = {}  # the declared names each formula depends on
        self._written: dict[str, set[str]] = {}  # names a formula's text mentions (graph files)

    # -- declarations ---------------------------------------------------------------------------

    def _check_name(self, name: str, latex) -> None:
        if not isinstance(name, str) or not name or any(c.isspace() for c in name):
            raise SpecError(f"invalid node name {name!r}: a name is a non-empty word")
        if name in self._kinds or name in self._latex:  # _latex names targets too
            raise SpecError(f"{name!r} is declared twice")
        if name == str(M):
            raise SpecError(f"{name!r} is reserved for the number of examples")
        if latex is not None and not isinstance(latex, str):
            raise SpecError(f"the LaTeX name of {name!r} must be text")

    def _declare(self, name: str, kind: str, latex: str | None, formula=None, **extra) -> sp.Symbol:
        if kind == NodeKind.COST and isinstance(name, str) and name in self._latex:
            declared = self._kinds.get(name, "target")
            article = "an" if declared == NodeKind.INPUT else "a"
            raise SpecError(
                f"{name!r} is declared already, as {article}"
                f" {declared}: {name!r} names the cost (or give the cost another "
                "name: Dag.cost(..., name=...))"
            )
        self._check_name(name, latex)
        symbol = node_symbol(name)
        if formula is not None:
            if isinstance(formula, (int, float)) and not isinstance(formula, bool):
                formula = sp.sympify(formula)  # a number, never text: text is refused below
            self._check_formula(name, formula, kind)
            self._formulas[name] = formula
        self._kinds[name] = NodeKind(kind)
        self._known.add(symbol)
        self._order.append(name)
        self._latex[name] = latex or sp.latex(symbol)
        self._extra[name] = extra
        return symbol

    def _check_formula(self, name: str, formula, kind: str) -> None:
        """Refuse, at declaration, a formula that would fail later when it is evaluated."""
        what = "the cost" if kind == NodeKind.COST else f"the formula of {name!r}"
        if isinstance(formula, str):
            raise SpecError(
                f"{what} is text; give a SymPy expression built from "
                "declared symbols (graph files parse text safely)"
            )
        if not isinstance(formula, sp.Expr):
            raise SpecError(f"{what} is a {type(formula).__name__}, not a SymPy expression")
        if formula.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise SpecError(f"{what} has an undefined value (a division by zero or the log of 0)")
        if formula.has(sp.I):
            raise SpecError(f"{what} has a constant that is not a real number")
        undefined = sorted({str(f.func) for f in formula.atoms(sp.core.function.AppliedUndef)})
        if undefined:
            raise SpecError(
                f"{what} uses the undefined function{'s' if len(undefined) > 1 else ''}"
                f" {', '.join(undefined)}: give its formula instead (chainrule must "
                "evaluate and differentiate it)"
            )
        free = formula.free_symbols
        unknown = sorted(str(s) for s in free - self._known)
        if unknown:
            raise SpecError(
                f"{what} uses {', '.join(unknown)}, not declared "
                "before it (declare inputs, parameters and targets first)"
            )
        uses = [str(s) for s in free if str(s) in self._kinds]
        if not uses:
            shown = str(formula) if len(str(formula)) <= 40 else str(formula)[:37] + "..."
            raise SpecError(
                f"{what} simplifies to {shown} and uses no input, parameter or node "
                "declared before it"
            )
        self._uses[name] = uses

    def note_written(self, name: str, written: set[str]) -> None:
        """Record the names the text of `name`'s formula mentions, so that a name which cancels
        out (``w*x - w*x``) is reported as cancelled rather than as unused."""
        self._written[name] = set(written)

    def input(self, name: str, latex: str | None = None, **extra) -> sp.Symbol:
        return self._declare(name, NodeKind.INPUT, latex, **extra)

    def parameter(self, name: str, latex: str | None = None, **extra) -> sp.Symbol:
        """A parameter; using its symbol in several formulas shares it (weight tying)."""
        return self._declare(name, NodeKind.PARAM, latex, **extra)

    def target(self, name: str, latex: str | None = None) -> sp.Symbol:
        """A target: a constant of the cost, not a node of the graph."""
        self._check_name(name, latex)
        symbol = node_symbol(name)
        self._targets.append(symbol)
        self._known.add(symbol)
        self._latex[name] = latex or sp.latex(symbol)
        return symbol

    def node(
        self, name: str, formula, latex: str | None = None, kind: str = NodeKind.NODE, **extra
    ) -> sp.Symbol:
        """A node whose value is `formula`, a SymPy expression of nodes declared before it."""
        if not isinstance(kind, str) or kind not in COMPUTED:
            raise SpecError(f"unknown node kind {kind!r}")
        return self._declare(name, kind, latex, formula, **extra)

    def cost(self, formula, name: str = COST, latex: str | None = None) -> sp.Symbol:
        """The cost of one example (divide by :data:`chainrule.graph.symbols.M` to average)."""
        if self._cost is not None:
            raise SpecError("the graph has a cost already")
        symbol = self._declare(name, NodeKind.COST, latex, formula)
        self._cost = name
        return symbol

    # -- the graph ------------------------------------------------------------------------------

    def build(self) -> nx.DiGraph:
        """The computation graph: an edge u -> v wherever v's formula uses u."""

        if self._cost is None:
            raise SpecError("the graph has no cost: declare one with Dag.cost(...)")
        graph = nx.DiGraph(
            cost=self._cost,
            targets=list(self._targets),
            target_latex={str(t): self._latex[str(t)] for t in self._targets},
        )
        for name in self._order:
            data = {
                "kind": self._kinds[name],
                "name": name,
                "latex": self._latex[name],
                "index": (),
                **self._extra[name],
            }
            if name in self._formulas:
                data["formula"] = self._formulas[name]
            graph.add_node(name, **data)
        position = {name: i for i, name in enumerate(self._order)}
        for name in self._formulas:
            for used in sorted(self._uses[name], key=position.__getitem__):
                graph.add_edge(used, name)
        # One reverse search from the cost, not a path search per node: linear in the graph.
        reaching = nx.ancestors(graph, self._cost)
        unused = [n for n in self._order if n != self._cost and n not in reaching]
        if unused:
            raise SpecError(self._unused_message(unused))
        for generation, generation_nodes in enumerate(nx.topological_generations(graph), start=1):
            for name in generation_nodes:
                graph.nodes[name].setdefault("layer", generation)
        attach_factors(graph)
        return graph

    def _unused_message(self, unused: list[str]) -> str:
        message = (
            f"{', '.join(unused[:10])}{', ...' if len(unused) > 10 else ''} never "
            f"reach{'es' if len(unused) == 1 else ''} the cost"
        )
        for name in unused:
            for node, written in self._written.items():
                if name in written and name not in self._uses.get(node, ()):
                    formula = str(self._formulas[node])
                    formula = formula if len(formula) <= 40 else formula[:37] + "..."
                    return (
                        f"{message}: the formula of {node!r} mentions {name}, but it cancels "
                        f"out ({node} simplifies to {formula})"
                    )
        return message

    @property
    def parameters(self) -> list[str]:
        return [n for n in self._order if self._kinds[n] == NodeKind.PARAM]

    @property
    def inputs(self) -> list[str]:
        return [n for n in self._order if self._kinds[n] == NodeKind.INPUT]


def mlp(
    sizes: Iterable[int], activation: str = rules.DEFAULT_ACTIVATION, bias: bool = False
) -> Dag:
    """A layered network (mse cost) built through the DAG API, named as the layered builder names
    it, so that the two can be compared term for term."""

    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
        raise SpecError(f"mlp needs a list of layer sizes such as [2, 2, 2], not {sizes!r}")
    network = Network(tuple(sizes), bias=bias, activation=activation)  # validates every option
    sizes = list(network.sizes)
    dag = Dag()
    below = [
        dag.input(names.x_name(k), names.x_latex(k), layer=1, index=(k,))
        for k in range(1, sizes[0] + 1)
    ]
    for layer in range(1, len(sizes)):
        weights = {}
        for j in range(1, sizes[layer] + 1):
            for k in range(0 if bias else 1, sizes[layer - 1] + 1):
                weights[j, k] = dag.parameter(
                    names.theta_name(layer, j, k),
                    names.theta_latex(layer, j, k),
                    layer=layer,
                    index=(j, k),
                )
        above = []
        for j in range(1, sizes[layer] + 1):
            total = sum(weights[j, k] * below[k - 1] for k in range(1, sizes[layer - 1] + 1))
            if bias:
                total += weights[j, 0]
            z = dag.node(
                names.z_name(layer + 1, j),
                total,
                names.z_latex(layer + 1, j),
                kind=NodeKind.PRE,
                layer=layer + 1,
                index=(j,),
            )
            above.append(
                dag.node(
                    names.a_name(layer + 1, j),
                    rules.ACTIVATIONS[network.activation[layer - 1]].function(z),
                    names.a_latex(layer + 1, j),
                    kind=NodeKind.ACT,
                    layer=layer + 1,
                    index=(j,),
                )
            )
        below = above
    targets = [dag.target(f"y_{i}", f"y_{{{i}}}") for i in range(1, sizes[-1] + 1)]
    dag.cost(sum((y - a) ** 2 for y, a in zip(targets, below)) / (2 * M))
    return dag
