"""Where a drawing puts things: every node and edge placed, as data, for the picture and the page.

One :class:`Layout` serves ``chainrule draw`` (which plots it) and the explorer's
``/api/layout`` (which sends it to the page as JSON), so the two always agree. A layered
:class:`~chainrule.graph.spec.Network` is laid out in columns (x | θ^(1) z^(2) a^(2) | ... | J);
layers too wide to read are first cut to a :class:`Summary` (their first :data:`HEAD` and last
:data:`TAIL` neurons, and the chosen weight's own), from the Network, without building the full
graph. It has two views: ``graph``, the full computation graph, and ``neurons``, the compact
picture of neurons and weights. Any other graph is laid out in columns by topological
generation, edges that skip columns arcing over them.

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


def _generation_positions(graph) -> dict[Hashable, Point]:
    """Any graph: one column per topological generation, columns GENERATION_WIDTH apart."""
    import networkx as nx

    columns = [
        sorted(generation, key=list(graph.nodes).index)
        for generation in nx.topological_generations(graph)
    ]
    height = max(len(column) for column in columns) - 1
    return {
        node: (GENERATION_WIDTH * x, y)
        for x, column in enumerate(columns)
        for node, y in zip(column, _column(len(column), max(height, 1)))
    }


def graph_positions(graph, network: Network | None = None) -> dict[Hashable, Point]:
    """Where each node of `graph` is drawn, in layout units: by layer for a layered
    `network`'s graph, by topological generation (columns 1.6 apart) for any other graph.

    Examples
    --------
    >>> from chainrule.graph.build import build_graph
    >>> positions = graph_positions(build_graph(Network([2, 2, 2])), Network([2, 2, 2]))
    >>> positions["x_1"], positions["J"]
    ((0.0, 0.5), (7.0, 0.0))
    """
    if network is not None:
        return _layered_positions(graph, network)
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


def graph_layout(graph) -> Layout:
    """Any computation graph: columns by topological generation, skip edges arcing over."""
    positions = _generation_positions(graph)
    nodes = list(positions.values())
    arcs = {
        (u, v): tuple(edge_points(positions[u], positions[v], GENERATION_WIDTH, avoid=nodes))
        for u, v in graph.edges
    }
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
