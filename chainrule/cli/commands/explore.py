"""``chainrule explore``: the chains, δ steps and numbers in the browser (or one offline file)."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.options import add_architecture, add_limit, non_negative_int


def port(text: str) -> int:
    """A TCP port: 0 (a free one) to 65535."""
    number = non_negative_int(text)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, not {number}")
    return number


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "explore",
        parents=[network_options],
        help="the chains, delta steps and numbers in the browser",
        description="Start a local web server with the explorer's page (or write it "
        "as one self-contained file with --html) and open the browser.",
    )
    add_architecture(
        parser, "2-2-2", "layer sizes joined by '-' (default 2-2-2), or a graph file (.json)"
    )
    parser.add_argument(
        "--param", metavar="l,j,k", help="the weight selected first (default 1,1,1)"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=port,
        default=0,
        metavar="N",
        help="the port to listen on, 1 to 65535 (default: a free one)",
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="print the URL but do not open a browser"
    )
    parser.add_argument(
        "--html",
        metavar="FILE",
        help="write the page as one self-contained file that works offline, and exit",
    )
    parser.add_argument(
        "--seed",
        type=non_negative_int,
        default=0,
        metavar="S",
        help="seed of the numbers panel's case in --html (default 0)",
    )
    add_limit(parser, 2_000, "chains into --html")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from chainrule.explore.command import run as explore

    return explore(args, out)
