"""The explorer's HTTP API answers exactly what the CLI's --json prints, refuses what it should,
and reads no file named by a request."""

import json
import re
import warnings
from pathlib import Path

import pytest

from chainrule.cli.entry import main

pytest.importorskip("starlette")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx versions
    from starlette.testclient import TestClient

from chainrule.explore.server import create_app
from chainrule.explore.work import TRAIN_CHUNK

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "graphs"


def client_of(app) -> TestClient:
    """A client of `app`; used in a ``with`` block, it starts the app's workers and stops them
    at the end."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's note about httpx versions
        return TestClient(app)


@pytest.fixture(scope="module")
def client():
    with client_of(create_app(allowed_hosts=["testserver"])) as client:
        yield client


def cli_json(capsys, *argv):
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, (json.loads(captured.out) if captured.out else None), captured.err


@pytest.mark.parametrize(
    "url, argv",
    [
        ("/api/count?arch=2-2-2", ["count", "2-2-2", "--json"]),
        (
            "/api/count?arch=3-4-2&ops=true&bias=true",
            ["count", "3-4-2", "--json", "--ops", "--bias"],
        ),
        (
            "/api/chains?arch=2-2-2&param=1,1,1&view=local",
            ["chains", "2-2-2", "--param", "1,1,1", "--view", "local", "--json"],
        ),
        (
            "/api/chains?arch=2-3-2&param=2,1,3&param=1,1,1&activation=tanh&cost=se",
            [
                "chains",
                "2-3-2",
                "--param",
                "2,1,3",
                "--param",
                "1,1,1",
                "--activation",
                "tanh",
                "--cost",
                "se",
                "--json",
            ],
        ),
        ("/api/chains?arch=2-2&view=closed", ["chains", "2-2", "--view", "closed", "--json"]),
        (
            "/api/delta?arch=2-2-2&param=1,1,1&ops=1",
            ["delta", "2-2-2", "--param", "1,1,1", "--ops", "--json"],
        ),
        ("/api/delta?arch=2-2-2&wrt=inputs", ["delta", "2-2-2", "--wrt", "inputs", "--json"]),
        (
            "/api/verify?arch=2-3-1&seed=3&examples=2",
            ["verify", "2-3-1", "--seed", "3", "--examples", "2", "--json"],
        ),
    ],
)
def test_every_endpoint_is_the_cli_json(client, capsys, url, argv):
    response = client.get(url)
    status, document, _ = cli_json(capsys, *argv)
    assert response.status_code == 200 and status == 0
    if argv[0] == "verify":  # timings differ from run to run; everything else is identical
        for result in (*response.json()["methods"].values(), *document["methods"].values()):
            result.pop("seconds")
        got = response.json()
        for result in got["methods"].values():
            result.pop("seconds", None)
        assert got == document
    else:
        assert response.json() == document


@pytest.mark.parametrize(
    "url, argv",
    [
        ("/api/count?arch=2-0-2", ["count", "2-0-2", "--json"]),
        ("/api/chains?arch=2-2-2&param=3,1,1", ["chains", "2-2-2", "--param", "3,1,1", "--json"]),
        ("/api/chains?arch=4-6-6-3&limit=5", ["chains", "4-6-6-3", "--limit", "5", "--json"]),
        (
            "/api/count?arch=2-2-2&activation=sigmoidal",
            ["count", "2-2-2", "--activation", "sigmoidal", "--json"],
        ),
        ("/api/verify?arch=2-0-2", ["verify", "2-0-2", "--json"]),
        ("/api/delta?arch=2-2-2&param=3,1,1", ["delta", "2-2-2", "--param", "3,1,1", "--json"]),
    ],
)
def test_errors_are_400_with_the_cli_message(client, capsys, url, argv):
    """The command line's message, its options spelled as the API takes them (``limit=N``
    where the command line says ``--limit N``), so that its advice can be followed."""
    response = client.get(url)
    status, _, err = cli_json(capsys, *argv)
    assert status == 2 and response.status_code == 400
    as_the_command_line = re.sub(r"\b(limit|param)=", r"--\1 ", response.json()["error"])
    assert f"chainrule: error: {as_the_command_line}\n" == err


@pytest.mark.parametrize(
    "url, message",
    [
        (
            "/api/chains?arch=2-2-2&view=sideways",
            "view: expected one of abstract, local, closed, matrix, numbers, got 'sideways'",
        ),
        ("/api/chains?arch=2-2-2&limit=0", "limit: expected a positive integer, got '0'"),
        (
            "/api/chains?arch=2-2-2&frobnicate=1",
            "chains takes no option 'frobnicate'; it takes bias, activation, cost, max-graph, "
            "param, limit, wrt, view",
        ),
        (
            "/api/chains?arch=4-6-6-3&limit=5",
            "the selection has 558 chains, more than limit=5; raise it with limit=558 or select "
            "fewer with param=l,j,k",
        ),
        (
            "/api/chains?arch=4-6-6-3&limit=50000",
            "limit=50,000 is more than the explorer takes (10,000); start it with chainrule "
            "explore --limit 50000",
        ),
        ("/api/verify?arch=2-2-2&seed=-1", "seed: expected a whole number, got '-1'"),
        (
            "/api/verify?arch=2-2-2&examples=65",
            "examples=65 is more than the explorer takes (64); ask for examples=64 or fewer",
        ),
        ("/api/verify", "give an architecture (arch) or a graph file (graph)"),
        (
            "/api/delta?arch=100-100-100",
            "100-100-100 has 40,300 terms in the delta definitions, more than limit=10,000; "
            "the explorer takes at most 10,000; start it with chainrule explore --limit 40300 "
            "or factor one weight with param",
        ),
        (
            "/api/chains?arch=100-100-100&param=2,1,1",
            "60,801 nodes and edges in the computation graph of 100-100-100, more than the limit "
            "of 50,000; the explorer takes at most 50,000; start it with chainrule explore "
            "--max-graph 60801",
        ),
    ],
)
def test_refusals_name_options_as_the_api_takes_them(client, url, message):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["error"].startswith(message)


def test_the_options_are_the_rules_and_the_declared_options(client):
    from chainrule import rules
    from chainrule.budget import EXPLORER_CAPS
    from chainrule.records.options import VIEW

    document = client.get("/api/options").json()
    assert document["activations"] == list(rules.ACTIVATIONS)
    assert document["costs"] == list(rules.COSTS)
    assert document["views"] == list(VIEW.choices)  # the page shows those it has a button for
    assert document["defaults"] == {
        "bias": False,
        "activation": rules.DEFAULT_ACTIVATION,
        "cost": rules.DEFAULT_COST,
        "view": "abstract",
        "seed": 0,
        "epochs": 2000,
        "lr": 5.0,
    }
    assert document["caps"] == dict(EXPLORER_CAPS)
    assert client.get("/api/options?arch=2-2-2").status_code == 400


def test_a_graph_file_arrives_as_text_and_answers_as_the_cli(client, capsys):
    text = (EXAMPLES / "tied.json").read_text()
    posted = client.post("/api/chains?view=local", content=text)
    in_query = client.get("/api/delta", params={"graph": text, "param": "w"})
    _, chains, _ = cli_json(
        capsys, "chains", str(EXAMPLES / "tied.json"), "--view", "local", "--json"
    )
    _, delta, _ = cli_json(capsys, "delta", str(EXAMPLES / "tied.json"), "--param", "w", "--json")
    assert posted.status_code == in_query.status_code == 200
    assert posted.json() == chains
    assert json.dumps(in_query.json()) == json.dumps(delta).replace("tied.json", "graph.json")


def test_a_malformed_graph_is_refused_with_the_parsers_message(client):
    response = client.post("/api/count", content='{"inputs": ["x"], "cost": "x +* 2"}')
    assert response.status_code == 400
    assert response.json()["error"].startswith("graph file 'graph.json': ")
    assert "/tmp" not in response.json()["error"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/count?arch=/etc/passwd.json",
        "/api/chains?arch=../examples/graphs/tied.json",
        "/api/verify?arch=2-2-2&case=/etc/passwd",
        "/api/verify?arch=2-2-2&save-case=/tmp/x.json",
        "/api/train?arch=2-2-1&data=/etc/passwd",
        "/api/count?arch=2-2-2&output=/tmp/x.png",
    ],
)
def test_no_request_names_a_file(client, url):
    response = client.get(url)
    assert response.status_code == 400
    error = response.json()["error"]
    assert any(
        refusal in error for refusal in ("reads no files", "takes no option", "takes no parameter")
    )
    assert "root:" not in error  # nothing of the file's content, were it read


def test_values_go_in_as_values_never_as_options(client):
    """A value that looks like an option stays the option's value."""
    response = client.get("/api/chains", params={"arch": "2-2-2", "view": "--json"})
    assert response.status_code == 400
    assert "'--json'" in response.json()["error"]
    response = client.get("/api/count", params={"arch": "--help"})
    assert response.status_code == 400


def test_a_host_other_than_the_bound_address_is_refused():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = TestClient(create_app(host="127.0.0.1"), base_url="http://127.0.0.1")
        assert client.get("/api/count?arch=2-2-2").status_code == 200
        assert (
            client.get("/api/count?arch=2-2-2", headers={"host": "localhost:8000"}).status_code
            == 200
        )
        refused = client.get("/api/count?arch=2-2-2", headers={"host": "evil.example:8000"})
    assert refused.status_code == 400


def test_a_graph_too_large_to_build_is_refused_up_front(client):
    response = client.get("/api/chains?arch=1000-1000&param=1,1,1")
    assert response.status_code == 400
    assert "3,005,001 nodes and edges" in response.json()["error"]


def test_layout_is_the_drawings_positions(client):
    from chainrule.graph.build import build_graph
    from chainrule.graph.spec import Network
    from chainrule.records.layout import graph_positions

    document = client.get("/api/layout?arch=2-2-2").json()
    positions = graph_positions(build_graph(Network([2, 2, 2])), Network([2, 2, 2]))
    assert {n["name"]: (n["x"], -n["y"]) for n in document["nodes"]} == {
        name: (round(x, 4), round(y, 4)) for name, (x, y) in positions.items()
    }
    assert len(document["edges"]) == 22
    assert document["parameters"][:2] == ["theta^(1)_11", "theta^(1)_12"]


def test_layout_of_a_wide_network_is_the_drawings_summary(client):
    document = client.get("/api/layout?arch=30-2-1&param=1,2,27").json()
    assert document["summary"] == "layer 1 shows 12 of its 30 neurons"
    names = {n["name"] for n in document["nodes"]}
    assert {"x_27", "theta^(1)_2,27", "x_30"} <= names and "x_15" not in names


def test_layers_places_the_layer_level_graph_at_any_width(client):
    """/api/layers answers 784-512-512-10, whose scalar graph is refused: its tensors with
    their shapes, each Jacobian's shape and MathML, Θ^(1)'s batch form, and why the scalar
    graph cannot be shown."""
    from chainrule.graph.layers import network_layers
    from chainrule.graph.spec import Network

    response = client.get("/api/layers?arch=784-512-512-10")
    assert response.status_code == 200
    document = response.json()
    view = network_layers(Network([784, 512, 512, 10]))
    assert [(n["name"], n["size"]) for n in document["nodes"]] == [
        (tensor.name, str(tensor.shape)) for tensor in view.tensors
    ]
    assert {(e["from"], e["to"]) for e in document["edges"]} == {
        (edge.source, edge.target) for edge in view.edges
    }
    edge = next(e for e in document["edges"] if e["from"] == "Theta^(1)")
    assert (edge["shape"], edge["size"], edge["form"]) == ([512, 401408], "512×401408", "outer")
    assert edge["mathml"].startswith("<math")
    assert document["parameter"] == "Theta^(1)"
    assert document["parameters"] == ["Theta^(1)", "Theta^(2)", "Theta^(3)"]
    assert [line["kind"] for line in document["batch"]] == ["cost"] + ["delta"] * 3 + ["gradient"]
    assert document["scalar_refused"].startswith("2,009,913 nodes and edges")
    small = client.get("/api/layers?arch=2-2-2&param=2,1,1").json()
    assert small["parameter"] == "Theta^(2)" and small["scalar_refused"] is None


def test_layers_refuses_what_it_cannot_answer_in_one_line(client):
    for query, message in [
        ("arch=2-2-2&param=Theta^(9)", "no parameter 'Theta^(9)' in 2-2-2"),
        ("arch=2-2-2&param=1,1,1&param=2,1,1", "layers takes one param, not 2"),
        ("arch=2-2-2&view=matrix", "layers takes no option 'view'"),
    ]:
        response = client.get(f"/api/layers?{query}")
        assert response.status_code == 400, query
        error = response.json()["error"]
        assert message in error and "\n" not in error and "Traceback" not in error


def test_math_gives_mathml_and_latex_for_each_edge_and_step(client):
    document = client.get("/api/math?arch=2-2-2&param=1,1,1").json()
    assert len(document["edges"]) == 8
    edge = document["edges"]["theta^(1)_11->z^(2)_1"]
    assert edge["formula_latex"] == "x_{1}" and edge["formula_mathml"].startswith("<math")
    steps = document["steps"]
    assert [s["deltas"] for s in steps] == [
        [],
        ["delta^(3)_1", "delta^(3)_2"],
        ["delta^(2)_1"],
        ["delta^(2)_1"],
    ]
    assert steps[-1]["latex"] == r"\delta_{1}^{(2)} \cdot x_{1}"
    assert 'class="grouped"' in steps[1]["grouped_mathml"]


def test_values_are_the_verify_case_numbers(client, capsys):
    values = client.get("/api/values?arch=2-2-2&seed=5").json()
    verify = client.get("/api/verify?arch=2-2-2&seed=5").json()
    gradient = verify["gradients"]["backprop"]["weights"][0][1][0]  # theta^(1)_21
    assert values["nodes"]["theta^(1)_21"]["gradient"] == pytest.approx(gradient, rel=1e-12)
    assert values["cost"] == pytest.approx(verify["cost"], rel=1e-12)


def test_training_streams_epochs_as_lines(client):
    with client.stream("GET", "/api/train?arch=2-2-1&bias=true&epochs=60&lr=5") as response:
        lines = [json.loads(line) for line in response.iter_lines() if line]
    assert response.status_code == 200
    assert [line["epoch"] for line in lines[:-1]] == list(range(61))
    assert lines[-1]["done"] is True and lines[-1]["epochs"] == 60
    assert lines[-2]["cost"] < lines[0]["cost"]


def test_a_training_stream_is_the_cli_json(client, capsys):
    """The lines of a run, put together, are the document of ``chainrule train --json``: each
    epoch's cost a line as it comes, the rest in the last line."""
    url = "/api/train?arch=2-3-1&bias=true&epochs=70&lr=3&seed=2&init-scale=0.5"
    with client.stream("GET", url) as response:
        lines = [json.loads(line) for line in response.iter_lines() if line]
    last = lines.pop()
    assert last.pop("done") is True and last.pop("stopped") is None
    _, document, _ = cli_json(
        capsys, "train", "2-3-1", "--bias", "--epochs", "70", "--lr", "3", "--seed", "2",
        "--init-scale", "0.5", "--json",
    )  # fmt: skip
    # every chunk's last epoch carries the weights then, for the page to draw
    painted = [line.pop("parameters") for line in lines if "parameters" in line]
    assert len(painted) == -(-70 // TRAIN_CHUNK) and len(painted[-1]) == 13
    assert {**last, "costs": lines} == document


def test_training_refuses_what_the_cli_refuses(client, capsys):
    """The train request's own checks, its options spelled as the query names them."""
    response = client.get("/api/train?arch=2-2-2&data=xor")
    assert response.status_code == 400 and response.json()["error"] == (
        "data=xor needs 2 inputs and 1 output, and 2-2-2 has not; use data=random"
    )
    assert client.get("/api/train?arch=2-2-1&lr=-1").status_code == 400
    response = client.get("/api/train?arch=2-2-1&examples=65&data=random")
    assert response.status_code == 400 and response.json()["error"] == (
        "examples=65 is more than the explorer takes (64); ask for examples=64 or fewer"
    )
    response = client.get("/api/train?arch=2-2-1&epochs=20001")
    assert response.json()["error"] == (
        "epochs=20,001 is more than the explorer takes (20,000); ask for epochs=20000 or fewer"
    )


def test_training_reads_the_query_without_the_command_line():
    import subprocess
    import sys

    probe = (
        "import sys; from chainrule.explore import api, work; "
        "query = {'arch': ['2-2-1'], 'epochs': ['3'], 'bias': ['true']}; "
        "status, run = api.answer(work.training, query, None, {}); "
        "_, (run, lines) = work.advance(run); "
        "print(status, lines[-1]['epochs'], 'chainrule.cli' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["200", "3", "False"], done.stderr


def test_the_page_and_its_files_and_nothing_else(client):
    page = client.get("/")
    assert page.status_code == 200 and "<svg" not in page.text and "/static/explore.js" in page.text
    assert "http://" not in page.text.replace("http://www.w3.org", "")
    assert client.get("/static/explore.css").headers["content-type"].startswith("text/css")
    assert client.get("/static/../server.py").status_code == 404
    assert client.get("/static/server.py").status_code == 404
    assert client.get("/api/nothing").status_code == 404


def test_count_does_not_import_the_server():
    import subprocess
    import sys

    probe = (
        "import sys; from chainrule.cli.entry import main; main(['count', '2-2-2']); "
        "print(sorted(m for m in ('starlette', 'uvicorn', 'anyio') if m in sys.modules), "
        "file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr.strip() == "[]"


def test_the_command_prints_its_url_and_stops_cleanly_on_ctrl_c():
    import signal
    import subprocess
    import sys

    import httpx

    process = subprocess.Popen(
        [sys.executable, "-m", "chainrule", "explore", "3-2-1", "--bias", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("chainrule explore: http://127.0.0.1:")
        url = line.split()[2]
        assert url.endswith("/?arch=3-2-1&bias=true")
        assert httpx.get(url.replace("/?", "/api/count?"), timeout=30).json()[0]["bias"] is True
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert "Traceback" not in process.stderr.read()


def test_a_bad_network_is_refused_before_the_server_starts(capsys):
    assert main(["explore", "2-0-2", "--no-browser"]) == 2
    assert capsys.readouterr().err.startswith("chainrule: error: invalid architecture")


def test_the_static_export_of_a_graph_file(tmp_path, capsys):
    from chainrule.explore.export import static_documents

    path = tmp_path / "tied.html"
    assert main(["explore", str(EXAMPLES / "tied.json"), "--html", str(path)]) == 0
    assert capsys.readouterr().out == f"wrote {path}\n"
    documents = static_documents(path.read_text())
    _, chains, _ = cli_json(capsys, "chains", str(EXAMPLES / "tied.json"), "--param", "w", "--json")
    assert documents["/api/chains?param=w"] == chains
    assert "/api/layout?" in documents and "/api/verify?seed=0" in documents


def test_each_exported_chains_document_is_the_cli_s_for_that_parameter(tmp_path, capsys):
    from chainrule.explore.export import static_documents

    path = tmp_path / "net.html"
    assert main(["explore", "2-3-2", "--cost", "se", "--html", str(path)]) == 0
    capsys.readouterr()
    documents = static_documents(path.read_text())
    _, alone, _ = cli_json(capsys, "chains", "2-3-2", "--cost", "se", "--param", "1,3,2", "--json")
    assert documents["/api/chains?arch=2-3-2&cost=se&param=1%2C3%2C2"] == alone
    assert sum(key.startswith("/api/math?") for key in documents) == 12


def test_an_internal_error_is_one_line_and_a_500(monkeypatch):
    """A bug in an endpoint's work, in the worker process that ran it."""
    import operator

    from chainrule.explore import work

    # The computation is sent to a worker by reference: a module-level function that fails
    # on the (query, body) it is given, as a bug would.
    monkeypatch.setitem(work.ENDPOINTS, "layout", operator.mod)
    with client_of(create_app(allowed_hosts=["testserver"])) as client:
        response = client.get("/api/layout?arch=2-2-2")
    assert response.status_code == 500
    assert response.json()["error"] == (
        "internal error (TypeError: unsupported operand type(s) for %: 'dict' and 'NoneType'); "
        "this is a bug in chainrule, please report it"
    )


def _parsed_explore(argv):
    from chainrule.cli.entry import build_parser

    return build_parser(["explore"]).parse_args(["explore", *argv])


def test_the_explore_command_starts_the_server_with_its_caps():
    from chainrule.budget import EXPLORER_CAPS
    from chainrule.explore.command import caps_of

    assert caps_of(_parsed_explore([])) == EXPLORER_CAPS
    raised = caps_of(_parsed_explore(["100-100-100", "--max-graph", "100000", "--limit", "50000"]))
    assert raised == {**EXPLORER_CAPS, "max_graph": 100_000, "limit": 50_000}
    with client_of(create_app(allowed_hosts=["testserver"], caps=raised)) as client:
        # a request's max-graph defaults to the cap: the page gets what the server allows
        response = client.get("/api/chains?arch=100-100-100&param=2,1,1")
        assert response.status_code == 200 and len(response.json()[0]["chains"]) == 1
        assert client.get("/api/math?arch=100-100-100&param=2,1,1").status_code == 200


#: Advice a refusal gives, as the API or the explore command takes it.
START_WITH = re.compile(r"start it with chainrule explore (--[a-z-]+) (\d+)")
ASK_FOR = re.compile(r"(?:raise it with|ask for) ([a-z-]+)=(\d+)")


@pytest.mark.parametrize(
    "url",
    [
        "/api/chains?arch=4-6-6-3&limit=5",
        "/api/chains?arch=4-6-6-3&limit=50000",
        "/api/chains?arch=100-100-100&param=2,1,1",
        "/api/delta?arch=100-100-100",
        "/api/math?arch=4-6-6-3&param=1,1,1&limit=5",
        "/api/math?arch=100-100-100&param=2,1,1",
        "/api/verify?arch=2-2-2&examples=65",
        "/api/train?arch=2-2-1&epochs=20001&lr=1",
        "/api/train?arch=2-2-1&data=random&examples=100",
    ],
)
def test_a_refusals_advice_followed_gets_an_answer(url):
    """Each refusal says what to ask for instead, or how to start the explorer; done, the
    request is answered (a refusal may lead to the next budget's, whose advice is followed
    too)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit

    from chainrule.explore.command import caps_of

    path, query = urlsplit(url).path, dict(parse_qsl(urlsplit(url).query))
    explore_argv: list[str] = []
    for _ in range(3):
        caps = caps_of(_parsed_explore(explore_argv))
        with client_of(create_app(allowed_hosts=["testserver"], caps=caps)) as client:
            response = client.get(f"{path}?{urlencode(query)}")
        if response.status_code == 200:
            break
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        if started := START_WITH.search(error):
            explore_argv += [started[1], started[2]]
        else:
            asked = ASK_FOR.search(error)
            assert asked, f"no advice to follow in {error!r}"
            query[asked[1]] = asked[2]
    assert response.status_code == 200, response.text


def test_work_past_its_deadline_is_stopped_and_frees_its_worker():
    """A request whose work runs past the deadline is answered 503 and its worker process is
    killed, not left computing; the explorer answers a count meanwhile, and the next request
    finds a fresh worker."""
    import os
    import time
    from concurrent.futures import ThreadPoolExecutor

    from chainrule.budget import EXPLORER_CAPS

    # 4-6-6-3's closed view takes over a minute; the deadline is a second.
    caps = {**EXPLORER_CAPS, "limit": 1_000_000}
    app = create_app(allowed_hosts=["testserver"], caps=caps, timeout=1.0, workers=1)
    with client_of(app) as client, ThreadPoolExecutor(1) as pool:
        assert client.get("/api/chains?arch=2-2-2&param=1,1,1").status_code == 200
        (pid,) = app.state.workers.pids()
        slow = pool.submit(client.get, "/api/chains?arch=4-6-6-3&view=closed&limit=1000000")
        time.sleep(0.3)
        started = time.monotonic()
        count = client.get("/api/count?arch=2-2-2")
        counted = time.monotonic() - started
        given_up = slow.result(timeout=30)
        assert count.status_code == 200 and counted < 0.5
        assert given_up.status_code == 503
        assert given_up.json()["error"].startswith("the request took more than 1 s")
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # killed and reaped: its CPU and memory are free
        again = client.get("/api/chains?arch=2-2-2&param=1,1,1")
        assert again.status_code == 200 and app.state.workers.pids() != [pid]


def chain_products(document, chains):
    """Each chain's value from a ``values --json`` document: the product of its factors'
    values, per example, summed over the examples (what the explorer's page shows)."""
    factors = {(f["of"], f["wrt"]): f["value"] for f in document["factors"]}
    values = []
    for chain in chains:
        per_example = [1.0] * document["examples"]
        for factor in chain:
            row = factors[factor["of"], factor["wrt"]]
            per_example = [a * b for a, b in zip(per_example, row)]
        values.append(sum(per_example))
    return values


@pytest.mark.parametrize(
    "arch, param",
    [
        ("2-2-2", "1,1,1"),
        ("rnn:1-2-1:3", "U_11"),
        ("resnet:2x4", "W^(1)_11"),
        (str(EXAMPLES / "mazur.json"), "w1"),
        (str(EXAMPLES / "softmax-ce.json"), None),
    ],
)
def test_values_give_every_subjects_numbers_and_its_chains(client, capsys, arch, param):
    """The numbers panel answers for layer sizes, rnn:, resnet: and graph files: the values
    record of verify's case (its 4 examples), and each chain's value is its factors' product
    in ``chainrule values --json``."""
    is_file = arch.endswith(".json")
    if param is None:
        param = list(cli_json(capsys, "values", arch, "--json")[1]["gradients"])[0]
    query = {"param": param, "seed": "3"}
    if is_file:
        response = client.post("/api/values", params=query, content=Path(arch).read_text())
    else:
        response = client.get("/api/values", params={"arch": arch, **query})
    assert response.status_code == 200, response.text
    document = response.json()
    _, expected, _ = cli_json(capsys, "values", arch, "--seed", "3", "--examples", "4", "--json")
    _, chains, _ = cli_json(capsys, "chains", arch, "--param", param, "--json")
    assert document["examples"] == 4 and document["cost"] == pytest.approx(expected["cost"])
    for name, row in expected["forward"].items():
        assert document["nodes"][name]["value"] == pytest.approx(row[0], rel=1e-12, abs=1e-300)
    products = chain_products(expected, chains[0]["chains"])
    assert document["chains"]["values"] == pytest.approx(products, rel=1e-9, abs=1e-300)
    gradient = expected["gradients"][chains[0]["parameter"]]
    assert document["chains"]["gradient"] == pytest.approx(gradient, rel=1e-12)
    assert sum(document["chains"]["values"]) == pytest.approx(gradient, rel=1e-9, abs=1e-15)
    if gradient:
        assert sum(document["chains"]["shares"]) == pytest.approx(1.0)


def test_values_of_a_pasted_case_beside_a_graph_file(client, capsys):
    """A graph file and a pasted case arrive together as form fields; the numbers are those
    of ``chainrule values FILE --case CASE``."""
    graph = (EXAMPLES / "mazur.json").read_text()
    case = (EXAMPLES.parent / "cases" / "mazur.json").read_text()
    response = client.post(
        "/api/values", params={"param": "w5"}, data={"graph": graph, "case": case}
    )
    assert response.status_code == 200, response.text
    document = response.json()
    _, expected, _ = cli_json(
        capsys,
        "values",
        str(EXAMPLES / "mazur.json"),
        "--case",
        str(EXAMPLES.parent / "cases" / "mazur.json"),
        "--json",
    )
    assert document["seed"] is None and document["examples"] == 1
    assert document["nodes"]["w5"]["gradient"] == pytest.approx(expected["gradients"]["w5"])
    assert document["chains"]["values"] == [pytest.approx(expected["gradients"]["w5"])]
    # the published worked example's number: dE/dw5 = 0.082167041
    assert document["chains"]["values"][0] == pytest.approx(0.082167041, abs=1e-9)


def test_values_of_a_pasted_layered_case(client):
    """A layered network's case sets the network (its biases, activation and cost)."""
    case = (EXAMPLES.parent / "cases" / "mazur-2-2-2.json").read_text()
    response = client.get("/api/values", params={"arch": "2-2-2", "case": case})
    assert response.status_code == 200, response.text
    # the published worked example's total error before training
    assert response.json()["cost"] == pytest.approx(0.298371109, abs=1e-9)
    assert response.json()["nodes"]["theta^(1)_10"]["value"] == 0.35


@pytest.mark.parametrize(
    "case, message",
    [
        ("/etc/passwd", "the case sent is not JSON"),
        ('{"values": {"w1": 0.15}}', "the case sent: the case gives no value for w2"),
        ((EXAMPLES.parent / "cases" / "mazur.json").read_text().replace("0.15", "NaN"), "w1"),
        ("{" * 5000, "the case sent"),
    ],
)
def test_a_bad_pasted_case_is_refused_in_one_line(client, case, message):
    graph = (EXAMPLES / "mazur.json").read_text()
    response = client.post("/api/values", data={"graph": graph, "case": case})
    assert response.status_code == 400
    error = response.json()["error"]
    assert message in error and "\n" not in error and "Traceback" not in error


def test_a_pasted_case_draws_nothing_beside_it(client):
    response = client.get("/api/values", params={"arch": "1-1", "case": "{}", "seed": "2"})
    assert response.status_code == 400 and "seed" in response.json()["error"]


@pytest.mark.parametrize(
    "arch, graph", [("rnn:1-2-1:3", None), ("resnet:2x4", None), (None, "mazur.json")]
)
def test_training_a_graph_trains_that_graph(client, capsys, arch, graph):
    """Train on a graph file, rnn: or resnet: runs ``chainrule train`` of that subject (a graph
    on its own case): the streamed costs are the CLI's."""
    params = {"epochs": "30", "lr": "0.5"}
    if arch:
        params["arch"] = arch
    data = {"graph": (EXAMPLES / graph).read_text()} if graph else None
    with client.stream("POST", "/api/train", params=params, data=data) as response:
        assert response.status_code == 200
        lines = [json.loads(line) for line in response.iter_lines() if line]
    _, expected, _ = cli_json(
        capsys, "train", arch or str(EXAMPLES / graph), "--epochs", "30", "--lr", "0.5", "--json"
    )
    assert [line["cost"] for line in lines[:-1]] == pytest.approx(
        [c["cost"] for c in expected["costs"]], rel=1e-12
    )
    assert lines[-1]["done"] is True
    assert lines[-1]["final"]["parameters"] == pytest.approx(expected["final"]["parameters"])


def test_a_static_page_holds_each_parameters_numbers_or_leaves_them_out(monkeypatch):
    """The export keeps the numbers of every parameter's chains under the URL the page asks
    for; when the server would refuse the numbers, the page is written without them rather
    than refused."""
    from chainrule.errors import TooLarge
    from chainrule.explore import export, work

    page = export.static_page({"arch": "2-2-2"}, command="chainrule explore 2-2-2")
    documents = export.static_documents(page)
    kept = documents["/api/values?arch=2-2-2&seed=0&param=1%2C2%2C1"]
    assert kept["chains"]["parameter"] == "theta^(1)_21" and len(kept["chains"]["values"]) == 2

    def refused(query, body):
        raise TooLarge("12,063,096 numbers in the values of 2-2-2, more than the limit")

    monkeypatch.setitem(work.ENDPOINTS, "values", refused)
    documents = export.static_documents(export.static_page({"arch": "2-2-2"}, command="x"))
    assert not any(url.startswith("/api/values") for url in documents)
    assert "/api/verify?arch=2-2-2&seed=0" in documents


@pytest.mark.parametrize(
    "endpoint, data, message",
    [
        ("values", {f"f{i}": "1" for i in range(60)}, "too many form fields"),
        ("chains", {"arch": "2-2-2", "case": "/etc/passwd"}, "chains takes no option 'case'"),
        ("verify", {"arch": "2-2-2", "case": '{"values": {}}'}, "verify takes no option 'case'"),
        ("train", {"arch": "2-2-1", "case": "{}"}, "train takes no option 'case'"),
        ("values", {"arch": "2-2-2", "case": "__import__('os').system('id')"}, "not JSON"),
        ("values", {"arch": "2-2-2", "case": "{" * 100_001}, "longer than the 100,000"),
        ("values", {"arch": "2-2-2", "case": "[" * 50_000}, "the case sent"),
    ],
)
def test_hostile_form_posts_are_refused_in_one_line(client, endpoint, data, message):
    """A form POST (a graph and a pasted case as fields) is read as more query parameters: only
    the values endpoint takes a case, as JSON text never as a path, within the explorer's
    sizes."""
    response = client.post(f"/api/{endpoint}", data=data)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert message in error and "\n" not in error and "root:" not in error


def test_the_tour_is_explains_sections(client):
    from chainrule.present.explain import sections
    from chainrule.records.explain import ExplainRequest, compute

    document = client.get("/api/tour?arch=2-2-1&bias=true&param=1,2,0&seed=3").json()
    told = sections(compute(ExplainRequest.of("2-2-1", bias=True, param="1,2,0", seed=3)))
    assert document["parameter"] == "theta^(1)_20"
    assert document["sections"] == [section._asdict() for section in told]
    refused = client.get("/api/tour?arch=rnn:1-2-1:3")
    assert refused.status_code == 400 and refused.json()["error"]
    refused = client.post("/api/tour", content=(EXAMPLES / "tied.json").read_text())
    assert refused.status_code == 400 and "layer sizes" in refused.json()["error"]
    assert client.get("/api/tour?arch=2-2-2&epochs=3").status_code == 400
