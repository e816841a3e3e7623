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
from collections.abc import Sequence

from chainrule import budget
from chainrule.cli.commands import COMMANDS, load
from chainrule.cli.options import PROG, Parser, UsageError, network_options
from chainrule.cli.terminal import Terminated, prepare_streams, terminating, visible
from chainrule.errors import ChainruleError
from chainrule.graph.spec import Network

# argparse takes "-1-2" for an unknown option; a token shaped like a negative architecture is
# caught first so that it gets the same message as any other malformed architecture.
_NEGATIVE_ARCHITECTURE = re.compile(r"-[0-9][0-9-]*-[0-9-]*")


def _command_in(argv: Sequence[str] | None) -> str | None:
    """The command `argv` runs, if plain to see (its first word, before any option)."""
    if not argv or argv[0].startswith("-"):
        return None
    return argv[0]


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser of the ``chainrule`` command, with one sub-parser per command; given
    the `argv` to parse, only the command it names is built in full."""
    parser = Parser(
        prog=PROG,
        description="Backpropagation derived in the open: every "
        "chain-rule path from each parameter to the cost.",
    )
    action = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    wanted = _command_in(argv)
    shared = network_options()
    for name in [wanted] if wanted in COMMANDS else COMMANDS:
        load(name).register(action, shared)
    return parser


def _fail(message: str, status: int) -> int:
    """Report `message` as the one ``chainrule: error:`` line (control characters of echoed
    input escaped); return `status`. A stderr that cannot be written (closed, a full device)
    leaves the status to say it."""
    try:
        print(f"{PROG}: error: {visible(' '.join(message.split())[:500])}", file=sys.stderr)
        sys.stderr.flush()
    except (OSError, ValueError):
        _silence("stderr")
    return status


def _silence(stream: str = "stdout") -> None:
    """Point a standard stream at /dev/null: what is left in its buffer cannot be written, and
    Python would fail again when it flushes the stream at exit."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), getattr(sys, stream).fileno())
    except (OSError, ValueError):
        pass  # closed already: nothing is left to flush


def _internal(error: BaseException) -> int:
    return _fail(
        f"internal error: {type(error).__name__}: {error} (this is a bug; "
        "CHAINRULE_DEBUG=1 shows the traceback)",
        3,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``chainrule`` command with `argv` (``sys.argv[1:]`` by default); return its status.

    Exit status: 0 success (or agreement), 1 the methods disagree, 2 bad input or a refusal,
    3 an internal error (a bug: one line, the traceback only with ``CHAINRULE_DEBUG=1``),
    130 interrupted. Refusals name options as the command line spells them (``--limit 12``).
    """
    import os

    argv = list(sys.argv[1:] if argv is None else argv)
    prepare_streams()
    out = sys.stdout
    debug = os.environ.get("CHAINRULE_DEBUG") == "1"
    try:
        with budget.front_end("cli"), terminating():
            for token in argv:
                if _NEGATIVE_ARCHITECTURE.fullmatch(token):
                    Network.parse(token)  # raises SpecError with the usual message
            parser = build_parser(argv)
            args = parser.parse_args(argv)
            if args.command is None:
                parser.print_help(out)
                return 0
            status = args.run(args, out)
            out.flush()  # a full disk or a closed pipe shows here, not at exit
            return status
    except (UsageError, ChainruleError) as error:
        return _fail(str(error), 2)
    except BrokenPipeError:
        # The reader (`| head`) has what it wanted; stop quietly.
        _silence()
        return 0
    except KeyboardInterrupt:
        return 130
    except Terminated:
        return 128 + 15  # as a shell reports a process ended by SIGTERM
    except (MemoryError, RecursionError) as error:
        if debug:
            raise
        if isinstance(error, MemoryError):
            return _fail(
                "too large: the computation ran out of memory; ask for less (a "
                "smaller network, fewer --param, a lower --limit)",
                2,
            )
        return _fail(
            "too large: an expression is nested too deeply for Python to walk; use "
            "a shallower network or formula",
            2,
        )
    except OSError as error:
        import errno

        if debug:
            raise
        if error.filename is None and error.errno == errno.EBADF:
            return _fail(f"cannot go on: {error.strerror}", 2)  # a closed standard stream
        if error.filename is None and error.errno in (
            errno.ENOSPC,
            errno.EIO,
            errno.EDQUOT,
            errno.EFBIG,
        ):
            _silence()  # stdout is on a full or failing device
            return _fail(f"cannot write the output: {error.strerror}", 2)
        return _internal(error)
    except Exception as error:
        if debug:
            raise
        return _internal(error)
