"""The errors every part of chainrule raises for bad input: a leaf module that imports nothing.

The command line turns each into one ``chainrule: error: ...`` line and exit status 2.

Examples
--------
>>> issubclass(TooLarge, SpecError) and issubclass(SpecError, ValueError)
True
"""


class SpecError(ValueError):
    """A malformed architecture, option or parameter; the message says which text failed."""


class TooLarge(SpecError):
    """A request whose estimated cost passes a limit; the message names the estimate and the
    option that raises the limit."""
