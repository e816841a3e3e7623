"""The ``chainrule`` command: ``build_parser()`` for tests, ``main(argv) -> int`` for the shell.

Every command lives in its own module under :mod:`chainrule.cli.commands` and imports the heavy
libraries it needs inside itself, so that ``chainrule count`` starts about as fast as Python
does. Bad input is one ``chainrule: error: ...`` line on stderr with exit status 2, never a
traceback.

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
from typing import Sequence

from chainrule.cli.commands import COMMANDS
from chainrule.cli.options import PROG, Parser, UsageError, network_options
from chainrule.errors import SpecError
from chainrule.graph.spec import Network

# argparse takes "-1-2" for an unknown option; a token shaped like a negative architecture is
# caught first so that it gets the same message as any other malformed architecture.
_NEGATIVE_ARCHITECTURE = re.compile(r"-[0-9][0-9-]*-[0-9-]*")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``chainrule`` command, with one sub-parser per command."""
    parser = Parser(prog=PROG, description="Backpropagation derived in the open: every "
                    "chain-rule path from each parameter to the cost.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    shared = network_options()
    for command in COMMANDS:
        command.register(commands, shared)
    return parser


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
