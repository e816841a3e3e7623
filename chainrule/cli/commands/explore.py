"""``chainrule explore``: the chains, δ steps and numbers in the browser (or one offline file)."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule import budget
from chainrule.cli.options import add_architecture, add_options, non_negative_int
from chainrule.explore.command import run as explore
from chainrule.records import options as declared

#: The explorer's caps, raised (or lowered) from the command line: the most a request to the
#: server may ask for. Without them, the caps of budget.EXPLORER_CAPS.
LIMIT = declared.LIMIT._replace(
    default=None,
    help="the most chains a request may ask for (default "
    f"{budget.EXPLORER_CAPS['limit']:,}), and the chains written into --html (default "
    f"{budget.DOCUMENT_CHAIN_LIMIT:,})",
)
MAX_GRAPH = declared.MAX_GRAPH._replace(
    default=None,
    help="the most nodes and edges of a computation graph a request may have built (default "
    f"{budget.EXPLORER_CAPS['max_graph']:,}; into --html, {budget.DEFAULT_MAX_GRAPH:,})",
)


def port(text: str) -> int:
    """A TCP port: 0 (a free one) to 65535."""
    number = non_negative_int(text)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, not {number}")
    return number


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "explore",
        help="the chains, delta steps and numbers in the browser",
        description="Start a local web server with the explorer's page (or write it "
        "as one self-contained file with --html) and open the browser.",
    )
    # Not the shared network options (network_options): --max-graph here is the server's cap.
    add_options(parser, (declared.BIAS, declared.ACTIVATION, declared.COST, MAX_GRAPH))
    add_architecture(
        parser, "2-2-2", "layer sizes joined by '-' (default 2-2-2), or a graph file (.json)"
    )
    add_options(parser, [declared.param("the weight selected first (default 1,1,1)", repeat=False)])
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
    LIMIT.add_to(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    return explore(args, out)
