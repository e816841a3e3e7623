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
from chainrule.records.chains import ChainsRecord, factor_document
from chainrule.records.subject import Source


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def heading(source: Source) -> str:
    """``dJ/dtheta^(1)_11: 2 chains, 10 terms``: a source and its counts."""
    return f"dJ/d{source.name}: {_count(source.chains, 'chain')}, {_count(source.terms, 'term')}"


def text(record: ChainsRecord, out: TextIO, unicode: bool = False) -> None:
    """A heading per source, then one chain per line (or the closed expression)."""
    notation = notation_for("unicode" if unicode else "text", record.graph)
    view = record.request.view
    for number, group in enumerate(record.groups()):
        out.write(("\n" if number else "") + heading(group.source) + "\n")
        if group.closed is not None:
            out.write(f"  {notation.closed_gradient(group.source.name, group.closed)}\n")
            continue
        for chain in group.chains:
            out.write(f"  {notation.chain(chain, view)}\n")


def unicode(record: ChainsRecord, out: TextIO) -> None:
    text(record, out, unicode=True)


def latex(record: ChainsRecord, out: TextIO) -> None:
    """One display-math ``aligned`` block per source, each chain on its own line."""
    notation = notation_for("latex", record.graph)
    for number, group in enumerate(record.groups()):
        out.write(("\n" if number else "") + notation.comment(heading(group.source)))
        body = (
            notation.closed_gradient(group.source.name, group.closed)
            if group.closed is not None
            else notation.gradient(group.source.name, group.chains, record.request.view)
        )
        out.write("\\[\n" + body + "\n\\]\n")


def json(record: ChainsRecord, out: TextIO) -> None:
    """The record's document, streamed a chain at a time: ``[{"parameter", "chains": [[factor,
    ...], ...]}, ...]`` (the same as ``record.as_dict()``)."""
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


PRESENTERS = {"text": text, "unicode": unicode, "latex": latex, "json": json}
