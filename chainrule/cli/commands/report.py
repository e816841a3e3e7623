"""``chainrule report``: the whole derivation as a .tex, .md or .html document."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.options import add_architecture, add_limit, non_negative_int
from chainrule.cli.subject import resolve
from chainrule.graph.spec import parse_parameter


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "report",
        parents=[network_options],
        help="the whole derivation as a document",
        description="Write the whole derivation (counts, every chain, the delta factoring, "
        "operation counts, verification and the figure) as .tex, .md or .html.",
    )
    add_architecture(parser)
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="l,j,k",
        help="write only these weights' chains (repeatable; the first is "
        "the one factored and drawn)",
    )
    add_limit(parser, 2_000, "chains")
    parser.add_argument(
        "--seed",
        type=non_negative_int,
        default=0,
        metavar="S",
        help="seed of the verification's random case (default 0)",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the document to write: .tex, .md or .html",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    network = resolve(args.architecture, args, "report", layers_only=True).layered_network()
    parameters = list(dict.fromkeys(parse_parameter(text, network) for text in args.param))
    from chainrule.cli.report import write_report

    written = write_report(
        network, args.output, parameters, limit=args.limit, seed=args.seed, max_graph=args.max_graph
    )
    out.write("wrote " + ", ".join(written) + "\n")
    return 0
