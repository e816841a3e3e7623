"""Where a drawing puts things: every node and edge placed, as data, for the picture and the page.

One :class:`Layout` serves ``chainrule draw`` (which plots it) and the explorer's
``/api/layout`` (which sends it to the page as JSON), so the two always agree. A layered
:class:`~chainrule.graph.spec.Network` is laid out in columns (x | θ^(1) z^(2) a^(2) | ... | J);
layers too wide to read are first cut to a :class:`Summary` (their first :data:`HEAD` and last
:data:`TAIL` neurons, and the chosen weight's own), from the Network, without building the full
graph. It has two views: ``graph``, the full computation graph, and ``neurons``, the compact
picture of neurons and weights. An ``rnn:`` spelling's graph is unrolled along a time axis
(a column group per step; inputs, hidden states and outputs in rows; the tied weights in bands
below and above), a ``resnet:`` spelling's in blocks like a layered network's columns (its
skip edges in lanes over each block), and any other graph in columns by topological
generation, edges that skip columns arcing over them. No edge passes a node that is not its
own (``tests/test_layout_geometry.py`` measures every built-in drawing).

Positions are in layout units: neighbours in a column are 1 apart, as are the columns of a
layered network; y grows upwards.

Examples
--------
>>> layout = network_layout(Summary(Network([2, 2, 2]), ParameterIndex(1, 1, 1)), "graph")
>>> len(layout.nodes), len(layout.edges), layout.notes
(19, 22, ())
>>> layout.nodes[0]
PlacedNode(name='x_1', kind='input', point=(0.0, 0.5), latex='x_{1}')
>>> layout.places["J"]
(7.0, 0.0)
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from chainrule.graph import names
from chainrule.graph.build import build_graph
from chainrule.graph.kinds import NodeKind
from chainrule.graph.spec import Network, ParameterIndex

if TYPE_CHECKING:
    import networkx as nx

Point = tuple[float, float]

#: A layer wider than NEURONS_SHOWN shows its first HEAD and last TAIL neurons.
NEURONS_SHOWN = 12
HEAD, TAIL = 8, 3
#: A node's radius in layout units (neighbours in a column are 1 apart), and the clearance kept
#: between a node and any edge that passes it: no node may look like a stop on an edge that
#: does not touch it.
NODE_RADIUS = 0.3
EDGE_CLEARANCE = NODE_RADIUS + 0.1
#: Columns of a general graph's drawing are this far apart (layered columns are 1 apart).
GENERATION_WIDTH = 1.6
#: Points on the arc of an edge that skips columns.
ARC_SAMPLES = 24


class PlacedNode(NamedTuple):
    """A node where it is drawn: its text `name` (the real network's indices), its `kind`
    (``input``, ``param``, ``pre``, ``act``, ``node``, ``cost``), and its LaTeX label."""

    name: str
    kind: str
    point: Point
    latex: str


class PlacedEdge(NamedTuple):
    """A line of the drawing from node `source` to node `target` (text names): two points for
    a straight edge, more for an arc."""

    source: str
    target: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Layout:
    """A drawing's nodes and edges, placed.

    `nodes` and `edges` are what is drawn: in the ``graph`` view the graph's own nodes and
    edges; in the ``neurons`` view one node per neuron (and bias unit, and J) and one edge per
    weight. `graph` is the computation graph drawn (a wide network's :class:`Summary`, with its
    own small indices), `places` where each of its nodes is (a neuron's z and a share one
    point, a weight sits at the neuron it comes from), and `notes` what the summary left out.
    `ellipses` are where a cut layer's ⋮ goes.
    """

    label: str
    view: str
    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]
    graph: nx.DiGraph = field(repr=False)
    places: Mapping[Hashable, Point] = field(repr=False)
    notes: tuple[str, ...] = ()
    ellipses: tuple[Point, ...] = ()
    #: Lines of a general graph, by the graph's edge: an edge that skips columns is an arc.
    arcs: Mapping[tuple[Hashable, Hashable], tuple[Point, ...]] = field(
        default_factory=dict, repr=False
    )

    def edge_points(self, u: Hashable, v: Hashable) -> tuple[Point, ...]:
        """The points of the line from graph node `u` to graph node `v`: its arc, or straight
        from place to place (the same point twice for z -> a inside one neuron)."""
        arc = self.arcs.get((u, v))
        return arc if arc is not None else (self.places[u], self.places[v])

    @property
    def arcing(self) -> bool:
        """Whether edges are drawn edge by edge (arcs), rather than node to node."""
        return bool(self.arcs)


# -- the summary of a wide network ---------------------------------------------------------------


class Summary:
    """The network as drawn: each layer cut to its first HEAD and last TAIL neurons (and the
    chosen weight's own), as a smaller network whose indices map back to the real ones.

    Examples
    --------
    >>> summary = Summary(Network([30, 2, 1]), ParameterIndex(1, 2, 27))
    >>> summary.small.sizes, summary.parameter, summary.real(1, 9)
    ((12, 2, 1), ParameterIndex(layer=1, j=2, k=9), 27)
    >>> summary.notes
    ('layer 1 shows 12 of its 30 neurons',)
    """

    def __init__(self, network: Network, parameter: ParameterIndex):
        self.network = network
        shown = []
        for layer, size in enumerate(network.sizes, start=1):
            keep = (
                set(range(1, size + 1))
                if size <= NEURONS_SHOWN
                else (set(range(1, HEAD + 1)) | set(range(size - TAIL + 1, size + 1)))
            )
            if layer == parameter.layer and parameter.k:
                keep.add(parameter.k)
            if layer == parameter.layer + 1:
                keep.add(parameter.j)
            shown.append(sorted(keep))
        self.shown = shown  # shown[l - 1]: the real indices of layer l drawn, in order
        self.cut = [len(indices) < size for indices, size in zip(shown, network.sizes)]
        self.small = Network(
            tuple(len(indices) for indices in shown),
            bias=network.bias,
            activation=network.activation,
            cost=network.cost,
        )
        self.parameter = ParameterIndex(
            parameter.layer,
            self._small(parameter.layer + 1, parameter.j),
            self._small(parameter.layer, parameter.k) if parameter.k else 0,
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """What the summary leaves out, a layer at a time."""
        return tuple(
            f"layer {layer} shows {len(shown)} of its {size:,} neurons"
            for layer, (shown, size) in enumerate(zip(self.shown, self.network.sizes), start=1)
            if len(shown) < size
        )

    def _small(self, layer: int, index: int) -> int:
        return self.shown[layer - 1].index(index) + 1

    def real(self, layer: int, index: int) -> int:
        """The real index of neuron `index` of `layer` as drawn (0, a bias unit, stays 0)."""
        return self.shown[layer - 1][index - 1] if index else 0

    def name(self, graph, node: Hashable) -> str:
        """The text name of a node of the summary's graph, with its real indices."""
        data = graph.nodes[node]
        kind, layer, index = data["kind"], data["layer"], data["index"]
        if kind == NodeKind.INPUT:
            return names.x_name(self.real(1, index[0]))
        if kind == NodeKind.PARAM:
            return names.theta_name(
                layer, self.real(layer + 1, index[0]), self.real(layer, index[1])
            )
        if kind == NodeKind.PRE:
            return names.z_name(layer, self.real(layer, index[0]))
        if kind == NodeKind.ACT:
            return names.a_name(layer, self.real(layer, index[0]))
        return str(node)

    def latex(self, graph, node: Hashable) -> str:
        """The LaTeX name of a node of the summary's graph, with its real indices."""
        data = graph.nodes[node]
        kind, layer, index = data["kind"], data["layer"], data["index"]
        if kind == NodeKind.INPUT:
            return names.x_latex(self.real(1, index[0]))
        if kind == NodeKind.PARAM:
            return names.theta_latex(
                layer, self.real(layer + 1, index[0]), self.real(layer, index[1])
            )
        if kind == NodeKind.PRE:
            return names.z_latex(layer, self.real(layer, index[0]))
        if kind == NodeKind.ACT:
            return names.a_latex(layer, self.real(layer, index[0]))
        return data["latex"]


# -- positions -----------------------------------------------------------------------------------


def _column(count: int, height: float) -> list[float]:
    """`count` positions spread over `height`, top first, centred on 0."""
    if count == 1:
        return [0.0]
    step = min(1.0, height / (count - 1))
    return [(count - 1) / 2 * step - i * step for i in range(count)]


def _clear_of(x: float, y: float, segments: list[tuple[float, float, float, float]]) -> bool:
    """Whether the point (x, y) is farther than EDGE_CLEARANCE from every segment."""
    for x1, y1, x2, y2 in segments:
        dx, dy = x2 - x1, y2 - y1
        t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
        if (x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2 <= EDGE_CLEARANCE**2:
            return False
    return True


def _weight_column(
    count: int, x: float, passing: list[tuple[float, float, float, float]]
) -> list[float]:
    """`count` heights in the weight column at `x`, 1 apart, top first, each clear of the
    `passing` edges (a^(l)_k -> z^(l+1)_j cross this column): a weight sitting on such a line
    would read as a stop on it. Centred as well as the gaps allow."""

    def sweep(top: float) -> list[float]:
        heights: list[float] = []
        y = top
        for _ in range(count):
            while not _clear_of(x, y, passing):
                y -= 0.05
            heights.append(y)
            y -= 1.0
        return heights

    first = sweep((count - 1) / 2)
    overshoot = -(first[-1] + first[0])  # how far below centre the gaps pushed the column
    return sweep((count - 1) / 2 + overshoot / 2) if overshoot > 1e-9 else first


def _layered_positions(graph, network: Network) -> dict[Hashable, Point]:
    """Columns: x | θ^(1) z^(2) a^(2) | θ^(2) z^(3) a^(3) | ... | J; each weight column placed
    clear of the edges a^(l) -> z^(l+1) that cross it."""
    columns: list[list[Hashable]] = [
        [n for n, k in graph.nodes(data="kind") if k == NodeKind.INPUT]
    ]
    for layer in range(2, network.depth + 1):
        for kind, at in ((NodeKind.PARAM, layer - 1), (NodeKind.PRE, layer), (NodeKind.ACT, layer)):
            columns.append(
                [n for n, d in graph.nodes(data=True) if d["kind"] == kind and d["layer"] == at]
            )
    columns.append([graph.graph["cost"]])
    return _column_positions(graph, columns)


def _column_positions(graph, columns: list[list[Hashable]]) -> dict[Hashable, Point]:
    """`columns` left to right, 1 apart, each centred on y = 0 with its nodes 1 apart; a column
    of parameters (each feeding one node of the next column) placed clear of the edges that
    cross it, and as far from the next column as keeps its edges' slopes gentle."""

    def is_weights(column: list[Hashable]) -> bool:
        return graph.nodes[column[0]]["kind"] == NodeKind.PARAM

    height = max(len(column) for column in columns if not is_weights(column))
    heights = {
        node: y
        for column in columns
        if not is_weights(column)
        for node, y in zip(column, _column(len(column), max(height - 1, 1)))
    }
    positions: dict[Hashable, Point] = {}
    x = 0.0
    for number, column in enumerate(columns):
        if not is_weights(column):
            positions.update((node, (x, heights[node])) for node in column)
            x += 1.0
            continue
        # The weights' own edges must not run steeply past their neighbours in the column:
        # the column moves away from the z column until every slope is gentle.
        sources, targets = columns[number - 1], columns[number + 1]
        gap = 1.0
        for _ in range(3):
            passing = [
                (x - 1.0, heights[u], x + gap, heights[v])
                for u in sources
                for v in graph.successors(u)
                if v in targets
            ]
            ys = _weight_column(len(column), x, passing)
            steepest = max(
                abs(y - heights[next(iter(graph.successors(node)))]) for node, y in zip(column, ys)
            )
            if gap >= 0.5 * steepest:
                break
            gap = 0.5 * steepest + 0.1
        positions.update((node, (x, y)) for node, y in zip(column, ys))
        x += gap
    return positions


def _generations(graph) -> list[list[Hashable]]:
    """The graph's topological generations, each in the graph's own node order."""
    import networkx as nx

    order = {node: number for number, node in enumerate(graph)}
    return [
        sorted(generation, key=order.__getitem__)
        for generation in nx.topological_generations(graph)
    ]


def _generation_positions(graph) -> dict[Hashable, Point]:
    """Any graph: one column per topological generation, columns at least GENERATION_WIDTH
    apart. Two columns move apart until every edge between them is clear of their other
    nodes: a steep edge from the top of one column to the bottom of the next would otherwise
    graze the nodes beside its ends, and read as a stop there."""
    columns = _generations(graph)
    height = max(len(column) for column in columns) - 1
    ys = {
        node: y
        for column in columns
        for node, y in zip(column, _column(len(column), max(height, 1)))
    }
    positions: dict[Hashable, Point] = {}
    x = 0.0
    for number, column in enumerate(columns):
        if number:
            x += _generation_gap(graph, columns[number - 1], column, ys)
        positions.update((node, (x, ys[node])) for node in column)
    return positions


def _generation_gap(graph, left: list[Hashable], right: list[Hashable], ys) -> float:
    """How far apart two neighbouring generations must be for the edges between them to pass
    their other nodes at EDGE_CLEARANCE or more: GENERATION_WIDTH, or wider in steps of 0.2."""
    edges = [(u, v) for u in left for v in graph.successors(u) if v in set(right)]
    gap = GENERATION_WIDTH
    while gap < 4 * GENERATION_WIDTH:
        places = {**{n: (0.0, ys[n]) for n in left}, **{n: (gap, ys[n]) for n in right}}
        if all(
            _clear_of(*places[node], [(*places[u], *places[v])])
            for u, v in edges
            for node in places
            if node not in (u, v)
        ):
            return gap
        gap = round(gap + 0.2, 6)
    return gap


# -- recurrent and residual networks -------------------------------------------------------------

#: A time step's width in an unrolled RNN's drawing: x^(t), z^(t), h^(t) and the outputs' room.
STEP_WIDTH = 3.6
#: How many places along its row a weight tries, best first, for one where all its edges
#: find a clear line.
SLOTS_TRIED = 8
#: How much further the weights' bands sit from the nodes for each unit of the RNN's width.
FAN_SLOPE = 0.1
#: How far apart an unrolled RNN's hidden units are.
HIDDEN_APART = 1.5
#: Vertical room between the bands of an unrolled RNN (parameters, inputs, hidden, outputs).
BAND_GAP = 1.5


def _rows(count: int, top: float, apart: float = 1.0) -> list[float]:
    """`count` rows `apart`, the first at `top`, going down."""
    return [top - apart * i for i in range(count)]


def _rnn_part(graph, node: Hashable) -> str:
    """What `node` of an unrolled RNN is: ``input``, ``param``, ``cost``, ``pre`` or ``act`` (a
    hidden unit's z or h), ``out`` or ``yhat`` (an output's o or its activation), told by the
    graph's structure: an output's weighted input is the one fed by V (or c)."""
    data = graph.nodes[node]
    kind = str(data["kind"])
    if kind != "node":
        return kind
    if data.get("role") == "pre":
        fed_by_v = any(graph.nodes[u].get("group") in ("V", "c") for u in graph.predecessors(node))
        return "out" if fed_by_v else "pre"
    return "yhat" if any(_rnn_part(graph, u) == "out" for u in graph.predecessors(node)) else "act"


def _rnn_positions(graph) -> dict[Hashable, Point]:
    """An RNN unrolled along a time axis, left to right, one STEP_WIDTH per step. Bottom to top:
    the recurrent weights W, the biases b, the input weights U, the inputs x^(t), the hidden
    states z^(t) and h^(t), the outputs o^(t) and yhat^(t), then the output weights V and
    their biases c. Each weight sits once, in its band, where the most of its edges run
    straight (see :func:`_best_slot`): a weight tied across the steps fans out to every step
    it feeds."""
    parts: dict[str, dict[int, list[Hashable]]] = {}
    for node in graph:
        step = graph.nodes[node].get("step", 0)
        parts.setdefault(_rnn_part(graph, node), {}).setdefault(step, []).append(node)
    positions = _rnn_steps(parts)
    _rnn_weights(graph, parts.get("param", {}).get(0, []), positions)
    return positions


def _rnn_steps(parts: dict[str, dict[int, list[Hashable]]]) -> dict[Hashable, Point]:
    """Where the nodes of each time step go (all but the weights): x^(t) below, z^(t) and
    h^(t) in the hidden rows, o^(t) and yhat^(t) above, J at the right of the outputs."""

    def most(part: str) -> int:
        return max((len(nodes) for nodes in parts.get(part, {}).values()), default=0)

    # The hidden rows are further apart than a layered column's: a tied weight's edges reach
    # a hidden unit from far below or above, and must pass between its neighbours.
    hidden_rows = _rows(most("pre"), HIDDEN_APART * (most("pre") - 1) / 2, HIDDEN_APART)
    input_rows = _rows(most("input"), hidden_rows[-1] - BAND_GAP)
    output_rows = _rows(most("out"), hidden_rows[0] + BAND_GAP + most("out") - 1)
    positions: dict[Hashable, Point] = {}
    # Outputs at every step take room of their own between one step's h and the next's x.
    width = STEP_WIDTH + (1.6 if len(parts.get("out", {})) > 1 else 0.0)
    for step in range(1, max(parts["pre"]) + 1):
        base = (step - 1) * width
        for part, dx, rows in (
            ("input", 0.0, input_rows),
            ("pre", 1.0, hidden_rows),
            ("act", 2.0, hidden_rows),
            ("out", 3.4, output_rows),
            ("yhat", 4.4, output_rows),
        ):
            nodes = parts.get(part, {}).get(step, [])
            positions.update((node, (base + dx, y)) for node, y in zip(nodes, rows))
    right = max(x for x, _ in positions.values())
    (cost,) = parts["cost"][0]
    positions[cost] = (right + 1.2, output_rows[-1])
    return positions


def _rnn_weights(graph, weights: list[Hashable], positions: dict[Hashable, Point]) -> None:
    """Place `weights` in their bands (W, b and U below the inputs, V and c above the
    outputs), each where :func:`_best_slot` finds it a place, adding them to `positions`."""
    # The bands move away with the width of the picture, so that the fans' lines stay steep
    # enough to pass between a column's nodes rather than along a row.
    xs, ys = [x for x, _ in positions.values()], [y for _, y in positions.values()]
    away = BAND_GAP + FAN_SLOPE * (max(xs) - min(xs))
    bottom, top = min(ys) - away, max(ys) + away
    bands = {"U": bottom, "b": bottom - 1, "W": bottom - 2.5, "V": top, "c": top + 1}
    slots = [min(xs) - 1 + 0.5 * i for i in range(int(2 * (max(xs) - min(xs) + 2)) + 1)]
    centre = _middle(positions.values())
    # Every line drawn so far: a weight must not sit on one, nor its edges pass a node.
    lines = [
        route(positions[u], positions[v], list(positions.values()), centre)
        for u, v in graph.edges
        if u in positions and v in positions
    ]
    for group, y in bands.items():
        for node in weights:
            if graph.nodes[node]["group"] == group:
                targets = [positions[v] for v in graph.successors(node)]
                x, routes = _best_slot(slots, y, targets, positions, lines, centre)
                positions[node] = (x, y)
                lines += routes


def _middle(points) -> float:
    """The height half way between the lowest and the highest of `points`."""
    ys = [y for _, y in points]
    return (max(ys) + min(ys)) / 2


def _best_slot(
    slots: list[float],
    y: float,
    targets: list[Point],
    positions: dict[Hashable, Point],
    lines: list[list[Point]],
    centre: float,
) -> tuple[float, list[list[Point]]]:
    """The x in `slots` (on the row at `y`) for a weight feeding `targets`, and its edges'
    lines: a free place off every line drawn so far, from which every edge finds a clear
    line, the most of them straight, and among those the nearest the middle of the targets.
    A weight tied across the time steps feeds one node of each: where it sits decides
    whether its fan is straight or bent."""
    middle = sum(x for x, _ in targets) / len(targets)
    others = list(positions.values())
    # Only the lines that come near the row can pass a place on it.
    segments = [
        (*a, *b)
        for line in lines
        for a, b in zip(line, line[1:])
        if min(a[1], b[1]) - EDGE_CLEARANCE <= y <= max(a[1], b[1]) + EDGE_CLEARANCE
    ]
    free = [
        x
        for x in slots
        if not any(abs(x - px) < 1.0 and py == y for px, py in others)  # taken
        and not _any_near([(x, y)], segments, EDGE_CLEARANCE)  # on a line drawn already
    ]
    straight = _straight_counts(free, y, targets, others)
    scored = sorted((-count, abs(x - middle), x) for x, count in zip(free, straight))
    # The best few places only: a place whose edges cannot all be drawn clear is rare, and
    # trying every place of a long row would cost seconds.
    for _, _, x in scored[:SLOTS_TRIED]:
        routes = [_clear_route((x, y), target, others, centre) for target in targets]
        if all(line is not None for line in routes):
            return x, [line for line in routes if line is not None]
    x = scored[0][2] if scored else middle
    return x, [route((x, y), target, others, centre) for target in targets]


def _straight_counts(xs: list[float], y: float, targets: list[Point], others: list[Point]):
    """For each place (x, `y`), how many of the straight lines from it to `targets` pass every
    point of `others` but their own target at EDGE_CLEARANCE or more: all at once."""
    import numpy as np

    if not xs:
        return []
    starts = np.asarray([(x, y) for x in xs], dtype=float)[:, None, None, :]  # (P, 1, 1, 2)
    ends = np.asarray(targets, dtype=float)[None, :, None, :]  # (1, T, 1, 2)
    points = np.asarray(others, dtype=float)[None, None, :, :]  # (1, 1, N, 2)
    step = ends - starts
    square = (step**2).sum(-1)
    along = ((points - starts) * step).sum(-1) / np.where(square == 0, 1.0, square)
    gap = points - starts - np.clip(along, 0.0, 1.0)[..., None] * step
    near = (gap**2).sum(-1) <= EDGE_CLEARANCE**2  # (P, T, N)
    own = (points == ends).all(-1)  # (1, T, N): a line's own target is no obstacle
    return list((~(near & ~own).any(-1)).sum(-1))


def _resnet_positions(graph) -> dict[Hashable, Point]:
    """A residual network in the columns of a layered one: x | W^(1) z^(1) f^(1) h^(1) | ... |
    V o yhat J. The inputs have a column of their own; each block's weights (and biases) a
    column before its z, placed clear of the edges h^(n-1) -> z^(n) that cross it. The skip
    edges h^(n-1) -> h^(n) run in lanes over each block (see :func:`skip_lane`)."""
    data = graph.nodes
    # The output's o and yhat carry block N + 1: the blocks are the residual sums'.
    blocks = max(d.get("block", 0) for _, d in graph.nodes(data=True) if d.get("role") == "sum")

    def column(block: int, test) -> list[Hashable]:
        return [n for n in graph if data[n].get("block") == block and test(data[n])]

    def kind_is(kind: NodeKind):
        return lambda d: d["kind"] == kind

    def role_is(role: str):
        return lambda d: d["kind"] == NodeKind.NODE and d.get("role") == role

    columns = [column(0, kind_is(NodeKind.INPUT))]
    for block in range(1, blocks + 1):
        columns += [column(block, kind_is(NodeKind.PARAM))]
        columns += [column(block, role_is(role)) for role in ("pre", "act", "sum")]
    columns += [
        [n for n in graph if data[n]["kind"] == NodeKind.PARAM and "block" not in data[n]],
        *([n] for n in graph if data[n].get("block") == blocks + 1),
        [graph.graph["cost"]],
    ]
    return _column_positions(graph, [c for c in columns if c])


#: An RNN's time-axis layout routes every edge clear of every node, and places each tied
#: weight by trying its edges from several places: its cost grows with nodes × edges (1.2 s at
#: rnn:2-4-2:6, 29,100; 7 s at rnn:3-5-2:8, 104,000; 57 s at rnn:4-8-4:12 on a 2-core
#: machine). Past this it is laid out by generation, as any graph is, in well under a second.
TIME_AXIS_WORK = 40_000


def _time_axis_affordable(graph) -> bool:
    """Whether an RNN is small enough for its time-axis layout (:data:`TIME_AXIS_WORK`).

    >>> from chainrule.records.subject import SubjectRequest, resolve
    >>> [_time_axis_affordable(resolve(SubjectRequest(a)).graph())
    ...  for a in ("rnn:2-4-2:6", "rnn:3-5-2:8")]
    [True, False]
    """
    return graph.number_of_nodes() * graph.number_of_edges() <= TIME_AXIS_WORK


def graph_positions(graph, network: Network | None = None) -> dict[Hashable, Point]:
    """Where each node of `graph` is drawn, in layout units: by layer for a layered
    `network`'s graph, along a time axis for an ``rnn:`` spelling's (a small one's: see
    :data:`TIME_AXIS_WORK`), in blocks for a
    ``resnet:`` spelling's, by topological generation (columns 1.6 apart or more) for any
    other graph.

    Examples
    --------
    >>> from chainrule.graph.build import build_graph
    >>> positions = graph_positions(build_graph(Network([2, 2, 2])), Network([2, 2, 2]))
    >>> positions["x_1"], positions["J"]
    ((0.0, 0.5), (7.0, 0.0))
    """
    if network is not None:
        return _layered_positions(graph, network)
    architecture = graph.graph.get("architecture")
    if architecture == "rnn" and _time_axis_affordable(graph):
        return _rnn_positions(graph)
    if architecture == "resnet":
        return _resnet_positions(graph)
    return _generation_positions(graph)


def _neuron_positions(summary: Summary) -> dict[tuple[int, int], Point]:
    """(layer, drawn neuron) -> position; neuron 0 is a bias unit, J is (depth + 1, 1). A cut
    layer leaves a gap for its ellipsis after its first HEAD neurons."""
    network = summary.small
    height = max(network.sizes) - 1 + any(summary.cut)
    positions = {}
    for layer, size in enumerate(network.sizes, start=1):
        cut = summary.cut[layer - 1]
        ys = _column(size + cut, max(height, 1))
        if cut:
            ys = ys[:HEAD] + ys[HEAD + 1 :]
        for neuron, y in enumerate(ys, start=1):
            positions[layer, neuron] = (2.0 * (layer - 1), y)
        if network.bias and layer < network.depth:
            positions[layer, 0] = (2.0 * (layer - 1) + 0.7, max(ys) + 0.9)
    positions[network.depth + 1, 1] = (2.0 * network.depth, 0.0)
    return positions


def _neuron_of(graph, node: Hashable) -> tuple[int, int]:
    data = graph.nodes[node]
    if data["kind"] == NodeKind.COST:
        return data["layer"], 1
    if data["kind"] == NodeKind.PARAM:
        return data["layer"], data["index"][1]  # a weight's chain starts at its source neuron
    return data["layer"], data["index"][0]


def edge_points(
    start: Point,
    end: Point,
    column_width: float,
    samples: int = ARC_SAMPLES,
    avoid: tuple[Point, ...] | list[Point] = (),
) -> list[Point]:
    """A straight segment between neighbouring columns; an arc over the columns it skips, so a
    skip connection never hides behind the nodes it passes. The arc bends up, then down, then
    higher, until it is clear of every point in `avoid` (the nodes) but its own two ends.

    Examples
    --------
    >>> edge_points((0.0, 0.0), (1.6, 1.0), 1.6)
    [(0.0, 0.0), (1.6, 1.0)]
    >>> len(edge_points((0.0, 0.0), (3.2, 0.0), 1.6, avoid=[(1.6, 0.0)]))
    24
    """
    (x1, y1), (x2, y2) = start, end
    if abs(x2 - x1) <= column_width * 1.01:
        return [start, end]

    def arc(lift: float) -> list[Point]:
        control = ((x1 + x2) / 2, (y1 + y2) / 2 + lift)
        return [
            (
                (1 - t) ** 2 * x1 + 2 * (1 - t) * t * control[0] + t * t * x2,
                (1 - t) ** 2 * y1 + 2 * (1 - t) * t * control[1] + t * t * y2,
            )
            for t in (i / (samples - 1) for i in range(samples))
        ]

    lift = 0.35 * abs(x2 - x1) / column_width
    others = [point for point in avoid if point != start and point != end]
    for factor in (1, -1, 2, -2, 3, -3, 4, -4):
        points = arc(factor * lift)
        segments = [(*a, *b) for a, b in zip(points, points[1:])]
        if all(_clear_of(x, y, segments) for x, y in others):
            return points
    return arc(lift)


#: How far the middle of a routed edge may bend from the straight line, in turn, until the edge
#: is clear of every node: the gentlest bend that clears is taken.
BENDS = tuple(sign * step * 0.4 for step in range(1, 16) for sign in (1, -1))


def _any_near(points, segments, limit: float) -> bool:
    """Whether any of `points` is within `limit` of any of `segments` (x1, y1, x2, y2), all at
    once: a layout measures every node against every candidate line."""
    import numpy as np

    if not len(points) or not len(segments):
        return False
    p = np.asarray(points, dtype=float)[:, None, :]
    lines = np.asarray(segments, dtype=float)[None, :, :]
    start, step = lines[..., :2], lines[..., 2:] - lines[..., :2]
    length = (step * step).sum(-1)
    t = ((p - start) * step).sum(-1) / np.where(length == 0, 1.0, length)
    closest = start + np.clip(t, 0.0, 1.0)[..., None] * step
    return bool((((p - closest) ** 2).sum(-1) <= limit * limit).any())


def _polyline_clear(points: list[Point], others: list[Point]) -> bool:
    """Whether the line through `points` passes every point of `others` at EDGE_CLEARANCE or
    more (only points near the line's bounding box are measured)."""
    xs, ys = [x for x, _ in points], [y for _, y in points]
    left, right = min(xs) - EDGE_CLEARANCE, max(xs) + EDGE_CLEARANCE
    bottom, top = min(ys) - EDGE_CLEARANCE, max(ys) + EDGE_CLEARANCE
    near = [(x, y) for x, y in others if left <= x <= right and bottom <= y <= top]
    segments = [(*a, *b) for a, b in zip(points, points[1:])]
    return not _any_near(near, segments, EDGE_CLEARANCE)


def _controls(start: Point, end: Point, outward: float) -> list[tuple[Point, Point]]:
    """The two inner control points of each cubic Bézier :func:`route` tries, straight first:
    straight; bent to either side (away from the middle first); arriving level (a node with
    neighbours above and below it in its column can only be reached level) from its left or
    its right; leaving upright and arriving level from the left, through the gap before the
    end's column; arching out of one end and into the other, over or under whatever lies
    between, as an edge along a row of nodes must go."""
    (x1, y1), (x2, y2) = start, end
    length = max(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5, 1e-9)

    def quadratic(cx: float, cy: float) -> tuple[Point, Point]:
        # A quadratic Bézier as a cubic: its inner points two thirds of the way to `c`.
        return (
            (x1 + 2 / 3 * (cx - x1), y1 + 2 / 3 * (cy - y1)),
            (x2 + 2 / 3 * (cx - x2), y2 + 2 / 3 * (cy - y2)),
        )

    controls = [quadratic((x1 + x2) / 2, (y1 + y2) / 2)]
    for bend in BENDS:  # the curve's middle `bend` to the left; its control twice as far
        lift = 2 * outward * bend
        controls.append(
            quadratic(
                (x1 + x2) / 2 - lift * (y2 - y1) / length, (y1 + y2) / 2 + lift * (x2 - x1) / length
            )
        )
    for reach in (0.6, 1.2, 1.8, 2.4, 3.6):
        controls += [quadratic(x2 - reach, y2), quadratic(x2 + reach, y2)]
    middle = (y1 + y2) / 2
    controls += [((x1, middle), (x2 - reach, y2)) for reach in (0.6, 1.2, 1.8)]
    for height in (1.0, 1.5, 2.0, 3.0, 4.0):
        for rise in (outward * height, -outward * height):
            controls.append(((x1, y1 + rise), (x2, y2 + rise)))
    return controls


def _clear_route(start: Point, end: Point, avoid: list[Point], centre: float) -> list[Point] | None:
    """The line :func:`route` draws, or None when no line it tries is clear.

    Every candidate (see :func:`_controls`) is sampled at ARC_SAMPLES points and measured
    against every node at once; the shortest clear one wins, the first of two as long."""
    import numpy as np

    avoid_others = [point for point in avoid if point not in (start, end)]
    if _polyline_clear([start, end], avoid_others):
        return [start, end]  # most edges: no need to try the curves
    # Left of a left-to-right edge is up: bend away from the middle first.
    outward = 1.0 if ((start[1] + end[1]) / 2 >= centre) == (end[0] >= start[0]) else -1.0
    inner = np.asarray(_controls(start, end, outward), dtype=float)  # (K, 2, 2)
    ends = np.broadcast_to(np.asarray([start, end], dtype=float), (len(inner), 2, 2))
    points4 = np.stack([ends[:, 0], inner[:, 0], inner[:, 1], ends[:, 1]], axis=1)  # (K, 4, 2)
    t = np.linspace(0.0, 1.0, ARC_SAMPLES)[:, None]
    bernstein = np.hstack([(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3])
    curves = np.einsum("sf,kfd->ksd", bernstein, points4)  # (K, S, 2)
    steps = np.diff(curves, axis=1)  # (K, S - 1, 2)
    lengths = np.sqrt((steps**2).sum(-1)).sum(-1)
    others = np.asarray(avoid_others, dtype=float).reshape(-1, 2)
    order = np.argsort(lengths, kind="stable")
    # In order of length, a few at a time: the first clear one is usually among the first.
    for first in range(0, len(order), 8):
        chosen = order[first : first + 8]
        clear = _clear_curves(curves[chosen], steps[chosen], others)
        for number, ok in zip(chosen, clear):
            if ok:
                return [(float(x), float(y)) for x, y in curves[number]]
    return None


def _clear_curves(curves, steps, others):
    """For each of `curves` (K × S points, their K × (S - 1) `steps`), whether it passes
    every point of `others` at EDGE_CLEARANCE or more."""
    import numpy as np

    low, high = curves.min(axis=(0, 1)) - EDGE_CLEARANCE, curves.max(axis=(0, 1)) + EDGE_CLEARANCE
    others = others[((others >= low) & (others <= high)).all(axis=1)]
    if not len(others):
        return np.ones(len(curves), dtype=bool)
    offset = others[None, None, :, :] - curves[:, :-1, None, :]  # (K, S - 1, N, 2)
    square = (steps**2).sum(-1)[..., None]
    along = (offset * steps[:, :, None, :]).sum(-1) / np.where(square == 0, 1.0, square)
    gap = offset - np.clip(along, 0.0, 1.0)[..., None] * steps[:, :, None, :]
    return ~((gap**2).sum(-1) <= EDGE_CLEARANCE**2).any(axis=(1, 2))


def route(start: Point, end: Point, avoid: list[Point], centre: float = 0.0) -> list[Point]:
    """An edge's line: straight when that passes every point of `avoid` (the nodes, its own
    ends aside) at EDGE_CLEARANCE or more, else the shortest curve that does (see
    :func:`_controls`), bending first away from the height `centre` (a row above the middle
    bends up, one below it down).

    Examples
    --------
    >>> route((0.0, 0.0), (2.0, 0.0), [(1.0, 1.0)])
    [(0.0, 0.0), (2.0, 0.0)]
    >>> arc = route((0.0, 0.0), (2.0, 0.0), [(1.0, 0.0)])
    >>> len(arc), max(y for _, y in arc) >= EDGE_CLEARANCE
    (24, True)
    """
    line = _clear_route(start, end, avoid, centre)
    return line if line is not None else [start, end]


def skip_lane(
    start: Point, end: Point, rise: float, up: tuple[float, float], down: tuple[float, float]
) -> list[Point]:
    """A residual skip edge h^(n-1)_j -> h^(n)_j along its row: level through the weight
    column (which keeps the row clear), lifted by `rise` between the x's of `up` (after the
    weights, before z), level over the block's z and f (half way to the row above, as far
    from both rows' nodes as can be), and down between the x's of `down` into h^(n)_j.

    Examples
    --------
    >>> lane = skip_lane((0.0, 0.0), (5.0, 0.0), 0.5, (1.5, 2.5), (4.2, 4.8))
    >>> lane[0], lane[-1], max(y for _, y in lane)
    ((0.0, 0.0), (5.0, 0.0), 0.5)
    """
    (x1, y), (x2, _) = start, end

    def slope(x: float, low: float, high: float) -> float:
        t = min(max((x - low) / (high - low), 0.0), 1.0)
        return t * t * (3 - 2 * t)  # smoothstep: level at both ends

    xs = [
        x1,
        *(up[0] + i * (up[1] - up[0]) / 8 for i in range(9)),
        *(down[0] + i * (down[1] - down[0]) / 8 for i in range(9)),
        x2,
    ]
    return [(x, y + rise * (slope(x, *up) - slope(x, *down))) for x in xs]


# -- layouts -------------------------------------------------------------------------------------


def neuron_count(summary: Summary) -> int:
    """The nodes of the summary's ``neurons`` view: its neurons, its bias units and J."""
    small = summary.small
    return sum(small.sizes) + (small.depth - 1 if small.bias else 0) + 1


def neuron_edge_count(summary: Summary) -> int:
    """The lines of the summary's ``neurons`` view: one per weight, and one per output to J."""
    return summary.small.parameter_count + summary.small.sizes[-1]


def network_layout(summary: Summary, view: str) -> Layout:
    """A layered network, cut to `summary`, laid out in the ``graph`` or ``neurons`` view."""

    graph = build_graph(summary.small)
    notes = summary.notes
    if view == "graph":
        positions = _layered_positions(graph, summary.small)
        return Layout(
            label=summary.network.architecture,
            view=view,
            nodes=tuple(
                PlacedNode(
                    summary.name(graph, node),
                    str(graph.nodes[node]["kind"]),
                    point,
                    summary.latex(graph, node),
                )
                for node, point in positions.items()
            ),
            edges=tuple(
                PlacedEdge(
                    summary.name(graph, u), summary.name(graph, v), (positions[u], positions[v])
                )
                for u, v in graph.edges
            ),
            graph=graph,
            places=MappingProxyType(positions),
            notes=notes,
        )

    neurons = _neuron_positions(summary)
    small = summary.small

    def neuron(layer: int, index: int) -> PlacedNode:
        point = neurons[layer, index]
        if layer > small.depth:
            return PlacedNode(names.COST_NAME, str(NodeKind.COST), point, "J")
        if index == 0:  # a bias unit: a^(l)_0 = 1
            return PlacedNode(names.a_name(layer, 0), str(NodeKind.ACT), point, "1")
        real = summary.real(layer, index)
        if layer == 1:
            return PlacedNode(names.x_name(real), str(NodeKind.INPUT), point, names.x_latex(real))
        return PlacedNode(
            names.a_name(layer, real), str(NodeKind.ACT), point, names.a_latex(layer, real)
        )

    nodes = {(layer, index): neuron(layer, index) for layer, index in neurons}
    edges = []
    for layer in range(1, small.depth):
        for k in range(0 if small.bias else 1, small.sizes[layer - 1] + 1):
            for j in range(1, small.sizes[layer] + 1):
                start, end = nodes[layer, k], nodes[layer + 1, j]
                edges.append(PlacedEdge(start.name, end.name, (start.point, end.point)))
    for i in range(1, small.sizes[-1] + 1):
        start, end = nodes[small.depth, i], nodes[small.depth + 1, 1]
        edges.append(PlacedEdge(start.name, end.name, (start.point, end.point)))
    ellipses = tuple(
        (2.0 * (layer - 1), (neurons[layer, HEAD][1] + neurons[layer, HEAD + 1][1]) / 2)
        for layer, cut in enumerate(summary.cut, start=1)
        if cut
    )
    return Layout(
        label=summary.network.architecture,
        view=view,
        nodes=tuple(nodes.values()),
        edges=tuple(edges),
        graph=graph,
        places=MappingProxyType({node: neurons[_neuron_of(graph, node)] for node in graph}),
        notes=notes,
        ellipses=ellipses,
    )


def _general_arcs(graph, positions: dict[Hashable, Point]) -> dict:
    """Each edge's line in a generation layout: straight between neighbouring generations
    (their gap keeps it clear), an arc over the columns it skips."""
    generation = {
        node: number for number, column in enumerate(_generations(graph)) for node in column
    }
    nodes = list(positions.values())
    return {
        (u, v): (
            (positions[u], positions[v])
            if generation[v] - generation[u] == 1
            else tuple(edge_points(positions[u], positions[v], GENERATION_WIDTH, avoid=nodes))
        )
        for u, v in graph.edges
    }


def _skip(graph, positions: dict[Hashable, Point], u: Hashable, v: Hashable) -> list[Point]:
    """The lane of the skip edge u = h^(n-1)_j -> v = h^(n)_j of a residual block: up after
    the block's weights and before its z, down after its f and before h^(n) (see
    :func:`skip_lane`)."""
    (branch,) = (p for p in graph.predecessors(v) if p != u)  # f^(n)_j
    (pre,) = graph.predecessors(branch)  # z^(n)_j
    weights = [p for p in graph.predecessors(pre) if graph.nodes[p]["kind"] == NodeKind.PARAM]
    w, z = positions[weights[0]][0], positions[pre][0]
    f, h = positions[branch][0], positions[v][0]
    margin = NODE_RADIUS + 0.05
    return skip_lane(
        positions[u], positions[v], 0.5, (w + margin, z - margin), (f + margin, h - margin)
    )


def _routed_arcs(graph, positions: dict[Hashable, Point]) -> dict:
    """Each edge's line in an RNN's or a residual net's layout: a residual skip edge in its
    lane (see :func:`skip_lane`), any other straight, or bent clear of the nodes it would pass
    (see :func:`route`)."""
    nodes = list(positions.values())
    # The middle of the nodes other than the weights, as the RNN's weights were placed by.
    centre = _middle(p for n, p in positions.items() if graph.nodes[n]["kind"] != NodeKind.PARAM)
    arcs = {}
    for u, v in graph.edges:
        start, end = positions[u], positions[v]
        if graph.nodes[v].get("role") == "sum" and graph.nodes[u].get("role") != "act":
            arcs[u, v] = tuple(_skip(graph, positions, u, v))
        else:
            arcs[u, v] = tuple(route(start, end, nodes, centre))
    return arcs


def graph_layout(graph) -> Layout:
    """Any computation graph: an RNN along its time axis, a residual net in blocks, any other
    graph in columns by topological generation, skip edges arcing over; no edge passes a node
    that is not its own."""
    positions = graph_positions(graph)
    architecture = graph.graph.get("architecture")
    if architecture == "resnet" or (architecture == "rnn" and _time_axis_affordable(graph)):
        arcs = _routed_arcs(graph, positions)
    else:
        arcs = _general_arcs(graph, positions)
    return Layout(
        label=graph.graph.get("source", "graph"),
        view="graph",
        nodes=tuple(
            PlacedNode(str(node), str(graph.nodes[node]["kind"]), point, graph.nodes[node]["latex"])
            for node, point in positions.items()
        ),
        edges=tuple(PlacedEdge(str(u), str(v), arcs[u, v]) for u, v in graph.edges),
        graph=graph,
        places=MappingProxyType(positions),
        arcs=MappingProxyType(arcs),
    )
