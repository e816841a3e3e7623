"""The explorer's JSON API: a query read into a command's request, answered from its record.

A query is read into the command's request (:func:`request_of`): ``arch`` and ``graph`` name
the subject, every other parameter is one of the command's declared options, read as the
command line reads it; anything else is refused by name. A request never names a file: an
architecture ending in ``.json`` is refused, and a graph file arrives as JSON text (the
``graph`` field or the body), read by the records' own subject (:mod:`chainrule.records.subject`).
Each request is held within the explorer's caps (:func:`capped`), which ``chainrule explore``
sets with its ``--limit`` and ``--max-graph``.

Examples
--------
>>> status, document = run_command("count", {"arch": "2-2-2"})
>>> status, document[0]["terms"]
(200, 52)
>>> run_command("count", {"arch": "2-0-2"})[0]
400
>>> run_command("verify", {"arch": "2-2-2", "case": "/etc/passwd"})[1]["error"].split(";")[0]
"verify takes no option 'case'"
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any, cast

from chainrule import budget
from chainrule.errors import ChainruleError, TooLarge
from chainrule.files import json_safe
from chainrule.records import chains as chains_record
from chainrule.records import count as count_record
from chainrule.records import delta as delta_record
from chainrule.records import verify as verify_record
from chainrule.records.options import Option, positive_int, refuse_unknown


class RequestError(ChainruleError):
    """A request the explorer refuses before running anything: answered with HTTP 400."""


def values_of(query: Mapping[str, object], name: str) -> list[str]:
    """Every value of `name` in `query` (a dict of str or list of str), under either spelling
    (``init-scale`` or ``init_scale``)."""
    found: list[str] = []
    for key in dict.fromkeys((name, name.replace("-", "_"))):
        value = query.get(key)
        if value is not None:
            # A list of str by the query's form; its elements are checked just below.
            found += [value] if isinstance(value, str) else list(cast("list[str]", value))
    for value in found:
        if not isinstance(value, str):
            raise RequestError(f"{name} must be text")
        if len(value) > budget.QUERY_VALUE_CHARACTERS:
            raise RequestError(
                f"the value of {name} is longer than {budget.QUERY_VALUE_CHARACTERS} characters"
            )
    return found


def graph_text(query: Mapping[str, object], body: str | None = None) -> str | None:
    """The graph file's JSON text of a request: the POST body or the ``graph`` parameter."""
    texts = _values_unbounded(query, "graph")
    text = body if body else (texts[-1] if texts else None)
    if text is None or not text.strip():
        return None
    if len(text) > budget.SENT_GRAPH_CHARACTERS:
        raise RequestError(
            f"a graph file of {len(text):,} characters is longer than the "
            f"{budget.SENT_GRAPH_CHARACTERS:,} the explorer reads"
        )
    return text


def case_text(query: Mapping[str, object]) -> str | None:
    """A pasted case file's JSON text (the ``case`` parameter), or None: read as a case file's
    document is (:class:`~chainrule.records.cases.CaseText`), never as a path.

    >>> case_text({"case": [' {"values": {}} ']})
    '{"values": {}}'
    >>> case_text({"case": ["  "]}) is None
    True
    """
    texts = _values_unbounded(query, "case")
    text = texts[-1].strip() if texts else ""
    if not text:
        return None
    if len(text) > budget.SENT_GRAPH_CHARACTERS:
        raise RequestError(
            f"a case of {len(text):,} characters is longer than the "
            f"{budget.SENT_GRAPH_CHARACTERS:,} the explorer reads"
        )
    return text


def _values_unbounded(query: Mapping[str, object], name: str) -> list[str]:
    value = query.get(name)
    if value is None:
        return []
    # A list of str by the query's form; its elements are checked just below.
    values = [value] if isinstance(value, str) else list(cast("list[str]", value))
    if not all(isinstance(v, str) for v in values):
        raise RequestError(f"{name} must be text")
    return values


#: The commands answered from their records, each the document its ``--json`` prints.
RECORDS: dict[str, ModuleType] = {
    "count": count_record,
    "chains": chains_record,
    "delta": delta_record,
    "verify": verify_record,
}
COMMANDS = tuple(RECORDS)
#: The commands that take several architectures (every ``arch`` given).
MANY_ARCHITECTURES = ("count",)
#: The caps that ``chainrule explore`` sets with an option of its own (--limit, --max-graph);
#: a request that names none of them is given the cap (its ``examples`` and ``epochs`` keep
#: the command's own defaults).
RAISED_BY_EXPLORE = ("limit", "max_graph")


def capped(
    given: dict[str, Any], caps: Mapping[str, int], options: Sequence[Option] = ()
) -> dict[str, Any]:
    """`given` (a request's options by keyword) within the explorer's caps.

    An option past its cap is refused with advice that, followed, gets an answer: how to start
    the explorer to allow it, or the most a request may ask for. Of `options` (those the
    endpoint takes), ``limit`` and ``max_graph`` default to their caps rather than the command
    line's defaults, so that an explorer started with more gives more to the page as well.

    Examples
    --------
    >>> with budget.front_end("http"):
    ...     capped({"examples": "65"}, {"examples": 64})
    Traceback (most recent call last):
    ...
    chainrule.errors.TooLarge: examples=65 is more than the explorer takes (64); ask for \
examples=64 or fewer
    """

    for name, cap in caps.items():
        if name not in given:
            continue
        text = given[name][-1] if isinstance(given[name], list) else given[name]
        try:
            value = positive_int(text)
        except ChainruleError:
            continue  # the request's own reading says what is wrong with it
        if value > cap:
            advice = (
                f"start it with chainrule explore --{name.replace('_', '-')} {value}"
                if name in RAISED_BY_EXPLORE
                else f"ask for {budget.spelled(name, cap)} or fewer"
            )
            raise TooLarge(
                f"{budget.spelled(name, f'{value:,}')} is more than the explorer takes "
                f"({cap:,}); {advice}"
            )
    taken = {option.name for option in options}
    for name in RAISED_BY_EXPLORE:
        if name in caps and name in taken and name not in given:
            given[name] = caps[name]
    return given


def request_of(
    command: str,
    query: Mapping[str, object],
    body: str | None,
    module: ModuleType | None = None,
    options: Sequence[Option] | None = None,
    defaults: Mapping[str, object] | None = None,
) -> Any:
    """The request of `command` that `query` (and a POSTed graph file in `body`) asks for.

    ``arch`` and ``graph`` name the subject, every other parameter is an option by its name
    (``max-graph`` or ``max_graph``), read as the command line reads it. `module` is the record
    module whose request is made (:data:`RECORDS` has the commands answered as documents);
    `options`, a part of its declared options, are those this endpoint takes (all of them by
    default), and `defaults` what an endpoint of the explorer's own gives an option the query
    does not name. Every option is held within the caps of the current front end
    (:func:`~chainrule.budget.front_end`).
    """
    module = RECORDS[command] if module is None else module
    taken = tuple(module.OPTIONS if options is None else options)
    given: dict[str, Any] = {}
    for key in query:
        if key in ("arch", "graph"):
            continue
        values = values_of(query, str(key))
        given[str(key).replace("-", "_")] = values if len(values) > 1 else values[-1]
    # Only the declared options reach the request: none of them names a file (verify's case
    # file is a keyword of its own, never a query parameter).
    refuse_unknown(taken, given, command)
    for name, value in (defaults or {}).items():
        given.setdefault(name, value)
    given = capped(given, budget.current_front_end().caps, taken)
    architectures = [text.strip() for text in values_of(query, "arch")]
    for architecture in architectures:
        if architecture.lower().endswith(".json"):
            raise RequestError(
                "the explorer reads no files: send a graph file's JSON text as "
                "the 'graph' parameter"
            )
    text = graph_text(query, body)
    if command in MANY_ARCHITECTURES:
        named: list[str | None] = list(architectures) or [None]
        return module.request(named, graph_text=text, **given)
    return module.request(architectures[-1] if architectures else None, graph_text=text, **given)


def answer_record(command: str, query: Mapping[str, object], body: str | None) -> Any:
    """The JSON document of `command`'s record for the request (what ``--json`` prints)."""

    return json_safe(RECORDS[command].compute(request_of(command, query, body)).as_dict())


def answer(
    compute: Callable[[Mapping[str, object], str | None], Any],
    query: Mapping[str, object],
    body: str | None,
    caps: Mapping[str, int],
    front_end: str = "http",
) -> tuple[int, Any]:
    """(HTTP status, document) of ``compute(query, body)`` within `caps`: 200 and the
    document, or 400 and ``{"error": message}`` with the message the CLI gives, its options
    spelled for `front_end` (``http``: as the API takes them)."""
    try:
        with budget.front_end(front_end, caps):
            return 200, compute(query, body)
    except ChainruleError as error:
        return 400, {"error": str(error)}
    except RecursionError:
        return 400, {"error": "the input is nested too deeply"}


def run_command(
    command: str,
    query: Mapping[str, object],
    body: str | None = None,
    caps: Mapping[str, int] = budget.EXPLORER_CAPS,
) -> tuple[int, Any]:
    """Answer ``/api/<command>``: (HTTP status, document), within `caps` (the explorer's
    default caps unless given)."""
    if command not in RECORDS:
        return 400, {"error": f"unknown endpoint /api/{command}"}
    return answer(lambda query, body: answer_record(command, query, body), query, body, caps)
