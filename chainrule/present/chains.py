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
from typing import TextIO

from chainrule.notation import notation_for
from chainrule.notation.matrix import matrix_notation_for
from chainrule.records.chains import (
    ChainsRecord,
    MatrixChainsRecord,
    MatrixGroup,
    equation_document,
    factor_document,
)
from chainrule.records.subject import MatrixSource, Source


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def heading(source: Source) -> str:
    """``dJ/dtheta^(1)_11: 2 chains, 10 terms``: a source and its counts."""
    return f"dJ/d{source.name}: {_count(source.chains, 'chain')}, {_count(source.terms, 'term')}"


def text(record: ChainsRecord | MatrixChainsRecord, out: TextIO, unicode: bool = False) -> None:
    """A heading per source, then one chain per line (or the closed expression)."""
    if isinstance(record, MatrixChainsRecord):
        matrix_text(record, out, unicode)
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


def latex(record: ChainsRecord | MatrixChainsRecord, out: TextIO) -> None:
    """One display-math ``aligned`` block per source, each chain on its own line."""
    if isinstance(record, MatrixChainsRecord):
        matrix_latex(record, out)
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
        out.write('"chains": [')
        for chain_number, chain in enumerate(group.chains):
            factors = _json.dumps(
                [factor_document(factor, view, text_notation, latex_notation) for factor in chain],
                ensure_ascii=False,
            )
            out.write(("," if chain_number else "") + "\n    " + factors)
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
