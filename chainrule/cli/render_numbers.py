"""Writers for the numeric commands: the verification report."""

from __future__ import annotations

import json
from typing import TextIO

import numpy as np

from chainrule.notation.table import format_table

GRADIENT_TABLE_LIMIT = 30  # parameters; above it the text report leaves the values to --json


def describe(case) -> str:
    network = case.network
    activation = (
        ",".join(dict.fromkeys(network.activation))
        if len(set(network.activation)) == 1
        else ",".join(network.activation)
    )
    return (
        f"{network.architecture} (activation {activation}, cost {network.cost}, "
        f"{'with' if network.bias else 'no'} bias), {case.examples} example"
        f"{'' if case.examples == 1 else 's'}"
    )


def write_verify_text(report, out: TextIO, origin: str) -> None:
    from chainrule.verification.verify import TITLES

    subject = describe(report.case) if report.case is not None else report.title
    out.write(f"verify {subject}, {origin}\n")
    out.write(f"cost J = {report.cost:.12g}\n\n")
    rows = []
    for name, result in report.methods.items():
        if name == report.reference:
            rows.append([TITLES[name], "(reference)", "", "", ""])
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
    table = format_table(["method", "max abs error", "max rel error", "tolerance", "result"], rows)
    out.write(table + "\n\n")
    case = report.case
    if case is None:
        values = report.methods[report.reference].gradients.values
        if len(values) <= GRADIENT_TABLE_LIMIT:
            rows = [
                [name, " ".join(f"{v:+.12e}" for v in np.ravel(value))]
                for name, value in values.items()
            ]
            header = (
                "dJ/dsource"
                if all(np.ndim(v) == 0 for v in values.values())
                else ("dJ/dsource (per example for inputs)")
            )
            out.write(format_table(["source", header], rows) + "\n\n")
    elif case.network.parameter_count <= GRADIENT_TABLE_LIMIT:
        reference = report.methods["backprop"].gradients
        gradient_rows = []
        for parameter in case.network.parameters():
            layer, j, k = parameter
            value = (
                reference.biases[layer - 1][j - 1]
                if k == 0
                else reference.weights[layer - 1][j - 1, k - 1]
            )
            gradient_rows.append(
                [parameter.name, f"{case.parameter_value(*parameter):+.6f}", f"{value:+.12e}"]
            )
        out.write(format_table(["parameter", "value", "dJ/dparameter"], gradient_rows) + "\n\n")
    disagreeing = [TITLES[n] for n, r in report.methods.items() if r.ok is False]
    reference = TITLES[report.reference]
    if not np.isfinite(report.cost):
        out.write(
            "the cost is not finite (saturated or overflowing outputs), so nothing can be "
            "verified: try a smaller --init-scale\n"
        )
    elif disagreeing:
        out.write(
            f"{', '.join(disagreeing)} disagree{'s' if len(disagreeing) == 1 else ''} "
            f"with {reference}\n"
        )
    else:
        out.write(f"every method computed agrees with {reference}\n")


def write_verify_json(report, out: TextIO) -> None:
    from chainrule.files import json_safe

    json.dump(json_safe(report.as_dict()), out, indent=2, allow_nan=False)
    out.write("\n")
