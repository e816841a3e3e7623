"""The maths of the chains: every factor as a SymPy formula, every gradient in three views.

- *abstract*: the sum over chains of products of :class:`Partial` atoms (∂a/∂z as one symbol);
- *local*: each partial replaced by its local formula in a, z, θ, x, y and m;
- *closed*: one expression in the inputs, weights and targets, by substituting the forward pass.

SymPy sorts the factors of a product, so the order of a chain is kept by
:mod:`chainrule.graph.chains` and the notations (:mod:`chainrule.notation`, where
:class:`~chainrule.notation.gradient.Gradient` shows them); the expressions here are for the
maths (substitution, expansion, equality).
Costs are written for one example with the example count ``m`` kept as a symbol, so dJ/da
reads (a - y)/m as in the notes.

Examples
--------
>>> from chainrule.graph.chains import iter_chains
>>> from chainrule.graph.spec import Network
>>> graph = build_graph(Network([1, 1, 1]))
>>> chains = list(iter_chains(graph, "theta^(2)_11"))
>>> abstract_sum(chains)
dJ/da^(3)_1*da^(3)_1/dz^(3)_1*dz^(3)_1/dtheta^(2)_11
>>> local_sum(graph, chains)
a^(2)_1*a^(3)_1*(1 - a^(3)_1)*(a^(3)_1 - y_1)/m
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import networkx as nx
import sympy as sp

from chainrule import rules
from chainrule.graph import names
from chainrule.graph.build import build_graph
from chainrule.graph.chains import Chain, Factor
from chainrule.graph.kinds import COMPUTED, NodeKind
from chainrule.graph.spec import SOFTMAX, Network
from chainrule.graph.symbols import M, node_symbol, target_symbol


class Partial(sp.Expr):
    """∂(of)/∂(wrt) as a single atom, so a chain is a SymPy product of its partials.

    Examples
    --------
    >>> p = Partial(node_symbol("J"), node_symbol("a^(3)_1"))
    >>> p, p.of, p.wrt
    (dJ/da^(3)_1, J, a^(3)_1)
    """

    is_commutative = True

    def __new__(cls, of: sp.Symbol, wrt: sp.Symbol):
        return sp.Expr.__new__(cls, of, wrt)

    @property
    def of(self) -> sp.Symbol:
        return self.args[0]

    @property
    def wrt(self) -> sp.Symbol:
        return self.args[1]

    def _sympystr(self, printer) -> str:
        # SymPy asks this hook before any printer's _print_Partial: let chainrule's printers
        # (unicode among them) write it their way, and plain str() write dJ/da^(3)_1
        if hasattr(printer, "_print_Partial"):
            return printer._print_Partial(self)
        return f"d{printer._print(self.of)}/d{printer._print(self.wrt)}"


def partial(factor: Factor) -> Partial:
    return Partial(node_symbol(factor.of), node_symbol(factor.wrt))


def _layered_local_derivative(graph: nx.DiGraph, wrt: Hashable, of: Hashable) -> sp.Expr:
    """d(of)/d(wrt) on a layered network's edge, from the rules table."""
    network: Network = graph.graph["network"]
    source, target = graph.nodes[wrt], graph.nodes[of]
    if target["kind"] == NodeKind.COST:
        (i,) = source["index"]
        return rules.COSTS[network.cost].derivative(node_symbol(wrt), target_symbol(i), M)
    if target["kind"] == NodeKind.ACT:
        layer = target["layer"]
        activation = network.activation[layer - 2]
        if activation == SOFTMAX:
            (i,), (j,) = target["index"], source["index"]
            a_j = node_symbol(names.a_name(layer, j))
            return rules.softmax_derivative(node_symbol(of), a_j, same=i == j)
        return rules.ACTIVATIONS[activation].derivative(node_symbol(wrt), node_symbol(of))
    # target is a weighted input z^(l+1)_j = Σ_k θ^(l)_jk a^(l)_k (+ θ^(l)_j0)
    (j,) = target["index"]
    layer = target["layer"] - 1
    if (
        source["kind"] == NodeKind.PARAM
    ):  # dz/dθ_jk is what θ_jk multiplies: a_k, x_k, or 1 for a bias
        k = source["index"][1]
        if k == 0:
            return sp.Integer(1)
        return node_symbol(names.x_name(k) if layer == 1 else names.a_name(layer, k))
    (k,) = source["index"]  # dz/da_k is the weight a_k is multiplied by
    return node_symbol(names.theta_name(layer, j, k))


def local_derivative(graph: nx.DiGraph, wrt: Hashable, of: Hashable) -> sp.Expr:
    """The local partial d(of)/d(wrt) of the edge wrt -> of, in a, z, θ, x, y and m.

    Examples
    --------
    >>> g = build_graph(Network([2, 2, 2], bias=True))
    >>> [local_derivative(g, u, v) for u, v in [("a^(3)_1", "J"), ("z^(3)_1", "a^(3)_1"),
    ...     ("a^(2)_2", "z^(3)_1"), ("theta^(1)_12", "z^(2)_1"), ("theta^(1)_10", "z^(2)_1")]]
    [(a^(3)_1 - y_1)/m, a^(3)_1*(1 - a^(3)_1), theta^(2)_12, x_2, 1]
    """
    data = graph.edges[wrt, of]
    if "derivative" not in data:  # computed once per edge and kept on the graph
        formula = graph.nodes[of].get("formula")
        if formula is not None:  # a graph of formulas: differentiate the formula
            data["derivative"] = sp.diff(formula, node_symbol(wrt))
        else:
            data["derivative"] = _layered_local_derivative(graph, wrt, of)
    return data["derivative"]


def attach_derivatives(graph: nx.DiGraph) -> nx.DiGraph:
    """Give every edge its local derivative (attribute ``derivative``); returns the graph."""
    for wrt, of in graph.edges:
        local_derivative(graph, wrt, of)
    return graph


def factor_formula(graph: nx.DiGraph, factor: Factor) -> sp.Expr:
    """The local formula of one factor of a chain."""
    return local_derivative(graph, factor.wrt, factor.of)


def abstract_sum(chains: Iterable[Chain]) -> sp.Expr:
    """Σ over chains of the product of their partials, each partial one :class:`Partial` atom."""
    return sp.Add(*(sp.Mul(*(partial(factor) for factor in chain)) for chain in chains))


def local_sum(graph: nx.DiGraph, chains: Iterable[Chain]) -> sp.Expr:
    """Σ over chains of the product of their factors' local formulas."""
    return sp.Add(
        *(sp.Mul(*(factor_formula(graph, factor) for factor in chain)) for chain in chains)
    )


def closed_sum(graph: nx.DiGraph, chains: Iterable[Chain]) -> sp.Expr:
    """The local sum with the forward pass substituted: an expression in x, θ, y and m."""
    return local_sum(graph, chains).xreplace(forward_values(graph))


def value_formula(graph: nx.DiGraph, node: Hashable) -> sp.Expr:
    """A node's value in terms of its predecessors: z = Σ_k θ_jk a_k (+ θ_j0), a = f(z), and
    J = Σ_i (one example's cost of output i) from the rules table.

    Examples
    --------
    >>> g = build_graph(Network([2, 2, 1], bias=True))
    >>> value_formula(g, "z^(3)_1")
    a^(2)_1*theta^(2)_11 + a^(2)_2*theta^(2)_12 + theta^(2)_10
    >>> value_formula(build_graph(Network([1, 2], cost="softmax-ce")), "a^(2)_2")
    exp(z^(2)_2)/(exp(z^(2)_1) + exp(z^(2)_2))
    >>> value_formula(build_graph(Network([1, 2], cost="se")), "J")
    (-a^(2)_1 + y_1)**2/2 + (-a^(2)_2 + y_2)**2/2
    >>> value_formula(build_graph(Network([1, 1], cost="bce")), "J")  # from the logit
    (-y_1*z^(2)_1 + log(exp(z^(2)_1) + 1))/m
    """
    data = graph.nodes[node]
    if "from_logits" in data:  # a fused cost, J computed from the logits (rnn:, resnet:)
        return data["from_logits"]
    if "formula" in data:
        return data["formula"]
    network: Network = graph.graph["network"]
    if data["kind"] == NodeKind.COST:
        return sp.Add(*cost_parts(graph).values())
    layer, (j,) = data["layer"], data["index"]
    if data["kind"] == NodeKind.PRE:
        below = layer - 1
        # One Add of every term: summing them one by one would sort a growing Add each time,
        # quadratic in the layer's width (34 s for verify 100-100-100).
        terms = [
            node_symbol(names.theta_name(below, j, k))
            * node_symbol(names.x_name(k) if below == 1 else names.a_name(below, k))
            for k in range(1, network.sizes[below - 1] + 1)
        ]
        if network.bias:
            terms.append(node_symbol(names.theta_name(below, j, 0)))
        return sp.Add(*terms)
    if data["kind"] == NodeKind.ACT:
        activation = network.activation[layer - 2]
        z = [node_symbol(names.z_name(layer, i)) for i in range(1, network.sizes[layer - 1] + 1)]
        if activation == SOFTMAX:
            return rules.softmax(z)[j - 1]
        return rules.ACTIVATIONS[activation].function(z[j - 1])
    raise ValueError(f"{node!r} is a {data['kind']} node: its value is given, not computed")


def _fuses(network: Network) -> bool:
    """Whether a layered network's cost is fused with its output activation (bce after a
    sigmoid, softmax-ce after a softmax): J and the output δ are then taken from the logits."""
    rule = rules.COSTS[network.cost]
    return rule.from_logits is not None and network.activation[-1] == rule.output


def cost_parts(graph: nx.DiGraph) -> dict[Hashable, sp.Expr]:
    """Each output's part of one example's J, by the node it scores, as the forward pass
    evaluates it: from the logits for a fused cost (bce after a sigmoid: softplus(z) − y z, so
    that a saturated output gives a finite J), else from the outputs. A layered network's parts
    are its outputs a^(L)_i; an ``rnn:`` or ``resnet:`` graph's are its scored outputs; a
    graph file's are the terms of its cost, grouped by the node each reads (empty when a term
    reads several: that cost has no part per output).

    Examples
    --------
    >>> cost_parts(build_graph(Network([1, 1], cost="bce")))
    {'a^(2)_1': (-y_1*z^(2)_1 + log(exp(z^(2)_1) + 1))/m}
    >>> from chainrule.graph.graphfile import graph_from_text
    >>> cost_parts(graph_from_text('{"inputs": ["x"], "parameters": ["w"], "nodes": '
    ...     '{"u": "w*x", "v": "x/w"}, "cost": "u^2 + 3*v"}'))
    {'u': u**2, 'v': 3*v}
    """
    if "cost_parts" in graph.graph:
        return dict(graph.graph["cost_parts"])
    if "network" not in graph.graph:
        return _formula_parts(graph)
    network: Network = graph.graph["network"]
    rule, depth, outputs = rules.COSTS[network.cost], network.depth, network.sizes[-1]
    targets = [target_symbol(i) for i in range(1, outputs + 1)]
    if _fuses(network):
        assert rule.from_logits is not None  # _fuses says it has one
        logits = [node_symbol(names.z_name(depth, i)) for i in range(1, outputs + 1)]
        return {
            names.a_name(depth, i): rule.from_logits(logits, i - 1, targets[i - 1], M)
            for i in range(1, outputs + 1)
        }
    return {
        names.a_name(depth, i): rule.per_output(
            node_symbol(names.a_name(depth, i)), targets[i - 1], M
        )
        for i in range(1, outputs + 1)
    }


def _formula_parts(graph: nx.DiGraph) -> dict[Hashable, sp.Expr]:
    cost = graph.graph["cost"]
    readers = {node_symbol(node): node for node in graph.predecessors(cost)}
    parts: dict[Hashable, sp.Expr] = {}
    for term in sp.Add.make_args(graph.nodes[cost]["formula"]):
        read = [readers[symbol] for symbol in term.free_symbols if symbol in readers]
        if len(read) != 1:
            return {}
        parts[read[0]] = parts.get(read[0], sp.Integer(0)) + term
    return parts


def logit_deltas(graph: nx.DiGraph) -> dict[Hashable, sp.Expr]:
    """For a cost fused with its output activation, ∂J/∂z of every logit z in the outputs and
    targets ((a − y)/m for bce after a sigmoid), where the δ sweep starts instead of summing
    dJ/da · da/dz, which is 0 · ∞ at a saturated output; empty for any other cost.

    Examples
    --------
    >>> logit_deltas(build_graph(Network([1, 2], cost="softmax-ce")))["z^(2)_1"]
    (a^(2)_1*(y_1 + y_2) - y_1)/m
    """
    if "logit_deltas" in graph.graph:
        return dict(graph.graph["logit_deltas"])
    network: Network | None = graph.graph.get("network")
    if network is None or not _fuses(network):
        return {}
    rule, depth, outputs = rules.COSTS[network.cost], network.depth, network.sizes[-1]
    assert rule.logit_delta is not None  # every fused cost has one
    a = [node_symbol(names.a_name(depth, i)) for i in range(1, outputs + 1)]
    y = [target_symbol(i) for i in range(1, outputs + 1)]
    return {names.z_name(depth, i): rule.logit_delta(a, y, i - 1, M) for i in range(1, outputs + 1)}


def _as_graph(subject: Network | nx.DiGraph) -> nx.DiGraph:
    """The computation graph itself, or a layered network's graph, built."""
    return subject if isinstance(subject, nx.DiGraph) else build_graph(subject)


def forward_values(subject: Network | nx.DiGraph) -> dict[sp.Symbol, sp.Expr]:
    """Every computed node (not the cost) as a closed expression in the graph's leaves: for a
    layered network, every z and a in the inputs x and the weights θ.

    Examples
    --------
    >>> values = forward_values(Network([1, 1], activation="identity", bias=True))
    >>> values[node_symbol("a^(2)_1")]
    theta^(1)_10 + theta^(1)_11*x_1
    """
    graph = _as_graph(subject)
    values: dict[sp.Symbol, sp.Expr] = {}
    for node in nx.topological_sort(graph):
        if graph.nodes[node]["kind"] in COMPUTED:
            values[node_symbol(node)] = value_formula(graph, node).xreplace(values)
    return values


def composed_cost(
    subject: Network | nx.DiGraph, values: dict[sp.Symbol, sp.Expr] | None = None
) -> sp.Expr:
    """J of one example in the graph's leaves (x, θ, y and m): the cost's formula with the
    forward pass substituted. `values` are :func:`forward_values`, if already at hand.

    Examples
    --------
    >>> composed_cost(Network([1, 1], activation="identity", cost="se"))
    (-theta^(1)_11*x_1 + y_1)**2/2
    """
    graph = _as_graph(subject)
    values = forward_values(graph) if values is None else values
    return value_formula(graph, graph.graph["cost"]).xreplace(values)


def is_identically_zero(expression: sp.Expr) -> bool:
    """Prove `expression` is 0 for all values of its symbols; False means "not shown".

    Bottom-up, exp(c_1 m_1 + c_2 m_2 + ...) becomes E_1^c_1 E_2^c_2 ... with one fresh symbol
    per monomial m_i (an identity of exp, which SymPy itself uses to merge exp(a) exp(b)), and
    tanh(u) and log(u) become fresh symbols. The result is a rational function: if it cancels
    to 0 with those symbols free, the expression is 0 for their true values too, so True is a
    proof. Much faster than ``simplify`` on the gradients of deep or wide networks.

    Examples
    --------
    >>> z = sp.Symbol("z", real=True)
    >>> s = 1 / (1 + sp.exp(-z))
    >>> is_identically_zero(sp.diff(s, z) - s * (1 - s))
    True
    >>> is_identically_zero(sp.diff(s, z) - s)
    False
    """
    monomial_bases: dict[sp.Expr, sp.Symbol] = {}
    opaque: dict[sp.Expr, sp.Symbol] = {}

    def exp_as_powers(argument: sp.Expr) -> sp.Expr:
        product = sp.Integer(1)
        for term in sp.Add.make_args(sp.expand(argument)):
            coefficient, monomial = term.as_coeff_Mul()
            product *= monomial_bases.setdefault(monomial, sp.Dummy("E")) ** coefficient
        return product

    def opaque_symbol(function):
        return lambda argument: opaque.setdefault(function(argument, evaluate=False), sp.Dummy("F"))

    rewritten = (
        expression.replace(sp.exp, exp_as_powers)
        .replace(sp.tanh, opaque_symbol(sp.tanh))
        .replace(sp.log, opaque_symbol(sp.log))
    )
    return sp.cancel(sp.together(rewritten)) == 0
