"""A progress bar for long work: one line on stderr, on a terminal only, after a second.

A record's computation that may run long takes a callback (``progress=``) and calls it as the
work advances; the command line passes one that draws this bar. Nothing is drawn when stderr
is not a terminal (a pipe, a file, a test), nor before the work has run for :data:`DELAY`
seconds, so a short run prints nothing at all.

Examples
--------
>>> import io
>>> bar = Progress(10, "claim", stream=io.StringIO())
>>> bar.update(3)  # not a terminal: nothing is drawn
>>> bar.close()
>>> bar.stream.getvalue()
''
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: Seconds of work before the bar appears, and between two redraws (a terminal redrawn for
#: each of 200,000 epochs would slow the training it reports on).
DELAY = 1.0
REDRAW = 0.05


class Progress:
    """``[#####.....] epoch 40/100  cost 0.25`` redrawn in place on stderr (or `stream`)."""

    def __init__(
        self,
        total: int,
        noun: str,
        stream: TextIO | None = None,
        width: int = 30,
        delay: float = DELAY,
        started: float | None = None,
    ):
        # sys.stderr is looked up now, not when the module loads: it may have been replaced.
        self.stream = sys.stderr if stream is None else stream
        self.total, self.noun, self.width, self.delay = total, noun, width, delay
        self.active = self.stream.isatty()
        self.started = time.monotonic() if started is None else started
        self.drawn = float("-inf")
        self.shown = False

    def update(self, done: int, detail: str = "") -> None:
        """Draw the bar at `done` of the total, with `detail` after it."""
        if not self.active:
            return
        now = time.monotonic()
        if now - self.started < self.delay or (now - self.drawn < REDRAW and done < self.total):
            return
        self.shown, self.drawn = True, now
        filled = round(self.width * done / self.total) if self.total else self.width
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {self.noun} {done}/{self.total}"
            + (f"  {detail}" if detail else "")
        )
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line, if one was drawn."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


class Stages:
    """A bar for each stage of a computation in turn (``stages("edge", 10, 400)``), drawn as
    :class:`Progress` draws one once the whole computation has run for a second."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream
        self.started = time.monotonic()
        self.stage: str | None = None
        self.bar: Progress | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage or self.bar is None:
            self.close()
            self.stage = stage
            self.bar = Progress(total, stage, self.stream, started=self.started)
        self.bar.update(done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
