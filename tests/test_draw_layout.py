"""The drawing's layout, checked geometrically: no node sits on an edge it does not belong to.

Before this check, `chainrule draw 2-2-2 --param 1,1,1` put theta^(1)_12 on the straight line
x_1 -> z^(2)_1, so that a reader saw x_1 -> theta^(1)_12 -> z^(2)_1.
"""

import math
from pathlib import Path

import pytest

from chainrule.graph.build import build_graph
from chainrule.graph.spec import Network
from chainrule.records.layout import NODE_RADIUS, graph_positions


def _distance_to_segment(point, start, end) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - x1 - t * dx, y - y1 - t * dy)


def _nodes_on_foreign_edges(network: Network) -> list[tuple[str, str, str, float]]:
    graph = build_graph(network)
    positions = graph_positions(graph, network)
    found = []
    for u, v in graph.edges:
        for node, point in positions.items():
            if node in (u, v):
                continue
            distance = _distance_to_segment(point, positions[u], positions[v])
            if distance <= NODE_RADIUS:
                found.append((u, v, node, distance))
    return found


@pytest.mark.parametrize(
    "sizes",
    [
        (1, 1, 1),
        (2, 2, 2),
        (2, 3, 2),
        (3, 2, 1),
        (3, 4, 2),
        (2, 2, 2, 2),
        (3, 3, 3, 3),
        (4, 6, 6, 3),
        (1, 4),
    ],
)
@pytest.mark.parametrize("options", [{}, {"bias": True}, {"cost": "softmax-ce"}])
def test_no_node_lies_on_an_edge_it_does_not_belong_to(sizes, options):
    if options.get("cost") == "softmax-ce" and sizes[-1] == 1:
        sizes = (*sizes[:-1], 2)  # softmax-ce needs at least 2 outputs
    assert _nodes_on_foreign_edges(Network(sizes, **options)) == []


def test_the_reported_case_is_fixed():
    """theta^(1)_12 was at the middle of x_1 -> z^(2)_1; now it is clear of it."""
    network = Network([2, 2, 2])
    positions = graph_positions(build_graph(network), network)
    distance = _distance_to_segment(
        positions["theta^(1)_12"], positions["x_1"], positions["z^(2)_1"]
    )
    assert distance > NODE_RADIUS
    # and every node keeps a place of its own
    assert len(set(positions.values())) == len(positions) == 19


def test_neuron_columns_keep_their_order_and_spacing():
    network = Network([2, 3, 2])
    positions = graph_positions(build_graph(network), network)
    ys = [positions[f"z^(2)_{j}"][1] for j in (1, 2, 3)]
    assert ys == [1.0, 0.0, -1.0]
    assert positions["a^(2)_1"][0] - positions["z^(2)_1"][0] == 1.0


GRAPHS = Path(__file__).resolve().parent.parent / "examples" / "graphs"
GOLDEN_GRAPHS = Path(__file__).resolve().parent / "golden" / "graphs"


@pytest.mark.parametrize(
    "path",
    [
        GRAPHS / "residual.json",
        GRAPHS / "tied.json",
        GOLDEN_GRAPHS / "skip.json",
        GOLDEN_GRAPHS / "two_inputs.json",
    ],
)
def test_no_node_lies_on_an_edge_of_a_graph_file_drawing(path):
    """Skip connections arc over the columns they pass, clear of every node there."""
    from chainrule.graph.graphfile import load_graph_file
    from chainrule.records.layout import edge_points

    graph = load_graph_file(str(path))
    positions = graph_positions(graph)
    nodes = list(positions.values())
    found = []
    for u, v in graph.edges:
        points = edge_points(positions[u], positions[v], 1.6, avoid=nodes)
        for start, end in zip(points, points[1:]):
            for node, point in positions.items():
                if node not in (u, v) and _distance_to_segment(point, start, end) <= NODE_RADIUS:
                    found.append((u, v, node))
    assert found == []
