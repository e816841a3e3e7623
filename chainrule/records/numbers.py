"""One case's numbers, for the commands that write a derivation with them.

``chains --view numbers``, ``delta`` with a case and the worked example of ``report`` write
the chains, the δs and the gradients they derive with the numbers of one case beside them.
Those numbers are computed once, by ``values`` (:mod:`chainrule.records.values`: every node's
value and δ and every edge's factor, per example), and read here by name: a factor by the
edge it is on, a δ by its node. Nothing is computed twice, and every number agrees with what
``chainrule values`` prints for the same case.

The case is read from a case file (``case``) or drawn as ``values`` draws one (``seed``,
``examples``, ``init_scale``); ``max_numbers`` bounds the numbers the command writes, and the
values computed keep to ``values``' own budget (or ``max_numbers``, if that is larger). A
layered network's case file sets the network: the derivation is of its network, whatever layer
sizes were given beside it (they must agree).

Examples
--------
>>> numbers = case_numbers(SubjectRequest("1-1"), seed=2)
>>> numbers.examples, numbers.origin, numbers.about.architecture.architecture
(1, 'seed 2, weights from [-1, 1]', '1-1')
>>> float(numbers.factor("z^(2)_1", "theta^(1)_11")[0]) == float(numbers.value("x_1")[0])
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from chainrule import budget
from chainrule.errors import SpecError
from chainrule.lazy import lazy
from chainrule.records import options as shared
from chainrule.records.subject import SubjectRequest

if TYPE_CHECKING:
    import numpy as np

    from chainrule.numeric import case as numeric_case
    from chainrule.records import cases
    from chainrule.records import values as values_record
    from chainrule.records.values import ValuesRecord
else:
    # Loaded on first use: they load numpy, which chains and delta without numbers (their
    # matrix view of 784-512-512-10 above all) never need; this module declares their options.
    cases = lazy("chainrule.records.cases")
    numeric_case = lazy("chainrule.numeric.case")
    values_record = lazy("chainrule.records.values")

EXAMPLES = shared.examples(1, "examples in a random case (default 1)")
MAX_NUMBERS = shared.MAX_NUMBERS._replace(
    default=budget.NUMBERS_WRITTEN,
    help="refuse to write more than N numbers of the case beside the derivation (default "
    f"{budget.NUMBERS_WRITTEN:,})",
)
#: How the numbers' case is drawn and bounded, as ``values`` takes them (with ``--case FILE``).
CASE_OPTIONS = (EXAMPLES, shared.SEED, shared.INIT_SCALE, MAX_NUMBERS)


def refuse_unused(
    wanted: bool,
    case: Any,
    examples: int,
    seed: int,
    init_scale: float,
    max_numbers: int,
    asks: str,
) -> None:
    """Refuse a case, or an option that draws or bounds one, given to a request that writes no
    numbers (`wanted` false): `asks` is the option that would (``--view numbers``)."""
    if wanted:
        return
    given = [
        budget.spelled(option)
        for option, differs in (
            ("case", case is not None),
            ("examples", examples != EXAMPLES.default),
            ("seed", seed != shared.SEED.default),
            ("init_scale", init_scale != shared.INIT_SCALE.default),
            ("max_numbers", max_numbers != MAX_NUMBERS.default),
        )
        if differs
    ]
    if given:
        raise SpecError(
            f"{given[0]} is for the numbers of a case, which {asks} writes: add it, or drop "
            f"{given[0]}"
        )


@dataclass(frozen=True, eq=False)
class CaseNumbers:
    """One case's numbers, read by name: `values` is the values record that holds them,
    `about` the subject they are of (the network a case file sets, or the graph), `origin`
    where they came from."""

    values: ValuesRecord
    about: SubjectRequest
    _factor_rows: dict[tuple[str, str], int] = field(repr=False)
    _node_rows: dict[str, int] = field(repr=False)
    _parameter_rows: dict[str, int] = field(repr=False)

    @property
    def examples(self) -> int:
        return self.values.examples

    @property
    def origin(self) -> str:
        return self.values.origin

    @property
    def saturated(self) -> bool:
        """An output a fused cost reads is exactly 0 or 1: its dJ/da is infinite there."""
        return self.values.saturated

    def factor(self, of: Hashable, wrt: Hashable) -> np.ndarray:
        """The value of ∂of/∂wrt per example."""
        return self.values.factors.values[self._factor_rows[str(of), str(wrt)]]

    def delta(self, node: Hashable) -> np.ndarray:
        """∂J/∂node per example."""
        return self.values.deltas.values[self._node_rows[str(node)]]

    def value(self, node: Hashable) -> np.ndarray:
        """The node's value per example (the forward pass)."""
        return self.values.forward.values[self._node_rows[str(node)]]

    def item(self, item: Any, example: int) -> float:
        """The number of one item of a δ record in `example`: a partial (a
        :class:`~chainrule.graph.chains.Factor`) its factor's, a δ (a
        :class:`~chainrule.calculus.delta.DeltaRef`) its node's."""
        if hasattr(item, "wrt"):
            return float(self.factor(item.of, item.wrt)[example])
        return float(self.delta(item.node)[example])

    def items(self, item: Any) -> np.ndarray:
        """The numbers of one item of a δ record per example: a partial's factor, a δ's node's
        δ, and a :class:`~chainrule.calculus.delta.Group` the sum of its products."""
        if hasattr(item, "wrt"):
            return self.factor(item.of, item.wrt)
        if hasattr(item, "node"):
            return self.delta(item.node)
        import numpy as np

        return np.sum([self.product(term) for term in item.terms], axis=0)

    def product(self, product: Any) -> np.ndarray:
        """A :class:`~chainrule.calculus.delta.Product` per example: its head δ (if any) times
        each of its items.

        Examples
        --------
        >>> from chainrule.calculus.delta import factor_gradient
        >>> from chainrule.graph.build import build_graph
        >>> from chainrule.graph.spec import Network
        >>> from chainrule.records.values import ValuesRequest, compute
        >>> numbers = from_values(compute(ValuesRequest.of("2-2-2", examples=3)), None)
        >>> terms = factor_gradient(build_graph(Network([2, 2, 2])), "theta^(1)_11").terms
        >>> total = sum(float(numbers.product(term).sum()) for term in terms)
        >>> abs(total - numbers.gradient("theta^(1)_11")) < 1e-15
        True
        """
        result = self.delta(self._cost) if product.head is None else self.delta(product.head.node)
        for item in product.items:
            result = result * self.items(item)
        return result

    @property
    def _cost(self) -> str:
        # δ of J is 1 in every example: the neutral start of a product
        return self.values.cost_name

    def gradient(self, source: Hashable) -> float:
        """∂J/∂source summed over the examples: the values record's gradient of a parameter,
        the sum of an input's δ over the examples."""
        name = str(source)
        gradients = self.values.gradients
        if name in self._parameter_rows:
            return float(gradients.values[self._parameter_rows[name], 0])
        return float(self.delta(source).sum())


class Obtained(NamedTuple):
    """A case read or drawn: the `case`, where its numbers came from (`origin`), and the
    subject they are of (`about`: the network a layered case file sets, or the graph, built
    once for the derivation and the numbers alike)."""

    case: Any
    origin: str
    about: SubjectRequest

    @property
    def examples(self) -> int:
        return int(self.case.examples)


def obtain(
    subject: SubjectRequest,
    case: Any = None,
    examples: int = 1,
    seed: int = 0,
    init_scale: float = 1.0,
    max_numbers: int = budget.NUMBERS_WRITTEN,
) -> Obtained:
    """`subject`'s case: `case` (a case file's path, a Case or a GraphCase), or one drawn from
    `seed`, `examples` and `init_scale` (refused past `max_numbers` before it is drawn)."""
    got, origin = cases.obtain(
        subject,
        case,
        examples,
        seed,
        init_scale,
        max(max_numbers, budget.DEFAULT_MAX_NUMBERS),
        default_examples=1,
    )
    about = SubjectRequest(
        got.network if isinstance(got, numeric_case.Case) else got.graph,
        max_graph=subject.max_graph,
    )
    return Obtained(got, origin, about)


def numbers_of(obtained: Obtained, max_numbers: int = budget.NUMBERS_WRITTEN) -> CaseNumbers:
    """The case's numbers, computed by ``values`` (refused past `max_numbers` before any is)."""
    # The values computed are read, not written: they keep to values' own budget (about two
    # seconds of numpy), and only the numbers written keep to `max_numbers`.
    computed = max(max_numbers, budget.VALUES_MAX_NUMBERS)
    record = values_record.compute(
        values_record.ValuesRequest(obtained.about, case=obtained.case, max_numbers=computed)
    )
    # values calls a case given as an object "the case given": say where it came from
    return from_values(dataclasses.replace(record, origin=obtained.origin), obtained.about)


def from_values(record: ValuesRecord, about: SubjectRequest) -> CaseNumbers:
    """The numbers of a values record already computed (the worked example's, with its own
    step), read by name; `about` is the subject they are of."""
    factors = record.factors
    assert factors.wrt is not None  # the factor section names both ends
    return CaseNumbers(
        record,
        about,
        {pair: row for row, pair in enumerate(zip(factors.names, factors.wrt))},
        {name: row for row, name in enumerate(record.forward.names)},
        {name: row for row, name in enumerate(record.gradients.names)},
    )


def case_numbers(
    subject: SubjectRequest,
    case: Any = None,
    examples: int = 1,
    seed: int = 0,
    init_scale: float = 1.0,
    max_numbers: int = budget.NUMBERS_WRITTEN,
) -> CaseNumbers:
    """The numbers of `subject`'s case (:func:`obtain`, then :func:`numbers_of`)."""
    return numbers_of(obtain(subject, case, examples, seed, init_scale, max_numbers), max_numbers)


def written(examples: int, terms: int, products: int, sums: int) -> int:
    """Numbers a derivation with numbers writes: every term's number and every product's value
    in each example, and every sum over the examples.

    Examples
    --------
    >>> written(examples=1, terms=4, products=1, sums=1)  # dE/dw5 = 1 · 0.74 · 0.19 · 0.59
    6
    """
    return examples * (terms + products) + sums


def check_written(label: str, numbers: int, examples: int, limit: int, hint: str = "") -> None:
    """Refuse, before anything is computed, a derivation that would write more than `limit`
    numbers."""
    budget.check(
        f"numbers written beside the derivation of {label} with {examples:,} example"
        f"{'' if examples == 1 else 's'}",
        numbers,
        limit,
        "max_numbers",
        hint,
    )
