"""The pieces every command's parser shares: option types, network options, formats, limits.

Examples
--------
>>> positive_int("12")
12
>>> positive_int("0")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: expected a positive integer, got '0'
"""

from __future__ import annotations

import argparse
import re
from typing import NoReturn, TextIO

from chainrule import budget
from chainrule.graph.spec import ACTIVATIONS, COSTS

PROG = "chainrule"
DEFAULT_CHAIN_LIMIT = budget.DEFAULT_CHAIN_LIMIT
ARCH_HELP = "layer sizes joined by '-', input first, e.g. 2-2-2"


class UsageError(Exception):
    """Bad usage or bad input: reported as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, raising :class:`UsageError` where it would print its usage block and exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def positive_int(text: str) -> int:
    if not re.fullmatch(r"[0-9]+", text) or int(text) == 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def non_negative_int(text: str) -> int:
    if not re.fullmatch(r"[0-9]+", text):
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    return int(text)


MAX_SCALE = 1e6  # --lr and --init-scale: far above any useful value, far below overflow


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value > 0 and value != float("inf")):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    if value > MAX_SCALE:
        raise argparse.ArgumentTypeError(
            f"expected a number up to {MAX_SCALE:g}, got {text!r} (larger values overflow)"
        )
    return value


def network_options() -> argparse.ArgumentParser:
    """--bias, --activation and --cost: a parent parser for every command that builds a net."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--bias", action="store_true", help="give every non-input neuron a bias weight theta^(l)_j0"
    )
    options.add_argument(
        "--activation",
        default="sigmoid",
        metavar="NAME[,NAME...]",
        help="one activation for all layers or one per non-input layer: "
        f"{', '.join(ACTIVATIONS)} (default sigmoid)",
    )
    options.add_argument(
        "--cost",
        default="mse",
        metavar="NAME",
        help=f"cost function: {', '.join(COSTS)} (default mse)",
    )
    options.add_argument(
        "--max-graph",
        type=positive_int,
        default=budget.DEFAULT_MAX_GRAPH,
        metavar="N",
        help="refuse to build a computation graph of more than N "
        f"nodes and edges (default {budget.DEFAULT_MAX_GRAPH:,})",
    )
    return options


def add_architecture(
    parser: argparse.ArgumentParser, default: str | None = None, optional_help: str | None = None
) -> None:
    """The ARCH positional: required, or optional with a default (or none, with --case)."""
    if default is None and optional_help is None:
        parser.add_argument("architecture", metavar="ARCH", help=ARCH_HELP)
    else:
        parser.add_argument(
            "architecture", metavar="ARCH", nargs="?", default=default, help=optional_help
        )


def add_formats(parser: argparse.ArgumentParser) -> None:
    """--format text|unicode|latex|json, and --json as its short form."""
    parser.add_argument(
        "--format",
        choices=["text", "unicode", "latex", "json"],
        default="text",
        help="text (ASCII, default), unicode, latex or json",
    )
    parser.add_argument(
        "--json",
        dest="format",
        action="store_const",
        const="json",
        help="the same as --format json",
    )


def add_wrt(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wrt",
        choices=["parameters", "inputs"],
        default="parameters",
        help="differentiate by the parameters (default) or by the inputs x_k",
    )


def add_limit(parser: argparse.ArgumentParser, default: int, what: str) -> None:
    parser.add_argument(
        "--limit",
        type=positive_int,
        default=default,
        metavar="N",
        help=f"refuse to write more than N {what} (default {default})",
    )


def add_case_options(
    parser: argparse.ArgumentParser,
    examples: int = 4,
    examples_help: str = "examples in a random case (default 4)",
) -> None:
    """--examples, --seed, --init-scale and --max-numbers: how a random case is drawn."""
    parser.add_argument(
        "--examples", type=positive_int, default=examples, metavar="M", help=examples_help
    )
    parser.add_argument(
        "--seed",
        type=non_negative_int,
        default=0,
        metavar="S",
        help="seed of the random numbers (default 0)",
    )
    parser.add_argument(
        "--init-scale",
        type=positive_float,
        default=1.0,
        metavar="EPS",
        help="draw weights from [-EPS, EPS] (default 1)",
    )
    parser.add_argument(
        "--max-numbers",
        type=positive_int,
        default=budget.DEFAULT_MAX_NUMBERS,
        metavar="N",
        help="refuse a case of more than N numbers (weights, "
        f"activations and gradients; default {budget.DEFAULT_MAX_NUMBERS:,})",
    )


def dump_json(document: object, out: TextIO) -> None:
    """One JSON document, NaN and infinities written as null (they are not JSON)."""
    import json

    from chainrule.files import json_safe

    json.dump(json_safe(document), out, indent=2, allow_nan=False)
    out.write("\n")


def quiet_numpy():
    """Overflow in a saturated case shows up as a non-finite cost or gradient, which the report
    states and counts as a failure; numpy's warnings would only repeat it on stderr."""
    import numpy as np

    return np.errstate(all="ignore")
