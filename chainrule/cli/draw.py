"""Pictures: a computation graph with every chain of one parameter lit up in its own colour.

One :func:`draw` for every graph. A layered :class:`~chainrule.graph.spec.Network` has two
views: ``graph``, the full computation graph (x, θ, z, a and J nodes), and ``neurons``, the
compact picture of neurons and weights; layers too wide to read are drawn as a summary (their
first and last neurons), from the Network, without building the full graph, and the drawing
says so. Any other graph is drawn in columns by topological generation, edges that skip columns
arcing over them. Each is a :class:`Layout` (where nodes and edges go, and their labels) that one
plotting path draws. Labels use the notation's LaTeX through matplotlib's mathtext, so no TeX
install is needed. With ``delta``, the cost-side sub-graph that each δ sums is shaded.
matplotlib is an optional extra: ``pip install 'chainrule[plot]'``.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from chainrule.calculus.counting import count_parameter
from chainrule.errors import MissingDependency
from chainrule.graph import names
from chainrule.graph.build import build_graph
from chainrule.graph.kinds import NodeKind
from chainrule.graph.spec import Network, ParameterIndex, SpecError

if TYPE_CHECKING:
    import networkx as nx

    from chainrule.graph.chains import Chain

FORMATS = (".png", ".svg", ".pdf")
NEURONS_SHOWN = 12  # a wider layer shows its first HEAD and last TAIL neurons
HEAD, TAIL = 8, 3
GRAPH_VIEW_MAX_NODES = 90
LEGEND_CHAINS = 8
DELTA_LABELS = 12
COLOURS = "tab10"


def _require_matplotlib():
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingDependency(
            "drawing needs matplotlib: pip install 'chainrule[plot]' (or pip install matplotlib)"
        ) from None
    return Figure


#: While a drawing is saved, every mathtext label parsed for it, by what determines the parse;
#: None at any other time. A context variable, so that a save in one thread never sees
#: another's.
_LABELS_PARSED: ContextVar[dict | None] = ContextVar("chainrule_labels_parsed", default=None)


def _share_parses_while_saving() -> None:
    """Make matplotlib's mathtext parses go through `_LABELS_PARSED` while it holds a dict.

    Installed once, on the first save; at any other time (no dict) every parse goes to
    matplotlib's own cache, as before, so other figures in the process are untouched. If this
    matplotlib has no such private hook, nothing is installed and drawings are only slower.
    """
    from matplotlib.mathtext import MathTextParser

    parse_cached = getattr(MathTextParser, "_parse_cached", None)
    if parse_cached is None or getattr(parse_cached, "shared_while_saving", False):
        return
    if not hasattr(MathTextParser("path"), "_output_type"):
        return  # the parse would not be keyed by all that determines it

    def parse_shared(parser, *key):
        parses = _LABELS_PARSED.get()
        if parses is None:
            return parse_cached(parser, *key)
        # matplotlib's key (the string, dpi, font, antialiasing, hinting) and the parser's
        # output type (vector or raster) are all that a parse depends on: which parser
        # instance asks is not.
        full_key = (parser._output_type, *key)
        if full_key not in parses:
            parses[full_key] = parse_cached(parser, *key)
        return parses[full_key]

    parse_shared.shared_while_saving = True  # type: ignore[attr-defined]
    MathTextParser._parse_cached = parse_shared  # type: ignore[attr-defined]  # private: no stub


@contextmanager
def _each_label_parsed_once() -> Iterator[None]:
    """Within this, a mathtext label is parsed once, however many renderers ask for it.

    Parsing the labels is most of the time a save takes: pyparsing needs 4-15 ms for a node's
    name and 30-60 ms for a chain's product in the legend on a 2-core machine. matplotlib caches
    a parse per parser, and every renderer makes its own parser; a save with
    bbox_inches="tight" uses two renderers (one to find the tight box, one to draw), so every
    label was parsed twice. Its cache also holds only 50 parses, fewer than the labels of a
    large drawing. The parses kept here live for one save only, so a change of rcParams
    between saves is seen as before.
    """
    _share_parses_while_saving()
    token = _LABELS_PARSED.set({})
    try:
        yield
    finally:
        _LABELS_PARSED.reset(token)


class Drawing:
    """A figure, with `summary` saying what was left out; shows itself in Jupyter as SVG/PNG."""

    def __init__(self, figure, summary: str | None = None):
        self.figure = figure
        self.summary = summary

    def save(self, path) -> None:
        """Write the figure to a .png, .svg or .pdf file, atomically."""
        from pathlib import Path

        from chainrule.files import atomic_path

        suffix = Path(path).suffix.lower()
        if suffix not in FORMATS:
            raise SpecError(
                f"cannot draw to {str(path)!r}: the file name must end in {', '.join(FORMATS)}"
            )
        with atomic_path(path) as temporary, _each_label_parsed_once():
            self.figure.savefig(temporary, format=suffix[1:], bbox_inches="tight", dpi=150)

    def _bytes(self, fmt: str) -> bytes:
        buffer = io.BytesIO()
        with _each_label_parsed_once():
            self.figure.savefig(buffer, format=fmt, bbox_inches="tight")
        return buffer.getvalue()

    def _repr_svg_(self) -> str:
        return self._bytes("svg").decode("utf-8")

    def _repr_png_(self) -> bytes:
        return self._bytes("png")


def _column(count: int, height: float) -> list[float]:
    """`count` positions spread over `height`, top first, centred on 0."""
    if count == 1:
        return [0.0]
    step = min(1.0, height / (count - 1))
    return [(count - 1) / 2 * step - i * step for i in range(count)]


class Summary:
    """The network as drawn: each layer cut to its first HEAD and last TAIL neurons (and the
    chosen weight's own), as a smaller network whose indices map back to the real ones."""

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

    def _small(self, layer: int, index: int) -> int:
        return self.shown[layer - 1].index(index) + 1

    def real(self, layer: int, index: int) -> int:
        return self.shown[layer - 1][index - 1] if index else 0

    def latex(self, graph, node: Hashable) -> str:
        """The node's LaTeX name with its real indices."""
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

    def chain_latex(self, graph, chain) -> str:
        from chainrule.notation import notation_for

        return notation_for("latex").chain(
            f._replace(of_latex=self.latex(graph, f.of), wrt_latex=self.latex(graph, f.wrt))
            for f in chain
        )


Point = tuple[float, float]
#: Columns of a general graph's drawing are this far apart (layered columns are 1 apart).
GENERATION_WIDTH = 1.6


@dataclass
class Layout:
    """Everything one drawing needs to know about where things go; :func:`_plot` draws it.

    `edge_points(u, v, shift)` gives the points of the line from node u to node v, moved up by
    `shift`; a chain is drawn through the edge points of its nodes. `background` holds the
    lines of the network drawn in grey and `nodes` the labelled circles.
    """

    graph: nx.DiGraph
    chains: list[Chain]
    edge_points: Callable[[Hashable, Hashable, float], list[Point]]
    place: Callable[[Hashable], Point]
    background: list[list[Point]]
    nodes: list[tuple[Point, str]]
    chain_label: Callable[[Chain], str]
    delta_label: Callable[[Hashable], str]
    title: str
    node_size: float = 420
    background_width: float = 0.6
    background_colour: str = "0.85"
    figsize: tuple[float, float] = (11, 6.5)
    overflow: str = "more drawn"
    notes: list[str] = field(default_factory=list)
    decorate: Callable[[object], None] = lambda axes: None
    # A straight-line layout draws a chain node to node, a point shared by neighbours (z and a
    # in one neuron) once; one with arcs draws it edge by edge, through each arc's points.
    node_to_node: bool = True
    delta_offset: float = 15  # points between a node and its δ label
    says_what_is_shaded: bool = True  # the title names the shading under delta


def _straight(place: Callable[[Hashable], Point]):
    def edge_points(u: Hashable, v: Hashable, shift: float = 0.0) -> list[Point]:
        return [(x, y + shift) for x, y in (place(u), place(v))]

    return edge_points


#: A node's radius in layout units (neighbours in a column are 1 apart), and the clearance kept
#: between a node and any edge that passes it: no node may look like a stop on an edge that
#: does not touch it.
NODE_RADIUS = 0.3
EDGE_CLEARANCE = NODE_RADIUS + 0.1


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


def _graph_positions(graph, network: Network) -> dict[Hashable, Point]:
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
    """Where ``chainrule draw`` puts each node of `graph`, in layout units (neighbours in a
    column 1 apart, columns 1 apart): by layer for a layered `network`'s graph, by
    topological generation (columns 1.6 apart) for any other graph.

    Examples
    --------
    >>> positions = graph_positions(build_graph(Network([2, 2, 2])), Network([2, 2, 2]))
    >>> positions["x_1"], positions["J"]
    ((0.0, 0.5), (7.0, 0.0))
    """
    if network is not None:
        return _graph_positions(graph, network)
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


def _title(name: str, total: int, source_latex: str) -> str:
    return (
        rf"{name}: the {total:,} chain{'s' if total != 1 else ''} "
        rf"of $\partial J / \partial {source_latex}$"
    )


def _layered_layout(network: Network, parameter: ParameterIndex | None, view: str) -> Layout:
    """A layered network as drawn: wide layers cut to a summary, in the graph or neurons view."""
    from chainrule.graph.build import graph_size
    from chainrule.graph.chains import iter_chains

    if view not in ("graph", "neurons"):
        raise SpecError(f"unknown view {view!r}; choose graph or neurons")
    parameter = parameter or ParameterIndex(1, 1, 1)
    summary = Summary(network, parameter)
    notes = [
        f"layer {layer} shows {len(shown)} of its {size:,} neurons"
        for layer, (shown, size) in enumerate(zip(summary.shown, network.sizes), start=1)
        if len(shown) < size
    ]
    nodes_count, _ = graph_size(summary.small)
    if view == "graph" and nodes_count > GRAPH_VIEW_MAX_NODES:
        view = "neurons"
        notes.insert(0, f"{nodes_count:,} graph nodes are too many to label, so drawn as neurons")
    graph = build_graph(summary.small)
    chains = list(iter_chains(graph, summary.parameter.name))
    total = count_parameter(network, parameter)[0]
    if total > len(chains):
        notes.append(f"{len(chains):,} of the {total:,} chains drawn")

    def delta_label(node: Hashable) -> str:
        data = graph.nodes[node]
        return names.delta_latex(data["layer"], summary.real(data["layer"], data["index"][0]))

    common = dict(
        graph=graph,
        chains=chains,
        delta_label=delta_label,
        notes=notes,
        chain_label=lambda chain: summary.chain_latex(graph, chain),
        title=_title(network.architecture, total, parameter.latex),
    )
    if view == "graph":
        graph_positions = _graph_positions(graph, summary.small)
        return Layout(
            edge_points=_straight(graph_positions.__getitem__),
            place=graph_positions.__getitem__,
            background=[[graph_positions[u], graph_positions[v]] for u, v in graph.edges],
            nodes=[(point, summary.latex(graph, node)) for node, point in graph_positions.items()],
            **common,
        )

    positions = _neuron_positions(summary)
    small = summary.small
    background = []
    for layer in range(1, small.depth):
        for k in range(0 if small.bias else 1, small.sizes[layer - 1] + 1):
            for j in range(1, small.sizes[layer] + 1):
                background.append([positions[layer, k], positions[layer + 1, j]])
    for i in range(1, small.sizes[-1] + 1):
        background.append([positions[small.depth, i], positions[small.depth + 1, 1]])
    labelled = []
    for (layer, neuron), point in positions.items():
        if layer > small.depth:
            label = "J"
        elif neuron == 0:
            label = "1"
        elif layer == 1:
            label = names.x_latex(summary.real(1, neuron))
        else:
            label = names.a_latex(layer, summary.real(layer, neuron))
        labelled.append((point, label))

    def ellipses(axes) -> None:
        for layer, cut in enumerate(summary.cut, start=1):
            if cut:
                y = (positions[layer, HEAD][1] + positions[layer, HEAD + 1][1]) / 2
                axes.text(2.0 * (layer - 1), y, r"$\vdots$", ha="center", va="center", fontsize=12)

    def place(node: Hashable) -> Point:  # a z and its a share one neuron
        return positions[_neuron_of(graph, node)]

    return Layout(
        edge_points=_straight(place),
        place=place,
        background=background,
        nodes=labelled,
        node_size=520,
        background_width=0.5,
        background_colour="0.88",
        decorate=ellipses,
        **common,
    )


def _edge_points(start, end, column_width: float, samples: int = 24, avoid=()) -> list[Point]:
    """A straight segment between neighbouring columns; an arc over the columns it skips, so a
    skip connection never hides behind the nodes it passes. The arc bends up, then down, then
    higher, until it is clear of every point in `avoid` (the nodes) but its own two ends."""
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


def _general_layout(graph, source: str | None) -> Layout:
    """Any computation graph: columns by topological generation, skip edges arcing over."""
    from chainrule.calculus.delta import delta_latex
    from chainrule.graph.chains import iter_chains

    if source is None:
        source = next(n for n, kind in graph.nodes(data="kind") if kind == NodeKind.PARAM)
    positions = _generation_positions(graph)
    nodes = list(positions.values())

    def edge_points(u: Hashable, v: Hashable, shift: float = 0.0) -> list[Point]:
        return [
            (x, y + shift)
            for x, y in _edge_points(positions[u], positions[v], GENERATION_WIDTH, avoid=nodes)
        ]

    chains = list(iter_chains(graph, source))
    return Layout(
        graph=graph,
        chains=chains,
        edge_points=edge_points,
        place=positions.__getitem__,
        background=[edge_points(u, v) for u, v in graph.edges],
        nodes=[(point, graph.nodes[node]["latex"]) for node, point in positions.items()],
        chain_label=lambda chain: chain.latex,
        delta_label=lambda node: delta_latex(graph, node),
        title=_title(graph.graph.get("source", "graph"), len(chains), graph.nodes[source]["latex"]),
        node_size=560,
        background_width=0.7,
        figsize=(11, 6),
        overflow="more",
        node_to_node=False,
        delta_offset=16,
        says_what_is_shaded=False,
    )


def draw(
    subject: Network | object,
    parameter: ParameterIndex | str | None = None,
    view: str = "graph",
    delta: bool = False,
) -> Drawing:
    """Draw `subject` with every chain of `parameter` lit up, each in its own colour.

    Parameters
    ----------
    subject : Network or networkx.DiGraph
        A layered network (its wide layers summarised) or any computation graph.
    parameter : ParameterIndex or str, optional
        The weight of a network (θ^(1)_11 by default), or the name of a graph's parameter (its
        first by default).
    view : {"graph", "neurons"}
        For a network: the full computation graph, or the compact picture of its neurons.
    delta : bool
        Shade the cost-side sub-graph that each δ sums.
    """
    Figure = _require_matplotlib()
    # The parameter's type goes with the subject's: a ParameterIndex for a network, a name for
    # a graph (the casts only tell the type checker so).
    if isinstance(subject, Network):
        layout = _layered_layout(subject, cast(ParameterIndex | None, parameter), view)
    else:
        if view != "graph":
            raise SpecError(f"a general graph is drawn as a graph, not as {view!r}")
        layout = _general_layout(subject, cast(str | None, parameter))
    figure = Figure(figsize=layout.figsize)
    axes = figure.add_subplot()
    axes.set_axis_off()
    _plot(axes, layout, delta)
    return Drawing(figure, "; ".join(layout.notes) or None)


def _trace(layout: Layout, path: list[Hashable], shift: float) -> list[Point]:
    """The points of a node path: node to node (a point repeated, as where z and a share a
    neuron, drawn once), or edge by edge through each edge's points."""
    if layout.node_to_node:
        points = [layout.place(node) for node in path]
        points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
        return [(x, y + shift) for x, y in points]
    return [point for u, v in zip(path, path[1:]) for point in layout.edge_points(u, v, shift)]


def _plot(axes, layout: Layout, delta: bool) -> None:
    """The one plotting path: grey network, labelled nodes, δ shading, chains, title."""
    for points in layout.background:
        axes.plot(
            *zip(*points),
            color=layout.background_colour,
            linewidth=layout.background_width,
            zorder=1,
        )
    for (x, y), label in layout.nodes:
        axes.scatter([x], [y], s=layout.node_size, color="white", edgecolors="0.35", zorder=3)
        axes.text(x, y, f"${label}$", ha="center", va="center", fontsize=8, zorder=4)
    layout.decorate(axes)
    if delta:
        _shade_deltas(axes, layout)
    _plot_chains(
        axes,
        layout.chains,
        lambda path, shift: _trace(layout, path, shift),
        layout.chain_label,
        layout.overflow,
    )
    text = "; ".join(layout.notes) or None
    shaded = delta and layout.says_what_is_shaded
    axes.set_title(
        layout.title + (r" (shaded: what each $\delta$ sums)" if shaded else ""),
        fontsize=12,
        pad=22 if text else 6,
    )
    if text:
        axes.text(
            0.5,
            1.0,
            "\n".join(textwrap.wrap(f"summary: {text}", 140)),
            ha="center",
            va="bottom",
            fontsize=8,
            color="0.4",
            transform=axes.transAxes,
        )


def _plot_chains(axes, chains, trace, label, overflow: str) -> None:
    """Each chain in its own colour, shifted sideways so that chains sharing an edge run side by
    side, with a legend of its product; `trace(path, shift)` gives the points of a node path."""
    from matplotlib import colormaps
    from matplotlib.lines import Line2D

    colours = colormaps[COLOURS]
    handles: list[Line2D] = []
    for number, chain in enumerate(chains):
        path = [chain[-1].wrt] + [factor.of for factor in reversed(chain)]
        shift = 0.06 * (number - (len(chains) - 1) / 2) if len(chains) <= 12 else 0.0
        colour = colours(number % colours.N)
        axes.plot(
            *zip(*trace(path, shift)),
            color=colour,
            linewidth=2.2,
            alpha=0.9,
            zorder=2,
            solid_capstyle="round",
        )
        if len(handles) < LEGEND_CHAINS:
            handles.append(Line2D([], [], color=colour, linewidth=2.2, label=f"${label(chain)}$"))
    if len(chains) > LEGEND_CHAINS:
        handles.append(
            Line2D([], [], color="none", label=f"… and {len(chains) - LEGEND_CHAINS:,} {overflow}")
        )
    axes.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=11, frameon=False
    )


def _shade_deltas(axes, layout: Layout) -> None:
    """Behind each node with a δ on the chains, shade every path from it to J: the sum that
    becomes its δ; the δ label sits just above the node (unless there are too many to read)."""
    import networkx as nx

    from chainrule.calculus.delta import is_delta_node

    graph = layout.graph
    cuts = list(
        dict.fromkeys(
            factor.wrt
            for chain in layout.chains
            for factor in chain
            if is_delta_node(graph, factor.wrt)
        )
    )
    for node in cuts:
        region = nx.descendants(graph, node) | {node}
        # In the graph's own edge order: a subgraph's order follows set hashing, which varies
        # from run to run and would make the same picture differ byte for byte.
        for u, v in ((u, v) for u, v in graph.edges if u in region and v in region):
            points = layout.edge_points(u, v, 0.0)
            if all(point == points[0] for point in points):
                continue  # z -> a inside one neuron
            axes.plot(
                *zip(*points),
                color="tab:orange",
                alpha=0.12,
                linewidth=14,
                solid_capstyle="round",
                zorder=0,
            )
        if len(cuts) > DELTA_LABELS:
            continue  # too many to read: the shading says it
        axes.annotate(
            f"${layout.delta_label(node)}$",
            layout.place(node),
            xytext=(0, layout.delta_offset),
            textcoords="offset points",
            ha="center",
            fontsize=10,
            color="tab:orange",
            zorder=5,
        )
