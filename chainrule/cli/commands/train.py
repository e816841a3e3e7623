"""``chainrule train``: gradient descent with the verified gradients."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule import budget
from chainrule.cli.options import (
    UsageError,
    add_architecture,
    add_case_options,
    dump_json,
    positive_float,
    positive_int,
)
from chainrule.cli.subject import resolve
from chainrule.errors import TooLarge


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "train",
        parents=[network_options],
        help="gradient descent with the verified gradients",
        description="Train by gradient descent, theta := theta - lr dJ/dtheta, and show the cost "
        "after every epoch.",
    )
    add_architecture(parser, "2-2-1", "layer sizes joined by '-' (default 2-2-1)")
    add_case_options(parser)
    parser.add_argument(
        "--epochs",
        type=positive_int,
        default=2000,
        metavar="N",
        help="epochs of full-batch gradient descent (default 2000)",
    )
    parser.add_argument(
        "--lr", type=positive_float, default=5.0, metavar="RATE", help="learning rate (default 5)"
    )
    parser.add_argument(
        "--init",
        choices=["random", "constant"],
        default="random",
        help="random weights in [-scale, scale] (default), or every "
        "weight equal to the scale, to see why that fails",
    )
    parser.add_argument(
        "--data",
        default="xor",
        metavar="xor|random|FILE",
        help="xor (default), random, or a JSON file with inputs and targets",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def _training_data(args: argparse.Namespace, network):
    import numpy as np

    from chainrule.numeric.case import XOR_INPUTS, XOR_TARGETS
    from chainrule.verification.casefile import load_training_data

    if args.data == "xor":
        if (network.sizes[0], network.sizes[-1]) != (2, 1):
            raise UsageError(
                f"--data xor needs 2 inputs and 1 output, and {network.architecture} "
                "has not; use --data random or a file"
            )
        return np.array(XOR_INPUTS), np.array(XOR_TARGETS)
    if args.data == "random":
        from chainrule.numeric.case import random_case

        sample = random_case(network, examples=args.examples, seed=args.seed + 1)
        return sample.inputs, sample.targets
    return load_training_data(args.data, network)


def run(args: argparse.Namespace, out: TextIO) -> int:
    network = resolve(args.architecture, args, "train", layers_only=True).layered_network()
    if args.data != "random" and args.examples != 4:
        raise UsageError(
            f"--examples sets the number of random examples; --data {args.data} "
            "brings its own: drop --examples, or use --data random"
        )
    if args.data == "random":  # checked before the random rows are drawn
        budget.check_case(network, args.examples, args.max_numbers)
    inputs, targets = _training_data(args, network)
    budget.check_case(network, len(inputs), args.max_numbers)
    # One epoch is a forward and a backward pass: about three multiply-adds per weight and row.
    per_epoch = 3 * network.parameter_count * len(inputs)
    if args.epochs * per_epoch > budget.MAX_NUMERIC_WORK:
        most = max(1, budget.MAX_NUMERIC_WORK // per_epoch)
        raise TooLarge(
            f"{args.epochs:,} epochs of {network.architecture} on {len(inputs):,} "
            f"examples take about {args.epochs * per_epoch:,} multiply-adds, more "
            f"than the {budget.MAX_NUMERIC_WORK:,} of a run; train for at most "
            f"{most:,} epochs (--epochs {most}) or on a smaller network"
        )
    from chainrule.cli.render_numbers import Progress, write_training_text
    from chainrule.numeric.case import constant_case, random_case
    from chainrule.numeric.train import descend, identical_hidden_units

    constant = args.init == "constant"
    if constant:
        case = constant_case(network, args.init_scale, inputs, targets)
    else:
        case = random_case(
            network, seed=args.seed, init_scale=args.init_scale, inputs=inputs, targets=targets
        )
    progress = Progress(args.epochs)
    costs, trained = descend(case, args.epochs, args.lr, after_epoch=progress.update)
    progress.close()
    identical = identical_hidden_units(trained)
    if args.json:
        dump_json(
            {
                "architecture": network.architecture,
                "epochs": len(costs) - 1,
                "learning_rate": args.lr,
                "init": args.init,
                "costs": [{"epoch": epoch, "cost": cost} for epoch, cost in enumerate(costs)],
                "identical_hidden_units": [
                    {"layer": layer, "units": units} for layer, units in identical
                ],
                "trained": trained.as_dict(),
            },
            out,
        )
        return 0
    hint = None
    if args.data == "xor" and not network.bias:
        hint = (
            "without biases every unit's boundary passes through the origin, and XOR "
            "cannot be fitted well that way: try --bias"
        )
    write_training_text(
        case,
        costs,
        trained,
        identical,
        out,
        every_epoch=not out.isatty(),
        learning_rate=args.lr,
        constant=constant,
        hint=hint,
    )
    return 0
