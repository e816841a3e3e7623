r"""Numbers as a worked example writes them: a factor's value, a chain's product, a δ.

A worked example prints its numbers to a fixed number of places (``0.593270``), so that the
reader can check each product by hand; chainrule writes six decimal places between 0.01 and a
million, and six significant digits in exponent form outside them (``4.38568e-04``), so that
every number keeps at least five significant digits. An exact integer is written as one (a
factor ∂E/∂E_o1 is ``1``). :func:`figure` is the one rule; each notation writes a figure in
its own format (:meth:`~chainrule.notation.base.Notation.number`). Nothing here computes: a
number is formatted, never combined with another.

Examples
--------
>>> [figure(x) for x in (0.5932699921, 0.08216704056, 1.0, 0.0004385677, -2.5e7, 0.0)]
['0.593270', '0.082167', '1', '4.38568e-04', '-2.50000e+07', '0']
>>> latex_number("4.38568e-04"), latex_number("-inf")
('4.38568 \\times 10^{-4}', '-\\infty')
"""

from __future__ import annotations

import math
import re

#: Decimal places of a figure, and the magnitudes written with them.
PLACES = 6
FIXED_FROM, FIXED_BELOW = 1e-2, 1e6


def figure(value: float) -> str:
    """`value` as a worked example writes it: see the module's docstring.

    Examples
    --------
    >>> figure(0.74136507), figure(-0.0380982365), figure(3.0), figure(float("nan"))
    ('0.741365', '-0.038098', '3', 'nan')
    """
    value = float(value)
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if value == 0:
        return "0"  # -0.0 too: a zero target times a negative factor
    magnitude = abs(value)
    if value == int(value) and magnitude < FIXED_BELOW:
        return str(int(value))
    if FIXED_FROM <= magnitude < FIXED_BELOW:
        return f"{value:.{PLACES}f}"
    return f"{value:.{PLACES - 1}e}"


_EXPONENT = re.compile(r"^(-?[\d.]+)e([+-])0*(\d+)$")


def latex_number(string: str) -> str:
    r"""A formatted number in LaTeX: ``1.5e-05`` as ``1.5 \times 10^{-5}``, ``inf`` as
    ``\infty``, ``nan`` as ``\mathrm{NaN}``.

    Examples
    --------
    >>> latex_number("4.3856e-04"), latex_number("-inf"), latex_number("0.25")
    ('4.3856 \\times 10^{-4}', '-\\infty', '0.25')
    """
    if string in ("inf", "-inf"):
        return string.replace("inf", r"\infty")
    if string == "nan":
        return r"\mathrm{NaN}"
    match = _EXPONENT.match(string)
    if match is None:
        return string
    mantissa, sign, power = match.groups()
    return rf"{mantissa} \times 10^{{{'-' if sign == '-' else ''}{power}}}"
