"""The command line's side of the options: argparse arguments made from their declarations.

Every option is declared once, in :mod:`chainrule.records.options` or in its command's record
module; this module only turns declarations into argparse arguments (:func:`add_options`), adds
the output format (``--format``, with ``--json`` its short form, one meaning everywhere), and
reads parsed arguments back into a request's keywords (:func:`values_of`).

Examples
--------
>>> positive_int("12")
12
>>> positive_int("0")
Traceback (most recent call last):
...
argparse.ArgumentTypeError: expected a positive integer, got '0'
>>> parser = Parser(prog="demo")
>>> add_format(parser, ["text", "latex", "json"])
>>> parser.parse_args(["--json"]).format
'json'
>>> parser.parse_args(["--json", "--format", "text"])
Traceback (most recent call last):
...
chainrule.cli.options.UsageError: --json and --format text ask for two formats; give one
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn, TextIO

from chainrule import budget
from chainrule.errors import SpecError
from chainrule.present.documents import write_json
from chainrule.records import options as declared
from chainrule.records.options import Option

PROG = "chainrule"
DEFAULT_CHAIN_LIMIT = budget.DEFAULT_CHAIN_LIMIT
ARCH_HELP = "layer sizes joined by '-', input first, e.g. 2-2-2"


class UsageError(SpecError):
    """Bad usage: reported as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, raising :class:`UsageError` where it would print its usage block and exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _argparse(convert: Callable[[object], Any]) -> Callable[[str], Any]:
    """A declared converter as an argparse type (its message becomes argparse's own)."""

    def parse(text: str) -> Any:
        try:
            return convert(text)
        except SpecError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parse.__name__ = convert.__name__
    return parse


positive_int = _argparse(declared.positive_int)
non_negative_int = _argparse(declared.non_negative_int)
positive_float = _argparse(declared.positive_float)


def add_options(parser: argparse.ArgumentParser, options: Iterable[Option]) -> None:
    """Add each declared option to `parser`, in order."""
    for option in options:
        option.add_to(parser)


def network_options() -> argparse.ArgumentParser:
    """--bias, --activation, --cost and --max-graph: a parent parser for every command that
    builds a network."""
    options = argparse.ArgumentParser(add_help=False)
    add_options(options, declared.NETWORK)
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


class _Format(argparse.Action):
    """``--format NAME`` or ``--json``: both set ``format``; two different ones are refused
    rather than the last silently winning."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        value = self.const if self.const is not None else values
        spelled = option_string if self.const is not None else f"{option_string} {values}"
        earlier = getattr(namespace, "_format_given", None)
        if earlier is not None and earlier[1] != value:
            raise UsageError(f"{earlier[0]} and {spelled} ask for two formats; give one")
        namespace._format_given = (spelled, value)
        namespace.format = value


def add_format(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    """``--format`` with the formats a command's presenters write, and ``--json`` for
    ``--format json``; the first format is the default."""
    parser.set_defaults(format=formats[0])
    if len(formats) > 2 or formats[0] != "text":
        parser.add_argument(
            "--format",
            action=_Format,
            choices=list(formats),
            help=_FORMAT_HELP.get(tuple(formats), f"{', '.join(formats)} (default {formats[0]})"),
        )
    if "json" in formats:
        parser.add_argument(
            "--json",
            action=_Format,
            nargs=0,
            const="json",
            help="the same as --format json" if len(formats) > 2 else "print JSON",
        )


_FORMAT_HELP: dict[tuple[str, ...], str] = {
    ("text", "unicode", "latex", "json"): "text (ASCII, default), unicode, latex or json",
    ("text", "latex", "json"): "text (default), latex or json",
}


def add_formats(parser: argparse.ArgumentParser) -> None:
    """--format text|unicode|latex|json, and --json as its short form."""
    add_format(parser, ["text", "unicode", "latex", "json"])


def add_wrt(parser: argparse.ArgumentParser) -> None:
    declared.WRT.add_to(parser)


def add_limit(parser: argparse.ArgumentParser, default: int, what: str) -> None:
    declared.limit(default, what).add_to(parser)


def add_case_options(
    parser: argparse.ArgumentParser,
    examples: int = 4,
    examples_help: str = "examples in a random case (default 4)",
) -> None:
    """--examples, --seed, --init-scale and --max-numbers: how a random case is drawn."""
    add_options(
        parser,
        [
            declared.examples(examples, examples_help),
            declared.SEED,
            declared.INIT_SCALE,
            declared.MAX_NUMBERS,
        ],
    )


def values_of(args: argparse.Namespace, options: Iterable[Option]) -> dict[str, Any]:
    """The parsed values of `options`, by keyword, for a request."""
    return {option.name: getattr(args, option.name) for option in options}


def dump_json(document: object, out: TextIO) -> None:
    """One JSON document, NaN and infinities written as null (they are not JSON)."""

    write_json(document, out)


def quiet_numpy():
    """Overflow in a saturated case shows up as a non-finite cost or gradient, which the report
    states and counts as a failure; numpy's warnings would only repeat it on stderr."""
    import numpy as np

    return np.errstate(all="ignore")
