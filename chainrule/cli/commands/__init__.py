"""One module per command. Each has ``register(commands, network_options)``, which adds its
sub-parser, and ``run(args, out) -> int``, which does the work. Modules import only light things
at the top, so that building the parser costs nothing; each ``run`` imports what it needs."""

from chainrule.cli.commands import (
    chains,
    check,
    count,
    delta,
    draw,
    explain,
    explore,
    paths,
    report,
    train,
    verify,
)

#: In the order ``chainrule --help`` lists them.
COMMANDS = (explain, count, chains, delta, draw, report, verify, train, check, paths, explore)
