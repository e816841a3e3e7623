"""Pictures: the network with every chain of one weight lit up in its own colour.

Two views: ``graph``, the full computation graph (x, θ, z, a and J nodes), and ``neurons``, the
compact picture of neurons and weights. Labels use the notation's LaTeX through matplotlib's
mathtext, so no TeX install is needed. With ``delta``, the cost-side sub-graph that each δ sums
is shaded. Layers too wide to read are drawn as a summary (their first and last neurons), and
the drawing says so. matplotlib is an optional extra: ``pip install 'chainrule[plot]'``.
"""

from __future__ import annotations

import io
import textwrap
from typing import Hashable

from chainrule.graph import names
from chainrule.calculus.counting import count_parameter
from chainrule.graph.build import build_graph
from chainrule.graph.spec import Network, ParameterIndex, SpecError

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
        raise SpecError("drawing needs matplotlib: pip install 'chainrule[plot]' "
                        "(or pip install matplotlib)") from None
    return Figure


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
            raise SpecError(f"cannot draw to {str(path)!r}: the file name must end in "
                            f"{', '.join(FORMATS)}")
        with atomic_path(path) as temporary:
            self.figure.savefig(temporary, format=suffix[1:], bbox_inches="tight", dpi=150)

    def _bytes(self, fmt: str) -> bytes:
        buffer = io.BytesIO()
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
            keep = set(range(1, size + 1)) if size <= NEURONS_SHOWN else (
                set(range(1, HEAD + 1)) | set(range(size - TAIL + 1, size + 1)))
            if layer == parameter.layer and parameter.k:
                keep.add(parameter.k)
            if layer == parameter.layer + 1:
                keep.add(parameter.j)
            shown.append(sorted(keep))
        self.shown = shown  # shown[l - 1]: the real indices of layer l drawn, in order
        self.cut = [len(indices) < size for indices, size in zip(shown, network.sizes)]
        self.small = Network(tuple(len(indices) for indices in shown), bias=network.bias,
                             activation=network.activation, cost=network.cost)
        self.parameter = ParameterIndex(parameter.layer, self._small(parameter.layer + 1, parameter.j),
                                        self._small(parameter.layer, parameter.k) if parameter.k else 0)

    def _small(self, layer: int, index: int) -> int:
        return self.shown[layer - 1].index(index) + 1

    def real(self, layer: int, index: int) -> int:
        return self.shown[layer - 1][index - 1] if index else 0

    def latex(self, graph, node: Hashable) -> str:
        """The node's LaTeX name with its real indices."""
        data = graph.nodes[node]
        kind, layer, index = data["kind"], data["layer"], data["index"]
        if kind == "input":
            return names.x_latex(self.real(1, index[0]))
        if kind == "param":
            return names.theta_latex(layer, self.real(layer + 1, index[0]), self.real(layer, index[1]))
        if kind == "pre":
            return names.z_latex(layer, self.real(layer, index[0]))
        if kind == "act":
            return names.a_latex(layer, self.real(layer, index[0]))
        return data["latex"]

    def chain_latex(self, graph, chain) -> str:
        from chainrule.notation import notation_for

        return notation_for("latex").chain(
            f._replace(of_latex=self.latex(graph, f.of), wrt_latex=self.latex(graph, f.wrt))
            for f in chain)


def _graph_positions(graph, network: Network) -> dict[Hashable, tuple[float, float]]:
    """Columns: x | θ^(1) z^(2) a^(2) | θ^(2) z^(3) a^(3) | ... | J."""
    columns: list[list[Hashable]] = [[n for n, k in graph.nodes(data="kind") if k == "input"]]
    for layer in range(2, network.depth + 1):
        for kind, at in (("param", layer - 1), ("pre", layer), ("act", layer)):
            columns.append([n for n, d in graph.nodes(data=True)
                            if d["kind"] == kind and d["layer"] == at])
    columns.append([graph.graph["cost"]])
    height = max(len(column) for column in columns) - 1
    positions = {}
    for x, column in enumerate(columns):
        for node, y in zip(column, _column(len(column), max(height, 1))):
            positions[node] = (float(x), y)
    return positions


def _neuron_positions(summary: Summary) -> dict[tuple[int, int], tuple[float, float]]:
    """(layer, drawn neuron) -> position; neuron 0 is a bias unit, J is (depth + 1, 1). A cut
    layer leaves a gap for its ellipsis after its first HEAD neurons."""
    network = summary.small
    height = max(network.sizes) - 1 + any(summary.cut)
    positions = {}
    for layer, size in enumerate(network.sizes, start=1):
        cut = summary.cut[layer - 1]
        ys = _column(size + cut, max(height, 1))
        if cut:
            ys = ys[:HEAD] + ys[HEAD + 1:]
        for neuron, y in enumerate(ys, start=1):
            positions[layer, neuron] = (2.0 * (layer - 1), y)
        if network.bias and layer < network.depth:
            positions[layer, 0] = (2.0 * (layer - 1) + 0.7, max(ys) + 0.9)
    positions[network.depth + 1, 1] = (2.0 * network.depth, 0.0)
    return positions


def _neuron_of(graph, node: Hashable) -> tuple[int, int]:
    data = graph.nodes[node]
    if data["kind"] == "cost":
        return data["layer"], 1
    if data["kind"] == "param":
        return data["layer"], data["index"][1]  # a weight's chain starts at its source neuron
    return data["layer"], data["index"][0]


def _plot_chains(axes, chains, trace, label, overflow: str) -> None:
    """Each chain in its own colour, shifted sideways so that chains sharing an edge run side by
    side, with a legend of its product; `trace(path, shift)` gives the points of a node path."""
    from matplotlib import colormaps
    from matplotlib.lines import Line2D

    colours = colormaps[COLOURS]
    handles = []
    for number, chain in enumerate(chains):
        path = [chain[-1].wrt] + [factor.of for factor in reversed(chain)]
        shift = 0.06 * (number - (len(chains) - 1) / 2) if len(chains) <= 12 else 0.0
        colour = colours(number % colours.N)
        axes.plot(*zip(*trace(path, shift)), color=colour, linewidth=2.2, alpha=0.9, zorder=2,
                  solid_capstyle="round")
        if len(handles) < LEGEND_CHAINS:
            handles.append(Line2D([], [], color=colour, linewidth=2.2, label=f"${label(chain)}$"))
    if len(chains) > LEGEND_CHAINS:
        handles.append(Line2D([], [], color="none",
                              label=f"… and {len(chains) - LEGEND_CHAINS:,} {overflow}"))
    axes.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=11,
                frameon=False)


def draw(network: Network, parameter: ParameterIndex | None = None, view: str = "graph",
         delta: bool = False) -> Drawing:
    """Draw `network`, with every chain of `parameter` (θ^(1)_11 by default) highlighted."""
    Figure = _require_matplotlib()

    from chainrule.graph.chains import iter_chains
    from chainrule.graph.build import graph_size

    if view not in ("graph", "neurons"):
        raise SpecError(f"unknown view {view!r}; choose graph or neurons")
    parameter = parameter or ParameterIndex(1, 1, 1)
    summary = Summary(network, parameter)
    notes = [f"layer {layer} shows {len(shown)} of its {size:,} neurons"
             for layer, (shown, size) in enumerate(zip(summary.shown, network.sizes), start=1)
             if len(shown) < size]
    nodes, _ = graph_size(summary.small)
    if view == "graph" and nodes > GRAPH_VIEW_MAX_NODES:
        view = "neurons"
        notes.insert(0, f"{nodes:,} graph nodes are too many to label, so drawn as neurons")
    graph = build_graph(summary.small)
    figure = Figure(figsize=(11, 6.5))
    axes = figure.add_subplot()
    axes.set_axis_off()

    if view == "graph":
        positions = _graph_positions(graph, summary.small)
        place = positions.get
        for u, v in graph.edges:
            (x1, y1), (x2, y2) = positions[u], positions[v]
            axes.plot([x1, x2], [y1, y2], color="0.85", linewidth=0.6, zorder=1)
        for node, (x, y) in positions.items():
            axes.scatter([x], [y], s=420, color="white", edgecolors="0.35", zorder=3)
            axes.text(x, y, f"${summary.latex(graph, node)}$", ha="center", va="center",
                      fontsize=8, zorder=4)
    else:
        positions = _neuron_positions(summary)
        place = lambda node: positions.get(_neuron_of(graph, node))  # noqa: E731
        small = summary.small
        for layer in range(1, small.depth):
            sources = range(0 if small.bias else 1, small.sizes[layer - 1] + 1)
            for k in sources:
                for j in range(1, small.sizes[layer] + 1):
                    (x1, y1), (x2, y2) = positions[layer, k], positions[layer + 1, j]
                    axes.plot([x1, x2], [y1, y2], color="0.88", linewidth=0.5, zorder=1)
        for i in range(1, small.sizes[-1] + 1):
            (x1, y1), (x2, y2) = positions[small.depth, i], positions[small.depth + 1, 1]
            axes.plot([x1, x2], [y1, y2], color="0.88", linewidth=0.5, zorder=1)
        for (layer, neuron), (x, y) in positions.items():
            if layer > small.depth:
                label = "J"
            elif neuron == 0:
                label = "1"
            elif layer == 1:
                label = names.x_latex(summary.real(1, neuron))
            else:
                label = names.a_latex(layer, summary.real(layer, neuron))
            axes.scatter([x], [y], s=520, color="white", edgecolors="0.35", zorder=3)
            axes.text(x, y, f"${label}$", ha="center", va="center", fontsize=8, zorder=4)
        for layer, cut in enumerate(summary.cut, start=1):
            if cut:
                y = (positions[layer, HEAD][1] + positions[layer, HEAD + 1][1]) / 2
                axes.text(2.0 * (layer - 1), y, r"$\vdots$", ha="center", va="center",
                          fontsize=12)

    chains = list(iter_chains(graph, summary.parameter.name))
    if delta:
        _shade_deltas(axes, graph, chains, place, summary)

    def trace(path, shift):
        points = [place(node) for node in path]  # a z and its a share one neuron: drop repeats
        points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
        return [(x, y + shift) for x, y in points]

    _plot_chains(axes, chains, trace, lambda chain: summary.chain_latex(graph, chain),
                 "more drawn")
    total = count_parameter(network, parameter)[0]
    if total > len(chains):
        notes.append(f"{len(chains):,} of the {total:,} chains drawn")
    title = (rf"{network.architecture}: the {total:,} chain{'s' if total != 1 else ''} "
             rf"of $\partial J / \partial {parameter.latex}$")
    text = "; ".join(notes) or None
    axes.set_title(title + (r" (shaded: what each $\delta$ sums)" if delta else ""), fontsize=12,
                   pad=22 if text else 6)
    if text:
        axes.text(0.5, 1.0, "\n".join(textwrap.wrap(f"summary: {text}", 140)), ha="center",
                  va="bottom", fontsize=8, color="0.4", transform=axes.transAxes)
    return Drawing(figure, text)


def _shade_deltas(axes, graph, chains, place, summary: Summary) -> None:
    """Behind each weighted input on the chains, shade every path from it to J: the sum that
    becomes its δ; the δ label sits just above the node."""
    import networkx as nx

    from chainrule.calculus.delta import is_delta_node

    cuts = list(dict.fromkeys(factor.wrt for chain in chains for factor in chain
                              if is_delta_node(graph, factor.wrt)))
    for node in cuts:
        region = nx.descendants(graph, node) | {node}
        for u, v in graph.subgraph(region).edges:
            start, end = place(u), place(v)
            if start == end:
                continue
            axes.plot([start[0], end[0]], [start[1], end[1]], color="tab:orange", alpha=0.12,
                      linewidth=14, solid_capstyle="round", zorder=0)
        if len(cuts) > DELTA_LABELS:
            continue  # too many to read: the shading says it
        data = graph.nodes[node]
        label = names.delta_latex(data["layer"], summary.real(data["layer"], data["index"][0]))
        axes.annotate(f"${label}$", place(node), xytext=(0, 15), textcoords="offset points",
                      ha="center", fontsize=10, color="tab:orange", zorder=5)


def _edge_points(start, end, column_width: float, samples: int = 24) -> list[tuple[float, float]]:
    """A straight segment between neighbouring columns; an arc over the columns it skips, so a
    skip connection never hides behind the nodes it passes."""
    (x1, y1), (x2, y2) = start, end
    if abs(x2 - x1) <= column_width * 1.01:
        return [start, end]
    lift = 0.35 * abs(x2 - x1) / column_width
    control = ((x1 + x2) / 2, (y1 + y2) / 2 + lift)
    return [((1 - t) ** 2 * x1 + 2 * (1 - t) * t * control[0] + t * t * x2,
             (1 - t) ** 2 * y1 + 2 * (1 - t) * t * control[1] + t * t * y2)
            for t in (i / (samples - 1) for i in range(samples))]


def draw_graph(graph, source: str | None = None, delta: bool = False) -> Drawing:
    """Draw any computation graph, columns by topological generation, with every chain of
    `source` (its first parameter by default) in its own colour."""
    Figure = _require_matplotlib()
    import networkx as nx

    from chainrule.graph.chains import iter_chains
    from chainrule.calculus.delta import delta_latex, is_delta_node

    if source is None:
        source = next(n for n, kind in graph.nodes(data="kind") if kind == "param")
    columns = [sorted(generation, key=list(graph.nodes).index)
               for generation in nx.topological_generations(graph)]
    height = max(len(column) for column in columns) - 1
    width = 1.6
    positions = {node: (width * x, y) for x, column in enumerate(columns)
                 for node, y in zip(column, _column(len(column), max(height, 1)))}

    def edge(u, v, shift: float = 0.0):
        return [(x, y + shift) for x, y in _edge_points(positions[u], positions[v], width)]
    figure = Figure(figsize=(11, 6))
    axes = figure.add_subplot()
    axes.set_axis_off()
    for u, v in graph.edges:
        axes.plot(*zip(*edge(u, v)), color="0.85", linewidth=0.7, zorder=1)
    for node, (x, y) in positions.items():
        axes.scatter([x], [y], s=560, color="white", edgecolors="0.35", zorder=3)
        axes.text(x, y, f"${graph.nodes[node]['latex']}$", ha="center", va="center", fontsize=8,
                  zorder=4)
    chains = list(iter_chains(graph, source))
    if delta:
        for node in dict.fromkeys(f.wrt for chain in chains for f in chain
                                  if is_delta_node(graph, f.wrt)):
            for u, v in graph.subgraph(nx.descendants(graph, node) | {node}).edges:
                axes.plot(*zip(*edge(u, v)), color="tab:orange", alpha=0.12, linewidth=14,
                          solid_capstyle="round", zorder=0)
            axes.annotate(f"${delta_latex(graph, node)}$", positions[node], xytext=(0, 16),
                          textcoords="offset points", ha="center", fontsize=10,
                          color="tab:orange", zorder=5)
    _plot_chains(axes, chains,
                 lambda path, shift: [point for u, v in zip(path, path[1:])
                                      for point in edge(u, v, shift)],
                 lambda chain: chain.latex, "more")
    name = graph.graph.get("source", "graph")
    axes.set_title(rf"{name}: the {len(chains)} chain{'s' if len(chains) != 1 else ''} of "
                   rf"$\partial J / \partial {graph.nodes[source]['latex']}$", fontsize=12)
    return Drawing(figure)
