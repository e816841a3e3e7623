"""The explorer's web server: a Starlette app that serves its own page and the JSON API, and
nothing else.

Every piece of work runs in a worker process (:mod:`.workers`), at most
``budget.EXPLORER_WORKERS`` at a time; one that has not finished ``budget.EXPLORER_TIMEOUT``
seconds after it started is answered 503 and its process killed, so that the work stops with
the request (the commands' own budgets refuse the large ones up front, so this is the last
guard). What is arithmetic on the query alone (the
counts of layer sizes, the page's options) is answered in place, never behind other work.
Requests whose ``Host`` is not the address the server is bound to are refused (DNS
rebinding).

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

import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from functools import partial
from importlib import resources
from urllib.parse import parse_qsl

import anyio
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from chainrule import budget
from chainrule.explore import api, work
from chainrule.explore.workers import Workers, guarded

#: The page's own files: the only files the server sends.
ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "explore.css": "text/css; charset=utf-8",
    "explore.js": "text/javascript; charset=utf-8",
}
#: A POST of form fields (``graph=...&case=...``) rather than a graph file's raw text.
FORM = "application/x-www-form-urlencoded"
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
    JSON text, read no further than the explorer accepts, or form fields (``graph``, a pasted
    ``case``), read as more query parameters."""
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
            if size > budget.SENT_GRAPH_CHARACTERS * 4:
                raise api.RequestError(
                    f"a graph file longer than {budget.SENT_GRAPH_CHARACTERS:,} "
                    "characters is more than the explorer reads"
                )
            chunks.append(chunk)
        try:
            body = b"".join(chunks).decode("utf-8")
        except UnicodeDecodeError:
            raise api.RequestError("the graph file is not UTF-8 text") from None
        if request.headers.get("content-type", "").startswith(FORM):
            # the page sends a graph file and a pasted case side by side as form fields: too
            # long for a URL, and the raw body holds only one text
            try:
                fields = parse_qsl(body, keep_blank_values=True, max_num_fields=40)
            except ValueError:
                raise api.RequestError("too many form fields") from None
            for key, value in fields:
                query.setdefault(key, []).append(value)
            if len(query) > 40:
                raise api.RequestError("too many query parameters")
            body = None
    return query, body


def create_app(
    host: str = "127.0.0.1",
    allowed_hosts: list[str] | None = None,
    initial_graph: str | None = None,
    caps: Mapping[str, int] | None = None,
    timeout: float = budget.EXPLORER_TIMEOUT,
    workers: int = budget.EXPLORER_WORKERS,
) -> Starlette:
    """The explorer's app. Requests are refused unless their ``Host`` is `host` (with
    ``localhost`` as another name of 127.0.0.1) or one of `allowed_hosts`. `initial_graph`, a
    graph file's text from the command line, is the page's network when its URL names none.
    `caps` are the most a request may ask for (:data:`~chainrule.budget.EXPLORER_CAPS` unless
    given); `workers` processes do the work, each job given `timeout` seconds. They start with
    the app (or with its first job) and stop with it (``state.workers``,
    :class:`~chainrule.explore.workers.Workers`)."""
    pool = Workers(workers, timeout)
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
            if work.light(name, query, body):
                status, document = await anyio.to_thread.run_sync(
                    partial(guarded, api.answer, compute, query, body, caps)
                )
            else:
                status, document = await pool.run(api.answer, compute, query, body, caps)
            return _json(status, document)

        return handle

    async def train(request: Request) -> Response:
        try:
            query, body = await _query(request)
        except api.RequestError as error:
            return _json(400, {"error": str(error)})
        status, run = await pool.run(api.answer, work.training, query, body, caps)
        if status != 200:
            return _json(status, run)

        async def lines():
            nonlocal run
            while True:  # each chunk of epochs is one job: the run stops between any two
                status, answer = await pool.run(work.advance, run)
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
        Route("/api/train", train, methods=["GET", "POST"]),
        Route("/{path:path}", not_found, methods=["GET", "POST", "PUT", "DELETE"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool.start()  # in the background: the first request finds its workers ready
        try:
            yield
        finally:
            pool.close()

    app = Starlette(
        routes=routes,
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)],
        lifespan=lifespan,
    )
    app.state.workers = pool
    return app
