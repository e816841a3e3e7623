"""``draw``: a computation graph with every chain of one parameter lit up, as data to plot.

The record is the whole picture as data, no plotting in it: the :class:`~chainrule.records.
layout.Layout` (where every node and edge goes, with their labels), the chains lit (each a line
of points, shifted sideways so that chains sharing an edge run side by side, with its colour's
number and, for the first few, its product for the legend), the region each δ sums (shaded
under ``delta``), the title and the notes on what was left out. :mod:`chainrule.present.draw`
plots it with matplotlib; in Jupyter a record shows itself as that picture.

A layered network's wide layers are cut to a summary (see :class:`~chainrule.records.layout.
Summary`), and a graph view with more than :data:`budget.GRAPH_VIEW_NODES` nodes is drawn as
neurons. A weight with more than :data:`budget.DRAWN_CHAINS` chains has its first ones drawn, and
the notes say how many of how many. The rest is priced before anything is built or plotted
(:func:`drawing_work`: the labels typeset, the lines drawn), and a picture past
:data:`~chainrule.budget.MAX_DRAWING_WORK` is refused: a drawing of 500 layers is no picture
anyone can read.

Examples
--------
>>> record = compute(DrawRequest.of("2-2-2", param="1,1,1"))
>>> len(record.layout.nodes), len(record.chains), record.total, record.summary
(19, 2, 2, None)
>>> record.chains[0].legend.count("∂") // 2, len(record.chains[0].points)
(5, 6)
>>> record.labels[0], record.title
(Label(base='x', upper='', lower='1'), '2-2-2: the 2 chains of ∂J/∂θ⁽¹⁾₁₁')
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple

from chainrule import budget
from chainrule.calculus.counting import count_parameter
from chainrule.errors import SpecError, TooLarge
from chainrule.graph import names
from chainrule.graph.build import graph_size
from chainrule.graph.chains import iter_chains
from chainrule.graph.spec import ParameterIndex, parse_parameter
from chainrule.lazy import lazy
from chainrule.notation import notation_for
from chainrule.records import options as shared
from chainrule.records.layout import (
    Layout,
    PlacedNode,
    Point,
    Summary,
    graph_layout,
    network_layout,
    neuron_count,
    neuron_edge_count,
)
from chainrule.records.options import Option, read_options
from chainrule.records.subject import Subject, resolve, subject_of

if TYPE_CHECKING:
    from chainrule.calculus import delta as calculus_delta
else:
    # Loaded on first use: SymPy and networkx come with them, which the other
    # calls of this module never need.
    calculus_delta = lazy("chainrule.calculus.delta")

if TYPE_CHECKING:
    from chainrule.graph.chains import Chain
    from chainrule.records.subject import SubjectRequest

#: The legend writes the products of at most this many chains, and counts the rest...
LEGEND_CHAINS = 8
#: ... and at most this many partials in all: more is a wall of symbols (and, in a graph
#: file's mathtext, about 7 ms a partial to typeset).
LEGEND_PARTIALS = 40
#: A chain of more terms is written in the legend by its first and last LEGEND_ENDS terms
#: around a ⋯: a product of 27 partials is wider than the picture.
LEGEND_TERMS = 9
LEGEND_ENDS = 4
#: Past this many δs on the chains, their labels are left out: the shading says it.
DELTA_LABELS = 12
#: Chains drawn side by side (shifted apart) up to this many; more are drawn on the edges.
SIDE_BY_SIDE = 12
SHIFT = 0.06

PARAM = shared.param(
    "the weight whose chains to light up (default 1,1,1; a name for a graph file, its first "
    "parameter by default)",
    repeat=False,
)
VIEW = Option(
    "view",
    "the full computation graph (default) or the neurons",
    default="graph",
    choices=("graph", "neurons"),
)
DELTA = Option(
    "delta", "shade the cost-side sub-chains that become each delta", default=False, flag=True
)
OPTIONS = (*shared.NETWORK, PARAM, VIEW, DELTA)


@dataclass(frozen=True)
class DrawRequest:
    """What to draw: the subject, whose chains to light up (``l,j,k`` for a weight of layer
    sizes, a name for a graph; the first by default), the view, and whether to shade the δs."""

    subject: SubjectRequest
    param: str | None = None
    view: str = "graph"
    delta: bool = False

    @classmethod
    def of(
        cls, architecture: object = None, graph_text: str | None = None, **given: object
    ) -> DrawRequest:
        """A request from an architecture (or a graph file's text) and options by keyword,
        each checked."""
        values = read_options(OPTIONS, given, "draw")
        return cls(subject_of(architecture, graph_text, values), **values)


class LitChain(NamedTuple):
    """One chain, lit: its line's points, its colour's number (the chain's, in order) and its
    product for the legend, as the picture writes it (None past the legend's first
    :data:`LEGEND_CHAINS`)."""

    points: tuple[Point, ...]
    colour: int
    legend: str | None


class Label(NamedTuple):
    """A name as the picture sets it: its `base`, with an `upper` index (a layer) stacked over
    a `lower` one (a neuron's), as θ^{(1)}_{11} is typeset. A label with neither is the base
    alone: a graph file's names are mathtext (between dollar signs) in the base.

    Examples
    --------
    >>> Label("θ", "(1)", "11").text
    'θ⁽¹⁾₁₁'
    """

    base: str
    upper: str = ""
    lower: str = ""

    @property
    def text(self) -> str:
        """The label on one line, as the terminal writes it."""
        return names.unicode_of_parts(*self)


class Shading(NamedTuple):
    """What one δ sums, shaded: the lines of every path from its node to J, and its label
    (as the picture writes it, None when there are too many to read) at `point`."""

    point: Point
    strokes: tuple[tuple[Point, ...], ...]
    label: Label | None


class Style(NamedTuple):
    """How a layout is drawn: the size of its nodes, its grey network's lines, the figure's
    size, how the legend counts the chains it leaves out, and how far a δ label sits above its
    node (in points)."""

    node_size: float = 420
    background_width: float = 0.6
    background_colour: str = "0.85"
    figsize: tuple[float, float] = (11, 6.5)
    overflow: str = "more drawn"
    delta_offset: float = 15
    #: Whether the title says what the shading is (a layered network's; a graph file's title
    #: is long enough).
    names_shading: bool = True


NEURONS_STYLE = Style(node_size=520, background_width=0.5, background_colour="0.88")
GRAPH_FILE_STYLE = Style(
    node_size=560,
    background_width=0.7,
    figsize=(11, 6),
    overflow="more",
    delta_offset=16,
    names_shading=False,
)


@dataclass(frozen=True)
class DrawRecord:
    """A drawing as data: the `layout` with each node's `label` (in the order of its nodes),
    the `chains` lit (the first :data:`budget.DRAWN_CHAINS` of the parameter's `total`), the δ
    `shading` (under ``delta``), the `title`, the `notes` on what was left out, and the `style`
    to draw it in. Labels, legends and the title are written as the picture shows them: Unicode
    for a layered network, mathtext between dollar signs for a graph file."""

    request: DrawRequest
    parameter: str
    layout: Layout
    labels: tuple[Label, ...]
    chains: tuple[LitChain, ...]
    total: int
    shading: tuple[Shading, ...]
    title: str
    notes: tuple[str, ...]
    style: Style

    @property
    def summary(self) -> str | None:
        """What the drawing leaves out, in a line (None when nothing)."""
        return "; ".join(self.notes) or None

    @property
    def legend_overflow(self) -> str | None:
        """The legend's last line, counting the chains drawn but not written there."""
        more = sum(chain.legend is None for chain in self.chains)
        return f"… and {more:,} {self.style.overflow}" if more > 0 else None

    def as_dict(self) -> dict[str, Any]:
        """The drawing as a document: ``architecture``, ``parameter``, ``view``, ``title``,
        ``summary``, the placed ``nodes`` and ``edges`` (y upwards, layout units) and each
        lit chain's ``points`` and ``legend``."""
        return {
            "architecture": self.layout.label,
            "parameter": self.parameter,
            "view": self.layout.view,
            "title": self.title,
            "summary": self.summary,
            "chains_total": self.total,
            "nodes": [
                {"name": n.name, "kind": n.kind, "x": n.point[0], "y": n.point[1], "latex": n.latex}
                for n in self.layout.nodes
            ],
            "edges": [
                {"from": e.source, "to": e.target, "points": [list(p) for p in e.points]}
                for e in self.layout.edges
            ],
            "chains": [
                {"points": [list(p) for p in c.points], "legend": c.legend} for c in self.chains
            ],
        }

    # Jupyter shows a record as its picture, drawn by the presenter (imported at call time: a
    # record never needs matplotlib to be computed).
    def _repr_svg_(self) -> str:
        from chainrule.present.draw import svg

        return svg(self)

    def _repr_png_(self) -> bytes:
        from chainrule.present.draw import png

        return png(self)


# -- the budget ----------------------------------------------------------------------------------


class Work(NamedTuple):
    """What a drawing costs to plot: labels typeset (nodes, δs, the legend's partials, the
    title) and lines drawn (the grey network, the chains, the shading strokes)."""

    labels: int
    lines: int

    @property
    def microseconds(self) -> int:
        return (
            budget.DRAWING_BASE_WORK
            + self.labels * budget.LABEL_WORK
            + self.lines * budget.LINE_WORK
        )

    def describe(self) -> str:
        return f"{self.labels:,} labels to typeset and {self.lines:,} lines to draw"


def legend_terms(length: int) -> int:
    """The partials the legend writes for a chain of `length` terms."""
    return length if length <= LEGEND_TERMS else 2 * LEGEND_ENDS


def legend_chains(length: int) -> int:
    """How many chains of `length` terms the legend writes out.

    Examples
    --------
    >>> legend_chains(5), legend_chains(7), legend_chains(27)
    (8, 5, 5)
    """
    return min(LEGEND_CHAINS, max(1, LEGEND_PARTIALS // legend_terms(length)))


def drawing_work(nodes: int, edges: int, chains: int, length: int, strokes: int = 0) -> Work:
    """The work of a picture of `nodes` labelled nodes, `edges` grey lines, `chains` lit
    chains of `length` terms and `strokes` shading lines.

    Examples
    --------
    >>> drawing_work(19, 22, 2, 5)
    Work(labels=30, lines=24)
    """
    legend = min(chains, legend_chains(length)) * legend_terms(length)
    return Work(nodes + legend + 1, edges + chains + strokes)


def _refuse(label: str, work: Work) -> TooLarge:
    seconds = work.microseconds / 1e6
    return TooLarge(
        f"the drawing of {label} would take about {seconds:,.1f} s to plot "
        f"({work.describe()}), more than the {budget.MAX_DRAWING_WORK / 1e6:g} s a drawing "
        "may take; draw a smaller network (or a graph of fewer nodes): chainrule chains and "
        "chainrule count describe any size"
    )


def _check(label: str, work: Work) -> None:
    if work.microseconds > budget.MAX_DRAWING_WORK:
        raise _refuse(label, work)


# -- the picture ---------------------------------------------------------------------------------


class Writing(NamedTuple):
    """How a picture writes (:func:`_unicode_writing`, :func:`_latex_writing`): a placed
    node's `label`, a chain's
    `product` (factors cost first), the `delta` of a graph node, the `gradient` drawn
    (∂J/∂ the parameter), the `ellipsis` that stands for a long product's middle and the
    `delta_sign` δ."""

    label: Callable[[PlacedNode], Label]
    product: Callable[[list], str]
    delta: Callable[[Hashable], Label]
    gradient: str
    ellipsis: str
    delta_sign: str


def _title(name: str, total: int, gradient: str) -> str:
    return f"{name}: the {total:,} chain{'s' if total != 1 else ''} of {gradient}"


def _trace(layout: Layout, path: list[Hashable], shift: float) -> tuple[Point, ...]:
    """The points of a node path: node to node (a point repeated, as where z and a share a
    neuron, drawn once), or edge by edge through each edge's points."""
    if not layout.arcing:
        points = [layout.places[node] for node in path]
        points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
        return tuple((x, y + shift) for x, y in points)
    return tuple(
        (x, y + shift) for u, v in zip(path, path[1:]) for x, y in layout.edge_points(u, v)
    )


def _legend(chain: Chain, writing: Writing) -> str:
    """A chain's product for the legend: whole, or its two ends around a ⋯."""
    factors = list(chain)
    if len(factors) <= LEGEND_TERMS:
        return writing.product(factors)
    return (
        writing.product(factors[:LEGEND_ENDS])
        + writing.ellipsis
        + writing.product(factors[-LEGEND_ENDS:])
    )


def _lit(layout: Layout, chains: list[Chain], writing: Writing) -> tuple[LitChain, ...]:
    """Each chain's line, shifted sideways so that chains sharing an edge run side by side,
    with its legend for the first few: at most :data:`LEGEND_CHAINS`, and their partials at
    most :data:`LEGEND_PARTIALS` (:func:`legend_chains` for chains of one length)."""
    lit = []
    partials, written = 0, True
    for number, chain in enumerate(chains):
        path = [chain[-1].wrt] + [factor.of for factor in reversed(chain)]
        shift = SHIFT * (number - (len(chains) - 1) / 2) if len(chains) <= SIDE_BY_SIDE else 0.0
        partials += legend_terms(len(chain))
        written = (
            written and number < LEGEND_CHAINS and (number == 0 or partials <= LEGEND_PARTIALS)
        )
        legend = _legend(chain, writing) if written else None
        lit.append(LitChain(_trace(layout, path, shift), number, legend))
    return tuple(lit)


def _cuts(layout: Layout, chains: list[Chain]) -> list[Hashable]:
    """The nodes with a δ on the chains, in the order the chains meet them."""

    graph = layout.graph
    return list(
        dict.fromkeys(
            factor.wrt
            for chain in chains
            for factor in chain
            if calculus_delta.is_delta_node(graph, factor.wrt)
        )
    )


def _regions(layout: Layout, cuts: list[Hashable]) -> list[list[tuple[Hashable, Hashable]]]:
    """For each cut, the edges of every path from it to J: the sum that becomes its δ. In the
    graph's own edge order: a subgraph's order follows set hashing, which varies from run to
    run and would make the same picture differ byte for byte."""
    import networkx as nx

    graph = layout.graph
    regions = []
    for node in cuts:
        region = nx.descendants(graph, node) | {node}
        regions.append([(u, v) for u, v in graph.edges if u in region and v in region])
    return regions


def _shading(
    layout: Layout, cuts: list[Hashable], regions, label: Callable[[Hashable], Label]
) -> tuple[Shading, ...]:
    shaded = []
    for node, edges in zip(cuts, regions):
        strokes = []
        for u, v in edges:
            points = layout.edge_points(u, v)
            if all(point == points[0] for point in points):
                continue  # z -> a inside one neuron
            strokes.append(points)
        shown = label(node) if len(cuts) <= DELTA_LABELS else None  # too many to read
        shaded.append(Shading(layout.places[node], tuple(strokes), shown))
    return tuple(shaded)


def _finish(
    request: DrawRequest,
    layout: Layout,
    chains: list[Chain],
    total: int,
    parameter: str,
    notes: list[str],
    style: Style,
    writing: Writing,
    work: Work,
) -> DrawRecord:
    """The record of a layout with its chains: the shading priced (its strokes counted on the
    small graph now built) before it is made."""
    title = _title(layout.label, total, writing.gradient)
    shading: tuple[Shading, ...] = ()
    if request.delta:
        cuts = _cuts(layout, chains)
        regions = _regions(layout, cuts)
        strokes = sum(len(edges) for edges in regions)
        labels = len(cuts) if len(cuts) <= DELTA_LABELS else 0
        _check(layout.label, Work(work.labels + labels, work.lines + strokes))
        shading = _shading(layout, cuts, regions, writing.delta)
        title += f" (shaded: what each {writing.delta_sign} sums)" if style.names_shading else ""
    return DrawRecord(
        request,
        parameter,
        layout,
        tuple(writing.label(node) for node in layout.nodes),
        _lit(layout, chains, writing),
        total,
        shading,
        title,
        tuple(notes),
        style,
    )


def _unicode_writing(summary: Summary, graph, parameter: ParameterIndex) -> Writing:
    """A layered network's picture in Unicode text, with the real network's indices: every
    name of a layered network is stem^(layer)_indices, which Unicode writes, and matplotlib
    lays plain text out about five times faster than it parses mathtext."""
    unicode = notation_for("unicode")

    def label(node: PlacedNode) -> Label:
        # A bias unit shows its value, as in the neurons view's LaTeX.
        return Label("1") if node.latex == "1" else Label(*names.stacked_name(node.name))

    def product(factors: list) -> str:
        return unicode.chain(
            f._replace(of=summary.name(graph, f.of), wrt=summary.name(graph, f.wrt))
            for f in factors
        )

    def delta(node: Hashable) -> Label:
        data = graph.nodes[node]
        layer = data["layer"]
        real = summary.real(layer, data["index"][0])
        return Label(*names.stacked_name(names.delta_name(layer, real)))

    return Writing(
        label,
        product,
        delta,
        f"∂J/∂{names.unicode_name(parameter.name)}",
        " ⋯ ",
        "δ",
    )


def _latex_writing(graph, parameter: str) -> Writing:
    """A graph file's picture in mathtext: its names as its LaTeX gives them (hats, words as
    subscripts, which Unicode cannot write)."""
    latex = notation_for("latex")
    cost = graph.graph["cost"]
    return Writing(
        lambda node: Label(f"${node.latex}$"),
        lambda factors: f"${latex.chain(factors)}$",
        lambda node: Label(f"${calculus_delta.delta_latex(graph, node)}$"),
        rf"$\partial {graph.nodes[cost]['latex']} / \partial {graph.nodes[parameter]['latex']}$",
        r" $\cdots$ ",
        r"$\delta$",
    )


def _layered(request: DrawRequest, subject: Subject) -> DrawRecord:
    """A layered network as drawn: wide layers cut to a summary, in the graph or neurons view."""

    network = subject.layered_network()
    parameter = parse_parameter(request.param or "1,1,1", network)
    summary = Summary(network, parameter)
    notes = list(summary.notes)
    view = request.view
    nodes, edges = graph_size(summary.small)
    if view == "graph" and nodes > budget.GRAPH_VIEW_NODES:
        view = "neurons"
        notes.insert(0, f"{nodes:,} graph nodes are too many to label, so drawn as neurons")
    if view == "neurons":
        nodes, edges = neuron_count(summary), neuron_edge_count(summary)
    total = count_parameter(network, parameter)[0]
    small_chains, small_terms = count_parameter(summary.small, summary.parameter)
    drawn = min(small_chains, budget.DRAWN_CHAINS)
    work = drawing_work(nodes, edges, drawn, small_terms // small_chains)
    _check(network.architecture, work)

    layout = network_layout(summary, view)
    graph = layout.graph
    chains = list(islice(iter_chains(graph, summary.parameter.name), budget.DRAWN_CHAINS))
    if total > len(chains):
        notes.append(f"{len(chains):,} of the {total:,} chains drawn")
    return _finish(
        request,
        layout,
        chains,
        total,
        parameter.name,
        notes,
        NEURONS_STYLE if view == "neurons" else Style(),
        _unicode_writing(summary, graph, parameter),
        work,
    )


#: Inches of figure height per layout unit of a general graph's drawing: a node's circle, its
#: δ label just above it and the node above that fit in one unit at this scale.
INCHES_PER_UNIT = 0.75


def _tall_enough(style: Style, layout: Layout) -> Style:
    """`style`, its figure made taller where the layout has more rows than its height holds:
    a node's circle and a label keep their size in points while the layout is scaled to the
    figure, so a tall column (a graph file's 14 parameters) would crowd its circles together
    and set each δ label over the node above."""
    ys = [node.point[1] for node in layout.nodes]
    width, height = style.figsize
    needed = INCHES_PER_UNIT * (max(ys) - min(ys)) + 1.5  # and room for the title
    return style if needed <= height else style._replace(figsize=(width, round(needed, 2)))


def _general(request: DrawRequest, subject: Subject) -> DrawRecord:
    """Any computation graph, placed by :func:`~chainrule.records.layout.graph_layout`: an
    RNN along its time axis, a residual net in blocks, any other graph by generation."""

    if request.view != "graph":
        raise SpecError(
            f"a graph file has nodes, not neurons: leave out {budget.spelled('view', 'neurons')}"
        )
    source = subject.sources("parameters", [] if request.param is None else [request.param])[0]
    graph = subject.graph()
    drawn = min(source.chains, budget.DRAWN_CHAINS)
    work = drawing_work(
        graph.number_of_nodes(), graph.number_of_edges(), drawn, source.terms // source.chains
    )
    _check(subject.label, work)
    layout = graph_layout(graph)
    chains = list(islice(iter_chains(graph, source.name), budget.DRAWN_CHAINS))
    notes = []
    if source.chains > len(chains):
        notes.append(f"{len(chains):,} of the {source.chains:,} chains drawn")
    return _finish(
        request,
        layout,
        chains,
        source.chains,
        source.name,
        notes,
        _tall_enough(GRAPH_FILE_STYLE, layout),
        _latex_writing(graph, source.name),
        work,
    )


def compute(request: DrawRequest) -> DrawRecord:
    """The drawing of `request`: priced, then laid out, its chains traced and its δ regions
    found; refused past :data:`~chainrule.budget.MAX_DRAWING_WORK` before anything is
    built."""
    subject = resolve(request.subject)
    if subject.layered:
        return _layered(request, subject)
    return _general(request, subject)


#: A request from an architecture and options by keyword (``DrawRequest.of``).
request = DrawRequest.of
