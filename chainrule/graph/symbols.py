"""The SymPy symbols of a graph: one per node, named by its text name, plus targets and m.

They belong to the graph (formulas on a general graph's nodes are written in them), so the
graph's builders and the calculus above them share these without the graph importing the
calculus.

Examples
--------
>>> node_symbol("a^(2)_1"), target_symbol(1), M
(a^(2)_1, y_1, m)
>>> node_symbol("x_1").is_real, M.is_positive
(True, True)
"""

from functools import lru_cache

import sympy as sp

from chainrule.graph import names

#: The number of examples, kept symbolic: J averages over them.
M = sp.Symbol("m", positive=True)


@lru_cache(maxsize=1 << 16)
def node_symbol(name: str) -> sp.Symbol:
    """The SymPy symbol of a node, named by its text name (all quantities are real).

    Cached: the same symbols are asked for once per formula and per edge, and SymPy's own
    construction with assumptions costs tens of microseconds each time.
    """
    return sp.Symbol(name, real=True)


def target_symbol(i: int) -> sp.Symbol:
    """y_i, the target of output neuron i."""
    return sp.Symbol(names.y_name(i), real=True)
