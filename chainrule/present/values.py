r"""The numbers of :mod:`chainrule.records.values`, as text, unicode, LaTeX or JSON.

A worked example is read top to bottom: the forward pass, the cost and each output's part, the
backward pass (every δ), every local factor, the gradients with the step. The writers format
whole columns of numbers at once, so that a network of half a million weights is written in
about a second.

Examples
--------
>>> import sys
>>> from chainrule.records.values import ValuesRequest, compute
>>> text(compute(ValuesRequest.of("1-1", seed=2)), sys.stdout)  # doctest: +ELLIPSIS
values 1-1, 1 example, seed 2, weights from [-1, 1]
<BLANKLINE>
forward pass
node          value
x_1           ...
theta^(1)_11  ...
...
cost after the step: ...
"""

from __future__ import annotations

import itertools
import json as json_module
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TextIO

import numpy as np

from chainrule.files import json_safe
from chainrule.graph import names
from chainrule.notation.numbers import latex_number
from chainrule.records.values import Quantities, ValuesRecord

#: How text shows a number: ten significant digits, more than a worked example publishes.
TEXT_DIGITS = ".10g"


#: Past this many numbers a section is written with 17 significant digits, which read back to
#: the same double as the shortest form does and take a quarter less time to write: a network
#: of half a million weights writes two million of them.
EXACT_DIGITS_FROM = 50_000


def _formatted(flat: np.ndarray, spec: str) -> list[str]:
    """`flat` formatted by a printf `spec`, in one C loop (one % over the whole tuple)."""
    if flat.size == 0:
        return []
    return ((spec + "\x00") * flat.size % tuple(flat.tolist())).split("\x00")[:-1]


def numbers_as_text(values: np.ndarray, spec: str = TEXT_DIGITS) -> list[str]:
    """Every number of `values` (flattened) formatted by `spec`.

    Examples
    --------
    >>> numbers_as_text(np.array([0.3775, 1e-5, np.inf]))
    ['0.3775', '1e-05', 'inf']
    """
    # + 0.0 turns -0.0 (a zero target times a negative factor) into 0
    return _formatted(np.ravel(values) + 0.0, "%" + spec)


def numbers_as_json(values: np.ndarray) -> list[str]:
    """Every number of `values` (flattened) as JSON, NaN and infinities as null (they are not
    JSON): Python's shortest repr, or, past :data:`EXACT_DIGITS_FROM` numbers, 17 significant
    digits; either reads back to the very same double.

    Examples
    --------
    >>> numbers_as_json(np.array([0.1, -2.0, np.nan]))
    ['0.1', '-2.0', 'null']
    """
    flat = np.ravel(values) + 0.0  # -0.0 is written 0.0
    if flat.size == 0:
        return []
    if flat.size >= EXACT_DIGITS_FROM:
        strings = _formatted(flat, "%.17g")
    else:  # one repr of the whole list, split: the repr of each float in one C loop
        strings = str(flat.tolist())[1:-1].split(", ")
    if not np.all(np.isfinite(flat)):
        strings = [
            string if finite else "null"
            for string, finite in zip(strings, np.isfinite(flat).tolist())
        ]
    return strings


class _Formatted:
    """Each section's numbers as strings, a column per example, formatted once: a section whose
    rows repeat another's (its `alias`) takes that section's strings for them."""

    def __init__(self, record: ValuesRecord, number_format: Callable[[np.ndarray], list[str]]):
        self.record, self.format = record, number_format
        self.cache: dict[str, list[list[str]]] = {}

    def columns(self, name: str) -> list[list[str]]:
        """The section's strings: ``columns(name)[e][i]`` is row i's number in example e."""
        if name in self.cache:
            return self.cache[name]
        section: Quantities = getattr(self.record, name)
        m = section.values.shape[1]  # the examples, or 1 for a gradient or a step
        if section.alias is None:
            flat = self.format(section.values)  # row-major: row i, example e at i*m + e
            columns = [flat[e::m] for e in range(m)]
        else:
            source, index = section.alias
            base = self.columns(source)
            own = np.flatnonzero(index < 0)
            own_flat = self.format(section.values[own])
            positions = index.tolist()
            columns = []
            for e in range(m):
                if positions:
                    column = list(operator.itemgetter(*positions)(base[e]))
                    if len(positions) == 1:  # itemgetter of one index gives the item itself
                        column = [base[e][positions[0]]]
                else:
                    column = []
                for position, string in zip(own.tolist(), own_flat[e::m]):
                    column[position] = string
                columns.append(column)
        self.cache[name] = columns
        return columns

    def rows(self, name: str, separator: str) -> list[str]:
        """The section's strings a row at a time, the examples' joined by `separator`."""
        columns = self.columns(name)
        if len(columns) == 1:
            return columns[0]
        return [separator.join(cells) for cells in zip(*columns)]


#: Lines or members written at a time: a few megabytes, so that a network of half a million
#: weights is never held as one string of a quarter of a gigabyte.
CHUNK = 65_536


def _write_joined(out: TextIO, items: Iterable[str], separator: str) -> None:
    """`separator`.join(`items`), written a chunk at a time."""
    iterator = iter(items)
    first = True
    while chunk := list(itertools.islice(iterator, CHUNK)):
        out.write(("" if first else separator) + separator.join(chunk))
        first = False


def _padded(columns: Sequence[Sequence[str]], headers: Sequence[str]) -> Iterator[str]:
    """Lines of left-aligned columns under their headers, two spaces apart (the last column
    unpadded), made by one format template in a C loop: a million lines in a fraction of a
    second."""
    widths = [
        max(len(header), max(map(len, column), default=0))
        for header, column in zip(headers, columns)
    ]
    template = "  ".join([*(f"{{:<{width}}}" for width in widths[:-1]), "{}"])
    return itertools.chain([template.format(*headers).rstrip()], map(template.format, *columns))


def _write_lines(out: TextIO, lines: Iterable[str]) -> None:
    _write_joined(out, lines, "\n")
    out.write("\n")


def _table(
    labels: Sequence[str], columns: list[list[str]], header: str, what: str = "value"
) -> Iterator[str]:
    """A section's lines: a label, then a number per example (a column each)."""
    if len(columns) == 1:
        return _padded([labels, columns[0]], [header, what])
    headers = [header, *(f"example {e + 1}" for e in range(len(columns)))]
    return _padded([labels, *columns], headers)


class _Spelling:
    """How one format spells names, partials and δs."""

    def __init__(self, name: Callable[[str], str], partial: str, times: str):
        self.name, self.partial_mark, self.times = name, partial, times

    def partial(self, of: str, wrt: str) -> str:
        mark = self.partial_mark
        return f"{mark}{self.name(of)}/{mark}{self.name(wrt)}"


TEXT = _Spelling(str, "d", "*")
UNICODE = _Spelling(names.unicode_name, "∂", "·")


def _origin_line(record: ValuesRecord) -> str:
    count = record.examples
    return f"values {record.subject}, {count} example{'' if count == 1 else 's'}, {record.origin}"


def _names_as(spelling: _Spelling, labels: Sequence[str]) -> list[str]:
    """Names in a spelling, each distinct name converted once."""
    if spelling.name is str:
        return list(labels)
    spelled = {label: spelling.name(label) for label in dict.fromkeys(labels)}
    return [spelled[label] for label in labels]


def _write_plain(record: ValuesRecord, out: TextIO, spelling: _Spelling) -> None:
    name, cost = spelling.name, record.cost_name
    formatted = _Formatted(record, numbers_as_text)
    write = out.write
    write(_origin_line(record) + "\n\n")
    write("forward pass\n")
    labels = _names_as(spelling, record.forward.names)
    _write_lines(out, _table(labels, formatted.columns("forward"), "node"))
    write("\n")
    write(f"cost {name(cost)} = {record.cost:{TEXT_DIGITS}}\n")
    if record.cost_parts:
        parts = list(record.cost_parts.items())
        lines = _padded(
            [[name(n) for n, _ in parts], numbers_as_text(np.array([v for _, v in parts]))],
            ["part of", "value"],
        )
        _write_lines(out, ("  " + line for line in lines))
    write(f"\nbackward pass: delta = {spelling.partial(cost, 'v')} of every node v\n")
    _write_lines(out, _table(labels, formatted.columns("deltas"), "node", "delta"))
    if record.saturated:
        write(
            "an output is exactly 0 or 1 (saturated): its dJ/da is infinite there, and the "
            "delta of its weighted input comes from the logits, (a - y)/m, which is finite\n"
        )
    write("\n")
    write("local factors: the value of each edge's partial\n")
    factors = record.factors
    assert factors.wrt is not None  # the factor section names both ends
    mark = spelling.partial_mark
    partials = [
        f"{mark}{of}/{mark}{wrt}"
        for of, wrt in zip(_names_as(spelling, factors.names), _names_as(spelling, factors.wrt))
    ]
    _write_lines(out, _table(partials, formatted.columns("factors"), "factor"))
    write("\n")
    held = ", ".join(name(n) for n in record.frozen)
    write(
        f"gradients and one step of gradient descent, theta+ = theta - lr "
        f"{spelling.partial(cost, 'theta')} (lr {record.lr:g}"
        + (f"; {held} held" if held else "")
        + ")\n"
    )
    parameters = record.gradients.names
    current = formatted.columns("forward")[0]
    if record.gradients.alias is not None:  # a weight's rows: the same in forward and deltas
        rows = record.gradients.alias[1].tolist()
    else:
        row_of = {node: row for row, node in enumerate(record.forward.names)}
        rows = [row_of[parameter] for parameter in parameters]
    columns = [
        _names_as(spelling, parameters),
        [current[row] for row in rows],
        formatted.columns("gradients")[0],
        formatted.columns("updated")[0],
    ]
    headers = ["parameter", "value", spelling.partial(cost, "parameter"), "updated"]
    _write_lines(out, _padded(columns, headers))
    write("\n")
    change = "down" if record.cost_after < record.cost else "up"
    write(
        f"cost after the step: {record.cost_after:{TEXT_DIGITS}} ({change} from "
        f"{record.cost:{TEXT_DIGITS}})\n"
    )


def text(record: ValuesRecord, out: TextIO) -> None:
    """The worked example in ASCII: names as ``z^(2)_1``, partials as ``da^(3)_1/dz^(3)_1``."""
    _write_plain(record, out, TEXT)


def unicode(record: ValuesRecord, out: TextIO) -> None:
    """The worked example with unicode names: ``z⁽²⁾₁``, ``∂a⁽³⁾₁/∂z⁽³⁾₁``."""
    _write_plain(record, out, UNICODE)


# --- LaTeX ---------------------------------------------------------------------------------------


def _latex_block(lines: list[str], out: TextIO) -> None:
    out.write("\\[\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n\\]\n")


def _latex_values(labels: Sequence[str], formatted: _Formatted, section: str) -> list[str]:
    rows = formatted.rows(section, r",\ ")
    if formatted.record.examples > 1:
        rows = [rf"\left({row}\right)" for row in rows]
    return [f"{label} &= {row}" for label, row in zip(labels, rows)]


def latex(record: ValuesRecord, out: TextIO) -> None:
    """The worked example as display math (amsmath's ``aligned``), one block a section; with
    several examples each value is the tuple of its examples'."""
    latex_of = record.latex.get
    formatted = _Formatted(
        record, lambda values: [latex_number(s) for s in numbers_as_text(values)]
    )

    def name(node: str) -> str:
        return latex_of(node) or names.latex_of(node)

    cost = name(record.cost_name)
    out.write(f"% {_origin_line(record)}\n% the forward pass\n")
    labels = [name(node) for node in record.forward.names]
    _latex_block(_latex_values(labels, formatted, "forward"), out)
    out.write("% the cost and each output's part of it\n")
    # each output's part, J_(a): the cost's own name may have a subscript already (E_{total})
    parts = [
        rf"{{{cost}}}_{{({name(n)})}} &= {latex_number(format(v, TEXT_DIGITS))}"
        for n, v in record.cost_parts.items()
    ]
    _latex_block([*parts, f"{cost} &= {latex_number(format(record.cost, TEXT_DIGITS))}"], out)
    out.write("% the backward pass: the delta of every node\n")
    deltas = [rf"\frac{{\partial {cost}}}{{\partial {label}}}" for label in labels]
    _latex_block(_latex_values(deltas, formatted, "deltas"), out)
    out.write("% every local factor\n")
    factors = record.factors
    assert factors.wrt is not None  # the factor section names both ends
    partials = [
        rf"\frac{{\partial {name(of)}}}{{\partial {name(wrt)}}}"
        for of, wrt in zip(factors.names, factors.wrt)
    ]
    _latex_block(_latex_values(partials, formatted, "factors"), out)
    held = ", ".join(name(n) for n in record.frozen)
    out.write(
        f"% one step of gradient descent, learning rate {record.lr:g}"
        + (f" ({', '.join(record.frozen)} held)" if held else "")
        + "\n"
    )
    steps = [
        rf"{{{name(p)}}}^{{+}} &= {u}"
        for p, u in zip(record.updated.names, formatted.columns("updated")[0])
    ]
    after = latex_number(format(record.cost_after, TEXT_DIGITS))
    _latex_block([*steps, rf"{cost}^{{+}} &= {after}"], out)


# --- JSON ----------------------------------------------------------------------------------------


def _plain(labels: Sequence[str]) -> bool:
    """Whether names can be written in JSON as they are, between quotes (looked for in all of
    them at once): chainrule's names always can, a Dag built from Python might not."""
    joined = "".join(labels)
    return '"' not in joined and "\\" not in joined and joined.isprintable()


def _scalar(value: object) -> str:
    return json_module.dumps(json_safe(value))


def _members(
    out: TextIO,
    keys: Sequence[str],
    values: Sequence[str],
    indent: str,
    plain: bool,
    brackets: bool,
) -> None:
    """Write the members of a JSON object, one a line: ``"key": value`` (``[value]`` with
    `brackets`), in one pass over the names."""
    if not plain:
        keys = [json_module.dumps(key)[1:-1] for key in keys]
    if brackets:
        members = (f'{indent}"{key}": [{value}]' for key, value in zip(keys, values))
    else:
        members = (f'{indent}"{key}": {value}' for key, value in zip(keys, values))
    _write_joined(out, members, ",\n")


def json(record: ValuesRecord, out: TextIO) -> None:
    """The document of ``record.as_dict()``, written a section at a time in as few passes as
    can be (a dict of half a million nodes is slow to build only to be printed)."""
    m = record.examples
    formatted = _Formatted(record, numbers_as_json)
    plain = _plain(record.forward.names)  # every name below is a node's
    write = out.write
    write("{\n")
    write(f'  "architecture": {_scalar(record.subject)},\n')
    write(f'  "origin": {_scalar(record.origin)},\n')
    write(f'  "examples": {m},\n')
    forward = formatted.rows("forward", ", ")
    write('  "forward": {\n')
    _members(out, record.forward.names, forward, "    ", plain, True)
    write("\n  },\n")
    write(f'  "cost": {_scalar(record.cost)},\n')
    parts = {name: json_safe(value) for name, value in record.cost_parts.items()}
    write(f'  "cost_parts": {json_module.dumps(parts)},\n')
    deltas = formatted.rows("deltas", ", ")
    write('  "deltas": {\n')
    _members(out, record.deltas.names, deltas, "    ", plain, True)
    write("\n  },\n")
    factors = record.factors
    assert factors.wrt is not None  # the factor section names both ends
    of, wrt = factors.names, factors.wrt
    if not plain:
        of = [json_module.dumps(name)[1:-1] for name in of]
        wrt = [json_module.dumps(name)[1:-1] for name in wrt]
    values = formatted.rows("factors", ", ")
    write('  "factors": [\n')
    _write_joined(
        out,
        (
            f'    {{"of": "{a}", "wrt": "{b}", "value": [{value}]}}'
            for a, b, value in zip(of, wrt, values)
        ),
        ",\n",
    )
    write("\n  ],\n")
    gradients = formatted.columns("gradients")[0]
    write('  "gradients": {\n')
    _members(out, record.gradients.names, gradients, "    ", plain, False)
    write("\n  },\n")
    write('  "step": {\n')
    write(f'    "lr": {_scalar(record.lr)},\n')
    write(f'    "frozen": {json_module.dumps(list(record.frozen))},\n')
    updated = formatted.columns("updated")[0]
    write('    "updated": {\n')
    _members(out, record.updated.names, updated, "      ", plain, False)
    write("\n    },\n")
    write(f'    "cost_after": {_scalar(record.cost_after)}\n')
    write("  }\n}\n")


PRESENTERS = {"text": text, "unicode": unicode, "latex": latex, "json": json}
