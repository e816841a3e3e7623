"""Files in and out: reads capped in size, writes atomic and only over regular files.

An interrupted write leaves the old file or the new one, never half of it. An output path must
be a regular file or not exist; a symlink is written through to its target.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from chainrule import budget
from chainrule.errors import OutputRefused, SpecError
from chainrule.lazy import lazy

if TYPE_CHECKING:
    import json
    import tempfile
else:
    # Loaded on first use: tempfile imports random, and with it hashlib, a sixth of the
    # start-up of a command that writes no file; json is for the commands that read or print it.
    json = lazy("json")
    tempfile = lazy("tempfile")


def _kind_of(mode: int) -> str | None:
    """What a file that is not a regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def output_path(path: str | os.PathLike) -> Path:
    """The file that writing to `path` replaces: `path` itself, or a symlink's final target.

    An output path must be a regular file or not exist: a directory, a device, a FIFO or a
    read-only file is refused with an :class:`~chainrule.errors.OutputRefused` (root may write
    anything, so for root the mode bits decide what is read-only).

    Examples
    --------
    >>> output_path("/dev/null")
    Traceback (most recent call last):
    ...
    chainrule.errors.OutputRefused: cannot write '/dev/null': it is a device, not a regular file
    """
    given = str(path)
    target = Path(os.path.realpath(path))
    try:
        status = os.stat(target)
    except FileNotFoundError:
        return target
    except OSError as error:
        raise OutputRefused(f"cannot write {given!r}: {error.strerror}") from None
    kind = _kind_of(status.st_mode)
    if kind == "a directory":
        raise OutputRefused(f"cannot write {given!r}: Is a directory")
    if kind is not None:
        raise OutputRefused(f"cannot write {given!r}: it is {kind}, not a regular file")
    writable = status.st_mode & 0o222 if os.geteuid() == 0 else os.access(target, os.W_OK)
    if not writable:
        raise OutputRefused(f"cannot write {given!r}: the file is read-only")
    return target


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside `path`; on success it is renamed over `path`, else removed.

    `path` is checked first (:func:`output_path`): a symlink is written through to its target,
    and a file replaced keeps its permission bits.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as temporary:
    ...     _ = temporary.write_text("done")
    >>> target.read_text(), [p.name for p in target.parent.iterdir()]
    ('done', ['out.txt'])
    """
    given = str(path)
    path = output_path(path)
    try:
        handle, name = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix
        )
    except OSError as error:
        raise OutputRefused(f"cannot write {given!r}: {error.strerror}") from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        _copy_permissions(path, temporary)
        try:
            os.replace(temporary, path)
        except OSError as error:  # e.g. the path became a directory meanwhile
            raise OutputRefused(f"cannot write {given!r}: {error.strerror}") from None
    finally:
        temporary.unlink(missing_ok=True)


def _copy_permissions(path: Path, temporary: Path) -> None:
    """Give the new file the mode (and, for root, the owner) of the file it replaces, or the
    mode a plain open() would give (mkstemp makes it private, 0600)."""
    try:
        existing = os.stat(path)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        return
    os.chmod(temporary, stat.S_IMODE(existing.st_mode))
    if os.geteuid() == 0:
        try:
            os.chown(temporary, existing.st_uid, existing.st_gid)
        except OSError:  # a file system without owners: the mode is what matters
            pass


def write_text_atomically(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def read_bytes_capped(
    path: str | os.PathLike, what: str, limit: int = budget.INPUT_FILE_BYTES
) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else is a SpecError.

    A device, a FIFO or a directory is refused before it is opened (reading /dev/zero would
    never end, and opening a FIFO waits for a writer), and at most `limit` + 1 bytes are read.

    Examples
    --------
    >>> read_bytes_capped("/dev/zero", "graph file")
    Traceback (most recent call last):
    ...
    chainrule.errors.SpecError: cannot read graph file '/dev/zero': it is a device, not a ...
    """
    where = f"{what} {str(path)!r}"
    try:
        kind = _kind_of(os.stat(path).st_mode)
        if kind is not None:
            raise SpecError(f"cannot read {where}: it is {kind}, not a regular file")
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise SpecError(f"cannot read {where}: {error.strerror}") from None
    if len(data) > limit:
        raise SpecError(f"{where} is larger than the {limit:,} bytes a {what} may be")
    return data


def read_json(
    path: str | os.PathLike,
    what: str,
    limit: int = budget.INPUT_FILE_BYTES,
    nonfinite: bool = False,
) -> object:
    """Parse a JSON file of at most `limit` bytes as :func:`parse_json` does; every problem is
    one SpecError naming `what` and the path."""
    where = f"{what} {str(path)!r}"
    try:
        text = read_bytes_capped(path, what, limit).decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{where} is not UTF-8 text") from None
    return parse_json(text, where, nonfinite)


def parse_json(text: str, where: str, nonfinite: bool = False) -> object:
    """Parse JSON `text` strictly; every problem is one SpecError that starts with `where`.

    NaN and Infinity, which Python's json would accept, are refused (they are not JSON), unless
    `nonfinite`: then they are read as floats, for a caller that refuses them by the name of the
    field that holds them (a case's leaf). A key given twice in one object is refused, which
    would otherwise keep the last value and drop the first without a word.

    Examples
    --------
    >>> parse_json('{"nodes": {"h": "w*x", "h": "v*x"}}', "graph file 'g.json'")
    Traceback (most recent call last):
    ...
    chainrule.errors.SpecError: graph file 'g.json': the key 'h' is given twice in one object
    """

    def refuse(name: str):
        if nonfinite:
            return float(name)
        raise SpecError(f"{where}: {name} is not a finite number")

    def unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
        document: dict[str, object] = {}
        for key, value in pairs:
            if key in document:
                raise SpecError(f"{where}: the key {key[:80]!r} is given twice in one object")
            document[key] = value
        return document

    try:
        return json.loads(text, parse_constant=refuse, object_pairs_hook=unique)
    except json.JSONDecodeError as error:
        raise SpecError(f"{where} is not valid JSON: {error.msg} at line {error.lineno}") from None
    except RecursionError:
        raise SpecError(f"{where} is nested too deeply to read") from None
    except SpecError:
        raise
    except ValueError:  # Python refuses to convert an integer of more than 4,300 digits
        raise SpecError(
            f"{where} holds an integer too long to read (more than "
            f"{sys.get_int_max_str_digits():,} digits)"
        ) from None


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
