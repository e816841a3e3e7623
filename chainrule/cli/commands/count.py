"""``chainrule count``: parameters, chains and terms of each architecture, exactly."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.options import ARCH_HELP, add_format, add_options, values_of
from chainrule.present import count as present
from chainrule.records import count as record


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "count",
        parents=[network_options],
        help="count parameters, chains and terms",
        description="Count the parameters, chains and terms of each architecture, exactly.",
    )
    parser.add_argument("architectures", nargs="+", metavar="ARCH", help=ARCH_HELP)
    add_options(parser, [record.BY_LAYER, record.OPS])
    add_format(parser, list(present.PRESENTERS))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    request = record.CountRequest.of(args.architectures, **values_of(args, record.OPTIONS))
    present.PRESENTERS[args.format](record.compute(request), out)
    return 0
