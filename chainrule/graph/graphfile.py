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
chainrule.graph.spec.SpecError: unexpected character '_' at position 0 in "__import__('os')"
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import sympy as sp

from chainrule.graph import dag as dag_module
from chainrule.graph.spec import SpecError
from chainrule.calculus.symbolic import M

FUNCTIONS = {"sigmoid": dag_module.sigmoid, "tanh": dag_module.tanh, "relu": dag_module.relu,
             "identity": dag_module.identity, "softplus": dag_module.softplus,
             "leaky_relu": dag_module.leaky_relu, "exp": sp.exp, "log": sp.log}
MAX_FORMULA = 10_000  # characters: a guard against absurd input, far above any real formula
MAX_DEPTH = 100  # nested parentheses, signs and powers: far above any real formula
MAX_NUMBER = 10**300  # larger constants overflow a float when evaluated
MAX_EXPONENT = 1_000  # a larger constant power (2^2^2^2^2^2) would take SymPy forever
_TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
                    r"|(?P<name>[A-Za-z][A-Za-z0-9_]*(?:\^\(\d+\)_[\d,]+)?)"
                    r"|(?P<operator>\*\*|[-+*/^()]))")


class _Parser:
    def __init__(self, text: str, names: dict[str, sp.Expr]):
        self.text, self.names = text, names
        self.tokens = self._tokenise(text)
        self.position = 0
        self.depth = 0

    def _nested(self, parse):
        """Run one recursive step, refusing nesting deeper than MAX_DEPTH."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._error(f"nesting deeper than {MAX_DEPTH} levels")
        try:
            return parse()
        finally:
            self.depth -= 1

    def _error(self, message: str, hint: str = "") -> SpecError:
        shown = self.text if len(self.text) <= 80 else self.text[:77] + "..."
        return SpecError(f"{message} in {json.dumps(shown, ensure_ascii=False)}{hint}")

    def _tokenise(self, text: str) -> list[tuple[str, str, int]]:
        tokens, index = [], 0
        while index < len(text):
            if text[index:].strip() == "":
                break
            match = _TOKEN.match(text, index)
            if match is None:
                offending = text[index:].lstrip()[0]
                where = len(text) - len(text[index:].lstrip())
                raise self._error(f"unexpected character {offending!r} at position {where}")
            kind = match.lastgroup
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
        expression = self._expression()
        if self.position < len(self.tokens):
            _, text, where = self.tokens[self.position]
            raise self._error(f"unexpected {text!r} at position {where}")
        if expression.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise self._error("an undefined value (a division by zero or the log of 0)")
        return expression

    def _expression(self) -> sp.Expr:
        result = self._term()
        while self._peek() in ("+", "-"):
            operator = self._take()[1]
            right = self._term()
            result = result + right if operator == "+" else result - right
        return result

    def _term(self) -> sp.Expr:
        result = self._unary()
        while self._peek() in ("*", "/"):
            operator = self._take()[1]
            right = self._unary()
            result = result * right if operator == "*" else result / right
        return result

    def _unary(self) -> sp.Expr:
        if self._peek() in ("-", "+"):
            sign = self._take()[1]
            operand = self._nested(self._unary)
            return -operand if sign == "-" else operand
        return self._power()

    def _power(self) -> sp.Expr:
        base = self._atom()
        if self._peek() in ("^", "**"):
            _, _, where = self._take()
            exponent = self._nested(self._unary)
            if exponent.is_Number and abs(exponent) > MAX_EXPONENT:
                raise self._error(f"an exponent larger than {MAX_EXPONENT} at position {where}")
            return base ** exponent
        return base

    def _atom(self) -> sp.Expr:
        kind, text, where = self._take()
        if kind == "number":
            value = Fraction(text)
            if abs(value) > MAX_NUMBER:
                raise self._error(f"the number {text} at position {where} is too large")
            return sp.Rational(value.numerator, value.denominator)
        if kind == "name":
            if self._peek() == "(":
                if text not in FUNCTIONS:
                    raise self._error(f"unknown function {text!r} at position {where}",
                                      f" (allowed: {', '.join(FUNCTIONS)})")
                self._take()
                argument = self._nested(self._expression)
                self._expect(")")
                value = FUNCTIONS[text](argument)
                return value
            if text not in self.names:
                raise self._error(f"unknown name {text!r} at position {where}")
            return self.names[text]
        if text == "(":
            inner = self._nested(self._expression)
            self._expect(")")
            return inner
        raise self._error(f"unexpected {text!r} at position {where}")

    def _expect(self, closing: str) -> None:
        kind, text, where = self._take() if self.position < len(self.tokens) else (None, None, None)
        if text != closing:
            raise self._error(f"expected {closing!r}" + (f" at position {where}" if where is not None
                                                         else " at the end"))


def parse_formula(text: str, names: dict[str, sp.Expr]) -> sp.Expr:
    """Parse one formula over the symbols in `names`; errors name the offending text."""
    if not isinstance(text, str):
        raise SpecError(f"a formula must be text, not {json.dumps(text)}")
    if len(text) > MAX_FORMULA:
        raise SpecError(f"a formula of {len(text):,} characters is longer than the {MAX_FORMULA:,} "
                        "allowed")
    return _Parser(text, names).parse()


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
        raise SpecError(f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}")
    latex = document.get("latex", {})
    if not isinstance(latex, dict) or not all(isinstance(v, str) for v in latex.values()):
        raise SpecError("'latex' must map names to LaTeX text")
    dag = dag_module.Dag()
    symbols: dict[str, sp.Expr] = {"m": M}
    for field, declare in (("inputs", dag.input), ("parameters", dag.parameter),
                           ("targets", dag.target)):
        for name in _names(document, field):
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name) or name in FUNCTIONS or name == "m":
                raise SpecError(f"{field}: {name!r} is not a usable name (a letter, then letters, "
                                "digits or _, and not a function or 'm')")
            symbols[name] = declare(name, latex.get(name))
    nodes = document.get("nodes", {})
    if not isinstance(nodes, dict):
        raise SpecError("'nodes' must map each node's name to its formula, in order")
    for name, formula in nodes.items():
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name) or name in symbols or name in FUNCTIONS:
            raise SpecError(f"nodes: {name!r} is not a usable new name")
        try:
            expression = parse_formula(formula, symbols)
        except SpecError as error:
            raise SpecError(f"node {name!r}: {error}") from None
        symbols[name] = dag.node(name, expression, latex.get(name))
    if "cost" not in document:
        raise SpecError("the graph file has no 'cost'")
    try:
        cost = parse_formula(document["cost"], symbols)
    except SpecError as error:
        raise SpecError(f"cost: {error}") from None
    dag.cost(cost)
    return dag


def load_graph_file(path: str):
    """Read a graph file; returns the built graph. Every problem is a SpecError naming the file."""
    from chainrule.files import read_json

    document = read_json(path, "graph file")
    try:
        graph = dag_from_document(document).build()
        if not any(kind == "param" for _, kind in graph.nodes(data="kind")):
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
    def refuse(name: str):
        raise SpecError(f"graph file {source!r}: {name} is not a finite number")

    try:
        document = json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as error:
        raise SpecError(f"graph file {source!r} is not valid JSON: {error.msg} at line "
                        f"{error.lineno}") from None
    except RecursionError:
        raise SpecError(f"graph file {source!r} is nested too deeply to read") from None
    try:
        graph = dag_from_document(document).build()
        if not any(kind == "param" for _, kind in graph.nodes(data="kind")):
            raise SpecError("the graph has no parameters")
    except SpecError as error:
        raise SpecError(f"graph file {source!r}: {error}") from None
    graph.graph["source"] = source
    return graph
