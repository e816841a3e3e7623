"""Options, declared once: what each command takes, read the same way from every front end.

An :class:`Option` states a command's option once: its keyword (``max_graph``), what it means,
its default, and how text becomes its value. From that one declaration the command line builds
its ``--max-graph`` argument (:meth:`Option.add_to`), the explorer reads the query parameter
``max-graph`` (:meth:`Option.from_text`), and a Python call's ``max_graph=`` keyword is checked
(:meth:`Option.accept`); a bad value is a :class:`~chainrule.errors.SpecError` naming the option
as the front end spells it. The options several commands share are declared here; a command's
own are declared in its record module.

Examples
--------
>>> LIMIT.accept(12), LIMIT.accept("12")
(12, 12)
>>> LIMIT.accept(0)
Traceback (most recent call last):
...
chainrule.errors.SpecError: limit: expected a positive integer, got 0
>>> VIEW.accept("sideways")
Traceback (most recent call last):
...
chainrule.errors.SpecError: view: expected one of abstract, local, closed, matrix, got 'sideways'
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from chainrule import budget, rules
from chainrule.errors import SpecError

# -- text to values -----------------------------------------------------------------------------

_TRUE, _FALSE = ("1", "true", "yes", "on", ""), ("0", "false", "no", "off")


def positive_int(value: object) -> int:
    """A whole number above 0, from an int or its digits."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value) and int(value) > 0:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise SpecError(f"expected a positive integer, got {value!r}")


def non_negative_int(value: object) -> int:
    """A whole number, 0 or more, from an int or its digits."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise SpecError(f"expected a whole number, got {value!r}")


def positive_float(value: object) -> float:
    """A finite number above 0 and at most ``budget.MAX_SCALE``."""
    try:
        number = float(value) if isinstance(value, (str, int, float)) else float("nan")
    except (ValueError, OverflowError):
        number = float("nan")
    if isinstance(value, bool) or not (number > 0 and number != float("inf")):
        raise SpecError(f"expected a positive number, got {value!r}")
    if number > budget.MAX_SCALE:
        raise SpecError(
            f"expected a number up to {budget.MAX_SCALE:g}, got {value!r} (larger values overflow)"
        )
    return number


def non_negative_float(value: object) -> float:
    """A finite number, 0 or above, and at most :data:`MAX_SCALE` (``--init-scale 0``: every
    weight 0, a legitimate start for a worked example).

    Examples
    --------
    >>> non_negative_float("0"), non_negative_float(0.5)
    (0.0, 0.5)
    >>> non_negative_float("-1")
    Traceback (most recent call last):
    ...
    chainrule.errors.SpecError: expected a number, 0 or more, got '-1'
    """
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            if float(value) == 0:
                return 0.0
        except (ValueError, OverflowError):
            pass
    try:
        return positive_float(value)
    except SpecError as error:
        if "up to" in str(error):
            raise
        raise SpecError(f"expected a number, 0 or more, got {value!r}") from None


def boolean(value: object) -> bool:
    """True or false, from a bool or from query text (``true``, ``1``, ``on``, ``false``...)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise SpecError(f"takes true or false, not {value!r}")


def text(value: object) -> str:
    if not isinstance(value, str):
        raise SpecError(f"expected text, got {value!r}")
    return value


# -- one option ---------------------------------------------------------------------------------


class Option(NamedTuple):
    """One option of one or more commands, declared once for every front end.

    `name` is the keyword (``max_graph``); the command line writes it ``--max-graph``, the
    explorer's query ``max-graph`` (``max_graph`` is accepted too). `parse` turns one value,
    typed or text, into the option's value, raising :class:`SpecError` with what was expected;
    `choices` limits text to a list; `repeat` collects every value given (a tuple); `flag` is a
    switch (``--bias``; ``bias=true``).
    """

    name: str
    help: str
    default: Any = None
    parse: Callable[[object], Any] = text
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    repeat: bool = False
    flag: bool = False
    short: str | None = None

    @property
    def command_line(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def query_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.name.replace("_", "-"), self.name)))

    def _one(self, value: object) -> Any:
        if self.flag:
            return boolean(value)
        if self.choices is not None:
            if value not in self.choices:
                raise SpecError(f"expected one of {', '.join(self.choices)}, got {value!r}")
            return value
        return self.parse(value)

    def accept(self, value: object) -> Any:
        """The option's value from `value` (typed, or text as a query gives it); a repeatable
        option takes one value or a sequence of them and gives a tuple."""
        try:
            if self.repeat:
                values = (
                    [value]
                    if isinstance(value, str) or not isinstance(value, Iterable)
                    else list(value)
                )
                return tuple(self._one(each) for each in values if each is not None)
            return self._one(value)
        except SpecError as error:
            raise SpecError(f"{budget.spelled(self.name)}: {error}") from None
        except TypeError:
            raise SpecError(f"{budget.spelled(self.name)}: cannot take {value!r}") from None

    def from_text(self, values: Sequence[str]) -> Any:
        """The value of a query's texts for this option (all of them if repeatable, else the
        last; a flag given without a value is true)."""
        if self.repeat:
            return self.accept(list(values))
        return self.accept(values[-1])

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        """Add this option to a command's argparse parser, with the same name and help."""
        names = [self.short, self.command_line] if self.short else [self.command_line]
        if self.flag:
            parser.add_argument(*names, dest=self.name, action="store_true", help=self.help)
            return
        keywords: dict[str, Any] = {"dest": self.name, "help": self.help}
        if self.metavar is not None:
            keywords["metavar"] = self.metavar
        if self.choices is not None:
            keywords["choices"] = list(self.choices)
        else:
            keywords["type"] = _argparse_type(self.parse)
        if self.repeat:
            keywords.update(action="append", default=[])
        else:
            keywords["default"] = self.default
        parser.add_argument(*names, **keywords)


def _argparse_type(parse: Callable[[object], Any]) -> Callable[[str], Any]:
    """`parse` as an argparse type: its message becomes argparse's ``argument --x: ...``."""

    def convert(value: str) -> Any:
        try:
            return parse(value)
        except SpecError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    convert.__name__ = getattr(parse, "__name__", "value")
    return convert


def read_options(
    options: Sequence[Option], given: Mapping[str, object], who: str
) -> dict[str, Any]:
    """Every option's value from `given` (keyword -> value, typed or text), defaults filled in.
    A keyword that is no option of `who` is refused by name, so that a typo is not ignored."""
    refuse_unknown(options, given, who)
    values = {}
    for option in options:
        if option.name in given and given[option.name] is not None:
            values[option.name] = option.accept(given[option.name])
        else:
            values[option.name] = () if option.repeat else option.default
    return values


def refuse_unknown(options: Sequence[Option], given: Iterable[str], who: str) -> None:
    """Refuse, by name, a keyword in `given` that is none of `options` (those of `who`).

    Examples
    --------
    >>> refuse_unknown([LIMIT, VIEW], ["limit", "case"], "chains")
    Traceback (most recent call last):
    ...
    chainrule.errors.SpecError: chains takes no option 'case'; it takes limit, view
    """
    known = [option.name for option in options]
    unknown = sorted(str(name) for name in given if name not in known)
    if unknown:
        raise SpecError(
            f"{who} takes no option {unknown[0]!r}; it takes "
            + ", ".join(budget.spelled(name) for name in known)
        )


# -- the options several commands share ---------------------------------------------------------

BIAS = Option(
    "bias", "give every non-input neuron a bias weight theta^(l)_j0", default=False, flag=True
)
ACTIVATION = Option(
    "activation",
    "one activation for all layers or one per non-input layer: "
    f"{', '.join(rules.ACTIVATIONS)} (default {rules.DEFAULT_ACTIVATION})",
    default=rules.DEFAULT_ACTIVATION,
    metavar="NAME[,NAME...]",
)
COST = Option(
    "cost",
    f"cost function: {', '.join(rules.COSTS)} (default {rules.DEFAULT_COST})",
    default=rules.DEFAULT_COST,
    metavar="NAME",
)
MAX_GRAPH = Option(
    "max_graph",
    "refuse to build a computation graph of more than N "
    f"nodes and edges (default {budget.DEFAULT_MAX_GRAPH:,})",
    default=budget.DEFAULT_MAX_GRAPH,
    parse=positive_int,
    metavar="N",
)
#: Every command that builds a network takes these (a parent parser on the command line).
NETWORK = (BIAS, ACTIVATION, COST, MAX_GRAPH)

WRT = Option(
    "wrt",
    "differentiate by the parameters (default) or by the inputs x_k",
    default="parameters",
    choices=("parameters", "inputs"),
)
VIEW = Option(
    "view",
    "abstract partials (default), their local formulas, the closed expression in x, theta and "
    "y, or the matrix form: a layer at a time, with shapes",
    default="abstract",
    choices=("abstract", "local", "closed", "matrix"),
)
LIMIT = Option(
    "limit",
    f"refuse to write more than N chains (default {budget.DEFAULT_CHAIN_LIMIT})",
    default=budget.DEFAULT_CHAIN_LIMIT,
    parse=positive_int,
    metavar="N",
)
SEED = Option(
    "seed",
    "seed of the random numbers (default 0)",
    default=0,
    parse=non_negative_int,
    metavar="S",
)
INIT_SCALE = Option(
    "init_scale",
    "draw weights from [-EPS, EPS] (default 1; 0 makes every weight 0)",
    default=1.0,
    parse=non_negative_float,
    metavar="EPS",
)
MAX_NUMBERS = Option(
    "max_numbers",
    "refuse a case of more than N numbers (weights, "
    f"activations and gradients; default {budget.DEFAULT_MAX_NUMBERS:,})",
    default=budget.DEFAULT_MAX_NUMBERS,
    parse=positive_int,
    metavar="N",
)


def param(help: str, repeat: bool = True, metavar: str = "l,j,k") -> Option:
    """The ``--param`` option (``l,j,k`` for θ^(l)_jk of layer sizes, a node's name in a graph),
    with the help text of the command that selects with it."""
    return Option("param", help, default=None, metavar=metavar, repeat=repeat)


def examples(default: int = 4, help: str = "examples in a random case (default 4)") -> Option:
    return Option("examples", help, default=default, parse=positive_int, metavar="M")


def limit(default: int, what: str) -> Option:
    """``--limit`` with `default` and what it bounds, for the commands whose default differs."""
    return LIMIT._replace(
        default=default, help=f"refuse to write more than N {what} (default {default})"
    )
