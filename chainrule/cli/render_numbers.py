"""Writers for the numeric commands: the verification report and the training run."""

from __future__ import annotations

import json
import sys
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


class Progress:
    """A one-line progress bar on a terminal (stderr), silent elsewhere."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 30):
        # sys.stderr is looked up now, not when the module loads: it may have been replaced.
        stream = sys.stderr if stream is None else stream
        self.total, self.stream, self.width = total, stream, width
        self.active = stream.isatty()

    def update(self, epoch: int, cost: float) -> None:
        if not self.active:
            return
        filled = round(self.width * epoch / self.total)
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] epoch {epoch}/"
            f"{self.total}  cost {cost:.6g}"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.active:
            self.stream.write("\n")


def write_training_text(
    case,
    costs: list[float],
    trained,
    identical,
    out: TextIO,
    every_epoch: bool,
    learning_rate: float,
    constant: bool,
    hint: str | None = None,
) -> None:
    from chainrule.numeric.train import predictions

    if every_epoch:
        out.write(
            "".join(f"epoch {epoch:>6}  cost {cost:.10g}\n" for epoch, cost in enumerate(costs))
        )
    else:  # a terminal: the bar showed every epoch; keep a short record of the descent
        marks = sorted(set(np.linspace(0, len(costs) - 1, min(len(costs), 11)).round().astype(int)))
        out.write(
            format_table(["epoch", "cost"], [[int(e), f"{costs[e]:.10g}"] for e in marks]) + "\n"
        )
    change = "down" if costs[-1] < costs[0] else "up"
    epochs = len(costs) - 1
    out.write(
        f"\ncost went {change} from {costs[0]:.6g} to {costs[-1]:.6g} in {epochs} "
        f"epoch{'' if epochs == 1 else 's'} of gradient descent (learning rate "
        f"{learning_rate:g})\n"
    )
    if not np.isfinite(costs[-1]):
        out.write("the cost overflowed: try a smaller --lr\n")
    outputs = predictions(trained)
    if case.examples <= 16:
        rows = [
            [
                " ".join(f"{x:g}" for x in inputs),
                " ".join(f"{a:.4f}" for a in output),
                " ".join(f"{y:g}" for y in target),
            ]
            for inputs, output, target in zip(case.inputs, outputs, case.targets)
        ]
        out.write("\n" + format_table(["input", "output", "target"], rows) + "\n")
    for layer, units in identical:
        out.write(
            f"\nthe {units} hidden units of layer {layer} are still identical"
            + (
                ": they started with equal weights, so every step gave them equal gradients "
                "and no step can tell them apart; the layer works like a single unit. Random "
                "starting weights (the default) break this symmetry."
                if constant
                else "."
            )
            + "\n"
        )
    if hint:
        out.write(f"\n{hint}\n")
