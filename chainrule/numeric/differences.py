"""Central finite differences: the one routine every finite-difference gradient goes through.

The numeric oracle differences its own cost over the weights; verification differences the
graph's composed cost over any leaf. Both give this routine the cost as a function of one
shifted value, so the stencil and its step are written once.

Examples
--------
>>> at = {"u": 3.0, "v": 0.5}
>>> gradients = central_differences(lambda key, shift: (at[key] + shift) ** 3, ["u", "v"])
>>> {key: round(float(value), 9) for key, value in gradients.items()}
{'u': 27.0, 'v': 0.75}
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

import numpy as np

STEP = 1e-4
Key = TypeVar("Key", bound=Hashable)


def central_differences(
    cost_shifted: Callable[[Key, float], np.ndarray | float],
    keys: Iterable[Key],
    step: float = STEP,
) -> dict[Key, np.ndarray | float]:
    """∂J/∂key for every key, from `cost_shifted(key, h)`: J with that one value moved by h.

    (−J(+2h) + 8J(+h) − 8J(−h) + J(−2h)) / 12h is off by O(h⁴) rather than the O(h²) of the
    two-point quotient, so h = 1e-4 keeps both truncation and rounding near 1e-12. J may be a
    number or an array (one cost per example, for gradients per example).
    """
    gradients = {}
    for key in keys:
        plus_two, plus_one, minus_one, minus_two = (
            cost_shifted(key, multiple * step) for multiple in (2, 1, -1, -2)
        )
        gradients[key] = (-plus_two + 8 * plus_one - 8 * minus_one + minus_two) / (12 * step)
    return gradients
