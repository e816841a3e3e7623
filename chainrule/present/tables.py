"""The tables several presenters print, in one place: their headers and their rows.

``count``, ``delta --ops``, ``explain`` and ``report`` show the same counts and operation
counts; each takes the headers and rows from here, so that a column renamed is renamed
everywhere, in the terminal and in the documents alike.

Examples
--------
>>> from chainrule.calculus.counting import count
>>> from chainrule.graph.spec import Network
>>> layer_rows(count(Network([2, 2, 2])))
[['θ^(1)', 4, 2, 5, 8, 40], ['θ^(2)', 4, 1, 3, 4, 12], ['all', 8, '', '', 12, 52]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chainrule.calculus.counting import Count, OperationCounts

#: One row per architecture: its totals.
TOTAL_HEADERS = ["architecture", "parameters", "chains", "terms"]
#: The three ways of getting every gradient, and their operations summed.
MODES = ("expanded", "reverse", "forward")
OPS_TOTAL_HEADERS = ["expanded ops", "reverse ops", "forward ops"]
#: One row per weight layer, then the totals.
LAYER_HEADERS = ["weights", "parameters", "chains each", "terms each", "chains", "terms"]
#: One row per way of getting every gradient.
OPS_HEADERS = ["every gradient by", "multiplications", "additions"]
OPS_NAMES = {
    "expanded": "expanded path sum",
    "reverse": "reverse mode (delta)",
    "forward": "forward mode",
}


def layer_rows(counted: Count) -> list[list[object]]:
    """Each weight layer's counts (θ^(l), parameters, chains and terms of each, in all), and
    a last row of the totals."""
    rows: list[list[object]] = [
        [
            f"θ^({row.layer})",
            row.parameters,
            row.chains_per_parameter,
            row.chain_length,
            row.chains,
            row.terms,
        ]
        for row in counted.layers
    ]
    rows.append(["all", counted.parameters, "", "", counted.chains, counted.terms])
    return rows


def ops_rows(ops: OperationCounts) -> list[list[object]]:
    """Multiplications and additions to get every gradient, one row per way."""
    return [
        [OPS_NAMES[mode], getattr(ops, mode).multiplications, getattr(ops, mode).additions]
        for mode in MODES
    ]


def ops_totals(ops: OperationCounts) -> list[int]:
    """The operations (multiplications + additions) of each way, in :data:`MODES` order."""
    return [sum(getattr(ops, mode)) for mode in MODES]
