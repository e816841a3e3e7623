"""The layer-level view of a computation graph: tensors with shapes, edges with Jacobians.

The scalar graph (:mod:`chainrule.graph.build`) has a node per neuron and per weight; this view
has a node per *tensor*, the group of scalar nodes that share a name and differ in their
indices: the inputs ``x`` (m × n_1, one row per example), each weight matrix ``Θ^(l)``
(n_{l+1} × n_l), each bias row ``b^(l+1)`` (1 × n_{l+1}), the weighted inputs ``z^(l)`` and
activations ``a^(l)`` (m × n_l), and the cost ``J``; for ``rnn:`` the hidden state of each
time step (``h^(t)``), for ``resnet:`` each block's residual sum (``h^(n)``). An edge u -> v
joins two tensors when some entry of v depends directly on some entry of u, and carries v's
:class:`Jacobian` with respect to u, for one example, in numerator layout (entries(v) rows,
entries(u) columns; a matrix's entries are read row by row):

=============  ======================  ============  ===========================================
form           example                 pattern       vector–Jacobian form (g: the upstream m × n)
=============  ======================  ============  ===========================================
``matrix``     ∂z^(l+1)/∂a^(l) = Θ^(l)  dense         g Θ^(l)
``outer``      ∂z^(l+1)/∂Θ^(l)          rows          gᵀ a^(l)  (each z_j reads row j of Θ)
``activation`` ∂a/∂z = diag f'(z)      diagonal      g ⊙ f'(z)
``softmax``    diag(a) - aᵀa           dense         g ⊙ a - ((g ⊙ a) 1 1ᵀ) ⊙ a
``unit``       ∂h^(n)/∂h^(n-1) = I     diagonal      g (from a bias row: 1ᵀ g, a sum over examples)
``cost``       ∂J/∂a^(L), 1 × n_L      dense         the m × n_L matrix of dJ/da itself
``general``    any other               as found      g ⊙ D when diagonal; else none
=============  ======================  ============  ===========================================

The view is *derived* from the scalar graph: :func:`group_nodes` groups a built graph's nodes by
name and index, and :func:`chainrule.calculus.layers.derive_layer_graph` reads each group of
edges's pattern and local derivatives to name its form. At real widths no scalar graph can be
built (784-512-512-10 has 668,672 weights), so :func:`network_layers`, :func:`rnn_layers` and
:func:`resnet_layers` write the same view in closed form from the structure the scalar builders
use; the tests hold the two equal on small networks.

Which graphs can be grouped: a node's text name is ``stem`` or ``stem_indices``; nodes with
the same stem (``theta^(1)``, ``W``, ``x^(3)``) are one tensor, their indices its entries. The
indices are one number (a vector: ``x_12``), or two (a matrix: ``W_12``; with an index of 10
or more, comma-separated, ``W_10,3``); a name without indices is a tensor of one entry. A
group must hold every entry of its shape, one kind of node, and (for inputs and computed nodes)
one index: the rows of a batch are its examples. Layer sizes, ``rnn:`` and ``resnet:`` always
qualify; a graph file qualifies when its names follow this rule (every graph file does in the
trivial sense that a name without ``_digits`` is a tensor of one entry, so the view of
``examples/graphs/residual.json`` is its scalar graph again).

Examples
--------
>>> from chainrule.graph.spec import Network
>>> view = network_layers(Network([2, 3, 1]))
>>> [(t.name, str(t.shape)) for t in view.tensors]
[('x', 'm×2'), ('Theta^(1)', '3×2'), ('z^(2)', 'm×3'), ('a^(2)', 'm×3'), ('Theta^(2)', '1×3'), \
('z^(3)', 'm×1'), ('a^(3)', 'm×1'), ('J', '1×1')]
>>> [(e.source, e.target, e.jacobian.form, str(e.shape)) for e in view.out_edges("a^(2)")]
[('a^(2)', 'z^(3)', 'matrix', '1×3')]
>>> view.path_counts()["Theta^(1)"], view.scalar_chains_of("Theta^(1)")
((1, 5), 6)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from chainrule import budget, rules
from chainrule.errors import SpecError
from chainrule.graph import names, spellings
from chainrule.graph.kinds import NodeKind
from chainrule.graph.shapes import Dim, Operand, Shape
from chainrule.graph.spec import SOFTMAX, Network, _normalise_activation

#: The number of examples: the rows of every batch.
EXAMPLES = Dim.of("m")
COST = names.COST_NAME
FORMS = ("matrix", "outer", "activation", "softmax", "unit", "cost", "general")
PATTERNS = ("dense", "diagonal", "rows", "columns")


class Tensor(NamedTuple):
    """A node of the layer-level graph: a group of scalar nodes as one matrix.

    `shape` is the batch shape: m × n for inputs and computed tensors (one row per example),
    the matrix's own for parameters, 1 × 1 for J. `indices` is how many indices its entries'
    names carry (0, 1 or 2); `role` is the scalar nodes' ``role`` (``pre``, ``act``, ``sum``)
    where the graph gives one.
    """

    name: str
    unicode: str
    latex: str
    kind: NodeKind
    shape: Shape
    indices: int = 1
    role: str | None = None

    @property
    def batched(self) -> bool:
        """Whether its rows are the examples (inputs and computed tensors)."""
        return self.kind not in (NodeKind.PARAM, NodeKind.COST)

    @property
    def per_example(self) -> Shape:
        """Its shape for one example: a row 1 × n for inputs and computed tensors."""
        return Shape(Dim.of(1), self.shape.cols) if self.batched else self.shape

    @property
    def entries(self) -> int:
        """Its number of entries for one example: a Jacobian's rows or columns."""
        return self.per_example.size.factor

    @property
    def operand(self) -> Operand:
        return Operand(self.name, self.unicode, self.latex, self.shape)


class Jacobian(NamedTuple):
    """What an edge's Jacobian is (see the table of :mod:`chainrule.graph.layers`).

    `matrix` is the parameter tensor that *is* the Jacobian (``matrix`` form; `transposed` if
    it enters as its transpose), `operand` the tensor a weight matrix multiplies (``outer``)
    or the targets (``cost``), `rule` the activation or cost of the rules table.
    """

    form: str
    pattern: str
    matrix: str | None = None
    transposed: bool = False
    operand: str | None = None
    rule: str | None = None


class TensorEdge(NamedTuple):
    """source -> target, with target's Jacobian by source for one example, and its shape
    (entries of target × entries of source)."""

    source: str
    target: str
    jacobian: Jacobian
    shape: Shape


def tensor_unicode(text: str) -> str:
    """The terminal form of a tensor's text name: ``Theta^(1)`` becomes ``Θ⁽¹⁾``.

    Examples
    --------
    >>> tensor_unicode("Theta^(12)"), tensor_unicode("yhat^(3)"), tensor_unicode("W1")
    ('Θ⁽¹²⁾', 'yhat⁽³⁾', 'W1')
    """
    if text.startswith("Theta"):
        return "Θ" + names.unicode_name("theta" + text[5:])[1:]
    return names.unicode_name(text)


def make_tensor(
    text: str,
    latex: str,
    kind: NodeKind,
    shape: Shape,
    indices: int = 1,
    role: str | None = None,
) -> Tensor:
    return Tensor(text, tensor_unicode(text), latex, NodeKind(kind), shape, indices, role)


@dataclass(frozen=True, eq=False)
class LayerGraph:
    """Tensors (in topological order) and the edges between them, ending at the cost.

    Equal when their tensors and edges are (in whatever order they were listed): the closed
    forms and the grouping of a built scalar graph are compared this way.
    """

    label: str
    tensors: tuple[Tensor, ...]
    edges: tuple[TensorEdge, ...]
    cost: str = COST
    _by_name: dict[str, Tensor] = field(default_factory=dict, repr=False)
    _out: dict[str, list[TensorEdge]] = field(default_factory=dict, repr=False)
    _in: dict[str, list[TensorEdge]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        position = {}
        for number, tensor in enumerate(self.tensors):
            if tensor.name in self._by_name:
                raise SpecError(f"the tensor {tensor.name} is named twice")
            self._by_name[tensor.name] = tensor
            self._out[tensor.name], self._in[tensor.name] = [], []
            position[tensor.name] = number
        for edge in self.edges:
            if position[edge.source] >= position[edge.target]:
                raise SpecError(f"{edge.source} -> {edge.target} goes against the tensors' order")
            self._out[edge.source].append(edge)
            self._in[edge.target].append(edge)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, LayerGraph)
            and self.cost == other.cost
            and set(self.tensors) == set(other.tensors)
            and set(self.edges) == set(other.edges)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable caches inside: not a dict key

    # -- looking things up --------------------------------------------------------------------

    def tensor(self, name: str) -> Tensor:
        if name not in self._by_name:
            raise SpecError(
                f"no tensor {name!r} in {self.label}; it has "
                + ", ".join(tensor.name for tensor in self.tensors)
            )
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def out_edges(self, name: str) -> list[TensorEdge]:
        return list(self._out[name])

    def in_edges(self, name: str) -> list[TensorEdge]:
        return list(self._in[name])

    def of_kind(self, *kinds: str) -> list[Tensor]:
        return [tensor for tensor in self.tensors if tensor.kind in kinds]

    @property
    def size(self) -> int:
        """Tensors plus edges."""
        return len(self.tensors) + len(self.edges)

    def entry(self, text: str) -> tuple[Tensor, tuple[int, ...]]:
        """The tensor and the index of an entry named as the scalar graph names it
        (``theta^(1)_21``, ``W_12``, ``x^(3)_2``), or of a tensor named itself (index ()).

        Examples
        --------
        >>> view = network_layers(Network([2, 2, 2], bias=True))
        >>> [(t.name, index) for t, index in map(view.entry, ["theta^(1)_21", "Theta^(2)",
        ...                                                    "theta^(2)_10"])]
        [('Theta^(1)', (2, 1)), ('Theta^(2)', ()), ('b^(3)', (1,))]
        """
        if text in self._by_name:
            return self._by_name[text], ()
        if len(text) > budget.ENTRY_NAME_CHARACTERS:
            raise SpecError(f"no entry {text[:40]!r}... in {self.label}: the name is too long")
        base, digits = split_name(text)
        layered = re.fullmatch(r"theta\^\((?P<layer>[0-9]+)\)", base)
        if layered:  # theta^(l)_jk is an entry of Θ^(l), or of the bias row b^(l+1) if k = 0
            base = f"Theta^({layered['layer']})"
        if digits is not None and base in self._by_name:
            tensor = self._by_name[base]
            index = parse_indices(digits, tensor.indices)
            if index is not None and _inside(index, tensor):
                return tensor, index
            bias = f"b^({int(layered['layer']) + 1})" if layered else ""
            if index is not None and index[1:] == (0,) and bias in self._by_name:
                if _inside(index[:1], self._by_name[bias]):
                    return self._by_name[bias], index[:1]
        raise SpecError(f"no entry {text!r} in {self.label}")

    # -- counting and walking -----------------------------------------------------------------

    def path_counts(self) -> dict[str, tuple[int, int]]:
        """For every tensor, its paths to the cost and the factors on them all (dynamic
        programming in reverse order, as :func:`~chainrule.graph.paths.path_counts`)."""
        counts: dict[str, tuple[int, int]] = {}
        for tensor in reversed(self.tensors):
            if tensor.name == self.cost:
                counts[tensor.name] = (1, 0)
                continue
            paths = factors = 0
            for edge in self._out[tensor.name]:
                successor_paths, successor_factors = counts[edge.target]
                paths += successor_paths
                factors += successor_factors + successor_paths
            counts[tensor.name] = (paths, factors)
        return counts

    def scalar_chains_of(self, name: str) -> int:
        """The scalar chains of all of a tensor's entries: Σ over its paths of
        :meth:`scalar_chains`, by dynamic programming."""
        per_entry: dict[str, int] = {}
        for tensor in reversed(self.tensors):
            per_entry[tensor.name] = (
                1
                if tensor.name == self.cost
                else sum(
                    _multiplicity(edge, self._by_name[edge.target]) * per_entry[edge.target]
                    for edge in self._out[tensor.name]
                )
            )
        return self._by_name[name].entries * per_entry[name]

    def scalar_chains(self, path: Sequence[TensorEdge]) -> int:
        """How many scalar chains one path of tensors sums: every entry of its source times,
        at each dense edge, the entries of the tensor it enters (a diagonal, a weight's row
        and a bias go to one entry each)."""
        count = self._by_name[path[0].source].entries
        for edge in path:
            count *= _multiplicity(edge, self._by_name[edge.target])
        return count

    def paths(self, source: str) -> Iterator[tuple[TensorEdge, ...]]:
        """Every path of tensors from `source` to the cost, each as its edges from `source`
        on, depth first in the order of the edges."""
        self.tensor(source)
        if source == self.cost:
            return
        pending: list[tuple[Iterator[TensorEdge], tuple[TensorEdge, ...]]] = [
            (iter(self._out[source]), ())
        ]
        while pending:
            edges, so_far = pending[-1]
            for edge in edges:
                path = (*so_far, edge)
                if edge.target == self.cost:
                    yield path
                else:
                    pending.append((iter(self._out[edge.target]), path))
                    break
            else:
                pending.pop()


def _multiplicity(edge: TensorEdge, target: Tensor) -> int:
    return target.entries if edge.jacobian.pattern == "dense" else 1


def _inside(index: tuple[int, ...], tensor: Tensor) -> bool:
    if len(index) != tensor.indices:
        return False
    bounds = (tensor.shape.cols,) if tensor.indices == 1 else (tensor.shape.rows, tensor.shape.cols)
    return all(1 <= i <= bound.factor for i, bound in zip(index, bounds))


# -- names: a stem and its indices --------------------------------------------------------------

_INDEXED = re.compile(r"(?P<base>.+?)_(?P<digits>[0-9]+(?:,[0-9]+)*)")


def split_name(name: str) -> tuple[str, str | None]:
    """A scalar node's name as its tensor's name and its indices' text.

    Examples
    --------
    >>> split_name("theta^(1)_10,3"), split_name("x_1"), split_name("h1"), split_name("W1_12")
    (('theta^(1)', '10,3'), ('x', '1'), ('h1', None), ('W1', '12'))
    """
    match = _INDEXED.fullmatch(name)
    if match is None:
        return name, None
    return match["base"], match["digits"]


def parse_indices(digits: str, count: int) -> tuple[int, ...] | None:
    """The `count` indices written `digits` (``12`` is (1, 2) for a matrix, 12 for a vector;
    ``10,3`` is (10, 3)), or None if they cannot be `count` indices.

    Examples
    --------
    >>> parse_indices("12", 2), parse_indices("12", 1), parse_indices("10,3", 2)
    ((1, 2), (12,), (10, 3))
    >>> parse_indices("1", 2) is None
    True
    """
    if "," in digits:
        texts = digits.split(",")
    elif count == 1:
        texts = [digits]
    else:
        texts = list(digits)
    if len(texts) != count or any(len(text) > budget.ENTRY_INDEX_DIGITS for text in texts):
        return None
    return tuple(int(text) for text in texts)


def _index_count(texts: Iterable[str]) -> int:
    """How many indices a group's names carry: commas say so; otherwise a one-digit name means
    a vector (a matrix's indices are at least two digits), and a group of two-digit names is a
    matrix."""
    texts = list(texts)
    with_commas = [text for text in texts if "," in text]
    if with_commas:
        return with_commas[0].count(",") + 1
    if any(len(text) == 1 for text in texts):
        return 1
    return len(texts[0])


_SUBSCRIPT = re.compile(r"_\{[0-9,]+\}")


class Grouping(NamedTuple):
    """A scalar graph's nodes grouped into tensors: `tensors` in the graph's topological order,
    and every node's tensor and index in `member`."""

    tensors: tuple[Tensor, ...]
    member: dict[Any, tuple[str, tuple[int, ...]]]


def group_nodes(graph: Any) -> Grouping:
    """Group the nodes of a built scalar graph into tensors (the rule of this module's notes).

    A layered network's nodes carry ``layer`` and ``index``, which are used as they are (a
    bias weight θ^(l)_j0 is entry j of the row b^(l+1)); any other graph's are read from names.
    Refused, with a :class:`SpecError` naming the group, when a group is not a whole matrix.

    Examples
    --------
    >>> from chainrule.graph.build import build_graph
    >>> grouping = group_nodes(build_graph(Network([2, 2, 1], bias=True)))
    >>> grouping.member["theta^(1)_21"], grouping.member["theta^(2)_10"], grouping.member["J"]
    (('Theta^(1)', (2, 1)), ('b^(3)', (1,)), ('J', ()))
    """
    import networkx as nx

    layered = "network" in graph.graph
    groups: dict[str, list[tuple[Any, str | None, tuple[int, ...] | None]]] = {}
    for node in nx.topological_sort(graph):
        data = graph.nodes[node]
        base, digits = split_name(data["name"])
        index = tuple(data.get("index") or ()) or None
        if layered and data["kind"] == NodeKind.PARAM:
            layer, (j, k) = data["layer"], data["index"]
            base, index = (f"b^({layer + 1})", (j,)) if k == 0 else (f"Theta^({layer})", (j, k))
        groups.setdefault(base, []).append((node, digits, index))
    tensors, member = [], {}
    for base, nodes in groups.items():
        first = graph.nodes[nodes[0][0]]
        if any(index is None for _, _, index in nodes):
            digit_texts = [digits for _, digits, _ in nodes]
            if any(text is None for text in digit_texts):
                if len(nodes) > 1:  # "h" and "h_1" cannot both be entries of h
                    raise SpecError(
                        f"the matrix view groups nodes by name: {base} names a node and is the "
                        "stem of others; rename one"
                    )
                indices = []
            else:
                count = _index_count(text for text in digit_texts if text is not None)
                indices = [parse_indices(text, count) for text in digit_texts if text is not None]
                if any(index is None for index in indices) or count > 2:
                    raise SpecError(
                        f"the matrix view groups nodes by name: the entries of {base} do not "
                        "carry one or two indices alike"
                    )
        else:
            indices = [index for _, _, index in nodes]
        tensor = _tensor_of_group(base, [node for node, _, _ in nodes], indices, graph, first)
        tensors.append(tensor)
        for (node, _, _), index in zip(nodes, indices or [()]):
            member[node] = (tensor.name, index or ())
    return Grouping(tuple(tensors), member)


def _tensor_of_group(base: str, nodes: list, indices: list, graph: Any, first: dict) -> Tensor:
    kinds = {graph.nodes[node]["kind"] for node in nodes}
    roles = {graph.nodes[node].get("role") for node in nodes}
    if len(kinds) > 1 or len(roles) > 1:
        raise SpecError(
            f"the matrix view groups nodes by name: the nodes of {base} are of different kinds"
        )
    kind = NodeKind(kinds.pop())
    count = len(indices[0]) if indices else 0
    if count:
        rows = max(index[0] for index in indices) if count == 2 else 1
        cols = max(index[-1] for index in indices)
        low = min(min(index) for index in indices)
        expected = rows * cols
        if low < 1 or len(set(indices)) != len(indices) or len(indices) != expected:
            raise SpecError(
                f"the matrix view groups nodes by name: {base} has {len(indices)} entries, "
                f"not the whole {rows}×{cols} that its indices span"
            )
    else:
        rows = cols = 1
    batched = kind not in (NodeKind.PARAM, NodeKind.COST)
    if batched and count == 2:
        raise SpecError(
            f"the matrix view groups nodes by name: {base}'s entries have two indices, but an "
            "input or a computed node is a row of one example (one index)"
        )
    shape = Shape.of(EXAMPLES if batched else rows, cols)
    latex = _SUBSCRIPT.sub("", first["latex"], count=1) if count else first["latex"]
    if base.startswith("Theta^("):
        latex = latex.replace(r"\theta", r"\Theta", 1)
    elif base.startswith("b^(") and "network" in graph.graph:
        latex = f"b^{{({base[3:-1]})}}"
    return make_tensor(base, latex, kind, shape, count, first.get("role"))


# -- closed forms: the same view from the structure the scalar builders use ---------------------


def _edge(source: Tensor, target: Tensor, form: str, pattern: str, **given: Any) -> TensorEdge:
    return TensorEdge(
        source.name,
        target.name,
        Jacobian(form, pattern, **given),
        Shape.of(target.entries, source.entries),
    )


def cost_tensor() -> Tensor:
    """J, the cost: one number, 1 × 1."""
    return make_tensor(COST, names.COST_LATEX, NodeKind.COST, Shape.of(1, 1), 0)


def _refuse_one_softmax(outputs: int, rule: str) -> None:
    if rule == SOFTMAX and outputs < 2:  # as the scalar builders, which find J constant
        raise SpecError(
            "cost softmax-ce needs at least 2 outputs (the softmax of one output is always 1); "
            "for one output use --cost bce"
        )


def _output_edge(pre: Tensor, act: Tensor, rule: str) -> TensorEdge:
    if rule == SOFTMAX:
        return _edge(pre, act, "softmax", "dense")
    return _edge(pre, act, "activation", "diagonal", rule=rule)


def _linear(below: Tensor, weights: Tensor, pre: Tensor, bias: Tensor | None) -> list[TensorEdge]:
    edges = [
        _edge(below, pre, "matrix", "dense", matrix=weights.name),
        _edge(weights, pre, "outer", "rows", operand=below.name),
    ]
    if bias is not None:
        edges.append(_edge(bias, pre, "unit", "diagonal"))
    return edges


def network_layer_size(network: Network) -> int:
    """Tensors plus edges of :func:`network_layers`, without building it.

    Examples
    --------
    >>> network_layer_size(Network([2, 3, 1], bias=True)), network_layers(
    ...     Network([2, 3, 1], bias=True)).size
    (19, 19)
    """
    per_layer = 3 + network.bias  # tensors Θ, (b,) z, a; and as many edges into z and a
    return 3 + 2 * (network.depth - 1) * per_layer


def network_layers(network: Network) -> LayerGraph:
    """The layer-level graph of a layered network, in closed form: O(L), whatever the widths.

    Examples
    --------
    >>> view = network_layers(Network([784, 512, 512, 10]))
    >>> view.tensor("Theta^(1)").shape, view.path_counts()["Theta^(1)"]
    (Shape(rows=Dim(512), cols=Dim(784)), (1, 7))
    """
    sizes, depth = network.sizes, network.depth
    below = make_tensor("x", "x", NodeKind.INPUT, Shape.of(EXAMPLES, sizes[0]))
    tensors, edges = [below], []
    for layer in range(1, depth):
        width = sizes[layer]
        theta = make_tensor(
            f"Theta^({layer})",
            rf"\Theta^{{({layer})}}",
            NodeKind.PARAM,
            Shape.of(width, sizes[layer - 1]),
            2,
        )
        bias = (
            make_tensor(
                f"b^({layer + 1})", f"b^{{({layer + 1})}}", NodeKind.PARAM, Shape.of(1, width)
            )
            if network.bias
            else None
        )
        z = make_tensor(
            f"z^({layer + 1})", f"z^{{({layer + 1})}}", NodeKind.PRE, Shape.of(EXAMPLES, width)
        )
        a = make_tensor(
            f"a^({layer + 1})", f"a^{{({layer + 1})}}", NodeKind.ACT, Shape.of(EXAMPLES, width)
        )
        tensors += [theta, *([bias] if bias else []), z, a]
        edges += _linear(below, theta, z, bias)
        edges.append(_output_edge(z, a, network.activation[layer - 1]))
        below = a
    cost = cost_tensor()
    edges.append(_edge(below, cost, "cost", "dense", operand="y", rule=network.cost))
    return LayerGraph(network.architecture, (*tensors, cost), tuple(edges))


def rnn_layer_size(
    inputs: int, hidden: int, outputs: int, steps: int, bias: bool = False, cost_on: str = "last"
) -> int:
    """Tensors plus edges of :func:`rnn_layers`, without building it.

    Examples
    --------
    >>> rnn_layer_size(2, 3, 1, 6, cost_on="sum"), rnn_layers(2, 3, 1, 6, cost_on="sum").size
    (86, 86)
    """
    scored = steps if cost_on == "sum" else 1
    parameters = 2 + (steps > 1) + 2 * bias
    tensors = parameters + 3 * steps + 2 * scored + 1
    edges = steps * (3 + bias) + 2 * (steps - 1) + scored * (4 + bias)
    return tensors + edges


def rnn_layers(
    inputs: int,
    hidden: int,
    outputs: int,
    steps: int,
    activation: Any = rules.DEFAULT_ACTIVATION,
    bias: bool = False,
    cost: str = rules.DEFAULT_COST,
    cost_on: str = "last",
) -> LayerGraph:
    """The layer-level graph of :func:`~chainrule.graph.architectures.rnn`, in closed form.

    Examples
    --------
    >>> view = rnn_layers(1, 2, 1, 3)
    >>> [tensor.name for tensor in view.tensors if tensor.kind == "param"]
    ['U', 'W', 'V']
    >>> sum(1 for _ in view.paths("W")), view.scalar_chains_of("W")
    (2, 12)
    """
    text = f"rnn:{inputs}-{hidden}-{outputs}:{steps}"
    spellings.require_positive(
        text, spellings.RNN_HINT, inputs=inputs, hidden=hidden, outputs=outputs, steps=steps
    )
    spellings.check_rnn_options(cost, cost_on)
    hidden_f, output_f = _normalise_activation(activation, 3, cost)
    _refuse_one_softmax(outputs, output_f)
    param = NodeKind.PARAM
    U = make_tensor("U", "U", param, Shape.of(hidden, inputs), 2)
    W = make_tensor("W", "W", param, Shape.of(hidden, hidden), 2) if steps > 1 else None
    V = make_tensor("V", "V", param, Shape.of(outputs, hidden), 2)
    b = make_tensor("b", "b", param, Shape.of(1, hidden)) if bias else None
    c = make_tensor("c", "c", param, Shape.of(1, outputs)) if bias else None
    tensors = [t for t in (U, W, V, b, c) if t is not None]
    edges: list[TensorEdge] = []
    scored = range(1, steps + 1) if cost_on == "sum" else (steps,)
    state: Tensor | None = None
    node = NodeKind.NODE
    cost_node = cost_tensor()
    for t in range(1, steps + 1):
        x = make_tensor(f"x^({t})", f"x^{{({t})}}", NodeKind.INPUT, Shape.of(EXAMPLES, inputs))
        z = make_tensor(f"z^({t})", f"z^{{({t})}}", node, Shape.of(EXAMPLES, hidden), role="pre")
        h = make_tensor(f"h^({t})", f"h^{{({t})}}", node, Shape.of(EXAMPLES, hidden), role="act")
        tensors += [x, z, h]
        edges += _linear(x, U, z, None)
        if state is not None and W is not None:
            edges += _linear(state, W, z, None)
        if b is not None:
            edges.append(_edge(b, z, "unit", "diagonal"))
        edges.append(_output_edge(z, h, hidden_f))
        state = h
        if t not in scored:
            continue
        o = make_tensor(f"o^({t})", f"o^{{({t})}}", node, Shape.of(EXAMPLES, outputs), role="pre")
        yhat = make_tensor(
            f"yhat^({t})", rf"\hat{{y}}^{{({t})}}", node, Shape.of(EXAMPLES, outputs), role="act"
        )
        tensors += [o, yhat]
        edges += _linear(h, V, o, c)
        edges.append(_output_edge(o, yhat, output_f))
        edges.append(_edge(yhat, cost_node, "cost", "dense", operand=f"y^({t})", rule=cost))
    return LayerGraph(text, (*tensors, cost_node), tuple(edges))


def resnet_layer_size(width: int, blocks: int, bias: bool = False) -> int:
    """Tensors plus edges of :func:`resnet_layers`, without building it.

    Examples
    --------
    >>> resnet_layer_size(2, 8, bias=True), resnet_layers(2, 8, bias=True).size
    (99, 99)
    """
    tensors = 1 + blocks * (4 + bias) + 4 + bias
    edges = blocks * (5 + bias) + 4 + bias
    return tensors + edges


def resnet_layers(
    width: int,
    blocks: int,
    activation: Any = rules.DEFAULT_ACTIVATION,
    bias: bool = False,
    cost: str = rules.DEFAULT_COST,
) -> LayerGraph:
    """The layer-level graph of :func:`~chainrule.graph.architectures.resnet`, in closed form.

    Examples
    --------
    >>> view = resnet_layers(2, 3)
    >>> view.path_counts()["x"][0], view.path_counts()["W^(1)"][0]
    (8, 4)
    """
    text = f"resnet:{width}x{blocks}"
    spellings.require_positive(text, spellings.RESNET_HINT, width=width, blocks=blocks)
    spellings.check_cost(cost)
    branch_f, output_f = _normalise_activation(activation, 3, cost)
    _refuse_one_softmax(1, output_f)
    node, param = NodeKind.NODE, NodeKind.PARAM
    batch = Shape.of(EXAMPLES, width)
    below = make_tensor("x", "x", NodeKind.INPUT, batch)
    tensors, edges = [below], []
    for n in range(1, blocks + 1):
        W = make_tensor(f"W^({n})", f"W^{{({n})}}", param, Shape.of(width, width), 2)
        b = make_tensor(f"b^({n})", f"b^{{({n})}}", param, Shape.of(1, width)) if bias else None
        z = make_tensor(f"z^({n})", f"z^{{({n})}}", node, batch, role="pre")
        f = make_tensor(f"f^({n})", f"f^{{({n})}}", node, batch, role="act")
        h = make_tensor(f"h^({n})", f"h^{{({n})}}", node, batch, role="sum")
        tensors += [W, *([b] if b else []), z, f, h]
        edges += _linear(below, W, z, b)
        edges.append(_output_edge(z, f, branch_f))
        edges += [_edge(below, h, "unit", "diagonal"), _edge(f, h, "unit", "diagonal")]
        below = h
    V = make_tensor("V", "V", param, Shape.of(1, width), 2)
    c = make_tensor("c", "c", param, Shape.of(1, 1)) if bias else None
    o = make_tensor("o", "o", node, Shape.of(EXAMPLES, 1), role="pre")
    yhat = make_tensor("yhat", r"\hat{y}", node, Shape.of(EXAMPLES, 1), role="act")
    cost_node = cost_tensor()
    tensors += [V, *([c] if c else []), o, yhat, cost_node]
    edges += _linear(below, V, o, c)
    edges.append(_output_edge(o, yhat, output_f))
    edges.append(_edge(yhat, cost_node, "cost", "dense", operand="y", rule=cost))
    return LayerGraph(text, tuple(tensors), tuple(edges))


def spelled_layers(
    text: str,
    bias: bool = False,
    activation: Any = rules.DEFAULT_ACTIVATION,
    cost: str = rules.DEFAULT_COST,
    cost_on: str = "last",
    max_graph: int = budget.DEFAULT_MAX_GRAPH,
) -> LayerGraph | None:
    """The layer-level graph of an ``rnn:``/``resnet:`` spelling in closed form (None for any
    other text), refused past `max_graph` tensors and edges before it is built."""
    parsed = spellings.parse_spelling(text)
    if parsed is None:
        return None
    kind, numbers = parsed
    if kind == "rnn":
        inputs, hidden, outputs, steps = numbers
        size = rnn_layer_size(inputs, hidden, outputs, steps, bias, cost_on)
    else:
        width, blocks = numbers
        size = resnet_layer_size(width, blocks, bias)
    budget.check(
        f"tensors and edges in the layer-level graph of {text}", size, max_graph, "max_graph"
    )
    if kind == "rnn":
        return rnn_layers(inputs, hidden, outputs, steps, activation, bias, cost, cost_on)
    return resnet_layers(width, blocks, activation, bias, cost)
