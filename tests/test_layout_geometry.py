"""Every built-in drawing, measured: nothing a reader could misread.

A drawing misleads where a node sits on an edge that does not touch it (the reader sees a stop
on that edge), where two nodes overlap (a label is drawn inside its circle, so this covers the
labels too), or where a δ label, set just above its node, covers another node. Each layout the
explorer and ``chainrule draw`` make is checked here: two layered networks, the ``rnn:`` and
``resnet:`` spellings (with and without biases, scored on the last step and on every step) and
every graph file in ``examples/graphs``.

Before the time-axis and residual layouts, ``resnet:2x4`` failed all three checks (its 22
nodes of the first column were 0.3 apart, its skip edges ran through the z and f nodes) and
``rnn:1-2-1:3`` failed the first (its tied weights' edges ran through the hidden states).
"""

import math
from pathlib import Path

import pytest

from chainrule.graph.architectures import parse_architecture_graph
from chainrule.graph.graphfile import load_graph_file
from chainrule.graph.spec import Network, ParameterIndex
from chainrule.records.layout import NODE_RADIUS, Summary, graph_layout, network_layout

#: How far beyond a node's circle an edge that does not touch it must stay.
CLEARANCE = 0.05
GRAPHS = sorted((Path(__file__).resolve().parent.parent / "examples" / "graphs").glob("*.json"))

LAYERED = ["2-2-2", "4-6-6-3"]
SPELLINGS = [
    ("rnn:1-2-1:3", {}),
    ("rnn:2-3-2:4", {"cost_on": "sum"}),
    ("rnn:1-2-1:3", {"bias": True, "cost_on": "sum"}),
    ("rnn:1-1-1:1", {}),
    ("rnn:2-3-1:6", {}),
    ("rnn:2-3-1:6", {"bias": True, "cost_on": "sum"}),
    ("resnet:2x4", {}),
    ("resnet:3x2", {"bias": True}),
    ("resnet:1x3", {}),
]


def _layout(subject):
    """The layout drawn for `subject`: a layered architecture, a spelling or a graph file."""
    if isinstance(subject, Path):
        return graph_layout(load_graph_file(str(subject)))
    if isinstance(subject, tuple):
        text, options = subject
        return graph_layout(parse_architecture_graph(text, **options))
    network = Network([int(size) for size in subject.split("-")])
    return network_layout(Summary(network, ParameterIndex(1, 1, 1)), "graph")


def _subjects():
    return [
        *(pytest.param(text, id=text) for text in LAYERED),
        *(pytest.param(spelling, id=f"{spelling[0]}{spelling[1] or ''}") for spelling in SPELLINGS),
        *(pytest.param(path, id=path.name) for path in GRAPHS),
    ]


def segment_distance(point, start, end) -> float:
    """The distance from `point` to the segment `start`-`end` (a point, if they coincide)."""
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / length))
    return math.hypot(x - x1 - t * dx, y - y1 - t * dy)


def polyline_distance(point, points) -> float:
    return min(segment_distance(point, a, b) for a, b in zip(points, points[1:]))


def nodes_on_foreign_edges(layout) -> list[tuple[str, str, str, float]]:
    """(source, target, node, distance) for every node too near an edge not its own."""
    found = []
    for edge in layout.edges:
        for node in layout.nodes:
            if node.name in (edge.source, edge.target):
                continue
            distance = polyline_distance(node.point, edge.points)
            if distance <= NODE_RADIUS + CLEARANCE:
                found.append((edge.source, edge.target, node.name, round(distance, 3)))
    return found


def overlapping_nodes(layout) -> list[tuple[str, str, float]]:
    """(node, node, distance) for every two nodes whose circles overlap."""
    nodes = layout.nodes
    return [
        (first.name, second.name, round(math.dist(first.point, second.point), 3))
        for i, first in enumerate(nodes)
        for second in nodes[i + 1 :]
        if math.dist(first.point, second.point) < 2 * NODE_RADIUS
    ]


# -- the checks can fail -------------------------------------------------------------------------


def test_the_checks_see_a_node_on_an_edge_and_two_nodes_overlapping():
    layout = _layout("2-2-2")
    x_1, z_1 = layout.places["x_1"], layout.places["z^(2)_1"]
    middle = ((x_1[0] + z_1[0]) / 2, (x_1[1] + z_1[1]) / 2)
    nodes = list(layout.nodes)
    nodes[2] = nodes[2]._replace(point=middle)
    nodes[3] = nodes[3]._replace(point=(middle[0] + 0.1, middle[1]))
    moved = type(layout)(layout.label, layout.view, tuple(nodes), layout.edges, layout.graph, {})
    assert (nodes[2].name, nodes[3].name, 0.1) in overlapping_nodes(moved)
    assert ("x_1", "z^(2)_1", nodes[2].name, 0.0) in nodes_on_foreign_edges(moved)


# -- every built-in drawing ----------------------------------------------------------------------


@pytest.mark.parametrize("subject", _subjects())
def test_no_node_lies_on_an_edge_that_is_not_its_own(subject):
    assert nodes_on_foreign_edges(_layout(subject)) == []


@pytest.mark.parametrize("subject", _subjects())
def test_no_two_nodes_overlap(subject):
    assert overlapping_nodes(_layout(subject)) == []


@pytest.mark.parametrize("subject", _subjects())
def test_every_node_and_edge_is_placed_once(subject):
    layout = _layout(subject)
    graph = layout.graph
    assert len(layout.nodes) == len({node.name for node in layout.nodes})
    if layout.view == "graph" and subject not in LAYERED:
        assert {node.name for node in layout.nodes} == {str(node) for node in graph}
        assert len(layout.edges) == graph.number_of_edges()
        assert all(len(edge.points) >= 2 for edge in layout.edges)


# -- as drawn: the circles and the δ labels have a size in points, not in layout units -------

#: What ``chainrule draw`` draws with its δ shading, in the brief's list: the layout's units
#: are scaled to the figure, while a node's circle and a label keep their size in points, so a
#: tall column can crowd its circles however far apart they are in layout units.
DRAWN = ["2-2-2", "4-6-6-3", "rnn:1-2-1:3", "resnet:2x4", *GRAPHS]


def _drawn(subject):
    """The record of ``chainrule draw SUBJECT --delta``, its figure's axes laid out, and the
    radius of a node's circle in display pixels."""
    pytest.importorskip("matplotlib")
    from chainrule.present.draw import figure
    from chainrule.records.draw import compute, request

    if isinstance(subject, Path):
        record = compute(request(graph_text=subject.read_text(encoding="utf-8"), delta=True))
    else:
        record = compute(request(subject, delta=True))
    drawn = figure(record)
    drawn.canvas.draw()
    radius = math.sqrt(record.style.node_size) / 2 * drawn.dpi / 72  # s is the area in pt²
    return record, drawn.axes[0], radius, drawn.dpi / 72


def _drawn_ids():
    return [path.name if isinstance(path, Path) else path for path in DRAWN]


@pytest.mark.parametrize("subject", DRAWN, ids=_drawn_ids())
def test_no_two_circles_overlap_as_drawn(subject):
    record, axes, radius, _ = _drawn(subject)
    centres = {node.name: axes.transData.transform(node.point) for node in record.layout.nodes}
    names = list(centres)
    crowded = [
        (first, second, round(float(math.dist(centres[first], centres[second])), 1))
        for i, first in enumerate(names)
        for second in names[i + 1 :]
        if math.dist(centres[first], centres[second]) < 2 * radius
    ]
    assert crowded == []


@pytest.mark.parametrize("subject", DRAWN, ids=_drawn_ids())
def test_no_delta_label_covers_another_node_as_drawn(subject):
    """A δ label is set `delta_offset` points above its node (present/draw.py's _shade): it
    must keep off every other node's circle. Its extent is taken as a circle of its font
    size's height around its centre."""
    from chainrule.present.draw import DELTA_LABEL_SIZE

    record, axes, radius, points = _drawn(subject)
    centres = {node.point: axes.transData.transform(node.point) for node in record.layout.nodes}
    rise = (record.style.delta_offset + 0.4 * DELTA_LABEL_SIZE) * points
    half = 0.6 * DELTA_LABEL_SIZE * points
    covered = []
    for shading in record.shading:
        if shading.label is None:
            continue
        x, y = centres[shading.point]
        label = (x, y + rise)
        for point, centre in centres.items():
            if point != shading.point and math.dist(label, centre) < radius + half:
                covered.append((shading.point, point))
    assert covered == []
