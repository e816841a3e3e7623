"""``chainrule explain``: the guided tour of one network, in the terminal."""

from __future__ import annotations

import argparse
from typing import TextIO

from chainrule.cli.options import add_architecture, add_options, values_of
from chainrule.present import explain as present
from chainrule.present.progress import Progress
from chainrule.records import explain as record


def register(commands, network_options: argparse.ArgumentParser) -> None:
    parser = commands.add_parser(
        "explain",
        parents=[network_options],
        help="the guided tour: counts, chains, delta, savings and the check against numbers",
        description="The whole story of one network "
        "in the terminal: counts, the chains of one weight, their factoring into delta, what it "
        "saves, and the verification against numeric backprop.",
    )
    add_architecture(parser, "2-2-2", "layer sizes joined by '-' (default 2-2-2)")
    add_options(parser, [record.PARAM, record.SEED])
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    request = record.ExplainRequest.of(args.architecture, **values_of(args, record.OPTIONS))
    # One bar on a terminal, once the work has run a second: which record is being computed.
    bar = Progress(len(record.STAGES), "step")
    try:
        tour = record.compute(request, progress=lambda stage, done, _: bar.update(done, stage))
    finally:
        bar.close()
    present.text(tour, out)
    return 0
