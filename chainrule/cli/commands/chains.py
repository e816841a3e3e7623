"""``chainrule chains``: every chain-rule product from the selected sources to J, streamed."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.options import add_architecture, add_format, add_options, values_of
from chainrule.present import chains as present
from chainrule.records import chains as record


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "chains",
        parents=[network_options],
        help="write out every chain of some parameters",
        description="Write out every chain-rule product from the selected parameters to J.",
    )
    add_architecture(parser)
    add_options(parser, [record.PARAM, record.LIMIT, record.WRT])
    add_format(parser, list(present.PRESENTERS))
    add_options(parser, [record.VIEW])
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    request = record.ChainsRequest.of(args.architecture, **values_of(args, record.OPTIONS))
    present.PRESENTERS[args.format](record.compute(request), out)
    return 0
