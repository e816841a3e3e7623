"""The counts of :mod:`chainrule.records.count`, as a table or as JSON.

Examples
--------
>>> import sys
>>> from chainrule.records.count import CountRequest, compute
>>> text(compute(CountRequest.of(["1-1-1", "2-2-2"])), sys.stdout)
architecture  parameters  chains  terms
1-1-1                  2       2      8
2-2-2                  8      12     52
"""

from __future__ import annotations

from typing import TextIO

from chainrule.notation.table import format_table
from chainrule.present.documents import write_json
from chainrule.records.count import CountRecord

_MODES = ("expanded", "reverse", "forward")
_OPS_HEADERS = ["expanded ops", "reverse ops", "forward ops"]


def text(record: CountRecord, out: TextIO) -> None:
    """One row per architecture; per weight layer too with ``by_layer``, the operations with
    ``ops``."""
    totals = [[row.label, row.parameters, row.chains, row.terms] for row in record.rows]
    if not record.layered:
        headers = ["graph", "parameters", "chains", "terms"]
        if record.request.ops:
            headers += _OPS_HEADERS
            for line, row in zip(totals, record.rows):
                assert row.ops is not None
                line += [sum(getattr(row.ops, mode)) for mode in _MODES]
        out.write(format_table(headers, totals) + "\n")
        return
    headers = ["architecture", "parameters", "chains", "terms"]
    if record.request.ops:
        for line, row in zip(totals, record.rows):
            assert row.ops is not None
            line += [sum(getattr(row.ops, mode)) for mode in _MODES]
        out.write(format_table(headers + _OPS_HEADERS, totals) + "\n")
        out.write("(ops: multiplications + additions to get every gradient; --json splits them)\n")
        return
    if not record.request.by_layer:
        out.write(format_table(headers, totals) + "\n")
        return
    lines: list[list[object]] = []
    for row in record.rows:
        assert row.count is not None
        lines.append([row.label, "all", row.parameters, row.chains, row.terms, None])
        lines.extend(
            [
                "",
                f"theta^({layer.layer})",
                layer.parameters,
                layer.chains,
                layer.terms,
                layer.chain_length,
            ]
            for layer in row.count.layers
        )
    headers = ["architecture", "weights", "parameters", "chains", "terms", "chain length"]
    out.write(format_table(headers, lines) + "\n")


def json(record: CountRecord, out: TextIO) -> None:
    write_json(record.as_dict(), out)


PRESENTERS = {"text": text, "json": json}
