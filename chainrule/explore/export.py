"""``chainrule explore ARCH --html FILE``: the page as one self-contained file.

The script, the style and every document the page would ask the server for are inlined, keyed
by the very URL the page builds, so the file works from disk with no server and no network for
every view of its network (changing the network and training need the server).

Examples
--------
>>> html = static_page({"arch": "1-1-1"}, command="chainrule explore 1-1-1")
>>> "<script src=" in html, '"encoding":"gzip+base64"' in html
(False, True)
>>> sorted(static_documents(html))[:2]
['/api/chains?arch=1-1-1&param=1%2C1%2C1', '/api/chains?arch=1-1-1&param=2%2C1%2C1']
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus

from chainrule import budget, rules
from chainrule.errors import SpecError
from chainrule.explore import api, work
from chainrule.explore.server import asset
from chainrule.files import write_text_atomically

DEFAULT_LIMIT = budget.DOCUMENT_CHAIN_LIMIT


def form_encode(pairs: list[tuple[str, str]]) -> str:
    """``pairs`` encoded exactly as the browser's ``URLSearchParams.toString()`` does.

    >>> form_encode([("param", "theta^(1)_11"), ("x", "a b~*")])
    'param=theta%5E%281%29_11&x=a+b%7E*'
    """

    def encode(text: str) -> str:
        return quote_plus(text, safe="*").replace("~", "%7E")

    return "&".join(f"{encode(key)}={encode(value)}" for key, value in pairs)


def param_argument(name: str, options: dict) -> str:
    """The page's paramArgument(): a layered network's weight as l,j,k, a graph's by name.

    >>> param_argument("theta^(2)_10,3", {}), param_argument("theta^(1)_12", {})
    ('2,10,3', '1,1,2')
    """
    import re

    match = re.fullmatch(r"theta\^\((\d+)\)_(?:(\d+),(\d+)|(\d)(\d))", name)
    if options.get("graph") or not match:
        return name
    layer, j, k = match[1], match[2] or match[4], match[3] or match[5]
    return f"{layer},{j},{k}"


def shaping_pairs(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The network options of `options` that differ from their defaults, as (name, value):
    what the page's networkQuery() puts after ``arch``."""
    pairs = [("bias", "true")] if options.get("bias") else []
    if options.get("activation", rules.DEFAULT_ACTIVATION) != rules.DEFAULT_ACTIVATION:
        pairs.append(("activation", options["activation"]))
    if options.get("cost", rules.DEFAULT_COST) != rules.DEFAULT_COST:
        pairs.append(("cost", options["cost"]))
    return pairs


def network_pairs(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The page's networkQuery(): arch (unless a graph file is sent), then the options that
    differ from the defaults."""
    arch = [] if options.get("graph") else [("arch", options["arch"])]
    return arch + shaping_pairs(options)


class _Collector:
    """Answers the page's requests in place, as the server would (each query read into its
    request and answered from its record), and keeps each document under the page's URL.

    Refusals are spelled for `front_end` (the command line's ``--limit``, or Python's
    ``limit=``), the one that asked for the page."""

    def __init__(self, options: dict, caps: dict[str, int], front_end: str):
        self.options, self.caps, self.front_end = options, caps, front_end
        self.responses: dict[str, object] = {}

    def keep(self, endpoint: str, extra: list[tuple[str, str]], document: object) -> None:
        pairs = network_pairs(self.options) + extra
        self.responses[f"/api/{endpoint}?{form_encode(pairs)}"] = document

    def ask(
        self,
        endpoint: str,
        extra: list[tuple[str, str]],
        keep: bool = True,
        unseen: list[tuple[str, str]] | None = None,
    ) -> Any:
        """The document of ``/api/<endpoint>`` for the network and `extra`, kept under its URL
        (unless not `keep`); `unseen` are asked for too but left out of the URL, which the
        page builds without them."""
        pairs = network_pairs(self.options) + extra
        query: dict[str, list[str]] = {}
        for key, value in pairs + (unseen or []):
            query.setdefault(key, []).append(value)
        compute, body = work.ENDPOINTS[endpoint], self.options.get("graph")
        status, document = api.answer(compute, query, body, self.caps, self.front_end)
        if status != 200:
            raise SpecError(document["error"])
        if keep:
            self.responses[f"/api/{endpoint}?{form_encode(pairs)}"] = document
        return document

    def ask_if_answered(self, endpoint: str, extra: list[tuple[str, str]]) -> bool:
        """Keep the document of ``/api/<endpoint>`` if the server would answer it; whether it
        did. A panel the server refuses (numbers too many to write) is left out of the page,
        which says so where it would be, rather than the whole page refused."""
        try:
            self.ask(endpoint, extra)
        except SpecError:
            return False
        return True


def _matrix_form(collector: _Collector) -> None:
    """Keep the matrix form's documents: the layer-level graph around each weight matrix (and
    around the first, which the page asks for by no name) and each one's chains record. A
    subject with no matrix form (a graph file whose names do not group into tensors) keeps
    none, and its page says so when the matrix form is asked for."""
    try:
        first = collector.ask("layers", [])
    except SpecError:
        return
    for name in first["parameters"]:
        collector.ask("layers", [("param", name)])
        collector.ask("chains", [("view", "matrix"), ("param", name)])


def static_page(
    options: dict,
    command: str,
    limit: int = DEFAULT_LIMIT,
    seed: int = 0,
    max_graph: int | None = None,
    front_end: str = "cli",
) -> str:
    """The whole page for the network in `options` (``arch`` or ``graph`` text, ``bias``,
    ``activation``, ``cost``), every parameter drawn precomputed; refused (with the message of
    `front_end`) when their chains number more than `limit`, or the graph built has more nodes
    and edges than `max_graph` (the command line's default unless given)."""

    caps = {"limit": limit} | ({"max_graph": max_graph} if max_graph is not None else {})
    collector = _Collector(options, caps, front_end)
    with budget.front_end(front_end, caps):
        collector.responses["/api/options"] = work.choices({}, None)
    collector.ask("count", [("ops", "true")])
    layout = collector.ask("layout", [])
    # A graph too large to build has no scalar chains to hold (784-512-512-10's page opens in
    # the matrix form, which it holds below): its page is the counts, the drawing, the
    # agreement and the matrix form.
    selectable = [] if layout["refused"] else layout["parameters"]
    arguments = [param_argument(name, options) for name in selectable]
    # One chains command for every parameter: its JSON is one group per parameter, each the
    # very document `chains --param` of that parameter alone prints.
    every = (
        collector.ask(
            "chains",
            [("param", argument) for argument in arguments] + [("limit", str(limit))],
            keep=False,
        )
        if arguments
        else []
    )
    for argument, group in zip(arguments, every):
        collector.keep("chains", [("param", argument)], [group])
    for name, argument in zip(selectable, arguments):
        if layout["summary"] and name != layout["parameter"]:
            collector.ask("layout", [("param", argument)])
        # The page asks for its math without a limit: the export's own applies.
        collector.ask("math", [("param", argument)], unseen=[("limit", str(limit))])
    # the numbers panel: the case's numbers and each parameter's chains at it. After all the
    # math, one after another: their nodes' and factors' numbers are the same in each, and
    # gzip finds a repeat only within its last 32 kB (4-6-6-3's page: 760 kB between them)
    for argument in arguments:
        if not collector.ask_if_answered("values", [("seed", str(seed)), ("param", argument)]):
            break
    if not layout["refused"]:
        # at 784-512-512-10 the agreement's document holds every gradient, 35 MB: the page
        # says that it is not held and which command shows it
        collector.ask("verify", [("seed", str(seed))])
    _matrix_form(collector)
    if not options.get("graph"):  # the guided tour, of layer sizes (refused past its budget)
        collector.ask_if_answered("tour", [("seed", str(seed))] if seed else [])
    # The documents repeat their MathML a great deal: gzip makes 4-6-6-3's 4.7 MB about 130 kB,
    # and the browser's DecompressionStream unpacks it, offline too.
    packed = gzip.compress(
        json.dumps(collector.responses, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        9,
        mtime=0,
    )
    data = {
        "command": command,
        "encoding": "gzip+base64",
        "responses": base64.b64encode(packed).decode("ascii"),
        "state": {
            "arch": options.get("arch") or "",
            "bias": bool(options.get("bias")),
            "activation": options.get("activation", rules.DEFAULT_ACTIVATION),
            "cost": options.get("cost", rules.DEFAULT_COST),
            "graph": options.get("graph"),
            "seed": seed,
        },
    }
    # "</" would end the script element early; JSON allows "<\/" for it.
    inline = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    page = asset("index.html")
    page = page.replace(
        '<link rel="stylesheet" href="/static/explore.css">',
        "<style>\n" + asset("explore.css") + "\n</style>",
    )
    script = asset("explore.js").replace("</script", "<\\/script")
    page = page.replace(
        '<script src="/static/explore.js"></script>',
        f'<script id="chainrule-data" type="application/json">{inline}</script>\n'
        f"<script>\n{script}\n</script>",
    )
    return page


def write_static_page(
    path: str,
    options: dict,
    command: str,
    limit: int = DEFAULT_LIMIT,
    seed: int = 0,
    max_graph: int | None = None,
) -> None:
    """Write :func:`static_page` to `path`, atomically."""

    write_text_atomically(path, static_page(options, command, limit, seed, max_graph))


def static_documents(page: str) -> dict[str, object]:
    """The documents inlined in a static page, by URL (for tests and scripts)."""
    import re

    found = re.search(
        r'<script id="chainrule-data" type="application/json">(.*?)</script>', page, re.S
    )
    assert found is not None, "not a page that static_page wrote"
    data = json.loads(found.group(1).replace("<\\/", "</"))
    return json.loads(gzip.decompress(base64.b64decode(data["responses"])))
