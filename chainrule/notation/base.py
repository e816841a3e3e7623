"""The shared algorithm of every notation: what goes where, whatever the format.

A :class:`Notation` writes chainrule's quantities (a node, a partial, a chain, a gradient, a δ
definition, a factoring step, the matrix form) in one format. The order and grouping come from
the records it is given (:class:`~chainrule.graph.chains.Chain`, and the δ records of
:mod:`chainrule.calculus.delta`); a subclass supplies only its format's tokens and the few
pieces that differ (a name, a partial, a group, a block of equations), in the manner of SymPy's
printers: :meth:`Notation.doprint` dispatches on the record's class to ``_print_<Class>``.

Local formulas are printed by a SymPy printer subclass that knows chainrule's symbols, made
once per notation (and so per graph), and every edge's formula is kept in the notation's own
cache: the chains of a network share their edges.

Nothing here imports SymPy until a formula is printed, so the abstract view stays light.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from chainrule.lazy import lazy
from chainrule.notation.numbers import figure

if TYPE_CHECKING:
    from chainrule.calculus import delta as calculus_delta
    from chainrule.calculus import symbolic as symbolic
else:
    # Loaded on first use: SymPy and networkx come with them, which the other
    # calls of this module never need.
    calculus_delta = lazy("chainrule.calculus.delta")
    symbolic = lazy("chainrule.calculus.symbolic")


if TYPE_CHECKING:
    import networkx as nx
    import sympy as sp

    from chainrule.calculus.delta import (
        DeltaDefinition,
        DeltaRef,
        FactoredGradient,
        Group,
        Product,
        Step,
    )
    from chainrule.graph.chains import Chain, Factor
    from chainrule.graph.spec import Network

VIEWS = ("abstract", "local", "closed")


class Equation(NamedTuple):
    """``lhs = rhs``, kept apart so that writers can align and continue equations."""

    lhs: str
    rhs: str

    def __str__(self) -> str:
        return f"{self.lhs} = {self.rhs}"


def check_view(view: str, allowed: Sequence[str] = VIEWS) -> None:
    if view not in allowed:
        raise ValueError(f"unknown view {view!r}; choose from {', '.join(allowed)}")


class Notation:
    """How to write every quantity in one format; subclasses set the tokens below.

    Parameters
    ----------
    graph : networkx.DiGraph, optional
        The computation graph whose nodes are written. Needed for local formulas and for node
        names by node; abstract partials of :class:`~chainrule.graph.chains.Factor` records
        carry their own names.

    Examples
    --------
    >>> from chainrule.calculus.delta import factoring_steps
    >>> from chainrule.graph.build import build_graph
    >>> from chainrule.graph.spec import Network
    >>> from chainrule.notation import notation_for
    >>> graph = build_graph(Network([1, 1]))
    >>> step = factoring_steps(graph, "theta^(1)_11")[-1]
    >>> notation_for("unicode", graph).doprint(step)
    'δ⁽²⁾₁ · ∂z⁽²⁾₁/∂θ⁽¹⁾₁₁'
    >>> notation_for("latex", graph).doprint(step.terms[0].items[0], "local")
    'x_{1}'
    """

    #: The format's name, as ``notation_for`` takes it.
    format: ClassVar[str]
    #: An explicit product sign (after a δ, before a group, between local formulas).
    times: ClassVar[str]
    #: Between partials side by side in the abstract view.
    juxtapose: ClassVar[str]
    plus: ClassVar[str]
    #: Between the terms of a sum of numbers, before a negative one written without its sign.
    minus: ClassVar[str] = " - "
    #: Between a product of numbers and its value, inside one side of an equation.
    equals: ClassVar[str] = " = "

    def __init__(self, graph: nx.DiGraph | None = None):
        self.graph = graph
        self._printer = None
        # (form, wrt, of) -> string: each edge's formula is printed once per notation
        self._formulas: dict[tuple[str, Hashable, Hashable], str] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({'graph' if self.graph is not None else ''})"

    # --- what each format writes its own way ---------------------------------------------------

    def name(self, text: str, latex: str) -> str:
        """A symbol, given its text name (``a^(2)_1``) and its LaTeX (``a_{1}^{(2)}``)."""
        raise NotImplementedError

    def partial_of(self, of_text: str, of_latex: str, wrt_text: str, wrt_latex: str) -> str:
        """∂of/∂wrt, from the names of both symbols."""
        raise NotImplementedError

    def group(self, inside: str) -> str:
        """`inside` in parentheses, as one factor of a product."""
        raise NotImplementedError

    def comment(self, text: str) -> str:
        """A line (or lines) of prose among the equations, ending in a newline."""
        raise NotImplementedError

    def continued_sum(self, lhs: str, terms: Sequence[str]) -> str:
        """``lhs = terms[0] + terms[1] + ...``, one term per line."""
        raise NotImplementedError

    def equations(self, equations: Iterable[tuple[str, Sequence[str]]]) -> str:
        """Each ``(lhs, [rhs, rhs, ...])`` as one equation continued line by line, aligned on
        '=' where the format can align; a display block ending in a newline."""
        raise NotImplementedError

    def matrix_form(self, network: Network) -> list[Equation]:
        """The layer-at-a-time form: the output δ, then one line per hidden δ and per weight
        layer. δ^(l) is a row vector (one column per neuron, one row per example); a bias adds
        a leading column of ones to a^(l)."""
        raise NotImplementedError

    def _make_printer(self):
        """The SymPy printer of local formulas, with this format's symbol names."""
        raise NotImplementedError

    def _formula_in_product(self, formula: sp.Expr) -> str:
        """A formula written as one factor of a product (sums and negatives parenthesised)."""
        raise NotImplementedError

    # --- the shared algorithm -----------------------------------------------------------------

    def doprint(self, thing: Any, view: str = "abstract") -> str:
        """Write a chain, a factor or any δ record, dispatching on its class like SymPy.

        A SymPy expression is written as a formula.
        """
        method = getattr(self, f"_print_{type(thing).__name__}", None)
        if method is None:
            return self.formula(thing)
        return method(thing, view)

    @property
    def printer(self):
        if self._printer is None:
            self._printer = self._make_printer()
        return self._printer

    def _graph(self) -> nx.DiGraph:
        if self.graph is None:
            raise ValueError(
                f"{type(self).__name__} was made without a graph: give one, "
                "notation_for(format, graph), to write nodes and formulas"
            )
        return self.graph

    def node(self, node: Hashable) -> str:
        """A node of the graph by its name."""
        data = self._graph().nodes[node]
        return self.name(data["name"], data["latex"])

    def partial(self, factor: Factor) -> str:
        """The abstract form of a factor: ∂of/∂wrt."""
        return self.partial_of(factor.of, factor.of_latex, factor.wrt, factor.wrt_latex)

    def formula(self, expression: sp.Expr) -> str:
        """A SymPy expression on its own (a closed gradient, a JSON field)."""
        return self.printer.doprint(expression)

    def _edge_string(self, form: str, factor: Factor, render) -> str:
        key = (form, factor.wrt, factor.of)
        if key not in self._formulas:
            formula = symbolic.local_derivative(self._graph(), factor.wrt, factor.of)
            self._formulas[key] = render(formula)
        return self._formulas[key]

    def factor_formula(self, factor: Factor) -> str:
        """The local formula of a factor on its own."""
        return self._edge_string("alone", factor, self.formula)

    def factor(self, factor: Factor, view: str = "abstract") -> str:
        """One factor of a product: ∂of/∂wrt (abstract) or its local formula (local)."""
        if view == "abstract":
            return self.partial(factor)
        return self._edge_string("in product", factor, self._formula_in_product)

    def sum(self, terms: Iterable[str]) -> str:
        return self.plus.join(terms)

    def chain(self, chain: Iterable[Factor], view: str = "abstract") -> str:
        """A chain as a hand derivation writes it, cost first."""
        check_view(view, VIEWS[:2])
        separator = self.juxtapose if view == "abstract" else self.times
        return separator.join(self.factor(factor, view) for factor in chain)

    def gradient_lhs(self, source: str) -> str:
        """∂J/∂source (the cost by its own name: a graph file may call it E_total)."""
        graph = self._graph()
        cost = graph.graph["cost"]
        return self.partial_of(
            cost, graph.nodes[cost]["latex"], source, graph.nodes[source]["latex"]
        )

    def gradient(self, source: str, chains: Iterable[Chain], view: str = "abstract") -> str:
        """∂J/∂source as the sum of its chains, one per line, or as the closed expression."""
        check_view(view)
        if view == "closed":
            return self.closed_gradient(source, symbolic.closed_sum(self._graph(), chains))
        terms = [self.chain(chain, view) for chain in chains]
        return self.continued_sum(self.gradient_lhs(source), terms)

    def closed_gradient(self, source: str, closed: sp.Expr) -> str:
        """∂J/∂source = its closed expression (computed by the caller)."""
        return self.continued_sum(self.gradient_lhs(source), [self.formula(closed)])

    def delta(self, ref: DeltaRef) -> str:
        """The name of a δ."""
        return self.name(ref.name, ref.latex)

    def product(self, product: Product, view: str = "abstract") -> str:
        """A δ head times its items: an explicit times after the head and before a group,
        partials juxtaposed in the abstract view, every factor times the next in the local."""
        items = ""
        for number, item in enumerate(product.items):
            if number:  # by class name: importing the records would import SymPy
                items += (
                    self.juxtapose
                    if view == "abstract" and type(item).__name__ != "Group"
                    else self.times
                )
            items += self.doprint(item, view)
        if product.head is None:
            return items
        return self.delta(product.head) + (self.times + items if items else "")

    def delta_definition(self, definition: DeltaDefinition, view: str = "abstract") -> Equation:
        """``δ(node) = ...`` in partials (abstract) or formulas (local)."""
        return Equation(self.delta(definition.delta), self._sum_of(definition.terms, view))

    def factored_gradient(self, factored: FactoredGradient, view: str = "abstract") -> Equation:
        """``∂J/∂θ = δ ∂z/∂θ`` (abstract) or ``= δ a`` (local)."""
        return Equation(self.partial(factored.lhs), self._sum_of(factored.terms, view))

    def step(self, step: Step) -> tuple[str | None, str]:
        """A factoring step as (its grouped form, its δ form); step 0 has no grouped form."""
        replaced = self._sum_of(step.terms, "abstract")
        return (self._sum_of(step.grouped, "abstract") if step.grouped else None), replaced

    def factoring(
        self,
        source: Hashable,
        steps: Sequence[Step] | None = None,
        factored: FactoredGradient | None = None,
        after_step: Callable[[Step], list[str]] | None = None,
    ) -> list[str]:
        """The right-hand sides that derive ``∂J/∂source`` from its path sum: each factoring
        step's grouped line and δ line, then the factored gradient in the local view.

        Every writer of a factoring (``delta --param``, ``explain``, ``report``) calls this;
        pass `steps` and `factored` when you have them from
        :func:`~chainrule.calculus.delta.factoring_steps` and
        :func:`~chainrule.calculus.delta.factor_gradient` (a record does). `after_step`, if
        given, writes more sides after each step's δ line (the same step in numbers).
        """

        graph = self._graph()
        if steps is None:
            steps = calculus_delta.factoring_steps(graph, source)
        sides = []
        for step in steps:
            sides += [side for side in self.step(step) if side is not None]
            if after_step is not None:
                sides += after_step(step)
        if factored is None:
            factored = calculus_delta.factor_gradient(graph, source)
        sides.append(self.factored_gradient(factored, "local").rhs)
        return sides

    def _sum_of(self, products: Iterable[Product], view: str) -> str:
        return self.sum(self.product(product, view) for product in products)

    # --- numbers: a worked example's figures, written in this format ---------------------------

    def figure(self, written: str) -> str:
        """A figure already written by :func:`~chainrule.notation.numbers.figure` (``0.593270``,
        ``-4.38568e-04``, ``inf``), in this format."""
        return written

    def number(self, value: float) -> str:
        """`value` as a worked example writes it (:func:`~chainrule.notation.numbers.figure`)."""
        return self.figure(figure(value))

    def number_in_product(self, value: float) -> str:
        """`value` as one factor of a product: a negative number in parentheses."""
        written = figure(value)
        return self.group(self.figure(written)) if written.startswith("-") else self.figure(written)

    def numbers_product(self, values: Iterable[float]) -> str:
        """``0.741365 * 0.186816 * (-0.5)``: each value a factor, in order."""
        return self.times.join(self.number_in_product(value) for value in values)

    def numbers_sum(self, values: Iterable[float]) -> str:
        """``0.1 + 0.2 - 0.05``: each value a term, a negative one after a minus sign."""
        written = ""
        for number, value in enumerate(values):
            shown = figure(value)
            if number == 0:
                written = self.figure(shown)
            elif shown.startswith("-"):
                written += self.minus + self.figure(shown[1:])
            else:
                written += self.plus + self.figure(shown)
        return written

    def numbers_of(self, products: Iterable[Product], value: Callable[[Any], float]) -> str:
        """A sum of δ records' products (a δ's definition, a gradient, a factoring step) with
        each δ and each partial written as its number, ``value(item)`` (a
        :class:`~chainrule.calculus.delta.DeltaRef` or a :class:`~chainrule.graph.chains.
        Factor`), and each group in parentheses: the same product, in numbers."""

        def item(each: Any) -> str:
            if isinstance(each, calculus_delta.Group):
                return self.group(self.numbers_of(each.terms, value))
            return self.number_in_product(value(each))

        return self.sum(
            self.times.join(
                item(each)
                for each in ((product.head,) if product.head is not None else ())
                + tuple(product.items)
            )
            for product in products
        )

    def equal(self, left: str, right: str) -> str:
        """``left = right`` inside one side of an equation (a product and its value)."""
        return f"{left}{self.equals}{right}"

    def annotated(self, side: str, note: str) -> str:
        """`side` with a note in words after it: ``(example 2)``."""
        return f"{side}   ({note})"

    # --- dispatch targets of doprint ----------------------------------------------------------

    def _print_Factor(self, factor: Factor, view: str) -> str:
        return self.factor(factor, view)

    def _print_Chain(self, chain: Chain, view: str) -> str:
        return self.chain(chain, view)

    def _print_DeltaRef(self, ref: DeltaRef, view: str) -> str:
        return self.delta(ref)

    def _print_Group(self, group: Group, view: str) -> str:
        return self.group(self._sum_of(group.terms, view))

    def _print_Product(self, product: Product, view: str) -> str:
        return self.product(product, view)

    def _print_DeltaDefinition(self, definition: DeltaDefinition, view: str) -> str:
        return str(self.delta_definition(definition, view))

    def _print_FactoredGradient(self, factored: FactoredGradient, view: str) -> str:
        return str(self.factored_gradient(factored, view))

    def _print_Step(self, step: Step, view: str) -> str:
        return self.step(step)[1]
