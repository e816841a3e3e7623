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
from chainrule.present.tables import OPS_TOTAL_HEADERS, TOTAL_HEADERS, ops_totals
from chainrule.records.count import CountRecord


def text(record: CountRecord, out: TextIO) -> None:
    """One row per architecture; per weight layer too with ``by_layer``, the operations with
    ``ops``."""
    totals = [[row.label, row.parameters, row.chains, row.terms] for row in record.rows]
    if not record.layered:
        headers = ["graph", *TOTAL_HEADERS[1:]]
        if record.request.ops:
            headers += OPS_TOTAL_HEADERS
            for line, row in zip(totals, record.rows):
                assert row.ops is not None
                line += ops_totals(row.ops)
        out.write(format_table(headers, totals) + "\n")
        return
    headers = TOTAL_HEADERS
    if record.request.ops:
        for line, row in zip(totals, record.rows):
            assert row.ops is not None
            line += ops_totals(row.ops)
        out.write(format_table(headers + OPS_TOTAL_HEADERS, totals) + "\n")
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
