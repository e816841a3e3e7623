"""The layer-level graph derived from a built scalar graph, and the bridge back to its chains.

:func:`derive_layer_graph` groups a scalar graph's nodes into tensors
(:func:`~chainrule.graph.layers.group_nodes`) and reads each group of edges: which entries
depend on which (the edges' *pattern*: every pair, one to one, or row by row) and what their
local derivatives are (SymPy, from :func:`~chainrule.calculus.symbolic.local_derivative`), to
name the Jacobian's form (a weight matrix, diag f'(z), a softmax, the identity, the cost's
gradient; see :mod:`chainrule.graph.layers`). Nothing is assumed from the architecture: on
small networks this is how the closed forms are shown right.

The bridge: a path of tensors stands for every scalar chain whose nodes lie, in order, in its
tensors (:func:`scalar_paths_in`); every scalar chain lies in exactly one path of tensors
(:func:`tensor_path`). :func:`proves_bridge` shows, with SymPy, entry by entry, that the
product of a path's Jacobians (each a matrix of partials, zero where no edge is) is the sum of
its scalar chains, and :func:`proves_forms` that each Jacobian's named form (Θ, diag f'(z), ...)
is, entry by entry, its matrix of local derivatives.

Examples
--------
>>> from chainrule.graph.build import build_graph
>>> from chainrule.graph.layers import network_layers
>>> from chainrule.graph.spec import Network
>>> graph = build_graph(Network([2, 2, 2], bias=True))
>>> derive_layer_graph(graph) == network_layers(Network([2, 2, 2], bias=True))
True
>>> view = derive_layer_graph(graph)
>>> (path,) = view.paths("Theta^(1)")
>>> proves_bridge(graph, view, path), proves_forms(graph, view)
(True, True)
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence

import networkx as nx
import sympy as sp

from chainrule import rules
from chainrule.calculus.symbolic import (
    forward_values,
    is_identically_zero,
    local_derivative,
    partial,
    value_formula,
)
from chainrule.errors import SpecError
from chainrule.graph.chains import Chain
from chainrule.graph.kinds import NodeKind
from chainrule.graph.layers import (
    Grouping,
    Jacobian,
    LayerGraph,
    Tensor,
    TensorEdge,
    group_nodes,
    parse_indices,
    split_name,
)
from chainrule.graph.shapes import Shape
from chainrule.graph.spec import SOFTMAX
from chainrule.graph.symbols import M, node_symbol, target_symbol

_ONE = sp.Integer(1)


def position(tensor: Tensor, index: tuple[int, ...]) -> int:
    """An entry's place (from 0) among its tensor's entries, a matrix read row by row."""
    if not index:
        return 0
    if len(index) == 1:
        return index[0] - 1
    return (index[0] - 1) * tensor.shape.cols.factor + index[1] - 1


def derive_layer_graph(graph: nx.DiGraph, label: str | None = None) -> LayerGraph:
    """The layer-level graph of a built scalar graph, read from its names and derivatives.

    Refused (:class:`~chainrule.errors.SpecError`) when its nodes do not group into whole
    tensors, or the groups depend on each other both ways.

    Notes
    -----
    One local derivative per scalar edge (SymPy): small graphs only, as every built graph is.
    """
    grouping = group_nodes(graph)
    by_name = {tensor.name: tensor for tensor in grouping.tensors}
    scalar_edges: dict[tuple[str, str], list[tuple[Hashable, Hashable]]] = {}
    for u, v in graph.edges:
        pair = (grouping.member[u][0], grouping.member[v][0])
        scalar_edges.setdefault(pair, []).append((u, v))
    order = _tensor_order(grouping, scalar_edges)
    reader = _FormReader(graph, grouping, by_name)
    edges = tuple(reader.edge(pair, found) for pair, found in scalar_edges.items())
    if label is None:
        network = graph.graph.get("network")
        label = network.architecture if network is not None else graph.graph.get("source", "")
    # The cost's tensor is the cost node's group: E_total in a graph file, not always J.
    cost = grouping.member[graph.graph["cost"]][0]
    return LayerGraph(label, tuple(by_name[name] for name in order), edges, cost=cost)


def _tensor_order(grouping: Grouping, scalar_edges: dict) -> list[str]:
    tensors = nx.DiGraph()
    tensors.add_nodes_from(tensor.name for tensor in grouping.tensors)
    tensors.add_edges_from(scalar_edges)
    try:
        return list(nx.lexicographical_topological_sort(tensors, key=_first_seen(grouping)))
    except nx.NetworkXUnfeasible:
        cycle = " -> ".join(u for u, _ in nx.find_cycle(tensors))
        raise SpecError(
            f"the matrix view groups nodes by name, but then the groups depend on each other "
            f"in a circle ({cycle}); name the nodes so that each group is one layer"
        ) from None


def _first_seen(grouping: Grouping):
    seen = {tensor.name: number for number, tensor in enumerate(grouping.tensors)}
    return lambda name: f"{seen[name]:09d}"


class _FormReader:
    """Names the Jacobian of each group of edges from their pattern and local derivatives."""

    def __init__(self, graph: nx.DiGraph, grouping: Grouping, by_name: dict[str, Tensor]):
        self.graph, self.grouping, self.by_name = graph, grouping, by_name
        network = graph.graph.get("network")
        self.network = network
        if network is not None:
            self.targets = [target_symbol(i) for i in range(1, network.sizes[-1] + 1)]
        else:
            self.targets = list(graph.graph.get("targets", []))

    def symbol(self, node: Hashable) -> sp.Symbol:
        return node_symbol(self.graph.nodes[node]["name"])

    def place(self, node: Hashable) -> int:
        name, index = self.grouping.member[node]
        return position(self.by_name[name], index)

    def edge(self, pair: tuple[str, str], found: list) -> TensorEdge:
        source, target = (self.by_name[name] for name in pair)
        places = {(self.place(v), self.place(u)) for u, v in found}
        patterns = _patterns(source, target, places, found, self.grouping)
        jacobian = self.jacobian(source, target, found, patterns)
        return TensorEdge(
            source.name, target.name, jacobian, Shape.of(target.entries, source.entries)
        )

    def jacobian(self, source: Tensor, target: Tensor, found: list, patterns: set) -> Jacobian:
        derivative = {(u, v): local_derivative(self.graph, u, v) for u, v in found}
        if target.kind == NodeKind.COST:
            rule, operand = self.cost_rule(derivative)
            return Jacobian("cost", "dense", operand=operand, rule=rule)
        if source.kind == NodeKind.PARAM:
            for pattern, row in (("rows", 0), ("columns", 1)):
                operand = self.multiplied(derivative, pattern, row) if pattern in patterns else None
                if operand is not None:
                    return Jacobian("outer", pattern, operand=operand)
        else:
            if "dense" in patterns and self.is_softmax(target, derivative):
                return Jacobian("softmax", "dense")
            rule = self.activation(target, derivative) if "diagonal" in patterns else None
            if rule is not None:
                return Jacobian("activation", "diagonal", rule=rule)
            if "dense" in patterns:
                weights = self.weights(source, target, derivative)
                if weights is not None:
                    return Jacobian("matrix", "dense", matrix=weights[0], transposed=weights[1])
        if "diagonal" in patterns and all(d == _ONE for d in derivative.values()):
            return Jacobian("unit", "diagonal")
        for pattern in ("diagonal", "rows", "columns", "dense"):
            if pattern in patterns:
                return Jacobian("general", pattern)
        raise SpecError(
            f"the matrix view groups nodes by name, but the edges from {source.name} to "
            f"{target.name} join neither every pair of entries, nor each entry to one, nor "
            "each weight to its row: no Jacobian of one form"
        )

    def cost_rule(self, derivative: dict) -> tuple[str | None, str | None]:
        """The cost of the rules table whose dJ/da_i, with a_i's own target y_i, each edge is
        (the targets a group of their own, entry i for output i), and that group's name."""
        for name, rule in rules.COSTS.items():
            groups = set()
            for (u, _), found in derivative.items():
                a = self.symbol(u)
                matching = [y for y in self.targets_at(u) if _same(found, rule.derivative(a, y, M))]
                if len(matching) != 1:
                    break
                groups.add(split_name(str(matching[0]))[0])
            else:
                if len(groups) == 1:
                    return name, groups.pop()
        return None, None

    def targets_at(self, output: Hashable) -> list[sp.Symbol]:
        """The targets in the cost's formula whose place among their group's entries is the
        output's place among its tensor's: the ones its cost may be written against."""
        place = self.place(output)
        used = self.cost_formula().free_symbols
        found = []
        for y in self.targets:
            if y not in used:
                continue
            digits = split_name(str(y))[1]
            if (digits is None and place == 0) or (
                digits is not None and parse_indices(digits, 1) == (place + 1,)
            ):
                found.append(y)
        return found

    def cost_formula(self) -> sp.Expr:
        if not hasattr(self, "_cost_formula"):
            self._cost_formula = value_formula(self.graph, self.graph.graph["cost"])
        return self._cost_formula

    def multiplied(self, derivative: dict, pattern: str, row: int) -> str | None:
        """The tensor whose entries a weight matrix's entries multiply: ∂v_j/∂P_jk = u_k
        (``rows``) or ∂v_k/∂P_jk = u_j (``columns``), the same u for every edge."""
        operands = set()
        for (weight, _), found in derivative.items():
            if not isinstance(found, sp.Symbol) or str(found) not in self.graph:
                return None
            name, index = self.grouping.member[str(found)]
            _, weight_index = self.grouping.member[weight]
            other = weight_index[1 - row]  # rows: the column k; columns: the row j
            if position(self.by_name[name], index) != other - 1:
                return None
            operands.add(name)
        return operands.pop() if len(operands) == 1 else None

    def weights(self, source: Tensor, target: Tensor, derivative: dict) -> tuple[str, bool] | None:
        """The weight matrix P that is this Jacobian (∂v_j/∂u_k = P_jk), or its transpose."""
        found_as: set[tuple[str, bool]] = set()
        for (u, v), found in derivative.items():
            if not isinstance(found, sp.Symbol) or str(found) not in self.graph:
                return None
            name, index = self.grouping.member[str(found)]
            weights = self.by_name[name]
            if weights.kind != NodeKind.PARAM or weights.indices != 2:
                return None
            j, k = self.place(v) + 1, self.place(u) + 1
            if index == (j, k) and weights.shape == Shape.of(target.entries, source.entries):
                found_as.add((name, False))
            elif index == (k, j) and weights.shape == Shape.of(source.entries, target.entries):
                found_as.add((name, True))
            else:
                return None
        return found_as.pop() if len(found_as) == 1 else None

    def _formula(self, node: Hashable) -> sp.Expr | None:
        if self.network is not None:
            return None
        return self.graph.nodes[node].get("formula")

    def is_softmax(self, target: Tensor, derivative: dict) -> bool:
        if self.network is not None:
            layer = int(target.name.split("(")[-1].rstrip(")")) if "(" in target.name else 0
            is_named = target.kind == NodeKind.ACT and self.network.activation[layer - 2] == SOFTMAX
        else:
            pre = sorted({u for u, _ in derivative}, key=self.place)
            outputs = sorted({v for _, v in derivative}, key=self.place)
            written = rules.softmax([self.symbol(u) for u in pre])
            is_named = len(pre) == len(outputs) and all(
                self._formula(v) == written[number] for number, v in enumerate(outputs)
            )
        if not is_named:
            return False
        by_place = {self.place(v): v for _, v in derivative}
        return all(
            found
            == rules.softmax_derivative(
                self.symbol(v), self.symbol(by_place[self.place(u)]), self.place(u) == self.place(v)
            )
            for (u, v), found in derivative.items()
        )

    def activation(self, target: Tensor, derivative: dict) -> str | None:
        """The activation f of the rules table with v_i = f(u_i) and ∂v_i/∂u_i = f'(u_i).

        A layered network names its layers' activations; a graph of formulas must write
        v_i = f(u_i) as the rules table does, and its derivative must equal the table's f'
        (shown with :func:`~chainrule.calculus.symbolic.is_identically_zero`).
        """
        if self.network is not None:
            if target.kind != NodeKind.ACT:
                return None
            layer = int(target.name.split("(")[-1].rstrip(")"))
            candidates = [self.network.activation[layer - 2]]
        else:
            candidates = list(rules.ACTIVATIONS)
        for name in candidates:
            rule = rules.ACTIVATIONS.get(name)
            if rule is not None and all(
                self._is_activation(rule, u, v, found) for (u, v), found in derivative.items()
            ):
                return name
        return None

    def _is_activation(self, rule: rules.ActivationRule, u, v, found: sp.Expr) -> bool:
        z, a = self.symbol(u), self.symbol(v)
        if self.network is not None:
            return found == rule.derivative(z, a)
        if self._formula(v) != rule.function(z):
            return False
        value = rule.function(z)
        return _same(found.xreplace({a: value}), rule.derivative(z, value))


def _same(first: sp.Expr, second: sp.Expr) -> bool:
    """Whether two formulas are equal: written alike, or proven equal."""
    return first == second or is_identically_zero(first - second)


def _patterns(
    source: Tensor, target: Tensor, places: set, found: list, grouping: Grouping
) -> set[str]:
    """The patterns the edges of one pair of tensors match (a 1 × 1 pair matches several)."""
    matched = set()
    if len(places) == source.entries * target.entries:
        matched.add("dense")
    if source.entries == target.entries and places == {(i, i) for i in range(source.entries)}:
        matched.add("diagonal")
    if source.indices == 2:
        rows, cols = source.shape.rows.factor, source.shape.cols.factor
        pairs = {
            (grouping.member[v][1] or (1,), grouping.member[u][1]) for u, v in found
        }  # (v's index, the weight's (j, k))
        every = {(j, k) for j in range(1, rows + 1) for k in range(1, cols + 1)}
        if target.entries == rows and pairs == {((j,), (j, k)) for j, k in every}:
            matched.add("rows")
        if target.entries == cols and pairs == {((k,), (j, k)) for j, k in every}:
            matched.add("columns")
    return matched


# -- the bridge -----------------------------------------------------------------------------------


def tensor_path(grouping: Grouping, path: Sequence[Hashable]) -> tuple[str, ...]:
    """The tensors a scalar path's nodes lie in, in order."""
    return tuple(grouping.member[node][0] for node in path)


def scalar_paths_in(
    graph: nx.DiGraph,
    grouping: Grouping,
    path: Sequence[TensorEdge],
    start: Hashable | None = None,
) -> Iterator[tuple[Hashable, ...]]:
    """Every scalar path (from `start`, or from any entry of the path's source) whose nodes lie,
    in order, in the tensors of `path`."""
    tensors = [path[0].source, *(edge.target for edge in path)]
    starts = (
        [start]
        if start is not None
        else [node for node, (name, _) in grouping.member.items() if name == tensors[0]]
    )

    def extend(so_far: tuple) -> Iterator[tuple]:
        if len(so_far) == len(tensors):
            yield so_far
            return
        wanted = tensors[len(so_far)]
        for successor in graph.successors(so_far[-1]):
            if grouping.member[successor][0] == wanted:
                yield from extend((*so_far, successor))

    for node in starts:
        yield from extend((node,))


def _chain_of(graph: nx.DiGraph, path: tuple) -> Chain:
    return Chain(graph.edges[u, v]["factor"] for u, v in zip(path[-2::-1], path[:0:-1]))


def partial_matrix(
    graph: nx.DiGraph, grouping: Grouping, view: LayerGraph, edge: TensorEdge, local: bool = False
) -> sp.Matrix:
    """An edge's Jacobian for one example as a matrix of its scalar partials (∂v/∂u atoms, or
    their local formulas with `local`), 0 where no scalar edge is."""
    source, target = view.tensor(edge.source), view.tensor(edge.target)
    matrix = sp.zeros(target.entries, source.entries)
    for node, (name, index) in grouping.member.items():
        if name != source.name:
            continue
        for successor in graph.successors(node):
            successor_name, successor_index = grouping.member[successor]
            if successor_name != target.name:
                continue
            factor = graph.edges[node, successor]["factor"]
            value = local_derivative(graph, node, successor) if local else partial(factor)
            matrix[position(target, successor_index), position(source, index)] = value
    return matrix


def proves_bridge(graph: nx.DiGraph, view: LayerGraph, path: Sequence[TensorEdge]) -> bool:
    """Whether the product of `path`'s Jacobians (cost first, each a matrix of partials) is,
    entry by entry, the sum of the scalar chains from that entry of the source along `path`,
    and every scalar chain of the source lies in exactly one path of `view`."""
    grouping = group_nodes(graph)
    product = sp.eye(1)
    for edge in reversed(path):
        product = product * partial_matrix(graph, grouping, view, edge)
    source = view.tensor(path[0].source)
    entries = [node for node, (name, _) in grouping.member.items() if name == source.name]
    for node in entries:
        chains = [_chain_of(graph, p) for p in scalar_paths_in(graph, grouping, path, node)]
        expected = sp.Add(*(sp.Mul(*(partial(factor) for factor in c)) for c in chains))
        column = position(source, grouping.member[node][1])
        if sp.expand(product[0, column] - expected) != 0:
            return False
    return True


def form_matrix(
    graph: nx.DiGraph, grouping: Grouping, view: LayerGraph, edge: TensorEdge
) -> sp.Matrix:
    """An edge's Jacobian for one example as its form writes it, in the scalar graph's
    symbols: Θ's entries, diag f'(z) from the rules table, diag(a) - aᵀa, I, the cost rule's
    dJ/da, or what a weight multiplies."""
    source, target = view.tensor(edge.source), view.tensor(edge.target)
    jacobian = edge.jacobian
    node_of = {
        (name, position(view.tensor(name), index)): node
        for node, (name, index) in grouping.member.items()
    }

    def symbol(tensor: str, place: int) -> sp.Symbol:
        return node_symbol(graph.nodes[node_of[tensor, place]]["name"])

    if jacobian.form == "general" or (jacobian.form == "cost" and jacobian.rule is None):
        return partial_matrix(graph, grouping, view, edge, local=True)
    targets = _targets(graph)
    matrix = sp.zeros(target.entries, source.entries)
    for i in range(target.entries):
        for k in range(source.entries):
            matrix[i, k] = _form_entry(jacobian, source, target, i, k, symbol, targets)
    return matrix


def _form_entry(
    jacobian: Jacobian, source, target, i: int, k: int, symbol, targets: list
) -> sp.Expr:
    form = jacobian.form
    if form == "matrix":
        j, col = (k, i) if jacobian.transposed else (i, k)
        columns = (source if not jacobian.transposed else target).entries
        return symbol(jacobian.matrix, j * columns + col)
    if form == "unit":
        return _ONE if i == k else sp.Integer(0)
    if form == "activation":
        rule = rules.ACTIVATIONS[str(jacobian.rule)]
        return rule.derivative(symbol(source.name, i), symbol(target.name, i)) if i == k else 0
    if form == "softmax":
        return rules.softmax_derivative(symbol(target.name, i), symbol(target.name, k), same=i == k)
    if form == "cost":
        (y,) = [y for y in targets if split_name(str(y)) in _target_names(jacobian, k)]
        return rules.COSTS[str(jacobian.rule)].derivative(symbol(source.name, k), y, M)
    # outer: ∂v_j/∂P_jk = u_k (rows) or ∂v_k/∂P_jk = u_j (columns), 0 elsewhere
    columns = source.shape.cols.factor
    row, col = divmod(k, columns)
    if jacobian.pattern == "rows":
        return symbol(jacobian.operand, col) if row == i else sp.Integer(0)
    return symbol(jacobian.operand, row) if col == i else sp.Integer(0)


def _target_names(jacobian: Jacobian, k: int) -> list[tuple[str, str | None]]:
    """How the target of output k may be named: its group's name with index k + 1, or the
    group's name alone when it has one entry."""
    return [(str(jacobian.operand), str(k + 1)), (str(jacobian.operand), None)]


def _targets(graph: nx.DiGraph) -> list[sp.Symbol]:
    network = graph.graph.get("network")
    if network is not None:
        return [target_symbol(i) for i in range(1, network.sizes[-1] + 1)]
    return list(graph.graph.get("targets", []))


def proves_forms(graph: nx.DiGraph, view: LayerGraph) -> bool:
    """Whether every edge's named form is, entry by entry, its matrix of local derivatives."""
    grouping = group_nodes(graph)
    # A graph of formulas writes a = f(z) as a node: its derivative is in z, the form's in a;
    # both are compared in the graph's leaves.
    values = forward_values(graph) if graph.graph.get("network") is None else {}
    for edge in view.edges:
        written = form_matrix(graph, grouping, view, edge)
        local = partial_matrix(graph, grouping, view, edge, local=True)
        for w, d in zip(written, local):
            if w != d and not is_identically_zero((w - d).xreplace(values)):
                return False
    return True
