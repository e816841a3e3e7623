"""``chainrule verify``: one case's gradients by six methods, compared."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.options import add_architecture, add_format, add_options, values_of
from chainrule.present import verify as present
from chainrule.records import verify as record
from chainrule.verification.casefile import save_case


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "verify",
        parents=[network_options],
        help="check the gradients six ways on numbers",
        description="Compute one case's gradients by the expanded chain sum, the delta form, "
        "the matrix form, numeric backprop, finite differences and sympy.diff, and compare "
        "them.",
    )
    add_architecture(parser, optional_help="layer sizes joined by '-' (not needed with --case)")
    add_options(parser, [record.EXAMPLES, record.SEED, record.INIT_SCALE, record.MAX_NUMBERS])
    parser.add_argument(
        "--case",
        metavar="FILE",
        help="read the case from a case file: a layered network's sizes, options and numbers, "
        'or the leaves of ARCH by name ({"values": {...}})',
    )
    parser.add_argument("--save-case", metavar="FILE", help="write the case used")
    add_options(parser, [record.WRT])
    add_format(parser, list(present.PRESENTERS))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    request = record.VerifyRequest.of(
        args.architecture, case=args.case, **values_of(args, record.OPTIONS)
    )
    verified = record.compute(request)
    if args.save_case:
        assert verified.case is not None  # every verification has its case
        save_case(verified.case, args.save_case)
    present.PRESENTERS[args.format](verified, out)
    return 0 if verified.ok else 1
