"""``chainrule values``: one case's every number, as a worked example shows them.

Examples
--------
>>> from chainrule.cli.entry import main
>>> main(["values", "1-1", "--json"])  # doctest: +ELLIPSIS
{
  "architecture": "1-1",
  "origin": "seed 0, weights from [-1, 1]",
  "examples": 1,
  "forward": {
...
0
"""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.options import add_architecture, add_formats, add_options, values_of
from chainrule.present import values as present
from chainrule.records import values as record


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "values",
        parents=[network_options],
        help="every number of one case: forward, backward, factors, a step",
        description="One case's worked example in numbers: every node's value (the forward "
        "pass), the cost and each output's part of it, every delta = dJ/dnode and every local "
        "factor's value (the backward pass), the gradients, and one step of gradient descent "
        "with the cost after it. The case is read from --case FILE or drawn at random.",
    )
    add_architecture(
        parser,
        optional_help="layer sizes joined by '-', a graph file, rnn:I-H-O:T or resnet:WxN "
        "(not needed with a layered network's case file)",
    )
    parser.add_argument(
        "--case",
        metavar="FILE",
        help="read the case from a case file: a layered network's sizes, options and numbers, "
        'or the leaves of ARCH by name ({"values": {...}})',
    )
    add_options(parser, [*record.CASE_OPTIONS, record.LR, record.FREEZE, record.RNN_COST])
    add_formats(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    request = record.ValuesRequest.of(
        args.architecture, case=args.case, **values_of(args, record.OPTIONS)
    )
    present.PRESENTERS[args.format](record.compute(request), out)
    return 0
