"""Graph files: a computation graph described in JSON, its formulas parsed without running code.

::

    {"inputs": ["x"], "parameters": ["w", "v"], "targets": ["y"],
     "nodes": {"h": "sigmoid(w*x)", "z": "v*h + h"},
     "cost": "(z - y)^2 / 2",                   # or {"E": "(z - y)^2 / 2"}: a named cost
     "latex": {"w": "w"}}                       # optional LaTeX names

Nodes are read in the order written; a formula may use inputs, parameters, targets, nodes
written before it, and ``m`` (the number of examples). Formulas are read by the expression core
(:mod:`chainrule.graph.expression`, which also reads ``chainrule check``'s claims): no ``eval``,
no ``sympify``, and one set of limits. The grammar is, in full::

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | power
    power      := atom (("^" | "**") unary)?
    atom       := number | name | function "(" expression ")" | "(" expression ")"
    function   := an activation of the rules table (chainrule.rules) | exp | log

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
chainrule.errors.SpecError: unexpected '_' at position 0: expected a number, a name, ...
"""

from __future__ import annotations

import re
from pathlib import Path

import sympy as sp

from chainrule import budget
from chainrule.files import parse_json, read_json
from chainrule.graph import dag as dag_module
from chainrule.graph.expression import ExpressionReader, Value, functions
from chainrule.graph.kinds import NodeKind
from chainrule.graph.spec import SpecError
from chainrule.graph.symbols import M

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\^\(\d+\)_[\d,]+)?")
_USABLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


class _FormulaReader(ExpressionReader):
    """The expression core over a graph file's declared names."""

    def __init__(self, text: str, names: dict[str, sp.Expr]):
        super().__init__(text)
        self.names = names
        self.used: set[str] = set()  # the names the text mentions, whether or not they cancel

    def name(self, start: int) -> Value:
        match = _NAME.match(self.text, start)
        if match is None:
            raise self.expected(self.atom_expected)
        if match.group() not in self.names:
            raise self.error(f"unknown name {match.group()!r} at position {start}")
        self.position = match.end()
        self.used.add(match.group())
        return Value(self.names[match.group()])


def parse_formula(text: str, names: dict[str, sp.Expr]) -> sp.Expr:
    """Parse one formula over the symbols in `names`; errors name the offending text."""
    return _parse(text, names)[0]


def _parse(text: str, names: dict[str, sp.Expr]) -> tuple[sp.Expr, set[str]]:
    """The formula and the names its text mentions (some may cancel out of the formula)."""
    reader = _FormulaReader(text, names)
    return reader.read(), reader.used


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
            if not _USABLE_NAME.fullmatch(name) or name in functions() or name == "m":
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
        if not _USABLE_NAME.fullmatch(name) or name in symbols or name in functions():
            raise SpecError(f"nodes: {name!r} is not a usable new name")
        try:
            expression, written = _parse(formula, symbols)
        except SpecError as error:
            raise SpecError(f"node {name!r}: {error}") from None
        edges += len(written)
        if edges > budget.GRAPH_FILE_USES:
            raise SpecError(
                f"the formulas use other nodes more than {budget.GRAPH_FILE_USES:,} times, "
                "the most a graph file may"
            )
        symbols[name] = dag.node(name, expression, latex.get(name))
        dag.note_written(name, written)
    if "cost" not in document:
        raise SpecError("the graph file has no 'cost'")
    cost_name, cost_text = _named_cost(document["cost"], symbols)
    try:
        cost, written = _parse(cost_text, symbols)
    except SpecError as error:
        raise SpecError(f"cost: {error}") from None
    dag.cost(cost, name=cost_name, latex=latex.get(cost_name))
    dag.note_written(cost_name, written)
    return dag


def _named_cost(given: object, symbols: dict[str, sp.Expr]) -> tuple[str, str]:
    """The cost's name and formula: ``"cost": "formula"`` is J; ``"cost": {"E_total":
    "formula"}`` names it as a worked example does (E, E_total, L), for every printed partial
    and every claim."""
    if not isinstance(given, dict):
        if not isinstance(given, str):
            raise SpecError('cost: a formula is text, such as "(out - y)^2 / 2"')
        return dag_module.COST, given
    if len(given) != 1 or not isinstance(next(iter(given.values())), str):
        raise SpecError(
            '\'cost\' is a formula, or one name and its formula: {"E_total": "E_o1 + E_o2"}'
        )
    ((name, formula),) = given.items()
    if not _USABLE_NAME.fullmatch(name) or name in symbols or name in functions():
        raise SpecError(
            f"cost: {name[:80]!r} is not a usable new name (a letter, then letters, digits or "
            "_, and not a name declared before, a function or 'm')"
        )
    return name, formula


def _check_count(count: int) -> None:
    if count > budget.GRAPH_FILE_NAMES:
        raise SpecError(
            f"{count:,} names and nodes, more than the {budget.GRAPH_FILE_NAMES:,} "
            "a graph file may declare"
        )


def load_graph_file(path: str):
    """Read a graph file; returns the built graph. Every problem is a SpecError naming the file."""

    document = read_json(path, "graph file", limit=budget.GRAPH_FILE_BYTES)
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

    document = parse_json(text, f"graph file {source!r}")
    try:
        graph = dag_from_document(document).build()
        if not any(kind == "param" for _, kind in graph.nodes(data="kind")):
            raise SpecError("the graph has no parameters")
    except SpecError as error:
        raise SpecError(f"graph file {source!r}: {error}") from None
    graph.graph["source"] = source
    return graph
