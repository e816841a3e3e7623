"""Recurrent and residual networks, built through the DAG API, and their command-line spellings.

- ``rnn:I-H-O:T``: a recurrent network unrolled over T steps, I inputs per step, H hidden units,
  O outputs; the same weights at every step (weight tying). In the notation of Goodfellow,
  Bengio and Courville (*Deep Learning*, §10.2), with h^(0) = 0::

      z^(t)_j    = Σ_k U_jk x^(t)_k + Σ_k W_jk h^(t-1)_k (+ b_j)     hidden weighted input
      h^(t)_j    = f(z^(t)_j)                                        hidden state
      o^(t)_i    = Σ_j V_ij h^(t)_j (+ c_i)                          output weighted input
      yhat^(t)_i = g(o^(t)_i)                                        output

  The cost is on the last step's output (``last``, the default) or summed over every step
  (``sum``), against targets ``y^(t)_i``.
- ``resnet:WxN``: an input layer of width W (h^(0) = x), then N residual blocks of width W, then
  one output::

      z^(n)_j = Σ_k W^(n)_jk h^(n-1)_k (+ b^(n)_j),  f^(n)_j = f(z^(n)_j),
      h^(n)_j = h^(n-1)_j + f^(n)_j,  o = Σ_j V_1j h^(N)_j (+ c_1),  yhat = g(o).

A path through k of the N residual branches has N + 2k + 3 terms from an input (3 per branch
taken, 1 per identity step, 3 for the output and the cost), so the paths of an input are
binomial in k: C(N, k) of them pass through k branches.

Computed nodes are of kind ``node``, as in any graph (so every one gets its δ), with a ``role``
(``pre``, ``act`` or, for a residual sum, ``sum``). Every node carries ``step`` (its time step,
RNN) or ``block`` (its block, resnet), and every parameter and input a ``group`` (``U``,
``W^(3)``, ``x^(2)``, ...), so that aggregates can be taken by layer and, for an RNN, by lag:
the number of recurrent edges h^(t-1) -> z^(t) a chain crosses, how many time steps it reaches
back.

Examples
--------
>>> from chainrule.graph.paths import path_counts
>>> graph = rnn(1, 1, 1, 3).build()
>>> path_counts(graph)["W_11"], path_counts(graph)["x^(1)_1"]
((2, 12), (1, 9))
>>> graph = parse_architecture_graph("resnet:1x4")
>>> graph.graph["source"], path_counts(graph)["x_1"][0]
('resnet:1x4', 16)
>>> parse_architecture_graph("2-2-2") is None
True
"""

from __future__ import annotations

import sympy as sp

from chainrule import budget, rules
from chainrule.graph.dag import Dag
from chainrule.graph.names import _indices
from chainrule.graph.spec import SOFTMAX, SpecError, _normalise_activation
from chainrule.graph.spellings import (
    RESNET_HINT,
    RESNET_SPELLING,
    RNN_COSTS,
    RNN_HINT,
    RNN_SPELLING,
    require_positive,
    whole,
)
from chainrule.graph.symbols import M


def _activations(activation, cost: str) -> tuple[str, str]:
    """(hidden, output) activation names, validated by the layered networks' rule."""
    hidden, output = _normalise_activation(activation, 3, cost)
    return hidden, output


class RuleDag(Dag):
    """A :class:`~chainrule.Dag` that writes each edge's local derivative as it declares the
    node, from the rules table (σ′ as a(1 − a), as layered networks print it), instead of
    leaving ``sympy.diff`` to find it: readable, and several times faster to evaluate."""

    def __init__(self) -> None:
        super().__init__()
        self._derivatives: dict[tuple[str, str], sp.Expr] = {}
        #: each output activation's logits (its layer's weighted inputs), its index among them,
        #: its fellow outputs and its activation's name: a fused cost is computed from these
        self._logits: dict[str, tuple[list, int, list, str]] = {}
        self._fused: dict[str, object] = {}

    def _derivative_is(self, of, wrt, derivative) -> None:
        key = (str(wrt), str(of))
        self._derivatives[key] = self._derivatives.get(key, 0) + derivative

    def linear(self, name: str, formula, latex: str, **extra):
        """A sum of weight·input products, biases and plain inputs (a residual sum)."""
        symbol = self.node(name, formula, latex, **extra)
        for term in sp.Add.make_args(formula):
            factors = sp.Mul.make_args(term)
            if len(factors) == 1:
                self._derivative_is(symbol, factors[0], sp.Integer(1))
            else:
                first, second = factors  # w·u: each is the other's derivative
                self._derivative_is(symbol, first, second)
                self._derivative_is(symbol, second, first)
        return symbol

    def activation(self, name: str, z, rule: str, latex: str, **extra):
        """f(z) for an activation of the rules table, with f'(z) written as the table writes it."""
        symbol = self.node(name, rules.ACTIVATIONS[rule].function(z), latex, **extra)
        self._derivative_is(symbol, z, rules.ACTIVATIONS[rule].derivative(z, symbol))
        return symbol

    def outputs(self, names_latex: list[tuple[str, str]], pre: list, rule: str, **extra):
        """Output activations of the weighted inputs `pre` (a softmax couples them)."""
        made = self._outputs(names_latex, pre, rule, **extra)
        for i, symbol in enumerate(made):
            self._logits[str(symbol)] = (list(pre), i, made, rule)
        return made

    def _outputs(self, names_latex: list[tuple[str, str]], pre: list, rule: str, **extra):
        if rule != SOFTMAX:
            return [
                self.activation(name, z, rule, latex, **extra)
                for (name, latex), z in zip(names_latex, pre)
            ]
        symbols = [
            self.node(name, formula, latex, **extra)
            for (name, latex), formula in zip(names_latex, rules.softmax(pre))
        ]
        for i, a_i in enumerate(symbols):
            for j, z_j in enumerate(pre):
                self._derivative_is(a_i, z_j, rules.softmax_derivative(a_i, symbols[j], i == j))
        return symbols

    def scored_cost(self, cost: str, scored: list[tuple]):
        """J = Σ per-output costs of (output, target) pairs, each with its dJ/da."""
        rule = rules.COSTS[cost]
        symbol = self.cost(sum(rule.per_output(a, y, M) for a, y in scored))
        for a, y in scored:
            self._derivative_is(symbol, a, rule.derivative(a, y, M))
        fused = rule.from_logits is not None and all(
            self._logits.get(str(a), (None, None, None, None))[3] == rule.output for a, _ in scored
        )
        if not fused:
            self._fused["cost_parts"] = {str(a): rule.per_output(a, y, M) for a, y in scored}
            return symbol
        assert rule.from_logits is not None and rule.logit_delta is not None
        # J from the logits, as a fused loss computes it (finite where an output saturates);
        # the edges a -> J and their factors dJ/da stay as they are.
        target_of = {str(a): y for a, y in scored}
        parts, deltas = {}, {}
        for a, _ in scored:
            logits, i, fellows, _ = self._logits[str(a)]
            ys = [target_of[str(fellow)] for fellow in fellows]
            parts[str(a)] = rule.from_logits(logits, i, ys[i], M)
            deltas[str(logits[i])] = rule.logit_delta(fellows, ys, i, M)
        self._fused.update(
            from_logits=sp.Add(*parts.values()), cost_parts=parts, logit_deltas=deltas
        )
        return symbol

    def build(self):
        graph = super().build()
        for (wrt, of), derivative in self._derivatives.items():
            if graph.has_edge(wrt, of):
                graph.edges[wrt, of]["derivative"] = sp.sympify(derivative)
        if "from_logits" in self._fused:
            graph.nodes[graph.graph["cost"]]["from_logits"] = self._fused["from_logits"]
            graph.graph["logit_deltas"] = self._fused["logit_deltas"]
        graph.graph["cost_parts"] = self._fused.get("cost_parts", {})
        return graph


def _check_size(text: str, nodes: int, edges: int) -> None:
    if nodes + edges > budget.ARCHITECTURE_ELEMENTS:
        raise SpecError(
            f"{text} would have {nodes:,} nodes and {edges:,} edges, more than the "
            f"{budget.ARCHITECTURE_ELEMENTS:,} built as formulas; choose a smaller one"
        )


def rnn_size(
    inputs: int,
    hidden: int,
    outputs: int,
    steps: int,
    bias: bool = False,
    cost_on: str = "last",
    cost: str = rules.DEFAULT_COST,
) -> tuple[int, int]:
    """The numbers of nodes and edges of :func:`rnn`'s graph, computed without building it.

    Examples
    --------
    >>> rnn_size(2, 3, 1, 6)
    (69, 188)
    """
    output_steps = steps if cost_on == "sum" else 1
    parameters = (
        hidden * inputs
        + hidden * hidden * (steps > 1)
        + outputs * hidden
        + bias * (hidden + outputs)
    )
    nodes = parameters + steps * (inputs + 2 * hidden) + output_steps * 2 * outputs + 1
    into_z = steps * hidden * (2 * inputs + bias) + (steps - 1) * hidden * 2 * hidden
    into_o = output_steps * outputs * (2 * hidden + bias)
    into_outputs = output_steps * outputs * (outputs if cost == "softmax-ce" else 1)
    return nodes, into_z + steps * hidden + into_o + into_outputs + output_steps * outputs


def resnet_size(width: int, blocks: int, bias: bool = False) -> tuple[int, int]:
    """The numbers of nodes and edges of :func:`resnet`'s graph, computed without building it.

    Examples
    --------
    >>> resnet_size(2, 8)
    (87, 118)
    """
    parameters = blocks * width * (width + bias) + width + bias
    nodes = width + parameters + blocks * 3 * width + 2 + 1
    per_block = width * (2 * width + bias) + width + 2 * width
    return nodes, blocks * per_block + 2 * width + bias + 2


# The spellings' checks, under the names this module has always used.
_require_positive, _whole = require_positive, whole


def rnn(
    inputs: int,
    hidden: int,
    outputs: int,
    steps: int,
    activation=rules.DEFAULT_ACTIVATION,
    bias: bool = False,
    cost: str = rules.DEFAULT_COST,
    cost_on: str = "last",
):
    """A recurrent network unrolled over `steps` time steps, as a :class:`~chainrule.Dag`.

    Parameters
    ----------
    inputs, hidden, outputs, steps : int
        I inputs per step, H hidden units, O outputs, T steps.
    activation : str or sequence of str
        One name for the hidden and output units, or ``"hidden,output"``.
    bias : bool
        Give the hidden units biases b_j and the outputs c_i.
    cost : str
        mse, se, bce or softmax-ce, as for layered networks, summed over the outputs scored.
    cost_on : str
        ``"last"`` scores the last step's output only, ``"sum"`` every step's.

    Examples
    --------
    >>> dag = rnn(1, 2, 1, 2, cost_on="sum")
    >>> graph = dag.build()
    >>> sorted(graph.successors("h^(1)_1"))
    ['o^(1)_1', 'z^(2)_1', 'z^(2)_2']
    >>> graph.nodes["W_12"]["latex"], graph.nodes["h^(2)_1"]["step"]
    ('W_{12}', 2)
    """
    text = f"rnn:{inputs}-{hidden}-{outputs}:{steps}"
    _require_positive(text, RNN_HINT, inputs=inputs, hidden=hidden, outputs=outputs, steps=steps)
    if cost_on not in RNN_COSTS:
        raise SpecError(f"unknown RNN cost placement {cost_on!r}; choose from last, sum")
    if cost not in rules.COSTS:
        raise SpecError(f"unknown cost {cost!r}; choose from {', '.join(rules.COSTS)}")
    _check_size(text, *rnn_size(inputs, hidden, outputs, steps, bias, cost_on, cost))
    hidden_f, output_f = _activations(activation, cost)
    dag = RuleDag()

    def weights(letter: str, rows: int, columns: int) -> dict:
        return {
            (j, k): dag.parameter(
                f"{letter}_{_indices(j, k)}", f"{letter}_{{{_indices(j, k)}}}", group=letter
            )
            for j in range(1, rows + 1)
            for k in range(1, columns + 1)
        }

    # With one step, W would multiply h^(0) = 0 only: it is left out rather than never used.
    U = weights("U", hidden, inputs)
    W = weights("W", hidden, hidden) if steps > 1 else {}
    V = weights("V", outputs, hidden)
    b = (
        {j: dag.parameter(f"b_{j}", f"b_{{{j}}}", group="b") for j in range(1, hidden + 1)}
        if bias
        else {}
    )
    c = (
        {i: dag.parameter(f"c_{i}", f"c_{{{i}}}", group="c") for i in range(1, outputs + 1)}
        if bias
        else {}
    )
    scored = range(1, steps + 1) if cost_on == "sum" else (steps,)
    targets = {
        (t, i): dag.target(f"y^({t})_{i}", f"y_{{{i}}}^{{({t})}}")
        for t in scored
        for i in range(1, outputs + 1)
    }
    state: list = []
    pairs: list[tuple] = []
    for t in range(1, steps + 1):
        x = [
            dag.input(f"x^({t})_{k}", f"x_{{{k}}}^{{({t})}}", step=t, group=f"x^({t})")
            for k in range(1, inputs + 1)
        ]
        new_state = []
        for j in range(1, hidden + 1):
            total = sum(U[j, k] * x[k - 1] for k in range(1, inputs + 1))
            if state:  # h^(0) = 0: the recurrent weights enter from step 2
                total += sum(W[j, k] * state[k - 1] for k in range(1, hidden + 1))
            if bias:
                total += b[j]
            z = dag.linear(f"z^({t})_{j}", total, f"z_{{{j}}}^{{({t})}}", role="pre", step=t)
            new_state.append(
                dag.activation(
                    f"h^({t})_{j}", z, hidden_f, f"h_{{{j}}}^{{({t})}}", role="act", step=t
                )
            )
        state = new_state
        if t not in scored:
            continue
        outputs_pre = []
        for i in range(1, outputs + 1):
            total = sum(V[i, j] * state[j - 1] for j in range(1, hidden + 1))
            if bias:
                total += c[i]
            outputs_pre.append(
                dag.linear(f"o^({t})_{i}", total, f"o_{{{i}}}^{{({t})}}", role="pre", step=t)
            )
        names_latex = [
            (f"yhat^({t})_{i}", rf"\hat{{y}}_{{{i}}}^{{({t})}}") for i in range(1, outputs + 1)
        ]
        made = dag.outputs(names_latex, outputs_pre, output_f, role="act", step=t)
        pairs += [(a, targets[t, i]) for i, a in enumerate(made, start=1)]
    dag.scored_cost(cost, pairs)
    return dag


def resnet(
    width: int,
    blocks: int,
    activation=rules.DEFAULT_ACTIVATION,
    bias: bool = False,
    cost: str = rules.DEFAULT_COST,
):
    """A residual network, h^(n) = h^(n-1) + f(W^(n) h^(n-1)), as a :class:`~chainrule.Dag`.

    Parameters
    ----------
    width, blocks : int
        W units per layer (the input layer too), N residual blocks; one output.
    activation : str or sequence of str
        One name for the branches and the output, or ``"branch,output"``.
    bias : bool
        Give each branch unit a bias b^(n)_j and the output c_1.
    cost : str
        mse, se, bce or softmax-ce (a softmax of one output is constant: allowed, not useful).

    Examples
    --------
    >>> graph = resnet(1, 2).build()
    >>> sorted(graph.predecessors("h^(2)_1"))
    ['f^(2)_1', 'h^(1)_1']
    >>> graph.nodes["W^(2)_11"]["group"], graph.nodes["f^(2)_1"]["block"]
    ('W^(2)', 2)
    """
    text = f"resnet:{width}x{blocks}"
    _require_positive(text, RESNET_HINT, width=width, blocks=blocks)
    if cost not in rules.COSTS:
        raise SpecError(f"unknown cost {cost!r}; choose from {', '.join(rules.COSTS)}")
    _check_size(text, *resnet_size(width, blocks, bias))
    branch_f, output_f = _activations(activation, cost)
    dag = RuleDag()
    h = [dag.input(f"x_{k}", f"x_{{{k}}}", block=0, group="x") for k in range(1, width + 1)]
    for n in range(1, blocks + 1):
        weights = {
            (j, k): dag.parameter(
                f"W^({n})_{_indices(j, k)}",
                f"W_{{{_indices(j, k)}}}^{{({n})}}",
                group=f"W^({n})",
                block=n,
            )
            for j in range(1, width + 1)
            for k in range(1, width + 1)
        }
        biases = (
            {
                j: dag.parameter(f"b^({n})_{j}", f"b_{{{j}}}^{{({n})}}", group=f"b^({n})", block=n)
                for j in range(1, width + 1)
            }
            if bias
            else {}
        )
        branches = []
        for j in range(1, width + 1):
            total = sum(weights[j, k] * h[k - 1] for k in range(1, width + 1))
            if bias:
                total += biases[j]
            z = dag.linear(f"z^({n})_{j}", total, f"z_{{{j}}}^{{({n})}}", role="pre", block=n)
            branches.append(
                dag.activation(
                    f"f^({n})_{j}", z, branch_f, f"f_{{{j}}}^{{({n})}}", role="act", block=n
                )
            )
        h = [
            dag.linear(
                f"h^({n})_{j}",
                h[j - 1] + branches[j - 1],
                f"h_{{{j}}}^{{({n})}}",
                role="sum",
                block=n,
            )
            for j in range(1, width + 1)
        ]
    V = [
        dag.parameter(f"V_{_indices(1, j)}", f"V_{{{_indices(1, j)}}}", group="V")
        for j in range(1, width + 1)
    ]
    total = sum(v * hj for v, hj in zip(V, h))
    if bias:
        total += dag.parameter("c_1", "c_{1}", group="c")
    o = dag.linear("o_1", total, "o_{1}", role="pre", block=blocks + 1)
    (a,) = dag.outputs([("yhat_1", r"\hat{y}_{1}")], [o], output_f, role="act", block=blocks + 1)
    dag.scored_cost(cost, [(a, dag.target("y_1", "y_{1}"))])
    return dag


def parse_architecture_graph(
    text: str | None,
    bias: bool = False,
    activation=rules.DEFAULT_ACTIVATION,
    cost: str = rules.DEFAULT_COST,
    cost_on: str = "last",
):
    """The graph of an ``rnn:I-H-O:T`` or ``resnet:WxN`` spelling, or None for any other text.

    The command line imports this module only for these spellings, so that layer sizes never
    load SymPy or networkx.

    Examples
    --------
    >>> parse_architecture_graph("rnn:1-1-1:2").graph["source"]
    'rnn:1-1-1:2'
    >>> parse_architecture_graph("rnn:1-1:2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    chainrule.errors.SpecError: invalid architecture 'rnn:1-1:2': write rnn:I-H-O:T ...
    """
    if not text or not text.startswith(("rnn:", "resnet:")):
        return None
    if text.startswith("rnn:"):
        match = RNN_SPELLING.fullmatch(text)
        if match is None:
            raise SpecError(f"invalid architecture {text!r}: write {RNN_HINT}")
        inputs, hidden, outputs, steps = (_whole(text, match[key]) for key in "IHOT")
        dag = rnn(
            inputs,
            hidden,
            outputs,
            steps,
            activation=activation,
            bias=bias,
            cost=cost,
            cost_on=cost_on,
        )
        spelled = f"rnn:{inputs}-{hidden}-{outputs}:{steps}"
    else:
        match = RESNET_SPELLING.fullmatch(text)
        if match is None:
            raise SpecError(f"invalid architecture {text!r}: write {RESNET_HINT}")
        width, blocks = (_whole(text, match[key]) for key in "WN")
        dag = resnet(width, blocks, activation=activation, bias=bias, cost=cost)
        spelled = f"resnet:{width}x{blocks}"
    graph = dag.build()
    graph.graph["source"] = spelled
    graph.graph["architecture"] = "rnn" if text.startswith("rnn:") else "resnet"
    return graph
