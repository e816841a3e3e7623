"""``chainrule chains``: every chain-rule product from the selected sources to J, streamed."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.options import (DEFAULT_CHAIN_LIMIT, UsageError, add_architecture,
                                   add_formats, add_limit, add_wrt)
from chainrule.cli.subject import resolve


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "chains", parents=[network_options], help="write out every chain of some parameters",
        description="Write out every chain-rule product from the selected parameters to J.")
    add_architecture(parser)
    parser.add_argument("--param", action="append", default=[], metavar="l,j,k",
                        help="the weight theta^(l)_jk (k = 0 for a bias); repeatable; "
                             "all weights by default")
    add_limit(parser, DEFAULT_CHAIN_LIMIT, "chains")
    add_wrt(parser)
    add_formats(parser)
    parser.add_argument("--view", choices=["abstract", "local", "closed"], default="abstract",
                        help="abstract partials (default), their local formulas, or the "
                             "closed expression in x, theta and y")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    subject = resolve(args.architecture, args)
    # Counted (closed form or DP) before anything is listed or built, so a refusal is instant.
    total, _ = subject.totals(args.wrt, args.param)
    if total > args.limit:
        hint = (" or select fewer with --param l,j,k"
                if subject.layered and args.wrt == "parameters" else "")
        raise UsageError(f"the selection has {total:,} chains, more than --limit {args.limit:,}; "
                         f"raise it with --limit {total}{hint}")
    from chainrule.cli import render
    from chainrule.graph.chains import iter_chains

    graph = subject.graph()
    sources = subject.sources(args.wrt, args.param)
    groups = (((source, iter_chains(graph, source.name)), source.chains, source.terms)
              for source in sources)
    if args.format == "json":
        render.write_json(graph, groups, out, view=args.view)
    elif args.format == "latex":
        render.write_latex(graph, groups, out, view=args.view)
    else:
        render.write_text(graph, groups, out, view=args.view, unicode=args.format == "unicode")
    return 0
