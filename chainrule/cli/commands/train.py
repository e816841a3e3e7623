"""``chainrule train``: gradient descent with the verified gradients."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.options import add_architecture, add_format, add_options, values_of
from chainrule.present import train as present
from chainrule.present.progress import Progress
from chainrule.records import train as record


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "train",
        parents=[network_options],
        help="gradient descent with the verified gradients",
        description="Train by gradient descent, theta := theta - lr dJ/dtheta, and show the cost "
        "after every epoch.",
    )
    add_architecture(
        parser,
        record.DEFAULT_ARCHITECTURE,
        f"layer sizes joined by '-' (default {record.DEFAULT_ARCHITECTURE})",
    )
    add_options(parser, [*record.CASE_OPTIONS, record.EPOCHS, record.LR, record.INIT, record.DATA])
    add_format(parser, list(present.PRESENTERS))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    request = record.TrainRequest.of(args.architecture, **values_of(args, record.OPTIONS))
    bar = Progress(request.epochs, "epoch")
    try:
        trained = record.compute(
            request, progress=lambda epoch, cost: bar.update(epoch, f"cost {cost:.6g}")
        )
    finally:
        bar.close()
    present.PRESENTERS[args.format](trained, out)
    return 0
