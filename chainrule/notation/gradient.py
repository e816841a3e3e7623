"""A gradient to look at: ∂J/∂(parameter) as the sum of its chains, in three views.

The maths is :mod:`chainrule.calculus.symbolic`'s (the abstract, local and closed sums); this
wrapper shows it, as LaTeX in Jupyter and as text in a terminal, through the notations.

Examples
--------
>>> from chainrule.graph.spec import Network
>>> g = gradient(Network([1, 1, 1]), "theta^(2)_11")
>>> g.abstract()
dJ/da^(3)_1*da^(3)_1/dz^(3)_1*dz^(3)_1/dtheta^(2)_11
>>> g.local()
a^(2)_1*a^(3)_1*(1 - a^(3)_1)*(a^(3)_1 - y_1)/m
>>> print(g.text(unicode=True))
∂J/∂θ⁽²⁾₁₁ = ∂J/∂a⁽³⁾₁ · ∂a⁽³⁾₁/∂z⁽³⁾₁ · ∂z⁽³⁾₁/∂θ⁽²⁾₁₁
"""

from __future__ import annotations

from functools import cached_property

import networkx as nx
import sympy as sp

from chainrule import budget
from chainrule.calculus.counting import closed_view_size
from chainrule.calculus.symbolic import abstract_sum, closed_sum, local_sum
from chainrule.errors import TooLarge
from chainrule.graph.build import build_graph
from chainrule.graph.chains import Chain, iter_chains
from chainrule.graph.paths import path_counts
from chainrule.graph.spec import Network
from chainrule.notation import notation_for


class Gradient:
    """∂J/∂(parameter) as the sum of its chains, in the abstract, local and closed views.

    Shows itself as LaTeX in Jupyter and as the abstract sum in text.
    """

    def __init__(self, graph: nx.DiGraph, parameter: str, limit: int = budget.DEFAULT_CHAIN_LIMIT):
        if parameter not in graph:
            raise KeyError(f"no parameter {parameter!r} in the graph")
        self.graph = graph
        self.parameter = parameter
        self.limit = limit  # chains held at once, as chainrule chains --limit

    @cached_property
    def chains(self) -> tuple[Chain, ...]:
        """Every chain, held in memory: refused past `limit` (counted first, by the DP)."""

        total = path_counts(self.graph)[self.parameter][0]
        budget.check(f"chains of dJ/d{self.parameter}", total, self.limit, "limit")
        return tuple(iter_chains(self.graph, self.parameter))

    def abstract(self) -> sp.Expr:
        return abstract_sum(self.chains)

    def local(self) -> sp.Expr:
        return local_sum(self.graph, self.chains)

    def _check_closed(self) -> None:
        """Refuse the closed view past the size the command line allows for `limit`."""

        size = closed_view_size(self.graph, [self.parameter])
        allowed = int(self.limit * budget.CLOSED_SIZE_PER_CHAIN)
        if size > allowed:
            needed = int(size / budget.CLOSED_SIZE_PER_CHAIN)
            raise TooLarge(
                f"the closed view of dJ/d{self.parameter} would print about {size:,} symbols, "
                f"more than the {allowed:,} that {budget.spelled('limit', self.limit)} allows; "
                f"use local(), or {budget.limit_advice(needed)}"
            )

    def closed(self) -> sp.Expr:
        """The closed view, refused past the size the command line allows for `limit`."""
        self._check_closed()
        return closed_sum(self.graph, self.chains)

    def latex(self, view: str = "abstract") -> str:
        if view == "closed":
            self._check_closed()
        return notation_for("latex", self.graph).gradient(self.parameter, self.chains, view)

    def text(self, view: str = "abstract", unicode: bool = False) -> str:
        if view == "closed":
            self._check_closed()
        notation = notation_for("unicode" if unicode else "text", self.graph)
        return notation.gradient(self.parameter, self.chains, view)

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex()}$"

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"Gradient(dJ/d{self.parameter}: {len(self.chains)} chains)"


def gradient(network: Network | nx.DiGraph, parameter: str) -> Gradient:
    """The :class:`Gradient` of J with respect to `parameter` (a text name such as
    ``"theta^(1)_11"``) in `network` or an already built graph."""
    graph = network if isinstance(network, nx.DiGraph) else build_graph(network)
    return Gradient(graph, parameter)
