"""A plain text table for terminals: right-aligned numbers, left-aligned words.

Examples
--------
>>> print(format_table(["architecture", "chains"], [["2-2-2", 12], ["784-512-512-10", 2057835520]]))
architecture           chains
2-2-2                      12
784-512-512-10  2,057,835,520
"""

from __future__ import annotations

from collections.abc import Sequence


def _cell(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Format `rows` under `headers`; ints get thousands separators and are right-aligned."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(header), *(len(row[i]) for row in cells)) for i, header in enumerate(headers)]
    numeric = [
        any(isinstance(row[i], int) and not isinstance(row[i], bool) for row in rows)
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric)
        ).rstrip()

    return "\n".join([line(headers), *(line(row) for row in cells)])
