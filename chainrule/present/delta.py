"""The δ factoring of :mod:`chainrule.records.delta`, as text, unicode, LaTeX or JSON.

Without a selection: every δ's definition, every gradient through the δs, and for a layered
network's weights the same a layer at a time. With ``param``: each selected parameter's chains
grouped into δ terms step by step. Every equation is written by a notation of the graph
(:func:`chainrule.notation.notation_for`) from the record's δ records. The matrix view
(:class:`~chainrule.records.delta.MatrixDeltaRecord`) is written by the matrix notations
(:mod:`chainrule.notation.matrix`), each operand's shape under it.

Examples
--------
>>> import sys
>>> from chainrule.records.delta import DeltaRequest, compute
>>> text(compute(DeltaRequest.of("1-1", param=["1,1,1"])), sys.stdout)  # doctest: +ELLIPSIS
factoring dJ/dtheta^(1)_11: its 1 chain grouped into delta terms, one layer ... at a time
dJ/dtheta^(1)_11 = dJ/da^(2)_1 * da^(2)_1/dz^(2)_1 * dz^(2)_1/dtheta^(1)_11
                 = (dJ/da^(2)_1 * da^(2)_1/dz^(2)_1) * dz^(2)_1/dtheta^(1)_11
                 = delta^(2)_1 * dz^(2)_1/dtheta^(1)_11
                 = delta^(2)_1 * x_1
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from chainrule.notation import notation_for
from chainrule.notation.mathml import aligned_table
from chainrule.notation.matrix import matrix_notation_for
from chainrule.notation.table import format_table
from chainrule.present.documents import write_json
from chainrule.present.tables import OPS_HEADERS, ops_rows
from chainrule.records.delta import DeltaRecord, MatrixDeltaRecord

if TYPE_CHECKING:
    from chainrule.calculus.counting import OperationCounts


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def ops_table(ops: OperationCounts) -> str:
    """Multiplications and additions to get every gradient, three ways, as a table."""
    return format_table(OPS_HEADERS, ops_rows(ops))


def text(record: DeltaRecord | MatrixDeltaRecord, out: TextIO, format: str = "text") -> None:
    """δ definitions and factored gradients of every source, or the factoring of the selected
    parameters; the layer-at-a-time form for a layered network's weights; the operation
    counts if asked for. `format` is the notation: text, unicode, latex or mathml."""
    if isinstance(record, MatrixDeltaRecord):
        matrix(record, out, format)
        return
    notation = notation_for(format, record.graph)

    def heading(words: str) -> None:
        out.write(notation.comment(words))

    def both_views(equation_of, of) -> tuple[str, list[str]]:
        abstract, local = equation_of(of, "abstract"), equation_of(of, "local")
        return abstract.lhs, [abstract.rhs, local.rhs]

    if record.selected:
        for number, factoring in enumerate(record.factorings):
            name = factoring.source.name
            sides = notation.factoring(name, factoring.steps, factoring.factored)
            if number:
                out.write("\n")
            heading(
                f"factoring dJ/d{name}: its {_count(len(factoring.steps[0].terms), 'chain')} "
                "grouped into delta terms, one layer of weighted inputs at a time"
            )
            out.write(notation.equations([(notation.gradient_lhs(name), sides)]))
    else:
        heading(
            "delta^(l)_j = dJ/dz^(l)_j, from the output layer down"
            if record.network is not None
            else "delta_v = dJ/dv for every computed node v, from the cost down"
        )
        out.write(
            notation.equations(
                [both_views(notation.delta_definition, each) for each in record.definitions]
            )
        )
        out.write("\n")
        heading("every gradient through the deltas of the nodes it feeds")
        out.write(
            notation.equations(
                [both_views(notation.factored_gradient, each) for each in record.gradients]
            )
        )
        if record.matrix:
            assert record.network is not None  # a matrix form is a layered network's
            out.write("\n")
            heading("the same, a layer at a time")
            out.write(
                notation.equations(
                    [(eq.lhs, [eq.rhs]) for eq in notation.matrix_form(record.network)]
                )
            )
    if record.ops is not None:
        out.write("\n" + notation.comment(ops_table(record.ops)))


def unicode(record: DeltaRecord | MatrixDeltaRecord, out: TextIO) -> None:
    text(record, out, "unicode")


def latex(record: DeltaRecord | MatrixDeltaRecord, out: TextIO) -> None:
    text(record, out, "latex")


def mathml(record: DeltaRecord | MatrixDeltaRecord, out: TextIO) -> None:
    """Each block of equations as one ``<math display="block">``, prose as comments."""
    text(record, out, "mathml")


def json(record: DeltaRecord | MatrixDeltaRecord, out: TextIO) -> None:
    write_json(record.as_dict(), out, ascii=False)


# -- the matrix view ----------------------------------------------------------------------------

FORWARD_HEADING = "the forward pass, a row per example (m examples), each operand's shape under it"
_COMMENTS = {"text": "{}", "unicode": "{}", "latex": "% {}", "mathml": "<!-- {} -->"}


def matrix_heading(record: MatrixDeltaRecord) -> str:
    """What the recursion computes, in words."""
    named = "delta^(l) = dJ/dz^(l)" if record.layered else "delta_v = dJ/dv"
    gradients = "every input" if record.request.wrt == "inputs" else "every weight"
    if record.request.param:
        gradients = ", ".join(source.name for source in record.sources)
    return (
        f"{named} for the whole batch, from the cost down, and the gradient of {gradients} "
        "as soon as its delta is known"
    )


def matrix(record: MatrixDeltaRecord, out: TextIO, format: str = "text") -> None:
    """The forward pass (where it has a matrix formula) and the δ recursion, each operand's
    shape under it: two lines an equation in text and unicode, an under-brace in LaTeX, an
    under-script in MathML."""
    blocks = []
    if record.forward is not None:
        blocks.append((FORWARD_HEADING, record.forward))
    blocks.append((matrix_heading(record), record.backward))
    notation = matrix_notation_for(format)
    for number, (heading, equations) in enumerate(blocks):
        out.write(("\n" if number else "") + _COMMENTS[format].format(heading) + "\n")
        if format == "latex":
            lines = [line for equation in equations for line in notation.equation(equation)]
            out.write("\\[\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n\\]\n")
        elif format == "mathml":
            rows = []
            for equation in equations:
                lhs, rhs = notation.equation(equation)
                rows.append((lhs, [("=", rhs)]))
            out.write(aligned_table(rows) + "\n")
        else:
            for equation in equations:
                for line in notation.equation(equation):
                    out.write(f"  {line}\n")


PRESENTERS = {"text": text, "unicode": unicode, "latex": latex, "mathml": mathml, "json": json}
