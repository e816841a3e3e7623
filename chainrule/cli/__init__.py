"""The commands: ``chainrule COMMAND``, one module per command, each a client of the packages.

``main(argv) -> int`` and ``build_parser()`` live in :mod:`chainrule.cli.entry`.
"""

from chainrule.cli.entry import build_parser, main

__all__ = ["build_parser", "main"]
