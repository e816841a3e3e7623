"""The ``chainrule explore`` command: start the server (or write the static page).

The server binds 127.0.0.1 on a free port unless ``--host`` or ``--port`` says otherwise,
prints its URL on one line, opens the browser unless ``--no-browser``, and stops cleanly on
Ctrl-C. Its requests may ask for at most ``--limit`` chains and ``--max-graph`` nodes and
edges (:func:`caps_of`; :data:`~chainrule.budget.EXPLORER_CAPS` unless given).
"""

from __future__ import annotations

import argparse
import shlex
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO
from urllib.parse import urlencode

from chainrule import budget
from chainrule.explore.api import graph_text
from chainrule.explore.export import network_pairs, shaping_pairs, write_static_page
from chainrule.explore.server import create_app
from chainrule.files import read_bytes_capped
from chainrule.graph.spec import SpecError
from chainrule.records.subject import SubjectRequest, is_graph_file, resolve


def _options(args: argparse.Namespace) -> dict:
    """The network of the command line, as the page's state: layer sizes or a graph file's
    text (read here, from the user's own command line: requests never name files), checked as
    every command checks its subject."""

    architecture = args.architecture
    options = {
        "arch": architecture,
        "bias": args.bias,
        "activation": args.activation,
        "cost": args.cost,
        "graph": None,
    }
    if is_graph_file(architecture):
        data = read_bytes_capped(architecture, "graph file", 4 * budget.SENT_GRAPH_CHARACTERS)
        try:
            # The page sends the text with every request: the server must take it.
            options.update(arch="", graph=graph_text({"graph": data.decode("utf-8")}))
        except UnicodeDecodeError:
            raise SpecError(f"graph file {architecture!r} is not UTF-8 text") from None
    resolve(
        SubjectRequest(architecture, bias=args.bias, activation=args.activation, cost=args.cost)
    )
    return options


def _command_line(args: argparse.Namespace) -> str:
    words = ["chainrule", "explore", args.architecture]
    for name, value in shaping_pairs(vars(args)):
        words += [f"--{name}"] if name == "bias" else [f"--{name}", value]
    return " ".join(shlex.quote(word) for word in words)


def _page_query(options: dict, args: argparse.Namespace) -> str:
    pairs = network_pairs(options) + ([("param", args.param)] if args.param else [])
    return ("?" + urlencode(pairs)) if pairs else ""


def caps_of(args: argparse.Namespace) -> dict[str, int]:
    """The server's caps: the explorer's own, with ``--limit`` and ``--max-graph`` when the
    command line gives them."""
    caps = dict(budget.EXPLORER_CAPS)
    for name in ("limit", "max_graph"):
        if getattr(args, name, None) is not None:
            caps[name] = getattr(args, name)
    return caps


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port` (port 0: a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def server_for(host: str, sock: socket.socket, **app_options: Any):
    """A uvicorn server of the explorer's app (not started); `app_options` go to
    :func:`~chainrule.explore.server.create_app`. The app's lifespan starts its workers and
    stops them when the server stops."""
    import uvicorn

    app = create_app(host=host, **app_options)
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", access_log=False, timeout_graceful_shutdown=2
    )
    return uvicorn.Server(config)


@contextmanager
def serving(
    host: str = "127.0.0.1", start_within: float = 20.0, **app_options: Any
) -> Iterator[str]:
    """The explorer served from a background thread on a free port of `host`, for as long as
    the ``with`` block lasts; yields its base URL once it answers (tests, benchmarks, scripts).
    `app_options` go to :func:`~chainrule.explore.server.create_app` (``caps``, ``timeout``).
    The workers import the main module, as every process multiprocessing starts does: a script
    that calls this keeps its own code under ``if __name__ == "__main__":``.

    Raises RuntimeError if the server has not started within `start_within` seconds.
    """
    import threading
    import time

    sock = bind(host, 0)
    server = server_for(host, sock, **app_options)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_within
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        if not server.started:
            raise RuntimeError(f"the explorer did not start within {start_within:g} s")
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``chainrule explore`` with parsed `args`."""

    options = _options(args)
    if args.html:
        write_static_page(
            args.html,
            options,
            _command_line(args),
            limit=args.limit or budget.DOCUMENT_CHAIN_LIMIT,
            seed=args.seed,
            max_graph=args.max_graph,
        )
        out.write(f"wrote {args.html}\n")
        return 0
    try:
        sock = bind(args.host, args.port)
    except (OSError, OverflowError) as error:  # a port past 65535 is an OverflowError
        reason = getattr(error, "strerror", None) or str(error)
        raise SpecError(f"cannot listen on {args.host}:{args.port}: {reason}") from None
    port = sock.getsockname()[1]
    shown = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{shown}:{port}/{_page_query(options, args)}"
    server = server_for(args.host, sock, initial_graph=options["graph"], caps=caps_of(args))
    out.write(f"chainrule explore: {url} (Ctrl-C stops it)\n")
    out.flush()
    if not args.no_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0
