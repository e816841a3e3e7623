"""``chainrule train``: gradient descent with the verified gradients."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.options import add_architecture, add_format, add_options, values_of
from chainrule.present import train as present
from chainrule.present.progress import Progress
from chainrule.records import train as record
from chainrule.verification.casefile import save_case


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
        optional_help=f"layer sizes joined by '-' (default {record.DEFAULT_ARCHITECTURE}), a "
        "graph file, rnn:I-H-O:T or resnet:WxN",
    )
    add_options(parser, [*record.CASE_OPTIONS, record.EPOCHS, record.LR, record.INIT, record.DATA])
    parser.add_argument(
        "--case",
        metavar="FILE",
        help="start from a case file's weights and train on its data (a layered network's "
        'case file, or the leaves of ARCH by name: {"values": {...}})',
    )
    add_options(parser, [record.FREEZE, record.EVERY, record.RNN_COST])
    parser.add_argument("--save-case", metavar="FILE", help="write the trained case")
    add_format(parser, list(present.PRESENTERS))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    request = record.TrainRequest.of(
        args.architecture, case=args.case, **values_of(args, record.RUN_OPTIONS)
    )
    bar = Progress(request.epochs, "epoch")
    try:
        trained = record.compute(
            request, progress=lambda epoch, cost: bar.update(epoch, f"cost {cost:.6g}")
        )
    finally:
        bar.close()
    if args.save_case:
        save_case(trained.trained, args.save_case)
    present.PRESENTERS[args.format](trained, out)
    return 0
