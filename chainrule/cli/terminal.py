"""The process's standard streams and signals, made safe to use whatever the shell gave.

A command line may start with a standard stream closed (``<&-``, ``>&-``), with stdout in an
encoding that cannot print chainrule's notation (``PYTHONIOENCODING=ascii``), with stderr on a
full device, or be stopped by SIGTERM halfway through writing a file. Each of these is an
ordinary fault, not a bug: :func:`prepared_streams` makes a closed stream fail with a plain
``OSError`` the command line reports in one line, and an ASCII stream print the notation in
ASCII (``θ⁽¹⁾₁₁`` as ``theta^(1)_11``); :func:`terminating` turns SIGTERM into an exception, so
that the temporary files of an unfinished write are removed on the way out, as Ctrl-C does.

Examples
--------
>>> ascii_notation("∂J/∂θ⁽¹⁾₁₁ = δ⁽²⁾₁ · x₁")
'dJ/dtheta^(1)_11 = delta^(2)_1 * x_1'
>>> visible("a\\x1b[31m claim\\x00")
'a\\\\x1b[31m claim\\\\x00'
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import signal
import sys
from collections.abc import Iterator

_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ᵀ", "0123456789+-()T"))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₍₎", "0123456789+-()"))
_WORDS = {
    "δ": "delta",
    "Δ": "Delta",
    "θ": "theta",
    "Θ": "Theta",
    "σ": "sigma",
    "Σ": "sum",
    "η": "eta",
    "ε": "eps",
    "λ": "lambda",
    "∂": "d",
    "·": "*",
    "×": "x",
    "−": "-",
    "⊙": ".*",
    "≤": "<=",
    "≥": ">=",
    "≠": "!=",
    "≈": "~",
    "→": "->",
    "←": "<-",
    "─": "-",
    "′": "'",
    "…": "...",
    "≡": "==",
    "√": "sqrt",
    "ŷ": "yhat",
}


def ascii_notation(text: str) -> str:
    """`text` with chainrule's unicode notation spelled in ASCII, as the text format writes it;
    a character with no ASCII spelling becomes ``?``."""
    spelled, index = [], 0
    while index < len(text):
        character = text[index]
        if character in _SUPERSCRIPTS or character in _SUBSCRIPTS:
            table, mark = (_SUPERSCRIPTS, "^") if character in _SUPERSCRIPTS else (_SUBSCRIPTS, "_")
            run = ""
            while index < len(text) and text[index] in table:
                run += table[text[index]]
                index += 1
            spelled.append(mark + run)
            continue
        if character.isascii():
            spelled.append(character)
        else:
            spelled.append(_WORDS.get(character, "?"))
        index += 1
    return "".join(spelled)


def _ascii_fallback(error: UnicodeError) -> tuple[str, int]:
    """The codec error handler behind :func:`prepared_streams`' ASCII fallback."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return ascii_notation(error.object[error.start : error.end]), error.end


codecs.register_error("chainrule-ascii", _ascii_fallback)

#: Characters chainrule's notation prints; a stream that cannot encode them falls back to ASCII.
NOTATION_PROBE = "δθ∂·─⁽¹⁾₁"


def visible(text: str) -> str:
    """`text` with control characters (an ESC, a NUL, a newline) written as escapes, so that
    input echoed in a message cannot move the cursor or recolour the terminal."""
    return "".join(
        character if character.isprintable() else repr(character)[1:-1] for character in text
    )


class ClosedStream:
    """Stands for a standard stream the process was started without: any use fails with an
    ``OSError`` (EBADF) that the command line reports as one line."""

    def __init__(self, name: str):
        self.name = name
        self.encoding = "utf-8"

    def _closed(self, *args, **kwargs):
        raise OSError(errno.EBADF, f"standard {self.name} is closed")

    read = readline = write = _closed

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, f"standard {self.name} is closed")


def _encodes_notation(stream) -> bool:
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return True  # not a file (a StringIO in a test): it holds any text
    try:
        NOTATION_PROBE.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def prepare_streams() -> None:
    """Stand-ins for closed standard streams, and an ASCII spelling of the notation on a stdout
    or stderr whose encoding cannot print it."""
    for name, stream in (("input", "stdin"), ("output", "stdout"), ("error", "stderr")):
        if getattr(sys, stream) is None:
            setattr(sys, stream, ClosedStream(name))
    for output in (sys.stdout, sys.stderr):
        if not _encodes_notation(output) and hasattr(output, "reconfigure"):
            output.reconfigure(errors="chainrule-ascii")


class Terminated(BaseException):
    """SIGTERM, raised where the process is, so that every ``finally`` runs."""


@contextlib.contextmanager
def terminating() -> Iterator[None]:
    """Within the block (in the main thread), SIGTERM raises :class:`Terminated`, so that an
    unfinished atomic write removes its temporary file as it does on Ctrl-C."""

    def stop(signum, frame):
        raise Terminated

    try:
        previous = signal.signal(signal.SIGTERM, stop)
        installed = True
    except ValueError:  # not the main thread, whose handlers these are: nothing to install
        installed = False
    try:
        yield
    finally:
        if installed:
            signal.signal(signal.SIGTERM, previous)
