"""Heavy libraries loaded on first use, through one helper.

chainrule's own modules import each other at the top, as any Python code does. The libraries
that cost a start-up its speed (SymPy about 0.45 s, matplotlib about 0.6 s, networkx, numpy, the
web stack) are bound instead to a :class:`LazyModule`, which imports the library the first time
one of its attributes is used: ``chainrule count`` does arithmetic on layer sizes and never pays
for SymPy, while the code that uses SymPy reads as if it had imported it. For the type checker a
module writes::

    from typing import TYPE_CHECKING

    from chainrule.lazy import lazy

    if TYPE_CHECKING:
        import sympy as sp
    else:
        sp = lazy("sympy")

An optional library (matplotlib, for pictures) is asked for with :func:`optional`, which raises
:class:`~chainrule.errors.MissingDependency` with the command that installs it.

Examples
--------
>>> math = lazy("math")
>>> math
<lazy module 'math' (not loaded)>
>>> math.sqrt(4.0)
2.0
>>> math
<lazy module 'math' (loaded)>
>>> optional("no_such_library", "drawing", "plot")
Traceback (most recent call last):
...
chainrule.errors.MissingDependency: drawing needs no_such_library: pip install 'chainrule[plot]' ...
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from chainrule.errors import MissingDependency


class LazyModule:
    """A stand-in for the module `name`, imported when an attribute is first read."""

    __slots__ = ("_name", "_module")

    def __init__(self, name: str):
        self._name = name
        self._module: ModuleType | None = None

    def _load(self) -> ModuleType:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return self._module

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._load(), attribute)

    def __repr__(self) -> str:
        state = "loaded" if self._module is not None else "not loaded"
        return f"<lazy module {self._name!r} ({state})>"


def lazy(name: str) -> Any:
    """A stand-in for the module `name` (``"sympy"``, ``"matplotlib.figure"``), imported on the
    first use of one of its attributes. Typed ``Any``: see the module docstring for the
    ``TYPE_CHECKING`` import that gives the type checker the real module."""
    return LazyModule(name)


def optional(name: str, purpose: str, extra: str) -> ModuleType:
    """The optional module `name`, imported now; if it is not installed, a
    :class:`~chainrule.errors.MissingDependency` saying that `purpose` needs it and that
    ``pip install 'chainrule[extra]'`` installs it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        top = name.split(".")[0]
        raise MissingDependency(
            f"{purpose} needs {top}: pip install 'chainrule[{extra}]' (or pip install {top})"
        ) from None
