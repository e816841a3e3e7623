"""``chainrule draw``: the network with every chain of one weight lit up, as a picture."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.options import add_architecture, add_options, values_of
from chainrule.cli.subject import names_a_graph, resolve
from chainrule.present import draw as present
from chainrule.records import draw as record


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "draw",
        parents=[network_options],
        help="draw the network with a weight's chains lit up",
        description="Draw the network, every chain of one weight in its own colour (needs "
        "matplotlib: pip install 'chainrule[plot]').",
    )
    add_architecture(parser)
    add_options(parser, [record.PARAM, record.VIEW, record.DELTA])
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the picture to write: .png, .svg or .pdf",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    # The picture's format is checked before matplotlib (or anything else heavy) is imported.

    values = values_of(args, record.OPTIONS)
    architecture: object = args.architecture
    if names_a_graph(architecture):
        # A graph file's own errors come first, then the file name's, then the drawing's: the
        # graph is read here once and handed to the request built.
        architecture = resolve(args.architecture, args).graph()
        values = {option: values[option] for option in ("param", "view", "delta")}
    present.check_path(args.output)
    drawing = record.compute(record.DrawRequest.of(architecture, **values))
    present.save(drawing, args.output)
    out.write(f"wrote {args.output}" + (f" ({drawing.summary})" if drawing.summary else "") + "\n")
    return 0
