"""``chainrule delta``: the δ terms, every gradient through them, and a parameter's factoring."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule import budget
from chainrule.cli.options import (
    DEFAULT_CHAIN_LIMIT,
    add_architecture,
    add_formats,
    add_limit,
    add_wrt,
)
from chainrule.cli.subject import resolve
from chainrule.errors import TooLarge


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "delta",
        parents=[network_options],
        help="factor the chains into backpropagation's deltas",
        description="The delta terms, every gradient as delta times an activation, and, for a "
        "chosen parameter, its chains grouped into deltas layer by layer.",
    )
    add_architecture(parser)
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="l,j,k",
        help="show the factoring of theta^(l)_jk's chains (repeatable)",
    )
    parser.add_argument(
        "--ops",
        action="store_true",
        help="add the operation counts: expanded, reverse and forward mode",
    )
    add_limit(parser, DEFAULT_CHAIN_LIMIT, "chains or delta terms")
    add_wrt(parser)
    add_formats(parser)
    parser.set_defaults(run=run)


def _edges(subject) -> int:
    if subject.layered:
        from chainrule.graph.build import graph_size

        return graph_size(subject.network)[1]
    return subject.graph().number_of_edges()


def run(args: argparse.Namespace, out: TextIO) -> int:
    subject = resolve(args.architecture, args)
    # A graph's sources are listed at once (a graph without them is refused before counting);
    # a layered net's are counted in closed form and listed only once within the limit.
    every = None if subject.layered else subject.sources(args.wrt)
    selected = subject.sources(args.wrt, args.param) if args.param else []
    if selected:
        shown = sum(source.chains for source in selected)
        what = "chains in the selected factorings"
    else:
        shown, what = _edges(subject), "terms in the delta definitions"
    if shown > args.limit:
        hint = "" if args.param else " or factor one weight with --param"
        raise TooLarge(
            f"{subject.label} has {shown:,} {what}, more than --limit "
            f"{args.limit:,}; {budget.limit_advice(shown, hint)}"
        )
    from chainrule.calculus.counting import operation_counts
    from chainrule.cli import render
    from chainrule.notation import notation_for

    graph = subject.graph()
    if every is None:
        every = subject.sources(args.wrt)
    network = subject.network
    ops = None
    if args.ops:
        ops = (
            operation_counts(network)
            if network is not None and args.wrt == "parameters"
            else operation_counts(graph, [s.name for s in every])
        )
    if args.format == "json":
        render.write_delta_json(
            graph, network, every, selected, out, ops=ops, matrix=args.wrt == "parameters"
        )
    else:
        render.write_delta_text(
            graph,
            network,
            every,
            selected,
            out,
            notation_for(args.format, graph),
            ops=ops,
            matrix=args.wrt == "parameters",
        )
    return 0
