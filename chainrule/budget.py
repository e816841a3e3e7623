"""The budget: what a request may cost, estimated before any work, and the one way to refuse.

Every command estimates its cost from the architecture or the graph alone (closed forms and
dynamic programmes, never by starting the work) and compares each estimate with a limit here.
Past a limit, :func:`refuse` raises :class:`~chainrule.errors.TooLarge` with one message that
states the estimate and names the option that raises the limit; the Python API raises the same
error with the same message. The defaults keep every command under about 2 s and 1 GiB on a
2-core machine.

Examples
--------
>>> check("chains", 12, 10, "--limit")
Traceback (most recent call last):
...
chainrule.errors.TooLarge: 12 chains, more than the limit of 10; raise it with --limit 12
>>> check("chains", 12, 20, "--limit")  # within the limit: nothing happens
"""

from __future__ import annotations

from chainrule.errors import TooLarge

#: Chains a command writes out (``--limit``); the terms written may be this many times more.
DEFAULT_CHAIN_LIMIT = 10_000
TERMS_PER_CHAIN = 100

#: Nodes plus edges of a computation graph that is built (``--max-graph``): about 2 s to build.
DEFAULT_MAX_GRAPH = 250_000

#: Numbers held by one numeric case and its gradients (``--max-numbers``): 8 bytes each.
DEFAULT_MAX_NUMBERS = 20_000_000

#: Multiply-adds of a numeric run (training epochs, finite differences): about 2 s of numpy.
MAX_NUMERIC_WORK = 2_000_000_000

#: The closed view's estimated size (:func:`chainrule.calculus.counting.closed_view_size`) may
#: be this fraction of ``--limit``: 5,000 at the default, about 2 s of SymPy printing.
CLOSED_SIZE_PER_CHAIN = 0.5

#: A limit hint longer than this many digits is not worth printing: nothing could meet it.
_SANE_HINT_DIGITS = 12


def limit_advice(needed: int, hint: str = "", option: str = "--limit") -> str:
    """How to get past a refusal: raise `option` to `needed`, unless no sensible limit could go
    that far (a 61-digit hint helps nobody); `hint` (" or select fewer ...") follows.

    Examples
    --------
    >>> limit_advice(12, " or select fewer with --param l,j,k")
    'raise it with --limit 12 or select fewer with --param l,j,k'
    >>> limit_advice(10**20, " or select fewer with --param l,j,k")
    'far too many; select fewer with --param l,j,k'
    """
    if len(str(needed)) > _SANE_HINT_DIGITS:
        return "far too many" + (f"; {hint.removeprefix(' or ')}" if hint else "")
    joined = f"{option}{needed}" if option.endswith("=") else f"{option} {needed}"
    return f"raise it with {joined}{hint}"


def refuse(what: str, estimate: int, limit: int, option: str, hint: str = "") -> TooLarge:
    """The error for an estimate past its limit: the estimate, the limit, how to raise it."""
    return TooLarge(
        f"{estimate:,} {what}, more than the limit of {limit:,}; "
        f"{limit_advice(estimate, hint, option)}"
    )


def check(what: str, estimate: int, limit: int, option: str, hint: str = "") -> None:
    """Raise :func:`refuse`'s error if `estimate` passes `limit`."""
    if estimate > limit:
        raise refuse(what, estimate, limit, option, hint)


def case_numbers(sizes: tuple[int, ...], parameters: int, examples: int) -> int:
    """Numbers a numeric case holds while it is verified or trained: the weights and three
    arrays of gradients the size of the weights, and per example the inputs, every neuron's z,
    a and δ, and the targets.

    Examples
    --------
    >>> case_numbers((2, 2, 2), 8, 4)
    96
    """
    return 4 * parameters + examples * (sizes[0] + 3 * sum(sizes[1:]) + sizes[-1])


def check_case(network, examples: int, max_numbers: int) -> None:
    """Refuse a case of `network` with `examples` rows whose arrays pass `max_numbers`."""
    numbers = case_numbers(network.sizes, network.parameter_count, examples)
    check(
        f"numbers in a case of {network.architecture} with {examples:,} example"
        f"{'' if examples == 1 else 's'}",
        numbers,
        max_numbers,
        "--max-numbers",
    )
