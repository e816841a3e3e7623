"""``chainrule chains``: every chain-rule product from the selected sources to J, streamed."""

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
        "chains",
        parents=[network_options],
        help="write out every chain of some parameters",
        description="Write out every chain-rule product from the selected parameters to J.",
    )
    add_architecture(parser)
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="l,j,k",
        help="the weight theta^(l)_jk (k = 0 for a bias); repeatable; all weights by default",
    )
    add_limit(parser, DEFAULT_CHAIN_LIMIT, "chains")
    add_wrt(parser)
    add_formats(parser)
    parser.add_argument(
        "--view",
        choices=["abstract", "local", "closed"],
        default="abstract",
        help="abstract partials (default), their local formulas, or the "
        "closed expression in x, theta and y",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    subject = resolve(args.architecture, args)
    # Counted (closed form or DP) before anything is listed or built, so a refusal is instant.
    total, terms = subject.totals(args.wrt, args.param)
    hint = (
        " or select fewer with --param l,j,k"
        if subject.layered and args.wrt == "parameters"
        else ""
    )
    if total > args.limit:
        raise TooLarge(
            f"the selection has {total:,} chains, more than --limit {args.limit:,}; "
            f"{budget.limit_advice(total, hint)}"
        )
    if terms > args.limit * budget.TERMS_PER_CHAIN:
        needed = -(-terms // budget.TERMS_PER_CHAIN)
        raise TooLarge(
            f"the selection has {terms:,} terms, more than the "
            f"{args.limit * budget.TERMS_PER_CHAIN:,} ({budget.TERMS_PER_CHAIN} a "
            f"chain) that --limit {args.limit:,} allows; {budget.limit_advice(needed, hint)}"
        )
    from chainrule.cli import render
    from chainrule.graph.chains import iter_chains

    graph = subject.graph()
    sources = subject.sources(args.wrt, args.param)
    if args.view == "closed":
        from chainrule.calculus.counting import closed_view_size

        size = closed_view_size(graph, [source.name for source in sources])
        allowed = int(args.limit * budget.CLOSED_SIZE_PER_CHAIN)
        if size > allowed:
            raise TooLarge(
                f"the closed view of the selection would print about {size:,} "
                f"symbols, more than the {allowed:,} that --limit {args.limit:,} "
                f"allows; use --view local, or "
                f"{budget.limit_advice(int(size / budget.CLOSED_SIZE_PER_CHAIN), hint)}"
            )
    groups = (
        ((source, iter_chains(graph, source.name)), source.chains, source.terms)
        for source in sources
    )
    if args.format == "json":
        render.write_json(graph, groups, out, view=args.view)
    elif args.format == "latex":
        render.write_latex(graph, groups, out, view=args.view)
    else:
        render.write_text(graph, groups, out, view=args.view, unicode=args.format == "unicode")
    return 0
