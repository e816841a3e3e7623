"""The report of :mod:`chainrule.records.report`, written as a document: LaTeX, Markdown or HTML.

The content is laid out once as a list of blocks (heading, paragraph, table, equations, figure)
read from the report's records; one renderer per format writes it. Equations are written by
the same notations as the terminal output: LaTeX for ``.tex`` and ``.md``, presentation MathML
for ``.html`` (browsers render it natively, so the page works offline: no script, no CDN). The
``.tex`` is a standalone document using only amsmath and graphicx.

:func:`write` writes a document and, for ``.tex`` and ``.md``, its figure in a side file beside
it (``r-figure.pdf``, ``r-figure.png``), both atomically. The figure carries a mark in its own
metadata (a PNG text chunk, the PDF's subject) naming the document it belongs to; a file at the
figure's path without that mark is another program's, and is never replaced.

Examples
--------
>>> import io
>>> from chainrule.records.report import ReportRequest, compute
>>> out = io.StringIO()
>>> markdown(compute(ReportRequest.of("1-1")), out)
>>> print(out.getvalue().splitlines()[0])
# Backpropagation derived in the open: 1-1
"""

from __future__ import annotations

import html
import os
import re
import struct
from pathlib import Path
from typing import NamedTuple, TextIO
from urllib.parse import quote

from chainrule.errors import MissingDependency, OutputRefused, SpecError
from chainrule.files import atomic_path, output_path, read_bytes_capped
from chainrule.lazy import optional
from chainrule.notation import notation_for
from chainrule.notation.latex import aligned_lines
from chainrule.notation.mathml import aligned_table
from chainrule.notation.matrix import matrix_notation_for
from chainrule.present import draw, worked
from chainrule.present.blocks import Equations, Figure, Heading, Math, Paragraph, Table
from chainrule.present.tables import LAYER_HEADERS, OPS_HEADERS, layer_rows, ops_rows
from chainrule.records.report import ReportRecord
from chainrule.records.verify import TITLES
from chainrule.records.worked import WorkedRecord

FORMATS = (".tex", ".md", ".html")
#: A document's figure, by the document's suffix: PDF beside LaTeX, PNG beside Markdown.
FIGURE_FORMATS = {".tex": "pdf", ".md": "png"}
#: Where a figure's mark goes in its own metadata.
MARK_KEYS = {"png": "chainrule", "pdf": "Subject"}
MISSING_MATPLOTLIB = (
    "(The figure is left out: drawing needs matplotlib, pip install 'chainrule[plot]'.)"
)


# -- content -------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _figure(record: ReportRecord, figure_path: str | None, embedded: bool) -> Figure | Paragraph:
    """The figure block: a side file's name, the SVG itself, or why there is none."""
    if record.drawing is None:
        return Paragraph(f"(The figure is left out: {record.figure_left_out}.)")

    try:
        optional("matplotlib.figure", "drawing", "plot")
    except MissingDependency:  # the report is complete without it, and says so
        return Paragraph(MISSING_MATPLOTLIB)
    caption = f"Every chain of ∂J/∂{record.focus.replace('theta', 'θ')}, each in its own colour."
    if embedded:
        return Figure(None, draw.svg(record.drawing), caption)
    return Figure(figure_path, None, caption)


def blocks(
    record: ReportRecord, format: str, figure_path: str | None = None, embedded: bool = False
) -> list:
    """The report's blocks, with equations in `format` (``latex`` or ``mathml``); the figure
    is the side file `figure_path`, or `embedded` SVG, or left out."""
    network = record.network
    counted = record.counts.rows[0].count
    assert counted is not None  # a report is of layer sizes
    activation = ", ".join(dict.fromkeys(network.activation))
    content: list = [
        Heading(f"Backpropagation derived in the open: {network.architecture}"),
        Paragraph(
            f"Layer sizes {network.architecture} (input first); activation {activation}; "
            f"cost {network.cost}; {'with' if network.bias else 'no'} bias. "
            "θ^(l)_jk is the weight to neuron j of layer l+1 from neuron k of layer l; "
            "z is a weighted input, a = f(z) an activation, J the cost."
        ),
        Heading("How many chain-rule products"),
        Paragraph(
            "A term is one partial derivative; a chain is one product of terms, one path "
            "from a weight to J."
        ),
        Table(LAYER_HEADERS, layer_rows(counted)),
        _figure(record, figure_path, embedded),
        Heading("Every chain"),
        Paragraph(
            "Each gradient is the sum of its chains, written cost first; below "
            "each, the same chains with every partial replaced by its formula."
        ),
    ]
    notation = notation_for(format, record.chains.graph)
    for group in record.chains.groups():
        chains = list(group.chains)
        lhs = notation.gradient_lhs(group.source.name)
        for view in ("abstract", "local"):
            parts = [notation.chain(chain, view) for chain in chains]
            content.append(Equations([(lhs, [("=", parts[0]), *(("+", p) for p in parts[1:])])]))

    deltas = record.deltas
    notation = notation_for(format, deltas.graph)

    def both_views(equation_of, of) -> tuple[str, list[tuple[str, str]]]:
        abstract, local = equation_of(of), equation_of(of, "local")
        return abstract.lhs, [("=", abstract.rhs), ("=", local.rhs)]

    content += [
        Heading("Factoring into δ"),
        Paragraph(
            "δ^(l)_j = ∂J/∂z^(l)_j sums every path from a weighted input to J; it "
            "is computed once per neuron, from the output down."
        ),
        Equations([both_views(notation.delta_definition, each) for each in deltas.definitions]),
        Paragraph("Every gradient is then a δ times what its weight multiplies:"),
        Equations([both_views(notation.factored_gradient, each) for each in deltas.gradients]),
    ]
    (factoring,) = record.factoring.factorings
    notation = notation_for(format, record.factoring.graph)
    content += [
        Paragraph(
            f"The factoring of {record.focus}'s chains, one layer of weighted inputs at a time:"
        ),
        Equations(
            [
                (
                    notation.gradient_lhs(record.focus),
                    [
                        ("=", side)
                        for side in notation.factoring(
                            record.focus, factoring.steps, factoring.factored
                        )
                    ],
                )
            ]
        ),
    ]

    content += _matrix_blocks(record, format)
    ops = record.counts.rows[0].ops
    assert ops is not None  # the report's count asks for them
    verified = record.verification
    content += [
        Heading("What the factoring saves"),
        Table(OPS_HEADERS, ops_rows(ops)),
        Heading("Checked against numbers"),
        Paragraph(
            f"A random case (seed {record.request.seed}, 4 examples, weights from [-1, 1]); "
            f"cost J = {verified.cost:.12g}. Each method against numeric backprop:"
        ),
        Table(["method", "max abs error", "max rel error", "result"], _verify_rows(record)),
    ]
    return content


def _matrix_blocks(record: ReportRecord, format: str) -> list:
    """The focus's weight matrix a layer at a time: its layer-level chains, each factor's shape
    under-braced (LaTeX) or under-scripted (MathML), and the δ recursion for a batch."""
    chains, deltas = record.matrix_chains, record.matrix_deltas
    if chains is None or deltas is None:
        return []
    notation = matrix_notation_for(format)
    (group,) = chains.groups()
    tensor = group.source.tensor
    products = [notation.chain(chain)[0] for chain in group.chains]
    lhs = notation.gradient_lhs(tensor)
    return [
        Heading("A layer at a time, with shapes"),
        Paragraph(
            # names as the prose writers know them (θ^(1)_11, Θ^(1)), the shape in words
            f"Grouping neurons into layers, {record.focus.replace('theta', 'θ')} is an entry "
            f"of the {'bias row' if tensor.name.startswith('b^') else 'weight matrix'} "
            f"{tensor.name.replace('Theta', 'Θ')}, "
            f"{tensor.shape.rows} by {tensor.shape.cols}; each product of Jacobians stands for "
            f"{group.source.scalar_chains:,} scalar chains, each factor's shape under it:"
        ),
        Equations([(lhs, [("=", products[0]), *(("+", p) for p in products[1:])])]),
        Paragraph(
            "For all m examples at once (rows are examples), backpropagation is the δ "
            "recursion, every operand's shape under it:"
        ),
        Equations([(left, [("=", right)]) for left, right in map(notation.sides, deltas.backward)]),
    ]


def _verify_rows(record: ReportRecord) -> list[list[str]]:
    rows = []
    for name, result in record.verification.methods.items():
        if name == "backprop":
            rows.append([TITLES[name], "", "", "reference"])
        elif result.skipped:
            rows.append([TITLES[name], "", "", f"skipped: {result.skipped}"])
        else:
            rows.append(
                [
                    TITLES[name],
                    f"{result.max_abs_error:.2e}",
                    f"{result.max_rel_error:.2e}",
                    "agrees" if result.ok else "DISAGREES",
                ]
            )
    return rows


# -- prose with the notation's names -------------------------------------------------------------

_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "θ": r"$\theta$",
    "δ": r"$\delta$",
    "∂": r"$\partial$",
    "η": r"$\eta$",
    "−": r"$-$",
    "⁺": r"$^{+}$",
}


def _tex_escape(text: str) -> str:
    return "".join(_TEX_SPECIAL.get(character, character) for character in text)


# A name in the notation inside prose: θ^(l)_jk, δ^(l)_j, ∂J/∂z^(l)_j ...
_NOTATION = re.compile(r"(∂J/∂)?([θΘδzax])\^\((\w+)\)(?:_([\w,]+))?")
_GREEK_LATEX = {"θ": r"\theta", "Θ": r"\Theta", "δ": r"\delta"}


def _notation_latex(match: re.Match) -> str:
    partial, stem, layer, index = match.groups()
    symbol = f"{_GREEK_LATEX.get(stem, stem)}^{{({layer})}}" + (f"_{{{index}}}" if index else "")
    return rf"\partial J/\partial {symbol}" if partial else symbol


def _prose_tex(text: str) -> str:
    pieces, last = [], 0
    for match in _NOTATION.finditer(text):
        pieces += [_tex_escape(text[last : match.start()]), f"${_notation_latex(match)}$"]
        last = match.end()
    return "".join(pieces) + _tex_escape(text[last:])


def _prose_markdown(text: str) -> str:
    return _NOTATION.sub(lambda match: f"${_notation_latex(match)}$", text)


def _prose_html(text: str) -> str:
    def replace(match: re.Match) -> str:
        partial, stem, layer, index = match.groups()
        return f"{'∂J/∂' if partial else ''}<i>{stem}</i><sup>({layer})</sup>" + (
            f"<sub>{index}</sub>" if index else ""
        )

    pieces, last = [], 0
    for match in _NOTATION.finditer(text):
        pieces += [html.escape(text[last : match.start()]), replace(match)]
        last = match.end()
    return "".join(pieces) + html.escape(text[last:])


def _tex_cell(cell: object) -> str:
    return f"${cell.formula}$" if isinstance(cell, Math) else _prose_tex(_cell(cell))


def _markdown_cell(cell: object) -> str:
    return f"${cell.formula}$" if isinstance(cell, Math) else _prose_markdown(_cell(cell))


def _html_cell(cell: object) -> str:
    return f"<math>{cell.formula}</math>" if isinstance(cell, Math) else _prose_html(_cell(cell))


def _aligned(equations: Equations) -> list[str]:
    return aligned_lines(equations.lines)


# -- one renderer per format ---------------------------------------------------------------------


def render_tex(content: list) -> str:
    out = [
        r"\documentclass[10pt]{article}",
        r"\usepackage{amsmath}",
        r"\usepackage{graphicx}",
        r"\usepackage[T1]{fontenc}",
        r"\allowdisplaybreaks",
        r"\begin{document}",
    ]
    for block in content:
        if isinstance(block, Heading):
            command = r"\section*" if out[-1] != r"\begin{document}" else r"\title"
            out.append(f"{command}{{{_prose_tex(block.text)}}}")
            if command == r"\title":
                out += [r"\date{}", r"\maketitle"]
        elif isinstance(block, Paragraph):
            out.append(_prose_tex(block.text) + "\n")
        elif isinstance(block, Table):
            columns = "l" + "r" * (len(block.headers) - 1)
            out.append(rf"\begin{{tabular}}{{{columns}}}")
            out.append(" & ".join(_prose_tex(h) for h in block.headers) + r" \\ \hline")
            out += [" & ".join(_tex_cell(c) for c in row) + r" \\" for row in block.rows]
            out.append(r"\end{tabular}" + "\n")
        elif isinstance(block, Equations):
            out.append(r"{\small\begin{align*}")
            out.append(" \\\\\n".join(_aligned(block)))
            out.append(r"\end{align*}}")
        elif isinstance(block, Figure) and block.path:
            out += [
                r"\begin{center}",
                rf"\includegraphics[width=\linewidth]{{{block.path}}}",
                _prose_tex(block.caption),
                r"\end{center}",
            ]
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


def render_markdown(content: list) -> str:
    out: list[str] = []
    for block in content:
        if isinstance(block, Heading):
            out.append(("# " if not out else "## ") + block.text + "\n")
        elif isinstance(block, Paragraph):
            out.append(_prose_markdown(block.text) + "\n")
        elif isinstance(block, Table):
            out.append("| " + " | ".join(block.headers) + " |")
            out.append("|" + "|".join([" --- "] + [" ---: "] * (len(block.headers) - 1)) + "|")
            out += ["| " + " | ".join(_markdown_cell(c) for c in row) + " |" for row in block.rows]
            out.append("")
        elif isinstance(block, Equations):
            out.append(
                "$$\n\\begin{aligned}\n"
                + " \\\\\n".join(_aligned(block))
                + "\n\\end{aligned}\n$$\n"
            )
        elif isinstance(block, Figure) and block.path:
            out.append(f"![{block.caption}]({block.path})\n")
    return "\n".join(out)


def render_html(content: list) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        "<title>chainrule report</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;"
        "padding:0 1em;line-height:1.5}table{border-collapse:collapse;margin:1em 0}"
        "td,th{padding:.2em .8em;border-bottom:1px solid #ddd;text-align:right}"
        "td:first-child,th:first-child{text-align:left}math[display=block]{margin:.6em 0;"
        "overflow-x:auto}figure{margin:1em 0}figure svg{max-width:100%;height:auto}</style>",
        "</head>",
        "<body>",
    ]
    first = True
    for block in content:
        if isinstance(block, Heading):
            out.append(f"<h{1 if first else 2}>{html.escape(block.text)}</h{1 if first else 2}>")
            first = False
        elif isinstance(block, Paragraph):
            out.append(f"<p>{_prose_html(block.text)}</p>")
        elif isinstance(block, Table):
            out.append(
                "<table><tr>"
                + "".join(f"<th>{html.escape(h)}</th>" for h in block.headers)
                + "</tr>"
            )
            out += [
                "<tr>" + "".join(f"<td>{_html_cell(c)}</td>" for c in row) + "</tr>"
                for row in block.rows
            ]
            out.append("</table>")
        elif isinstance(block, Equations):
            out.append(aligned_table(block.lines))
        elif isinstance(block, Figure) and block.svg:
            svg = block.svg[block.svg.index("<svg") :]  # drop the XML prologue inside HTML
            svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
            out.append(
                f"<figure>{svg}<figcaption>{_prose_html(block.caption)}</figcaption></figure>"
            )
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _document(
    record: ReportRecord | WorkedRecord, suffix: str, figure_path: str | None
) -> tuple[str, bool]:
    """The document in the format of `suffix`, and whether it shows the figure `figure_path`
    (HTML embeds it instead; a report without matplotlib, or past the drawing's budget, says
    why it has none; a worked example has none)."""
    if isinstance(record, WorkedRecord):
        render = {".html": render_html, ".tex": render_tex, ".md": render_markdown}[suffix]
        return render(worked.blocks(record, "mathml" if suffix == ".html" else "latex")), False
    if suffix == ".html":
        return render_html(blocks(record, "mathml", embedded=True)), False
    content = blocks(record, "latex", figure_path)
    shown = any(isinstance(block, Figure) and block.path for block in content)
    return (render_tex if suffix == ".tex" else render_markdown)(content), shown


def tex(record: ReportRecord | WorkedRecord, out: TextIO, figure_path: str | None = None) -> None:
    """The standalone LaTeX document, its figure the side file `figure_path` (if any)."""
    out.write(_document(record, ".tex", figure_path)[0])


def markdown(
    record: ReportRecord | WorkedRecord, out: TextIO, figure_path: str | None = None
) -> None:
    """The Markdown document (``$$`` math), its figure the side file `figure_path` (if any)."""
    out.write(_document(record, ".md", figure_path)[0])


def html_page(
    record: ReportRecord | WorkedRecord, out: TextIO, figure_path: str | None = None
) -> None:
    """The HTML page, MathML and the figure's SVG inline: it needs no network."""
    out.write(_document(record, ".html", None)[0])


#: The document's suffix -> the function that writes it.
PRESENTERS = {".tex": tex, ".md": markdown, ".html": html_page}


# -- files: the document and its figure ----------------------------------------------------------


class Targets(NamedTuple):
    """Where a report goes: the `document` path given, and its `figure` side file (None for
    HTML, whose figure is inline), beside the document a symlink points to."""

    document: Path
    figure: Path | None
    owner: str  # the document's own file name, which the figure's mark names


def targets(path: str | os.PathLike) -> Targets:
    """The files a report to `path` writes, checked before any work: the suffix, and the
    document's path (a device, a directory or a read-only file is refused)."""

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise SpecError(
            f"cannot write a report to {str(path)!r}: the file name must end in "
            f"{', '.join(FORMATS)}"
        )
    resolved = output_path(target)
    # A symlink's figure goes beside the document it points to, where the document's relative
    # link finds it.
    beside = resolved if target.is_symlink() else target
    figure = None
    if suffix in FIGURE_FORMATS:
        figure = beside.with_name(f"{beside.stem}-figure.{FIGURE_FORMATS[suffix]}")
    return Targets(target, figure, beside.name)


def mark(owner: str) -> str:
    """The mark a report's figure carries: the document it belongs to (ASCII, so that it
    reads back the same from a PDF's strings and a PNG's text chunks).

    Examples
    --------
    >>> mark("my notes (v2).md")
    'chainrule report figure of my%20notes%20%28v2%29.md'
    """
    return f"chainrule report figure of {quote(owner)}"


def figure_mark(path: str | os.PathLike) -> str | None:
    """The mark in a figure's metadata (see :func:`mark`), or None: a PNG's ``chainrule``
    text chunk, a PDF's subject. Anything unreadable has none."""

    try:
        data = read_bytes_capped(path, "figure")
    except SpecError:
        return None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        position = 8
        while position + 8 <= len(data):
            (length,) = struct.unpack(">I", data[position : position + 4])
            kind = data[position + 4 : position + 8]
            if kind == b"IDAT" or kind == b"IEND":
                break  # text chunks come first
            if kind == b"tEXt":
                key, _, value = data[position + 8 : position + 8 + length].partition(b"\0")
                if key == MARK_KEYS["png"].encode():
                    return value.decode("latin-1")
            position += 12 + length
        return None
    if data.startswith(b"%PDF"):
        found = re.search(rb"/" + MARK_KEYS["pdf"].encode() + rb" \(([ -'*-\[\]-~]*)\)", data)
        return found.group(1).decode("ascii") if found else None
    return None


def _check_side_file(figure: Path, document: Path, owner: str) -> None:
    """Refuse a figure path that holds anything but this report's own figure: a file whose
    metadata carries the mark of `owner` (its document's name)."""

    if not figure.exists() and not figure.is_symlink():
        return
    output_path(figure)
    if figure_mark(figure) != mark(owner):
        raise OutputRefused(
            f"the report's figure would replace {str(figure)!r}, which exists and is not the "
            f"figure of {str(document)!r} (chainrule marks the figures it writes; this file "
            "has no such mark); move it, or write the report under another name"
        )


def write(record: ReportRecord | WorkedRecord, where: Targets) -> list[str]:
    """Write the document and its figure (if any); returns the files written.

    Everything is rendered before anything is replaced, and the figure and the document are
    written together, each through a temporary file beside it that an interruption removes: a
    refusal leaves no file behind, and neither is ever half written.
    """

    suffix = where.document.suffix.lower()
    text, shown = _document(record, suffix, where.figure.name if where.figure is not None else None)
    figure = where.figure if shown else None
    if figure is not None:
        _check_side_file(figure, where.document, where.owner)
    written = [str(where.document)]
    with atomic_path(where.document) as document:
        document.write_text(text, encoding="utf-8")
        if figure is not None:
            # the document names a figure: a report's drawing (a worked example shows none)
            assert isinstance(record, ReportRecord) and record.drawing is not None
            format = FIGURE_FORMATS[suffix]
            with atomic_path(figure) as picture:
                draw.render(record.drawing, picture, format, {MARK_KEYS[format]: mark(where.owner)})
            written.append(str(figure))
    return written


def save(record: ReportRecord | WorkedRecord, path: str | os.PathLike) -> list[str]:
    """Write the report to `path` (.tex, .md or .html) and its figure beside it; returns the
    files written (see :func:`write`)."""
    return write(record, targets(path))
