"""The ``rnn:I-H-O:T`` and ``resnet:WxN`` spellings, read and checked without building anything.

The scalar builders (:mod:`chainrule.graph.architectures`, which needs SymPy) and the
layer-level view (:mod:`chainrule.graph.layers`, which must not: it answers at real widths in
a fraction of a second) read the same text here, with the same messages.

Examples
--------
>>> parse_spelling("rnn:2-3-1:6"), parse_spelling("resnet:2x8"), parse_spelling("2-2-2")
(('rnn', (2, 3, 1, 6)), ('resnet', (2, 8)), None)
>>> parse_spelling("resnet:0x2")
Traceback (most recent call last):
...
chainrule.errors.SpecError: invalid architecture 'resnet:0x2': width must be at least 1; ...
"""

from __future__ import annotations

import re

from chainrule import rules
from chainrule.errors import SpecError

RNN_SPELLING = re.compile(r"rnn:(?P<I>[0-9]+)-(?P<H>[0-9]+)-(?P<O>[0-9]+):(?P<T>[0-9]+)")
RESNET_SPELLING = re.compile(r"resnet:(?P<W>[0-9]+)x(?P<N>[0-9]+)")
RNN_HINT = "rnn:I-H-O:T (inputs per step, hidden units, outputs, steps), e.g. rnn:2-3-1:6"
RESNET_HINT = "resnet:WxN (width, blocks), e.g. resnet:2x8"
RNN_COSTS = ("last", "sum")


def require_positive(text: str, hint: str, **numbers: int) -> None:
    for name, value in numbers.items():
        if value < 1:
            raise SpecError(f"invalid architecture {text!r}: {name} must be at least 1; {hint}")


def whole(text: str, digits: str) -> int:
    if len(digits) > 9:  # far beyond any graph that can be built; int() would still accept it
        raise SpecError(f"invalid architecture {text!r}: a size is absurdly large")
    return int(digits)


def check_rnn_options(cost: str, cost_on: str) -> None:
    """Refuse an RNN's cost placement or cost by name, as :func:`~chainrule.graph.
    architectures.rnn` does."""
    if cost_on not in RNN_COSTS:
        raise SpecError(f"unknown RNN cost placement {cost_on!r}; choose from last, sum")
    check_cost(cost)


def check_cost(cost: str) -> None:
    if cost not in rules.COSTS:
        raise SpecError(f"unknown cost {cost!r}; choose from {', '.join(rules.COSTS)}")


def parse_spelling(text: object) -> tuple[str, tuple[int, ...]] | None:
    """``("rnn", (I, H, O, T))`` or ``("resnet", (W, N))`` for those spellings (each size
    checked), None for any other text."""
    if not isinstance(text, str) or not text.startswith(("rnn:", "resnet:")):
        return None
    if text.startswith("rnn:"):
        match = RNN_SPELLING.fullmatch(text)
        if match is None:
            raise SpecError(f"invalid architecture {text!r}: write {RNN_HINT}")
        inputs, hidden, outputs, steps = (whole(text, match[key]) for key in "IHOT")
        spelled = f"rnn:{inputs}-{hidden}-{outputs}:{steps}"  # as the builder names it
        require_positive(
            spelled, RNN_HINT, inputs=inputs, hidden=hidden, outputs=outputs, steps=steps
        )
        return "rnn", (inputs, hidden, outputs, steps)
    match = RESNET_SPELLING.fullmatch(text)
    if match is None:
        raise SpecError(f"invalid architecture {text!r}: write {RESNET_HINT}")
    width, blocks = (whole(text, match[key]) for key in "WN")
    require_positive(f"resnet:{width}x{blocks}", RESNET_HINT, width=width, blocks=blocks)
    return "resnet", (width, blocks)
