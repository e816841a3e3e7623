"""``chainrule report``: the whole derivation as a .tex, .md or .html document."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.options import add_architecture, add_options, values_of
from chainrule.present import report as present
from chainrule.present.progress import Progress
from chainrule.records import report as record


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "report",
        parents=[network_options],
        help="the whole derivation as a document",
        description="Write the whole derivation (counts, every chain, the delta factoring, "
        "operation counts, verification and the figure) as .tex, .md or .html. With --case "
        "FILE, the worked example of that case instead, as a published post tells it: the "
        "network and its numbers, the forward pass, the error, the backward pass output layer "
        "first (each gradient's chains in symbols, then in numbers, then its value), the update "
        "(--lr, --freeze) and the cost after it.",
    )
    add_architecture(
        parser,
        optional_help="layer sizes joined by '-'; with --case also a graph file, rnn:I-H-O:T "
        "or resnet:WxN (not needed with a layered network's case file)",
    )
    add_options(parser, [record.PARAM, record.LIMIT, record.SEED])
    parser.add_argument(
        "--case",
        metavar="FILE",
        help="write the worked example of a case file, as values reads it (a layered "
        'network\'s sizes, options and numbers, or the leaves of ARCH by name: {"values": ...})',
    )
    add_options(parser, list(record.WORKED_OPTIONS))
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the document to write: .tex, .md or .html",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    request = record.ReportRequest.of(
        args.architecture, case=args.case, **values_of(args, record.OPTIONS)
    )
    # The layer sizes and weights are read first, then the document's name and path, before
    # any work: a device, a directory or a read-only file is refused at once. (A worked
    # example's subject is known once its case is read: its record reads both first.)
    if request.case is None:
        subject = record.layered_subject(request.subject)
        if request.param:
            subject.sources("parameters", request.param)
    where = present.targets(args.output)
    # One bar on a terminal, once the work has run a second: which record is being computed.
    bar = Progress(len(record.STAGES), "step")
    try:
        report = record.compute(request, progress=lambda stage, done, _: bar.update(done, stage))
    finally:
        bar.close()
    written = present.write(report, where)
    out.write("wrote " + ", ".join(written) + "\n")
    return 0
