"""``chainrule count``: parameters, chains and terms of each architecture, exactly."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.calculus.counting import count
from chainrule.cli.options import ARCH_HELP, UsageError, dump_json
from chainrule.cli.subject import names_a_graph, resolve
from chainrule.notation.table import format_table


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "count",
        parents=[network_options],
        help="count parameters, chains and terms",
        description="Count the parameters, chains and terms of each architecture, exactly.",
    )
    parser.add_argument("architectures", nargs="+", metavar="ARCH", help=ARCH_HELP)
    parser.add_argument(
        "--by-layer", action="store_true", help="also give the counts of each weight layer"
    )
    parser.add_argument(
        "--ops",
        action="store_true",
        help="add the operations (multiplications + additions) to get every "
        "gradient: expanded path sum, reverse mode (delta), forward mode",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run)


def _graph_row(graph) -> dict:
    from chainrule.graph.kinds import NodeKind
    from chainrule.graph.paths import path_counts

    counts = path_counts(graph)
    parameters = [n for n, k in graph.nodes(data="kind") if k == NodeKind.PARAM]
    return {
        "architecture": graph.graph["source"],
        "parameters": len(parameters),
        "chains": sum(counts[p][0] for p in parameters),
        "terms": sum(counts[p][1] for p in parameters),
    }


def _run_graph_files(args: argparse.Namespace, out: TextIO) -> int:
    loaded = [
        resolve(architecture, args).graph() if names_a_graph(architecture) else None
        for architecture in args.architectures
    ]
    if any(graph is None for graph in loaded):
        raise UsageError("count graph files and layer sizes in separate commands")
    if args.by_layer:
        raise UsageError("a graph file has no layers to count by: leave out --by-layer")
    graphs = [graph for graph in loaded if graph is not None]
    rows = [_graph_row(graph) for graph in graphs]
    if args.ops:
        from chainrule.calculus.counting import operation_counts

        for row, graph in zip(rows, graphs):
            row["ops"] = operation_counts(graph).as_dict()
    if args.json:
        dump_json(rows, out)
        return 0
    headers = ["graph", "parameters", "chains", "terms"]
    table = [[r["architecture"], r["parameters"], r["chains"], r["terms"]] for r in rows]
    if args.ops:
        headers += ["expanded ops", "reverse ops", "forward ops"]
        for line, row in zip(table, rows):
            line += [sum(row["ops"][mode].values()) for mode in ("expanded", "reverse", "forward")]
    out.write(format_table(headers, table) + "\n")
    return 0


def run(args: argparse.Namespace, out: TextIO) -> int:
    if args.by_layer and args.ops:
        raise UsageError("--by-layer and --ops are two tables; ask for one at a time")
    if any(names_a_graph(architecture) for architecture in args.architectures):
        return _run_graph_files(args, out)
    counts = [
        count(resolve(architecture, args).layered_network()) for architecture in args.architectures
    ]
    if args.ops:
        from chainrule.calculus.counting import operation_counts

        ops = [operation_counts(c.network) for c in counts]
    if args.json:
        documents = [c.as_dict() for c in counts]
        if args.ops:
            for document, op in zip(documents, ops):
                document["ops"] = op.as_dict()
        dump_json(documents, out)
        return 0
    if args.ops:
        rows = [
            [c.network.architecture, c.parameters, c.chains, c.terms, *(sum(mode) for mode in op)]
            for c, op in zip(counts, ops)
        ]
        headers = [
            "architecture",
            "parameters",
            "chains",
            "terms",
            "expanded ops",
            "reverse ops",
            "forward ops",
        ]
        out.write(format_table(headers, rows) + "\n")
        out.write("(ops: multiplications + additions to get every gradient; --json splits them)\n")
        return 0
    if not args.by_layer:
        rows = [[c.network.architecture, c.parameters, c.chains, c.terms] for c in counts]
        out.write(format_table(["architecture", "parameters", "chains", "terms"], rows) + "\n")
        return 0
    rows = []
    for c in counts:
        rows.append([c.network.architecture, "all", c.parameters, c.chains, c.terms, None])
        rows.extend(
            ["", f"theta^({row.layer})", row.parameters, row.chains, row.terms, row.chain_length]
            for row in c.layers
        )
    headers = ["architecture", "weights", "parameters", "chains", "terms", "chain length"]
    out.write(format_table(headers, rows) + "\n")
    return 0
