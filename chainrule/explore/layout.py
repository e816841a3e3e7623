"""``/api/layout``: the computation graph placed by the code of ``chainrule draw``, as data the
page turns into SVG. Wide layers are cut to the same summary as the drawing's.

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

from chainrule.graph import names

#: A summarised graph with more nodes than this is refused rather than drawn.
MAX_LAYOUT_NODES = 2_000


def _document(
    graph,
    positions,
    name_of,
    source: str,
    summary: str | None,
    parameter: str,
    column_width: float | None = None,
) -> dict:
    from chainrule.cli.draw import NODE_RADIUS
    from chainrule.explore.math import name_mathml

    nodes = []
    for node, (x, y) in positions.items():
        data = graph.nodes[node]
        name = name_of(node)
        nodes.append(
            {
                "name": name,
                "kind": data["kind"],
                "x": round(x, 4),
                "y": round(-y, 4),
                "label": names.unicode_name(name) if data["kind"] != "cost" else name,
                "mathml": name_mathml(name),
            }
        )
    return {
        "architecture": source,
        "summary": summary,
        "radius": NODE_RADIUS,
        "parameter": parameter,
        "nodes": nodes,
        "edges": [
            _edge(
                name_of(u),
                name_of(v),
                positions[u],
                positions[v],
                column_width,
                list(positions.values()),
            )
            for u, v in graph.edges
        ],
        "parameters": [n["name"] for n in nodes if n["kind"] == "param"],
    }


def _edge(source: str, target: str, start, end, column_width: float | None, avoid=()) -> dict:
    """An edge; one that skips columns of a general graph arcs over them as in ``chainrule
    draw`` (its ``points``, y downwards), so it never runs behind the nodes it passes."""
    edge: dict[str, Any] = {"from": source, "to": target}
    if column_width is not None:
        from chainrule.cli.draw import _edge_points

        points = _edge_points(start, end, column_width, avoid=avoid)
        if len(points) > 2:
            edge["points"] = [[round(x, 4), round(-y, 4)] for x, y in points]
    return edge


def layered_layout(network, parameter=None) -> dict:
    """The layout of a layered `network`, cut around `parameter` (θ^(1)_11 by default) when a
    layer is too wide; node names are the real network's (``theta^(1)_10,3``)."""
    from chainrule.cli.draw import Summary, graph_positions
    from chainrule.graph.build import build_graph, graph_size
    from chainrule.graph.spec import ParameterIndex, SpecError

    parameter = parameter or ParameterIndex(1, 1, 1)
    summary = Summary(network, parameter)
    nodes, _ = graph_size(summary.small)
    if nodes > MAX_LAYOUT_NODES:
        raise SpecError(
            f"the drawing of {network.architecture} would have {nodes:,} nodes, "
            f"more than the {MAX_LAYOUT_NODES:,} the explorer draws"
        )
    graph = build_graph(summary.small)
    positions = graph_positions(graph, summary.small)

    def real_name(node) -> str:
        data = graph.nodes[node]
        kind, layer, index = data["kind"], data["layer"], data["index"]
        if kind == "input":
            return names.x_name(summary.real(1, index[0]))
        if kind == "param":
            return names.theta_name(
                layer, summary.real(layer + 1, index[0]), summary.real(layer, index[1])
            )
        if kind == "pre":
            return names.z_name(layer, summary.real(layer, index[0]))
        if kind == "act":
            return names.a_name(layer, summary.real(layer, index[0]))
        return str(node)

    notes = [
        f"layer {layer} shows {len(shown)} of its {size:,} neurons"
        for layer, (shown, size) in enumerate(zip(summary.shown, network.sizes), start=1)
        if len(shown) < size
    ]
    return _document(
        graph, positions, real_name, network.architecture, "; ".join(notes) or None, parameter.name
    )


def graph_layout(graph, parameter: str | None = None) -> dict:
    """The layout of a graph file's graph, by topological generation, as ``chainrule draw``."""
    from chainrule.cli.draw import graph_positions
    from chainrule.graph.spec import SpecError

    if graph.number_of_nodes() > MAX_LAYOUT_NODES:
        raise SpecError(
            f"the graph has {graph.number_of_nodes():,} nodes, more than the "
            f"{MAX_LAYOUT_NODES:,} the explorer draws"
        )
    parameters = [n for n, kind in graph.nodes(data="kind") if kind == "param"]
    if parameter is not None and parameter not in parameters:
        raise SpecError(
            f"no parameter {parameter!r} in {graph.graph['source']}; it has {', '.join(parameters)}"
        )
    return _document(
        graph,
        graph_positions(graph),
        str,
        graph.graph["source"],
        None,
        parameter or parameters[0],
        column_width=1.6,
    )
