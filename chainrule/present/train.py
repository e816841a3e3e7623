r"""A training run of :mod:`chainrule.records.train`, as text or as JSON.

Examples
--------
>>> import io
>>> from chainrule.records.train import TrainRequest, compute
>>> out = io.StringIO()
>>> text(compute(TrainRequest.of("2-2-1", bias=True, epochs=2, seed=3)), out)
>>> print(out.getvalue().split("\n", 4)[-1])  # after the cost of each epoch
cost went down from 0.12496 to 0.124397 in 2 epochs of gradient descent (learning rate 5)
<BLANKLINE>
input  output  target
0 0    0.4836  0
0 1    0.5094  1
1 0    0.5186  1
1 1    0.5375  0
<BLANKLINE>
"""

from __future__ import annotations

from typing import TextIO

import numpy as np

from chainrule import budget
from chainrule.notation.table import format_table
from chainrule.present.documents import write_json
from chainrule.records.train import TrainRecord

#: Examples up to this many are shown row by row, inputs beside outputs and targets.
EXAMPLES_SHOWN = 16
#: On a terminal the bar showed every epoch: the text keeps this many points of the descent.
MARKS = 11
#: A run from given weights shows each parameter before and after, up to this many of them.
PARAMETERS_SHOWN = 40


def text(record: TrainRecord, out: TextIO, every_epoch: bool | None = None) -> None:
    """The cost after every epoch (every ``every``-th and the last when asked; a few marks on
    a terminal, where the bar showed them all), how far it went, the outputs beside the
    targets, the hidden units still identical, and, for a run from given weights, every
    parameter before and after."""
    costs = record.costs
    if record.origin or record.request.case is not None:
        held = f"; {', '.join(record.frozen)} held" if record.frozen else ""
        out.write(f"train {record.label} from {record.origin or 'the case given'}{held}\n")
    elif record.frozen:
        out.write(f"train {record.label}; {', '.join(record.frozen)} held\n")
    if every_epoch is None:
        every_epoch = record.request.every is not None or not out.isatty()
    if every_epoch:
        out.write(
            "".join(
                f"epoch {epoch:>6}  cost {costs[epoch]:.10g}\n" for epoch in record.shown_epochs()
            )
        )
    else:
        marks = sorted(
            set(np.linspace(0, len(costs) - 1, min(len(costs), MARKS)).round().astype(int))
        )
        out.write(
            format_table(["epoch", "cost"], [[int(e), f"{costs[e]:.10g}"] for e in marks]) + "\n"
        )
    change = "down" if costs[-1] < costs[0] else "up"
    epochs = record.epochs
    out.write(
        f"\ncost went {change} from {costs[0]:.6g} to {costs[-1]:.6g} in {epochs} "
        f"epoch{'' if epochs == 1 else 's'} of gradient descent (learning rate "
        f"{record.request.lr:g})\n"
    )
    if not np.isfinite(costs[-1]):
        out.write(f"the cost overflowed: try a smaller {budget.spelled('lr')}\n")
    case = record.start
    if record.outputs is not None and case.examples <= EXAMPLES_SHOWN:
        rows = [
            [
                " ".join(f"{x:g}" for x in inputs),
                " ".join(f"{a:.4f}" for a in output),
                " ".join(f"{y:g}" for y in target),
            ]
            for inputs, output, target in zip(case.inputs, record.outputs, case.targets)
        ]
        out.write("\n" + format_table(["input", "output", "target"], rows) + "\n")
    constant = record.request.init == "constant"
    for layer, units in record.identical:
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
    if record.hint:
        out.write(f"\n{record.hint}\n")
    given = record.origin or record.request.case is not None or record.network is None
    before, after = record.starting_parameters(), record.final_parameters()
    if given and len(after) <= PARAMETERS_SHOWN:
        rows = [[name, f"{before[name]:.10g}", f"{value:.10g}"] for name, value in after.items()]
        out.write("\n" + format_table(["parameter", "start", "trained"], rows) + "\n")


def json(record: TrainRecord, out: TextIO) -> None:
    write_json(record.as_dict(), out)


PRESENTERS = {"text": text, "json": json}
