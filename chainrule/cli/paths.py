"""``chainrule paths``: which chains carry the gradient, on one numeric case.

For a case drawn as ``verify`` draws one, every edge's local derivative is evaluated at the
case's numbers; a chain's value is the product over its edges, summed over the examples. The
command ranks each selected gradient's chains by |value| (streamed through a heap), states how
much cancels, checks that the chain values add up to numeric backprop's gradient, and, with
``--by length|layer|lag``, aggregates the chains by dynamic programming, without enumerating
them (see :mod:`chainrule.calculus.aggregates` for what is exact with several examples).

Examples
--------
>>> from chainrule.cli.entry import main
>>> main(["paths", "1-1-1", "--param", "2,1,1"])
paths 1-1-1 (activation sigmoid, cost mse), 1 example, seed 0, weights from [-1, 1]
a chain's value: the product of its local derivatives at the case's numbers
<BLANKLINE>
dJ/dtheta^(2)_11 = +4.690911e-02   1 chain
  rank  value          share    sign  through
     1  +4.690911e-02  100.00%  +     a^(3)_1
  positive +4.690911e-02   negative +0.000000e+00   net +4.690911e-02
<BLANKLINE>
check: every gradient against the sum of its chain values
  agrees with numeric backprop, rtol 1e-09, atol 1e-12
0
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TextIO, cast

if TYPE_CHECKING:  # numpy and networkx load with the command, not with the parser
    import networkx as nx

    from chainrule.calculus.aggregates import Row

DEFAULT_TOP = 10
DEFAULT_LIMIT = 1_000_000
PLOT_FORMATS = (".png", ".svg")


class Numbers(NamedTuple):
    """One case on a graph: every edge's value per example, and the reference gradients."""

    graph: nx.DiGraph
    sources: list[str]
    edge_values: dict
    examples: int
    reference: dict[str, float]  # ∂J/∂source summed over the examples, by the reference method
    reference_name: str
    title: str
    tolerance: tuple[float, float]  # (rtol, atol)
    origin: str = ""  # where the numbers come from: a seed and a scale, or a case file


# --- the one place that calls verification's helpers: rename them here ------------------------


def _verification():
    from chainrule.verification import verify

    return verify


def _layered_numbers(case, sources: list[str], wrt: str, origin: str) -> Numbers:
    """A case of a layered net, its edges evaluated, and numpy backprop's gradients."""
    from chainrule.graph import names
    from chainrule.graph.build import build_graph
    from chainrule.numeric import backprop

    verify = _verification()
    network = case.network
    graph = build_graph(network)
    edge_values = verify.evaluate_edges(graph, verify.case_leaf_values(case), case.examples)
    if wrt == "inputs":
        by_input = backprop.input_gradients(case).sum(axis=0)
        reference = {
            names.x_name(k): float(by_input[k - 1]) for k in range(1, network.sizes[0] + 1)
        }
    else:
        _, weights, biases = backprop.backprop(case)
        reference = {}
        for parameter in network.parameters():
            layer, j, k = parameter
            if k == 0:
                assert biases is not None  # a bias parameter exists only with biases
                reference[parameter.name] = float(biases[layer - 1][j - 1])
            else:
                reference[parameter.name] = float(weights[layer - 1][j - 1, k - 1])
    activation = (
        network.activation[0] if len(set(network.activation)) == 1 else ",".join(network.activation)
    )
    title = (
        f"{network.architecture} (activation {activation}, cost "
        f"{network.cost}{', with bias' if network.bias else ''})"
    )
    return Numbers(
        graph,
        sources,
        edge_values,
        case.examples,
        reference,
        "numeric backprop",
        title,
        tuple(verify.EXACT),
        origin,
    )


def _graph_numbers(graph, sources: list[str], args: argparse.Namespace) -> Numbers:
    """Random leaf values for any graph, its edges evaluated, and the δ sweep's gradients."""
    import numpy as np

    verify = _verification()
    leaves = verify.random_leaf_values(graph, args.examples, args.seed, args.init_scale)
    edge_values = verify.evaluate_edges(graph, leaves, args.examples)
    adjoint = verify.adjoints(graph, edge_values, args.examples)
    reference = {source: float(np.sum(adjoint[source])) for source in sources}
    options = ""
    if graph.graph.get("architecture") in ("rnn", "resnet"):
        options = (
            f" (activation {args.activation}, cost {args.cost}"
            + (
                f" on the {args.rnn_cost or 'last'} step{'s' if args.rnn_cost == 'sum' else ''}"
                if graph.graph["architecture"] == "rnn"
                else ""
            )
            + (", with bias" if args.bias else "")
            + ")"
        )
    return Numbers(
        graph,
        sources,
        edge_values,
        args.examples,
        reference,
        "numeric backprop on the graph (the δ sweep)",
        graph.graph["source"] + options,
        tuple(verify.EXACT),
        f"seed {args.seed}, parameters from [-{args.init_scale:g}, {args.init_scale:g}]",
    )


def _edge_limit() -> int:
    return _verification().MAX_EDGES_EVALUATED


# --- working out the selection -----------------------------------------------------------------


def _numbers(args: argparse.Namespace, graph) -> Numbers:
    from chainrule.cli.options import UsageError
    from chainrule.cli.subject import Subject, graph_sources

    if graph is not None:
        if args.case:
            raise UsageError(
                "case files describe layered networks; a graph's case is "
                "drawn from --seed, --examples and --init-scale"
            )
        if graph.number_of_edges() > _edge_limit():
            raise UsageError(
                f"{graph.graph['source']} has {graph.number_of_edges():,} "
                f"edges, more than the {_edge_limit():,} evaluated one by one"
            )
        sources = [s.name for s in graph_sources(graph, args.wrt, args.param)]
        return _graph_numbers(graph, sources, args)
    from chainrule.graph.build import graph_size
    from chainrule.records.cases import case_for

    case, origin = case_for(args, default_examples=1)  # from --case, or drawn as verify draws
    network = case.network
    edges = graph_size(network)[1]
    if edges > _edge_limit():
        raise UsageError(
            f"{network.architecture} has {edges:,} edges, more than the "
            f"{_edge_limit():,} evaluated one by one"
        )
    subject = Subject(label=network.architecture, network=network)
    sources = [s.name for s in subject.sources(args.wrt, args.param)]
    return _layered_numbers(case, sources, args.wrt, origin)


def _group(graph, source: str) -> str:
    """The layer a source belongs to: its declared group, θ^(l) in a layered net, else itself."""
    data = graph.nodes[source]
    if "group" in data:
        return data["group"]
    if "network" in graph.graph:
        return f"theta^({data['layer']})" if data["kind"] == "param" else "x"
    return source


class Result(NamedTuple):
    numbers: Numbers
    rankings: dict | None  # source -> Ranking, when enumerated
    totals: dict  # source -> Row over all its chains, from the dynamic programme
    chain_count: int
    by_length: list[Row]
    by_layer: list[Row]
    by_lag: list[Row] | None


def compute(numbers: Numbers, top: int, limit: int, lag: bool) -> Result:
    """Rank (within `limit`), aggregate, and total every selected source's chains."""
    from chainrule.calculus.aggregates import node_tables, rank_chains

    graph, sources = numbers.graph, numbers.sources
    tables = node_tables(graph, numbers.edge_values, numbers.examples, "length", keep=sources)
    totals = {source: tables.total(source, source) for source in sources}
    chain_count = sum(row.count for row in totals.values())
    rankings = None
    if chain_count <= limit:
        rankings = {
            source: rank_chains(graph, source, numbers.edge_values, top) for source in sources
        }
    groups: dict[str, list[str]] = {}
    for source in sources:
        groups.setdefault(_group(graph, source), []).append(source)
    by_layer = [tables.total(members, group) for group, members in groups.items()]
    by_lag = None
    if lag:
        by_lag = node_tables(
            graph, numbers.edge_values, numbers.examples, "lag", keep=sources
        ).rows(sources)
    return Result(numbers, rankings, totals, chain_count, tables.rows(sources), by_layer, by_lag)


def _gradient(result: Result, source: str) -> tuple[float, float, float]:
    """(sum, positive, negative) of a source's chain values: enumerated when they were."""
    if result.rankings is not None:
        ranking = result.rankings[source]
        return ranking.total, ranking.positive, ranking.negative
    row = result.totals[source]
    return row.sum, row.positive, row.negative


def check(result: Result) -> tuple[float, bool]:
    """The largest |chain sum − reference| and whether every gradient is within tolerance."""
    import numpy as np

    rtol, atol = result.numbers.tolerance
    worst, ok = 0.0, True
    for source in result.numbers.sources:
        got, expected = _gradient(result, source)[0], result.numbers.reference[source]
        error = abs(got - expected)
        finite = np.isfinite(got) and np.isfinite(expected)
        worst = max(worst, error) if finite else float("inf")
        ok = ok and finite and error <= atol + rtol * abs(expected)
    return worst, bool(ok)


# --- writing -----------------------------------------------------------------------------------


def _share(value: float, gradient: float) -> float | None:
    return value / gradient if gradient else None


def _through(graph, nodes: tuple) -> str:
    """The neurons a chain passes through, source to J: its activations, and a weighted input
    only where it fans out (into a softmax), so that no two chains read alike; a residual net's
    identity steps are left out (the branches it takes name the chain); every node of a graph
    file."""
    data, successors = graph.nodes, graph._succ

    def shown(node) -> bool:
        role = data[node].get("role", data[node]["kind"])
        return role in ("act", "node") or (role == "pre" and len(successors[node]) > 1)

    return " ".join(n for n in nodes[1:-1] if shown(n))


def as_json(result: Result, args: argparse.Namespace) -> dict:
    numbers = result.numbers
    worst, ok = check(result)
    gradients = []
    for source in numbers.sources:
        gradient, positive, negative = _gradient(result, source)
        entry = {
            "parameter": source,
            "gradient": gradient,
            "positive": positive,
            "negative": negative,
            "count": result.totals[source].count,
        }
        if result.rankings is not None:
            entry["chains"] = [
                {
                    "value": chain.value,
                    "share": _share(chain.value, gradient),
                    "nodes": list(chain.nodes),
                }
                for chain in result.rankings[source].top
            ]
        gradients.append(entry)
    document = {
        "architecture": numbers.graph.graph.get("source")
        or numbers.graph.graph["network"].architecture,
        "wrt": args.wrt,
        "examples": numbers.examples,
        "case": getattr(args, "case", None),
        "seed": None if getattr(args, "case", None) else args.seed,
        "init_scale": None if getattr(args, "case", None) else args.init_scale,
        "abs_basis": "chain" if numbers.examples == 1 else "example",
        "chains_enumerated": result.rankings is not None,
        "gradients": gradients,
        "by_length": [row.as_dict("length") for row in result.by_length],
        "by_layer": [row.as_dict("layer") for row in result.by_layer],
        "check": {
            "reference": numbers.reference_name,
            "max_abs_error": worst,
            "ok": ok,
            "tolerance": {"rtol": numbers.tolerance[0], "atol": numbers.tolerance[1]},
        },
    }
    if result.by_lag is not None:
        document["by_lag"] = [row.as_dict("lag") for row in result.by_lag]
    return document


def _number(value: float) -> str:
    return f"{value:+.6e}"


def _share_text(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.2f}%"


def _aggregate_table(rows: list[Row], key_name: str, branches_from: int | None = None) -> str:
    """The aggregates as a table; `branches_from` (a resnet's N + 3) adds the number of residual
    branches an input's chain of each length passes through, (length - N - 3) / 2."""
    from chainrule.notation.table import format_table

    total_abs = sum(row.abs_sum for row in rows)
    body = [
        [
            row.key,
            row.count,
            _number(row.sum),
            f"{row.abs_sum:.6e}",
            f"{row.max_abs:.6e}",
            f"{row.abs_sum / row.count:.3e}",
            _share_text(_share(row.abs_sum, total_abs)),
        ]
        for row in rows
    ]
    headers = [key_name, "chains", "sum", "abs_sum", "max_abs", "mean |value|", "share of abs_sum"]
    if branches_from is not None:
        headers.insert(1, "branches")
        for line, row in zip(body, rows):
            line.insert(1, (cast(int, row.key) - branches_from) // 2)  # keys are lengths here
    return format_table(headers, body)


def _resnet_offset(graph, args: argparse.Namespace) -> int | None:
    """N + 3 for the inputs of resnet:WxN, whose chains through k branches have N + 2k + 3
    terms; None otherwise."""
    if graph.graph.get("architecture") != "resnet" or args.wrt != "inputs":
        return None
    return int(graph.graph["source"].split("x")[-1]) + 3


def _peaks(rows: list[Row], key_name: str) -> str:
    most_common = max(rows, key=lambda row: row.count)
    heaviest = max(rows, key=lambda row: row.abs_sum)
    return (
        f"most chains at {key_name} {most_common.key} ({most_common.count:,}); the largest "
        f"abs_sum at {key_name} {heaviest.key} ({heaviest.abs_sum:.3e})"
    )


def write_text(result: Result, args: argparse.Namespace, out: TextIO) -> None:
    from chainrule.notation.table import format_table

    numbers = result.numbers
    graph = numbers.graph
    examples = f"{numbers.examples} example{'s' if numbers.examples != 1 else ''}"
    out.write(f"paths {numbers.title}, {examples}, {numbers.origin}\n")
    out.write(
        "a chain's value: the product of its local derivatives at the case's numbers"
        + (", summed over the examples" if numbers.examples > 1 else "")
        + "\n"
    )
    if result.rankings is None:
        out.write(
            f"{result.chain_count:,} chains, more than --limit {args.limit:,}: not ranked "
            f"one by one (raise it with --limit {result.chain_count});\nevery figure below "
            "comes from the dynamic programme"
            + (", positive and negative over per-example values" if numbers.examples > 1 else "")
            + "\n"
        )
    for source in numbers.sources:
        gradient, positive, negative = _gradient(result, source)
        count = result.totals[source].count
        out.write(
            f"\ndJ/d{source} = {_number(gradient)}   {count:,} chain{'s' if count != 1 else ''}\n"
        )
        if result.rankings is not None:
            ranking = result.rankings[source]
            ranked = [
                [
                    rank,
                    _number(chain.value),
                    _share_text(_share(chain.value, gradient)),
                    "+" if chain.value > 0 else "-" if chain.value < 0 else "0",
                    _through(graph, chain.nodes),
                ]
                for rank, chain in enumerate(ranking.top, start=1)
            ]
            table = format_table(["rank", "value", "share", "sign", "through"], ranked)
            out.write("".join(f"  {line}\n" for line in table.splitlines()))
            if ranking.count > len(ranking.top):
                shown = sum(chain.value for chain in ranking.top)
                out.write(
                    f"  (the top {len(ranking.top)} of {ranking.count:,} chains add up to "
                    f"{_number(shown)}, {_share_text(_share(shown, gradient))} of the "
                    "gradient)\n"
                )
        out.write(
            f"  positive {_number(positive)}   negative {_number(negative)}   "
            f"net {_number(gradient)}\n"
        )
    for rows, key_name, title in [
        (result.by_length, "length", "by length (terms per chain)"),
        (result.by_layer, "layer", "by layer"),
        (result.by_lag or [], "lag", "by lag (steps reached back)"),
    ]:
        if args.by != key_name:
            continue
        out.write(
            f"\n{title}, over the {len(numbers.sources)} selected "
            f"{'inputs' if args.wrt == 'inputs' else 'parameters'}"
            + (" (abs_sum and max_abs over per-example values)" if numbers.examples > 1 else "")
            + ":\n"
        )
        offset = _resnet_offset(graph, args) if key_name == "length" else None
        out.write(_aggregate_table(rows, key_name, offset) + "\n")
        if key_name != "layer":
            out.write(_peaks(rows, key_name) + "\n")
    worst, ok = check(result)
    rtol, atol = numbers.tolerance
    # The error itself is rounding noise when it agrees (--json has it): not printed then, so
    # that the text is the same on every machine.
    verdict = "agrees with" if ok else f"DISAGREES (largest error {worst:.2e}) with"
    out.write(
        f"\ncheck: every gradient against the sum of its chain values\n  {verdict} "
        f"{numbers.reference_name}, rtol {rtol:g}, atol {atol:g}\n"
    )


def plot(result: Result, key_name: str, path: str) -> None:
    """Chains and gradient by length (or lag), each on a log axis where the range needs it."""
    from matplotlib.figure import Figure

    from chainrule.files import atomic_path

    rows = result.by_lag if key_name == "lag" else result.by_length
    assert rows is not None  # --by lag is refused unless the lag table is computed
    keys = [row.key for row in rows]
    figure = Figure(figsize=(7, 6))
    counts_axis, values_axis = figure.subplots(2, 1, sharex=True)
    counts = [row.count for row in rows]
    counts_axis.bar(keys, [float(c) for c in counts], color="tab:gray")
    if max(counts) / max(min(counts), 1) > 1e3:
        counts_axis.set_yscale("log")
    counts_axis.set_ylabel("chains")
    magnitudes = [row.abs_sum for row in rows]
    values_axis.plot(keys, magnitudes, "o-", color="tab:blue", label="abs_sum: Σ |chain value|")
    values_axis.plot(
        keys,
        [abs(row.sum) for row in rows],
        "s--",
        color="tab:orange",
        label="|sum of chain values|",
    )
    positive = [m for m in magnitudes if m > 0]
    if positive and max(positive) / min(positive) > 1e3:
        values_axis.set_yscale("log")
    values_axis.set_ylabel("gradient")
    values_axis.set_xlabel(
        {"length": "chain length (terms)", "lag": "lag (time steps reached back)"}[key_name]
    )
    values_axis.legend()
    numbers = result.numbers
    counts_axis.set_title(f"{numbers.title}: chains and gradient by {key_name}", fontsize=10)
    with atomic_path(path) as temporary:
        figure.savefig(
            temporary, format=Path(path).suffix[1:].lower(), bbox_inches="tight", dpi=150
        )


def run(args: argparse.Namespace, out: TextIO, graph) -> int:
    """The ``paths`` command on a graph (or None for layer sizes); returns the exit status."""
    from chainrule.cli.options import UsageError, dump_json

    if args.plot and Path(args.plot).suffix.lower() not in PLOT_FORMATS:
        raise UsageError(
            f"cannot plot to {args.plot!r}: the file name must end in {', '.join(PLOT_FORMATS)}"
        )
    is_rnn = graph is not None and graph.graph.get("architecture") == "rnn"
    if args.by == "lag" and not is_rnn:
        raise UsageError(
            "--by lag is for recurrent networks (rnn:I-H-O:T): only their chains reach back in time"
        )
    lag = is_rnn and (args.by == "lag" or args.format_json)
    import numpy as np

    numbers = _numbers(args, graph)
    with np.errstate(all="ignore"):  # overflow shows as inf in the figures and fails the check
        result = compute(numbers, args.top, args.limit, lag)
    if args.plot:
        plot(result, "lag" if args.by == "lag" else "length", args.plot)
    if args.format_json:
        dump_json(as_json(result, args), out)
    else:
        write_text(result, args, out)
        if args.plot:
            out.write(f"wrote {args.plot}\n")
    return 0 if check(result)[1] else 1


def add_parser(commands, parents: list) -> argparse.ArgumentParser:
    """Register ``chainrule paths`` with the command line's shared options."""
    from chainrule.cli.options import add_architecture, add_case_options, add_wrt, positive_int

    parser = commands.add_parser(
        "paths",
        parents=parents,
        help="which chains carry the gradient, on numbers",
        description="Evaluate every chain on one case: rank each gradient's chains by |value|, "
        "show how much cancels, check the sum against numeric backprop, and "
        "aggregate the chains by length, layer or lag without enumerating them.",
    )
    add_architecture(
        parser,
        optional_help="layer sizes joined by '-', a graph file, "
        "rnn:I-H-O:T or resnet:WxN (not needed with --case)",
    )
    parser.add_argument(
        "--case",
        metavar="FILE",
        help="read a layered network's case (sizes, options, numbers) from a "
        "case file, as verify does",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="l,j,k",
        help="the weight theta^(l)_jk (a name for rnn:, resnet: and graph "
        "files); repeatable; all by default",
    )
    add_wrt(parser)
    parser.add_argument(
        "--top",
        type=positive_int,
        default=DEFAULT_TOP,
        metavar="K",
        help=f"chains shown per gradient, largest |value| first (default {DEFAULT_TOP})",
    )
    parser.add_argument(
        "--limit",
        type=positive_int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"rank chains one by one only up to N in all (default "
        f"{DEFAULT_LIMIT:,}); the aggregates never need it",
    )
    parser.add_argument(
        "--by",
        choices=["length", "layer", "lag"],
        help="aggregate the chains by length (terms), by layer of parameters, "
        "or by lag (time steps back, rnn: only)",
    )
    parser.add_argument(
        "--plot",
        metavar="FILE",
        help="draw chains and gradient by length (by lag with --by lag): .png or .svg",
    )
    add_case_options(
        parser,
        examples=1,
        examples_help="examples in the random case (default 1, where every aggregate is "
        "exact over chain values)",
    )
    parser.add_argument(
        "--rnn-cost",
        choices=["last", "sum"],
        default=None,  # given or not: it is refused where it does not apply
        help="rnn: score the last step's output (default) or every step's",
    )
    parser.add_argument("--json", dest="format_json", action="store_true", help="print JSON")
    return parser
