"""``chainrule paths``: which chains carry the gradient, on one case's numbers."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.subject import names_a_graph, resolve


def register(commands, network_options: argparse.ArgumentParser) -> None:
    from chainrule.cli.paths import add_parser  # light: it imports nothing heavy at the top

    add_parser(commands, [network_options]).set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from chainrule.cli.paths import run as paths

    graph = resolve(args.architecture, args).graph() if names_a_graph(args.architecture) else None
    return paths(args, out, graph)
