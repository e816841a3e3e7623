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
        description="Write out every chain-rule product from the selected parameters to J. "
        "With --view numbers, each chain with the numbers of one case (--case FILE, or drawn "
        "with --seed, --examples and --init-scale): every factor's value, the chain's product "
        "(summed over the examples) and the gradient, the sum of the chains.",
    )
    add_architecture(
        parser,
        optional_help="layer sizes joined by '-', a graph file, rnn:I-H-O:T or resnet:WxN "
        "(not needed with --view numbers and a layered network's case file)",
    )
    add_options(parser, [record.PARAM, record.LIMIT, record.WRT])
    add_format(parser, list(present.PRESENTERS))
    add_options(parser, [record.VIEW])
    parser.add_argument(
        "--case",
        metavar="FILE",
        help="--view numbers: read the case from a case file, as values does (a layered "
        'network\'s sizes, options and numbers, or the leaves of ARCH by name: {"values": ...})',
    )
    add_options(parser, record.CASE_OPTIONS)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    request = record.ChainsRequest.of(
        args.architecture, case=args.case, **values_of(args, record.OPTIONS)
    )
    present.PRESENTERS[args.format](record.compute(request), out)
    return 0
