"""``report --case``: a worked example as a document (issue 18, item 5).

Every number of the record is checked against HIPS autograd through the programs of
tests/test_values.py (written from the documented equations): the forward pass, each factor,
each chain's product, each gradient (the sum of its chains), the update and the cost after it.
The documents are checked as documents: the .tex compiles with pdflatex, the .html parses with
its MathML well-formed XML, and the sections come in a published post's order.
"""

import html.parser
import json
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest

import chainrule.api as api
from chainrule.errors import SpecError, TooLarge
from chainrule.graph.spec import Network
from chainrule.numeric.case import random_case
from chainrule.present.report import save

pytest.importorskip("autograd")
from test_values import (
    GRAPH_CASES,
    TOLERANCE,
    graph_file_program,
    layered_program,
    resnet_program,
    rnn_program,
)

MAZUR = ("examples/graphs/mazur.json", "--case", "examples/cases/mazur.json")
SECTIONS = [
    "The network and its numbers",
    "The forward pass",
    "The error",
    "The backward pass, output layer first",
    "The update",
    "The cost after the step",
]


def close(got, expected) -> bool:
    return bool(np.allclose(got, expected, **TOLERANCE))


def check_worked(record, program, lr: float = 0.5, frozen=()) -> None:
    """The record's every number against autograd's program of the same case."""
    values, deltas = program.numbers()
    document = record.as_dict()
    for name, row in document["forward"].items():
        assert close(row, values[name]), name
    for kind in ("parameters", "inputs", "targets"):
        for name, given in document["given"][kind].items():
            if name in values:
                assert close(given, values[name]), name
    assert document["cost"] == pytest.approx(float(np.sum(values[program.nodes[-1][0]])))
    written = []
    for entry in document["backward"]:
        name = entry["parameter"]
        written.append(name)
        total = 0.0
        for chain in entry["chains"]:
            product = np.ones(program.m)
            for factor in chain["factors"]:
                expected = program.factor(factor["of"], factor["wrt"], values)
                assert close(factor["value"], expected), (name, factor)
                product = product * np.asarray(factor["value"])
            assert chain["value"] == pytest.approx(float(product.sum()), rel=1e-12, abs=1e-12)
            total += chain["value"]
        assert entry["gradient"] == pytest.approx(total, rel=1e-12, abs=1e-12), name
        expected = float(np.sum(deltas[name]))
        assert entry["gradient"] == pytest.approx(expected, rel=1e-12, abs=1e-12), name
    step = document["step"]
    assert step["lr"] == lr and step["frozen"] == list(frozen)
    for name, updated in step["updated"].items():
        gradient = 0.0 if name in frozen else float(np.sum(deltas[name]))
        start = document["given"]["parameters"][name]
        assert updated == pytest.approx(start - lr * gradient, rel=1e-12, abs=1e-12), name
    expected = program.cost_after(step["updated"])
    assert step["cost_after"] == pytest.approx(expected, rel=1e-12, abs=1e-12)
    return written


def test_the_mazur_example_agrees_with_autograd_and_the_post():
    record = api.report(MAZUR[0], case=MAZUR[2], freeze=["b1,b2"])
    given = json.loads(Path(MAZUR[2]).read_text())["values"]
    program = graph_file_program(MAZUR[0], given)
    written = check_worked(record, program, frozen=("b1", "b2"))
    # output layer first, each layer in the graph's order
    assert written == ["w5", "w6", "w7", "w8", "b2", "w1", "w2", "w3", "w4", "b1"]
    document = record.as_dict()
    # the post's published figures, to the digits it prints
    assert round(document["backward"][0]["gradient"], 9) == 0.082167041
    assert round(document["step"]["updated"]["w5"], 8) == 0.35891648
    assert round(document["step"]["updated"]["w1"], 9) == 0.149780716
    assert round(document["step"]["cost_after"], 9) == 0.291027774


@pytest.mark.parametrize(
    "network",
    [Network([2, 2, 2]), Network([2, 3, 2], bias=True, activation="tanh", cost="softmax-ce")],
    ids=lambda n: n.architecture,
)
@pytest.mark.parametrize("examples", [1, 3])
def test_layered_worked_examples_agree_with_autograd(network, examples):
    case = random_case(network, examples=examples, seed=examples + 4)
    record = api.report(case=case, lr=0.25)
    written = check_worked(record, layered_program(case), lr=0.25)
    # the output layer's weights come first
    layers = [int(name.split("(")[1].split(")")[0]) for name in written]
    assert layers == sorted(layers, reverse=True)


@pytest.mark.parametrize("path, values", GRAPH_CASES, ids=lambda p: str(p)[:30])
def test_graph_file_worked_examples_agree_with_autograd(path, values):
    values = values.get("values", values)
    record = api.report(path, case=api.case(path, values))
    check_worked(record, graph_file_program(path, values))


def _leaves(record):
    return {
        name: (row if record.kind_of(name) == "input" else row[0])
        for name, row in record.as_dict()["forward"].items()
        if record.kind_of(name) in ("input", "param")
    }


def test_rnn_and_resnet_worked_examples_agree_with_autograd():
    options = {"bias": True, "activation": "tanh,sigmoid"}
    drawn = api.values("rnn:2-2-1:2", examples=2, seed=3, **options)
    leaves = {**_leaves(drawn), "y^(2)_1": [0.25, 0.75]}
    record = api.report("rnn:2-2-1:2", case=api.case("rnn:2-2-1:2", leaves, **options), **options)
    check_worked(record, rnn_program(2, 2, 1, 2, leaves))

    options = {"activation": "tanh,sigmoid", "cost": "bce"}
    drawn = api.values("resnet:2x2", examples=2, seed=4, **options)
    leaves = {**_leaves(drawn), "y_1": [1.0, 0.0]}
    record = api.report("resnet:2x2", case=api.case("resnet:2x2", leaves, **options), **options)
    check_worked(record, resnet_program(2, 2, leaves))


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    folder = tmp_path_factory.mktemp("worked")
    graph = api.report(MAZUR[0], case=MAZUR[2], freeze=["b1,b2"])
    layered = api.report(case=random_case(Network([2, 2, 2], bias=True), examples=2, seed=1))
    for name, record in (("graph", graph), ("layered", layered)):
        for suffix in (".tex", ".md", ".html"):
            assert save(record, folder / f"{name}{suffix}") == [str(folder / f"{name}{suffix}")]
    return folder


def test_the_sections_come_in_a_posts_order(documents):
    for name in ("graph", "layered"):
        text = (documents / f"{name}.md").read_text()
        headings = re.findall(r"^## (.*)$", text, re.M)
        assert headings == SECTIONS, name
    text = (documents / "graph.md").read_text()
    assert "&= 1 \\cdot 0.741365 \\cdot 0.186816 \\cdot 0.593270 \\\\\n&= 0.082167" in text
    assert "| $w_{5}$ | 0.4 | 0.08216704056 | 0.3589164797 |" in text
    assert "b1, b2 held fixed" in text
    text = (documents / "layered.md").read_text()
    assert r"\quad \text{(example 2)}" in text


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("name", ["graph", "layered"])
def test_the_tex_compiles_with_pdflatex(documents, tmp_path, name):
    shutil.copy(documents / f"{name}.tex", tmp_path / "w.tex")
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "w.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "w.pdf").read_bytes().startswith(b"%PDF")


class _Checker(html.parser.HTMLParser):
    """Every element opened is closed, in order (HTML's void elements aside)."""

    VOID = {"meta", "br", "hr", "img", "link", "input", "mspace"}

    def __init__(self):
        super().__init__()
        self.open, self.problems, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.problems.append((tag, list(self.open[-3:])))
        else:
            self.open.pop()


@pytest.mark.parametrize("name", ["graph", "layered"])
def test_the_html_is_well_formed_and_offline(documents, name):
    text = (documents / f"{name}.html").read_text()
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert checker.problems == [] and checker.open == []
    assert "script" not in checker.tags and "link" not in checker.tags
    assert [h for h in re.findall(r"<h2>(.*?)</h2>", text)] == SECTIONS
    # every equation is well-formed XML, once the named entities of HTML that SymPy's MathML
    # printer writes (valid in an HTML page) are written as numbers
    named = {"&InvisibleTimes;": "&#x2062;", "&ExponentialE;": "&#x2147;"}
    for block in re.findall(r"<math.*?</math>", text, re.S):
        for entity, number in named.items():
            block = block.replace(entity, number)
        ElementTree.fromstring(block)


def test_the_cli_writes_what_the_api_records(run_cli, tmp_path):
    _, out, _ = run_cli("report", *MAZUR, "--freeze", "b1,b2", "-o", str(tmp_path / "w.md"))
    assert out == f"wrote {tmp_path / 'w.md'}\n"
    save(api.report(MAZUR[0], case=MAZUR[2], freeze=["b1,b2"]), tmp_path / "api.md")
    assert (tmp_path / "w.md").read_text() == (tmp_path / "api.md").read_text()
    assert not (tmp_path / "w-figure.png").exists()
    _, _, _ = run_cli(
        "report",
        "--case",
        "examples/cases/mazur-2-2-2.json",
        "--lr",
        "0.1",
        "-o",
        str(tmp_path / "l.html"),
    )
    assert "with η = 0.1" in (tmp_path / "l.html").read_text()


@pytest.mark.parametrize(
    "arguments, message",
    [
        (("2-2-2", "--lr", "0.1"), "--lr is for a worked example, which --case FILE writes"),
        (("2-2-2", "--freeze", "w1"), "--freeze is for a worked example"),
        ((*MAZUR, "--seed", "2"), "the case file holds the numbers"),
        ((*MAZUR, "--freeze", "q"), "no parameter 'q'"),
        ((*MAZUR, "--limit", "3"), "raise it with --limit 18"),
        ((*MAZUR, "--max-numbers", "10"), "raise it with --max-numbers"),
        (("2-2-2", "--case", "examples/cases/mazur.json"), "unknown leaf 'i1'"),
        (("examples/graphs/mazur.json",), "layer sizes"),
        (("--case", "examples/cases/mazur.json"), "ARCH"),
    ],
)
def test_refusals_are_one_line(run_cli, tmp_path, arguments, message):
    _, out, err = run_cli("report", *arguments, "-o", str(tmp_path / "w.md"), expect=2)
    assert out == "" and err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "w.md").exists()


def test_the_api_refuses_by_keyword():
    with pytest.raises(SpecError, match="lr is for a worked example, which case="):
        api.report("2-2-2", lr=0.1)
    with pytest.raises(TooLarge, match="limit="):
        api.report(MAZUR[0], case=MAZUR[2], limit=3)


@pytest.mark.parametrize(
    "values, message",
    [
        ('{"values": {"w": NaN, "b": 0.1, "x": [0.5], "y": [0.2]}}', "'w'"),
        ('{"values": {"w": 0.3, "b": 0.1, "x": [0.5, 1.0], "y": [0.2]}}', "'y'"),
        ('{"values": {"w": 0.3, "b": 0.1, "x": [0.5], "y": [0.2], "q": 1}}', "'q'"),
        ('{"values": {"w": 0.3, "b": 0.1, "x": [0.5]}}', "no value for y"),
    ],
    ids=["nan", "lengths", "unknown", "missing"],
)
@pytest.mark.parametrize(
    "command", [("chains", "--view", "numbers"), ("delta",), ("report", "-o", "w.md")]
)
def test_a_hostile_case_is_refused_in_one_line_naming_the_leaf(
    run_cli, tmp_path, monkeypatch, values, message, command
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "case.json").write_text(values)
    graph = str(Path(__file__).parent.parent / "examples/graphs/tied.json")
    _, out, err = run_cli(command[0], graph, "--case", "case.json", *command[1:], expect=2)
    assert out == "" and err.startswith("chainrule: error: ") and err.count("\n") == 1, err
    assert message in err, err
    assert not (tmp_path / "w.md").exists()
