"""The verification of :mod:`chainrule.records.verify`, as a table or as JSON.

Examples
--------
>>> import sys
>>> from chainrule.records.verify import VerifyRequest, compute
>>> record = compute(VerifyRequest.of("1-1", examples=1))
>>> text(record, sys.stdout)  # doctest: +ELLIPSIS
verify 1-1 (activation sigmoid, cost mse, no bias), 1 example, seed 0, weights from [-1, 1]
cost J = 0.0...
<BLANKLINE>
method                 max abs error  max rel error  tolerance               result
numeric backprop       (reference)
expanded chain sum     ...  agrees
...
every method computed agrees with numeric backprop
"""

from __future__ import annotations

from typing import TextIO

import numpy as np

from chainrule.notation.table import format_table
from chainrule.present.documents import write_json
from chainrule.records.verify import TITLES, VerifyRecord

#: Above this many parameters the text report leaves the gradients' values to --json.
GRADIENT_TABLE_LIMIT = 30
REFERENCE_NOTE = "the reference"


def _method_rows(record: VerifyRecord) -> list[list[str]]:
    rows = []
    for name, result in record.methods.items():
        if name == record.reference:
            # A reference computed on a sample says so: nothing else said it was one.
            sampled = (result.note or REFERENCE_NOTE).removeprefix(REFERENCE_NOTE).lstrip("; ")
            rows.append([TITLES[name], "(reference)", "", "", sampled])
        elif result.skipped:
            rows.append([TITLES[name], "", "", "", f"skipped: {result.skipped}"])
        else:
            rtol, atol = result.tolerance
            status = "agrees" if result.ok else "DISAGREES"
            if result.note:
                status += f" ({result.note})"
            rows.append(
                [
                    TITLES[name],
                    f"{result.max_abs_error:.2e}",
                    f"{result.max_rel_error:.2e}",
                    f"rtol {rtol:g}, atol {atol:g}",
                    status,
                ]
            )
    return rows


def _gradient_table(record: VerifyRecord) -> str | None:
    """Each gradient by the reference (with the weight's value, for a case), unless there are
    too many to read."""
    if record.parameter_count > GRADIENT_TABLE_LIMIT:
        return None
    if record.by_parameter:
        rows = [
            [name, f"{value:+.6f}", f"{gradient:+.12e}"]
            for name, value, gradient in record.parameter_gradients()
        ]
        return format_table(["parameter", "value", "dJ/dparameter"], rows)
    values = record.source_gradients()
    rows = [
        [name, " ".join(f"{v:+.12e}" for v in np.ravel(value))] for name, value in values.items()
    ]
    per_example = any(np.ndim(value) != 0 for value in values.values())
    header = "dJ/dsource (per example for inputs)" if per_example else "dJ/dsource"
    return format_table(["source", header], rows)


def _verdict(record: VerifyRecord) -> str:
    reference = TITLES[record.reference]
    disagreeing = [TITLES[name] for name, result in record.methods.items() if result.ok is False]
    compared = [
        name
        for name, result in record.methods.items()
        if name != record.reference and result.gradients is not None
    ]
    if not np.isfinite(record.cost):
        return (
            "the cost is not finite (saturated or overflowing outputs), so nothing can be "
            "verified: try a smaller --init-scale"
        )
    if disagreeing:
        return (
            f"{', '.join(disagreeing)} disagree{'s' if len(disagreeing) == 1 else ''} "
            f"with {reference}"
        )
    if not compared:
        return f"every other method is left out: nothing was compared with {reference}"
    return f"every method computed agrees with {reference}"


def text(record: VerifyRecord, out: TextIO) -> None:
    """What was verified and on which numbers, the cost, a row per method, the gradients (for
    up to :data:`GRADIENT_TABLE_LIMIT` of them) and the verdict."""
    out.write(f"verify {record.subject}, {record.origin}\n")
    out.write(f"cost J = {record.cost:.12g}\n\n")
    headers = ["method", "max abs error", "max rel error", "tolerance", "result"]
    out.write(format_table(headers, _method_rows(record)) + "\n\n")
    gradients = _gradient_table(record)
    if gradients is not None:
        out.write(gradients + "\n\n")
    out.write(_verdict(record) + "\n")


def json(record: VerifyRecord, out: TextIO) -> None:
    write_json(record.as_dict(), out)


PRESENTERS = {"text": text, "json": json}
