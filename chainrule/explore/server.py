"""The explorer's web server: a Starlette app that serves its own page and the JSON API, and
nothing else.

Every piece of work runs in a worker thread, at most :data:`WORKERS` at a time, and a request
that takes more than :data:`TIMEOUT` seconds is answered 503 (the CLI's own limits refuse the
large ones up front, so this is the last guard). Requests whose ``Host`` is not the address the
server is bound to are refused (DNS rebinding).

Examples
--------
>>> from starlette.testclient import TestClient
>>> client = TestClient(create_app(allowed_hosts=["testserver"]))
>>> client.get("/api/count?arch=2-2-2").json()[0]["chains"]
12
>>> response = client.get("/api/count?arch=2-x-2")
>>> response.status_code, "'2-x-2'" in response.json()["error"]
(400, True)
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from functools import partial
from importlib import resources
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from chainrule import budget
from chainrule.explore import api, work

WORKERS = 2
TIMEOUT = 8.0
#: The page's own files: the only files the server sends.
ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "explore.css": "text/css; charset=utf-8",
    "explore.js": "text/javascript; charset=utf-8",
}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'self'",
}


def asset(name: str) -> str:
    """The text of one of the page's files, shipped as package data."""
    return resources.files("chainrule.explore").joinpath("page", name).read_text("utf-8")


def _json(status: int, document: object) -> JSONResponse:
    return JSONResponse(document, status_code=status, headers=HEADERS)


async def _query(request: Request) -> tuple[dict[str, list[str]], str | None]:
    """The query parameters (every value of each) and, for a POST, the body: a graph file's
    JSON text, read no further than the explorer accepts."""
    query: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        query.setdefault(key, []).append(value)
    if len(query) > 40:
        raise api.RequestError("too many query parameters")
    body = None
    if request.method == "POST":
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > api.MAX_GRAPH_TEXT * 4:
                raise api.RequestError(
                    f"a graph file longer than {api.MAX_GRAPH_TEXT:,} "
                    "characters is more than the explorer reads"
                )
            chunks.append(chunk)
        try:
            body = b"".join(chunks).decode("utf-8")
        except UnicodeDecodeError:
            raise api.RequestError("the graph file is not UTF-8 text") from None
    return query, body


class _Workers:
    """At most :data:`WORKERS` computations at a time, counted by the threads themselves: a
    request given up after :data:`TIMEOUT` leaves its thread to finish, but that thread keeps
    its place, so abandoned work can never pile up."""

    def __init__(self):
        self.places = threading.BoundedSemaphore(WORKERS)
        self.threads = anyio.CapacityLimiter(4 * WORKERS)

    def _run(self, function: Callable[[], tuple[int, object]], deadline: float):
        if not self.places.acquire(timeout=max(0.0, deadline - time.monotonic())):
            return 503, {"error": "the explorer is busy; try again in a moment"}
        try:
            return function()
        except Exception as error:  # a bug: one line for the reader, as the CLI's exit 3
            if os.environ.get("CHAINRULE_DEBUG") == "1":
                raise
            return 500, {
                "error": f"internal error ({type(error).__name__}: {error}); this is "
                "a bug in chainrule, please report it"
            }
        finally:
            self.places.release()

    async def run(self, function: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
        deadline = time.monotonic() + TIMEOUT
        try:
            with anyio.fail_after(TIMEOUT + 0.5):
                return await anyio.to_thread.run_sync(
                    self._run, function, deadline, limiter=self.threads, abandon_on_cancel=True
                )
        except TimeoutError:
            return 503, {
                "error": f"the request took more than {TIMEOUT:g} s and was given up; "
                "try a smaller network or selection"
            }


def create_app(
    host: str = "127.0.0.1",
    allowed_hosts: list[str] | None = None,
    initial_graph: str | None = None,
    caps: Mapping[str, int] | None = None,
) -> Starlette:
    """The explorer's app. Requests are refused unless their ``Host`` is `host` (with
    ``localhost`` as another name of 127.0.0.1) or one of `allowed_hosts`. `initial_graph`, a
    graph file's text from the command line, is the page's network when its URL names none.
    `caps` are the most a request may ask for (:data:`~chainrule.budget.EXPLORER_CAPS` unless
    given)."""
    workers = _Workers()
    caps = dict(budget.EXPLORER_CAPS if caps is None else caps)
    hosts = list(allowed_hosts or [])
    hosts += [host] + (["localhost"] if host in ("127.0.0.1", "::1") else [])
    hosts = [f"[{h}]" if ":" in h else h for h in hosts]

    index = asset("index.html")
    if initial_graph is not None:  # data, not script: the page reads it as JSON
        data = json.dumps({"graph": initial_graph}).replace("</", "<\\/")
        index = index.replace(
            '<script src="/static/explore.js">',
            f'<script id="chainrule-initial" type="application/json">{data}'
            '</script>\n<script src="/static/explore.js">',
        )

    async def page(request: Request) -> Response:
        return Response(index, media_type=ASSETS["index.html"], headers=HEADERS)

    async def static_file(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS or name == "index.html":
            return _json(404, {"error": f"no file {name!r}"})
        return Response(asset(name), media_type=ASSETS[name], headers=HEADERS)

    def endpoint(name: str):
        async def handle(request: Request) -> Response:
            try:
                query, body = await _query(request)
            except api.RequestError as error:
                return _json(400, {"error": str(error)})
            # Looked up per request: the table is the one place an endpoint is named.
            compute = work.ENDPOINTS[name]
            status, document = await workers.run(lambda: api.answer(compute, query, body, caps))
            return _json(status, document)

        return handle

    async def train(request: Request) -> Response:
        try:
            query, body = await _query(request)
        except api.RequestError as error:
            return _json(400, {"error": str(error)})
        status, run = await workers.run(lambda: api.answer(work.training, query, body, caps))
        if status != 200:
            return _json(status, run)

        async def lines():
            nonlocal run
            while True:  # each chunk of epochs is short, and runs off the loop
                status, answer = await workers.run(partial(work.advance, run))
                if status != 200:
                    yield json.dumps(answer) + "\n"
                    return
                run, documents = answer
                for document in documents:
                    yield json.dumps(document) + "\n"
                if run.done:
                    return

        return StreamingResponse(lines(), media_type="application/x-ndjson", headers=HEADERS)

    async def no_icon(request: Request) -> Response:
        return Response(status_code=204, headers=HEADERS)

    async def not_found(request: Request) -> Response:
        return _json(404, {"error": f"unknown endpoint {request.url.path}"})

    routes = [
        Route("/", page),
        Route("/static/{name}", static_file),
        Route("/favicon.ico", no_icon),
        *(
            Route(f"/api/{name}", endpoint(name), methods=["GET", "POST"])
            for name in work.ENDPOINTS
        ),
        Route("/api/train", train, methods=["GET"]),
        Route("/{path:path}", not_found, methods=["GET", "POST", "PUT", "DELETE"]),
    ]
    return Starlette(
        routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)]
    )
