"""Writing files atomically: an interrupted run leaves the old file or the new one, never half."""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from chainrule.errors import SpecError


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside `path`; on success it is renamed over `path`, else removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as temporary:
    ...     _ = temporary.write_text("done")
    >>> target.read_text(), [p.name for p in target.parent.iterdir()]
    ('done', ['out.txt'])
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    try:
        handle, name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=path.suffix)
    except OSError as error:
        raise SpecError(f"cannot write {str(path)!r}: {error.strerror}") from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        # mkstemp makes the file private (0600); give it the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        try:
            os.replace(temporary, path)
        except OSError as error:  # e.g. the path is a directory
            raise SpecError(f"cannot write {str(path)!r}: {error.strerror}") from None
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomically(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def read_json(path: str | os.PathLike, what: str) -> object:
    """Parse a JSON file; every problem is one SpecError naming `what` and the path. NaN and
    Infinity, which Python's json would accept, are refused: they are not JSON."""
    where = f"{what} {str(path)!r}"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise SpecError(f"cannot read {where}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise SpecError(f"{where} is not UTF-8 text") from None

    def refuse(name: str):
        raise SpecError(f"{where}: {name} is not a finite number")

    try:
        return json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as error:
        raise SpecError(f"{where} is not valid JSON: {error.msg} at line {error.lineno}") from None
    except RecursionError:
        raise SpecError(f"{where} is nested too deeply to read") from None


def json_safe(value):
    """`value` with every NaN or infinity replaced by None: they are not JSON, and strict parsers
    (JavaScript's JSON.parse among them) refuse the NaN that Python's json would write."""
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value
