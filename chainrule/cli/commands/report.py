"""``chainrule report``: the whole derivation as a .tex, .md or .html document."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.options import add_architecture, add_options, values_of
from chainrule.present import report as present
from chainrule.present.progress import Progress
from chainrule.records import report as record
from chainrule.records.subject import resolve


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "report",
        parents=[network_options],
        help="the whole derivation as a document",
        description="Write the whole derivation (counts, every chain, the delta factoring, "
        "operation counts, verification and the figure) as .tex, .md or .html.",
    )
    add_architecture(parser)
    add_options(parser, [record.PARAM, record.LIMIT, record.SEED])
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the document to write: .tex, .md or .html",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    request = record.ReportRequest.of(args.architecture, **values_of(args, record.OPTIONS))
    # The layer sizes and weights are read first, then the document's name and path, before
    # any work: a device, a directory or a read-only file is refused at once.
    subject = resolve(request.subject, "report", layers_only=True)
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
