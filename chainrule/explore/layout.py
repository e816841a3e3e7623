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

import unicodedata
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
        | _parts(node.name)
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


def _parts(name: str) -> dict:
    """A name that Unicode cannot write in one line (a word as its subscript, ``E_total``; a
    hat, ``yhat``) as its ``parts``, [base, upper, lower], which the page sets with the lower
    index as a subscript; none for the rest, whose ``label`` says it all.

    >>> _parts("net_h1"), _parts("yhat^(3)_1"), _parts("theta^(1)_11")
    ({'parts': ['net', '', 'h1']}, {'parts': ['ŷ', '(3)', '1']}, {})
    """
    base, upper, lower = names.stacked_name(name)
    hat = base.endswith("hat") and len(base) > 3
    if hat:  # the letter with a circumflex over it, as the graph's LaTeX writes it
        base = unicodedata.normalize("NFC", base[:-3] + "\u0302")
    if not hat and names.has_subscripts(lower):
        return {}
    return {"parts": [base, upper, lower]}


def _edge(edge: PlacedEdge) -> dict:
    """An edge; one that skips columns of a general graph arcs over them as in ``chainrule
    draw`` (its ``points``, y downwards), so it never runs behind the nodes it passes."""
    document: dict[str, Any] = {"from": edge.source, "to": edge.target}
    if len(edge.points) > 2:
        document["points"] = [[round(x, 4), round(-y, 4)] for x, y in edge.points]
    return document


def layered_layout(network, parameter=None, compact: bool = False) -> dict:
    """The layout of a layered `network`, cut around `parameter` (θ^(1)_11 by default) when a
    layer is too wide; node names are the real network's (``theta^(1)_10,3``). `compact`: the
    neurons view, each weight a label on its edge (:func:`compact_document`)."""

    parameter = parameter or ParameterIndex(1, 1, 1)
    summary = Summary(network, parameter)
    nodes, _ = graph_size(summary.small)
    if nodes > budget.LAYOUT_NODES:
        raise SpecError(
            f"the drawing of {network.architecture} would have {nodes:,} nodes, "
            f"more than the {budget.LAYOUT_NODES:,} the explorer draws"
        )
    if compact:
        return compact_document(network_layout(summary, "neurons"), summary, parameter.name)
    return _document(network_layout(summary, "graph"), parameter.name)


def compact_document(layout: Layout, summary: Summary, parameter: str) -> dict:
    """The compact layout: a node per neuron (and bias unit, and J), an edge per weight, which
    carries the weight's name (`weight`), the key of its θ → z edge (`key`) and of the edge a
    chain takes through it (`through`: a → z, or x → z), and `places`:
    where each node of the computation graph sits (a neuron's z and a at the neuron, a weight
    at the neuron it reads), so that a chain is drawn from neuron to neuron.

    Examples
    --------
    >>> from chainrule.graph.spec import Network
    >>> network = Network([2, 2, 1])
    >>> document = layered_layout(network, compact=True)
    >>> len(document["nodes"]), len(document["edges"]), document["compact"]
    (6, 7, True)
    >>> document["edges"][0]
    {'from': 'x_1', 'to': 'a^(2)_1', 'weight': 'theta^(1)_11', 'key': 'theta^(1)_11->z^(2)_1', \
'through': 'x_1->z^(2)_1'}
    >>> document["places"]["z^(2)_1"] == document["places"]["a^(2)_1"]
    True
    """
    document = _document(layout, parameter)
    for node in document["nodes"]:
        if node["kind"] == "act" and node["name"].endswith("_0"):  # a bias unit: a = 1
            node["label"], node["kind"] = "1", "bias"
    edges = []
    for edge in layout.edges:
        entry: dict[str, Any] = {"from": edge.source, "to": edge.target}
        if edge.target != names.COST_NAME:
            _, layer, source = names.stacked_name(edge.source)  # x_k, or a^(l)_k
            _, above, target = names.stacked_name(edge.target)
            weight = names.theta_name(int(layer.strip("()") or 1), int(target), int(source))
            entry["weight"] = weight
            z = names.z_name(int(above.strip("()")), int(target))
            entry["key"] = f"{weight}->{z}"
            if int(source):  # the edge of a chain through the weight (a bias unit has none)
                entry["through"] = f"{edge.source}->{z}"
        edges.append(entry)
    graph = layout.graph
    document.update(
        compact=True,
        edges=edges,
        parameters=[edge["weight"] for edge in edges if "weight" in edge],
        places={
            summary.name(graph, node): [round(x, 4), round(-y, 4)]
            for node, (x, y) in layout.places.items()
        },
    )
    return document


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
