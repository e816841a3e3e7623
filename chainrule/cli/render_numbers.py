"""Writers for the numeric commands: the training run (the verification's are in
:mod:`chainrule.present.verify`)."""

from __future__ import annotations

import sys
from typing import TextIO

import numpy as np

from chainrule.notation.table import format_table


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
