"""Numeric backprop against independent oracles: finite differences, HIPS autograd, a hand sum."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from chainrule.graph.spec import ACTIVATIONS, Network
from chainrule.numeric.backprop import backprop, cost_of, finite_differences
from chainrule.numeric.case import Case, random_case
from chainrule.verification.casefile import case_from_dict, load_case, save_case

autograd = pytest.importorskip("autograd")
import autograd.numpy as anp  # noqa: E402

AUTOGRAD_ACTIVATIONS = {
    "sigmoid": lambda z: 1 / (1 + anp.exp(-z)),
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
    "identity": lambda z: z,
    "softplus": lambda z: anp.logaddexp(0.0, z),
    "leaky_relu": lambda z: anp.where(z > 0, z, 0.01 * z),
    "softmax": lambda z: anp.exp(z) / anp.sum(anp.exp(z), axis=1, keepdims=True),
}


def autograd_gradients(case: Case):
    """The cost written directly in autograd.numpy and differentiated by autograd."""
    network = case.network
    m = case.examples

    def cost(weights, biases):
        a = case.inputs
        for layer, (theta, name) in enumerate(zip(weights, network.activation)):
            z = anp.dot(a, theta.T) + (biases[layer] if biases is not None else 0.0)
            a = AUTOGRAD_ACTIVATIONS[name](z)
        y = case.targets
        return {
            "mse": lambda: anp.sum((y - a) ** 2) / (2 * m),
            "se": lambda: anp.sum((y - a) ** 2) / 2,
            "bce": lambda: -anp.sum(y * anp.log(a) + (1 - y) * anp.log(1 - a)) / m,
            "softmax-ce": lambda: -anp.sum(y * anp.log(a)) / m,
        }[network.cost]()

    weights = list(case.weights)
    biases = list(case.biases) if case.biases is not None else None
    weight_gradients = autograd.grad(cost, 0)(weights, biases)
    bias_gradients = autograd.grad(cost, 1)(weights, biases) if biases is not None else None
    return float(cost(weights, biases)), weight_gradients, bias_gradients


def _all_close(ours, theirs, rtol=1e-10, atol=1e-13):
    return all(np.allclose(a, b, rtol=rtol, atol=atol) for a, b in zip(ours, theirs))


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize(
    "cost, bias", [("mse", False), ("se", True), ("bce", True), ("softmax-ce", False)]
)
def test_backprop_matches_autograd(activation, cost, bias):
    case = random_case(
        Network([3, 4, 3], bias=bias, activation=activation, cost=cost), examples=5, seed=7
    )
    ours = backprop(case)
    theirs = autograd_gradients(case)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-12)
    assert _all_close(ours[1], theirs[1])
    if bias:
        assert _all_close(ours[2], theirs[2])


@pytest.mark.parametrize("sizes", [(1, 1), (2, 2, 2), (4, 3, 2, 3)])
def test_backprop_matches_finite_differences(sizes):
    case = random_case(Network(sizes, bias=True, activation="tanh"), examples=3, seed=3)
    _, weights, biases = backprop(case)
    fd_weights, fd_biases = finite_differences(case)
    assert _all_close(weights + biases, fd_weights + fd_biases, rtol=1e-8, atol=1e-10)


def test_hand_chosen_1_1_1_case_by_hand():
    """z2 = θ1 x, a2 = σ(z2), z3 = θ2 a2, a3 = σ(z3), J = (y - a3)²/2 for one example."""
    theta1, theta2, x, y = 0.5, -1.5, 2.0, 1.0
    case = case_from_dict(
        {"sizes": [1, 1, 1], "weights": [[[theta1]], [[theta2]]], "inputs": [[x]], "targets": [[y]]}
    )
    sigmoid = lambda z: 1 / (1 + math.exp(-z))
    a2 = sigmoid(theta1 * x)
    a3 = sigmoid(theta2 * a2)
    d3 = (a3 - y) * a3 * (1 - a3)
    d2 = d3 * theta2 * a2 * (1 - a2)
    cost, weights, _ = backprop(case)
    assert cost == pytest.approx((y - a3) ** 2 / 2, rel=1e-15)
    assert weights[1][0, 0] == pytest.approx(d3 * a2, rel=1e-14)
    assert weights[0][0, 0] == pytest.approx(d2 * x, rel=1e-14)
    # a3 < y and a2 > 0: raising θ2 raises a3 towards y, so descent (θ := θ − η ∂J/∂θ) must raise
    # θ2, and the true gradient is negative; writing (y − a) for dJ/da would flip it.
    assert a3 < y and a2 > 0 and weights[1][0, 0] < 0


def test_gradient_descent_step_lowers_the_cost():
    case = random_case(Network([2, 3, 1], bias=True), examples=4, seed=5)
    cost, weights, biases = backprop(case)
    eta = 1e-3
    moved = cost_of(
        case,
        [w - eta * g for w, g in zip(case.weights, weights)],
        [b - eta * g for b, g in zip(case.biases, biases)],
    )
    assert moved < cost


def test_numeric_imports_nothing_of_the_symbolic_side():
    probe = (
        "import sys, chainrule.numeric.backprop, chainrule.numeric.case; "
        "print(sorted(m for m in sys.modules if m in ('sympy', 'networkx') or "
        "m.startswith(('chainrule.graph.build', 'chainrule.graph.chains', 'chainrule.rules', "
        "'chainrule.calculus.symbolic', 'chainrule.graph.paths'))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "[]"


def test_case_file_round_trip(tmp_path):
    case = random_case(
        Network([2, 3, 2], bias=True, activation="tanh,sigmoid", cost="bce"), examples=3, seed=1
    )
    path = tmp_path / "case.json"
    save_case(case, path)
    assert load_case(path) == case
    assert json.loads(path.read_text())["activation"] == ["tanh", "sigmoid"]
    assert [p.name for p in tmp_path.iterdir()] == ["case.json"]  # no temporary file left


def test_random_cases_are_reproducible_and_scaled():
    net = Network([3, 3, 2], cost="softmax-ce")
    first, again = (
        random_case(net, seed=9, init_scale=0.1),
        random_case(net, seed=9, init_scale=0.1),
    )
    assert first == again and first != random_case(net, seed=10, init_scale=0.1)
    assert all(np.abs(w).max() <= 0.1 for w in first.weights)
    assert (first.targets.sum(axis=1) == 1).all()  # one-hot targets for a softmax


def test_the_train_api_returns_the_record_whose_document_the_cli_prints(run_cli):
    import chainrule.api

    record = chainrule.api.train("2-3-1", bias=True, init="constant", epochs=4, init_scale=0.5)
    _, out, _ = run_cli(
        "train",
        "2-3-1",
        "--bias",
        "--init",
        "constant",
        "--epochs",
        "4",
        "--init-scale",
        "0.5",
        "--json",
    )
    assert record.as_dict() == json.loads(out) and record.identical == ((2, 3),)


def test_training_refusals_name_the_option_as_the_caller_spells_it(run_cli):
    """An epoch's own steps count, not only its arithmetic: 2-2-1's 72 multiply-adds an epoch
    let --epochs 10,000,000 through, a quarter of an hour of training."""
    import chainrule.api
    from chainrule.errors import TooLarge

    _, _, err = run_cli("train", "--epochs", str(10**7), expect=2)
    assert err.startswith(
        "chainrule: error: 10,000,000 epochs of 2-2-1 on 4 examples take about "
        "1,000,720,000,000 multiply-adds (each epoch counted as 100,000 more for its own steps)"
    )
    assert err.endswith(
        "train for at most 19,985 epochs (--epochs 19985) or on a smaller network\n"
    )
    with pytest.raises(TooLarge, match=r"\(epochs=19985\) or on a smaller network$"):
        chainrule.api.train(epochs=10**7)
    assert chainrule.api.train(epochs=19_985, lr=0.1).epochs == 19_985


def test_a_raised_max_numbers_is_the_limit_of_the_case_drawn_too():
    """The case was checked against --max-numbers and then drawn against the default."""
    import chainrule.api
    from chainrule.errors import TooLarge

    with pytest.raises(TooLarge, match=r"raise it with max_numbers=36060016$"):
        chainrule.api.train("3000-3000-1", data="random", epochs=1)
    record = chainrule.api.train("3000-3000-1", data="random", epochs=1, max_numbers=36_060_016)
    assert record.epochs == 1
