"""The errors chainrule raises for what a user gave it: a leaf module that imports nothing.

Every one is a :class:`ChainruleError` (a ``ValueError``), which the command line turns into one
``chainrule: error: ...`` line and exit status 2, and the explorer into HTTP 400. The kinds are
separate types, so that code which must tell them apart (a report leaves its figure out when
matplotlib is missing, and only then) asks the type, never the message:

- :class:`SpecError`: bad input (a malformed architecture, option, file, claim or parameter);
- :class:`TooLarge`: a request whose estimated cost passes a limit (the budget's refusal);
- :class:`MissingDependency`: an optional package the request needs is not installed;
- :class:`OutputRefused`: an output path that must not be written (a device, a directory, a
  read-only file, another program's file).

Examples
--------
>>> all(issubclass(kind, ChainruleError) for kind in (SpecError, TooLarge, MissingDependency,
...                                                   OutputRefused))
True
>>> issubclass(ChainruleError, ValueError), issubclass(TooLarge, SpecError)
(True, False)
"""


class ChainruleError(ValueError):
    """Anything chainrule refuses to do with what it was given; the message says what and why."""


class SpecError(ChainruleError):
    """A malformed architecture, option, file, claim or parameter; the message says which text
    failed."""


class TooLarge(ChainruleError):
    """A request whose estimated cost passes a limit; the message names the estimate and the
    option that raises the limit (spelled for the front end that asked: see
    :func:`chainrule.budget.spelled`)."""


class MissingDependency(ChainruleError):
    """An optional package (matplotlib, for pictures) that the request needs is not installed;
    the message says how to install it."""


class OutputRefused(ChainruleError):
    """An output path chainrule will not write: a device, a FIFO, a directory, a read-only file,
    or a file that is not its own to replace."""
