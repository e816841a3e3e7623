"""200 hostile requests, many at once, against a real explorer server: huge architectures,
malformed graphs, injection attempts in every parameter, unknown endpoints and foreign hosts.
None may crash it, leak a traceback or read a file; afterwards it still answers correctly."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

INJECTIONS = [
    "1,1,1; rm -rf /",
    "$(reboot)",
    "`id`",
    "<script>alert(1)</script>",
    "__import__('os').system('id')",
    "../../etc/passwd",
    "/etc/passwd",
    "--case=/etc/passwd",
    "-h",
    "\x00",
    "%00",
    "1e999",
    "nan",
    "-1",
    "99999999999999",
    "' OR 1=1 --",
    "{{7*7}}",
    "a" * 5000,
    "θ" * 300,
    "\n\r\t",
]
PARAMETERS = [
    "arch",
    "param",
    "view",
    "bias",
    "activation",
    "cost",
    "wrt",
    "limit",
    "seed",
    "examples",
    "init-scale",
    "epochs",
    "lr",
    "init",
    "data",
    "ops",
    "graph",
]
ENDPOINTS = ["count", "chains", "delta", "verify", "layout", "layers", "math", "values", "train"]


def _hostile_requests() -> list[tuple[str, str, dict, object]]:
    """(method, path, query, body) for 200 requests."""
    requests = []
    for number, value in enumerate(INJECTIONS * 4):  # 80: every parameter gets injections
        name = PARAMETERS[number % len(PARAMETERS)]
        endpoint = ENDPOINTS[number % len(ENDPOINTS)]
        requests.append(("GET", f"/api/{endpoint}", {"arch": "2-2-2", name: value}, None))
    for number, arch in enumerate(
        [
            "100000-100000-100000",
            "9" * 400,
            "1000-1000",
            "300-300-300",
            "80-80-80",
            "2-" * 90 + "2",
            "4-" * 40 + "4",
            "99999999999-1",
        ]
        * 5
    ):  # 40: huge
        requests.append(
            (
                "GET",
                f"/api/{ENDPOINTS[number % len(ENDPOINTS)]}",
                {"arch": arch, "param": "1,1,1", "limit": "10000"},
                None,
            )
        )
    graphs = [
        "{",
        "[" * 100_000,
        '{"inputs": ' * 5000,
        "null",
        "[]",
        '"text"',
        '{"inputs": ["x"], "parameters": ["w"], "cost": "' + "(" * 5000 + "w" + ")" * 5000 + '"}',
        '{"inputs": ["x"], "parameters": ["w"], "cost": "__import__(\'os\')"}',
        '{"inputs": ["x"], "parameters": ["w"], "cost": "w*x", "nodes": {"__class__": "w"}}',
        '{"inputs": ["x"], "parameters": ["w"], "cost": "NaN"}',
        json.dumps(
            {
                "inputs": ["x"],
                "parameters": [f"w{i}" for i in range(3000)],
                "cost": "+".join(f"w{i}*x" for i in range(3000)),
            }
        ),
        "x" * 300_000,
        "\udcff" if False else "\xff\xfe",
        '{"inputs": ["x"]}',
    ]
    for number, text in enumerate(graphs * 3):  # 42: malformed graph files
        endpoint = ENDPOINTS[number % len(ENDPOINTS)]
        requests.append(("POST", f"/api/{endpoint}", {}, text.encode("utf-8", "surrogatepass")))
    for path in [
        "/api/../../etc/passwd",
        "/static/../../pyproject.toml",
        "/static/%2e%2e/api.py",
        "/api/eval",
        "/api/count/../../x",
        "/.git/config",
        "/api/",
        "/static/",
        "/api/draw?arch=2-2-2&output=/tmp/x.png",
        "/api/report?arch=2-2-2",
    ]:  # 10
        requests.append(("GET", path, {}, None))
    for method in ["PUT", "DELETE", "PATCH", "OPTIONS"] * 2:  # 8
        requests.append((method, "/api/count", {"arch": "2-2-2"}, None))
    for _ in range(20):  # 20: DNS rebinding, oversize bodies, too many parameters
        requests.append(("GET", "/api/count", {"arch": "2-2-2", "__host": "evil.example"}, None))
    requests[-10:] = [("POST", "/api/chains", {}, b"{" * 2_000_000)] * 5 + [
        ("GET", "/api/count", {f"p{i}": "1" for i in range(60)} | {"arch": "2-2-2"}, None)
    ] * 5
    assert len(requests) == 200
    return requests


@pytest.fixture(scope="module")
def server():
    from chainrule.explore.command import serving

    with serving() as url:
        yield url


def test_200_hostile_requests_then_a_normal_one(server):
    def send(request):
        method, path, query, body = request
        headers = {}
        if query.pop("__host", None):
            headers["host"] = "evil.example"
        with httpx.Client(base_url=server, timeout=60) as client:
            response = client.request(method, path, params=query, content=body, headers=headers)
        return request, response.status_code, response.text

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(send, _hostile_requests()))
    elapsed = time.monotonic() - started
    statuses = [status for _, status, _ in results]
    assert all(status in (200, 400, 404, 405, 503) for status in statuses), [
        (request[:2], status, text[:200])
        for request, status, text in results
        if status not in (200, 400, 404, 405, 503)
    ]
    assert not any(
        "Traceback" in text or "root:x:" in text or "[tool.pytest" in text for _, _, text in results
    )
    assert statuses.count(400) > 100  # refused up front, with a message
    assert (
        sum(
            status == 400
            for request, status, _ in results
            if request[3] is None and "evil" not in str(request)
        )
        > 50
    )
    assert elapsed < 120
    with httpx.Client(base_url=server, timeout=30) as client:
        after = client.get("/api/count", params={"arch": "2-2-2"})
        chains = client.get("/api/chains", params={"arch": "2-2-2", "param": "1,1,1"})
    assert after.status_code == 200 and after.json()[0]["terms"] == 52
    assert len(chains.json()[0]["chains"]) == 2
