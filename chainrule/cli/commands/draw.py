"""``chainrule draw``: the network with every chain of one weight lit up, as a picture."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from chainrule.cli.options import UsageError, add_architecture
from chainrule.cli.subject import names_a_graph, resolve
from chainrule.graph.spec import parse_parameter

#: The picture formats matplotlib writes (kept here so that a bad name fails before importing it).
FORMATS = (".png", ".svg", ".pdf")


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "draw",
        parents=[network_options],
        help="draw the network with a weight's chains lit up",
        description="Draw the network, every chain of one weight in its own colour (needs "
        "matplotlib: pip install 'chainrule[plot]').",
    )
    add_architecture(parser)
    parser.add_argument(
        "--param",
        metavar="l,j,k",
        help="the weight whose chains to light up (default 1,1,1; a name "
        "for a graph file, its first parameter by default)",
    )
    parser.add_argument(
        "--view",
        choices=["graph", "neurons"],
        default="graph",
        help="the full computation graph (default) or the neurons",
    )
    parser.add_argument(
        "--delta", action="store_true", help="shade the cost-side sub-chains that become each delta"
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the picture to write: .png, .svg or .pdf",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    # A graph file's own errors come first, then the file name, then the layer sizes'.
    subject = resolve(args.architecture, args) if names_a_graph(args.architecture) else None
    if Path(args.output).suffix.lower() not in FORMATS:
        raise UsageError(
            f"cannot draw to {args.output!r}: the file name must end in {', '.join(FORMATS)}"
        )
    if subject is None:
        subject = resolve(args.architecture, args)
        parameter = parse_parameter(args.param or "1,1,1", subject.layered_network())
        from chainrule.cli.draw import draw

        drawing = draw(subject.network, parameter, view=args.view, delta=args.delta)
    else:
        if args.view == "neurons":
            raise UsageError("a graph file has nodes, not neurons: leave out --view neurons")
        from chainrule.cli.draw import draw

        source = subject.sources("parameters", [] if args.param is None else [args.param])[0]
        drawing = draw(subject.graph(), source.name, delta=args.delta)
    drawing.save(args.output)
    out.write(f"wrote {args.output}" + (f" ({drawing.summary})" if drawing.summary else "") + "\n")
    return 0
