"""Text and LaTeX names of the nodes of a network, in the notation of docs/conventions.md.

One function per kind of quantity, so that every part of chainrule (graph, printers, JSON,
errors) spells a name the same way.

Examples
--------
>>> theta_name(1, 1, 1), theta_name(1, 10, 3), z_name(2, 1), a_name(3, 12), x_name(1)
('theta^(1)_11', 'theta^(1)_10,3', 'z^(2)_1', 'a^(3)_12', 'x_1')
>>> theta_latex(1, 1, 1), z_latex(2, 1), x_latex(4)
('\\\\theta_{11}^{(1)}', 'z_{1}^{(2)}', 'x_{4}')
>>> unicode_name("theta^(1)_10,3"), unicode_name("a^(3)_1"), unicode_name("x_2")
('θ⁽¹⁾₁₀,₃', 'a⁽³⁾₁', 'x₂')
>>> unicode_name("delta_h"), unicode_name("w")
('δ_h', 'w')
"""

import re
from functools import lru_cache

COST_NAME = "J"
COST_LATEX = "J"


def _indices(*indices: int) -> str:
    # Two-digit indices would make "theta^(1)_111" ambiguous, so they switch to commas.
    separator = "," if any(index >= 10 for index in indices) else ""
    return separator.join(str(index) for index in indices)


def x_name(k: int) -> str:
    return f"x_{k}"


@lru_cache(maxsize=1 << 16)
def theta_name(layer: int, j: int, k: int) -> str:
    return f"theta^({layer})_{_indices(j, k)}"


def theta_names(layer: int, rows: int, columns: int, first: int = 1) -> list[list[str]]:
    """Every ``theta^(layer)_jk`` for j = 1..rows and k = first..columns, a list per j: the names
    :func:`theta_name` gives, made a row at a time (half a million of them in a tenth of a
    second, where one call each takes seconds).

    Examples
    --------
    >>> theta_names(1, 2, 2, first=0)[1]
    ['theta^(1)_20', 'theta^(1)_21', 'theta^(1)_22']
    >>> theta_names(2, 10, 1)[9] == [theta_name(2, 10, 1)]
    True
    """
    ks = [str(k) for k in range(first, columns + 1)]
    wide = [f",{k}" for k in ks]
    tens = [k >= 10 for k in range(first, columns + 1)]
    table = []
    for j in range(1, rows + 1):
        prefix = f"theta^({layer})_{j}"
        if j >= 10:
            table.append([prefix + k for k in wide])
        else:
            table.append([prefix + (w if ten else k) for k, w, ten in zip(ks, wide, tens)])
    return table


def z_name(layer: int, j: int) -> str:
    return f"z^({layer})_{j}"


def a_name(layer: int, j: int) -> str:
    return f"a^({layer})_{j}"


def y_name(j: int) -> str:
    """The target of output neuron `j`: ``y_1``."""
    return f"y_{j}"


def delta_name(layer: int, j: int) -> str:
    return f"delta^({layer})_{j}"


def x_latex(k: int) -> str:
    return f"x_{{{k}}}"


def theta_latex(layer: int, j: int, k: int) -> str:
    return rf"\theta_{{{_indices(j, k)}}}^{{({layer})}}"


def z_latex(layer: int, j: int) -> str:
    return f"z_{{{j}}}^{{({layer})}}"


def a_latex(layer: int, j: int) -> str:
    return f"a_{{{j}}}^{{({layer})}}"


def delta_latex(layer: int, j: int) -> str:
    return rf"\delta_{{{j}}}^{{({layer})}}"


_LAYERED_NAME = re.compile(
    r"(?P<stem>theta|delta|x|y|z|a)(?:\^\((?P<layer>\d+)\))?_(?P<indices>\d+(?:,\d+)?)"
)


def latex_of(name: str) -> str:
    r"""The LaTeX form of a layered network's text name: ``theta^(1)_10,3`` becomes
    ``\theta_{10,3}^{(1)}``; any other name (J, a graph's node) is returned as it is.

    Examples
    --------
    >>> latex_of("theta^(2)_11"), latex_of("x_3"), latex_of("z^(2)_1"), latex_of("J")
    ('\\theta_{11}^{(2)}', 'x_{3}', 'z_{1}^{(2)}', 'J')
    """
    match = _LAYERED_NAME.fullmatch(name)
    if match is None:
        return name
    stem = {"theta": r"\theta", "delta": r"\delta"}.get(match["stem"], match["stem"])
    layer = f"^{{({match['layer']})}}" if match["layer"] else ""
    return f"{stem}_{{{match['indices']}}}{layer}"


_SUPERSCRIPT = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_GREEK = {"theta": "θ", "delta": "δ"}
_TEXT_NAME = re.compile(r"(?P<stem>[A-Za-z]+)(?:\^(?P<layer>\(\d+\)))?(?:_(?P<indices>[\w,]+))?")


def stacked_name(name: str) -> tuple[str, str, str]:
    """A text name's parts as a picture stacks them: the stem (Greek letters as letters), the
    layer above and the indices below.

    A name that is not of the form stem^(layer)_indices is all stem.

    Examples
    --------
    >>> stacked_name("theta^(1)_10,3"), stacked_name("x_2"), stacked_name("J")
    (('θ', '(1)', '10,3'), ('x', '', '2'), ('J', '', ''))
    """
    match = _TEXT_NAME.fullmatch(name)
    if match is None:
        return name, "", ""
    return _GREEK.get(match["stem"], match["stem"]), match["layer"] or "", match["indices"] or ""


def unicode_name(name: str) -> str:
    """The terminal form of a text name: ``theta^(1)_11`` becomes ``θ⁽¹⁾₁₁``.

    A name that is not of the form stem^(layer)_indices is returned unchanged.
    """
    return unicode_of_parts(*stacked_name(name))


def has_subscripts(indices: str) -> bool:
    """Whether Unicode has a subscript for each character of `indices` (digits and commas):
    ``11`` and ``10,3`` but not ``h1``, which stays ``_h1``."""
    return re.fullmatch(r"[\d,]*", indices) is not None


def unicode_of_parts(stem: str, layer: str, indices: str) -> str:
    """A name's parts (see :func:`stacked_name`) on one line: ``θ⁽¹⁾₁₁``."""
    if has_subscripts(indices):
        indices = indices.translate(_SUBSCRIPT)
    else:  # unicode has no subscript for most letters: keep the underscore (δ_h)
        indices = "_" + indices
    return f"{stem}{layer.translate(_SUPERSCRIPT)}{indices}"
