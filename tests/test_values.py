"""``chainrule values`` against HIPS autograd: every number it prints, on layered networks, graph
files, rnn: and resnet:, to 1e-12.

The oracle here is written from the documented equations in autograd.numpy, node by node, and
shares nothing with chainrule but the names: a small "program" lists each node with its
function of the nodes before it. Every node's value gets an offset per example (zero), so that
autograd's gradient by the offsets is ∂J/∂v of every node per example; a local factor ∂v/∂u is
autograd's derivative of v's own function by u, the others held.
"""

import io
import json
import re
import subprocess
import sys
import time

import numpy as np
import pytest

import chainrule.api as api
from chainrule.errors import SpecError, TooLarge
from chainrule.graph.spec import Network
from chainrule.numeric.case import random_case

autograd = pytest.importorskip("autograd")
import autograd.numpy as anp  # noqa: E402

TOLERANCE = {"rtol": 1e-12, "atol": 1e-12}

F = {
    "sigmoid": lambda z: 1 / (1 + anp.exp(-z)),
    "tanh": anp.tanh,
    "relu": lambda z: anp.where(z > 0, z, 0.0),
    "identity": lambda z: z,
    "softplus": lambda z: anp.log(1 + anp.exp(z)),
    "leaky_relu": lambda z: anp.where(z > 0, z, 0.01 * z),
    "exp": anp.exp,
    "log": anp.log,
}
COST = {  # one output's share of one example's cost, from its output a
    "mse": lambda a, y, m: (y - a) ** 2 / (2 * m),
    "se": lambda a, y, m: (y - a) ** 2 / 2,
    "bce": lambda a, y, m: -(y * anp.log(a) + (1 - y) * anp.log(1 - a)) / m,
    "softmax-ce": lambda a, y, m: -y * anp.log(a) / m,
}


class Program:
    """Leaves (name -> value per example) and nodes (name, function of the values so far),
    in order, the last the cost; `parts` names the nodes each output's share reads."""

    def __init__(self, leaves, nodes, examples, parts=None):
        self.leaves, self.nodes, self.m, self.parts = leaves, nodes, examples, parts or {}

    def run(self, offsets, leaves=None):
        values = {}
        for name, value in (leaves or self.leaves).items():
            values[name] = value + offsets[name]
        for name, function in self.nodes:
            values[name] = function(values) + offsets[name]
        return values

    def names(self):
        return [*self.leaves, *(name for name, _ in self.nodes)]

    def numbers(self):
        zero = {name: np.zeros(self.m) for name in self.names()}
        values = self.run(zero)
        cost = self.nodes[-1][0]
        total = lambda offsets: anp.sum(self.run(offsets)[cost])
        deltas = autograd.grad(total)(zero)
        return values, deltas

    def factor(self, of, wrt, values):
        function = dict(self.nodes)[of]
        return autograd.elementwise_grad(lambda t: function({**values, wrt: t}))(
            np.asarray(values[wrt], float) * np.ones(self.m)
        )

    def cost_after(self, updated):
        leaves = {**self.leaves, **{k: np.full(self.m, v) for k, v in updated.items()}}
        zero = {name: np.zeros(self.m) for name in self.names()}
        return float(np.sum(self.run(zero, leaves)[self.nodes[-1][0]]))


def layered_program(case):
    """A layered network's nodes in chainrule's names, from the notation of the conventions."""
    network, m = case.network, case.examples
    leaves, nodes = {}, []
    for k in range(network.sizes[0]):
        leaves[f"x_{k + 1}"] = case.inputs[:, k]
    below = [f"x_{k + 1}" for k in range(network.sizes[0])]
    from chainrule.graph.names import theta_name

    for layer in range(1, network.depth):
        for parameter in [p for p in network.parameters() if p.layer == layer]:
            leaves[parameter.name] = np.full(m, case.parameter_value(*parameter))
        above = []
        zs = [f"z^({layer + 1})_{j}" for j in range(1, network.sizes[layer] + 1)]
        for j, z in enumerate(zs, start=1):

            def weighted(values, j=j, layer=layer, below=below):
                total = sum(
                    values[theta_name(layer, j, k)] * values[name]
                    for k, name in enumerate(below, start=1)
                )
                return total + (values[theta_name(layer, j, 0)] if network.bias else 0.0)

            nodes.append((z, weighted))
        for j, z in enumerate(zs, start=1):
            a = f"a^({layer + 1})_{j}"
            name = network.activation[layer - 1]
            if name == "softmax":

                def activation(values, z=z, zs=zs):
                    return anp.exp(values[z]) / sum(anp.exp(values[other]) for other in zs)
            else:

                def activation(values, z=z, f=F[name]):
                    return f(values[z])

            nodes.append((a, activation))
            above.append(a)
        below = above
    targets = {f"y_{i + 1}": case.targets[:, i] for i in range(network.sizes[-1])}
    cost = COST[network.cost]
    nodes.append(
        ("J", lambda v: sum(cost(v[a], targets[f"y_{i}"], m) for i, a in enumerate(below, 1)))
    )
    parts = {a: (cost, targets[f"y_{i}"]) for i, a in enumerate(below, start=1)}
    return Program(leaves, nodes, m, parts)


def check_against(record, program, lr, ordered=True):
    """Every number of `record` against `program`'s autograd numbers (`ordered`: and every node
    in the program's order)."""
    values, deltas = program.numbers()
    document = record.as_dict()
    if ordered:
        assert list(document["forward"]) == program.names()
    assert set(document["forward"]) == set(document["deltas"]) == set(program.names())
    for name in program.names():
        expected = np.broadcast_to(values[name], (program.m,))
        assert np.allclose(document["forward"][name], expected, **TOLERANCE), name
        assert np.allclose(document["deltas"][name], deltas[name], **TOLERANCE), name
    cost = program.nodes[-1][0]
    assert document["cost"] == pytest.approx(float(np.sum(values[cost])), rel=1e-12, abs=1e-12)
    for factor in document["factors"]:
        expected = program.factor(factor["of"], factor["wrt"], values)
        assert np.allclose(factor["value"], expected, **TOLERANCE), factor
    edges = {(f["of"], f["wrt"]) for f in document["factors"]}
    assert len(edges) == len(document["factors"])
    for name, gradient in document["gradients"].items():
        assert gradient == pytest.approx(float(np.sum(deltas[name])), rel=1e-12, abs=1e-12)
        expected = float(values[name][0]) - lr * float(np.sum(deltas[name]))
        assert document["step"]["updated"][name] == pytest.approx(expected, rel=1e-12, abs=1e-12)
    after = program.cost_after(document["step"]["updated"])
    assert document["step"]["cost_after"] == pytest.approx(after, rel=1e-12, abs=1e-12)
    for node, (share, target) in program.parts.items():
        expected = float(np.sum(share(values[node], target, program.m)))
        assert document["cost_parts"][node] == pytest.approx(expected, rel=1e-12, abs=1e-12)


LAYERED = [
    Network([2, 2, 2]),
    Network([2, 3, 2], bias=True, activation="tanh", cost="se"),
    Network([3, 2, 3], bias=True, activation="relu", cost="softmax-ce"),
    Network([2, 2, 1], activation="softplus", cost="bce"),
    Network([1, 2, 2, 1], bias=True, activation="leaky_relu,tanh,identity", cost="mse"),
]


@pytest.mark.parametrize("network", LAYERED, ids=lambda n: f"{n.architecture}-{n.cost}")
@pytest.mark.parametrize("examples", [1, 3])
def test_layered_values_agree_with_autograd(network, examples):
    case = random_case(network, examples=examples, seed=examples + 2)
    record = api.values(case=case, lr=0.3)
    check_against(record, layered_program(case), 0.3)


@pytest.mark.parametrize("network", LAYERED[:3], ids=lambda n: f"{n.architecture}-{n.cost}")
def test_numpy_and_the_graph_give_a_layered_network_the_same_numbers(network):
    """Layer sizes are computed by numpy alone; the same network as a built graph goes through
    the graph's own evaluation: every number agrees, factors in the same order."""
    from chainrule.graph.build import build_graph
    from chainrule.verification.graphcase import graph_case

    case = random_case(network, examples=2, seed=5)
    by_numpy = api.values(case=case).as_dict()
    graph = build_graph(network)
    leaves = {
        **{p.name: case.parameter_value(*p) for p in network.parameters()},
        **{f"x_{k + 1}": case.inputs[:, k].tolist() for k in range(network.sizes[0])},
        **{f"y_{i + 1}": case.targets[:, i].tolist() for i in range(network.sizes[-1])},
    }
    by_graph = api.values(graph, case=graph_case(graph, leaves)).as_dict()
    assert list(by_graph["forward"]) == list(by_numpy["forward"])
    assert [(f["of"], f["wrt"]) for f in by_graph["factors"]] == [
        (f["of"], f["wrt"]) for f in by_numpy["factors"]
    ]
    for section in ("forward", "deltas"):
        for name, row in by_numpy[section].items():
            assert np.allclose(row, by_graph[section][name], **TOLERANCE), (section, name)
    for ours, theirs in zip(by_numpy["factors"], by_graph["factors"]):
        assert np.allclose(ours["value"], theirs["value"], **TOLERANCE), ours
    assert by_numpy["cost_parts"] == pytest.approx(by_graph["cost_parts"], rel=1e-12)


# --- graph files: their formulas read again, by a grammar of the test's own ----------------------


def evaluator(text):
    """A graph file's formula as a function of the values, read by the grammar of the graph-file
    format (graph/graphfile.py) and evaluated in autograd.numpy."""
    tokens = re.findall(r"\d+\.?\d*(?:e[-+]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|\*\*|[-+*/^()]", text)

    def parse(values):
        position = [0]

        def peek():
            return tokens[position[0]] if position[0] < len(tokens) else None

        def take():
            position[0] += 1
            return tokens[position[0] - 1]

        def expression():
            value = term()
            while peek() in ("+", "-"):
                value = value + term() if take() == "+" else value - term()
            return value

        def term():
            value = unary()
            while peek() in ("*", "/"):
                value = value * unary() if take() == "*" else value / unary()
            return value

        def unary():
            if peek() in ("-", "+"):
                return -unary() if take() == "-" else unary()
            return power()

        def power():
            base = atom()
            if peek() in ("^", "**"):
                take()
                return base ** unary()
            return base

        def atom():
            token = take()
            if token == "(":
                value = expression()
                take()
                return value
            if token in F and peek() == "(":
                take()
                value = expression()
                take()
                return F[token](value)
            if token[0].isdigit():
                return float(token)
            return values[token]

        return expression()

    return parse


def graph_file_program(path, values):
    document = json.loads(open(path).read())
    m = len(next(iter(v for k, v in values.items() if isinstance(v, list)), [0]))
    leaves = {}
    for name in document["parameters"]:
        leaves[name] = np.full(m, float(values[name]))
    for name in document["inputs"]:
        leaves[name] = np.array(values[name], float)
    targets = {name: np.array(values[name], float) for name in document.get("targets", [])}
    nodes = []
    for name, formula in document["nodes"].items():
        function = evaluator(formula)
        nodes.append((name, lambda v, f=function: f({**targets, "m": m, **v})))
    cost = document["cost"]
    (cost_name, cost_formula) = cost.popitem() if isinstance(cost, dict) else ("J", cost)
    function = evaluator(cost_formula)
    nodes.append((cost_name, lambda v: function({**targets, "m": m, **v})))
    order = [*document["inputs"], *document["parameters"]]
    return Program({name: leaves[name] for name in order}, nodes, m)


GRAPH_CASES = [
    ("examples/graphs/tied.json", {"w": 0.7, "b": -0.3, "x": [0.5, -1.0], "y": [0.2, 0.9]}),
    (
        "examples/graphs/residual.json",
        {
            **{n: v for n, v in zip(["w11", "w12", "w21", "w22"], [0.3, -0.4, 0.8, 0.1])},
            **{"u1": 0.6, "u2": -0.7, "v1": 0.9, "v2": -0.2},
            **{"x1": [0.5, 0.1, -0.3], "x2": [-0.8, 0.4, 0.2], "y": [0.3, 0.7, 0.5]},
        },
    ),
    ("examples/graphs/mazur.json", json.loads(open("examples/cases/mazur.json").read())),
]


@pytest.mark.parametrize("path, values", GRAPH_CASES, ids=lambda p: str(p)[:30])
def test_graph_file_values_agree_with_autograd(path, values):
    values = values.get("values", values)
    record = api.values(path, case=api.case(path, values), lr=0.5)
    check_against(record, graph_file_program(path, values), 0.5)


# --- rnn: and resnet:, from their documented equations ---------------------------------------


def _indices(j, k):
    return f"{j},{k}" if j >= 10 or k >= 10 else f"{j}{k}"


def rnn_program(I, H, O, T, values, activation="tanh,sigmoid", cost="mse", bias=True):
    hidden_f, output_f = activation.split(",")
    leaves = {name: np.asarray(value, float) for name, value in values.items()}
    m = len(values["x^(1)_1"])
    parameters = {name: np.full(m, float(v)) for name, v in values.items() if "^" not in name}
    nodes, state = [], []
    for t in range(1, T + 1):
        new = []
        for j in range(1, H + 1):

            def z(v, t=t, j=j, state=state):
                total = sum(v[f"U_{_indices(j, k)}"] * v[f"x^({t})_{k}"] for k in range(1, I + 1))
                total = total + sum(v[f"W_{_indices(j, k)}"] * v[s] for k, s in enumerate(state, 1))
                return total + (v[f"b_{j}"] if bias else 0.0)

            nodes.append((f"z^({t})_{j}", z))
            new.append(f"h^({t})_{j}")
        for j in range(1, H + 1):
            nodes.append((f"h^({t})_{j}", lambda v, t=t, j=j: F[hidden_f](v[f"z^({t})_{j}"])))
        state = new
    outputs = []
    for i in range(1, O + 1):

        def o(v, i=i):
            total = sum(v[f"V_{_indices(i, j)}"] * v[h] for j, h in enumerate(state, 1))
            return total + (v[f"c_{i}"] if bias else 0.0)

        nodes.append((f"o^({T})_{i}", o))
    for i in range(1, O + 1):
        nodes.append((f"yhat^({T})_{i}", lambda v, i=i: F[output_f](v[f"o^({T})_{i}"])))
        outputs.append(f"yhat^({T})_{i}")
    targets = {i: leaves[f"y^({T})_{i}"] for i in range(1, O + 1)}
    share = COST[cost]
    nodes.append(("J", lambda v: sum(share(v[a], targets[i], m) for i, a in enumerate(outputs, 1))))
    order = [n for n in values if n in parameters] + [n for n in values if n.startswith("x")]
    return Program({n: parameters.get(n, leaves.get(n)) for n in order}, nodes, m)


def resnet_program(W, N, values, activation="tanh,sigmoid", cost="bce"):
    branch_f, output_f = activation.split(",")
    m = len(values["x_1"])
    leaves = {name: np.asarray(value, float) for name, value in values.items()}
    parameters = {
        name: np.full(m, float(v)) for name, v in values.items() if not isinstance(v, list)
    }
    nodes, h = [], [f"x_{k}" for k in range(1, W + 1)]
    for n in range(1, N + 1):
        for j in range(1, W + 1):

            def z(v, n=n, j=j, h=h):
                return sum(v[f"W^({n})_{_indices(j, k)}"] * v[hk] for k, hk in enumerate(h, 1))

            nodes.append((f"z^({n})_{j}", z))
            nodes.append((f"f^({n})_{j}", lambda v, n=n, j=j: F[branch_f](v[f"z^({n})_{j}"])))
        new = []
        for j in range(1, W + 1):
            nodes.append((f"h^({n})_{j}", lambda v, n=n, j=j, h=h: v[h[j - 1]] + v[f"f^({n})_{j}"]))
            new.append(f"h^({n})_{j}")
        h = new
    nodes.append(
        ("o_1", lambda v: sum(v[f"V_{_indices(1, j)}"] * v[hj] for j, hj in enumerate(h, 1)))
    )
    nodes.append(("yhat_1", lambda v: F[output_f](v["o_1"])))
    nodes.append(("J", lambda v: COST[cost](v["yhat_1"], leaves["y_1"], m)))
    order = [f"x_{k}" for k in range(1, W + 1)] + list(parameters)
    return Program({n: parameters.get(n, leaves.get(n)) for n in order}, nodes, m)


def test_rnn_values_agree_with_autograd():
    record = api.values("rnn:2-2-1:3", bias=True, activation="tanh,sigmoid", examples=2, seed=4)
    values = record.as_dict()["forward"]
    leaves = {
        name: (row if record.kind_of(name) == "input" or name.startswith("y") else row[0])
        for name, row in values.items()
        if record.kind_of(name) in ("input", "param")
    }
    case = api.case(
        "rnn:2-2-1:3", {**leaves, "y^(3)_1": [0.25, 0.75]}, bias=True, activation="tanh,sigmoid"
    )
    record = api.values("rnn:2-2-1:3", case=case, bias=True, activation="tanh,sigmoid", lr=0.2)
    check_against(record, rnn_program(2, 2, 1, 3, case.values()), 0.2, ordered=False)


def test_resnet_values_agree_with_autograd():
    drawn = api.values("resnet:2x2", cost="bce", activation="tanh,sigmoid", examples=2, seed=7)
    leaves = {
        name: (row if drawn.kind_of(name) == "input" else row[0])
        for name, row in drawn.as_dict()["forward"].items()
        if drawn.kind_of(name) in ("input", "param")
    }
    case = api.case(
        "resnet:2x2", {**leaves, "y_1": [0.0, 1.0]}, cost="bce", activation="tanh,sigmoid"
    )
    record = api.values("resnet:2x2", case=case, cost="bce", activation="tanh,sigmoid")
    check_against(record, resnet_program(2, 2, case.values()), 0.5, ordered=False)


def test_rnn_with_a_softmax_and_every_step_scored_agrees_with_autograd():
    drawn = api.values("rnn:1-2-2:2", cost="mse", rnn_cost="sum", activation="tanh,tanh", seed=3)
    document = drawn.as_dict()
    assert {"yhat^(1)_1", "yhat^(2)_2"} <= set(document["cost_parts"])
    assert sum(document["cost_parts"].values()) == pytest.approx(document["cost"], rel=1e-12)


# --- the command line: formats, the API's record, refusals ----------------------------------


def test_the_cli_prints_the_api_record_in_every_format(run_cli):
    _, out, _ = run_cli("values", "2-3-2", "--bias", "--examples", "2", "--seed", "4", "--json")
    record = api.values("2-3-2", bias=True, examples=2, seed=4)
    assert json.loads(out) == record.as_dict()
    for format_name in ("text", "unicode", "latex"):
        _, out, _ = run_cli("values", "2-3-2", "--bias", "--format", format_name)
        assert out.count("\n") > 40
    _, out, _ = run_cli("values", "2-2", "--format", "unicode")
    assert "∂a⁽²⁾₁/∂z⁽²⁾₁" in out and "θ⁽¹⁾₁₁" in out
    _, out, _ = run_cli("values", "2-2", "--format", "latex")
    assert r"\frac{\partial a_{1}^{(2)}}{\partial z_{1}^{(2)}} &= " in out
    assert r"{\theta_{11}^{(1)}}^{+} &= " in out and r"\begin{aligned}" in out


def test_a_worked_example_in_text():
    """The numbers of a published example (the post's own figures, to their printed digits)."""
    record = api.values(
        "examples/graphs/mazur.json", case="examples/cases/mazur.json", freeze=["b1,b2"]
    )
    forward = {name: row[0] for name, row in record.forward.by_name().items()}
    assert round(forward["out_h1"], 9) == 0.593269992 and round(record.cost, 9) == 0.298371109
    assert round(record.gradients.by_name()["w5"][0], 9) == 0.082167041
    updated = {name: row[0] for name, row in record.updated.by_name().items()}
    assert round(updated["w5"], 8) == 0.35891648 and updated["b1"] == 0.35
    assert record.frozen == ("b1", "b2")


def test_a_saturated_output_is_written_as_null_and_said(run_cli):
    _, out, _ = run_cli("values", "2-1", "--cost", "bce", "--init-scale", "1000", "--json")
    document = json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert document["deltas"]["a^(2)_1"] == [None] and np.isfinite(document["cost"])
    assert np.isfinite(document["deltas"]["z^(2)_1"][0])
    _, out, _ = run_cli("values", "2-1", "--cost", "bce", "--init-scale", "1000")
    assert "an output is exactly 0 or 1 (saturated)" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["2-2-2", "--examples", "2", "--max-numbers", "50"], "136 numbers in the values of"),
        (["784-512-512-10", "--examples", "2"], "raise it with --max-numbers"),
        (["2-2-2", "--freeze", "q"], "--freeze: no parameter 'q' in 2-2-2"),
        (["2-2-2", "--freeze", "3,1,1"], "--freeze: no parameter theta^(3)_11 in 2-2-2"),
        (["examples/graphs/tied.json", "--freeze", "h"], "no parameter 'h' in tied.json"),
        (["2-2-2", "--lr", "-1"], "argument --lr: expected a number, 0 or more"),
        (["2-2-2", "--rnn-cost", "sum"], "--rnn-cost says which time steps"),
        ([], "give an architecture (ARCH) or a case file (--case FILE)"),
    ],
)
def test_refusals_are_one_line(run_cli, argv, message):
    _, out, err = run_cli("values", *argv, expect=2)
    assert out == "" and err.count("\n") == 1 and message in err


def test_freeze_holds_weights_named_either_way():
    record = api.values("2-2-2", freeze=["1,1,1", "theta^(2)_21"], seed=1)
    before = {name: row[0] for name, row in record.forward.by_name().items()}
    after = {name: row[0] for name, row in record.updated.by_name().items()}
    assert record.frozen == ("theta^(1)_11", "theta^(2)_21")
    assert (
        after["theta^(1)_11"] == before["theta^(1)_11"]
        and after["theta^(2)_21"] == before["theta^(2)_21"]
    )
    assert after["theta^(1)_12"] != before["theta^(1)_12"]


def test_a_graph_too_large_to_evaluate_is_refused():
    with pytest.raises(TooLarge, match="cannot write the values of resnet:30x60"):
        api.values("resnet:30x60")


def test_layer_sizes_load_neither_sympy_nor_networkx():
    code = (
        "import sys; from chainrule.cli.entry import main; main(['values', '3-4-2', '--json']);"
        "print(sorted({'sympy', 'networkx'} & set(sys.modules)), file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr.strip() == "[]"


def test_a_case_file_of_another_network_is_refused(run_cli):
    _, _, err = run_cli("values", "2-2-2", "--case", "tests/golden/cases/tanh-2-2-1.json", expect=2)
    assert "2-2-2 and the case file's sizes 2-2-1 disagree" in err


def test_a_large_network_answers_quickly():
    """784-512-512-10 with one example, every number of it, as a whole process (the budget's
    target is 2 s on an idle machine; a shared test machine gets some slack)."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "chainrule", "values", "784-512-512-10", "--json"],
        capture_output=True,
    )
    elapsed = time.perf_counter() - start
    assert result.returncode == 0 and result.stdout.count(b'"of":') == 1_338_388
    assert elapsed < 20, f"{elapsed:.1f} s"


def test_bad_options_of_the_api_name_keywords():
    with pytest.raises(SpecError, match="values takes no option 'epochs'"):
        api.values("2-2-2", epochs=3)


def test_the_latex_is_well_formed():
    from latex_check import katex_failures, structural_problems

    documents = [
        api.values("2-2-2", bias=True, examples=2),
        api.values("examples/graphs/mazur.json", case="examples/cases/mazur.json"),
        api.values("1-2", cost="softmax-ce"),
    ]
    from chainrule.present.values import latex

    blocks = []
    for record in documents:
        out = io.StringIO()
        latex(record, out)
        blocks += re.findall(r"\\\[\n(.*?)\n\\\]", out.getvalue(), re.S)
    assert blocks and all(structural_problems(block) == [] for block in blocks)
    # no double subscript or superscript (E_{total}_{...}, \theta_{11}^{(1)}^{+})
    twice = re.compile(r"_\{[^{}]*\}_\{|\^\{[^{}]*\}\^\{")
    assert not any(twice.search(block) for block in blocks)
    failures = katex_failures(blocks)
    assert failures in (None, [])
