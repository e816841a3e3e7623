"""Local derivative rules as data: one entry per activation and per cost, stated once, in SymPy.

Every local partial chainrule writes comes from this table, so a rule is stated once. An
activation's derivative takes both ``z`` and ``a = f(z)`` because the textbook forms use whichever
is natural: the sigmoid's f'(z) is shown as a(1 - a), the tanh's as 1 - a^2. A cost's entries are
for one example; J sums them over the m examples.

Importing this module costs nothing: the rules reach SymPy through a proxy that imports it the
first time a rule is applied, so that the architecture spec can take its list of names from here
and ``chainrule count`` still never loads SymPy. (:mod:`chainrule.numeric.backprop` writes the
same rules out again in numpy, on purpose: it is the independent oracle.)

Examples
--------
>>> import sympy as sp
>>> z, a, y, m = sp.symbols("z a y m")
>>> ACTIVATIONS["sigmoid"].derivative(z, a), ACTIVATIONS["tanh"].derivative(z, a)
(a*(1 - a), 1 - a**2)
>>> COSTS["mse"].derivative(a, y, m)  # dJ/da: (a - y)/m, the true gradient's sign
(a - y)/m
>>> ACTIVATIONS["leaky_relu"].derivative(z, a)
Piecewise((1, z > 0), (1/100, True))
>>> COSTS["bce"].from_logits([z], 0, y, m)  # softplus(z) - y z: finite where a is 0 or 1
(-y*z + log(exp(z) + 1))/m
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple


class _LazySympy:
    """``sp.<name>`` for the rules below, importing SymPy on first use rather than at import."""

    def __getattr__(self, name: str) -> Any:
        import sympy

        return getattr(sympy, name)


sp = _LazySympy()
Expr = Any  # a SymPy expression; the real class would need SymPy at import


class ActivationRule(NamedTuple):
    """f and f' of one activation; derivatives take (z, a) with a = f(z).

    ``piecewise`` says that f is written as a Piecewise (a kink): ``sympy.diff`` of a
    composition multiplies its cases, which the size estimates must know without SymPy.
    ``spellings`` are the other ways a hand derivation writes the name (``chainrule check``
    reads them too).
    """

    name: str
    function: Callable[[Expr], Expr]
    derivative: Callable[[Expr, Expr], Expr]
    piecewise: bool = False
    spellings: tuple[str, ...] = ()


class CostRule(NamedTuple):
    """One example's share of J and its derivative dJ/da_i, given the example count m.

    ``output`` names the output activation the cost needs, if it fixes one. ``matrix`` writes
    dJ/da for a whole batch (rows the examples; ``{a}`` and ``{y}`` the matrices' names) in text,
    unicode and LaTeX, as the matrix view prints it without SymPy; ``./`` and ⊘ divide
    elementwise. A cost fused with its output activation (bce after a sigmoid, softmax-ce
    after a softmax) is also written from the logits z, the output layer's weighted inputs, as
    the frameworks' fused losses compute it:
    ``from_logits(z, i, y_i, m)`` is output i's share of J from every logit of the layer
    (softplus(z_i) − y_i z_i for bce; a log-sum-exp for the softmax), finite where an output
    saturates at exactly 0 or 1 and log a is −∞; ``logit_delta(a, y, i, m)`` is ∂J/∂z_i in the
    outputs and targets, (a_i − y_i)/m for bce, where the cost's 1/(a(1 − a)) has cancelled
    against the sigmoid's a(1 − a). The graph keeps the edges a -> J and their factor dJ/da:
    only J's value and the δ sweep's start are taken from the logits.
    """

    name: str
    per_output: Callable[[Expr, Expr, Expr], Expr]
    derivative: Callable[[Expr, Expr, Expr], Expr]
    output: str | None = None
    matrix: tuple[str, ...] = ()  # (text, unicode, LaTeX); none: dJ/da stays named
    from_logits: Callable[[list, int, Expr, Expr], Expr] | None = None
    logit_delta: Callable[[list, list, int, Expr], Expr] | None = None


def _positive(z: Expr) -> Expr:
    return sp.StrictGreaterThan(z, 0)


def leaky_slope() -> Expr:
    """The leaky ReLU's slope for z < 0, 1/100, exact."""
    return sp.Rational(1, 100)


#: The softmax output layer (with its cost): it couples a layer's outputs, so it is no rule of
#: one neuron's f and has no entry in ACTIVATIONS; :func:`softmax` states it.
SOFTMAX = "softmax"
SOFTMAX_COST = "softmax-ce"

# Every rule on one line: the table is the documentation.
_ACTIVATION_RULES = [
    ActivationRule(
        "sigmoid",
        lambda z: 1 / (1 + sp.exp(-z)),
        lambda z, a: a * (1 - a),
        spellings=("σ", r"\sigma", "sigma"),
    ),
    ActivationRule("tanh", lambda z: sp.tanh(z), lambda z, a: 1 - a**2, spellings=(r"\tanh",)),
    ActivationRule(
        "relu",
        lambda z: sp.Piecewise((z, _positive(z)), (0, True)),
        lambda z, a: sp.Piecewise((1, _positive(z)), (0, True)),
        piecewise=True,
        spellings=("ReLU",),
    ),  # 0 at z = 0
    ActivationRule("identity", lambda z: z, lambda z, a: sp.Integer(1)),
    ActivationRule("softplus", lambda z: sp.log(1 + sp.exp(z)), lambda z, a: 1 / (1 + sp.exp(-z))),
    ActivationRule(
        "leaky_relu",
        lambda z: sp.Piecewise((z, _positive(z)), (leaky_slope() * z, True)),
        lambda z, a: sp.Piecewise((1, _positive(z)), (leaky_slope(), True)),
        piecewise=True,
    ),
]

_COST_RULES = [
    CostRule(
        "mse",
        lambda a, y, m: (y - a) ** 2 / (2 * m),
        lambda a, y, m: (a - y) / m,
        matrix=("({a} - {y})/m", "({a} - {y})/m", r"\frac{{{a} - {y}}}{{m}}"),
    ),
    CostRule(
        "se",
        lambda a, y, m: (y - a) ** 2 / 2,
        lambda a, y, m: a - y,
        matrix=("{a} - {y}", "{a} - {y}", "{a} - {y}"),
    ),
    CostRule(
        "bce",
        lambda a, y, m: -(y * sp.log(a) + (1 - y) * sp.log(1 - a)) / m,
        lambda a, y, m: (a - y) / (m * a * (1 - a)),
        matrix=(
            "({a} - {y}) ./ (m {a} .* (1 - {a}))",
            "({a} - {y}) ⊘ (m {a} ⊙ (1 - {a}))",
            r"\frac{{{a} - {y}}}{{m\, {a} \odot \left(1 - {a}\right)}}",
        ),
        output="sigmoid",  # log a and log(1 - a) need outputs in (0, 1)
        from_logits=lambda z, i, y, m: (sp.log(1 + sp.exp(z[i])) - y * z[i]) / m,
        logit_delta=lambda a, y, i, m: (a[i] - y[i]) / m,
    ),
    CostRule(
        SOFTMAX_COST,
        lambda a, y, m: -y * sp.log(a) / m,
        lambda a, y, m: -y / (m * a),
        matrix=("-{y} ./ (m {a})", "-{y} ⊘ (m {a})", r"-\frac{{{y}}}{{m\, {a}}}"),
        output=SOFTMAX,
        from_logits=lambda z, i, y, m: -y * (z[i] - sp.log(sum(sp.exp(zk) for zk in z))) / m,
        logit_delta=lambda a, y, i, m: (a[i] * sum(y) - y[i]) / m,
    ),
]

#: The one registry of activations and costs by name: every list of names in chainrule (the
#: spec's choices, graph-file and claim functions, ``chainrule.<activation>``) is read from
#: these at the time it is used, so a rule added here is known everywhere.
ACTIVATIONS: dict[str, ActivationRule] = {rule.name: rule for rule in _ACTIVATION_RULES}
COSTS: dict[str, CostRule] = {rule.name: rule for rule in _COST_RULES}

#: What a network has unless told otherwise, on every front end.
DEFAULT_ACTIVATION = "sigmoid"
DEFAULT_COST = "mse"


def softmax(z: list[Expr]) -> list[Expr]:
    """The softmax of a layer's weighted inputs, a_i = e^{z_i} / Σ_k e^{z_k}."""
    total = sum(sp.exp(zk) for zk in z)
    return [sp.exp(zi) / total for zi in z]


def softmax_derivative(a_i: Expr, a_j: Expr, same: bool) -> Expr:
    """da_i/dz_j of a softmax output: a_i ([i = j] - a_j).

    Examples
    --------
    >>> import sympy as sp
    >>> ai, aj = sp.symbols("a_i a_j")
    >>> softmax_derivative(ai, ai, True), softmax_derivative(ai, aj, False)
    (a_i*(1 - a_i), -a_i*a_j)
    """
    return a_i * (1 - a_i) if same else -a_i * a_j
