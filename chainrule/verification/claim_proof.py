"""The budgeted exact proof behind ``chainrule check``: zero, not shown, or out of time.

:func:`proven_zero` runs :func:`~chainrule.calculus.symbolic.is_identically_zero` (after a quick
expansion, itself an identity) within a size budget, an estimate of the terms an expansion can
reach, and a time budget in CPU seconds, a SIGPROF timer in the main thread (CPU time, so that a
verdict does not depend on how busy the machine is). Either ends in "out of budget",
which a check reports as *unknown* unless a sampled point shows the claim wrong.

Examples
--------
>>> import sympy as sp
>>> a, y, m = sp.symbols("a y m")
>>> proven_zero((a - y) / m * a * (1 - a) - (a**2 - a**3 - a*y + a**2*y) / m)
True
>>> proven_zero((a + y) ** 60 - (y + a) ** 60 + (a + 1) ** 9999) is None  # past the size budget
True
"""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager

import sympy as sp

from chainrule import budget
from chainrule.calculus.symbolic import is_identically_zero


class OutOfTime(Exception):
    pass


@contextmanager
def time_budget(seconds: float):
    """Interrupt the block after `seconds` of the process's CPU time (a SIGPROF timer: CPU time
    rather than wall time, so that a proof gets the same budget on a busy machine; only in the
    main thread, where signals are delivered; elsewhere the size budget alone applies).

    An interruption that lands in a finalizer is swallowed by Python, so the timer repeats
    every 50 ms of CPU until one lands in the proof itself; those swallowed are not reported.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def interrupt(signum, frame):
        raise OutOfTime

    def quiet(unraisable):
        if not isinstance(unraisable.exc_value, OutOfTime):
            previous_hook(unraisable)

    previous_hook, sys.unraisablehook = sys.unraisablehook, quiet
    previous = signal.signal(signal.SIGPROF, interrupt)
    signal.setitimer(signal.ITIMER_PROF, seconds, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
        sys.unraisablehook = previous_hook


def expansion_size(expression: sp.Expr, cap: int = budget.PROOF_EXPANSION + 1) -> int:
    """An upper estimate of the terms of `expression` multiplied out (capped)."""
    if expression.is_Atom:
        return 1
    if isinstance(expression, sp.Add):
        return min(cap, sum(expansion_size(arg, cap) for arg in expression.args))
    if isinstance(expression, sp.Mul):
        size = 1
        for arg in expression.args:
            size = min(cap, size * expansion_size(arg, cap))
        return size
    if isinstance(expression, sp.Pow) and expression.exp.is_Integer:
        base = expansion_size(expression.base, cap)
        return min(cap, base ** min(abs(int(expression.exp)), 64)) if base > 1 else 1
    return min(cap, sum(expansion_size(arg, cap) for arg in expression.args) or 1)


def proven_zero(expression: sp.Expr, seconds: float = budget.PROOF_SECONDS) -> bool | None:
    """True: proven identically zero. False: not shown. None: the budget ran out first."""
    if seconds <= 0 or expansion_size(expression) > budget.PROOF_EXPANSION:
        return None
    # A piecewise factor (relu's derivative) is the same object on both sides: as an opaque
    # symbol it cancels like one, and an identity in free symbols holds for any value of them.
    pieces = {piece: sp.Dummy("P") for piece in expression.atoms(sp.Piecewise)}
    try:
        with time_budget(seconds):
            opaque = expression.xreplace(pieces)
            # multiplying out is an identity too, and fast on the polynomials of the local view
            return sp.expand(opaque) == 0 or is_identically_zero(opaque)
    except OutOfTime:
        return None
