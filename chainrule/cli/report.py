"""``chainrule report``: the whole derivation as a document to keep, in LaTeX, Markdown or HTML.

The content is built once as a list of blocks (heading, paragraph, table, equations, figure);
one renderer per format writes it. Equations are written by the same printers as the terminal
output: LaTeX for ``.tex`` and ``.md``, presentation MathML for ``.html`` (browsers render it
natively, so the page works offline: no script, no CDN). The ``.tex`` is a standalone document
using only amsmath and graphicx. Every file is written atomically.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from chainrule import budget
from chainrule.calculus.counting import count, count_parameter
from chainrule.errors import MissingDependency, OutputRefused, TooLarge
from chainrule.graph.spec import Network, ParameterIndex, SpecError

FORMATS = (".tex", ".md", ".html")
DEFAULT_CHAIN_LIMIT = 2_000


class Heading(NamedTuple):
    text: str


class Paragraph(NamedTuple):
    text: str


class Table(NamedTuple):
    headers: list[str]
    rows: Sequence[Sequence[object]]


class Equations(NamedTuple):
    """Lines of (lhs, [(operator, rhs), ...]): the first operator is '=', later ones '=' or '+'."""

    lines: list[tuple[str, list[tuple[str, str]]]]


class Figure(NamedTuple):
    path: str | None  # relative to the document; None when embedded
    svg: str | None
    caption: str


# --- content ------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def build(
    network: Network,
    parameters: list[ParameterIndex],
    format: str,
    figure: Figure | None,
    seed: int = 0,
) -> list:
    """The report's blocks, with equations in `format` ("latex" or "mathml")."""
    from chainrule.calculus import delta
    from chainrule.calculus.counting import operation_counts
    from chainrule.graph.build import build_graph
    from chainrule.graph.chains import iter_chains
    from chainrule.notation import notation_for
    from chainrule.records import verify as verify_record

    graph = build_graph(network)
    notation = notation_for(format, graph)
    counts = count(network)
    activation = ", ".join(dict.fromkeys(network.activation))
    blocks: list = [
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
        Table(
            ["weights", "parameters", "chains each", "terms each", "chains", "terms"],
            [
                [
                    f"θ^({r.layer})",
                    r.parameters,
                    r.chains_per_parameter,
                    r.chain_length,
                    r.chains,
                    r.terms,
                ]
                for r in counts.layers
            ]
            + [["all", counts.parameters, "", "", counts.chains, counts.terms]],
        ),
    ]
    blocks.append(
        figure
        if figure is not None
        else Paragraph(
            "(The figure is left out: drawing needs matplotlib, pip install 'chainrule[plot]'.)"
        )
    )

    blocks.append(Heading("Every chain"))
    blocks.append(
        Paragraph(
            "Each gradient is the sum of its chains, written cost first; below "
            "each, the same chains with every partial replaced by its formula."
        )
    )
    for parameter in parameters:
        chains = list(iter_chains(graph, parameter.name))
        lhs = notation.gradient_lhs(parameter.name)
        for view in ("abstract", "local"):
            parts = [notation.chain(chain, view) for chain in chains]
            blocks.append(Equations([(lhs, [("=", parts[0]), *(("+", p) for p in parts[1:])])]))

    blocks.append(Heading("Factoring into δ"))
    blocks.append(
        Paragraph(
            "δ^(l)_j = ∂J/∂z^(l)_j sums every path from a weighted input to J; it "
            "is computed once per neuron, from the output down."
        )
    )

    def both_views(equation_of, record) -> tuple[str, list[tuple[str, str]]]:
        abstract, local = equation_of(record), equation_of(record, "local")
        return abstract.lhs, [("=", abstract.rhs), ("=", local.rhs)]

    blocks.append(
        Equations(
            [
                both_views(notation.delta_definition, definition)
                for definition in delta.define_deltas(graph)
            ]
        )
    )
    blocks.append(Paragraph("Every gradient is then a δ times what its weight multiplies:"))
    blocks.append(
        Equations(
            [
                both_views(notation.factored_gradient, delta.factor_gradient(graph, p.name))
                for p in network.parameters()
            ]
        )
    )
    blocks.append(Paragraph("A layer at a time:"))
    blocks.append(Equations([(eq.lhs, [("=", eq.rhs)]) for eq in notation.matrix_form(network)]))
    focus = parameters[0]
    blocks.append(
        Paragraph(
            f"The factoring of {focus.name}'s chains, one layer of weighted inputs at a time:"
        )
    )
    blocks.append(
        Equations(
            [
                (
                    notation.gradient_lhs(focus.name),
                    [("=", side) for side in notation.factoring(focus.name)],
                )
            ]
        )
    )

    ops = operation_counts(network)
    blocks.append(Heading("What the factoring saves"))
    blocks.append(
        Table(
            ["every gradient by", "multiplications", "additions"],
            [
                ["expanded path sum", *ops.expanded],
                ["reverse mode (delta)", *ops.reverse],
                ["forward mode", *ops.forward],
            ],
        )
    )

    report = verify_record.compute(verify_record.request(network, seed=seed))
    blocks.append(Heading("Checked against numbers"))
    blocks.append(
        Paragraph(
            f"A random case (seed {seed}, 4 examples, weights from [-1, 1]); cost "
            f"J = {report.cost:.12g}. Each method against numeric backprop:"
        )
    )
    rows = []
    for name, result in report.methods.items():
        if name == "backprop":
            rows.append([verify_record.TITLES[name], "", "", "reference"])
        elif result.skipped:
            rows.append([verify_record.TITLES[name], "", "", f"skipped: {result.skipped}"])
        else:
            rows.append(
                [
                    verify_record.TITLES[name],
                    f"{result.max_abs_error:.2e}",
                    f"{result.max_rel_error:.2e}",
                    "agrees" if result.ok else "DISAGREES",
                ]
            )
    blocks.append(Table(["method", "max abs error", "max rel error", "result"], rows))
    return blocks


# --- renderers ----------------------------------------------------------------------------------

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
}


def _tex_escape(text: str) -> str:
    return "".join(_TEX_SPECIAL.get(character, character) for character in text)


# A name in the notation inside prose: θ^(l)_jk, δ^(l)_j, ∂J/∂z^(l)_j ...
_NOTATION = re.compile(r"(∂J/∂)?([θδzax])\^\((\w+)\)(?:_([\w,]+))?")
_GREEK_LATEX = {"θ": r"\theta", "δ": r"\delta"}


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


def _aligned(equations: Equations) -> list[str]:
    from chainrule.notation.latex import aligned_lines

    return aligned_lines(equations.lines)


def render_tex(blocks: list) -> str:
    out = [
        r"\documentclass[10pt]{article}",
        r"\usepackage{amsmath}",
        r"\usepackage{graphicx}",
        r"\usepackage[T1]{fontenc}",
        r"\allowdisplaybreaks",
        r"\begin{document}",
    ]
    for block in blocks:
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
            out += [" & ".join(_prose_tex(_cell(c)) for c in row) + r" \\" for row in block.rows]
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


def render_markdown(blocks: list) -> str:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(("# " if not out else "## ") + block.text + "\n")
        elif isinstance(block, Paragraph):
            out.append(_prose_markdown(block.text) + "\n")
        elif isinstance(block, Table):
            out.append("| " + " | ".join(block.headers) + " |")
            out.append("|" + "|".join([" --- "] + [" ---: "] * (len(block.headers) - 1)) + "|")
            out += [
                "| " + " | ".join(_prose_markdown(_cell(c)) for c in row) + " |"
                for row in block.rows
            ]
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


def render_html(blocks: list) -> str:
    from chainrule.notation.mathml import aligned_table

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
    for block in blocks:
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
                "<tr>" + "".join(f"<td>{_prose_html(_cell(c))}</td>" for c in row) + "</tr>"
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


def write_report(
    network: Network,
    path: str,
    parameters: list[ParameterIndex] | None = None,
    limit: int = DEFAULT_CHAIN_LIMIT,
    seed: int = 0,
    max_graph: int = budget.DEFAULT_MAX_GRAPH,
) -> list[str]:
    """Write the report to `path` (.tex, .md or .html); returns the files written.

    Refuses before any work (:class:`~chainrule.errors.TooLarge`) a report of more than `limit`
    chains or on a computation graph of more than `max_graph` nodes and edges.

    A .tex or .md report has its figure in a side file beside it (``r-figure.pdf`` or
    ``r-figure.png``). That file is never replaced unasked: it may exist only as the figure of
    the report being replaced (the document at `path` names it); anything else there is
    refused, naming it. Everything is computed before anything is written, and the figure and
    the document are written together: a refusal leaves no file behind.
    """
    from chainrule.files import atomic_path, output_path
    from chainrule.graph.build import check_graph_size

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise SpecError(
            f"cannot write a report to {path!r}: the file name must end in {', '.join(FORMATS)}"
        )
    # A device, a directory or a read-only file is refused before any work. A symlink's figure
    # goes beside the document it points to, where the document's relative link finds it.
    resolved = output_path(target)
    beside = resolved if target.is_symlink() else target
    chains = (
        sum(count_parameter(network, p)[0] for p in parameters)
        if parameters
        else count(network).chains
    )  # counted, never listed: the refusal is instant
    if chains > limit:
        advice = budget.limit_advice(chains, " or select weights with --param l,j,k")
        raise TooLarge(
            f"the report would write {chains:,} chains, more than --limit {limit:,}; {advice}"
        )
    check_graph_size(network, max_graph)  # the report derives, draws and verifies on the graph
    selected = parameters or list(network.parameters())
    focus = selected[0]
    figure_path = None
    if suffix != ".html":
        figure_path = beside.with_name(
            f"{beside.stem}-figure{'.pdf' if suffix == '.tex' else '.png'}"
        )
        _check_side_file(figure_path, beside)
    caption = f"Every chain of ∂J/∂{focus.name.replace('theta', 'θ')}, each in its own colour."
    from chainrule.lazy import optional
    from chainrule.present import draw as present_draw
    from chainrule.records import draw as draw_record

    drawing: draw_record.DrawRecord | None = draw_record.compute(
        draw_record.DrawRequest.of(network, param=",".join(map(str, focus)))
    )
    try:
        optional("matplotlib.figure", "drawing", "plot")
    except MissingDependency:
        drawing = None  # the report is complete without it; build() says so in the text
    figure = None
    if drawing is not None:
        figure = (
            Figure(None, present_draw.svg(drawing), caption)
            if figure_path is None
            else Figure(figure_path.name, None, caption)
        )
    blocks = build(network, selected, "mathml" if suffix == ".html" else "latex", figure, seed=seed)
    renderer = {".tex": render_tex, ".md": render_markdown, ".html": render_html}[suffix]
    text = renderer(blocks)
    written = [str(target)]
    with atomic_path(target) as document:
        document.write_text(text, encoding="utf-8")
        if drawing is not None and figure_path is not None:
            with atomic_path(figure_path) as picture:
                present_draw.save(drawing, picture)
            written.append(str(figure_path))
    return written


def _check_side_file(figure_path: Path, document: Path) -> None:
    """Refuse a figure path that holds a file other than this report's own earlier figure."""
    from chainrule.files import output_path, read_bytes_capped

    if not figure_path.exists() and not figure_path.is_symlink():
        return
    output_path(figure_path)
    try:
        ours = figure_path.name in read_bytes_capped(document, "report").decode("utf-8", "replace")
    except SpecError:  # no earlier report there, or not one we can read
        ours = False
    if not ours:
        raise OutputRefused(
            f"the report's figure would replace {str(figure_path)!r}, which exists "
            f"and is not the figure of {str(document)!r}; move it, or write the "
            "report under another name"
        )
