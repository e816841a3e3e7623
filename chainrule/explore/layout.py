"""``/api/layout``: the computation graph placed by the layout ``chainrule draw`` plots
(:mod:`chainrule.records.layout`), as data the page turns into SVG. Wide layers are cut to the
same summary as the drawing's.

Examples
--------
>>> from chainrule.graph.spec import Network
>>> document = layered_layout(Network([2, 2, 2]))
>>> len(document["nodes"]), len(document["edges"]), document["summary"]
(19, 22, None)
>>> document["nodes"][0]["name"], document["nodes"][0]["label"]
('x_1', 'x₁')
"""

from __future__ import annotations

from typing import Any

from chainrule import budget
from chainrule.explore.math import name_mathml
from chainrule.graph import names
from chainrule.graph.build import graph_size
from chainrule.graph.spec import ParameterIndex, SpecError
from chainrule.records.layout import NODE_RADIUS, Layout, PlacedEdge, Summary, network_layout
from chainrule.records.layout import graph_layout as placed


def _document(layout: Layout, parameter: str) -> dict:
    """The page's layout document: y downwards, 4 decimals."""

    nodes = [
        {
            "name": node.name,
            "kind": node.kind,
            "x": round(node.point[0], 4),
            "y": round(-node.point[1], 4),
            "label": names.unicode_name(node.name) if node.kind != "cost" else node.name,
            "mathml": name_mathml(node.name),
        }
        for node in layout.nodes
    ]
    return {
        "architecture": layout.label,
        "summary": "; ".join(layout.notes) or None,
        "radius": NODE_RADIUS,
        "parameter": parameter,
        "nodes": nodes,
        "edges": [_edge(edge) for edge in layout.edges],
        "parameters": [n["name"] for n in nodes if n["kind"] == "param"],
    }


def _edge(edge: PlacedEdge) -> dict:
    """An edge; one that skips columns of a general graph arcs over them as in ``chainrule
    draw`` (its ``points``, y downwards), so it never runs behind the nodes it passes."""
    document: dict[str, Any] = {"from": edge.source, "to": edge.target}
    if len(edge.points) > 2:
        document["points"] = [[round(x, 4), round(-y, 4)] for x, y in edge.points]
    return document


def layered_layout(network, parameter=None) -> dict:
    """The layout of a layered `network`, cut around `parameter` (θ^(1)_11 by default) when a
    layer is too wide; node names are the real network's (``theta^(1)_10,3``)."""

    parameter = parameter or ParameterIndex(1, 1, 1)
    summary = Summary(network, parameter)
    nodes, _ = graph_size(summary.small)
    if nodes > budget.LAYOUT_NODES:
        raise SpecError(
            f"the drawing of {network.architecture} would have {nodes:,} nodes, "
            f"more than the {budget.LAYOUT_NODES:,} the explorer draws"
        )
    return _document(network_layout(summary, "graph"), parameter.name)


def graph_layout(graph, parameter: str | None = None) -> dict:
    """The layout of a graph file's, an ``rnn:`` or a ``resnet:`` graph, as ``chainrule draw``
    places it (:func:`chainrule.records.layout.graph_layout`)."""

    if graph.number_of_nodes() > budget.LAYOUT_NODES:
        raise SpecError(
            f"the graph has {graph.number_of_nodes():,} nodes, more than the "
            f"{budget.LAYOUT_NODES:,} the explorer draws"
        )
    parameters = [n for n, kind in graph.nodes(data="kind") if kind == "param"]
    if parameter is not None and parameter not in parameters:
        raise SpecError(
            f"no parameter {parameter!r} in {graph.graph['source']}; it has {', '.join(parameters)}"
        )
    return _document(placed(graph), parameter or parameters[0])
