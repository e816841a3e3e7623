"""``chainrule paths``: which chains carry the gradient, on one case's numbers.

Examples
--------
>>> from chainrule.cli.entry import main
>>> main(["paths", "1-1-1", "--param", "2,1,1", "--json"]) # doctest: +ELLIPSIS
{
  "architecture": "1-1-1",
  "wrt": "parameters",
...
0
"""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.options import add_architecture, add_format, add_options, values_of
from chainrule.present import paths as present
from chainrule.present.progress import Stages
from chainrule.records import paths as record


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "paths",
        parents=[network_options],
        help="which chains carry the gradient, on numbers",
        description="Evaluate every chain on one case: rank each gradient's chains by |value|, "
        "show how much cancels, check the sum against numeric backprop, and "
        "aggregate the chains by length, layer or lag without enumerating them.",
    )
    add_architecture(
        parser,
        optional_help="layer sizes joined by '-', a graph file, "
        "rnn:I-H-O:T or resnet:WxN (not needed with --case)",
    )
    add_options(
        parser,
        [
            record.CASE,
            record.PARAM,
            record.WRT,
            record.TOP,
            record.LIMIT,
            record.BY,
            present.PLOT,
            *record.CASE_OPTIONS,
            record.RNN_COST,
        ],
    )
    add_format(parser, list(present.PRESENTERS))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    if args.plot:
        present.check_plot(args.plot)
    request = record.PathsRequest.of(args.architecture, **values_of(args, record.OPTIONS))
    stages = Stages()
    try:
        paths = record.compute(request, progress=stages)
    finally:
        stages.close()
    if args.plot:
        present.plot(paths, args.plot)
    present.PRESENTERS[args.format](paths, out)
    if args.plot and args.format == "text":
        out.write(f"wrote {args.plot}\n")
    return 0 if paths.ok else 1
