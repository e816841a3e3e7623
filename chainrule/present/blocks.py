"""The blocks a report document is laid out in, for every format's renderer.

:mod:`chainrule.present.report` lays out a derivation's report, and
:mod:`chainrule.present.worked` a worked example's, as a list of these blocks; the report's
renderers write them as LaTeX, Markdown or HTML.

Examples
--------
>>> Equations([("J", [("=", "0.25")])]).lines[0][1]
[('=', '0.25')]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple


class Heading(NamedTuple):
    text: str


class Paragraph(NamedTuple):
    text: str


class Table(NamedTuple):
    headers: list[str]
    rows: Sequence[Sequence[object]]


class Equations(NamedTuple):
    """Lines of (lhs, [(operator, rhs), ...]): the first operator is '=', later ones '=' or '+'."""

    lines: list[tuple[str, list[tuple[str, str]]]]


class Math(NamedTuple):
    """A table cell that is a formula (a node's name), already written in the equations'
    format: LaTeX, or MathML without its ``<math>`` element."""

    formula: str


class Figure(NamedTuple):
    path: str | None  # relative to the document; None when embedded
    svg: str | None
    caption: str
