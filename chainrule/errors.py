"""The errors a user can cause, in one leaf module that imports nothing.

Every part of chainrule raises these, the numeric oracle included, so they live apart from the
modules that raise them: :mod:`chainrule.numeric` may import this module and nothing else of
chainrule.

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
