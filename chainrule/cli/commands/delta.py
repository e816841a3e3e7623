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
        "chosen parameter, its chains grouped into deltas layer by layer.",
    )
    add_architecture(parser)
    add_options(parser, [record.PARAM, record.OPS, record.LIMIT, record.WRT, record.VIEW])
    add_format(parser, list(present.PRESENTERS))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    request = record.DeltaRequest.of(args.architecture, **values_of(args, record.OPTIONS))
    present.PRESENTERS[args.format](record.compute(request), out)
    return 0
