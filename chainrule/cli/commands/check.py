"""``chainrule check``: hand-derived gradients and δs judged, and their mistakes named.

Examples
--------
>>> from chainrule.cli.entry import main
>>> main(["check", "2-2-2", "dJ/dtheta^(2)_11 = delta^(3)_1 * a^(2)_1"])
claim 1: dJ/dtheta^(2)_11 = delta^(3)_1 * a^(2)_1
  correct: proven: claim − true ≡ 0 (an exact symbolic proof)
0
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from chainrule.cli.options import PROG, add_format, add_options, values_of
from chainrule.cli.terminal import visible
from chainrule.present import check as present
from chainrule.present.progress import Progress
from chainrule.records import check as record


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "check",
        parents=[network_options],
        help="check hand-derived gradients and deltas",
        description="Check claims such as 'dJ/dtheta^(1)_11 = delta^(2)_1 * x_1' or "
        "'delta^(3)_1 = (a^(3)_1 - y_1)/m * a^(3)_1*(1 - a^(3)_1)': each is proven "
        "correct, shown wrong with its mistake named, or reported as unknown. "
        "Exit status 0 when every claim is correct, 1 otherwise, 2 for bad input (a claim "
        "that cannot be read among several gets its own error line, the others their "
        "verdicts).",
    )
    parser.add_argument(
        "architecture",
        metavar="ARCH|GRAPH.json",
        help="layer sizes joined by '-' (e.g. 2-2-2) or a graph file",
    )
    parser.add_argument("claims", nargs="*", metavar=record.CLAIMS.metavar, help=record.CLAIMS.help)
    add_options(parser, [record.FILE, record.LIMIT])
    add_format(parser, list(present.PRESENTERS))
    parser.set_defaults(run=run)
    _intermix(parser)


def _intermix(parser: argparse.ArgumentParser) -> None:
    """Let options and claims come in any order (``check 2-2-2 --json CLAIM``): argparse
    otherwise takes the positionals in one run and leaves claims after an option unmatched."""
    plain = type(parser).parse_known_args

    def parse_known_args(args=None, namespace=None):
        if getattr(parser, "_intermixing", False):  # the intermixed parse calls back in here
            return plain(parser, args, namespace)
        parser._intermixing = True  # type: ignore[attr-defined]  # a flag set on this parser
        try:
            return parser.parse_known_intermixed_args(args, namespace)
        finally:
            parser._intermixing = False  # type: ignore[attr-defined]  # as above

    parser.parse_known_args = parse_known_args  # type: ignore[method-assign]


def run(args: argparse.Namespace, out: TextIO) -> int:
    request = record.CheckRequest.of(args.architecture, **values_of(args, record.OPTIONS))
    bar = Progress(len(request.claims), "claim")
    try:
        judged = record.compute(request, progress=bar.update)
    finally:
        bar.close()
    present.PRESENTERS[args.format](judged, out)
    if judged.errors:
        # each claim that could not be read has its own error line; the others their verdicts
        out.flush()
        for message in judged.errors:
            print(f"{PROG}: error: {visible(' '.join(message.split())[:500])}", file=sys.stderr)
        return 2
    return 0 if judged.ok else 1
