"""train from a case: given weights (layer sizes or any graph), parameters held, the epochs shown,
the trained case written, and a data file's weights never ignored."""

import json

import numpy as np
import pytest

import chainrule.api as api
from chainrule.errors import TooLarge

MAZUR = "examples/graphs/mazur.json"
MAZUR_CASE = "examples/cases/mazur.json"


def test_a_graph_trains_from_its_case_with_its_biases_held():
    """The published example's network, trained by its own formulas: one step gives the cost
    that updating the weights by the gradient at the start gives, and 10,000 steps go down."""
    record = api.train(MAZUR, case=MAZUR_CASE, freeze=["b1,b2"], lr=0.5, epochs=10_000)
    assert record.costs[1] == pytest.approx(0.291027773693599, rel=1e-12)
    assert record.costs[-1] == pytest.approx(3.510187782978859e-05, rel=1e-9)
    final = record.final_parameters()
    assert final["b1"] == 0.35 and final["b2"] == 0.6 and final["w5"] < 0
    # numpy's layered 2-2-2 with the biases held equal and fixed gives the same numbers
    layered = {
        "sizes": [2, 2, 2],
        "bias": True,
        "weights": [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
        "biases": [[0.35, 0.35], [0.6, 0.6]],
        "inputs": [[0.05, 0.1]],
        "targets": [[0.01, 0.99]],
        "cost": "se",
    }
    from chainrule.verification.casefile import case_from_dict

    again = api.train(
        case=case_from_dict(layered), freeze=["1,1,0,1,2,0,2,1,0,2,2,0"], lr=0.5, epochs=10_000
    )
    assert np.allclose(again.costs, record.costs, rtol=1e-10, atol=1e-15)


def test_every_shows_every_nth_epoch_and_the_last(run_cli):
    _, out, _ = run_cli("train", "2-2-1", "--epochs", "10", "--every", "4")
    assert [line.split()[1] for line in out.splitlines() if line.startswith("epoch")] == [
        "0",
        "4",
        "8",
        "10",
    ]
    _, out, _ = run_cli("train", "2-2-1", "--epochs", "10", "--every", "4", "--json")
    document = json.loads(out)
    assert [row["epoch"] for row in document["costs"]] == [0, 4, 8, 10]
    assert list(document)[-1] == "final" and set(document["final"]) == {"cost", "parameters"}
    assert document["final"]["cost"] == document["costs"][-1]["cost"]


def test_save_case_writes_the_trained_weights_and_train_reads_them_back(run_cli, tmp_path):
    saved = tmp_path / "trained.json"
    _, out, _ = run_cli(
        "train", MAZUR, "--case", MAZUR_CASE, "--epochs", "3", "--save-case", str(saved), "--json"
    )
    final = json.loads(out)["final"]
    assert json.loads(saved.read_text())["values"]["w5"] == final["parameters"]["w5"]
    _, out, _ = run_cli("train", MAZUR, "--case", str(saved), "--epochs", "1", "--json")
    assert json.loads(out)["costs"][0]["cost"] == pytest.approx(final["cost"], rel=1e-12)


def test_a_data_file_with_weights_starts_from_them(run_cli, tmp_path):
    """It started from random weights, without a word (epoch 0 at 0.5258, not the file's
    0.2984): it starts from the file's weights now, and says so."""
    data = "tests/golden/cases/tanh-2-2-1.json"
    _, out, _ = run_cli("train", "2-2-1", "--data", data, "--epochs", "1")
    assert out.startswith(f"train 2-2-1 from the weights in data file {data}\n")
    verified = api.verify(case=data)
    assert f"epoch      0  cost {verified.cost:.10g}" in out
    _, _, err = run_cli("train", "2-2-1", "--data", data, "--seed", "3", expect=2)
    assert "holds the starting weights too (training starts from them); --seed" in err
    _, _, err = run_cli("train", "2-2-2", "--data", data, expect=2)
    assert "must have 2 and 2 numbers a row" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--case", MAZUR_CASE], "names leaves: give the ARCH they belong to"),
        ([MAZUR, "--case", MAZUR_CASE, "--data", "random"], "drop --data random"),
        ([MAZUR, "--case", MAZUR_CASE, "--seed", "4"], "--seed draws a random case"),
        ([MAZUR, "--case", MAZUR_CASE, "--freeze", "w9"], "--freeze: no parameter 'w9'"),
        (["2-2-1", "--freeze", "4,1,1"], "--freeze: no parameter theta^(4)_11 in 2-2-1"),
        ([MAZUR, "--data", "random"], "mazur.json's case holds its data; drop --data random"),
        ([MAZUR, "--case", MAZUR_CASE, "--epochs", "100000"], "train for at most"),
        (["2-2-1", "--every", "0"], "argument --every: expected a positive integer"),
    ],
)
def test_refusals_are_one_line(run_cli, argv, message):
    _, out, err = run_cli("train", *argv, expect=2)
    assert out == "" and err.count("\n") == 1 and message in err


def test_a_graph_too_large_for_a_run_is_refused_before_it_starts():
    with pytest.raises(TooLarge, match="epochs of rnn:1-2-1:4 on 4 examples take about"):
        api.train("rnn:1-2-1:4", epochs=100_000)
    with pytest.raises(TooLarge, match="cannot train rnn:2-8-1:12: its local derivatives"):
        api.train("rnn:2-8-1:12", epochs=10)


def test_freeze_holds_layered_weights():
    record = api.train("2-2-1", bias=True, epochs=5, freeze=["theta^(1)_10,2,1,0"])
    start, final = record.starting_parameters(), record.final_parameters()
    assert final["theta^(1)_10"] == start["theta^(1)_10"]
    assert final["theta^(2)_10"] == start["theta^(2)_10"]
    assert final["theta^(1)_11"] != start["theta^(1)_11"]
    assert record.frozen == ("theta^(1)_10", "theta^(2)_10")
