"""Graph files: a computation graph described in JSON, its formulas parsed without running code.

::

    {"inputs": ["x"], "parameters": ["w", "v"], "targets": ["y"],
     "nodes": {"h": "sigmoid(w*x)", "z": "v*h + h"},
     "cost": "(z - y)^2 / 2",
     "latex": {"w": "w"}}                       # optional LaTeX names

Nodes are read in the order written; a formula may use inputs, parameters, targets, nodes
written before it, and ``m`` (the number of examples). Formulas are parsed by a small
recursive-descent parser that builds SymPy expressions directly: no ``eval``, no ``sympify``.
The grammar is, in full::

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | power
    power      := atom (("^" | "**") unary)?
    atom       := number | name | function "(" expression ")" | "(" expression ")"
    function   := sigmoid | tanh | relu | identity | softplus | leaky_relu | exp | log

Anything else is an error that names the offending text.

Examples
--------
>>> import sympy as sp
>>> w, x = sp.symbols("w x", real=True)
>>> parse_formula("sigmoid(w*x + 0.5)^2", {"w": w, "x": x})
(exp(-w*x - 1/2) + 1)**(-2)
>>> parse_formula("__import__('os')", {"x": x})
Traceback (most recent call last):
...
chainrule.errors.SpecError: unexpected character '_' at position 0 in "__import__('os')"
"""

from __future__ import annotations

import functools
import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple

import sympy as sp

from chainrule.graph import dag as dag_module
from chainrule.graph.kinds import NodeKind
from chainrule.graph.spec import SpecError
from chainrule.graph.symbols import M

FUNCTIONS = {
    "sigmoid": dag_module.sigmoid,
    "tanh": dag_module.tanh,
    "relu": dag_module.relu,
    "identity": dag_module.identity,
    "softplus": dag_module.softplus,
    "leaky_relu": dag_module.leaky_relu,
    "exp": sp.exp,
    "log": sp.log,
}
MAX_FORMULA = 10_000  # characters: a guard against absurd input, far above any real formula
MAX_DEPTH = 100  # nested parentheses, signs and powers: far above any real formula
MAX_NUMBER = 10**300  # larger constants overflow a float when evaluated
FUNCTION_LEVELS = 5  # how many levels of MAX_DEPTH one function call counts
MAX_DIGITS = 400  # characters of one number: more would only spell a number past MAX_NUMBER
MAX_EXPONENT = 1_000  # a larger constant power (2^2^2^2^2^2) would take SymPy forever
MAX_NODES = 5_000  # declared names and nodes of one graph file: about 3 s to read
MAX_EDGES = 100_000  # uses of one node by another
MAX_GRAPH_FILE_BYTES = 1_000_000
_LOG10_MAX = 300  # log10(MAX_NUMBER)
_APPROXIMATE_MAX = MAX_NUMBER + MAX_NUMBER // 10**9
_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*(?:\^\(\d+\)_[\d,]+)?)"
    r"|(?P<operator>\*\*|[-+*/^()]))"
)
_BLANK_TO_END = re.compile(r"\s*\Z")


class _Value(NamedTuple):
    """A parsed sub-expression and, when it is a constant, an approximation of its value.

    The approximation is an mpmath number (its exponent never overflows), carried along so that
    a constant's size is known before SymPy computes it exactly: ``(2^1000)^1000`` is refused,
    not computed.
    """

    expression: sp.Expr
    approximation: Any = None  # an mpmath mpf (untyped) for a constant, None for anything else

    @property
    def constant(self) -> bool:
        return self.approximation is not None


def _log10_magnitude(value) -> float:
    """log10 |value| of a non-zero mpmath number, whatever its exponent."""
    import mpmath

    return float(mpmath.log10(abs(value)))


@functools.cache
def _approximator(name: str):
    """FUNCTIONS[name] as a function of one mpmath number: a constant argument's value is
    known approximately, so the function's value is too, without asking SymPy to evaluate."""
    argument = sp.Dummy("t", real=True)
    return sp.lambdify(argument, FUNCTIONS[name](argument), "mpmath")


class _Parser:
    def __init__(self, text: str, names: dict[str, sp.Expr]):
        self.text, self.names = text, names
        self.tokens = self._tokenise(text)
        self.position = 0
        self.depth = 0
        self.used: set[str] = set()  # the names the text mentions, whether or not they cancel

    def _nested(self, parse, levels: int = 1):
        """Run one recursive step, refusing nesting deeper than MAX_DEPTH.

        A function call counts FUNCTION_LEVELS levels: sigmoid(z) is 1/(1 + exp(-z)), four
        levels of SymPy's tree, and SymPy's own recursion (differentiating, printing) runs out
        of Python's stack near 30 nested sigmoids.
        """
        self.depth += levels
        if self.depth > MAX_DEPTH:
            raise self._error(
                f"nesting deeper than {MAX_DEPTH} levels (a function counts {FUNCTION_LEVELS})"
            )
        try:
            return parse()
        finally:
            self.depth -= levels

    def _error(self, message: str, hint: str = "") -> SpecError:
        shown = self.text if len(self.text) <= 80 else self.text[:77] + "..."
        return SpecError(f"{message} in {json.dumps(shown, ensure_ascii=False)}{hint}")

    def _tokenise(self, text: str) -> list[tuple[str, str, int]]:
        tokens, index = [], 0
        while index < len(text):
            if _BLANK_TO_END.match(text, index):
                break
            match = _TOKEN.match(text, index)
            if match is None:
                where = len(text) - len(text[index:].lstrip())
                raise self._error(f"unexpected character {text[where]!r} at position {where}")
            kind = match.lastgroup
            assert kind is not None  # every alternative of _TOKEN is a named group
            tokens.append((kind, match.group(kind), match.start(kind)))
            index = match.end()
        return tokens

    def _peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def _take(self) -> tuple[str, str, int]:
        if self.position >= len(self.tokens):
            raise self._error("the formula ends too soon")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self) -> sp.Expr:
        if not self.tokens:
            raise self._error("nothing to read")
        expression = self._expression().expression
        if self.position < len(self.tokens):
            _, text, where = self.tokens[self.position]
            raise self._error(f"unexpected {text!r} at position {where}")
        if expression.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise self._error("an undefined value (a division by zero or the log of 0)")
        if expression.has(sp.I):
            raise self._error("a constant that is not a real number")
        return expression

    # -- constants ------------------------------------------------------------------------------

    def _constant(self, expression: sp.Expr, approximation, where: int) -> _Value:
        """A constant, checked: real, defined, and within MAX_NUMBER (exact ones in digits too)."""
        import mpmath

        if expression.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or not mpmath.isfinite(approximation):
            raise self._error("an undefined value (a division by zero or the log of 0)")
        if expression.has(sp.I):
            raise self._error(f"a constant that is not a real number at position {where}")
        self._check_size(approximation, where)
        if expression.is_Rational and (abs(expression.p) > MAX_NUMBER or expression.q > MAX_NUMBER):
            raise self._error(f"a constant with more than {_LOG10_MAX} digits at position {where}")
        return _Value(expression, approximation)

    def _check_size(self, approximation, where: int) -> None:
        # The approximation carries 53 bits: 1e300 may come out a hair above 10^300 (the exact
        # value is checked exactly, in _constant and _number).
        if abs(approximation) > _APPROXIMATE_MAX:
            raise self._error(f"a constant larger than 10^{_LOG10_MAX} at position {where}")

    # -- the grammar ----------------------------------------------------------------------------

    def _expression(self) -> _Value:
        # Terms are gathered and added once: adding them one at a time makes SymPy re-sort a
        # growing sum at every step, quadratic in the formula's length. The constant terms'
        # approximate sum is checked at every step, so no exact sum ever grows past the limit.
        where = self._where()
        value = self._term()
        approximation, constants, terms, sign = 0, [], [], 1
        while True:
            expression = value.expression if sign > 0 else -value.expression
            if value.constant:
                approximation += value.approximation if sign > 0 else -value.approximation
                self._check_size(approximation, where)
                constants.append(expression)
            else:
                terms.append(expression)
            if self._peek() not in ("+", "-"):
                break
            sign, where = (1 if self._take()[1] == "+" else -1), self._where()
            value = self._term()
        if not terms:
            return self._constant(sp.Add(*constants), approximation, where)
        return _Value(sp.Add(*constants, *terms) if len(constants) + len(terms) > 1 else terms[0])

    def _where(self) -> int:
        """The position of the next token (or the end of the text)."""
        return self.tokens[self.position][2] if self.position < len(self.tokens) else len(self.text)

    def _term(self) -> _Value:
        where = self._where()
        value = self._unary()
        approximation, constants, factors, operator = 1, [], [], "*"
        while True:
            if value.constant:
                if operator == "/" and not value.approximation:
                    raise self._error("an undefined value (a division by zero or the log of 0)")
                approximation = (
                    approximation * value.approximation
                    if operator == "*"
                    else approximation / value.approximation
                )
                self._check_size(approximation, where)
                constants.append(
                    value.expression if operator == "*" else sp.Pow(value.expression, -1)
                )
            else:
                factors.append(
                    value.expression if operator == "*" else sp.Pow(value.expression, -1)
                )
            if self._peek() not in ("*", "/"):
                break
            operator, where = self._take()[1:]
            value = self._unary()
        if not factors:
            return self._constant(sp.Mul(*constants), approximation, where)
        if constants:
            factors.append(self._constant(sp.Mul(*constants), approximation, where).expression)
        return _Value(sp.Mul(*factors) if len(factors) > 1 else factors[0])

    def _unary(self) -> _Value:
        if self._peek() in ("-", "+"):
            sign = self._take()[1]
            operand = self._nested(self._unary)
            if sign == "+":
                return operand
            return _Value(
                -operand.expression,
                None if operand.approximation is None else -operand.approximation,
            )
        return self._power()

    def _power(self) -> _Value:
        base = self._atom()
        if self._peek() not in ("^", "**"):
            return base
        _, _, where = self._take()
        exponent = self._nested(self._unary)
        if exponent.constant and abs(exponent.approximation) > MAX_EXPONENT:
            raise self._error(f"an exponent larger than {MAX_EXPONENT} at position {where}")
        if not (base.constant and exponent.constant):
            result = base.expression**exponent.expression
            if result.is_Pow and result.exp.is_Number and abs(result.exp) > MAX_EXPONENT:
                raise self._error(f"an exponent larger than {MAX_EXPONENT} at position {where}")
            return _Value(result)
        return self._constant_power(base, exponent, where)

    def _constant_power(self, base: _Value, exponent: _Value, where: int) -> _Value:
        """base ^ exponent for two constants, its size estimated before SymPy computes it."""
        import mpmath

        if not base.approximation:
            if exponent.approximation < 0:
                raise self._error("an undefined value (a division by zero or the log of 0)")
            return self._constant(
                base.expression**exponent.expression,
                mpmath.mpf(0) if exponent.approximation else mpmath.mpf(1),
                where,
            )
        if base.approximation < 0 and not exponent.expression.is_Integer:
            raise self._error(
                f"a constant that is not a real number at position {where} "
                "(a negative number to a power that is not a whole number)"
            )
        magnitude = float(exponent.approximation) * _log10_magnitude(base.approximation)
        exact = base.expression.is_Rational
        if magnitude > _LOG10_MAX or (exact and magnitude < -_LOG10_MAX):
            raise self._error(
                f"a constant power beyond 10^{'-' if magnitude < 0 else ''}"
                f"{_LOG10_MAX} at position {where}"
            )
        return self._constant(
            base.expression**exponent.expression,
            mpmath.power(base.approximation, exponent.approximation),
            where,
        )

    def _atom(self) -> _Value:
        kind, text, where = self._take()
        if kind == "number":
            return self._number(text, where)
        if kind == "name":
            if self._peek() == "(":
                return self._call(text, where)
            if text not in self.names:
                raise self._error(f"unknown name {text!r} at position {where}")
            self.used.add(text)
            return _Value(self.names[text])
        if text == "(":
            inner = self._nested(self._expression)
            self._expect(")")
            return inner
        raise self._error(f"unexpected {text!r} at position {where}")

    def _number(self, text: str, where: int) -> _Value:
        """A number, its size checked from its text before anything converts it: Fraction
        would take forever on 1e999999999, and int() refuses more than 4,300 digits."""
        import mpmath

        shown = text if len(text) <= 24 else f"{text[:12]}...{text[-6:]}"

        if len(text) > MAX_DIGITS:
            raise self._error(f"a number of more than {MAX_DIGITS} characters at position {where}")
        mantissa, _, power = text.lower().partition("e")
        whole, _, fraction = mantissa.partition(".")
        whole = whole.lstrip("0")
        # The value is 0.ddd... x 10^order (order counts the digits before the point).
        order = int(power or 0) + (
            len(whole) if whole else -(len(fraction) - len(fraction.lstrip("0")))
        )
        if (whole + fraction).strip("0") and order > _LOG10_MAX + 1:
            raise self._error(f"the number {shown} at position {where} is too large")
        if (whole + fraction).strip("0") and order < -_LOG10_MAX:
            raise self._error(
                f"the number {shown} at position {where} is too small or too "
                f"precise (more than {_LOG10_MAX} decimal places)"
            )
        value = Fraction(text) if (whole + fraction).strip("0") else Fraction(0)
        if abs(value) > MAX_NUMBER:
            raise self._error(f"the number {shown} at position {where} is too large")
        if value.denominator > MAX_NUMBER:
            raise self._error(
                f"the number {shown} at position {where} is too small or too "
                f"precise (more than {_LOG10_MAX} decimal places)"
            )
        rational = sp.Rational(value.numerator, value.denominator)
        return _Value(rational, mpmath.mpf(value.numerator) / value.denominator)

    def _call(self, name: str, where: int) -> _Value:
        if name not in FUNCTIONS:
            raise self._error(
                f"unknown function {name!r} at position {where}",
                f" (allowed: {', '.join(FUNCTIONS)})",
            )
        self._take()
        argument = self._nested(self._expression, FUNCTION_LEVELS)
        self._expect(")")
        if not argument.constant:
            return _Value(FUNCTIONS[name](argument.expression))
        if name == "log" and argument.approximation == 0:
            raise self._error(f"an undefined value (the log of 0) at position {where}")
        if name == "log" and argument.approximation < 0:
            raise self._error(
                f"the log of a negative constant at position {where} (not a real number)"
            )
        # Every constant argument is within 10^300 already, so exp(exp(1000)) never gets here:
        # exp(1000) is refused as too large first.
        value = FUNCTIONS[name](argument.expression)
        return self._constant(value, _approximator(name)(argument.approximation), where)

    def _expect(self, closing: str) -> None:
        kind, text, where = self._take() if self.position < len(self.tokens) else (None, None, None)
        if text != closing:
            raise self._error(
                f"expected {closing!r}"
                + (f" at position {where}" if where is not None else " at the end")
            )


def parse_formula(text: str, names: dict[str, sp.Expr]) -> sp.Expr:
    """Parse one formula over the symbols in `names`; errors name the offending text."""
    return _parse(text, names)[0]


def _parse(text: str, names: dict[str, sp.Expr]) -> tuple[sp.Expr, set[str]]:
    """The formula and the names its text mentions (some may cancel out of the formula)."""
    if not isinstance(text, str):
        raise SpecError(f"a formula must be text, not {json.dumps(text)[:80]}")
    if len(text) > MAX_FORMULA:
        raise SpecError(
            f"a formula of {len(text):,} characters is longer than the {MAX_FORMULA:,} allowed"
        )
    parser = _Parser(text, names)
    try:
        return parser.parse(), parser.used
    except RecursionError:  # SymPy's recursion over a deep tree, before MAX_DEPTH stops it
        raise SpecError("the formula is nested too deeply to read") from None


def _names(document: dict, field: str) -> list[str]:
    value = document.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SpecError(f"'{field}' must be a list of names")
    return value


def dag_from_document(document: object) -> dag_module.Dag:
    """Build a :class:`~chainrule.graph.dag.Dag` from a parsed graph file."""
    if not isinstance(document, dict):
        raise SpecError("a graph file holds one JSON object")
    unknown = sorted(set(document) - {"inputs", "parameters", "targets", "nodes", "cost", "latex"})
    if unknown:
        raise SpecError(
            f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}"
        )
    latex = document.get("latex", {})
    if not isinstance(latex, dict) or not all(isinstance(v, str) for v in latex.values()):
        raise SpecError("'latex' must map names to LaTeX text")
    dag = dag_module.Dag()
    symbols: dict[str, sp.Expr] = {"m": M}
    declared = 0
    for field, declare in (
        ("inputs", dag.input),
        ("parameters", dag.parameter),
        ("targets", dag.target),
    ):
        names = _names(document, field)
        declared += len(names)
        _check_count(declared)
        for name in names:
            if name == dag_module.COST:
                raise SpecError(f"{field}: {name!r} is reserved for the cost")
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name) or name in FUNCTIONS or name == "m":
                raise SpecError(
                    f"{field}: {name!r} is not a usable name (a letter, then letters, "
                    "digits or _, and not a function or 'm')"
                )
            symbols[name] = declare(name, latex.get(name))
    nodes = document.get("nodes", {})
    if not isinstance(nodes, dict):
        raise SpecError("'nodes' must map each node's name to its formula, in order")
    _check_count(declared + len(nodes))
    edges = 0
    for name, formula in nodes.items():
        if name == dag_module.COST:
            raise SpecError(f"nodes: {name!r} is reserved for the cost")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name) or name in symbols or name in FUNCTIONS:
            raise SpecError(f"nodes: {name!r} is not a usable new name")
        try:
            expression, written = _parse(formula, symbols)
        except SpecError as error:
            raise SpecError(f"node {name!r}: {error}") from None
        edges += len(written)
        if edges > MAX_EDGES:
            raise SpecError(
                f"the formulas use other nodes more than {MAX_EDGES:,} times, the most "
                "a graph file may"
            )
        symbols[name] = dag.node(name, expression, latex.get(name))
        dag.note_written(name, written)
    if "cost" not in document:
        raise SpecError("the graph file has no 'cost'")
    try:
        cost, written = _parse(document["cost"], symbols)
    except SpecError as error:
        raise SpecError(f"cost: {error}") from None
    dag.cost(cost)
    dag.note_written(dag_module.COST, written)
    return dag


def _check_count(count: int) -> None:
    if count > MAX_NODES:
        raise SpecError(
            f"{count:,} names and nodes, more than the {MAX_NODES:,} a graph file may declare"
        )


def load_graph_file(path: str):
    """Read a graph file; returns the built graph. Every problem is a SpecError naming the file."""
    from chainrule.files import read_json

    document = read_json(path, "graph file", limit=MAX_GRAPH_FILE_BYTES)
    try:
        graph = dag_from_document(document).build()
        if not any(kind == NodeKind.PARAM for _, kind in graph.nodes(data="kind")):
            raise SpecError("the graph has no parameters")
    except SpecError as error:
        raise SpecError(f"graph file {path!r}: {error}") from None
    graph.graph["source"] = Path(path).name
    return graph


def graph_from_text(text: str, source: str = "graph.json"):
    """Build the graph of a graph file given as JSON text (the explorer's requests send graph
    files this way, so that no request names a file); errors name it `source`.

    Examples
    --------
    >>> graph = graph_from_text('{"inputs": ["x"], "parameters": ["w"], "targets": ["y"], '
    ...                         '"nodes": {"h": "w*x"}, "cost": "(h - y)^2"}', "tiny.json")
    >>> graph.graph["source"], sorted(n for n, k in graph.nodes(data="kind") if k == "param")
    ('tiny.json', ['w'])
    """

    from chainrule.files import parse_json

    document = parse_json(text, f"graph file {source!r}")
    try:
        graph = dag_from_document(document).build()
        if not any(kind == "param" for _, kind in graph.nodes(data="kind")):
            raise SpecError("the graph has no parameters")
    except SpecError as error:
        raise SpecError(f"graph file {source!r}: {error}") from None
    graph.graph["source"] = source
    return graph
