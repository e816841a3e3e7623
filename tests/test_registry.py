"""One registry of named things: an activation is its line in the rules table (and its line in
the numeric oracle's deliberate copy), and every place that takes an activation by name knows it.

The test adds swish, x·σ(x), at run time and asks every such place; each place is one function
of PLACES, so a new place (the explorer's choice list) is one more function there.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import chainrule
from chainrule import rules
from chainrule.graph.spec import Network
from chainrule.numeric import backprop as oracle

ROOT = Path(__file__).resolve().parent.parent
NAME = "swish"


def _sigmoid(z):
    return 1 / (1 + sp.exp(-z))


def _oracle_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


#: swish and its derivative σ(z)(1 + z(1 − σ(z))), written in z (a = z·σ(z) would divide by z).
SWISH = rules.ActivationRule(
    NAME, lambda z: z * _sigmoid(z), lambda z, a: _sigmoid(z) * (1 + z * (1 - _sigmoid(z)))
)
ORACLE_SWISH = (
    lambda z: z * _oracle_sigmoid(z),
    lambda z, a: _oracle_sigmoid(z) * (1.0 + z * (1.0 - _oracle_sigmoid(z))),
)


def add_activation(patch: pytest.MonkeyPatch, rule=SWISH, numeric=ORACLE_SWISH) -> None:
    """Add an activation the way the README's recipe does, at run time: its line in the rules
    table and its line in the oracle's own table. `patch` undoes both."""
    patch.setitem(rules.ACTIVATIONS, rule.name, rule)
    patch.setitem(oracle.ACTIVATIONS, rule.name, numeric)


@pytest.fixture
def swish(monkeypatch):
    add_activation(monkeypatch)
    return NAME


# -- the places that take an activation by name ---------------------------------------------------


def layered_count(name, run_cli, tmp_path):
    _, out, _ = run_cli("count", "2-2-1", "--activation", name)
    _, default, _ = run_cli("count", "2-2-1")
    assert out == default  # counts do not depend on the activation
    assert "2-2-1                  6       6     26" in out


def layered_chains_local(name, run_cli, tmp_path):
    _, out, _ = run_cli(
        "chains", "2-2-1", "--activation", name, "--view", "local", "--param", "2,1,1"
    )
    assert out.splitlines() == [
        "dJ/dtheta^(2)_11: 1 chain, 3 terms",
        "  (a^(3)_1 - y_1)/m * (z^(3)_1*(1 - 1/(1 + exp(-z^(3)_1))) + 1)/(1 + exp(-z^(3)_1))"
        " * a^(2)_1",
    ]


def layered_verify(name, run_cli, tmp_path):
    _, out, _ = run_cli("verify", "2-2-1", "--activation", name, "--json")
    document = json.loads(out)
    assert document["ok"] is True and document["reference"] == "backprop"
    checked = {method: result["ok"] for method, result in document["methods"].items()}
    assert checked == {
        "backprop": None,  # the reference
        "chain_sum": True,
        "delta": True,
        "matrix": True,  # the matrix form reads f' from the rules table too
        "finite_differences": True,
        "sympy_diff": True,
    }


def graph_file(name, run_cli, tmp_path):
    path = tmp_path / "g.json"
    path.write_text(
        json.dumps(
            {
                "inputs": ["x"],
                "parameters": ["w"],
                "targets": ["y"],
                "nodes": {"h": f"{name}(w*x)"},
                "cost": "(h - y)^2 / 2",
            }
        )
    )
    _, out, _ = run_cli("chains", str(path), "--param", "w", "--view", "local")
    # d/dw of w·x·σ(w·x): x·σ + w·x²·σ(1 − σ), with σ(1 − σ) = exp(−wx)/(1 + exp(−wx))²
    assert out.splitlines()[1] == (
        "  (h - y) * (w*x**2*exp(-w*x)/(1 + exp(-w*x))**2 + x/(1 + exp(-w*x)))"
    )
    _, out, _ = run_cli("verify", str(path))
    assert out.splitlines()[-1] == "every method computed agrees with sympy.diff"
    from chainrule.graph.graphfile import parse_formula

    w = sp.Symbol("w", real=True)
    assert parse_formula(f"{name}(w) + {name}(0)", {"w": w}) == w / (1 + sp.exp(-w))
    assert parse_formula(f"{name}(2)*w", {"w": w}) == 2 * w / (1 + sp.exp(-2))


def claim(name, run_cli, tmp_path):
    network = Network([2, 2, 1], activation=name)
    correct = f"delta^(3)_1 = (a^(3)_1 - y_1)/m * {name}'(z^(3)_1)"
    assert chainrule.check(network, correct)["verdict"] == "correct"
    wrong = chainrule.check(network, f"delta^(3)_1 = (a^(3)_1 - y_1) * {name}'(z^(3)_1)")
    assert wrong["diagnosis"]["kind"] == "factor"
    status, out, _ = run_cli("check", "2-2-1", "--activation", name, correct)
    assert out.splitlines()[1] == "  correct: proven: claim − true ≡ 0 (an exact symbolic proof)"


def attribute(name, run_cli, tmp_path):
    x = sp.Symbol("x")
    assert getattr(chainrule, name)(x) == x / (1 + sp.exp(-x))
    assert getattr(chainrule, name)(0) == 0
    assert name in dir(chainrule)
    from chainrule.graph import dag

    assert getattr(dag, name) is getattr(chainrule, name)


def oracle_agrees(name, run_cli, tmp_path):
    """The oracle's copy states the same function (the rules test does this for the table's
    own activations)."""
    z = sp.Symbol("z", real=True)
    rule, (function, derivative) = rules.ACTIVATIONS[name], oracle.ACTIVATIONS[name]
    points = np.array([-2.5, -0.7, 0.4, 1.9])
    np.testing.assert_allclose(
        function(points), [float(rule.function(z).subs(z, p)) for p in points]
    )
    expected = [float(rule.derivative(z, rule.function(z)).subs(z, p)) for p in points]
    np.testing.assert_allclose(derivative(points, function(points)), expected)
    assert sp.simplify(sp.diff(rule.function(z), z) - rule.derivative(z, rule.function(z))) == 0


def explorer_choices(name, run_cli, tmp_path):
    """The explorer's page lists its activations from /api/options, served and in a static
    page alike, and the API takes the new one."""
    import warnings

    pytest.importorskip("starlette")
    from chainrule.explore.export import static_documents, static_page
    from chainrule.explore.server import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's note about httpx versions
        from starlette.testclient import TestClient

        client = TestClient(create_app(allowed_hosts=["testserver"]))
    assert name in client.get("/api/options").json()["activations"]
    counted = client.get("/api/count", params={"arch": "2-2-1", "activation": name})
    assert counted.status_code == 200 and counted.json()[0]["terms"] == 26
    page = static_page({"arch": "1-1-1", "activation": name}, command="chainrule explore")
    documents = static_documents(page)
    assert name in documents["/api/options"]["activations"]
    assert documents[f"/api/verify?arch=1-1-1&activation={name}&seed=0"]["ok"] is True


PLACES = [
    layered_count,
    layered_chains_local,
    layered_verify,
    graph_file,
    claim,
    attribute,
    oracle_agrees,
    explorer_choices,
]


@pytest.mark.parametrize("place", PLACES, ids=lambda place: place.__name__)
def test_an_activation_added_to_the_rules_is_known_there(place, swish, run_cli, tmp_path):
    place(swish, run_cli, tmp_path)


def test_an_activation_not_in_the_rules_is_known_nowhere(run_cli, monkeypatch):
    with monkeypatch.context() as patch:
        add_activation(patch)
        assert getattr(chainrule, NAME) is not None
    assert NAME not in rules.ACTIVATIONS and NAME not in oracle.ACTIVATIONS
    assert not hasattr(chainrule, NAME)
    status, _, err = run_cli("count", "2-2-1", "--activation", NAME, expect=2)
    assert err.startswith(f"chainrule: error: unknown activation {NAME!r}")


# -- the names are written in the registry only ---------------------------------------------------

#: Where the names are written: the rules table, and the oracle's deliberate independent copy.
OWNERS = {"chainrule/rules.py", "chainrule/numeric/backprop.py"}
#: The explorer's page (HTML, CSS, JavaScript): its lists and defaults come from /api/options.
PAGE = ROOT / "chainrule" / "explore" / "page"


def _quoted_names() -> re.Pattern:
    names = {*rules.ACTIVATIONS, rules.DEFAULT_ACTIVATION, rules.DEFAULT_COST}
    alternatives = "|".join(map(re.escape, sorted(names)))
    return re.compile(r"""(["'])(?:""" + alternatives + r")\1")


def _docstring_lines(source: str) -> set[int]:
    """The first lines of the docstrings of a module, its classes and functions."""
    import ast

    lines = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                if isinstance(body[0].value.value, str):
                    lines.add(body[0].lineno)
    return lines


def written_names(path: Path) -> list[str]:
    """Every string and comment of a module that quotes an activation's name or a default, as
    "line: text". Docstrings are left out: their examples use the activations as a user does
    (``activation="tanh"``), run as doctests, and list none."""
    source = path.read_text(encoding="utf-8")
    quoted, docstrings = _quoted_names(), _docstring_lines(source)
    kinds = {tokenize.STRING, tokenize.COMMENT, getattr(tokenize, "FSTRING_MIDDLE", -1)}
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING and token.start[0] in docstrings:
            continue
        if token.type in kinds and quoted.search(token.string):
            found.append(f"{token.start[0]}: {token.string.strip()[:80]}")
    return found


def test_activation_names_and_defaults_are_written_only_in_the_registry():
    found = {}
    for path in sorted((ROOT / "chainrule").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in OWNERS:
            continue
        if written := written_names(path):
            found[relative] = written
    assert found == {}


def test_the_explorers_page_names_no_activation_or_cost():
    names = {*rules.ACTIVATIONS, *rules.COSTS}
    word = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(names))) + r")(?![\w-])")
    found = {
        path.name: word.findall(path.read_text(encoding="utf-8"))
        for path in sorted(PAGE.iterdir())
        if path.suffix in (".html", ".css", ".js")
    }
    assert len(found) == 3 and not any(found.values()), found


def test_the_scan_would_see_a_name_written_in_code_or_a_comment(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text(
        '"""A docstring may say activation="tanh"."""\n'
        'X = ("relu", 1)\n'
        "# the 'mse' default\n"
        "message = f\"no {X} here, but 'sigmoid' is\"\n"
        'fine = "tanh,sigmoid"\n'
    )
    found = written_names(path)
    assert [line.split(":")[0] for line in found] == ["2", "3", "4"]
    assert (ROOT / "chainrule" / "rules.py").is_file()  # the owners exist, named as here
    assert (ROOT / "chainrule" / "numeric" / "backprop.py").is_file()
