"""A hand derivation checked: a claim proven, or its mistake named the way a tutor would.

A claim ``dJ/dtheta^(1)_11 = ...`` or ``delta^(2)_1 = ...`` (read by
:mod:`chainrule.notation.reading`) is compared with the true quantity from the graph: the sum
over its chains of the local partials. The verdict is

- ``correct`` when the difference is *proven* identically zero by
  :func:`~chainrule.calculus.symbolic.is_identically_zero` (δ symbols replaced by their
  definitions, partials by their local formulas; first in the local view, then with the forward
  pass substituted), within a time and size budget;
- ``wrong`` when the two sides differ at a sampled point (confirmed to 20 digits), with the
  first diagnosis that applies: ``sign``, ``factor``, ``other_quantity``, ``missing_chains``,
  ``extra_chains``, ``activation_argument``, ``transposed``, else ``counterexample``;
- ``unknown`` when the proof did not finish within its budget and every sampled point agrees.

Diagnoses are found on numbers (:mod:`chainrule.verification.claim_samples`: random points, the
forward pass and the local partials in numpy) and then confirmed by the same exact proof
(:mod:`chainrule.verification.claim_proof`) where the budget allows; the evidence says which.

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

import time
from collections.abc import Hashable
from fractions import Fraction

import networkx as nx
import numpy as np
import sympy as sp

from chainrule import budget, rules
from chainrule.calculus.delta import (
    define_delta,
    delta_latex,
    delta_name,
    delta_nodes,
    factor_gradient,
    is_delta_node,
)
from chainrule.calculus.symbolic import (
    M,
    Partial,
    forward_values,
    local_derivative,
    local_sum,
    node_symbol,
    value_formula,
)
from chainrule.graph import names
from chainrule.graph.build import build_graph, graph_size
from chainrule.graph.chains import Chain, iter_chains
from chainrule.graph.paths import path_counts
from chainrule.graph.spec import SOFTMAX, Network, SpecError
from chainrule.notation import notation_for
from chainrule.notation.printers import ChainLatexPrinter, latex_names
from chainrule.notation.printing import text_printer
from chainrule.notation.reading import Claim, Vocabulary, read_claim
from chainrule.verification.claim_proof import (
    OutOfTime,
    expansion_size,
    proven_zero,
    time_budget,
)
from chainrule.verification.claim_samples import Samples, agree, zero_one_fit

VERDICTS = ("correct", "wrong", "unknown")
DIAGNOSES = (
    "sign",
    "factor",
    "other_quantity",
    "missing_chains",
    "extra_chains",
    "activation_argument",
    "transposed",
    "counterexample",
)
CLOSED_VIEW_GRAPH = 150  # nodes + edges: the closed view is tried on graphs up to this size
SAMPLES = 12  # random points for the numeric screen and the diagnoses


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
        self._samples: Samples | None = None
        self._forward: dict[sp.Symbol, sp.Expr] | None = None
        self._unforward: dict[sp.Expr, sp.Symbol] | None = None
        self.closed_leaves = {
            node_symbol(node) for node in graph if graph.nodes[node]["kind"] in ("input", "param")
        }
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
            replacements[atom] = (
                local_derivative(self.graph, wrt, of)
                if self.graph.has_edge(wrt, of)
                else self.truth(wrt)
            )
        for symbol in written.free_symbols & self.vocabulary.delta_of.keys():
            replacements[symbol] = self.truth(self.vocabulary.delta_of[symbol])
        return written.xreplace(replacements)

    def forward(self) -> dict[sp.Symbol, sp.Expr]:
        if self._forward is None:
            self._forward = forward_values(self.graph)
        return self._forward

    def unforward(self) -> dict[sp.Expr, sp.Symbol]:
        """Each node's closed value mapped back to the node: the closed view, as printed,
        contains them as whole subexpressions (it *is* the local view with them substituted)."""
        if self._unforward is None:
            self._unforward = {
                value: symbol for symbol, value in self.forward().items() if not value.is_Atom
            }
        return self._unforward

    def samples(self) -> Samples:
        if self._samples is None:
            self._samples = Samples(self, SAMPLES, seed=0)
        return self._samples

    def proves(
        self, claimed: sp.Expr, expected: sp.Expr, until: float | None = None
    ) -> bool | None:
        """Prove `claimed` - `expected` is 0 (True; False: not shown; None: out of budget).

        In the local view first (a, z, θ, ... free symbols, activations of z folded into
        their a). A side written in the leaves alone (the closed view) is first folded back
        into the nodes; failing both, the forward pass is substituted into both sides. The
        budget is :data:`budget.PROOF_SECONDS`, or less if `until` (a ``time.process_time()``) is
        sooner.
        """
        difference = claimed - expected
        deadline = time.process_time() + budget.PROOF_SECONDS
        if until is not None:
            deadline = min(deadline, until)
        small = self.graph.number_of_nodes() + self.graph.number_of_edges() <= CLOSED_VIEW_GRAPH
        if small:  # a closed form as chainrule prints it: SymPy cancels it at once
            if _built(lambda: difference.xreplace(self.forward()), deadline) == 0:
                return True
        attempts = [lambda: self.fold(difference)]
        if small:  # the closed view's forward pass grows fast with depth and width
            folded_back = lambda: self.fold(difference.xreplace(self.unforward()))
            if (
                claimed.free_symbols
                and claimed.free_symbols <= self.closed_leaves | {M} | self.vocabulary.targets
            ):
                attempts.insert(0, folded_back)
            else:
                attempts.append(folded_back)
            if expansion_size(difference) < 2_000:
                attempts.append(lambda: difference.xreplace(self.forward()))
        outcomes = []
        for attempt in attempts:
            expression = _built(attempt, deadline)
            if expression is None:
                outcomes.append(None if time.process_time() >= deadline else False)
                continue
            if expression == 0:
                return True
            outcomes.append(proven_zero(expression, deadline - time.process_time()))
            if outcomes[-1]:
                return True
        return None if None in outcomes else False

    def fold(self, expression: sp.Expr) -> sp.Expr:
        for replacement in self.folding:
            expression = replacement(expression)
        return expression

    def node_quantity(self, node: Hashable) -> str:
        """How a quantity is named: a δ for a weighted input (or a graph node), else dJ/dv."""

        if is_delta_node(self.graph, node):
            return delta_name(self.graph, node)
        return f"d{self.cost}/d{node}"


def _built(build, deadline: float) -> sp.Expr | None:
    """`build()` within the time left before `deadline`; None if it runs out or SymPy refuses
    (a substitution can be slow, or raise: a condition on 1/0 after the forward pass)."""
    seconds = deadline - time.process_time()
    if seconds <= 0:
        return None
    try:
        with time_budget(seconds):
            return build()
    except (OutOfTime, TypeError, ValueError, ArithmeticError):
        return None


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
    exponentials: dict[sp.Expr, sp.Expr] = {}  # u -> exp(u) written in the node's symbol
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
        # The shapes are recognised in the formula, whichever activation (or graph-file node)
        # wrote it. a = 1/(1 + exp(u)) (the sigmoid has u = -z): exp(u) = (1 - a)/a.
        if isinstance(formula, sp.Pow) and formula.exp == -1 and isinstance(formula.base, sp.Add):
            constant, rest = formula.base.as_coeff_Add()
            if constant == 1 and isinstance(rest, sp.exp):
                exponentials[rest.args[0]] = (1 - symbol) / symbol
        elif isinstance(formula, sp.log) and isinstance(formula.args[0], sp.Add):
            constant, rest = formula.args[0].as_coeff_Add()  # a = log(1 + exp(u)) (softplus)
            if constant == 1 and isinstance(rest, sp.exp):
                exponentials[rest.args[0]] = sp.exp(symbol) - 1

    def exp_to_node(expression: sp.Expr) -> sp.Expr:
        def rewrite(argument):
            for sign in (1, -1):  # exp(-u) is 1/exp(u)
                if sign * argument in exponentials:
                    return exponentials[sign * argument] ** sign
            return sp.exp(argument)

        return expression.replace(sp.exp, rewrite) if exponentials else expression

    return [lambda expression: expression.xreplace(whole), exp_to_node]


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
        try:
            self.claimed = context.resolve(claim.expression)
        except (TypeError, ValueError, ArithmeticError) as error:  # SymPy refuses the result
            raise SpecError(
                f"the claim is not a well-defined expression once its deltas and "
                f"partials are written out ({error})"
            ) from None
        self.samples = context.samples()
        self.proofs_until = time.process_time() + 1.5 * budget.PROOF_SECONDS  # the whole claim's
        self.true_values = self.samples.adjoints()[claim.node]
        self.claimed_values = self.samples.evaluate(self.claimed)
        self.scale = sum(
            (np.abs(self.samples.chain(chain)) for chain in context.chains(claim.node)),
            np.zeros(self.samples.count),
        )

    def matches(self, candidate_values: np.ndarray, claimed: np.ndarray | None = None) -> bool:
        """Whether the claim (or a corrected claim's values) equals a candidate at every
        sampled point where both are finite."""
        claimed = self.claimed_values if claimed is None else claimed
        finite = np.isfinite(claimed) & np.isfinite(candidate_values)
        if finite.sum() < 3 or not np.any(candidate_values[finite]):
            return False  # too few points, or only zeros (a dead relu unit) to compare
        return bool(agree(claimed, candidate_values, self.scale)[finite].all())

    # -- the verdict ----------------------------------------------------------------------------

    def verdict(self) -> tuple[str, dict | None, str]:
        differing = np.flatnonzero(~agree(self.claimed_values, self.true_values, self.scale))
        counterexample = None
        for index in differing[:3]:
            counterexample = self.counterexample(int(index))
            if counterexample is not None:
                break
        if counterexample is None:
            proof = self.context.proves(self.claimed, self.truth, until=self.proofs_until)
            if proof:
                return "correct", None, "proven: claim − true ≡ 0 (an exact symbolic proof)"
            finite = int((np.isfinite(self.claimed_values) & np.isfinite(self.true_values)).sum())
            reason = (
                "the proof did not finish within its budget"
                if proof is None
                else "the exact proof could not show the difference is zero"
            )
            sampled = (
                f"the two sides agree at all {finite} sampled points where both are defined"
                if finite
                else "neither side is defined at any sampled point"
            )
            return "unknown", None, f"cannot tell: {reason}, and {sampled}; this is not a proof"
        for diagnose in (
            self.factor,
            self.other_quantity,
            self.chains,
            self.activation_argument,
            self.transposed,
        ):
            diagnosis = diagnose()
            if diagnosis is not None:
                return "wrong", diagnosis, "wrong"
        return "wrong", counterexample, "wrong"

    def confirmed(self, expression: sp.Expr) -> bool:
        """Whether the claim is proven equal to `expression` (False: shown on numbers only,
        also once the diagnoses have spent their own budget of proofs)."""
        if time.process_time() > self.proofs_until:
            return False
        return bool(self.context.proves(self.claimed, expression, until=self.proofs_until))

    def how(self, proven: bool) -> str:
        return (
            "proven (an exact symbolic proof)"
            if proven
            else f"agrees at the {self.samples.count} sampled points (not proven: the exact proof "
            "did not finish within its budget)"
        )

    # -- the diagnoses, in order ----------------------------------------------------------------

    def factor(self) -> dict | None:
        """The claim is c·m^k times the truth for a constant c ≠ 1."""
        usable = (
            np.isfinite(self.claimed_values)
            & np.isfinite(self.true_values)
            & (np.abs(self.true_values) > 1e-9 * np.maximum(self.scale, 1e-300))
        )
        if usable.sum() < 4:
            return None
        with np.errstate(all="ignore"):
            ratio = self.claimed_values[usable] / self.true_values[usable]
        m = self.samples.values[M][usable]
        for power in (0, 1, -1, 2, -2):
            constants = ratio / m**power
            constant = float(np.median(constants))
            if not np.allclose(constants, constant, rtol=1e-7, atol=1e-12) or constant == 0:
                continue
            fraction = Fraction(constant).limit_denominator(1000)
            if abs(float(fraction) - constant) > 1e-7 * max(1.0, abs(constant)):
                continue
            factor = sp.Rational(fraction.numerator, fraction.denominator) * M**power
            if factor == 1:
                return None
            proven = self.confirmed(factor * self.truth)
            return self.factor_diagnosis(factor, fraction, power, proven)
        return None

    def factor_diagnosis(
        self, factor: sp.Expr, constant: Fraction, power: int, proven: bool
    ) -> dict:
        layered = self.context.network is not None
        flipped = "the sign of ∂J/∂a is flipped" if layered else "the sign is flipped"
        if factor == -1:
            text = f"off by a sign: the claim is −1 times the true value; {flipped}" + (
                " ((y − a) written for (a − y))" if layered else ""
            )
            return {
                "kind": "sign",
                "text": text,
                "evidence": {"factor": "-1", "proven": proven, "how": self.how(proven)},
            }
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
            parts.append(
                "an extra 1/m"
                if averaged
                else "a stray 1/m (this cost does not average over the examples)"
            )
        elif power:
            parts.append(f"a stray factor m^{power}")
        name = str(factor)
        text = f"{_minus(name)}: " + " and ".join(parts)
        return {
            "kind": "factor",
            "text": text,
            "evidence": {"factor": name, "proven": proven, "how": self.how(proven)},
        }

    def other_quantity(self) -> dict | None:
        adjoints = self.samples.adjoints()
        swapped = _swapped_name(self.graph, self.node)
        candidates = [
            node for node in self.context.order if node not in (self.node, self.context.cost)
        ]
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
            return {
                "kind": "other_quantity",
                "text": text,
                "evidence": {"quantity": name, "proven": proven, "how": self.how(proven)},
            }
        return None

    def chains(self) -> dict | None:
        """The claim is a sum of some of the true chains, or of them and chains that are not
        this quantity's (chains of another source of the same kind and layer)."""
        own = list(self.context.chains(self.node))
        data = self.graph.nodes[self.node]
        pool: list[Chain] = []
        for node in self.context.order:
            other = self.graph.nodes[node]
            if (
                node != self.node
                and other["kind"] == data["kind"]
                and other.get("layer") == data.get("layer")
            ):
                pool.extend(self.context.chains(node))
        pool = pool[: max(0, budget.CLAIM_CHAIN_FIT - len(own))]
        everything = own + pool
        samples = Samples(self.context, len(everything) + 8, seed=1)
        columns = np.column_stack([samples.chain(chain) for chain in everything])
        claimed = samples.evaluate(self.claimed)
        rows = np.isfinite(columns).all(axis=1) & np.isfinite(claimed)
        if rows.sum() < len(everything) + 2:
            return None
        columns, claimed = columns[rows], claimed[rows]
        n = len(own)
        # Own chains alone first, then extra chains on top of all own ones, then both: chains
        # can be dependent across sources (a 2-output softmax has a_1(1 - a_1) = a_1 a_2).
        fits = [
            (list(range(n)), claimed, np.zeros(0)),
            (list(range(n, len(everything))), claimed - columns[:, :n].sum(axis=1), np.ones(n)),
            (list(range(len(everything))), claimed, np.zeros(0)),
        ]
        rounded = None
        for chosen, target, fixed in fits:
            weights = zero_one_fit(columns[:, chosen], target)
            if weights is not None:
                rounded = np.zeros(len(everything))
                rounded[: len(fixed)] = fixed
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
            text = f"missing {len(missing)} of the {len(own)} chains of {mine}: " + "; ".join(
                _through(chain) for chain in missing
            )
            evidence: dict[str, object] = {"chains": [_chain_nodes(chain) for chain in missing]}
            if extra:
                text += "; and it adds " + "; ".join(_through(chain) for chain in extra)
                evidence["extra_chains"] = [_chain_nodes(chain) for chain in extra]
            kind = "missing_chains"
        else:
            text = (
                f"{len(extra)} chain{'s' if len(extra) > 1 else ''} too many: "
                + "; ".join(
                    f"{_through(chain)} (a chain of {self.context.node_quantity(chain[-1].wrt)})"
                    for chain in extra
                )
                + f", besides all {len(own)} chains of {mine}"
            )
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
            if data["kind"] == "act" and not _passes_through(network.activation[data["layer"] - 2]):
                (pre,) = self.graph.predecessors(node)
                to_pre[node_symbol(node)] = node_symbol(pre)
        used = sorted(
            (symbol for symbol in _function_arguments(self.claim.expression) if symbol in to_pre),
            key=str,
        )
        if not used:
            return None
        swap = {symbol: to_pre[symbol] for symbol in used}
        corrected = _inside_functions(self.claim.expression, swap)
        corrected_claim = self.context.resolve(self.context.fold(corrected))
        if not self.matches(self.true_values, self.samples.evaluate(corrected_claim)):
            return None
        proven = bool(self.context.proves(corrected_claim, self.truth, until=self.proofs_until))
        at = ", ".join(str(s) for s in used)
        meant = ", ".join(str(swap[s]) for s in used)
        text = (
            f"f′ is taken at the activation {at} instead of the weighted input {meant}: "
            "for the sigmoid, σ(a)(1 − σ(a)) is written where a(1 − a) = σ(z)(1 − σ(z)) "
            "is meant"
        )
        return {
            "kind": "activation_argument",
            "text": text,
            "evidence": {
                "at": [str(s) for s in used],
                "meant": [str(swap[s]) for s in used],
                "proven": proven,
                "how": self.how(proven),
            },
        }

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
        proven = bool(self.context.proves(corrected, self.truth, until=self.proofs_until))
        shown = sorted({tuple(sorted((str(a), str(b)))) for a, b in pairs.items()})
        text = (
            "θ is transposed: "
            + ", ".join(
                f"{a} written for {b}"
                for a, b in sorted((str(a), str(b)) for a, b in pairs.items())
            )
            + " (θ^(l)_jk is the weight to j from k)"
        )
        return {
            "kind": "transposed",
            "text": text,
            "evidence": {
                "swapped": [list(pair) for pair in shown],
                "proven": proven,
                "how": self.how(proven),
            },
        }

    def counterexample(self, index: int) -> dict | None:
        """The two sides at point `index`, recomputed to 30 digits; None if they agree there."""
        point = self.samples.exact_point(index)
        try:  # evalf with subs raises its working precision where terms cancel
            claimed = self.claimed.evalf(20, subs=point)
            true = self.truth.evalf(20, subs=point)
        except (TypeError, ValueError, KeyError, ArithmeticError):
            return None  # SymPy cannot evaluate the point (a division by an exact 0): skip it
        if not (claimed.is_number and true.is_number):
            return None
        if not (
            claimed.is_extended_real
            and true.is_extended_real
            and claimed.is_finite
            and true.is_finite
        ):
            return None
        size = max(abs(claimed), abs(true), 1e-30)
        if abs(claimed - true) <= 1e-12 * size:
            return None
        used = self.claimed.free_symbols | self.truth.free_symbols
        values = {str(symbol): _number(point[symbol]) for symbol in sorted(used, key=str)}
        leaves = {str(symbol): _number(point[symbol]) for symbol in self.samples.exact}
        shown = ", ".join(f"{name} = {value}" for name, value in values.items())
        text = (
            f"the two sides differ at {shown}: the claim gives {_number(claimed)}, "
            f"the true value is {_number(true)}"
        )
        return {
            "kind": "counterexample",
            "text": text,
            "evidence": {
                "values": values,
                "point": leaves,
                "claim": _number(claimed),
                "true": _number(true),
            },
        }


def _passes_through(activation: str) -> bool:
    """Whether an activation has no argument to mistake: a softmax output (its partials are
    written out instead), or f(z) = z, where a and z are the same number."""
    if activation == SOFTMAX:
        return True
    z = sp.Dummy("z", real=True)
    return bool(rules.ACTIVATIONS[activation].function(z) == z)


def _function_arguments(expression: sp.Expr) -> set[sp.Symbol]:
    """The symbols that occur inside a function (exp, tanh, log) or a condition."""
    found: set[sp.Symbol] = set()
    for node in sp.preorder_traversal(expression):
        if isinstance(node, (sp.exp, sp.tanh, sp.log, sp.Piecewise, sp.core.relational.Relational)):
            found |= node.free_symbols
    return found


def _inside_functions(expression: sp.Expr, swap: dict) -> sp.Expr:
    for function in (sp.exp, sp.tanh, sp.log):
        expression = expression.replace(
            function, lambda argument, f=function: f(argument.xreplace(swap))
        )
    return expression.replace(
        lambda e: isinstance(e, sp.core.relational.Relational), lambda e: e.xreplace(swap)
    )


def _swapped_name(graph: nx.DiGraph, node: Hashable) -> str | None:
    """θ^(l)_kj for θ^(l)_jk (None if there is no such weight or the indices are equal)."""

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
    return (
        "the chain through " + ", ".join(nodes[1:-1])
        if len(nodes) > 2
        else ("the chain " + " -> ".join(nodes))
    )


# --- the printed forms: one adapter, so the printers can change behind it ----------------------


def printed_equation(
    graph: nx.DiGraph, node: Hashable, written: sp.Expr | None = None, style: str = "latex"
) -> str:
    """``lhs = rhs`` for the quantity at `node`: its true local form from chainrule's notations,
    or (with `written`) a claim's right-hand side printed in the same notation."""

    notation = notation_for(style, graph)
    equation = (
        notation.delta_definition(define_delta(graph, node), "local")
        if is_delta_node(graph, node)
        else notation.factored_gradient(factor_gradient(graph, node), "local")
    )
    if written is None:
        return str(equation)
    if style == "latex":
        symbol_names = {
            **latex_names(graph),
            **{
                node_symbol(delta_name(graph, v)): delta_latex(graph, v) for v in delta_nodes(graph)
            },
        }
        rhs = ChainLatexPrinter({"symbol_names": symbol_names}).doprint(written)
    else:
        rhs = text_printer(unicode=style == "unicode").doprint(written)
    return f"{equation.lhs} = {rhs}"


# --- the API ---------------------------------------------------------------------------------


def graph_for_network(network: Network) -> nx.DiGraph:
    """The graph of `network`, refused (before it is built) past :data:`budget.CLAIM_GRAPH`."""

    nodes, edges = graph_size(network)
    if nodes + edges > budget.CLAIM_GRAPH:
        raise SpecError(
            f"{network.architecture} has {nodes:,} nodes and {edges:,} edges; a check "
            f"evaluates every one of them, and takes graphs of up to {budget.CLAIM_GRAPH:,}"
        )
    return build_graph(network)


def judge(graph: nx.DiGraph, claim: str, limit: int = budget.CLAIM_CHAINS) -> tuple[dict, Hashable]:
    """The record of :func:`check` and the node the claim is about."""
    if graph.number_of_nodes() + graph.number_of_edges() > budget.CLAIM_GRAPH:
        raise SpecError(
            f"the graph has {graph.number_of_nodes() + graph.number_of_edges():,} "
            f"nodes and edges; a check takes graphs of up to {budget.CLAIM_GRAPH:,}"
        )
    context = _context(graph)
    parsed = read_claim(claim, context.vocabulary)
    chains = context.path_counts()[parsed.node][0]
    if chains > limit:
        raise SpecError(
            f"{parsed.quantity} has {chains:,} chains, more than the limit of "
            f"{limit:,}; raise it with {budget.spelled('limit', chains)}"
        )
    verdict, diagnosis, detail = _Judge(context, claim, parsed).verdict()
    if diagnosis is not None:
        detail = diagnosis["text"]
    record = {
        "claim": claim,
        "quantity": parsed.quantity,
        "verdict": verdict,
        "diagnosis": diagnosis,
        "true_latex": printed_equation(graph, parsed.node),
        "claim_latex": printed_equation(graph, parsed.node, parsed.expression),
        "detail": detail,
    }
    return record, parsed.node


def check(graph_or_network, claim: str, limit: int = budget.CLAIM_CHAINS) -> dict:
    """Judge one claim on a network, a :class:`~chainrule.graph.dag.Dag` or a built graph;
    returns its record (a Dag is built anew each time: pass ``dag.build()`` to reuse it).

    The record is ``{"claim", "quantity", "verdict", "diagnosis", "true_latex",
    "claim_latex", "detail"}``: `verdict` is ``correct``, ``wrong`` or ``unknown``;
    `diagnosis` is None or ``{"kind", "text", "evidence"}``; `detail` says what was proven or
    why it cannot be told. A claim outside the grammar, or about a quantity of more than
    `limit` chains, raises :class:`~chainrule.errors.SpecError`.

    Examples
    --------
    >>> from chainrule.graph.spec import Network
    >>> record = check(Network([2, 2, 2]), "dJ/dtheta^(1)_12 = delta^(2)_2 * x_1")
    >>> record["verdict"], record["diagnosis"]["evidence"]["quantity"]
    ('wrong', 'dJ/dtheta^(1)_21')
    >>> first, second = record["diagnosis"]["text"].split(", ")
    >>> first
    'this is the right expression for dJ/dtheta^(1)_21'
    >>> second
    'not dJ/dtheta^(1)_12 (the indices are swapped)'
    """
    if isinstance(graph_or_network, nx.DiGraph):
        graph = graph_or_network
    elif isinstance(graph_or_network, Network):
        graph = graph_for_network(graph_or_network)
    elif hasattr(graph_or_network, "build"):  # a Dag still under construction
        graph = graph_or_network.build()
    else:
        raise TypeError(
            f"check takes a Network, a Dag or a built graph, not {type(graph_or_network).__name__}"
        )
    return judge(graph, claim, limit)[0]
