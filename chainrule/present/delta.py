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

from collections.abc import Sequence
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
    from chainrule.calculus.delta import Product, Step


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def ops_table(ops: OperationCounts) -> str:
    """Multiplications and additions to get every gradient, three ways, as a table."""
    return format_table(OPS_HEADERS, ops_rows(ops))


def numbers_heading(record: DeltaRecord) -> str:
    """What the numbers beside the formulas are: their case, and what each stands for."""
    numbers = record.numbers
    assert numbers is not None  # a record with numbers
    m = numbers.examples
    each = "" if m == 1 else " in each example, then a gradient summed over the examples"
    lines = [
        f"numbers of {record.label}, {_count(m, 'example')}, {numbers.origin}: each formula "
        f"with its deltas and partials replaced by their values, and its value{each}"
    ]
    if numbers.saturated:
        lines.append(
            "an output is exactly 0 or 1 (saturated): its dJ/da is infinite there, and the "
            "delta of its weighted input comes from the logits, (a - y)/m, which is finite"
        )
    return "\n".join(lines)


class _InNumbers:
    """The sides that write a record's formulas in the numbers of its case: a line per
    example (one example: no note)."""

    def __init__(self, record: DeltaRecord, notation):
        assert record.numbers is not None  # a record with numbers
        self.numbers, self.notation = record.numbers, notation
        self.examples = record.numbers.examples

    def _noted(self, side: str, example: int) -> str:
        if self.examples == 1:
            return side
        return self.notation.annotated(side, f"example {example + 1}")

    def products(self, products: Sequence[Product], values=None) -> list[str]:
        """`products` with every δ and partial replaced by its number, and their `values`
        (per example) after them; a lone partial is written as its value alone."""
        notation, numbers = self.notation, self.numbers
        lone = len(products) == 1 and products[0].head is None and len(products[0].items) == 1
        sides = []
        for example in range(self.examples):
            if lone and values is not None:
                side = notation.number(values[example])
            else:
                side = notation.numbers_of(
                    products, lambda item, example=example: numbers.item(item, example)
                )
                if values is not None:
                    side = notation.equal(side, notation.number(values[example]))
            sides.append(self._noted(side, example))
        return sides

    def step(self, step: Step) -> list[str]:
        return self.products(step.terms)

    def summed(self, values, total: float) -> list[str]:
        """With several examples, a gradient's values in each (`values`) added up to `total`,
        its sum over the examples; with one, nothing more to write."""
        if self.examples == 1:
            return []
        notation = self.notation
        summed = notation.equal(notation.numbers_sum(values.tolist()), notation.number(total))
        return [notation.annotated(summed, f"summed over the {self.examples:,} examples")]

    def values(self, values, total: float) -> list[str]:
        """A gradient's value in each example and, with several, their sum over the
        examples."""
        notation = self.notation
        if self.examples == 1:
            return [notation.number(total)]
        sides = [self._noted(notation.number(values[e]), e) for e in range(self.examples)]
        return sides + self.summed(values, total)


def _once(sides: list[str]) -> list[str]:
    """`sides` without a side that repeats the one before it: a local formula that is a
    number (dE/dE_o1 = 1) is not written again as its value."""
    return [side for number, side in enumerate(sides) if number == 0 or side != sides[number - 1]]


def text(record: DeltaRecord | MatrixDeltaRecord, out: TextIO, format: str = "text") -> None:
    """δ definitions and factored gradients of every source, or the factoring of the selected
    parameters; the layer-at-a-time form for a layered network's weights; the operation
    counts if asked for. `format` is the notation: text, unicode, latex or mathml. With a
    case's numbers, each formula is followed by the same in numbers and its value, at every
    step."""
    if isinstance(record, MatrixDeltaRecord):
        matrix(record, out, format)
        return
    notation = notation_for(format, record.graph)
    numbers = record.numbers
    in_numbers = _InNumbers(record, notation) if numbers is not None else None

    def heading(words: str) -> None:
        out.write(notation.comment(words))

    def both_views(equation_of, of) -> tuple[str, list[str]]:
        abstract, local = equation_of(of, "abstract"), equation_of(of, "local")
        return abstract.lhs, [abstract.rhs, local.rhs]

    if numbers is not None:
        heading(numbers_heading(record))
        out.write("\n")
    if record.selected:
        for number, factoring in enumerate(record.factorings):
            name = factoring.source.name
            sides = notation.factoring(
                name,
                factoring.steps,
                factoring.factored,
                None if in_numbers is None else in_numbers.step,
            )
            if numbers is not None and in_numbers is not None:
                sides += in_numbers.values(numbers.delta(name), numbers.gradient(name))
            if number:
                out.write("\n")
            heading(
                f"factoring dJ/d{name}: its {_count(len(factoring.steps[0].terms), 'chain')} "
                "grouped into delta terms, one layer of weighted inputs at a time"
            )
            out.write(notation.equations([(notation.gradient_lhs(name), _once(sides))]))
    else:
        heading(
            "delta^(l)_j = dJ/dz^(l)_j, from the output layer down"
            if record.network is not None
            else "delta_v = dJ/dv for every computed node v, from the cost down"
        )
        definitions = [both_views(notation.delta_definition, each) for each in record.definitions]
        if numbers is not None and in_numbers is not None:
            for (_, sides), definition in zip(definitions, record.definitions):
                sides += in_numbers.products(definition.terms, numbers.delta(definition.delta.node))
        out.write(notation.equations([(lhs, _once(sides)) for lhs, sides in definitions]))
        out.write("\n")
        heading("every gradient through the deltas of the nodes it feeds")
        sources = record.selected or record.every
        gradients = [both_views(notation.factored_gradient, each) for each in record.gradients]
        if numbers is not None and in_numbers is not None:
            for (_, sides), source, factored in zip(gradients, sources, record.gradients):
                per_example = numbers.delta(source.name)
                sides += in_numbers.products(factored.terms, per_example)
                sides += in_numbers.summed(per_example, numbers.gradient(source.name))
        out.write(notation.equations(gradients))
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
