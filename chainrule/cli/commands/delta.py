"""``chainrule delta``: the δ terms, every gradient through them, and a parameter's factoring."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.options import add_architecture, add_format, add_options, values_of
from chainrule.present import delta as present
from chainrule.records import delta as record


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "delta",
        parents=[network_options],
        help="factor the chains into backpropagation's deltas",
        description="The delta terms, every gradient as delta times an activation, and, for a "
        "chosen parameter, its chains grouped into deltas layer by layer. With a case (--case "
        "FILE, or --numbers for one drawn with --seed, --examples and --init-scale), each "
        "formula is followed by the same in numbers and its value, at every step.",
    )
    add_architecture(
        parser,
        optional_help="layer sizes joined by '-', a graph file, rnn:I-H-O:T or resnet:WxN "
        "(not needed with a layered network's case file)",
    )
    add_options(parser, [record.PARAM, record.OPS, record.LIMIT, record.WRT, record.VIEW])
    add_format(parser, list(present.PRESENTERS))
    parser.add_argument(
        "--case",
        metavar="FILE",
        help="write the numbers of a case file beside the formulas, as values reads it (a "
        "layered network's sizes, options and numbers, or the leaves of ARCH by name: "
        '{"values": ...})',
    )
    add_options(parser, [record.NUMBERS, *record.CASE_OPTIONS])
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    request = record.DeltaRequest.of(
        args.architecture, case=args.case, **values_of(args, record.OPTIONS)
    )
    present.PRESENTERS[args.format](record.compute(request), out)
    return 0
