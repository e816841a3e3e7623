"""A case for every subject: leaves named in a case file or a Python call, each refusal naming
the leaf, and verify and paths on the numbers given."""

import json

import numpy as np
import pytest

import chainrule.api as api
from chainrule.errors import SpecError
from chainrule.numeric.case import Case
from chainrule.verification.graphcase import GraphCase

TIED = "examples/graphs/tied.json"
GOOD = {"w": 0.5, "b": -0.25, "x": [1.0, 2.0], "y": [0.0, 1.0]}


def test_a_graph_case_holds_its_leaves_and_its_graph():
    case = api.case(TIED, GOOD)
    assert isinstance(case, GraphCase)
    assert case.examples == 2 and case.parameters == {"w": 0.5, "b": -0.25}
    assert case.as_dict() == {"values": GOOD}
    assert api.case(TIED, {"values": GOOD}).as_dict() == case.as_dict()


@pytest.mark.parametrize(
    "values, message",
    [
        ({**GOOD, "v": 1.0}, "unknown leaf 'v': tied.json's leaves are the parameters w, b, "),
        ({**GOOD, "h": [1.0, 2.0]}, "'h' is computed by tied.json, not given"),
        ({key: GOOD[key] for key in ("w", "x", "y")}, "the case gives no value for b"),
        ({**GOOD, "w": [0.5]}, "'w' is a parameter: give it one number"),
        ({**GOOD, "x": 1.0}, "'x' is an input: give it one number per example, as a list"),
        ({**GOOD, "y": [0.0]}, "'y' has 1 number, one per example; 'x' has 2"),
        ({**GOOD, "x": []}, "'x' has no examples"),
        ({**GOOD, "w": float("inf")}, "'w' holds inf, which is not a finite number"),
        ({**GOOD, "b": float("nan")}, "'b' holds nan, which is not a finite number"),
        ({**GOOD, "x": [1.0, "2"]}, "'x' holds '2', which is not a number"),
        ({**GOOD, "w": True}, "'w' holds True, which is not a number"),
        ({**GOOD, "w": 10**400}, "'w' holds a number too large for a float"),
        ([1, 2], "a case of named leaves is an object"),
    ],
)
def test_every_bad_case_is_refused_naming_the_leaf(values, message):
    with pytest.raises(SpecError) as error:
        api.case(TIED, values)
    assert message in str(error.value)


def test_layer_sizes_take_their_leaves_by_name_too():
    values = {
        "theta^(1)_10": 0.1,
        "theta^(1)_11": 0.2,
        "theta^(2)_10": -0.3,
        "theta^(2)_11": 0.4,
        "x_1": [0.5, -1.0],
        "y_1": [1.0, 0.0],
    }
    case = api.case("1-1-1", values, bias=True)
    assert isinstance(case, Case)
    assert case.biases[0].tolist() == [0.1] and case.weights[1].tolist() == [[0.4]]
    assert case.inputs.tolist() == [[0.5], [-1.0]]
    with pytest.raises(SpecError, match="'z\\^\\(2\\)_1' is computed by 1-1-1"):
        api.case("1-1-1", {**values, "z^(2)_1": [0.0, 0.0]}, bias=True)


def test_rnn_and_resnet_cases_name_their_own_leaves():
    rnn = api.case(
        "rnn:1-1-1:2",
        {
            "U_11": 0.5,
            "W_11": -0.5,
            "V_11": 2.0,
            "x^(1)_1": [1.0],
            "x^(2)_1": [0.5],
            "y^(2)_1": [1],
        },
    )
    assert rnn.examples == 1 and set(rnn.parameters) == {"U_11", "W_11", "V_11"}
    with pytest.raises(SpecError, match="unknown leaf 'W_11'"):
        api.case("resnet:1x1", {"W_11": 1.0})


def test_verify_and_paths_run_on_a_graph_case(run_cli, tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"values": GOOD}))
    _, out, _ = run_cli("verify", TIED, "--case", str(path), "--json")
    document = json.loads(out)
    assert document["ok"] and document["reference"] == "sympy_diff"
    record = api.verify(case=api.case(TIED, GOOD))
    assert record.ok and record.source_gradients() == pytest.approx(
        document["gradients"]["sympy_diff"], rel=1e-12
    )
    _, out, _ = run_cli("paths", TIED, "--case", str(path), "--json")
    assert json.loads(out)["case"] == str(path) and json.loads(out)["check"]["ok"]


def test_a_graph_case_is_saved_and_read_back(run_cli, tmp_path):
    saved = tmp_path / "saved.json"
    run_cli("verify", TIED, "--seed", "3", "--examples", "2", "--save-case", str(saved))
    document = json.loads(saved.read_text())
    assert set(document) == {"values"} and len(document["values"]["x"]) == 2
    _, first, _ = run_cli("verify", TIED, "--seed", "3", "--examples", "2", "--json")
    _, again, _ = run_cli("verify", TIED, "--case", str(saved), "--json")
    assert json.loads(first)["gradients"] == json.loads(again)["gradients"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["verify", "--case", "CASE"], "names leaves: give the ARCH they belong to"),
        (["verify", "2-2-2", "--case", "CASE"], "unknown leaf 'w': 2-2-2's leaves are"),
        (["verify", TIED, "--case", "LAYERED"], "describes a layered network; a graph's case"),
        (["verify", TIED, "--case", "CASE", "--seed", "2"], "--seed draws a random case"),
        (["paths", TIED, "--case", "EXTRA"], "unknown field 'sizes' beside 'values'"),
    ],
)
def test_case_files_that_do_not_fit_are_one_line(run_cli, tmp_path, argv, message):
    files = {
        "CASE": {"values": GOOD},
        "EXTRA": {"values": GOOD, "sizes": [1, 1]},
        "LAYERED": json.loads(open("tests/golden/cases/tanh-2-2-1.json").read()),
    }
    for name, document in files.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(document))
    argv = [str(tmp_path / f"{a}.json") if a in files else a for a in argv]
    _, out, err = run_cli(*argv, expect=2)
    assert out == "" and err.count("\n") == 1 and message in err


def test_init_scale_zero_is_a_case_of_zero_weights(run_cli):
    _, out, _ = run_cli("verify", "2-2-2", "--init-scale", "0")
    assert "every weight 0" in out and "agrees" in out
    record = api.verify(TIED, init_scale=0)
    assert record.case.parameters == {"w": 0.0, "b": 0.0} and record.ok
    assert np.all(api.train("2-2-1", init_scale=0, epochs=1).start.weights[0] == 0)
    _, _, err = run_cli("verify", "2-2-2", "--init-scale", "-1", expect=2)
    assert "expected a number, 0 or more, got '-1'" in err


def test_nan_and_infinity_in_a_case_file_are_refused_by_the_leaf_that_holds_them(run_cli, tmp_path):
    path = tmp_path / "nan.json"
    path.write_text('{"values": {"w": 0.5, "b": NaN, "x": [1, Infinity], "y": [0, 1]}}')
    _, _, err = run_cli("values", TIED, "--case", str(path), expect=2)
    assert (
        err
        == f"chainrule: error: case file '{path}': 'b' holds nan, which is not a finite number\n"
    )
    path.write_text('{"values": {"w": 0.5, "b": 0, "x": [1, 1e999], "y": [0, 1]}}')
    _, _, err = run_cli("verify", TIED, "--case", str(path), expect=2)
    assert "'x' holds inf, which is not a finite number" in err
