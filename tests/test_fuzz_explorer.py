"""A fuzzer for the explorer's HTTP API: generated requests, many at once, against a real server.

Where ``test_explore_hostile.py`` sends a fixed battery of injections, this draws its requests
(derandomized) from the shapes that once ran for minutes or gigabytes on the command line: deep
narrow networks (``D(n)``: n layers of width 2) for every endpoint, ``wrt=inputs``, many
examples, wide layers, ``rnn:`` and ``resnet:`` spellings, graphs with 2^60 paths or thousands
of parameters, and options out of range. They are sent 8 at a time to a server whose deadline
is short, so that work given up on must be stopped (its worker killed) for the next request to
find a place. Every answer must be an answer (200), a refusal with one message (400, 404, 405,
413) or "past its deadline" (503); never a traceback or a dropped connection. After the flood,
and with two more hostile requests running, the server must still count 2-2-2 correctly: the
limit on that wait catches a server held hostage, not a slow machine.
"""

from __future__ import annotations

import json
import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 120
SEED = 20261206
#: The server's deadline for one request's work (the explorer's default is longer): short, so
#: that many requests are given up on and their workers must be replaced.
DEADLINE_SECONDS = 2.0
#: A hang, not a slow answer: the server answers /api/count in place, never behind others' work.
HANG_SECONDS = 20.0
ENDPOINTS = ["count", "chains", "delta", "verify", "layout", "math", "values"]
ANSWERS = {200, 400, 404, 405, 413, 503}


def deep(layers: int) -> str:
    """``D(n)``: `layers` layers of two neurons."""
    return "-".join(["2"] * layers)


def doubling_graph(levels: int) -> str:
    """A graph whose one parameter reaches the cost along 2**levels paths."""
    nodes, previous = {}, "w*x"
    for level in range(levels):
        nodes[f"a{level}"] = f"sigmoid({previous})"
        nodes[f"b{level}"] = f"tanh({previous})"
        previous = f"a{level} + b{level}"
    nodes["out"] = f"sigmoid({previous})"
    document = {"inputs": ["x"], "parameters": ["w"], "targets": ["y"], "nodes": nodes}
    return json.dumps(document | {"cost": "(out - y)^2 / 2"})


def wide_graph(parameters: int) -> str:
    """A graph of `parameters` parameters, one hidden node each, summed into the output."""
    nodes = {f"h{k}": f"sigmoid(w{k}*x)" for k in range(parameters)}
    nodes["out"] = " + ".join(nodes)
    return json.dumps(
        {
            "inputs": ["x"],
            "parameters": [f"w{k}" for k in range(parameters)],
            "targets": ["y"],
            "nodes": nodes,
            "cost": "(out - y)^2 / 2",
        }
    )


ARCHITECTURES = [
    "2-2-2",
    "1-1-1",
    "3-2-3",
    deep(8),
    deep(14),
    deep(17),
    deep(20),
    deep(100),
    deep(500),
    "3-" * 31 + "3",
    "10-10-10-10-10",
    "300-300-300",
    "500-500-10",
    "784-512-512-10",
    "100000-100000-100000",
    "rnn:1-2-1:3",
    "rnn:2-8-2:40",
    "resnet:2x4",
    "resnet:3x12",
    "rnn:1-1-1:100000",
    "2-0-2",
    "2-x-2",
]
GRAPHS = [
    *(path.read_text() for path in sorted((ROOT / "examples" / "graphs").glob("*.json"))),
    doubling_graph(60),
    doubling_graph(14),
    wide_graph(2_400),
    wide_graph(300),
    '{"inputs": ["x"], "parameters": ["w"], "cost": "w*x", "nodes": {"h": "x", "h": "w"}}',
    '{"inputs": ["x"], "parameters": ["w"], "cost": "w^1e999999999"}',
    "{",
]
OPTIONS = {
    "param": ["1,1,1", "2,1,2", "4999,1,1", "499,1,1", "1,1,1,1", "w", "w0", "h1"],
    "wrt": ["inputs", "parameters", "everything"],
    "examples": ["1", "8", "64", "100000", "0"],
    "limit": ["10", "2000", "100000", "1000000000"],
    "max-graph": ["100", "250000", "60000800001"],
    "seed": ["0", "7", "-1"],
    "view": ["abstract", "local", "closed", "matrix", "numbers"],
    "bias": ["true", "false"],
    "activation": ["relu", "tanh", "softplus", "nope"],
    "cost": ["bce", "softmax-ce", "se"],
    "init-scale": ["1", "1000", "0"],
    "rnn-cost": ["sum", "last"],
    "epochs": ["10", "1000000"],
    "ops": ["true"],
}


#: The options each endpoint takes besides the subject's (bias, activation, cost, max-graph);
#: most requests use these, so that the work runs and the budget, not the option check, decides.
ENDPOINT_OPTIONS = {
    "count": ["ops"],
    "chains": ["param", "limit", "wrt", "view"],
    "delta": ["param", "limit", "wrt"],
    "verify": ["examples", "seed", "init-scale", "wrt"],
    "layout": ["param"],
    "math": ["param", "limit"],
    "values": ["examples", "seed", "init-scale"],
}
SUBJECT_OPTIONS = ["bias", "activation", "cost", "max-graph"]


def generated_requests() -> list[tuple[str, dict[str, str], str | None]]:
    """(endpoint, query, body) of each request, the same every run."""
    chosen = random.Random(SEED)
    requests = []
    for _ in range(REQUESTS):
        endpoint = chosen.choice(ENDPOINTS)
        query: dict[str, str] = {}
        body = None
        if chosen.random() < 0.25:
            body = chosen.choice(GRAPHS)
        else:
            query["arch"] = chosen.choice(ARCHITECTURES)
        # One request in eight may name an option its endpoint does not take.
        names = sorted(OPTIONS) if chosen.random() < 0.125 else ENDPOINT_OPTIONS[endpoint]
        names = [*names, *(SUBJECT_OPTIONS if chosen.random() < 0.3 else [])]
        for name in chosen.sample(names, min(len(names), chosen.randint(0, 3))):
            query[name] = chosen.choice(OPTIONS.get(name, ["1"]))
        requests.append((endpoint, query, body))
    return requests


@pytest.fixture(scope="module")
def server():
    from chainrule.explore.command import serving

    with serving(timeout=DEADLINE_SECONDS) as url:
        yield url


def _send(base: str, request: tuple[str, dict[str, str], str | None]):
    endpoint, query, body = request
    with httpx.Client(base_url=base, timeout=120) as client:
        if body is None:
            response = client.get(f"/api/{endpoint}", params=query)
        else:
            response = client.post(f"/api/{endpoint}", params=query, content=body.encode())
    return request, response.status_code, response.text


def _problems(request, status: int, text: str) -> list[str]:
    found = []
    if status not in ANSWERS:
        found.append(f"status {status}")
    if "Traceback" in text or 'File "' in text:
        found.append("a traceback")
    try:
        document = json.loads(text)
    except ValueError:
        return [*found, f"not JSON: {text[:120]!r}"]
    if status != 200:
        error = document.get("error") if isinstance(document, dict) else None
        if not isinstance(error, str) or not error or "\n" in error:
            found.append(f"no one-line error: {text[:200]!r}")
    return found


def test_generated_requests_are_answered_or_refused_and_the_server_stays_up(server):
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda request: _send(server, request), generated_requests()))
    flood_seconds = time.monotonic() - started
    problems = [
        (request[0], request[1], (request[2] or "")[:60], status, found)
        for request, status, text in results
        for found in [_problems(request, status, text)]
        if found
    ]
    assert not problems, problems[:10]
    statuses = [status for _, status, _ in results]
    # The generator must reach every kind of answer, or it tests less than it claims.
    assert statuses.count(200) >= 10 and statuses.count(400) >= 10, statuses
    print(
        f"{len(results)} requests in {flood_seconds:.1f} s: ",
        {s: statuses.count(s) for s in ANSWERS},
    )

    # Two requests that run past the deadline, and meanwhile a count: answered in place.
    hostile = [
        ("verify", {"arch": deep(12), "wrt": "inputs", "examples": "64"}, None),
        ("verify", {"arch": "rnn:2-8-2:40", "examples": "64"}, None),
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending = [pool.submit(_send, server, request) for request in hostile]
        time.sleep(0.2)
        asked = time.monotonic()
        with httpx.Client(base_url=server, timeout=HANG_SECONDS) as client:
            counted = client.get("/api/count", params={"arch": "2-2-2"})
        waited = time.monotonic() - asked
        for future in pending:
            _, status, text = future.result()
            assert status in ANSWERS and "Traceback" not in text
    assert counted.status_code == 200 and counted.json()[0]["terms"] == 52
    assert waited < HANG_SECONDS

    # And after all of it, work that needs a worker still gets one.
    with httpx.Client(base_url=server, timeout=HANG_SECONDS * 3) as client:
        chains = client.get("/api/chains", params={"arch": "2-2-2", "param": "1,1,1"})
    assert chains.status_code == 200 and len(chains.json()[0]["chains"]) == 2
