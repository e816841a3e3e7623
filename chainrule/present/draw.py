"""The drawing of :mod:`chainrule.records.draw`, plotted with matplotlib: PNG, SVG or PDF.

One plotting path draws every record: the grey network, the labelled nodes, the ⋮ of cut
layers, the δ shading, the chains in their colours with the legend of their products, the
title and the summary line. Everything it places comes from the record; this module only says
how it looks. Labels are the notation's LaTeX, typeset by matplotlib's mathtext, so no TeX
install is needed. matplotlib is an optional extra: ``pip install 'chainrule[plot]'``.

Examples
--------
>>> from chainrule.records.draw import DrawRequest, compute
>>> svg(compute(DrawRequest.of("1-1"))).lstrip().startswith("<?xml")
True
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from chainrule.errors import SpecError
from chainrule.files import atomic_path
from chainrule.lazy import optional
from chainrule.records.draw import DrawRecord, Label

if TYPE_CHECKING:
    import os

    from matplotlib.figure import Figure

FORMATS = (".png", ".svg", ".pdf")
COLOURS = "tab10"
#: Pixels per inch of a saved PNG (and of a PDF's raster parts).
DPI = 150
#: Labels' sizes in points; a label's indices are set INDEX_SCALE as large, the upper one's
#: centre UPPER_RISE and the lower one's LOWER_DROP of the label's size from the base's.
NODE_LABEL_SIZE = 8
DELTA_LABEL_SIZE = 10
INDEX_SCALE = 0.7
UPPER_RISE, LOWER_DROP = 0.45, 0.36


def check_path(path: str | os.PathLike) -> str:
    """The picture format of `path` (``png``, ``svg`` or ``pdf``), from its suffix; any other
    suffix is refused before anything is drawn."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise SpecError(
            f"cannot draw to {str(path)!r}: the file name must end in {', '.join(FORMATS)}"
        )
    return suffix[1:]


# -- each label parsed once a save ---------------------------------------------------------------

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


# -- the one plotting path -----------------------------------------------------------------------


def figure(record: DrawRecord) -> Figure:
    """The record plotted on a new matplotlib figure (not pyplot's: nothing global)."""
    matplotlib_figure = optional("matplotlib.figure", "drawing", "plot")
    from matplotlib.collections import LineCollection

    style = record.style
    drawn = matplotlib_figure.Figure(figsize=style.figsize)
    axes = drawn.add_subplot()
    axes.set_axis_off()
    # One collection for all the grey edges and one for all the nodes: an artist each would
    # cost a draw call (and a bounding box for the tight crop) per edge and per node.
    edges = LineCollection(
        [edge.points for edge in record.layout.edges],
        colors=style.background_colour,
        linewidths=style.background_width,
        zorder=1,
    )
    axes.add_collection(edges, autolim=True)
    nodes = record.layout.nodes
    if nodes:
        xs, ys = zip(*(node.point for node in nodes))
        axes.scatter(xs, ys, s=style.node_size, color="white", edgecolors="0.35", zorder=3)
    for node, label in zip(nodes, record.labels):
        _set(axes, label, node.point, NODE_LABEL_SIZE, zorder=4)
    for x, y in record.layout.ellipses:
        axes.text(x, y, "⋮", ha="center", va="center", fontsize=12)
    _shade(axes, record)
    _chains(axes, record)
    summary = record.summary
    axes.set_title(record.title, fontsize=12, pad=22 if summary else 6)
    if summary:
        axes.text(
            0.5,
            1.0,
            "\n".join(textwrap.wrap(f"summary: {summary}", 140)),
            ha="center",
            va="bottom",
            fontsize=8,
            color="0.4",
            transform=axes.transAxes,
        )
    return drawn


def _shade(axes, record: DrawRecord) -> None:
    """Behind each node with a δ on the chains, every path from it to J (the sum that becomes
    its δ), with the δ's label just above the node."""
    for shading in record.shading:
        for points in shading.strokes:
            axes.plot(
                *zip(*points),
                color="tab:orange",
                alpha=0.12,
                linewidth=14,
                solid_capstyle="round",
                zorder=0,
            )
        if shading.label is not None:
            _set(
                axes,
                shading.label,
                shading.point,
                DELTA_LABEL_SIZE,
                # delta_offset is where the label's baseline sits; _set centres a label
                offset=(0, record.style.delta_offset + 0.4 * DELTA_LABEL_SIZE),
                color="tab:orange",
                zorder=5,
            )


def _set(
    axes, label: Label, point: tuple[float, float], size: float, offset=(0.0, 0.0), **style
) -> None:
    """`label` centred on `point` (moved by `offset` points): its base, with its indices
    stacked to its right as mathtext sets θ^{(1)}_{11}, made of plain texts (mathtext's parser
    takes 5-10 ms a label, where a plain text takes well under one)."""

    def text(words: str, x: float, y: float, size: float, **more) -> None:
        axes.annotate(
            words,
            point,
            xytext=(x, y),
            textcoords="offset points",
            va="center",
            fontsize=size,
            **style,
            **more,
        )

    dx, dy = offset
    if not (label.upper or label.lower):
        text(label.base, dx, dy, size, ha="center")
        return
    small = size * INDEX_SCALE
    slant: Literal["italic", "normal"] = "italic" if label.base.isalpha() else "normal"
    base_width = _width(label.base, size, slant)
    index_width = max(_width(label.upper, small), _width(label.lower, small))
    left = dx - (base_width + index_width) / 2
    text(label.base, left, dy, size, ha="left", fontstyle=slant)
    if label.upper:
        text(label.upper, left + base_width, dy + UPPER_RISE * size, small, ha="left")
    if label.lower:
        text(label.lower, left + base_width, dy - LOWER_DROP * size, small, ha="left")


@lru_cache(maxsize=512)
def _width(words: str, size: float, slant: Literal["italic", "normal"] = "normal") -> float:
    """The width in points of `words` set at `size` points in the default font."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    if not words:
        return 0.0
    properties = FontProperties(size=size, style=slant)
    return text_to_path.get_text_width_height_descent(words, properties, ismath=False)[0]


def _chains(axes, record: DrawRecord) -> None:
    """Each chain in its own colour, with a legend of the products the record writes."""
    from matplotlib import colormaps
    from matplotlib.lines import Line2D

    colours = colormaps[COLOURS]
    handles: list[Line2D] = []
    for chain in record.chains:
        colour = colours(chain.colour % colours.N)
        axes.plot(
            *zip(*chain.points),
            color=colour,
            linewidth=2.2,
            alpha=0.9,
            zorder=2,
            solid_capstyle="round",
        )
        if chain.legend is not None:
            handles.append(Line2D([], [], color=colour, linewidth=2.2, label=chain.legend))
    overflow = record.legend_overflow
    if overflow is not None:
        handles.append(Line2D([], [], color="none", label=overflow))
    axes.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), fontsize=11, frameon=False
    )


# -- files and bytes -----------------------------------------------------------------------------


def render(
    record: DrawRecord,
    target: str | os.PathLike,
    format: str,
    metadata: Mapping[str, str] | None = None,
) -> None:
    """Plot the record into the file `target` (written as it is: see :func:`save` for an
    atomic write) in `format` (``png``, ``svg`` or ``pdf``); `metadata` goes into the file's
    own (a PNG's text chunks, a PDF's information dictionary)."""
    drawn = figure(record)
    extra: dict[str, Any] = {} if metadata is None else {"metadata": dict(metadata)}
    with _each_label_parsed_once():
        drawn.savefig(target, format=format, bbox_inches="tight", dpi=DPI, **extra)


def save(record: DrawRecord, path: str | os.PathLike) -> None:
    """Write the picture to a .png, .svg or .pdf file, atomically."""

    format = check_path(path)
    with atomic_path(path) as temporary:
        render(record, temporary, format)


def _bytes(record: DrawRecord, format: str) -> bytes:
    buffer = io.BytesIO()
    drawn = figure(record)
    with _each_label_parsed_once():
        drawn.savefig(buffer, format=format, bbox_inches="tight")
    return buffer.getvalue()


def svg(record: DrawRecord) -> str:
    """The picture as SVG text (Jupyter's ``_repr_svg_``, an HTML report's figure)."""
    return _bytes(record, "svg").decode("utf-8")


def png(record: DrawRecord) -> bytes:
    """The picture as PNG bytes (Jupyter's ``_repr_png_``)."""
    return _bytes(record, "png")
