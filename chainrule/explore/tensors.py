"""``/api/layers``: the layer-level graph of a subject placed for the page, with the MathML of
each Jacobian and of one tensor's δ recursion in batch form, so that the page's matrix view
draws what the records computed (:class:`~chainrule.records.chains.MatrixChainsRecord`).

The tensors are placed in columns: a computed tensor one column after the last tensor it reads,
an input or parameter one column before the first tensor that reads it, so that the path
x -> z -> a -> ... -> J runs along the top row and each weight matrix hangs below the column
before the z it enters. An edge that skips columns (an RNN's weights, read at every time step;
a residual connection) arcs over the tensors it passes, as ``chainrule draw`` draws skip edges.

Examples
--------
>>> from chainrule.graph.layers import network_layers
>>> from chainrule.graph.spec import Network
>>> places = tensor_positions(network_layers(Network([2, 3, 1])))
>>> places["x"], places["Theta^(1)"], places["z^(2)"], places["J"]
((0.0, 0.0), (0.0, -1.0), (1.6, 0.0), (8.0, 0.0))
"""

from __future__ import annotations

from typing import Any

from chainrule.calculus.matrix import BatchEquation
from chainrule.explore.math import block
from chainrule.graph.layers import LayerGraph, Tensor, TensorEdge
from chainrule.graph.shapes import Shape
from chainrule.notation.matrix import MathMLMatrix, mathml_name, mathml_operand, mathml_shape
from chainrule.records.chains import MatrixChainsRecord
from chainrule.records.layout import GENERATION_WIDTH, NODE_RADIUS, edge_points

Point = tuple[float, float]


def tensor_positions(view: LayerGraph) -> dict[str, Point]:
    """Where each tensor of `view` is drawn, in layout units (columns GENERATION_WIDTH apart,
    rows 1 apart, y upwards as in :mod:`chainrule.records.layout`): computed tensors on the top
    row of their column, then the inputs and parameters that the next column reads."""
    column: dict[str, int] = {}
    for tensor in view.tensors:  # topological order: every source placed before its reader
        sources = [edge.source for edge in view.in_edges(tensor.name)]
        column[tensor.name] = 1 + max((column[s] for s in sources), default=-1)
    for tensor in view.tensors:
        readers = [edge.target for edge in view.out_edges(tensor.name)]
        if not view.in_edges(tensor.name) and readers:
            column[tensor.name] = max(0, min(column[r] for r in readers) - 1)
    rows: dict[int, list[str]] = {}

    def order(tensor: Tensor) -> int:
        # computed tensors first (the row a forward pass runs along), then inputs, then weights
        return 0 if view.in_edges(tensor.name) else 1 if tensor.kind == "input" else 2

    for tensor in sorted(view.tensors, key=order):
        rows.setdefault(column[tensor.name], []).append(tensor.name)
    return {
        name: (round(GENERATION_WIDTH * x, 4), float(-y))
        for x, names in rows.items()
        for y, name in enumerate(names)
    }


def size_text(shape: Shape) -> str:
    """A shape as the page labels it: ``m×784``, ``512×401408``."""
    return shape.written("unicode")


def _node(tensor: Tensor, point: Point) -> dict[str, Any]:
    return {
        "name": tensor.name,
        "kind": str(tensor.kind),
        "label": tensor.unicode,
        "shape": tensor.shape.as_json(),
        "size": size_text(tensor.shape),
        "x": point[0],
        "y": 0.0 - point[1],
        "mathml": block(mathml_name(tensor.name)),
    }


def _edge(edge: TensorEdge, places: dict[str, Point], nodes: list[Point]) -> dict[str, Any]:
    """An edge with its Jacobian: its form, its shape, and ∂target/∂source in MathML with the
    shape under it (the factor a layer-level chain writes for it)."""
    points = edge_points(places[edge.source], places[edge.target], GENERATION_WIDTH, avoid=nodes)
    jacobian = mathml_operand(f"d{edge.target}/d{edge.source}")
    document: dict[str, Any] = {
        "from": edge.source,
        "to": edge.target,
        "form": edge.jacobian.form,
        "shape": edge.shape.as_json(),
        "size": size_text(edge.shape),
        "mathml": block(f"<munder>{jacobian}{mathml_shape(edge.shape)}</munder>"),
    }
    if len(points) > 2:
        document["points"] = [[round(x, 4), round(-y, 4)] for x, y in points]
    return document


def _equation(equation: BatchEquation) -> dict[str, Any]:
    lhs, rhs = MathMLMatrix().sides(equation)
    return {"kind": equation.kind, "lhs_mathml": block(lhs), "rhs_mathml": block(rhs)}


def layers_document(record: MatrixChainsRecord, scalar_refused: str | None = None) -> dict:
    """The page's document of `record`'s layer-level graph, around its first tensor: the
    tensors placed (y downwards, as ``/api/layout``), each edge's Jacobian, the MathML of
    ∂J/∂tensor and of its batch equations (None when a Jacobian on the way has no batch
    form), and why the scalar graph cannot be shown, if it cannot.

    Examples
    --------
    >>> from chainrule.records import chains
    >>> document = layers_document(chains.compute(chains.request("2-2-2", view="matrix",
    ...                                                          param=["1,1,1"])))
    >>> document["parameter"], document["parameters"], len(document["batch"])
    ('Theta^(1)', ['Theta^(1)', 'Theta^(2)'], 4)
    >>> [(n["name"], n["size"]) for n in document["nodes"][:2]]
    [('x', 'm×2'), ('Theta^(1)', '2×2')]
    >>> document["edges"][1]["from"], document["edges"][1]["size"]
    ('Theta^(1)', '2×4')
    """
    view = record.view
    places = tensor_positions(view)
    nodes = list(places.values())
    group = next(record.groups())
    return {
        "architecture": record.label,
        "parameter": group.source.name,
        "shape": group.source.tensor.shape.as_json(),
        "size": size_text(group.source.tensor.shape),
        "parameters": [tensor.name for tensor in view.of_kind("param")],
        "radius": NODE_RADIUS,
        "nodes": [_node(tensor, places[tensor.name]) for tensor in view.tensors],
        "edges": [_edge(edge, places, nodes) for edge in view.edges],
        "gradient_mathml": block(MathMLMatrix().gradient_lhs(group.source.tensor)),
        "batch": None if group.batch is None else [_equation(e) for e in group.equations],
        "scalar_refused": scalar_refused,
    }
