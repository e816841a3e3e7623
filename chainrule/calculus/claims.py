"""A hand derivation checked: a claim proven, or its mistake named the way a tutor would.

A claim ``dJ/dtheta^(1)_11 = ...`` or ``delta^(2)_1 = ...`` (read by
:mod:`chainrule.notation.reading`) is compared with the true quantity from the graph: the sum
over its chains of the local partials. The verdict is

- ``correct`` when the difference is *proven* identically zero by
  :func:`~chainrule.calculus.symbolic.is_identically_zero` (δ symbols replaced by their
  definitions, partials by their local formulas; first in the local view, then with the forward
  pass substituted), within a time and size budget;
- ``wrong`` when the two sides differ at a sampled point (confirmed at 30 digits), with the
  first diagnosis that applies: ``sign``, ``factor``, ``other_quantity``, ``missing_chains``,
  ``extra_chains``, ``activation_argument``, ``transposed``, else ``counterexample``;
- ``unknown`` when the proof did not finish within its budget and every sampled point agrees.

Diagnoses are found on numbers (random points, forward pass and local partials in numpy) and
then confirmed by the same exact proof where the budget allows; the evidence says which.

Examples
--------
>>> from chainrule.graph.spec import Network
>>> record = check(Network([2, 2, 2]),
...                "delta^(3)_1 = (y_1 - a^(3)_1) * a^(3)_1 * (1 - a^(3)_1)")
>>> record["verdict"], record["diagnosis"]["kind"], record["diagnosis"]["evidence"]["factor"]
('wrong', 'factor', '-m')
>>> print(record["diagnosis"]["text"])
−m: the sign of ∂J/∂a is flipped and the 1/m is missing
>>> check(Network([2, 2, 2]), "dJ/dtheta^(1)_11 = delta^(2)_1 * x_1")["verdict"]
'correct'
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Hashable
from contextlib import contextmanager
from fractions import Fraction

import networkx as nx
import numpy as np
import sympy as sp

from chainrule.calculus.symbolic import (
    M,
    Partial,
    graph_forward_values,
    is_identically_zero,
    local_derivative,
    local_sum,
    node_symbol,
    value_formula,
)
from chainrule.graph.chains import Chain, iter_chains
from chainrule.graph.paths import path_counts
from chainrule.graph.spec import SOFTMAX, Network, SpecError
from chainrule.notation.reading import Claim, Vocabulary, read_claim

VERDICTS = ("correct", "wrong", "unknown")
DIAGNOSES = ("sign", "factor", "other_quantity", "missing_chains", "extra_chains",
             "activation_argument", "transposed", "counterexample")
PROOF_SECONDS = 1.0  # per claim compared; a hand derivation's proof takes milliseconds
CLOSED_VIEW_GRAPH = 150  # nodes + edges: the closed view is tried on graphs up to this size
MAX_EXPANSION = 200_000  # terms an expansion may reach before a proof is not attempted
SAMPLES = 12  # random points for the numeric screen and the diagnoses
MAX_CHAIN_FIT = 400  # chains fitted at once when looking for missing or extra chains
MAX_CHAINS = 10_000  # chains of the claimed quantity: its true value is their sum
MAX_GRAPH = 5_000  # nodes + edges: the numeric screen evaluates every one of them
_AGREE = 1e-7  # relative agreement on numbers (float64 at the sampled points)


class _OutOfTime(Exception):
    pass


@contextmanager
def _time_budget(seconds: float):
    """Interrupt the block after `seconds` (a SIGALRM timer; only in the main thread, where
    signals are delivered; elsewhere the size budget alone applies).

    An interruption that lands in a finalizer is swallowed by Python, so the timer repeats
    every 50 ms until one lands in the proof itself; those swallowed are not reported.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal,
                                                                                "setitimer"):
        yield
        return

    def interrupt(signum, frame):
        raise _OutOfTime

    def quiet(unraisable):
        if not isinstance(unraisable.exc_value, _OutOfTime):
            previous_hook(unraisable)

    previous_hook, sys.unraisablehook = sys.unraisablehook, quiet
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        sys.unraisablehook = previous_hook


def _expansion_size(expression: sp.Expr, cap: int = MAX_EXPANSION + 1) -> int:
    """An upper estimate of the terms of `expression` multiplied out (capped)."""
    if expression.is_Atom:
        return 1
    if isinstance(expression, sp.Add):
        return min(cap, sum(_expansion_size(arg, cap) for arg in expression.args))
    if isinstance(expression, sp.Mul):
        size = 1
        for arg in expression.args:
            size = min(cap, size * _expansion_size(arg, cap))
        return size
    if isinstance(expression, sp.Pow) and expression.exp.is_Integer:
        base = _expansion_size(expression.base, cap)
        return min(cap, base ** min(abs(int(expression.exp)), 64)) if base > 1 else 1
    return min(cap, sum(_expansion_size(arg, cap) for arg in expression.args) or 1)


def _proven_zero(expression: sp.Expr, seconds: float = PROOF_SECONDS) -> bool | None:
    """True: proven identically zero. False: not shown. None: the budget ran out first."""
    if seconds <= 0 or _expansion_size(expression) > MAX_EXPANSION:
        return None
    # A piecewise factor (relu's derivative) is the same object on both sides: as an opaque
    # symbol it cancels like one, and an identity in free symbols holds for any value of them.
    pieces = {piece: sp.Dummy("P") for piece in expression.atoms(sp.Piecewise)}
    try:
        with _time_budget(seconds):
            opaque = expression.xreplace(pieces)
            # multiplying out is an identity too, and fast on the polynomials of the local view
            return sp.expand(opaque) == 0 or is_identically_zero(opaque)
    except _OutOfTime:
        return None


class _Context:
    """Everything about one graph that every claim on it reuses (kept on the graph)."""

    def __init__(self, graph: nx.DiGraph):
        self.graph = graph
        self.vocabulary = Vocabulary(graph)
        self.network: Network | None = graph.graph.get("network")
        self.cost = graph.graph["cost"]
        self.order = list(nx.topological_sort(graph))
        self._chains: dict[Hashable, tuple[Chain, ...]] = {}
        self._truths: dict[Hashable, sp.Expr] = {}
        self._values: dict[Hashable, sp.Expr] = {}
        self._path_counts: dict[Hashable, tuple[int, int]] | None = None
        self._samples: _Samples | None = None
        self._forward: dict[sp.Symbol, sp.Expr] | None = None
        self._unforward: dict[sp.Expr, sp.Symbol] | None = None
        self.closed_leaves = {node_symbol(node) for node in graph
                              if graph.nodes[node]["kind"] in ("input", "param")}
        self.folding = _folding(self)

    def path_counts(self) -> dict[Hashable, tuple[int, int]]:
        if self._path_counts is None:
            self._path_counts = path_counts(self.graph)
        return self._path_counts

    def value(self, node: Hashable) -> sp.Expr:
        """A computed node's value in its predecessors (cached: samples evaluate it often)."""
        if node not in self._values:
            self._values[node] = value_formula(self.graph, node)
        return self._values[node]

    def chains(self, node: Hashable) -> tuple[Chain, ...]:
        if node not in self._chains:
            self._chains[node] = tuple(iter_chains(self.graph, node))
        return self._chains[node]

    def truth(self, node: Hashable) -> sp.Expr:
        """∂J/∂node in the local view: Σ over its chains of the product of local formulas."""
        if node not in self._truths:
            self._truths[node] = local_sum(self.graph, self.chains(node))
        return self._truths[node]

    def resolve(self, written: sp.Expr) -> sp.Expr:
        """A claim's side as written, with each partial replaced by its local formula (or, for
        dJ/dv, the sum of v's chains) and each δ by the true ∂J/∂z it names."""
        replacements: dict[sp.Expr, sp.Expr] = {}
        for atom in written.atoms(Partial):
            of, wrt = str(atom.of), str(atom.wrt)
            replacements[atom] = (local_derivative(self.graph, wrt, of)
                                  if self.graph.has_edge(wrt, of) else self.truth(wrt))
        for symbol in written.free_symbols & self.vocabulary.delta_of.keys():
            replacements[symbol] = self.truth(self.vocabulary.delta_of[symbol])
        return written.xreplace(replacements)

    def forward(self) -> dict[sp.Symbol, sp.Expr]:
        if self._forward is None:
            self._forward = graph_forward_values(self.graph)
        return self._forward

    def unforward(self) -> dict[sp.Expr, sp.Symbol]:
        """Each node's closed value mapped back to the node: the closed view, as printed,
        contains them as whole subexpressions (it *is* the local view with them substituted)."""
        if self._unforward is None:
            self._unforward = {value: symbol for symbol, value in self.forward().items()
                               if not value.is_Atom}
        return self._unforward

    def samples(self) -> _Samples:
        if self._samples is None:
            self._samples = _Samples(self, SAMPLES, seed=0)
        return self._samples


    def proves(self, claimed: sp.Expr, expected: sp.Expr) -> bool | None:
        """Prove `claimed` - `expected` is 0 (True; False: not shown; None: out of budget).

        In the local view first (a, z, θ, ... free symbols, activations of z folded into
        their a). A side written in the leaves alone (the closed view) is first folded back
        into the nodes; failing both, the forward pass is substituted into both sides.
        """
        difference = claimed - expected
        deadline = time.perf_counter() + PROOF_SECONDS
        small = self.graph.number_of_nodes() + self.graph.number_of_edges() <= CLOSED_VIEW_GRAPH
        attempts = [lambda: self.fold(difference)]
        if small:  # the closed view's forward pass grows fast with depth and width
            folded_back = lambda: self.fold(difference.xreplace(self.unforward()))
            if claimed.free_symbols and claimed.free_symbols <= self.closed_leaves | {M} | \
                    self.vocabulary.targets:
                attempts.insert(0, folded_back)
            else:
                attempts.append(folded_back)
        outcomes = []
        for attempt in attempts:
            outcomes.append(_proven_zero(attempt(), deadline - time.perf_counter()))
            if outcomes[-1]:
                return True
        closed = _proven_zero(difference.xreplace(self.forward()), deadline - time.perf_counter()
                              ) if small and _expansion_size(difference) < 2_000 else None
        if closed:
            return True
        local = None if None in outcomes else False
        return None if None in (local, closed) else False

    def fold(self, expression: sp.Expr) -> sp.Expr:
        for replacement in self.folding:
            expression = replacement(expression)
        return expression

    def node_quantity(self, node: Hashable) -> str:
        """How a quantity is named: a δ for a weighted input (or a graph node), else dJ/dv."""
        from chainrule.calculus.delta import delta_name, is_delta_node

        return delta_name(self.graph, node) if is_delta_node(self.graph, node) else f"dJ/d{node}"


def _context(graph: nx.DiGraph) -> _Context:
    context = graph.graph.get("claim_context")
    if context is None:
        context = graph.graph["claim_context"] = _Context(graph)
    return context


def _folding(context: _Context) -> list:
    """Value-preserving rewrites that turn functions of a node's inputs into the node: σ(z) and
    its exp(-z) into a, tanh(z) into a, ... so that a claim written in z meets the truth in a."""
    graph = context.graph
    whole: dict[sp.Expr, sp.Expr] = {}
    exponentials: dict[sp.Expr, tuple[sp.Expr, str]] = {}  # argument -> (node symbol, how)
    for node in context.order:
        data = graph.nodes[node]
        if data["kind"] not in ("act", "node"):
            continue
        symbol = node_symbol(node)
        if data["kind"] == "act" and context.network is not None:
            activation = context.network.activation[data["layer"] - 2]
            if activation == SOFTMAX:
                continue
        formula = context.value(node)
        whole[formula] = symbol
        # the sigmoid 1/(1 + exp(-u)): exp(-u) = (1 - a)/a
        if isinstance(formula, sp.Pow) and formula.exp == -1 and isinstance(formula.base, sp.Add):
            constant, rest = formula.base.as_coeff_Add()
            if constant == 1 and isinstance(rest, sp.exp):
                exponentials[rest.args[0]] = (symbol, "sigmoid")
        elif isinstance(formula, sp.tanh):
            whole[formula] = symbol
        elif isinstance(formula, sp.log) and isinstance(formula.args[0], sp.Add):
            constant, rest = formula.args[0].as_coeff_Add()  # softplus log(1 + exp(u))
            if constant == 1 and isinstance(rest, sp.exp):
                exponentials[rest.args[0]] = (symbol, "softplus")

    def exp_to_node(expression: sp.Expr) -> sp.Expr:
        def rewrite(argument):
            for sign in (1, -1):
                if sign * argument in exponentials:
                    symbol, how = exponentials[sign * argument]
                    if how == "sigmoid":  # exp(-u) = (1 - a)/a at the argument's sign
                        base = (1 - symbol) / symbol
                    else:  # softplus: exp(u) = exp(a) - 1
                        base = sp.exp(symbol) - 1
                    return base ** sign
            return sp.exp(argument)

        return expression.replace(sp.exp, rewrite) if exponentials else expression

    return [lambda expression: expression.xreplace(whole), exp_to_node]


class _Samples:
    """Random points: exact small rationals for the leaves (x, θ, y, m) and, in float64 arrays,
    every node's value by the forward pass and every edge's local partial."""

    def __init__(self, context: _Context, count: int, seed: int):
        self.context, self.count = context, count
        graph = context.graph
        rng = np.random.default_rng(seed)
        grid = [Fraction(n, 4) for n in range(-6, 7) if n]
        self.exact: dict[sp.Symbol, list[Fraction]] = {}
        leaves = [node for node in context.order if graph.nodes[node]["kind"] in ("input",
                                                                                   "param")]
        for node in leaves:
            self.exact[node_symbol(node)] = [grid[i] for i in rng.integers(len(grid), size=count)]
        for target in sorted(context.vocabulary.targets, key=str):
            self.exact[target] = [Fraction(int(n), 4) for n in rng.integers(1, 4, size=count)]
        ms = [2, 3, 4, 5]
        self.exact[M] = [Fraction(ms[i % 4]) for i in range(count)]
        self.values: dict[sp.Symbol, np.ndarray] = {
            symbol: np.array([float(v) for v in column]) for symbol, column in self.exact.items()}
        with np.errstate(all="ignore"):
            for node in context.order:
                if graph.nodes[node]["kind"] in ("pre", "act", "node"):
                    self.values[node_symbol(node)] = self.evaluate(context.value(node))
        self._edges: dict[tuple, np.ndarray] = {}

    def evaluate(self, expression: sp.Expr) -> np.ndarray:
        with np.errstate(all="ignore"):
            value = _numeric(expression, self.values)
        return np.broadcast_to(np.asarray(value, dtype=float), (self.count,))

    def edge(self, wrt: Hashable, of: Hashable) -> np.ndarray:
        if (wrt, of) not in self._edges:
            self._edges[wrt, of] = self.evaluate(local_derivative(self.context.graph, wrt, of))
        return self._edges[wrt, of]

    def chain(self, chain: Chain) -> np.ndarray:
        value = np.ones(self.count)
        for factor in chain:
            value = value * self.edge(factor.wrt, factor.of)
        return value

    def adjoints(self) -> dict[Hashable, np.ndarray]:
        """∂J/∂v of every node at every point: the reverse sweep on numbers."""
        if not hasattr(self, "_adjoints"):
            graph = self.context.graph
            adjoint = {self.context.cost: np.ones(self.count)}
            for node in reversed(self.context.order):
                if node == self.context.cost:
                    continue
                total = np.zeros(self.count)
                for successor in graph.successors(node):
                    total = total + adjoint[successor] * self.edge(node, successor)
                adjoint[node] = total
            self._adjoints = adjoint
        return self._adjoints

    def exact_point(self, index: int) -> dict[sp.Symbol, sp.Expr]:
        """The leaves of point `index` exactly, and every node's value to 30 digits."""
        point: dict[sp.Symbol, sp.Expr] = {
            symbol: sp.Rational(column[index].numerator, column[index].denominator)
            for symbol, column in self.exact.items()}
        graph = self.context.graph
        for node in self.context.order:
            if graph.nodes[node]["kind"] in ("pre", "act", "node"):
                point[node_symbol(node)] = self.context.value(node).xreplace(point).evalf(40)
        return point


_NUMPY_FUNCTIONS = {sp.exp: np.exp, sp.log: np.log, sp.tanh: np.tanh}
_COMPARISONS = {sp.StrictGreaterThan: np.greater, sp.StrictLessThan: np.less,
                sp.GreaterThan: np.greater_equal, sp.LessThan: np.less_equal}


def _numeric(expression: sp.Basic, values: dict[sp.Symbol, np.ndarray]):
    """`expression` on numpy arrays, walking its tree: for the small formulas of edges, nodes
    and claims this is many times faster than compiling each with ``lambdify``."""
    if expression.is_Symbol:
        return values[expression]
    if expression.is_Number:
        return float(expression)
    if isinstance(expression, sp.Add):
        total = 0.0
        for arg in expression.args:
            total = total + _numeric(arg, values)
        return total
    if isinstance(expression, sp.Mul):
        product = 1.0
        for arg in expression.args:
            product = product * _numeric(arg, values)
        return product
    if isinstance(expression, sp.Pow):
        base = _numeric(expression.base, values)
        if expression.exp == -1:
            return 1.0 / base
        return np.power(base, _numeric(expression.exp, values))
    function = _NUMPY_FUNCTIONS.get(type(expression))
    if function is not None:
        return function(_numeric(expression.args[0], values))
    if isinstance(expression, sp.Piecewise):
        conditions = [np.asarray(_numeric(c, values), dtype=bool) for _, c in expression.args]
        choices = [_numeric(v, values) for v, _ in expression.args]
        shape = np.broadcast_shapes(*(np.shape(x) for x in conditions + choices))
        return np.select([np.broadcast_to(c, shape) for c in conditions],
                         [np.broadcast_to(v, shape) for v in choices], np.nan)
    comparison = _COMPARISONS.get(type(expression))
    if comparison is not None:
        return comparison(_numeric(expression.lhs, values), _numeric(expression.rhs, values))
    if expression is sp.true:
        return True
    if expression is sp.false:
        return False
    symbols = sorted(expression.free_symbols, key=str)  # anything else: compile it
    return sp.lambdify(symbols, expression, "numpy")(*(values[s] for s in symbols))


def _agree(left: np.ndarray, right: np.ndarray, scale: np.ndarray | None = None) -> np.ndarray:
    """Per point: True where the two agree, False where they differ, ignoring non-finite points
    (they count as agreeing: a point that overflows proves nothing)."""
    size = np.maximum(np.abs(left), np.abs(right))
    if scale is not None:
        size = np.maximum(size, scale)
    with np.errstate(all="ignore"):
        close = np.abs(left - right) <= _AGREE * np.maximum(size, 1e-12)
    return close | ~np.isfinite(left) | ~np.isfinite(right)


def _number(value: sp.Expr) -> str:
    value = sp.sympify(value)
    if value.is_Integer:
        return str(value)
    if value.is_Rational:
        return str(float(value)) if value.q in (2, 4, 5, 8, 10) else str(value)
    return f"{float(value):.6g}"


def _minus(text: str) -> str:
    return text.replace("-", "−")


class _Judge:
    def __init__(self, context: _Context, text: str, claim: Claim):
        self.context, self.text, self.claim = context, text, claim
        self.graph = context.graph
        self.node = claim.node
        self.truth = context.truth(claim.node)
        self.claimed = context.resolve(claim.expression)
        self.samples = context.samples()
        self.true_values = self.samples.adjoints()[claim.node]
        self.claimed_values = self.samples.evaluate(self.claimed)
        self.scale = sum((np.abs(self.samples.chain(chain)) for chain in context.chains(
            claim.node)), np.zeros(self.samples.count))

    def matches(self, candidate_values: np.ndarray, claimed: np.ndarray | None = None) -> bool:
        """Whether the claim (or a corrected claim's values) equals a candidate at every
        sampled point where both are finite."""
        claimed = self.claimed_values if claimed is None else claimed
        finite = np.isfinite(claimed) & np.isfinite(candidate_values)
        return bool(finite.sum() >= 3 and _agree(claimed, candidate_values,
                                                 self.scale)[finite].all())

    # -- the verdict ----------------------------------------------------------------------------

    def verdict(self) -> tuple[str, dict | None, str]:
        differing = np.flatnonzero(~_agree(self.claimed_values, self.true_values, self.scale))
        counterexample = None
        for index in differing[:3]:
            counterexample = self.counterexample(int(index))
            if counterexample is not None:
                break
        if counterexample is None:
            proof = self.context.proves(self.claimed, self.truth)
            if proof:
                return "correct", None, "proven: claim − true ≡ 0 (an exact symbolic proof)"
            finite = int((np.isfinite(self.claimed_values) & np.isfinite(self.true_values)).sum())
            reason = ("the proof did not finish within its budget" if proof is None
                      else "the exact proof could not show the difference is zero")
            return "unknown", None, (f"cannot tell: {reason}, and the two sides agree at all "
                                     f"{finite} sampled points; this is not a proof")
        for diagnose in (self.factor, self.other_quantity, self.chains, self.activation_argument,
                         self.transposed):
            diagnosis = diagnose()
            if diagnosis is not None:
                return "wrong", diagnosis, "wrong"
        return "wrong", counterexample, "wrong"

    def confirmed(self, expression: sp.Expr) -> bool:
        """Whether the claim is proven equal to `expression` (False: shown on numbers only)."""
        return bool(self.context.proves(self.claimed, expression))

    def how(self, proven: bool) -> str:
        return ("proven (an exact symbolic proof)" if proven else
                f"agrees at the {self.samples.count} sampled points (the exact proof did not "
                "finish within its budget)")

    # -- the diagnoses, in order ----------------------------------------------------------------

    def factor(self) -> dict | None:
        """The claim is c·m^k times the truth for a constant c ≠ 1."""
        usable = (np.isfinite(self.claimed_values) & np.isfinite(self.true_values)
                  & (np.abs(self.true_values) > 1e-9 * np.maximum(self.scale, 1e-300)))
        if usable.sum() < 4:
            return None
        with np.errstate(all="ignore"):
            ratio = self.claimed_values[usable] / self.true_values[usable]
        m = self.samples.values[M][usable]
        for power in (0, 1, -1, 2, -2):
            constants = ratio / m ** power
            constant = float(np.median(constants))
            if not np.allclose(constants, constant, rtol=1e-7, atol=1e-12) or constant == 0:
                continue
            fraction = Fraction(constant).limit_denominator(1000)
            if abs(float(fraction) - constant) > 1e-7 * max(1.0, abs(constant)):
                continue
            factor = sp.Rational(fraction.numerator, fraction.denominator) * M ** power
            if factor == 1:
                return None
            proven = self.confirmed(factor * self.truth)
            return self.factor_diagnosis(factor, fraction, power, proven)
        return None

    def factor_diagnosis(self, factor: sp.Expr, constant: Fraction, power: int,
                         proven: bool) -> dict:
        layered = self.context.network is not None
        flipped = ("the sign of ∂J/∂a is flipped" if layered else "the sign is flipped")
        if factor == -1:
            text = (f"off by a sign: the claim is −1 times the true value; {flipped}"
                    + (" ((y − a) written for (a − y))" if layered else ""))
            return {"kind": "sign", "text": text,
                    "evidence": {"factor": "-1", "proven": proven, "how": self.how(proven)}}
        parts = [flipped] if constant < 0 else []
        magnitude = abs(constant)
        if magnitude == 2:
            parts.append("a stray 2 (the square's 2, which the ½ of the cost cancels)")
        elif magnitude != 1:
            parts.append(f"a stray factor {magnitude}")
        averaged = self.truth.has(M)  # mse, bce, softmax-ce average over m; se does not
        if power == 1:
            parts.append("the 1/m is missing" if averaged else "a stray factor m")
        elif power == -1:
            parts.append("an extra 1/m" if averaged else "a stray 1/m (this cost does not "
                                                          "average over the examples)")
        elif power:
            parts.append(f"a stray factor m^{power}")
        name = str(factor)
        text = f"{_minus(name)}: " + " and ".join(parts)
        return {"kind": "factor", "text": text,
                "evidence": {"factor": name, "proven": proven, "how": self.how(proven)}}

    def other_quantity(self) -> dict | None:
        adjoints = self.samples.adjoints()
        swapped = _swapped_name(self.graph, self.node)
        candidates = [node for node in self.context.order
                      if node not in (self.node, self.context.cost)]
        candidates.sort(key=lambda node: node != swapped)  # the swapped indices first
        for node in candidates:
            if not self.matches(adjoints[node]):
                continue
            proven = self.confirmed(self.context.truth(node))
            name = self.context.node_quantity(node)
            mine = self.context.node_quantity(self.node)
            text = f"this is the right expression for {name}, not {mine}"
            if node == swapped:
                text += " (the indices are swapped)"
            return {"kind": "other_quantity", "text": text,
                    "evidence": {"quantity": name, "proven": proven, "how": self.how(proven)}}
        return None

    def chains(self) -> dict | None:
        """The claim is a sum of some of the true chains, or of them and chains that are not
        this quantity's (chains of another source of the same kind and layer)."""
        own = list(self.context.chains(self.node))
        data = self.graph.nodes[self.node]
        pool: list[Chain] = []
        for node in self.context.order:
            other = self.graph.nodes[node]
            if node != self.node and other["kind"] == data["kind"] and \
                    other.get("layer") == data.get("layer"):
                pool.extend(self.context.chains(node))
        pool = pool[:max(0, MAX_CHAIN_FIT - len(own))]
        everything = own + pool
        samples = _Samples(self.context, len(everything) + 8, seed=1)
        columns = np.column_stack([samples.chain(chain) for chain in everything])
        claimed = samples.evaluate(self.claimed)
        rows = np.isfinite(columns).all(axis=1) & np.isfinite(claimed)
        if rows.sum() < len(everything) + 2:
            return None
        columns, claimed = columns[rows], claimed[rows]
        n = len(own)
        # Own chains alone first, then extra chains on top of all own ones, then both: chains
        # can be dependent across sources (a 2-output softmax has a_1(1 - a_1) = a_1 a_2).
        fits = [(list(range(n)), claimed, np.zeros(0)),
                (list(range(n, len(everything))), claimed - columns[:, :n].sum(axis=1),
                 np.ones(n)),
                (list(range(len(everything))), claimed, np.zeros(0))]
        rounded = None
        for chosen, target, fixed in fits:
            weights = _zero_one_fit(columns[:, chosen], target)
            if weights is not None:
                rounded = np.zeros(len(everything))
                rounded[:len(fixed)] = fixed
                rounded[chosen] = weights
                break
        if rounded is None:
            return None
        missing = [chain for chain, w in zip(own, rounded) if w == 0]
        extra = [chain for chain, w in zip(pool, rounded[n:]) if w == 1]
        if not missing and not extra:
            return None
        kept = [chain for chain, w in zip(everything, rounded) if w == 1]
        proven = self.confirmed(local_sum(self.graph, kept))
        mine = self.context.node_quantity(self.node)
        if missing:
            text = (f"missing {len(missing)} of the {len(own)} chains of {mine}: "
                    + "; ".join(_through(chain) for chain in missing))
            evidence: dict[str, object] = {"chains": [_chain_nodes(chain) for chain in missing]}
            if extra:
                text += "; and it adds " + "; ".join(_through(chain) for chain in extra)
                evidence["extra_chains"] = [_chain_nodes(chain) for chain in extra]
            kind = "missing_chains"
        else:
            text = (f"{len(extra)} chain{'s' if len(extra) > 1 else ''} too many: "
                    + "; ".join(f"{_through(chain)} (a chain of "
                                f"{self.context.node_quantity(chain[-1].wrt)})"
                                for chain in extra)
                    + f", besides all {len(own)} chains of {mine}")
            evidence = {"chains": [_chain_nodes(chain) for chain in extra]}
            kind = "extra_chains"
        evidence.update(proven=proven, how=self.how(proven))
        return {"kind": kind, "text": text, "evidence": evidence}

    def activation_argument(self) -> dict | None:
        """f′ (or f) applied to an activation a where the weighted input z was meant."""
        network = self.context.network
        if network is None:
            return None
        to_pre = {}
        for node, data in self.graph.nodes(data=True):
            if data["kind"] == "act" and network.activation[data["layer"] - 2] not in (
                    "identity", SOFTMAX):
                (pre,) = self.graph.predecessors(node)
                to_pre[node_symbol(node)] = node_symbol(pre)
        used = sorted((symbol for symbol in _function_arguments(self.claim.expression)
                       if symbol in to_pre), key=str)
        if not used:
            return None
        swap = {symbol: to_pre[symbol] for symbol in used}
        corrected = _inside_functions(self.claim.expression, swap)
        corrected_claim = self.context.resolve(self.context.fold(corrected))
        if not self.matches(self.true_values, self.samples.evaluate(corrected_claim)):
            return None
        proven = bool(self.context.proves(corrected_claim, self.truth))
        at = ", ".join(str(s) for s in used)
        meant = ", ".join(str(swap[s]) for s in used)
        text = (f"f′ is taken at the activation {at} instead of the weighted input {meant}: "
                "for the sigmoid, σ(a)(1 − σ(a)) is written where a(1 − a) = σ(z)(1 − σ(z)) "
                "is meant")
        return {"kind": "activation_argument", "text": text,
                "evidence": {"at": [str(s) for s in used], "meant": [str(swap[s]) for s in used],
                             "proven": proven, "how": self.how(proven)}}

    def transposed(self) -> dict | None:
        """θ^(l)_kj written where θ^(l)_jk belongs."""
        pairs = {}
        for symbol in self.claim.expression.free_symbols:
            node = str(symbol)
            data = self.graph.nodes.get(node) if node in self.graph else None
            if data is None or data["kind"] != "param" or len(data.get("index", ())) != 2:
                continue
            j, k = data["index"]
            partner = _swapped_name(self.graph, node)
            if j != k and partner is not None:
                pairs[symbol] = node_symbol(partner)
        if not pairs:
            return None
        swap = {**pairs, **{v: k for k, v in pairs.items()}}
        corrected = self.context.resolve(self.claim.expression.xreplace(swap))
        if not self.matches(self.true_values, self.samples.evaluate(corrected)):
            return None
        proven = bool(self.context.proves(corrected, self.truth))
        shown = sorted({tuple(sorted((str(a), str(b)))) for a, b in pairs.items()})
        text = ("θ is transposed: " + ", ".join(f"{a} written for {b}" for a, b in
                                                 sorted((str(a), str(b)) for a, b in
                                                        pairs.items()))
                + " (θ^(l)_jk is the weight to j from k)")
        return {"kind": "transposed", "text": text,
                "evidence": {"swapped": [list(pair) for pair in shown], "proven": proven,
                             "how": self.how(proven)}}

    def counterexample(self, index: int) -> dict | None:
        """The two sides at point `index`, recomputed to 30 digits; None if they agree there."""
        point = self.samples.exact_point(index)
        # evalf with subs raises its working precision where terms cancel
        claimed = self.claimed.evalf(20, subs=point)
        true = self.truth.evalf(20, subs=point)
        if not (claimed.is_number and true.is_number):
            return None
        if not (claimed.is_finite and true.is_finite):
            return None
        size = max(abs(claimed), abs(true), 1e-30)
        if abs(claimed - true) <= 1e-12 * size:
            return None
        used = (self.claimed.free_symbols | self.truth.free_symbols)
        values = {str(symbol): _number(point[symbol]) for symbol in sorted(used, key=str)}
        leaves = {str(symbol): _number(point[symbol]) for symbol in self.samples.exact}
        shown = ", ".join(f"{name} = {value}" for name, value in values.items())
        text = (f"the two sides differ at {shown}: the claim gives {_number(claimed)}, "
                f"the true value is {_number(true)}")
        return {"kind": "counterexample", "text": text,
                "evidence": {"values": values, "point": leaves, "claim": _number(claimed),
                             "true": _number(true)}}


def _least_squares(columns: np.ndarray, target: np.ndarray) -> np.ndarray | None:
    """The least-squares weights by Gram-Schmidt (twice, for stability) in long double; None
    if the columns are dependent. Written out rather than ``numpy.linalg.lstsq``: LAPACK's
    threads take up to a second to start on a busy machine, far more than this small fit."""
    a = columns.astype(np.longdouble)
    scale = np.sqrt((a * a).sum(axis=0))
    if not (scale > 0).all():
        return None
    a = a / scale
    rows, n = a.shape
    q = np.zeros((rows, n), dtype=np.longdouble)
    r = np.zeros((n, n), dtype=np.longdouble)
    for j in range(n):
        v = a[:, j].copy()
        for _ in range(2):
            coefficients = (q[:, :j] * v[:, None]).sum(axis=0)
            r[:j, j] += coefficients
            v = v - (q[:, :j] * coefficients).sum(axis=1)
        norm = np.sqrt((v * v).sum())
        if norm < 1e-9:
            return None
        r[j, j], q[:, j] = norm, v / norm
    projected = (q * target.astype(np.longdouble)[:, None]).sum(axis=0)
    weights = np.zeros(n, dtype=np.longdouble)
    for i in range(n - 1, -1, -1):
        weights[i] = (projected[i] - (r[i, i + 1:] * weights[i + 1:]).sum()) / r[i, i]
    return (weights / scale).astype(float)


def _zero_one_fit(columns: np.ndarray, target: np.ndarray) -> np.ndarray | None:
    """Weights of 0 or 1 with columns @ weights = target at every row, or None."""
    if columns.shape[1] == 0:
        return None
    weights = _least_squares(columns, target)
    if weights is None:
        return None
    rounded = np.round(weights)
    if not (np.abs(weights - rounded) < 1e-6).all() or not set(rounded) <= {0.0, 1.0}:
        return None
    if not _agree(columns @ rounded, target, np.abs(columns).sum(axis=1)).all():
        return None
    return rounded


def _function_arguments(expression: sp.Expr) -> set[sp.Symbol]:
    """The symbols that occur inside a function (exp, tanh, log) or a condition."""
    found: set[sp.Symbol] = set()
    for node in sp.preorder_traversal(expression):
        if isinstance(node, (sp.exp, sp.tanh, sp.log, sp.Piecewise,
                             sp.core.relational.Relational)):
            found |= node.free_symbols
    return found


def _inside_functions(expression: sp.Expr, swap: dict) -> sp.Expr:
    for function in (sp.exp, sp.tanh, sp.log):
        expression = expression.replace(function, lambda argument, f=function:
                                        f(argument.xreplace(swap)))
    return expression.replace(lambda e: isinstance(e, sp.core.relational.Relational),
                              lambda e: e.xreplace(swap))


def _swapped_name(graph: nx.DiGraph, node: Hashable) -> str | None:
    """θ^(l)_kj for θ^(l)_jk (None if there is no such weight or the indices are equal)."""
    from chainrule.graph import names

    data = graph.nodes[node]
    if data["kind"] != "param" or len(data.get("index", ())) != 2 or "layer" not in data:
        return None
    j, k = data["index"]
    partner = names.theta_name(data["layer"], k, j)
    return partner if j != k and partner in graph else None


def _chain_nodes(chain: Chain) -> list[str]:
    """A chain's nodes from its source to J."""
    return [factor.wrt for factor in reversed(chain)] + [chain[0].of]


def _through(chain: Chain) -> str:
    nodes = _chain_nodes(chain)
    return "the chain through " + ", ".join(nodes[1:-1]) if len(nodes) > 2 else (
        "the chain " + " -> ".join(nodes))


# --- the printed forms: one adapter, so the printers can change behind it ----------------------

def printed_equation(graph: nx.DiGraph, node: Hashable, written: sp.Expr | None = None,
                     style: str = "latex") -> str:
    """``lhs = rhs`` for the quantity at `node`: its true local form from chainrule's printers,
    or (with `written`) a claim's right-hand side printed in the same notation."""
    from chainrule.calculus.delta import (
        delta_latex,
        delta_name,
        delta_nodes,
        is_delta_node,
    )
    from chainrule.calculus.symbolic import latex_names
    from chainrule.notation import delta_printing, printing

    styles = {"latex": delta_printing.Style(latex=True), "text": delta_printing.Style.text(),
              "unicode": delta_printing.Style.text(unicode=True)}
    chosen = styles[style]
    equation = (delta_printing.delta_definition(graph, node, chosen, "local")
                if is_delta_node(graph, node) else
                delta_printing.factored_gradient(graph, node, chosen, "local"))
    if written is None:
        return str(equation)
    if style == "latex":
        symbol_names = {**latex_names(graph), **{node_symbol(delta_name(graph, v)):
                                                  delta_latex(graph, v)
                                                  for v in delta_nodes(graph)}}
        rhs = printing.ChainLatexPrinter({"symbol_names": symbol_names}).doprint(written)
    else:
        rhs = printing.text_printer(unicode=style == "unicode").doprint(written)
    return f"{equation.lhs} = {rhs}"


# --- the API ---------------------------------------------------------------------------------

def graph_for_network(network: Network) -> nx.DiGraph:
    """The graph of `network`, refused (before it is built) past :data:`MAX_GRAPH`."""
    from chainrule.graph.build import build_graph, graph_size

    nodes, edges = graph_size(network)
    if nodes + edges > MAX_GRAPH:
        raise SpecError(f"{network.architecture} has {nodes:,} nodes and {edges:,} edges; a check "
                        f"evaluates every one of them, and takes graphs of up to {MAX_GRAPH:,}")
    return build_graph(network)


def judge(graph: nx.DiGraph, claim: str, limit: int = MAX_CHAINS) -> tuple[dict, Hashable]:
    """The record of :func:`check` and the node the claim is about."""
    if graph.number_of_nodes() + graph.number_of_edges() > MAX_GRAPH:
        raise SpecError(f"the graph has {graph.number_of_nodes() + graph.number_of_edges():,} "
                        f"nodes and edges; a check takes graphs of up to {MAX_GRAPH:,}")
    context = _context(graph)
    parsed = read_claim(claim, context.vocabulary)
    chains = context.path_counts()[parsed.node][0]
    if chains > limit:
        raise SpecError(f"{parsed.quantity} has {chains:,} chains, more than the limit of "
                        f"{limit:,}; raise it with --limit {chains}")
    verdict, diagnosis, detail = _Judge(context, claim, parsed).verdict()
    if diagnosis is not None:
        detail = diagnosis["text"]
    record = {"claim": claim, "quantity": parsed.quantity, "verdict": verdict,
              "diagnosis": diagnosis,
              "true_latex": printed_equation(graph, parsed.node),
              "claim_latex": printed_equation(graph, parsed.node, parsed.expression),
              "detail": detail}
    return record, parsed.node


def check(graph_or_network: nx.DiGraph | Network, claim: str, limit: int = MAX_CHAINS) -> dict:
    """Judge one claim on a network (or an already built graph); returns its record.

    The record is ``{"claim", "quantity", "verdict", "diagnosis", "true_latex",
    "claim_latex", "detail"}``: `verdict` is ``correct``, ``wrong`` or ``unknown``;
    `diagnosis` is None or ``{"kind", "text", "evidence"}``; `detail` says what was proven or
    why it cannot be told. A claim outside the grammar, or about a quantity of more than
    `limit` chains, raises :class:`~chainrule.graph.spec.SpecError`.

    Examples
    --------
    >>> from chainrule.graph.spec import Network
    >>> record = check(Network([2, 2, 2]), "dJ/dtheta^(1)_12 = delta^(2)_2 * x_1")
    >>> record["verdict"], record["diagnosis"]["evidence"]["quantity"]
    ('wrong', 'dJ/dtheta^(1)_21')
    >>> print(record["diagnosis"]["text"])
    this is the right expression for dJ/dtheta^(1)_21, not dJ/dtheta^(1)_12 (the indices are swapped)
    """
    graph = graph_or_network if isinstance(graph_or_network, nx.DiGraph) else \
        graph_for_network(graph_or_network)
    return judge(graph, claim, limit)[0]
