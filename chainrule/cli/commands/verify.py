"""``chainrule verify``: one case's gradients by five methods, compared."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule import budget
from chainrule.cli.options import (
    UsageError,
    add_architecture,
    add_case_options,
    add_wrt,
    quiet_numpy,
)
from chainrule.cli.subject import names_a_graph, resolve
from chainrule.graph.spec import Network


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "verify",
        parents=[network_options],
        help="check the gradients five ways on numbers",
        description="Compute one case's gradients by the expanded chain sum, the delta form, "
        "numeric backprop, finite differences and sympy.diff, and compare them.",
    )
    add_architecture(parser, optional_help="layer sizes joined by '-' (not needed with --case)")
    add_case_options(parser)
    parser.add_argument(
        "--case", metavar="FILE", help="read the case (sizes, options, numbers) from a case file"
    )
    parser.add_argument("--save-case", metavar="FILE", help="write the case used")
    add_wrt(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def case_for(args: argparse.Namespace, default_examples: int = 4):
    """The case of a layered network: from --case, or random from ARCH, the options and seed."""
    from chainrule.numeric.case import random_case
    from chainrule.verification.casefile import load_case

    if args.case:
        if args.bias or args.activation != "sigmoid" or args.cost != "mse":
            raise UsageError(
                "the case file sets the network; drop --bias, --activation and "
                "--cost, or leave out --case"
            )
        drawn = [
            option
            for option, given in (
                ("--seed", args.seed != 0),
                ("--examples", args.examples != default_examples),
                ("--init-scale", args.init_scale != 1.0),
            )
            if given
        ]
        if drawn:
            raise UsageError(
                f"the case file holds the numbers; {', '.join(drawn)} "
                f"{'draws' if len(drawn) == 1 else 'draw'} a random case: drop "
                f"{'it' if len(drawn) == 1 else 'them'}, or leave out --case"
            )
        case = load_case(args.case)
        if args.architecture and Network.parse(args.architecture).sizes != case.network.sizes:
            raise UsageError(
                f"ARCH {args.architecture} and the case file's sizes "
                f"{case.network.architecture} disagree; give one of them"
            )
        return case, f"case file {args.case}"
    if not args.architecture:
        raise UsageError("give an architecture (ARCH) or a case file (--case FILE)")
    network = resolve(args.architecture, args).network
    budget.check_case(
        network, args.examples, getattr(args, "max_numbers", budget.DEFAULT_MAX_NUMBERS)
    )
    case = random_case(network, examples=args.examples, seed=args.seed, init_scale=args.init_scale)
    return case, f"seed {args.seed}, weights from [-{args.init_scale:g}, {args.init_scale:g}]"


def _verify_graph_file(args: argparse.Namespace, subject):
    if args.case or args.save_case:
        raise UsageError(
            "case files describe layered networks; a graph file's case is drawn "
            "from --seed, --examples and --init-scale"
        )
    from chainrule.verification.verify import random_leaf_values, verify

    graph = subject.graph()
    sources = [s.name for s in subject.sources(args.wrt)]
    values = random_leaf_values(graph, args.examples, args.seed, args.init_scale)
    examples = f"{args.examples} example{'s' if args.examples != 1 else ''}"
    with quiet_numpy():
        report = verify(
            graph, sources, values, args.examples, title=f"{subject.label} ({args.wrt}), {examples}"
        )
    return report, f"seed {args.seed}, parameters from [-{args.init_scale:g}, {args.init_scale:g}]"


def run(args: argparse.Namespace, out: TextIO) -> int:
    from chainrule.cli.render_numbers import write_verify_json, write_verify_text

    if names_a_graph(args.architecture):
        report, origin = _verify_graph_file(args, resolve(args.architecture, args))
    else:
        case, origin = case_for(args)
        from chainrule.verification.casefile import save_case
        from chainrule.verification.verify import verify

        if args.save_case:
            save_case(case, args.save_case)
        with quiet_numpy():
            report = verify(case, wrt=args.wrt)
    if args.json:
        write_verify_json(report, out)
    else:
        write_verify_text(report, out, origin)
    return 0 if report.ok else 1
