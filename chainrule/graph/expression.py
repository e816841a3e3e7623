r"""The expression core: numbers, names, operators and function calls read into SymPy, no eval.

Graph-file formulas (:mod:`chainrule.graph.graphfile`) and the claims ``chainrule check`` reads
(:mod:`chainrule.notation.reading`) are both read by an :class:`ExpressionReader`: the same
tokens, precedence, numbers, function calls and limits. A reader scans the text character by
character and builds SymPy expressions directly: no ``eval``, no ``sympify``. The grammar they
share is::

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | power
    power      := atom (("^" | "**") unary)?
    atom       := number | "(" expression ")" | function "(" expression ")" | name
    function   := an activation of the rules table (chainrule.rules) | exp | log

A subclass says what a name is (a graph file's declared names; a claim's nodes, δs and
partials) and may widen the grammar (the claim reader adds implicit products, LaTeX, unicode,
primes and piecewise functions); anything else is an error that names the position and what
was expected.

Constants are folded as they are read, each with an approximation (an mpmath number, whose
exponent never overflows) computed before SymPy computes the exact value, so a constant past
the limits is refused at once, whatever its spelling: ``1e999999999``, ``(2^100)^100``,
``exp(exp(1000))``.

The limits are one set for every reader: ``chainrule.budget``'s ``EXPRESSION_*`` (characters,
nesting depth, constant exponents, the size and spelling of numbers), with why each is what it
is written there.

Examples
--------
>>> x = sp.Symbol("x", real=True)
>>> class Reader(ExpressionReader):
...     def name(self, start):
...         if self.accept("x"):
...             return Value(x)
...         raise self.expected(self.atom_expected)
>>> Reader("-2*x^2 + tanh(x)/4").read()
-2*x**2 + tanh(x)/4
>>> Reader("x * 1e999999999").read()
Traceback (most recent call last):
...
chainrule.errors.SpecError: the number 1e999999999 at position 4 is too large in "x * 1e999999999"
>>> Reader("x^(2^100)").read()
Traceback (most recent call last):
...
chainrule.errors.SpecError: an exponent larger than 100 at position 1 in "x^(2^100)"
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any, NamedTuple, TypeVar

import sympy as sp

from chainrule import budget, rules
from chainrule.errors import SpecError

# The approximations carry 53 bits: 1e300 may come out a hair above 10^300 (exact values are
# checked exactly).
_APPROXIMATE_MAX = budget.EXPRESSION_NUMBER + budget.EXPRESSION_NUMBER // 10**9
NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?")
COMMAND = re.compile(r"\\[A-Za-z]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
UNDEFINED = "an undefined value (a division by zero or the log of 0)"

#: The functions every reader knows besides the activations (their derivatives are unused by
#: the readers but make each entry a whole rule).
_ELEMENTARY = {
    "exp": rules.ActivationRule("exp", lambda t: sp.exp(t), lambda t, a: a),
    "log": rules.ActivationRule("log", lambda t: sp.log(t), lambda t, a: 1 / t),
}

T = TypeVar("T")


def functions() -> dict[str, rules.ActivationRule]:
    """Every function a formula may call, by name: the rules table's activations, exp and log.

    Read from the table each time, so an activation added there is a function here.

    Examples
    --------
    >>> list(functions())[-2:], functions()["log"].function(sp.Integer(1))
    (['exp', 'log'], 0)
    """
    return {**rules.ACTIVATIONS, **_ELEMENTARY}


class Value(NamedTuple):
    """A sub-expression read and, when it is a constant, an approximation of its value.

    The approximation is an mpmath number, carried along so that a constant's size is known
    before SymPy computes it exactly: ``(2^100)^100`` is refused, not computed.
    """

    expression: Any  # a SymPy expression (or a Partial, a Piecewise)
    approximation: Any = None  # an mpmath mpf (untyped) for a constant, None for anything else

    @property
    def constant(self) -> bool:
        return self.approximation is not None


def value_of(expression: Any) -> Value:
    """An expression built outside the arithmetic below (a piecewise function, say), with an
    approximation if it is a constant, so that nothing unmeasured is raised to a power."""
    import mpmath

    if isinstance(expression, sp.Rational):
        return Value(expression, mpmath.mpf(expression.p) / expression.q)
    if isinstance(expression, sp.Expr) and expression.is_number:
        value = expression.evalf(20)
        if isinstance(value, sp.Float):
            return Value(expression, mpmath.mpf(value._mpf_))
    return Value(expression)


@functools.cache
def _approximator(rule: rules.ActivationRule, primed: bool) -> Callable[[Any], Any]:
    """A function (or its derivative) as a function of one mpmath number: a constant
    argument's value is known approximately, so the function's value is too, without asking
    SymPy to evaluate it."""
    argument = sp.Dummy("t", real=True)
    value = rule.function(argument)
    return sp.lambdify(argument, rule.derivative(argument, value) if primed else value, "mpmath")


def _log10_magnitude(value: Any) -> float:
    """log10 |value| of a non-zero mpmath number, whatever its exponent."""
    import mpmath

    return float(mpmath.log10(abs(value)))


class ExpressionReader:
    """The shared grammar over one text; a subclass defines :meth:`name`.

    Class attributes a subclass may change: `noun` (what the text is called in messages),
    `layout` (skipped between tokens), the operator patterns, `brackets` and `atom_expected`.
    """

    noun = "formula"
    layout: re.Pattern = re.compile(r"\s+")
    plus_minus: re.Pattern = re.compile(r"[-+]")
    times: re.Pattern = re.compile(r"\*(?!\*)")
    divided_by: re.Pattern = re.compile(r"/")
    to_the: re.Pattern = re.compile(r"\*\*|\^")
    brackets: tuple[tuple[str, str], ...] = (("(", ")"),)
    atom_expected = "a number, a name, a function or '('"

    def __init__(self, text: str):
        if not isinstance(text, str):
            raise SpecError(f"a {self.noun} must be text, not {type(text).__name__}")
        if len(text) > budget.EXPRESSION_CHARACTERS:
            raise SpecError(
                f"a {self.noun} of {len(text):,} characters is longer than the "
                f"{budget.EXPRESSION_CHARACTERS:,} allowed"
            )
        self.text = text
        self.position = 0
        self.depth = 0

    # -- plumbing -------------------------------------------------------------------------------

    def error(self, message: str, hint: str = "") -> SpecError:
        """A SpecError quoting the text as typed (JSON quoting would double every LaTeX
        backslash); control characters, which could not be read on one line, become spaces."""
        shown = self.text if len(self.text) <= 80 else self.text[:77] + "..."
        shown = "".join(" " if not c.isprintable() else c for c in shown)
        return SpecError(f'{message} in "{shown}"{hint}')

    def expected(self, what: str) -> SpecError:
        self.skip()
        if self.position >= len(self.text):
            return self.error(f"the {self.noun} ends where {what} was expected")
        command = COMMAND.match(self.text, self.position)  # show \alpha whole, not its '\'
        shown = command.group() if command else self.text[self.position]
        return self.error(f"unexpected '{shown}' at position {self.position}: expected {what}")

    def nested(self, parse: Callable[..., T], *args: Any, levels: int = 1) -> T:
        """Run one recursive step, refusing nesting deeper than budget.EXPRESSION_DEPTH."""
        self.depth += levels
        if self.depth > budget.EXPRESSION_DEPTH:
            raise self.error(
                f"nesting deeper than {budget.EXPRESSION_DEPTH} levels (a function counts "
                f"{budget.EXPRESSION_FUNCTION_LEVELS}) at position {self.position}"
            )
        try:
            return parse(*args)
        finally:
            self.depth -= levels

    def skip(self) -> None:
        match = self.layout.match(self.text, self.position)
        if match:
            self.position = match.end()

    def here(self) -> int:
        """The position of the next token."""
        self.skip()
        return self.position

    def at(self, pattern: str | re.Pattern) -> re.Match | None:
        """Match `pattern` (a literal or a regex) after layout, without consuming it."""
        self.skip()
        if isinstance(pattern, str):
            return re.compile(re.escape(pattern)).match(self.text, self.position)
        return pattern.match(self.text, self.position)

    def accept(self, pattern: str | re.Pattern) -> re.Match | None:
        match = self.at(pattern)
        if match:
            self.position = match.end()
        return match

    def expect(self, literal: str, what: str | None = None) -> None:
        if not self.accept(literal):
            raise self.expected(what or repr(literal))

    def guarded(self, parse: Callable[[], T]) -> T:
        """Run a whole read; what escapes from SymPy becomes one SpecError."""
        try:
            return parse()
        except RecursionError:  # a guard above budget.EXPRESSION_DEPTH, should a path miss it
            raise SpecError(
                f"the {self.noun} is nested too deeply to read "
                f"(more than {budget.EXPRESSION_DEPTH} levels)"
            ) from None
        except (TypeError, ValueError, ArithmeticError) as error:
            if isinstance(error, SpecError):
                raise
            # SymPy refusing what was written, e.g. relu'(x/0) compares an undefined value
            raise self.error(
                f"the {self.noun} is not a well-defined expression ({error})"
            ) from None

    # -- the whole text -------------------------------------------------------------------------

    def read(self) -> sp.Expr:
        """The whole text as one expression."""

        def parse() -> sp.Expr:
            if self.here() >= len(self.text):
                raise self.error("nothing to read")
            value = self.expression()
            self.finish(f"an operator or the end of the {self.noun}")
            return self.checked(value.expression)

        return self.guarded(parse)

    def finish(self, what: str) -> None:
        if self.here() < len(self.text):
            raise self.expected(what)

    def checked(self, expression: Any) -> Any:
        """The expression read, refused if SymPy found it undefined or not real."""
        if expression.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise self.error(UNDEFINED)
        if expression.has(sp.I):
            raise self.error(
                "a value that is not a real number (the log or a root of a negative number)"
            )
        return expression

    # -- the grammar ----------------------------------------------------------------------------

    def expression(self) -> Value:
        # Terms are gathered and added once: adding them one at a time makes SymPy re-sort a
        # growing sum at every step, quadratic in the formula's length. The constant terms'
        # approximate sum is checked at every step, so no exact sum ever grows past the limit.
        where = self.here()
        value = self.term()
        approximation, constants, terms, sign = 0, [], [], 1
        while True:
            expression = value.expression if sign > 0 else -value.expression
            if value.constant:
                approximation += value.approximation if sign > 0 else -value.approximation
                self.check_size(approximation, where)
                constants.append(expression)
            else:
                terms.append(expression)
            operator = self.accept(self.plus_minus)
            if not operator:
                break
            sign, where = (1 if operator.group() == "+" else -1), self.here()
            value = self.term()
        if not terms:
            return self.constant(sp.Add(*constants), approximation, where)
        return Value(sp.Add(*constants, *terms) if len(constants) + len(terms) > 1 else terms[0])

    def term(self) -> Value:
        start = self.here()
        factors = [(self.unary(), "*", start)]
        while True:
            where = self.here()
            if self.accept(self.times):
                factors.append((self.unary(), "*", where))
            elif self.accept(self.divided_by):
                factors.append((self.unary(), "/", where))
            elif self.implicit_factor():
                factors.append((self.power(), "*", where))
            else:
                return self.product(factors)

    def implicit_factor(self) -> bool:
        """Whether a factor follows with no operator (``2a``); the formulas of graph files
        have none."""
        return False

    def product(self, factors: list[tuple[Value, str, int]]) -> Value:
        """The product of factors, each multiplied ("*") or divided ("/") at its position;
        the constant ones' approximate product is checked at every step, so no exact product
        grows past the limit, and the product is built once (linear in the number of
        factors)."""
        approximation, constants, symbolic, where = 1, [], [], factors[0][2]
        for value, operator, where in factors:
            if value.constant:
                if operator == "/" and not value.approximation:
                    raise self.error(UNDEFINED)
                approximation = (
                    approximation * value.approximation
                    if operator == "*"
                    else approximation / value.approximation
                )
                self.check_size(approximation, where)
                constants.append(
                    value.expression if operator == "*" else sp.Pow(value.expression, -1)
                )
            else:
                symbolic.append(
                    value.expression if operator == "*" else sp.Pow(value.expression, -1)
                )
        if not symbolic:
            return self.constant(sp.Mul(*constants), approximation, where)
        if constants:
            symbolic.append(self.constant(sp.Mul(*constants), approximation, where).expression)
        return Value(sp.Mul(*symbolic) if len(symbolic) > 1 else symbolic[0])

    def unary(self) -> Value:
        sign = self.accept(self.plus_minus)
        if not sign:
            return self.power()
        operand = self.nested(self.unary)
        if sign.group() == "+":
            return operand
        return Value(
            -operand.expression,
            None if operand.approximation is None else -operand.approximation,
        )

    def power(self) -> Value:
        base = self.atom()
        where = self.here()
        exponent = self.exponent()
        return base if exponent is None else self.raised(base, exponent, where)

    def exponent(self) -> Value | None:
        """The exponent after a base, if there is one."""
        if not self.accept(self.to_the):
            return None
        return self.nested(self.unary)

    def atom(self) -> Value:
        start = self.here()
        number = self.accept(NUMBER)
        if number:
            return self.number(number.group(), start)
        for opening, closing in self.brackets:
            if self.accept(opening):
                inner = self.nested(self.expression)
                self.expect(closing)
                return inner
        special = self.special(start)
        if special is not None:
            return special
        call = self.call(start)
        if call is not None:
            return call
        return self.name(start)

    def special(self, start: int) -> Value | None:
        """An atom of a wider grammar (a partial, a fraction), or None; graph files have none."""
        return None

    def name(self, start: int) -> Value:
        """A name at `start`: what names mean is the subclass's to say."""
        raise NotImplementedError

    def call(self, start: int) -> Value | None:
        """``function(expression)``, or None (position unchanged) if no word and '(' are here."""
        word = _WORD.match(self.text, start)
        if word is None or not self.at_call(word.end()):
            return None
        known = functions()
        if word.group() not in known:
            raise self.error(
                f"unknown function {word.group()!r} at position {start}",
                f" (allowed: {', '.join(known)})",
            )
        self.position = word.end()
        return self.nested(
            self.arguments, word.group(), start, levels=budget.EXPRESSION_FUNCTION_LEVELS
        )

    def arguments(self, name: str, start: int) -> Value:
        self.expect("(")
        argument = self.expression()
        self.expect(")")
        return self.applied(name, False, argument, start)

    def at_call(self, end: int) -> bool:
        """Whether a '(' follows the word ending at `end`."""
        return re.compile(r"\s*\(").match(self.text, end) is not None

    # -- constants ------------------------------------------------------------------------------

    def number(self, text: str, where: int) -> Value:
        """A number, its size checked from its text before anything converts it: Fraction
        would take forever on 1e999999999, and int() refuses more than 4,300 digits."""
        import mpmath

        shown = text if len(text) <= 24 else f"{text[:12]}...{text[-6:]}"
        if len(text) > budget.EXPRESSION_DIGITS:
            raise self.error(
                f"a number of more than {budget.EXPRESSION_DIGITS} characters at position {where}"
            )
        mantissa, _, power = text.lower().partition("e")
        whole, _, fraction = mantissa.partition(".")
        whole = whole.lstrip("0")
        nonzero = bool((whole + fraction).strip("0"))
        # The value is 0.ddd... x 10^order (order counts the digits before the point).
        order = int(power or 0) + (
            len(whole) if whole else -(len(fraction) - len(fraction.lstrip("0")))
        )
        too_small = (
            f"the number {shown} at position {where} is too small or too "
            f"precise (more than {budget.EXPRESSION_LOG10_MAX} decimal places)"
        )
        if nonzero and order > budget.EXPRESSION_LOG10_MAX + 1:
            raise self.error(f"the number {shown} at position {where} is too large")
        if nonzero and order < -budget.EXPRESSION_LOG10_MAX:
            raise self.error(too_small)
        value = Fraction(text) if nonzero else Fraction(0)
        if abs(value) > budget.EXPRESSION_NUMBER:
            raise self.error(f"the number {shown} at position {where} is too large")
        if value.denominator > budget.EXPRESSION_NUMBER:
            raise self.error(too_small)
        rational = sp.Rational(value.numerator, value.denominator)
        return Value(rational, mpmath.mpf(value.numerator) / value.denominator)

    def constant(self, expression: Any, approximation: Any, where: int) -> Value:
        """A constant, checked: real, defined, and within ``budget.EXPRESSION_NUMBER`` (exact
        ones in digits too)."""
        import mpmath

        if isinstance(approximation, mpmath.mpc) or expression.has(sp.I):
            raise self.error(f"a constant that is not a real number at position {where}")
        if expression.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or not mpmath.isfinite(approximation):
            raise self.error(UNDEFINED)
        self.check_size(approximation, where)
        if expression.is_Rational and (
            abs(expression.p) > budget.EXPRESSION_NUMBER or expression.q > budget.EXPRESSION_NUMBER
        ):
            raise self.error(
                f"a constant with more than {budget.EXPRESSION_LOG10_MAX} digits "
                f"at position {where}"
            )
        return Value(expression, approximation)

    def check_size(self, approximation: Any, where: int) -> None:
        if abs(approximation) > _APPROXIMATE_MAX:
            raise self.error(
                f"a constant larger than 10^{budget.EXPRESSION_LOG10_MAX} at position {where}"
            )

    def raised(self, base: Value, exponent: Value, where: int) -> Value:
        """base ^ exponent, refused past ``budget.EXPRESSION_EXPONENT`` (a constant exponent, or
        a power of a power that multiplies out past it) or, for two constants, past
        ``budget.EXPRESSION_NUMBER``."""
        if exponent.constant and abs(exponent.approximation) > budget.EXPRESSION_EXPONENT:
            raise self.error(
                f"an exponent larger than {budget.EXPRESSION_EXPONENT} at position {where}"
            )
        if not (base.constant and exponent.constant):
            result = base.expression**exponent.expression
            if (
                result.is_Pow
                and result.exp.is_Number
                and abs(result.exp) > budget.EXPRESSION_EXPONENT
            ):
                raise self.error(
                    f"an exponent larger than {budget.EXPRESSION_EXPONENT} at position {where}"
                )
            return value_of(result) if result.is_number else Value(result)
        return self._constant_power(base, exponent, where)

    def _constant_power(self, base: Value, exponent: Value, where: int) -> Value:
        """base ^ exponent for two constants, its size estimated before SymPy computes it."""
        import mpmath

        if not base.approximation:
            if exponent.approximation < 0:
                raise self.error(UNDEFINED)
            return self.constant(
                base.expression**exponent.expression,
                mpmath.mpf(0) if exponent.approximation else mpmath.mpf(1),
                where,
            )
        if base.approximation < 0 and not exponent.expression.is_Integer:
            raise self.error(
                f"a constant that is not a real number at position {where} "
                "(a negative number to a power that is not a whole number)"
            )
        magnitude = float(exponent.approximation) * _log10_magnitude(base.approximation)
        exact = base.expression.is_Rational
        if magnitude > budget.EXPRESSION_LOG10_MAX or (
            exact and magnitude < -budget.EXPRESSION_LOG10_MAX
        ):
            raise self.error(
                f"a constant power beyond 10^{'-' if magnitude < 0 else ''}"
                f"{budget.EXPRESSION_LOG10_MAX} at position {where}"
            )
        return self.constant(
            base.expression**exponent.expression,
            mpmath.power(base.approximation, exponent.approximation),
            where,
        )

    def applied(self, name: str, primed: bool, argument: Value, where: int) -> Value:
        """The function `name` of :func:`functions` (or its derivative) at `argument`; a
        constant argument gives a constant, checked like any other."""
        if argument.expression.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise self.error(
                f"the argument of the function at position {where} is undefined "
                "(a division by zero or the log of 0)"
            )
        rule = functions()[name]
        value = rule.function(argument.expression)
        if primed:
            value = rule.derivative(argument.expression, value)
        if not argument.constant:
            return Value(value)
        if name == "log" and argument.approximation == 0:
            raise self.error(f"an undefined value (the log of 0) at position {where}")
        if name == "log" and argument.approximation < 0:
            raise self.error(
                f"the log of a negative constant at position {where} (not a real number)"
            )
        # Every constant argument is within 10^300 already, so exp(exp(1000)) never gets here:
        # exp(1000) is refused as too large first.
        return self.constant(value, _approximator(rule, primed)(argument.approximation), where)
