"""``chainrule explain``: the guided tour of one network, in the terminal."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.options import add_architecture, non_negative_int
from chainrule.cli.subject import resolve
from chainrule.graph.spec import parse_parameter


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "explain",
        parents=[network_options],
        help="the guided tour: counts, chains, delta, savings and the check against numbers",
        description="The whole story of one network "
        "in the terminal: counts, the chains of one weight, their factoring into delta, what it "
        "saves, and the verification against numeric backprop.",
    )
    add_architecture(parser, "2-2-2", "layer sizes joined by '-' (default 2-2-2)")
    parser.add_argument(
        "--param",
        default="1,1,1",
        metavar="l,j,k",
        help="the weight whose chains to follow (default 1,1,1)",
    )
    parser.add_argument(
        "--seed",
        type=non_negative_int,
        default=0,
        metavar="S",
        help="seed of the verification's random case (default 0)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    network = resolve(args.architecture, args, "explain", layers_only=True).layered_network()
    parameter = parse_parameter(args.param, network)
    from chainrule.cli.explain import explain

    explain(network, parameter, out, seed=args.seed)
    return 0
