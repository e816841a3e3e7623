"""The explorer's JSON API: every endpoint answers exactly the document the CLI's ``--json``
prints, computed from the same record.

A query is read into the command's request (:func:`request_of`): ``arch`` and ``graph`` name
the subject, every other parameter is one of the command's declared options, read as the
command line reads it; anything else is refused by name. A request never names a file: an
architecture ending in ``.json`` is refused, and a graph file arrives as JSON text (the
``graph`` field or the body), parsed by :mod:`chainrule.graph.graphfile`. Training streams its
epochs from :mod:`chainrule.explore.work`, which checks its query with the ``train`` command's
own parser (:func:`argv_for`: each value passed as ``--name=value``, so that a value can never
become another option).

Examples
--------
>>> argv_for("train", {"arch": "2-2-1", "epochs": ["5"]})
['train', '--epochs=5', '--json', '--', '2-2-1']
>>> status, document = run_command("count", {"arch": "2-2-2"})
>>> status, document[0]["terms"]
(200, 52)
>>> run_command("count", {"arch": "2-0-2"})[0]
400
>>> run_command("verify", {"arch": "2-2-2", "case": "/etc/passwd"})[1]["error"].split(";")[0]
"verify takes no option 'case'"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any, cast

from chainrule import budget
from chainrule.errors import ChainruleError
from chainrule.records import chains as chains_record
from chainrule.records import count as count_record
from chainrule.records import delta as delta_record
from chainrule.records import verify as verify_record
from chainrule.records.options import refuse_unknown

#: Options the train command takes from a request: name -> "flag" (true/false), "value" (the
#: last one given) or "values" (repeatable, each passed on).
OPTIONS: dict[str, dict[str, str]] = {
    "train": {
        "bias": "flag",
        "activation": "value",
        "cost": "value",
        "seed": "value",
        "examples": "value",
        "init-scale": "value",
        "epochs": "value",
        "lr": "value",
        "init": "value",
        "data": "value",
    },
}
#: The commands whose --json output the API returns as it is.
COMMANDS = ("count", "chains", "delta", "verify")
#: Longest text accepted in one query value, and longest graph file (characters).
MAX_VALUE = 200
MAX_GRAPH_TEXT = 100_000
#: The largest --limit a request may ask for: the CLI's default, so that a request is never
#: allowed more work than a plain command line.
MAX_LIMIT = 10_000
MAX_EXAMPLES = 64
#: Nodes plus edges of the largest computation graph a request may have built: a few tens of
#: MB and well under a second to build. The counts of any network need no graph.
MAX_GRAPH_ELEMENTS = 50_000
TRUE, FALSE = ("1", "true", "yes", "on", ""), ("0", "false", "no", "off")


#: What one request may ask for (chainrule explore raises a cap with its own --limit and
#: --max-graph).
EXPLORER_CAPS = dict(budget.EXPLORER_CAPS)


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
        if len(value) > MAX_VALUE:
            raise RequestError(f"the value of {name} is longer than {MAX_VALUE} characters")
    return found


def flag(name: str, values: Sequence[str]) -> bool:
    text = values[-1].strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise RequestError(f"{name} takes true or false, not {values[-1]!r}")


def check_parameters(command: str, query: Mapping[str, object]) -> None:
    """Refuse a query parameter that `command` does not take, by name, so that a typo is not
    silently ignored."""
    if command not in OPTIONS:
        raise RequestError(f"unknown command {command!r}")
    allowed = OPTIONS[command]
    known = {"arch", "graph"} | {n for n in allowed} | {n.replace("-", "_") for n in allowed}
    unknown = sorted(str(key) for key in query if key not in known)
    if unknown:
        raise RequestError(
            f"{command} takes no parameter {unknown[0]!r}; it takes arch, " + ", ".join(allowed)
        )


def argv_for(
    command: str, query: Mapping[str, object], architecture: str | None = None
) -> list[str]:
    """The ``chainrule`` argument list for `command` with the options in `query`.

    `architecture` replaces the query's ``arch`` (a graph file's temporary path). Unknown query
    parameters are refused by name (:func:`check_parameters`).
    """
    check_parameters(command, query)
    allowed = OPTIONS[command]
    argv = [command]
    for name, kind in allowed.items():
        values = values_of(query, name)
        if not values:
            continue
        if kind == "flag":
            if flag(name, values):
                argv.append(f"--{name}")
        elif kind == "values":
            argv += [f"--{name}={value}" for value in values]
        else:
            argv.append(f"--{name}={values[-1]}")
    argv.append("--json")
    if architecture is None:
        arch = values_of(query, "arch")
        architecture = arch[-1].strip() if arch else None
        if architecture is not None and architecture.lower().endswith(".json"):
            raise RequestError(
                "the explorer reads no files: send a graph file's JSON text as "
                "the 'graph' parameter"
            )
    if architecture:
        argv += ["--", architecture]
    return argv


def check_budget(command: str, argv: Sequence[str]) -> None:
    """Refusals of the explorer's own, past what a command line allows: a --limit above the
    CLI's default and random cases of many examples."""
    for token in argv:
        name, _, value = token.partition("=")
        if name == "--limit" and value.isdigit() and int(value) > MAX_LIMIT:
            raise RequestError(
                f"--limit {int(value):,} is more than the explorer allows "
                f"({MAX_LIMIT:,}); use the command line for more"
            )
        if name == "--examples" and value.isdigit() and int(value) > MAX_EXAMPLES:
            raise RequestError(
                f"--examples {int(value):,} is more than the explorer allows ({MAX_EXAMPLES})"
            )


def graph_text(query: Mapping[str, object], body: str | None = None) -> str | None:
    """The graph file's JSON text of a request: the POST body or the ``graph`` parameter."""
    texts = _values_unbounded(query, "graph")
    text = body if body else (texts[-1] if texts else None)
    if text is None or not text.strip():
        return None
    if len(text) > MAX_GRAPH_TEXT:
        raise RequestError(
            f"a graph file of {len(text):,} characters is longer than the "
            f"{MAX_GRAPH_TEXT:,} the explorer reads"
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


GRAPH_NAME = "graph.json"


def parse_graph(text: str):
    """The computation graph of a graph file's JSON text, named :data:`GRAPH_NAME`."""
    from chainrule.graph.graphfile import graph_from_text

    return graph_from_text(text, GRAPH_NAME)


#: The commands answered from their records: every command of :data:`COMMANDS`.
RECORDS: dict[str, ModuleType] = {
    "count": count_record,
    "chains": chains_record,
    "delta": delta_record,
    "verify": verify_record,
}
#: The commands that take several architectures (every ``arch`` given).
MANY_ARCHITECTURES = ("count",)


#: The caps that ``chainrule explore`` raises with an option of its own (--limit, --max-graph).
RAISED_BY_EXPLORE = ("limit", "max_graph")


def capped(given: dict[str, Any], caps: Mapping[str, int]) -> dict[str, Any]:
    """`given` (a request's options by keyword) within the explorer's caps: an option past its
    cap is refused, with how to start the explorer to allow it; ``max_graph`` defaults to its
    cap rather than the command line's default."""
    from chainrule.errors import TooLarge
    from chainrule.records.options import positive_int

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
                else "use the command line for more"
            )
            raise TooLarge(
                f"{budget.spelled(name, f'{value:,}')} is more than the explorer takes "
                f"({cap:,}); {advice}"
            )
    if "max_graph" in caps and "max_graph" not in given:
        given["max_graph"] = caps["max_graph"]
    return given


def request_of(
    command: str,
    query: Mapping[str, object],
    body: str | None,
    module: ModuleType | None = None,
) -> Any:
    """The request of `command` that `query` (and a POSTed graph file in `body`) asks for:
    ``arch`` and ``graph`` name the subject, every other parameter is an option by its name
    (``max-graph`` or ``max_graph``), read as the command line reads it. `module` is the
    command's record module (:data:`RECORDS` has those answered as documents)."""
    module = RECORDS[command] if module is None else module
    given: dict[str, Any] = {}
    for key in query:
        if key in ("arch", "graph"):
            continue
        values = values_of(query, str(key))
        given[str(key).replace("-", "_")] = values if len(values) > 1 else values[-1]
    # Only the declared options reach the request: none of them names a file (verify's case
    # file is a keyword of its own, never a query parameter).
    refuse_unknown(module.OPTIONS, given, command)
    given = capped(given, budget.current_front_end().caps)
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
    from chainrule.files import json_safe

    return json_safe(RECORDS[command].compute(request_of(command, query, body)).as_dict())


def run_command(
    command: str, query: Mapping[str, object], body: str | None = None
) -> tuple[int, Any]:
    """Answer ``/api/<command>``: (HTTP status, document). Errors are ``{"error": message}``
    with the message the CLI gives, its options spelled as the API takes them."""
    try:
        if command not in COMMANDS:
            raise RequestError(f"unknown endpoint /api/{command}")
        with budget.front_end("http", EXPLORER_CAPS):
            return 200, answer_record(command, query, body)
    except (RequestError, ChainruleError) as error:
        return 400, {"error": str(error)}
    except RecursionError:
        return 400, {"error": "the input is nested too deeply"}
