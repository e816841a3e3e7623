"""``values``: one case's every number, as a worked example shows them.

The forward pass (every node's value per example: inputs, parameters, each z and a, each
output's part of the cost and the cost), the backward pass (∂J/∂v of every node per example,
and every local factor's value per example), the gradients, and one step of gradient descent,
θ⁺ = θ − η ∂J/∂θ (parameters in ``freeze`` held), with the cost after it.

Layer sizes are computed by numpy alone (:mod:`chainrule.numeric.values`): no SymPy and no
graph, so that ``784-512-512-10`` answers in about a second. A graph (a graph file, ``rnn:``,
``resnet:``) is computed by its own evaluation (the forward pass and the local derivatives
chainrule prints, :mod:`chainrule.verification.verify`). The numbers are priced from the sizes
first and refused past ``max_numbers``.

The record holds the numbers in bulk, one :class:`Quantities` a section (names, and a row of
numbers per example each), so that later commands can show any node's or edge's value per
example.

Examples
--------
>>> record = compute(ValuesRequest.of("1-1", seed=2, lr=0.5))
>>> record.forward.names
('x_1', 'theta^(1)_11', 'z^(2)_1', 'a^(2)_1', 'J')
>>> record.factors.names[-1], record.factors.wrt[-1]
('J', 'a^(2)_1')
>>> document = record.as_dict()
>>> document["step"]["cost_after"] < document["cost"]
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from chainrule import budget
from chainrule.calculus.counting import local_derivative_work
from chainrule.errors import SpecError, TooLarge
from chainrule.graph import names
from chainrule.graph.spec import Network, graph_size, parse_parameter
from chainrule.numeric.backprop import cost_of, fused_output_delta
from chainrule.numeric.case import Case
from chainrule.numeric.values import layer_values
from chainrule.records import cases
from chainrule.records import options as shared
from chainrule.records.options import Option, non_negative_float, read_options
from chainrule.records.subject import SubjectRequest, names_a_graph, resolve, subject_of

if TYPE_CHECKING:
    import numpy as np

    from chainrule.numeric.case import Case
    from chainrule.verification.graphcase import GraphCase
from chainrule.lazy import lazy

if TYPE_CHECKING:
    from chainrule.calculus import symbolic as symbolic
    from chainrule.graph import symbols as symbols
    from chainrule.verification import evaluate as evaluation
    from chainrule.verification import verify as verification
else:
    # Loaded on first use: these modules load SymPy or networkx as they are imported,
    # which the arithmetic on layer sizes never needs.
    symbolic = lazy("chainrule.calculus.symbolic")
    symbols = lazy("chainrule.graph.symbols")
    evaluation = lazy("chainrule.verification.evaluate")
    verification = lazy("chainrule.verification.verify")

DEFAULT_LR = 0.5

EXAMPLES = shared.examples(1, "examples in a random case (default 1)")
LR = Option(
    "lr",
    f"learning rate of the step shown, theta+ = theta - lr dJ/dtheta (default {DEFAULT_LR:g})",
    default=DEFAULT_LR,
    parse=non_negative_float,
    metavar="RATE",
)
FREEZE = Option(
    "freeze",
    "hold these parameters fixed in the step (names, comma-separated; repeatable)",
    default=None,
    metavar="NAME[,NAME...]",
    repeat=True,
)
MAX_NUMBERS = shared.MAX_NUMBERS._replace(
    default=budget.VALUES_MAX_NUMBERS,
    help="refuse to write more than N numbers (the forward and backward passes, the factors, "
    f"the gradients and the step; default {budget.VALUES_MAX_NUMBERS:,}, about 2 s)",
)
RNN_COST = Option(
    "rnn_cost",
    "rnn: score the last step's output (default) or every step's",
    default=None,
    choices=("last", "sum"),
)
CASE_OPTIONS = (EXAMPLES, shared.SEED, shared.INIT_SCALE, MAX_NUMBERS)
OPTIONS = (*shared.NETWORK, *CASE_OPTIONS, LR, FREEZE, RNN_COST)


def frozen_names(given: Sequence[str]) -> tuple[str, ...]:
    """The ``freeze`` values as given, each a comma-separated list (split for good once the
    subject's parameters are known: :func:`split_frozen`), blanks dropped.

    Examples
    --------
    >>> frozen_names(["b1,b2", " w5 "])
    ('b1,b2', 'w5')
    """
    return tuple(dict.fromkeys(value.strip() for value in given if value.strip()))


def split_frozen(given: Sequence[str], known: Callable[[str], bool]) -> list[str]:
    """The names in comma-separated ``freeze`` values, reading from the left the longest run of
    pieces that `known` takes: a layered net's weight is ``theta^(2)_10,3`` or ``2,10,3``, so a
    comma may be inside a name as well as between names. A run nothing takes is one piece, to
    be refused by name.

    Examples
    --------
    >>> known = {"theta^(1)_10,3", "2,1,0", "b1"}.__contains__
    >>> split_frozen(["theta^(1)_10,3,2,1,0", "b1,q"], known)
    ['theta^(1)_10,3', '2,1,0', 'b1', 'q']
    """
    names: list[str] = []
    for value in given:
        pieces = [piece.strip() for piece in value.split(",")]
        start = 0
        while start < len(pieces):
            for end in range(min(len(pieces), start + 4), start, -1):
                candidate = ",".join(pieces[start:end])
                if known(candidate):
                    break
            else:  # nothing takes it: one piece, or three digits meant as l,j,k
                triple = pieces[start : start + 3]
                end = start + (3 if len(triple) == 3 and all(p.isdigit() for p in triple) else 1)
                candidate = ",".join(pieces[start:end])
            if candidate:
                names.append(candidate)
            start = end
    return list(dict.fromkeys(names))


def _check_frozen(frozen: Sequence[str], parameters: Sequence[str], label: str) -> None:
    known = set(parameters)
    for name in frozen:
        if name not in known:
            shown = ", ".join(parameters[:12]) + (", ..." if len(parameters) > 12 else "")
            raise SpecError(
                f"{budget.spelled('freeze')}: no parameter {name[:80]!r} in {label}; it has {shown}"
            )


@dataclass(frozen=True)
class ValuesRequest:
    """Whose numbers (the subject, or a case: a case file's path, a Case or a GraphCase), how a
    random case is drawn, and the step shown (its learning rate, the parameters it holds)."""

    subject: SubjectRequest
    case: Any = None
    examples: int = 1
    seed: int = 0
    init_scale: float = 1.0
    max_numbers: int = budget.VALUES_MAX_NUMBERS
    lr: float = DEFAULT_LR
    freeze: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        architecture: object = None,
        graph_text: str | None = None,
        *,
        case: Any = None,
        **given: object,
    ) -> ValuesRequest:
        """A request from an architecture (or a graph file's text) or a case given as `case`,
        and options by keyword, each checked; the options that draw a case are refused beside
        one."""
        values = read_options(OPTIONS, given, "values")
        values["freeze"] = frozen_names(values["freeze"])
        made = cls(subject_of(architecture, graph_text, values), case, **values)
        if case is None:
            if architecture is None and graph_text is None:
                raise cases.missing_subject()
            return made
        cases.refuse_conflicts(made.subject, made.seed, made.examples, made.init_scale, 1)
        return made


class Quantities(NamedTuple):
    """Named quantities with a number per example each: `names[i]` has `values[i]` (a row of
    `examples` numbers). A section of factors names each by the node it is a factor of
    (`names`) and the node it differentiates by (`wrt`).

    `alias`, when given, is (another section's name, an index per row): row i holds the same
    numbers as that section's row ``index[i]`` (-1: numbers of its own). A writer formats
    those numbers once: most of a layered network's factors are its activations and weights
    again (∂z/∂θ = a, ∂z/∂a = θ)."""

    names: Sequence[str]
    values: np.ndarray
    wrt: Sequence[str] | None = None
    alias: tuple[str, np.ndarray] | None = None

    def by_name(self) -> dict[str, list[float]]:
        """Each name's numbers, as a list per name (a factor section is keyed by pairs: use
        :meth:`as_factors`)."""
        return dict(zip(self.names, self.values.tolist()))

    def as_factors(self) -> list[dict[str, Any]]:
        assert self.wrt is not None  # a factor section
        return [
            {"of": of, "wrt": wrt, "value": row}
            for of, wrt, row in zip(self.names, self.wrt, self.values.tolist())
        ]


@dataclass(frozen=True, eq=False)
class ValuesRecord:
    """Every number of one case: the `forward` value of every node, each output's part of the
    cost (`cost_parts`, summed over the examples; empty when the cost has no part per output),
    the `cost`, the `deltas` (∂J/∂v) of every node and the `factors` of every edge, all per
    example; the `gradients` of the parameters (summed over the examples), and the step:
    `updated` parameters (those in `frozen` unchanged) and `cost_after`. `latex` maps a node's
    name to its LaTeX form (empty for layer sizes, whose names the notation spells)."""

    request: ValuesRequest
    subject: str
    origin: str
    examples: int
    cost_name: str
    forward: Quantities
    cost: float
    cost_parts: dict[str, float]
    deltas: Quantities
    factors: Quantities
    gradients: Quantities
    updated: Quantities
    cost_after: float
    frozen: tuple[str, ...]
    kinds: dict[str, str]  # a graph's; a layered network's are read from the names
    latex: dict[str, str]
    #: the other numbers the local formulas name, per example: each target (``y_1``, a graph's
    #: own names) and ``m``, the number of examples
    givens: Quantities
    #: an output read by a fused cost is exactly 0 or 1: its dJ/da is infinite, and the δ of
    #: its logit comes from the logits, (a - y)/m
    saturated: bool = False
    #: the layered network the numbers are of (its case may set bias, activation and cost
    #: other than the request's); None for a graph
    network: Network | None = None

    @property
    def lr(self) -> float:
        return self.request.lr

    def kind_of(self, name: str) -> str:
        """A node's kind (input, param, pre, act, node, cost): a graph's own, or read from a
        layered network's name (``theta^(1)_11`` is a parameter).

        Examples
        --------
        >>> record = compute(ValuesRequest.of("1-1"))
        >>> [record.kind_of(name) for name in record.forward.names]
        ['input', 'param', 'pre', 'act', 'cost']
        """
        if name in self.kinds:
            return self.kinds[name]
        if name == self.cost_name:
            return "cost"
        stem = name.split("^")[0].split("_")[0]
        return {"x": "input", "theta": "param", "z": "pre", "a": "act"}[stem]

    def chain_values(self, chains: Iterable[Sequence[Any]]) -> list[float]:
        """Each chain's value at this case: the product of its factors' values (each factor
        an ``of``/``wrt`` pair of :attr:`factors`), per example, summed over the examples. The
        chains of one parameter add up to its gradient.

        Examples
        --------
        >>> from chainrule.graph.build import build_graph
        >>> from chainrule.graph.chains import iter_chains
        >>> from chainrule.graph.spec import Network
        >>> record = compute(ValuesRequest.of("2-2-2", seed=1))
        >>> values = record.chain_values(iter_chains(build_graph(Network([2, 2, 2])),
        ...                                          "theta^(1)_11"))
        >>> len(values), abs(sum(values) - record.gradients.by_name()["theta^(1)_11"][0]) < 1e-15
        (2, True)
        """
        import numpy as np

        row = {pair: i for i, pair in enumerate(zip(self.factors.names, self.factors.wrt or ()))}
        found = []
        for chain in chains:
            product = np.ones(self.examples)
            with np.errstate(all="ignore"):  # a saturated output's infinite factor: nan
                for factor in chain:
                    product = product * self.factors.values[row[str(factor.of), str(factor.wrt)]]
            found.append(float(product.sum()))
        return found

    def as_dict(self) -> dict[str, Any]:
        """The document of ``chainrule values --json``."""
        return {
            "architecture": self.subject,
            "origin": self.origin,
            "examples": self.examples,
            "forward": self.forward.by_name(),
            "cost": self.cost,
            "cost_parts": self.cost_parts,
            "deltas": self.deltas.by_name(),
            "factors": self.factors.as_factors(),
            "gradients": dict(zip(self.gradients.names, self.gradients.values[:, 0].tolist())),
            "step": {
                "lr": self.lr,
                "frozen": list(self.frozen),
                "updated": dict(zip(self.updated.names, self.updated.values[:, 0].tolist())),
                "cost_after": self.cost_after,
            },
        }


# --- the budget --------------------------------------------------------------------------------


def _numbers(nodes: int, edges: int, parameters: int, examples: int) -> int:
    """Numbers a values record writes: every node's value and δ and every edge's factor per
    example, and each parameter's gradient and updated value."""
    return examples * (2 * nodes + edges) + 2 * parameters


def _check_numbers(label: str, numbers: int, examples: int, limit: int) -> None:
    budget.check(
        f"numbers in the values of {label} with {examples:,} example"
        f"{'' if examples == 1 else 's'} (forward and backward passes, factors, gradients and "
        "a step)",
        numbers,
        limit,
        "max_numbers",
    )


def _check_evaluation(graph, doing: str = "write the values of") -> None:
    """Refuse a graph whose formulas are too many to evaluate one by one (verify leaves its
    chain sum and δ sweep out there); `doing` says what cannot be done."""

    why = verification._evaluation_left_out(graph.number_of_edges(), local_derivative_work(graph))
    if why:
        label = graph.graph.get("source", "the graph")
        raise TooLarge(f"cannot {doing} {label}: {why}; use a smaller graph")


# --- layer sizes, by numpy alone ---------------------------------------------------------------


def _per_parameter(network, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray] | None):
    """Arrays by layer (the weights', optionally with a leading axis of examples) as one array
    over every parameter in the network's order (θ^(l)_j0 first in each row, with biases)."""
    import numpy as np

    rows = []
    for layer in range(1, network.depth):
        matrix = weights[layer - 1]
        if network.bias:
            assert biases is not None  # with biases, every layer has its vector
            matrix = np.concatenate([biases[layer - 1][..., None], matrix], axis=-1)
        rows.append(matrix.reshape(*matrix.shape[:-2], -1))
    return np.concatenate(rows, axis=-1)


def _givens(targets: list[str], rows: np.ndarray, m: int) -> Quantities:
    """The targets' rows (one per target, a number per example) and m, as one section."""
    import numpy as np

    table = np.concatenate([rows.reshape(len(targets), m), np.full((1, m), float(m))])
    return Quantities((*targets, "m"), table)


def _layered(request: ValuesRequest, case: Case, origin: str) -> ValuesRecord:
    import numpy as np

    network, m = case.network, case.examples
    nodes, edges = graph_size(network)
    _check_numbers(
        network.architecture,
        _numbers(nodes, edges, network.parameter_count, m),
        m,
        request.max_numbers,
    )
    sizes, depth, bias = network.sizes, network.depth, network.bias
    tables = [
        names.theta_names(layer, sizes[layer], sizes[layer - 1], first=0 if bias else 1)
        for layer in range(1, depth)
    ]
    parameters = [name for table in tables for row in table for name in row]
    frozen = _layered_frozen(request.freeze, network, parameters)
    with np.errstate(all="ignore"):  # a saturated output shows as inf in its own factor
        numbers = layer_values(case)

    current = _per_parameter(network, case.weights, case.biases)
    parameter_deltas = _per_parameter(
        network, numbers.weight_deltas, numbers.z_deltas if bias else None
    )  # m × P
    gradients = _per_parameter(network, numbers.weight_gradients, numbers.bias_gradients)

    x_names = [names.x_name(k) for k in range(1, sizes[0] + 1)]
    z_names = [
        [names.z_name(l, j) for j in range(1, sizes[l - 1] + 1)] for l in range(2, depth + 1)
    ]
    a_names = [
        [names.a_name(l, j) for j in range(1, sizes[l - 1] + 1)] for l in range(2, depth + 1)
    ]
    node_names = [*x_names, *parameters]
    rows = [numbers.activities[0].T, np.broadcast_to(current[:, None], (len(parameters), m))]
    deltas = [numbers.a_deltas[0].T, parameter_deltas.T]
    for layer in range(2, depth + 1):
        node_names += z_names[layer - 2] + a_names[layer - 2]
        rows += [numbers.zs[layer - 2].T, numbers.activities[layer - 1].T]
        deltas += [numbers.z_deltas[layer - 2].T, numbers.a_deltas[layer - 1].T]
    node_names.append(names.COST_NAME)
    rows.append(numbers.output_costs.sum(axis=1)[None, :])
    deltas.append(np.ones((1, m)))

    of, wrt, factor_rows, alias = _layered_factors(case, numbers, tables, x_names, z_names, a_names)
    held = np.zeros(len(parameters), dtype=bool)
    if frozen:
        position = {name: i for i, name in enumerate(parameters)}
        held[[position[name] for name in frozen]] = True
    updated = np.where(held, current, current - request.lr * gradients)
    with np.errstate(all="ignore"):
        cost_after = cost_of(_updated_case(case, updated, network))
    # With one example a weight's δ is its gradient: the same numbers, written once.
    first_parameter = len(x_names)
    same = np.arange(first_parameter, first_parameter + len(parameters)) if m == 1 else None
    return ValuesRecord(
        request,
        network.architecture,
        origin,
        m,
        names.COST_NAME,
        Quantities(tuple(node_names), np.concatenate(rows)),
        numbers.cost,
        {
            names.a_name(depth, i): float(numbers.output_costs[:, i - 1].sum())
            for i in range(1, sizes[-1] + 1)
        },
        Quantities(tuple(node_names), np.concatenate(deltas)),
        Quantities(of, factor_rows, wrt, ("forward", alias)),
        Quantities(
            tuple(parameters), gradients[:, None], alias=None if same is None else ("deltas", same)
        ),
        Quantities(tuple(parameters), updated[:, None]),
        float(cost_after),
        frozen,
        {},  # a layered network's kinds are in its names (kind_of)
        {},
        _givens([names.y_name(i) for i in range(1, sizes[-1] + 1)], np.asarray(case.targets).T, m),
        _layered_saturated(case, numbers.activities[-1]),
        network,
    )


def _layered_saturated(case: Case, output: np.ndarray) -> bool:
    network = case.network
    fused = fused_output_delta(network.cost, network.activation[-1], output, case.targets)
    return fused is not None and bool(((output == 0) | (output == 1)).any())


def _layered_frozen(given: Sequence[str], network, parameters: Sequence[str]) -> tuple[str, ...]:
    """The names ``freeze`` holds, a weight named ``theta^(l)_jk`` or ``l,j,k``."""

    if not given:
        return ()
    known = set(parameters)

    def takes(name: str) -> bool:
        if name in known:
            return True
        try:
            parse_parameter(name, network)
        except SpecError:
            return False
        return True

    frozen = []
    for name in split_frozen(given, takes):
        if name in known:
            frozen.append(name)
            continue
        try:
            frozen.append(parse_parameter(name, network).name)
        except SpecError as error:
            if name.replace(",", "").isdigit():  # meant as l,j,k: say what is wrong with it
                raise SpecError(f"{budget.spelled('freeze')}: {error}") from None
            _check_frozen([name], parameters, network.architecture)
    return tuple(dict.fromkeys(frozen))


def _updated_case(case: Case, updated: np.ndarray, network) -> Case:
    """`case` with its parameters replaced by `updated` (in the network's order)."""
    import dataclasses

    weights: list[np.ndarray] = []
    biases: list[np.ndarray] | None = [] if network.bias else None
    start = 0
    for layer in range(1, network.depth):
        rows, columns = network.sizes[layer], network.sizes[layer - 1]
        width = columns + network.bias
        block = updated[start : start + rows * width].reshape(rows, width)
        start += rows * width
        if biases is not None:
            biases.append(block[:, 0].copy())
            block = block[:, 1:]
        weights.append(block.copy())
    return dataclasses.replace(
        case, weights=tuple(weights), biases=None if biases is None else tuple(biases)
    )


def _layered_factors(case: Case, numbers, tables, x_names, z_names, a_names):
    """Every edge's factor per example, node by node in the forward pass's order and each
    node's edges in the order of its formula (as :func:`~chainrule.graph.build.build_graph`
    adds them): into each z, each weight's (the activation it multiplies, 1 for a bias) and
    each activation's (its weight); into each a, ∂a/∂z; into J, each ∂J/∂a^(L). Also, for each
    factor, the row of the forward pass that holds the same numbers (the activation, the
    weight; -1 for a factor of its own)."""
    import itertools

    import numpy as np

    network, m = case.network, case.examples
    sizes, depth, bias = network.sizes, network.depth, network.bias
    of: list[str] = []
    wrt: list[str] = []
    blocks, aliases = [], []
    first_parameter = sizes[0]
    # the forward pass's rows: x, every θ, then z^(l) and a^(l) layer by layer
    below_rows = np.arange(sizes[0])
    next_row = sizes[0] + network.parameter_count
    for layer in range(1, depth):
        below = x_names if layer == 1 else a_names[layer - 2]
        above, activities = z_names[layer - 1], a_names[layer - 1]
        n_below, n_above = sizes[layer - 1], sizes[layer]
        # into each z_j: [θ_j0,] then θ_jk and a_k for each k, interleaved
        width = 2 * n_below + bias
        block = np.empty((n_above, width, m))
        if bias:
            block[:, 0, :] = 1.0
        block[:, bias::2, :] = numbers.activities[layer - 1].T[None, :, :]
        block[:, bias + 1 :: 2, :] = case.weights[layer - 1][:, :, None]
        blocks.append(block.reshape(-1, m))
        alias = np.full((n_above, width), -1)
        theta_rows = first_parameter + np.arange(n_above * (n_below + bias)).reshape(n_above, -1)
        alias[:, bias::2] = below_rows[None, :]
        alias[:, bias + 1 :: 2] = theta_rows[:, bias:]
        aliases.append(alias.ravel())
        first_parameter += n_above * (n_below + bias)
        for z, row in zip(above, tables[layer - 1]):
            of += [z] * width
            if bias:
                wrt.append(row[0])
            wrt += itertools.chain.from_iterable(zip(row[bias:], below))
        # into each a_i: ∂a_i/∂z_i, or every ∂a_i/∂z_j of a softmax
        factor = numbers.activation_factors[layer - 1]
        if factor.ndim == 3:
            n = factor.shape[1]
            blocks.append(factor.transpose(1, 2, 0).reshape(n * n, m))
            for a in activities:
                of += [a] * n
                wrt += above
        else:
            blocks.append(factor.T)
            of += activities
            wrt += above
        aliases.append(np.full(blocks[-1].shape[0], -1))
        # z^(l+1) then a^(l+1) follow in the forward pass
        below_rows = np.arange(next_row + n_above, next_row + 2 * n_above)
        next_row += 2 * n_above
    blocks.append(numbers.output_factor.T)
    aliases.append(np.full(sizes[-1], -1))
    of += [names.COST_NAME] * sizes[-1]
    wrt += a_names[-1]
    return tuple(of), tuple(wrt), np.concatenate(blocks), np.concatenate(aliases)


# --- any graph, by its own evaluation ----------------------------------------------------------


def _graph(request: ValuesRequest, case: GraphCase, origin: str) -> ValuesRecord:
    import numpy as np

    graph, m = case.graph, case.examples
    parameters = list(case.parameters)
    _check_numbers(
        case.label,
        _numbers(graph.number_of_nodes(), graph.number_of_edges(), len(parameters), m),
        m,
        request.max_numbers,
    )
    frozen = tuple(split_frozen(request.freeze, set(parameters).__contains__))
    _check_frozen(frozen, parameters, case.label)
    _check_evaluation(graph)
    cost = graph.graph["cost"]
    with np.errstate(all="ignore"):  # a saturated output shows as inf in its own factor
        values, edge_values = verification.evaluate_graph(graph, case.leaves(), m)
        adjoint = verification.adjoints(
            graph, edge_values, m, start=verification.logit_start(graph, values, m)
        )
        memo: dict = {}
        parts = {
            str(node): float(
                np.sum(np.broadcast_to(evaluation.evaluate(formula, values, memo), (m,)))
            )
            for node, formula in symbolic.cost_parts(graph).items()
        }
    node_names = [str(node) for node in graph.nodes]
    forward = np.array(
        [np.broadcast_to(values[symbols.node_symbol(node)], (m,)) for node in graph.nodes]
    )
    deltas = np.array([np.broadcast_to(adjoint[node], (m,)) for node in graph.nodes])
    # node by node in the forward pass's order, each node's edges in its formula's order
    edges = [(u, v) for v in graph.nodes for u in graph._pred[v]]
    factors = np.array([edge_values[edge] for edge in edges]).reshape(len(edges), m)
    gradients = np.array([float(np.sum(adjoint[name])) for name in parameters])
    current = np.array([case.parameters[name] for name in parameters])
    held = np.array([name in frozen for name in parameters], dtype=bool)
    updated = np.where(held, current, current - request.lr * gradients)
    stepped = case.with_parameters(dict(zip(parameters, updated.tolist())))
    with np.errstate(all="ignore"):
        after = verification.forward_pass(graph, stepped.leaves(), m)[symbols.node_symbol(cost)]
    kinds = {str(node): str(kind) for node, kind in graph.nodes(data="kind")}
    return ValuesRecord(
        request,
        case.label,
        origin,
        m,
        str(cost),
        Quantities(tuple(node_names), forward),
        float(np.sum(values[symbols.node_symbol(cost)])),
        parts,
        Quantities(tuple(node_names), deltas),
        Quantities(tuple(str(v) for _, v in edges), factors, tuple(str(u) for u, _ in edges)),
        Quantities(tuple(parameters), gradients[:, None]),
        Quantities(tuple(parameters), updated[:, None]),
        float(np.sum(after)),
        tuple(name for name in parameters if name in frozen),
        kinds,
        {str(node): latex for node, latex in graph.nodes(data="latex")},
        _givens(
            list(case.targets),
            np.array([np.broadcast_to(row, (m,)) for row in case.targets.values()]),
            m,
        ),
        verification.graph_saturated(graph, values),
    )


def compute(request: ValuesRequest) -> ValuesRecord:
    """Every number of `request`'s case: read or drawn (layer sizes priced before it is
    drawn), priced from the sizes, then computed (numpy alone for layer sizes)."""
    subject = request.subject
    if request.case is None and isinstance(subject.architecture, (str, Network)):
        resolved = resolve(subject) if not names_a_graph(subject.architecture) else None
        if resolved is not None and resolved.layered:
            network = resolved.layered_network()
            nodes, edges = graph_size(network)
            numbers = _numbers(nodes, edges, network.parameter_count, request.examples)
            _check_numbers(network.architecture, numbers, request.examples, request.max_numbers)
    case, origin = cases.obtain(
        subject,
        request.case,
        request.examples,
        request.seed,
        request.init_scale,
        max(request.max_numbers, budget.DEFAULT_MAX_NUMBERS),
        default_examples=1,
    )

    if isinstance(case, Case):
        return _layered(request, case, origin)
    return _graph(request, case, origin)


#: A request from an architecture and options by keyword (``ValuesRequest.of``).
request = ValuesRequest.of
