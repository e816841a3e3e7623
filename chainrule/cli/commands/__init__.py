"""One module per command, each with ``register(commands, network_options)``, which adds its
sub-parser, and ``run(args, out) -> int``, which reads the arguments into the command's
request, computes its record and presents it.

A command line loads only the module of the command it runs (:func:`load`), so that
``chainrule count`` pays for counting and not for every other command's imports; ``chainrule
--help`` and an unknown command load them all, to list them.
"""

from __future__ import annotations

import importlib
from types import ModuleType

#: Every command, in the order ``chainrule --help`` lists them.
COMMANDS = (
    "explain",
    "count",
    "chains",
    "delta",
    "draw",
    "report",
    "verify",
    "values",
    "train",
    "check",
    "paths",
    "explore",
)


def load(name: str) -> ModuleType:
    """The module of command `name`."""
    return importlib.import_module(f"chainrule.cli.commands.{name}")
