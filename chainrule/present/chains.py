"""The chains of :mod:`chainrule.records.chains`, streamed as text, unicode, LaTeX or JSON.

Each writer reads the record's groups one source at a time and writes each chain as it arrives;
every string is written by a notation of the graph (:func:`chainrule.notation.notation_for`).
The abstract view needs no SymPy, which the notations import only when a formula is printed.

Examples
--------
>>> import sys
>>> from chainrule.records.chains import ChainsRequest, compute
>>> text(compute(ChainsRequest.of("1-1-1", param=["2,1,1"], view="local")), sys.stdout)
dJ/dtheta^(2)_11: 1 chain, 3 terms
  (a^(3)_1 - y_1)/m * a^(3)_1*(1 - a^(3)_1) * a^(2)_1
"""

from __future__ import annotations

import json as _json
from collections.abc import Iterable
from typing import TextIO

from chainrule.files import json_safe
from chainrule.notation import notation_for
from chainrule.notation.matrix import matrix_notation_for
from chainrule.records.chains import (
    ChainGroup,
    ChainsRecord,
    MatrixChainsRecord,
    MatrixGroup,
    equation_document,
    factor_document,
    numbered_chain_document,
)
from chainrule.records.subject import MatrixSource, Source


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def heading(source: Source) -> str:
    """``dJ/dtheta^(1)_11: 2 chains, 10 terms``: a source and its counts."""
    return f"dJ/d{source.name}: {_count(source.chains, 'chain')}, {_count(source.terms, 'term')}"


def numbers_heading(record: ChainsRecord) -> str:
    """What the numbers view's numbers are: their case, and what a chain's value and the
    gradient are made of."""
    numbers = record.numbers
    assert numbers is not None  # the numbers view's record
    m = numbers.examples
    if m == 1:
        made = "each chain is the product of its factors' values"
    else:
        made = (
            "each chain is the product of its factors' values in each example, summed over "
            f"the {m:,} examples"
        )
    lines = [
        f"numbers of {record.label}, {_count(m, 'example')}, {numbers.origin}: {made}; "
        "the gradient is the sum of its chains"
    ]
    if numbers.saturated:
        lines.append(
            "an output is exactly 0 or 1 (saturated): its dJ/da is infinite there, so the "
            "chains through it are not finite; values and verify take its delta from the logits"
        )
    return "\n".join(lines)


def numbers_lines(group: ChainGroup, notation, examples: int) -> tuple[list[list[str]], str]:
    """The numbers view's lines of one source: for each chain, its product of numbers and its
    value (a line per example, then their sum, with several examples); and the gradient's
    right-hand side, the sum of the chains' values."""
    assert group.numbers is not None  # the numbers view's group
    chains = []
    for chain in group.numbers.chains:
        lines = []
        for example in range(examples):
            product = notation.equal(
                notation.numbers_product(chain.factors[:, example].tolist()),
                notation.number(chain.per_example[example]),
            )
            lines.append(
                product if examples == 1 else notation.annotated(product, f"example {example + 1}")
            )
        if examples > 1:
            summed = notation.equal(
                notation.numbers_sum(chain.per_example.tolist()), notation.number(chain.value)
            )
            lines.append(notation.annotated(summed, f"summed over the {examples:,} examples"))
        chains.append(lines)
    values = [chain.value for chain in group.numbers.chains]
    gradient = notation.number(group.numbers.gradient)
    total = gradient if len(values) == 1 else notation.equal(notation.numbers_sum(values), gradient)
    return chains, total


def _numbers_text(record: ChainsRecord, out: TextIO, unicode: bool) -> None:
    notation = notation_for("unicode" if unicode else "text", record.graph)
    assert record.numbers is not None  # the numbers view's record
    out.write(numbers_heading(record) + "\n")
    for group in record.groups():
        out.write("\n" + heading(group.source) + "\n")
        lines, total = numbers_lines(group, notation, record.numbers.examples)
        for chain, numbers in zip(group.chains, lines):
            out.write(f"  {notation.chain(chain)}\n")
            for line in numbers:
                out.write(f"    = {line}\n")
        out.write(f"  {notation.gradient_lhs(group.source.name)} = {total}\n")


def text(record: ChainsRecord | MatrixChainsRecord, out: TextIO, unicode: bool = False) -> None:
    """A heading per source, then one chain per line (or the closed expression); in the
    numbers view, each chain's numbers under it and the gradient they add up to."""
    if isinstance(record, MatrixChainsRecord):
        matrix_text(record, out, unicode)
        return
    if record.numbers is not None:
        _numbers_text(record, out, unicode)
        return
    notation = notation_for("unicode" if unicode else "text", record.graph)
    view = record.request.view
    for number, group in enumerate(record.groups()):
        out.write(("\n" if number else "") + heading(group.source) + "\n")
        if group.closed is not None:
            out.write(f"  {notation.closed_gradient(group.source.name, group.closed)}\n")
            continue
        for chain in group.chains:
            out.write(f"  {notation.chain(chain, view)}\n")


def unicode(record: ChainsRecord | MatrixChainsRecord, out: TextIO) -> None:
    text(record, out, unicode=True)


def _numbers_latex(record: ChainsRecord, out: TextIO) -> None:
    notation = notation_for("latex", record.graph)
    assert record.numbers is not None  # the numbers view's record
    out.write(notation.comment(numbers_heading(record)))
    for group in record.groups():
        out.write("\n" + notation.comment(heading(group.source)))
        lines, total = numbers_lines(group, notation, record.numbers.examples)
        body = []
        for chain, numbers in zip(group.chains, lines):
            body.append(f"&{notation.chain(chain)}")
            body += [rf"&\quad = {line}" for line in numbers]
        body.append(f"{notation.gradient_lhs(group.source.name)} &= {total}")
        out.write("\\[\n\\begin{aligned}\n" + " \\\\\n".join(body) + "\n\\end{aligned}\n\\]\n")


def latex(record: ChainsRecord | MatrixChainsRecord, out: TextIO) -> None:
    """One display-math ``aligned`` block per source, each chain on its own line (in the
    numbers view, its numbers on the lines under it, then the gradient)."""
    if isinstance(record, MatrixChainsRecord):
        matrix_latex(record, out)
        return
    if record.numbers is not None:
        _numbers_latex(record, out)
        return
    notation = notation_for("latex", record.graph)
    for number, group in enumerate(record.groups()):
        out.write(("\n" if number else "") + notation.comment(heading(group.source)))
        body = (
            notation.closed_gradient(group.source.name, group.closed)
            if group.closed is not None
            else notation.gradient(group.source.name, group.chains, record.request.view)
        )
        out.write("\\[\n" + body + "\n\\]\n")


def json(record: ChainsRecord | MatrixChainsRecord, out: TextIO) -> None:
    """The record's document, streamed a chain at a time: ``[{"parameter", "chains": [[factor,
    ...], ...]}, ...]`` (the same as ``record.as_dict()``)."""
    if isinstance(record, MatrixChainsRecord):
        matrix_json(record, out)
        return
    text_notation = notation_for("text", record.graph)
    latex_notation = notation_for("latex", record.graph)
    view = record.request.view
    out.write("[")
    for number, group in enumerate(record.groups()):
        out.write(
            ("," if number else "") + "\n  " + f'{{"parameter": {_json.dumps(group.source.name)}, '
        )
        if group.closed is not None:
            out.write(
                f'"closed": {_json.dumps(text_notation.formula(group.closed))}, '
                f'"closed_latex": {_json.dumps(latex_notation.formula(group.closed))}, '
            )
        documents: Iterable[object]
        if group.numbers is not None:
            out.write(f'"gradient": {_json.dumps(json_safe(group.numbers.gradient))}, ')
            documents = (
                numbered_chain_document(chain, numbers, text_notation, latex_notation)
                for chain, numbers in zip(group.chains, group.numbers.chains)
            )
        else:
            documents = (
                [factor_document(factor, view, text_notation, latex_notation) for factor in chain]
                for chain in group.chains
            )
        out.write('"chains": [')
        for chain_number, document in enumerate(documents):
            # NaN and infinities (a saturated output's chains) are not JSON: null
            written = _json.dumps(json_safe(document), ensure_ascii=False, allow_nan=False)
            out.write(("," if chain_number else "") + "\n    " + written)
        out.write("\n  ]}")
    out.write("\n]\n")


# -- the matrix view ----------------------------------------------------------------------------


def matrix_heading(source: MatrixSource, format: str = "text") -> str:
    """``dJ/dTheta^(1): 1 chain, 5 Jacobians (8 scalar chains); Theta^(1) is 2x2``."""
    factors = _count(source.factors, "Jacobian")
    shape = source.tensor.shape.written("unicode" if format == "unicode" else "text")
    return (
        f"dJ/d{source.name}: {_count(source.chains, 'chain')}, {factors} "
        f"({_count(source.scalar_chains, 'scalar chain')}); {source.name} is {shape}"
    )


def _batch_note(group: MatrixGroup) -> str:
    if group.batch is None:
        return (
            "no batch form: a Jacobian on the way differs by example and is neither a "
            "weight matrix nor diagonal"
        )
    return "in batch form, a row per example:"


def matrix_text(record: MatrixChainsRecord, out: TextIO, unicode: bool = False) -> None:
    """A heading per tensor; each chain, its factors' shapes under them; then the δ
    recursion in batch form, each operand's shape under it."""
    format = "unicode" if unicode else "text"
    notation = matrix_notation_for(format)
    for number, group in enumerate(record.groups()):
        out.write(("\n" if number else "") + matrix_heading(group.source, format) + "\n")
        for chain in group.chains:
            for line in notation.chain(chain):
                out.write(f"  {line}\n")
        out.write(f"  {_batch_note(group)}\n")
        for equation in group.equations:
            for line in notation.equation(equation):
                out.write(f"    {line}\n")


def matrix_latex(record: MatrixChainsRecord, out: TextIO) -> None:
    """One display-math ``aligned`` block per tensor: ∂J/∂ as the sum of its chains, each
    operand under-braced with its shape, then the batch equations."""
    notation = matrix_notation_for("latex")
    for number, group in enumerate(record.groups()):
        out.write(("\n" if number else "") + f"% {matrix_heading(group.source)}\n")
        tensor = group.source.tensor
        lhs = rf"\frac{{\partial J}}{{\partial {tensor.latex}}}"
        lines = []
        for chain_number, chain in enumerate(group.chains):
            (product,) = notation.chain(chain)
            lines.append(f"{lhs} &= {product}" if chain_number == 0 else rf"&\quad + {product}")
        if group.batch is None:
            lines.append(rf"&\text{{{_batch_note(group)}}}")
        lines += [line for equation in group.equations for line in notation.equation(equation)]
        out.write("\\[\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n\\]\n")


def matrix_json(record: MatrixChainsRecord, out: TextIO) -> None:
    """The matrix view's document (``record.as_dict()``), streamed a chain at a time."""
    out.write("[")
    for number, group in enumerate(record.groups()):
        tensor = group.source.tensor
        out.write(
            ("," if number else "")
            + "\n  "
            + f'{{"parameter": {_json.dumps(tensor.name)}, '
            + f'"shape": {_json.dumps(tensor.shape.as_json())}, '
            + f'"scalar_chains": {group.source.scalar_chains}, "chains": ['
        )
        for chain_number, chain in enumerate(group.chains):
            factors = _json.dumps([factor.as_dict() for factor in chain], ensure_ascii=False)
            out.write(("," if chain_number else "") + "\n    " + factors)
        batch = (
            None
            if group.batch is None
            else [equation_document(equation) for equation in group.equations]
        )
        out.write(f'\n  ], "batch": {_json.dumps(batch, ensure_ascii=False)}}}')
    out.write("\n]\n")


PRESENTERS = {"text": text, "unicode": unicode, "latex": latex, "json": json}
