"""The rules table against SymPy's own differentiation and the numeric oracle's own table."""

import numpy as np
import pytest
import sympy as sp

from chainrule import rules
from chainrule.calculus.symbolic import is_identically_zero
from chainrule.graph import spec
from chainrule.numeric import backprop as oracle

z, a, y = sp.symbols("z a y", real=True)
m = sp.Symbol("m", positive=True)
SAMPLES = [-2.5, -0.7, -1e-3, 0.4, 1.9]


def test_the_spec_reads_its_names_from_the_tables(monkeypatch):
    """Not a copy of their names: a rule added to the table at run time is accepted too."""
    assert spec.ACTIVATIONS == tuple(rules.ACTIVATIONS) and spec.COSTS == tuple(rules.COSTS)
    assert rules.DEFAULT_ACTIVATION in spec.ACTIVATIONS and rules.DEFAULT_COST in spec.COSTS
    monkeypatch.setitem(rules.ACTIVATIONS, "swish", rules.ACTIVATIONS["sigmoid"])
    assert spec.ACTIVATIONS[-1] == "swish" and "swish" in spec.ACTIVATIONS
    assert spec.Network([1, 1], activation="swish").activation == ("swish",)


@pytest.mark.parametrize("name", spec.ACTIVATIONS)
def test_the_piecewise_flag_says_what_the_rule_writes(name):
    """The flag the size estimates read without SymPy agrees with the formula itself."""
    rule = rules.ACTIVATIONS[name]
    assert rule.piecewise == rule.function(z).has(sp.Piecewise)


@pytest.mark.parametrize("name", spec.COSTS)
def test_a_cost_fixes_an_output_activation_the_spec_knows(name):
    output = rules.COSTS[name].output
    assert output is None or output in rules.ACTIVATIONS or output == rules.SOFTMAX


@pytest.mark.parametrize("name", spec.ACTIVATIONS)
def test_activation_derivative_is_the_derivative(name):
    rule = rules.ACTIVATIONS[name]
    f = rule.function(z)
    shown = rule.derivative(z, f)  # the shown form, with a = f(z)
    if f.has(sp.Piecewise):  # SymPy differentiates piecewise functions branch by branch
        for point in SAMPLES:
            assert float(sp.diff(f, z).subs(z, point)) == float(shown.subs(z, point))
    else:
        assert is_identically_zero(sp.diff(f, z) - shown)


@pytest.mark.parametrize("name", spec.ACTIVATIONS)
def test_the_oracle_states_the_same_activations(name):
    """numeric.backprop writes the rules again on purpose; the two tables must agree."""
    rule, (function, derivative) = rules.ACTIVATIONS[name], oracle.ACTIVATIONS[name]
    points = np.array(SAMPLES)
    values = function(points)
    expected = [float(rule.function(z).subs(z, p)) for p in SAMPLES]
    np.testing.assert_allclose(values, expected, rtol=1e-12)
    expected_derivative = [float(rule.derivative(z, rule.function(z)).subs(z, p)) for p in SAMPLES]
    np.testing.assert_allclose(derivative(points, values), expected_derivative, rtol=1e-12)


@pytest.mark.parametrize("name", ["relu", "leaky_relu"])
def test_kinked_activations_take_the_left_slope_at_zero(name):
    expected = 0.0 if name == "relu" else 0.01
    assert float(rules.ACTIVATIONS[name].derivative(sp.Integer(0), sp.Integer(0))) == expected
    assert oracle.ACTIVATIONS[name][1](np.array([0.0]), np.array([0.0]))[0] == expected


def test_importing_the_rules_costs_nothing():
    import subprocess
    import sys

    probe = "import sys, chainrule.rules; print('sympy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False"


def test_sigmoid_and_tanh_are_shown_through_their_activation():
    assert rules.ACTIVATIONS["sigmoid"].derivative(z, a) == a * (1 - a)
    assert rules.ACTIVATIONS["tanh"].derivative(z, a) == 1 - a**2


@pytest.mark.parametrize("name", spec.COSTS)
def test_cost_derivative_is_the_derivative(name):
    rule = rules.COSTS[name]
    assert sp.simplify(sp.diff(rule.per_output(a, y, m), a) - rule.derivative(a, y, m)) == 0


def test_mse_sign_is_the_true_gradient():
    """dJ/da = (a - y)/m: positive when the output overshoots, so θ := θ - η ∂J/∂θ descends."""
    derivative = rules.COSTS["mse"].derivative(a, y, m)
    assert derivative.subs({a: 0.9, y: 0.0, m: 1}) > 0
    assert derivative == (a - y) / m


@pytest.mark.parametrize("name", spec.COSTS)
def test_the_oracle_states_the_same_costs(name):
    rule, (cost, derivative) = rules.COSTS[name], oracle.COSTS[name]
    A, Y = np.array([[0.2], [0.7], [0.9]]), np.array([[0.0], [1.0], [0.3]])
    per_output = [
        float(rule.per_output(a, y, m).subs({a: ai, y: yi, m: 3}))
        for ai, yi in zip(A.ravel(), Y.ravel())
    ]
    assert np.sum(cost(A, Y, 3)) == pytest.approx(sum(per_output), rel=1e-12)
    for ai, yi, nd in zip(A.ravel(), Y.ravel(), derivative(A, Y, 3).ravel()):
        assert nd == pytest.approx(float(rule.derivative(a, y, m).subs({a: ai, y: yi, m: 3})))


@pytest.mark.parametrize("name", [name for name in spec.COSTS if rules.COSTS[name].from_logits])
def test_the_oracle_fuses_each_cost_with_its_output_as_the_rules_do(name):
    """J from the logits: the rules' formula and the oracle's own copy agree, with each other
    and with the cost of the outputs where that is finite, and stay finite at z = ±40."""
    rule = rules.COSTS[name]
    Z = np.array([[0.3, -1.2, 2.0], [40.0, -40.0, 0.5]])
    Y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]) if name == "softmax-ce" else Z * 0 + 0.25
    output = oracle._softmax(Z) if rule.output == "softmax" else 1 / (1 + np.exp(-Z))
    fused = oracle.fused_output_costs(name, rule.output, Z, Y)
    zs = sp.symbols("z1:4", real=True)
    for row in range(2):
        for i in range(3):
            expected = float(
                rule.from_logits(list(zs), i, Y[row, i], 2).subs(dict(zip(zs, Z[row])))
            )
            assert fused[row, i] == pytest.approx(expected, rel=1e-12)
    assert np.all(np.isfinite(fused))
    with np.errstate(all="ignore"):
        plain = oracle.COSTS[name][0](output[:1], Y[:1], 2)
    assert np.allclose(fused[:1], plain, rtol=1e-12, atol=1e-15)


def test_softmax_jacobian():
    zs = sp.symbols("z1:4", real=True)
    outputs = rules.softmax(list(zs))
    for i, a_i in enumerate(outputs):
        for j, z_j in enumerate(zs):
            shown = rules.softmax_derivative(a_i, outputs[j], same=i == j)
            assert is_identically_zero(sp.diff(a_i, z_j) - shown)
