"""The ``chainrule`` command: ``build_parser()`` for tests, ``main(argv) -> int`` for the shell.

Every command imports the heavy libraries it needs inside itself, so that ``chainrule count``
starts about as fast as Python does. Bad input is one ``chainrule: error: ...`` line on stderr
with exit status 2, never a traceback.

Examples
--------
>>> main(["count", "2-2-2"])
architecture  parameters  chains  terms
2-2-2                  8      12     52
0
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Sequence, TextIO

from chainrule.calculus.counting import count, count_parameter
from chainrule.graph.spec import ACTIVATIONS, COSTS, Network, ParameterIndex, SpecError, parse_parameter
from chainrule.notation.table import format_table

PROG = "chainrule"
DEFAULT_CHAIN_LIMIT = 10_000

# argparse takes "-1-2" for an unknown option; a token shaped like a negative architecture is
# caught first so that it gets the same message as any other malformed architecture.
_NEGATIVE_ARCHITECTURE = re.compile(r"-[0-9][0-9-]*-[0-9-]*")


class UsageError(Exception):
    """Bad usage or bad input: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print the usage block and exit
        raise UsageError(message)


def _positive_int(text: str) -> int:
    if not re.fullmatch(r"[0-9]+", text) or int(text) == 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def _non_negative_int(text: str) -> int:
    if not re.fullmatch(r"[0-9]+", text):
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    return int(text)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value > 0 and value != float("inf")):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _network_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--bias", action="store_true",
                         help="give every non-input neuron a bias weight theta^(l)_j0")
    options.add_argument("--activation", default="sigmoid", metavar="NAME[,NAME...]",
                         help="one activation for all layers or one per non-input layer: "
                              f"{', '.join(ACTIVATIONS)} (default sigmoid)")
    options.add_argument("--cost", default="mse", metavar="NAME",
                         help=f"cost function: {', '.join(COSTS)} (default mse)")
    return options


ARCH_HELP = "layer sizes joined by '-', input first, e.g. 2-2-2"


def _add_architecture(parser: argparse.ArgumentParser, default: str | None = None,
                      optional_help: str | None = None) -> None:
    """The ARCH positional: required, or optional with a default (or none, with --case)."""
    if default is None and optional_help is None:
        parser.add_argument("architecture", metavar="ARCH", help=ARCH_HELP)
    else:
        parser.add_argument("architecture", metavar="ARCH", nargs="?", default=default,
                            help=optional_help)


def _add_formats(parser: argparse.ArgumentParser) -> None:
    """--format text|unicode|latex|json, and --json as its short form."""
    parser.add_argument("--format", choices=["text", "unicode", "latex", "json"], default="text",
                        help="text (ASCII, default), unicode, latex or json")
    parser.add_argument("--json", dest="format", action="store_const", const="json",
                        help="the same as --format json")


def _add_wrt(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wrt", choices=["parameters", "inputs"], default="parameters",
                        help="differentiate by the parameters (default) or by the inputs x_k")


def _add_limit(parser: argparse.ArgumentParser, default: int, what: str) -> None:
    parser.add_argument("--limit", type=_positive_int, default=default, metavar="N",
                        help=f"refuse to write more than N {what} (default {default})")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``chainrule`` command, with one sub-parser per command."""
    parser = _Parser(prog=PROG, description="Backpropagation derived in the open: every "
                     "chain-rule path from each parameter to the cost.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    network_options = _network_options()

    explain_parser = commands.add_parser(
        "explain", parents=[network_options], help="the guided tour: counts, chains, delta, "
        "savings and the check against numbers", description="The whole story of one network "
        "in the terminal: counts, the chains of one weight, their factoring into delta, what it "
        "saves, and the verification against numeric backprop.")
    _add_architecture(explain_parser, "2-2-2", "layer sizes joined by '-' (default 2-2-2)")
    explain_parser.add_argument("--param", default="1,1,1", metavar="l,j,k",
                                help="the weight whose chains to follow (default 1,1,1)")
    explain_parser.add_argument("--seed", type=_non_negative_int, default=0, metavar="S",
                                help="seed of the verification's random case (default 0)")
    explain_parser.set_defaults(run=run_explain)

    count_parser = commands.add_parser(
        "count", parents=[network_options], help="count parameters, chains and terms",
        description="Count the parameters, chains and terms of each architecture, exactly.")
    count_parser.add_argument("architectures", nargs="+", metavar="ARCH", help=ARCH_HELP)
    count_parser.add_argument("--by-layer", action="store_true",
                              help="also give the counts of each weight layer")
    count_parser.add_argument("--ops", action="store_true",
                              help="add the operations (multiplications + additions) to get every "
                                   "gradient: expanded path sum, reverse mode (delta), forward mode")
    count_parser.add_argument("--json", action="store_true", help="print JSON")
    count_parser.set_defaults(run=run_count)

    chains_parser = commands.add_parser(
        "chains", parents=[network_options], help="write out every chain of some parameters",
        description="Write out every chain-rule product from the selected parameters to J.")
    _add_architecture(chains_parser)
    chains_parser.add_argument("--param", action="append", default=[], metavar="l,j,k",
                               help="the weight theta^(l)_jk (k = 0 for a bias); repeatable; "
                                    "all weights by default")
    _add_limit(chains_parser, DEFAULT_CHAIN_LIMIT, "chains")
    _add_wrt(chains_parser)
    _add_formats(chains_parser)
    chains_parser.add_argument("--view", choices=["abstract", "local", "closed"],
                               default="abstract",
                               help="abstract partials (default), their local formulas, or the "
                                    "closed expression in x, theta and y")
    chains_parser.set_defaults(run=run_chains)

    delta_parser = commands.add_parser(
        "delta", parents=[network_options], help="factor the chains into backpropagation's deltas",
        description="The delta terms, every gradient as delta times an activation, and, for a "
                    "chosen parameter, its chains grouped into deltas layer by layer.")
    _add_architecture(delta_parser)
    delta_parser.add_argument("--param", action="append", default=[], metavar="l,j,k",
                              help="show the factoring of theta^(l)_jk's chains (repeatable)")
    delta_parser.add_argument("--ops", action="store_true",
                              help="add the operation counts: expanded, reverse and forward mode")
    _add_limit(delta_parser, DEFAULT_CHAIN_LIMIT, "chains or delta terms")
    _add_wrt(delta_parser)
    _add_formats(delta_parser)
    delta_parser.set_defaults(run=run_delta)

    draw_parser = commands.add_parser(
        "draw", parents=[network_options], help="draw the network with a weight's chains lit up",
        description="Draw the network, every chain of one weight in its own colour (needs "
                    "matplotlib: pip install 'chainrule[plot]').")
    _add_architecture(draw_parser)
    draw_parser.add_argument("--param", metavar="l,j,k",
                             help="the weight whose chains to light up (default 1,1,1; a name "
                                  "for a graph file, its first parameter by default)")
    draw_parser.add_argument("--view", choices=["graph", "neurons"], default="graph",
                             help="the full computation graph (default) or the neurons")
    draw_parser.add_argument("--delta", action="store_true",
                             help="shade the cost-side sub-chains that become each delta")
    draw_parser.add_argument("-o", "--output", required=True, metavar="FILE",
                             help="the picture to write: .png, .svg or .pdf")
    draw_parser.set_defaults(run=run_draw)

    report_parser = commands.add_parser(
        "report", parents=[network_options], help="the whole derivation as a document",
        description="Write the whole derivation (counts, every chain, the delta factoring, "
                    "operation counts, verification and the figure) as .tex, .md or .html.")
    _add_architecture(report_parser)
    report_parser.add_argument("--param", action="append", default=[], metavar="l,j,k",
                               help="write only these weights' chains (repeatable; the first is "
                                    "the one factored and drawn)")
    _add_limit(report_parser, 2_000, "chains")
    report_parser.add_argument("--seed", type=_non_negative_int, default=0, metavar="S",
                               help="seed of the verification's random case (default 0)")
    report_parser.add_argument("-o", "--output", required=True, metavar="FILE",
                               help="the document to write: .tex, .md or .html")
    report_parser.set_defaults(run=run_report)

    verify_parser = commands.add_parser(
        "verify", parents=[network_options], help="check the gradients five ways on numbers",
        description="Compute one case's gradients by the expanded chain sum, the delta form, "
                    "numeric backprop, finite differences and sympy.diff, and compare them.")
    _add_architecture(verify_parser, optional_help="layer sizes joined by '-' (not needed "
                                                   "with --case)")
    _case_options(verify_parser)
    verify_parser.add_argument("--case", metavar="FILE",
                               help="read the case (sizes, options, numbers) from a case file")
    verify_parser.add_argument("--save-case", metavar="FILE", help="write the case used")
    _add_wrt(verify_parser)
    verify_parser.add_argument("--json", action="store_true", help="print JSON")
    verify_parser.set_defaults(run=run_verify)

    train_parser = commands.add_parser(
        "train", parents=[network_options], help="gradient descent with the verified gradients",
        description="Train by gradient descent, theta := theta - lr dJ/dtheta, and show the cost "
                    "after every epoch.")
    _add_architecture(train_parser, "2-2-1", "layer sizes joined by '-' (default 2-2-1)")
    _case_options(train_parser)
    train_parser.add_argument("--epochs", type=_positive_int, default=2000, metavar="N",
                              help="epochs of full-batch gradient descent (default 2000)")
    train_parser.add_argument("--lr", type=_positive_float, default=5.0, metavar="RATE",
                              help="learning rate (default 5)")
    train_parser.add_argument("--init", choices=["random", "constant"], default="random",
                              help="random weights in [-scale, scale] (default), or every "
                                   "weight equal to the scale, to see why that fails")
    train_parser.add_argument("--data", default="xor", metavar="xor|random|FILE",
                              help="xor (default), random, or a JSON file with inputs and targets")
    train_parser.add_argument("--json", action="store_true", help="print JSON")
    train_parser.set_defaults(run=run_train)

    from chainrule.cli.check import add_check_parser  # light: its heavy imports are lazy

    add_check_parser(commands, network_options)
    return parser


def _case_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--examples", type=_positive_int, default=4, metavar="M",
                        help="examples in a random case (default 4)")
    parser.add_argument("--seed", type=_non_negative_int, default=0, metavar="S",
                        help="seed of the random numbers (default 0)")
    parser.add_argument("--init-scale", type=_positive_float, default=1.0, metavar="EPS",
                        help="draw weights from [-EPS, EPS] (default 1)")


def _network(architecture: str, args: argparse.Namespace) -> Network:
    return Network.parse(architecture, bias=args.bias, activation=args.activation, cost=args.cost)


def _dump_json(document: object, out: TextIO) -> None:
    import json

    from chainrule.files import json_safe

    json.dump(json_safe(document), out, indent=2, allow_nan=False)
    out.write("\n")


class NodeRef(tuple):
    """A node of a general graph selected by name; it prints and names itself like a weight."""

    def __new__(cls, name: str):
        return super().__new__(cls, (name,))

    @property
    def name(self) -> str:
        return self[0]


def _graph_for(architecture: str | None):
    """The graph of a graph file named as ARCH (ending .json), or None for layer sizes.

    The suffix is checked here, so that layer sizes never import the graph-file parser (and
    SymPy with it): `chainrule count` must start fast.
    """
    if not architecture or not architecture.lower().endswith(".json"):
        return None
    from chainrule.graph.graphfile import load_graph_file

    return load_graph_file(architecture)


def _graph_sources(graph, texts: Sequence[str], wrt: str) -> list[NodeRef]:
    """Parameters (or inputs) of a general graph chosen by name; all of them by default."""
    kind = "param" if wrt == "parameters" else "input"
    available = [n for n, k in graph.nodes(data="kind") if k == kind]
    if not available:
        raise UsageError(f"{graph.graph.get('source', 'the graph')} has no "
                         f"{'parameters' if kind == 'param' else 'inputs'}")
    if not texts:
        return [NodeRef(n) for n in available]
    chosen = []
    for text in texts:
        if text not in available:
            raise UsageError(f"no {'parameter' if kind == 'param' else 'input'} {text!r} in "
                             f"{graph.graph.get('source', 'the graph')}; it has "
                             f"{', '.join(available) or 'none'}")
        chosen.append(NodeRef(text))
    return list(dict.fromkeys(chosen))


def _source_counts(graph):
    from chainrule.graph.paths import path_counts

    counts = path_counts(graph)
    return lambda source: counts[source.name]


def _layers_only(args: argparse.Namespace) -> None:
    if args.architecture.lower().endswith(".json"):
        raise UsageError(f"{args.command} takes layer sizes such as 2-2-2; graph files work with "
                         "count, chains, delta, verify and draw")


def run_explain(args: argparse.Namespace, out: TextIO) -> int:
    _layers_only(args)
    network = _network(args.architecture, args)
    parameter = parse_parameter(args.param, network)
    from chainrule.cli.explain import explain

    explain(network, parameter, out, seed=args.seed)
    return 0


def run_draw(args: argparse.Namespace, out: TextIO) -> int:
    from pathlib import Path

    from chainrule.cli.draw import FORMATS

    graph = _graph_for(args.architecture)
    if Path(args.output).suffix.lower() not in FORMATS:
        raise UsageError(f"cannot draw to {args.output!r}: the file name must end in "
                         f"{', '.join(FORMATS)}")
    if graph is not None:
        from chainrule.cli.draw import draw_graph

        names = [] if args.param is None else [args.param]
        sources = _graph_sources(graph, names, "parameters")
        drawing = draw_graph(graph, sources[0].name, delta=args.delta)
    else:
        network = _network(args.architecture, args)
        parameter = parse_parameter(args.param or "1,1,1", network)
        from chainrule.cli.draw import draw

        drawing = draw(network, parameter, view=args.view, delta=args.delta)
    drawing.save(args.output)
    out.write(f"wrote {args.output}" + (f" ({drawing.summary})" if drawing.summary else "") + "\n")
    return 0


def run_report(args: argparse.Namespace, out: TextIO) -> int:
    _layers_only(args)
    network = _network(args.architecture, args)
    parameters = list(dict.fromkeys(parse_parameter(text, network) for text in args.param))
    from chainrule.cli.report import write_report

    written = write_report(network, args.output, parameters, limit=args.limit, seed=args.seed)
    out.write("wrote " + ", ".join(written) + "\n")
    return 0


def _graph_count_row(graph) -> dict:
    from chainrule.graph.paths import path_counts

    counts = path_counts(graph)
    parameters = [n for n, k in graph.nodes(data="kind") if k == "param"]
    return {"architecture": graph.graph["source"], "parameters": len(parameters),
            "chains": sum(counts[p][0] for p in parameters),
            "terms": sum(counts[p][1] for p in parameters)}


def run_count(args: argparse.Namespace, out: TextIO) -> int:
    if args.by_layer and args.ops:
        raise UsageError("--by-layer and --ops are two tables; ask for one at a time")
    graphs = [_graph_for(architecture) for architecture in args.architectures]
    if any(graph is not None for graph in graphs):
        if not all(graph is not None for graph in graphs):
            raise UsageError("count graph files and layer sizes in separate commands")
        if args.by_layer:
            raise UsageError("a graph file has no layers to count by: leave out --by-layer")
        rows = [_graph_count_row(graph) for graph in graphs]
        if args.ops:
            from chainrule.calculus.delta import graph_operation_counts

            for row, graph in zip(rows, graphs):
                row["ops"] = graph_operation_counts(graph).as_dict()
        if args.json:
            _dump_json(rows, out)
        else:
            headers = ["graph", "parameters", "chains", "terms"]
            table = [[r["architecture"], r["parameters"], r["chains"], r["terms"]] for r in rows]
            if args.ops:
                headers += ["expanded ops", "reverse ops", "forward ops"]
                for line, row in zip(table, rows):
                    line += [sum(row["ops"][mode].values())
                             for mode in ("expanded", "reverse", "forward")]
            out.write(format_table(headers, table) + "\n")
        return 0
    counts = [count(_network(architecture, args)) for architecture in args.architectures]
    if args.ops:
        from chainrule.calculus.delta import operation_counts

        ops = [operation_counts(c.network) for c in counts]
    if args.json:
        documents = [c.as_dict() for c in counts]
        if args.ops:
            for document, op in zip(documents, ops):
                document["ops"] = op.as_dict()
        _dump_json(documents, out)
        return 0
    if args.ops:
        rows = [[c.network.architecture, c.parameters, c.chains, c.terms,
                 *(sum(mode) for mode in op)] for c, op in zip(counts, ops)]
        headers = ["architecture", "parameters", "chains", "terms", "expanded ops", "reverse ops",
                   "forward ops"]
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
        rows.extend(["", f"theta^({row.layer})", row.parameters, row.chains, row.terms,
                     row.chain_length] for row in c.layers)
    headers = ["architecture", "weights", "parameters", "chains", "terms", "chain length"]
    out.write(format_table(headers, rows) + "\n")
    return 0


def _selected_parameters(network: Network, texts: Sequence[str]) -> list[ParameterIndex]:
    if not texts:
        return list(network.parameters())
    selected = [parse_parameter(text, network) for text in texts]
    return list(dict.fromkeys(selected))  # a parameter named twice is written once


def run_chains(args: argparse.Namespace, out: TextIO) -> int:
    graph = _graph_for(args.architecture)
    if graph is not None:
        sources = _graph_sources(graph, args.param, args.wrt)
        counts_of = _source_counts(graph)
        total = sum(counts_of(source)[0] for source in sources)
        if total > args.limit:
            raise UsageError(f"the selection has {total:,} chains, more than --limit "
                             f"{args.limit:,}; raise it with --limit {total}")
        return _write_chains(graph, sources, counts_of, args, out)
    network = _network(args.architecture, args)
    if args.wrt == "inputs":
        return _input_chains(network, args, out)
    parameters = _selected_parameters(network, args.param)
    # Counted by the closed form before anything is built, so a refusal is instant.
    total = sum(count_parameter(network, parameter)[0] for parameter in parameters)
    if total > args.limit:
        raise UsageError(f"the selection has {total:,} chains, more than --limit {args.limit:,}; "
                         f"raise it with --limit {total} or select fewer with --param l,j,k")
    from chainrule.graph.build import build_graph

    return _write_chains(build_graph(network), parameters,
                         lambda parameter: count_parameter(network, parameter), args, out)


def _layered_inputs(network: Network, texts: Sequence[str]) -> list[NodeRef]:
    from chainrule.graph import names

    if texts:
        raise UsageError("--param selects weights; with --wrt inputs every input is written")
    return [NodeRef(names.x_name(k)) for k in range(1, network.sizes[0] + 1)]


def _input_chains(network: Network, args: argparse.Namespace, out: TextIO) -> int:
    from chainrule.calculus.counting import count_input
    from chainrule.graph.build import build_graph

    inputs = _layered_inputs(network, args.param)
    total = count_input(network)[0] * len(inputs)
    if total > args.limit:
        raise UsageError(f"the selection has {total:,} chains, more than --limit {args.limit:,}; "
                         f"raise it with --limit {total}")
    return _write_chains(build_graph(network), inputs, lambda _: count_input(network), args, out)


def _write_chains(graph, sources, counts_of, args: argparse.Namespace, out: TextIO) -> int:
    from chainrule.cli import render
    from chainrule.graph.chains import iter_chains

    groups = (((source, iter_chains(graph, source.name)), *counts_of(source)) for source in sources)
    if args.format == "json":
        render.write_json(graph, groups, out, view=args.view)
    elif args.format == "latex":
        render.write_latex(graph, groups, out, view=args.view)
    else:
        render.write_text(graph, groups, out, view=args.view, unicode=args.format == "unicode")
    return 0


def run_delta(args: argparse.Namespace, out: TextIO) -> int:
    from chainrule.cli import render
    from chainrule.calculus.delta import graph_operation_counts, operation_counts
    from chainrule.notation.delta_printing import Style

    graph = _graph_for(args.architecture)
    network = None
    if graph is not None:
        every = _graph_sources(graph, [], args.wrt)
        selected = _graph_sources(graph, args.param, args.wrt) if args.param else []
        counts_of = _source_counts(graph)
        shown = (sum(counts_of(s)[0] for s in selected) if selected else graph.number_of_edges())
    else:
        network = _network(args.architecture, args)
        from chainrule.graph.build import graph_size

        if args.wrt == "inputs":
            every, selected = _layered_inputs(network, args.param), []
        else:
            every = list(network.parameters())
            selected = list(dict.fromkeys(parse_parameter(text, network) for text in args.param))
        shown = (sum(count_parameter(network, p)[0] for p in selected) if selected
                 else graph_size(network)[1])
    what = "chains in the selected factorings" if selected else "terms in the delta definitions"
    if shown > args.limit:
        raise UsageError(f"{graph.graph['source'] if graph is not None else network.architecture} "
                         f"has {shown:,} {what}, more than --limit {args.limit:,}; raise it with "
                         f"--limit {shown}" + ("" if selected else
                                               " or factor one weight with --param"))
    if graph is None:
        from chainrule.graph.build import build_graph

        graph = build_graph(network)
    ops = None
    if args.ops:
        ops = operation_counts(network) if network is not None and args.wrt == "parameters" else (
            graph_operation_counts(graph, [s.name for s in every]))
    if args.format == "json":
        render.write_delta_json(graph, network, every, selected, out, ops=ops,
                                matrix=args.wrt == "parameters")
    else:
        style = Style(latex=args.format == "latex", unicode=args.format == "unicode")
        render.write_delta_text(graph, network, every, selected, out, style, ops=ops,
                                matrix=args.wrt == "parameters")
    return 0


def _case_for(args: argparse.Namespace):
    """The case of ``verify``: from --case, or random from ARCH, the options and the seed."""
    from chainrule.numeric.case import load_case, random_case

    if args.case:
        if args.bias or args.activation != "sigmoid" or args.cost != "mse":
            raise UsageError("the case file sets the network; drop --bias, --activation and "
                             "--cost, or leave out --case")
        case = load_case(args.case)
        if args.architecture and Network.parse(args.architecture).sizes != case.network.sizes:
            raise UsageError(f"ARCH {args.architecture} and the case file's sizes "
                             f"{case.network.architecture} disagree; give one of them")
        return case, f"case file {args.case}"
    if not args.architecture:
        raise UsageError("give an architecture (ARCH) or a case file (--case FILE)")
    network = _network(args.architecture, args)
    case = random_case(network, examples=args.examples, seed=args.seed,
                       init_scale=args.init_scale)
    return case, f"seed {args.seed}, weights from [-{args.init_scale:g}, {args.init_scale:g}]"


def _quiet_numpy():
    """Overflow in a saturated case shows up as a non-finite cost or gradient, which the report
    states and counts as a failure; numpy's warnings would only repeat it on stderr."""
    import numpy as np

    return np.errstate(all="ignore")


def run_verify(args: argparse.Namespace, out: TextIO) -> int:
    from chainrule.cli.render_numbers import write_verify_json, write_verify_text

    graph = _graph_for(args.architecture)
    if graph is not None:
        if args.case or args.save_case:
            raise UsageError("case files describe layered networks; a graph file's case is drawn "
                             "from --seed, --examples and --init-scale")
        from chainrule.verification.verify import random_leaf_values, verify_graph

        sources = [s.name for s in _graph_sources(graph, [], args.wrt)]
        values = random_leaf_values(graph, args.examples, args.seed, args.init_scale)
        with _quiet_numpy():
            report = verify_graph(graph, sources, values, args.examples,
                                  title=f"{graph.graph['source']} ({args.wrt}), "
                                        f"{args.examples} example{'s' if args.examples != 1 else ''}")
        origin = f"seed {args.seed}, parameters from [-{args.init_scale:g}, {args.init_scale:g}]"
    else:
        case, origin = _case_for(args)
        from chainrule.numeric.case import save_case
        from chainrule.verification.verify import verify, verify_inputs

        if args.save_case:
            save_case(case, args.save_case)
        with _quiet_numpy():
            report = verify_inputs(case) if args.wrt == "inputs" else verify(case)
    if args.json:
        write_verify_json(report, out)
    else:
        write_verify_text(report, out, origin)
    return 0 if report.ok else 1


def _training_data(args: argparse.Namespace, network: Network):
    import numpy as np

    from chainrule.numeric.case import XOR_INPUTS, XOR_TARGETS, load_training_data

    if args.data == "xor":
        if (network.sizes[0], network.sizes[-1]) != (2, 1):
            raise UsageError(f"--data xor needs 2 inputs and 1 output, and {network.architecture} "
                             "has not; use --data random or a file")
        return np.array(XOR_INPUTS), np.array(XOR_TARGETS)
    if args.data == "random":
        from chainrule.numeric.case import random_case

        sample = random_case(network, examples=args.examples, seed=args.seed + 1)
        return sample.inputs, sample.targets
    return load_training_data(args.data, network)


def run_train(args: argparse.Namespace, out: TextIO) -> int:
    network = _network(args.architecture, args)
    inputs, targets = _training_data(args, network)
    from chainrule.numeric.case import constant_case, random_case
    from chainrule.cli.render_numbers import Progress, write_training_text
    from chainrule.numeric.train import descend, identical_hidden_units

    constant = args.init == "constant"
    if constant:
        case = constant_case(network, args.init_scale, inputs, targets)
    else:
        case = random_case(network, seed=args.seed, init_scale=args.init_scale, inputs=inputs,
                           targets=targets)
    progress = Progress(args.epochs)
    costs, trained = descend(case, args.epochs, args.lr, after_epoch=progress.update)
    progress.close()
    identical = identical_hidden_units(trained)
    if args.json:
        _dump_json({"architecture": network.architecture, "epochs": len(costs) - 1,
                    "learning_rate": args.lr, "init": args.init,
                    "costs": [{"epoch": epoch, "cost": cost} for epoch, cost in enumerate(costs)],
                    "identical_hidden_units": [{"layer": layer, "units": units}
                                               for layer, units in identical],
                    "trained": trained.as_dict()}, out)
    else:
        hint = None
        if args.data == "xor" and not network.bias:
            hint = ("without biases every unit's boundary passes through the origin, and XOR "
                    "cannot be fitted well that way: try --bias")
        write_training_text(case, costs, trained, identical, out, every_epoch=not out.isatty(),
                            learning_rate=args.lr, constant=constant, hint=hint)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``chainrule`` command with `argv` (``sys.argv[1:]`` by default); return its status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    out = sys.stdout
    try:
        for token in argv:
            if _NEGATIVE_ARCHITECTURE.fullmatch(token):
                Network.parse(token)  # raises SpecError with the usual message
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(out)
            return 0
        return args.run(args, out)
    except (UsageError, SpecError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (`| head`) has what it wanted; stop quietly and keep Python from
        # complaining about the closed pipe when it flushes stdout at exit.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
