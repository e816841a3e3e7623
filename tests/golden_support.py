"""Run one golden-corpus command in-process and record what it did, the same way every time.

Shared by ``tests/golden/capture.py``, which writes the expected records, and
``tests/test_golden.py``, which replays the commands and compares. A record is a dict::

    {"argv": [...], "exit": int, "stdout": str, "stderr": str, "files": {name: text}}

Each command runs through ``chainrule.cli.main(argv)`` with ``sys.stdout`` and ``sys.stderr``
replaced by ``io.StringIO`` (``main`` looks ``sys.stdout`` up when it is called), in a fresh
temporary directory as the working directory. Input files the command names by a path relative
to the repository root (graph files, case files, data files) are copied into that directory at
the same relative path first, so that commands and outputs never contain an absolute path.
Every file the command created or changed there is recorded: text files in full, binary files
(.png, .pdf) only by name and whether they are empty.

What legitimately varies from run to run is normalised by `normalise`, and only that; see its
docstring.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
COMMANDS = GOLDEN / "commands.txt"
EXPECTED = GOLDEN / "expected"

TEXT_SUFFIXES = {".md", ".tex", ".html", ".json", ".svg", ".txt"}
BINARY_NONEMPTY = "<binary file, not empty>"
BINARY_EMPTY = "<binary file, empty>"

#: verify --json reports each method's wall-clock time.
_SECONDS = re.compile(r'("seconds":\s*)-?[0-9][0-9.eE+-]*')
#: matplotlib writes the date into an SVG's metadata (fixed by SOURCE_DATE_EPOCH, but belt and
#: braces: it is not chainrule's behaviour).
_SVG_DATE = re.compile(r"<dc:date>[^<]*</dc:date>")
#: draw --delta shades every edge below each delta node, one translucent orange stroke per edge,
#: in the order networkx iterates a subgraph's edges, which follows a set and so changes with
#: PYTHONHASHSEED. The strokes are identical but for their path, so their order is invisible.
_SHADE_STROKE = (
    r'<g id="line2d_\d+">\s*<path d="[^"]*" [^>]*style="fill: none; '
    r'stroke: #ff7f0e; stroke-opacity: 0\.12; stroke-width: 14;[^"]*"/>\s*</g>'
)
_SHADE_ONE = re.compile(_SHADE_STROKE)
_SHADE_RUN = re.compile(rf"{_SHADE_STROKE}(?:\s*{_SHADE_STROKE})*")
_LINE_ID = re.compile(r'<g id="line2d_\d+">')


def _sort_shading(run: re.Match) -> str:
    """A run of consecutive shading strokes, their bodies sorted; ids and spacing kept."""
    strokes = _SHADE_ONE.findall(run.group(0))
    between = _SHADE_ONE.split(run.group(0))  # '' first and last, the spacing in between
    ids = [_LINE_ID.match(stroke).group(0) for stroke in strokes]
    bodies = sorted(_LINE_ID.sub("", stroke, count=1) for stroke in strokes)
    return (
        "".join(space + line_id + body for space, line_id, body in zip(between, ids, bodies))
        + between[-1]
    )


def read_commands(path: Path = COMMANDS) -> list[str]:
    """The command lines of `path`: blank lines and ``#`` comment lines left out.

    Examples
    --------
    >>> import tempfile
    >>> file = Path(tempfile.mkdtemp()) / "commands.txt"
    >>> _ = file.write_text("# counts\\ncount 2-2-2\\n\\n  chains 1-1-1 --view local\\n")
    >>> read_commands(file)
    ['count 2-2-2', 'chains 1-1-1 --view local']
    """
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def expected_path(index: int) -> Path:
    """The expected record of command number `index` (0-based, among the commands)."""
    return EXPECTED / f"{index:03d}.json"


def normalise(text: str) -> str:
    """`text` with what genuinely varies between runs made fixed; nothing else is touched.

    Three things vary: the number after ``"seconds":`` (verify --json's timing of each method)
    becomes 0; an SVG ``<dc:date>`` element loses its date; and a run of consecutive δ-shading
    strokes of ``draw --delta`` (orange, opacity 0.12, width 14: the same but for the path) is
    put in sorted order, its strokes' ids kept in place, since their order follows Python's
    string hashing. Every other character, every float digit included, is kept: the corpus
    must catch a changed result.

    Examples
    --------
    >>> normalise('{"ok": true, "seconds": 0.012345, "max_abs_error": 1.5e-17}')
    '{"ok": true, "seconds": 0, "max_abs_error": 1.5e-17}'
    >>> normalise("<dc:date>2024-05-01T10:00:00</dc:date>")
    '<dc:date></dc:date>'
    """
    text = _SECONDS.sub(r"\g<1>0", text)
    text = _SVG_DATE.sub("<dc:date></dc:date>", text)
    return _SHADE_RUN.sub(_sort_shading, text)


def _input_files(argv: list[str]) -> list[str]:
    """The arguments that name an existing file of the repository by a relative path."""
    found = []
    for token in argv:
        for candidate in (token, token.partition("=")[2]):
            if candidate and not os.path.isabs(candidate) and (ROOT / candidate).is_file():
                found.append(candidate)
    return found


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def _file_record(name: str, data: bytes) -> str:
    if Path(name).suffix.lower() in TEXT_SUFFIXES:
        return normalise(data.decode("utf-8"))
    return BINARY_NONEMPTY if data else BINARY_EMPTY


#: SOURCE_DATE_EPOCH fixes the dates matplotlib writes into SVG and PDF files; COLUMNS fixes
#: the width argparse wraps help text to, which otherwise follows the terminal.
ENVIRONMENT = {"SOURCE_DATE_EPOCH": "0", "COLUMNS": "100"}


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Write a warning to ``sys.stderr`` as the run's stderr records it: category and message
    only, since the file and line of the code that warned are not behaviour."""
    print(f"warning: {category.__name__}: {message}", file=sys.stderr)


@contextlib.contextmanager
def _deterministic_environment():
    """`ENVIRONMENT` set, matplotlib's svg.hashsalt fixed, and every warning that Python shows
    by default written to stderr each time (not once per process, as Python would, nor into
    pytest's record, as pytest would); all restored afterwards."""
    saved = {name: os.environ.get(name) for name in ENVIRONMENT}
    os.environ.update(ENVIRONMENT)
    try:
        try:
            import matplotlib
        except ImportError:
            context = contextlib.nullcontext()
        else:
            context = matplotlib.rc_context({"svg.hashsalt": "golden"})
        with context, warnings.catch_warnings():
            warnings.simplefilter("always")  # Python's default filters, but every time:
            for category in (
                DeprecationWarning,
                PendingDeprecationWarning,
                ImportWarning,
                ResourceWarning,
            ):
                warnings.simplefilter("ignore", category)
            warnings.showwarning = _show_warning
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_command(line: str) -> dict:
    """Run ``chainrule LINE`` in-process in a fresh temporary directory; return its record.

    Parameters
    ----------
    line : str
        The arguments after ``chainrule``, shell-quoted as for `shlex.split`.

    Returns
    -------
    dict
        ``argv``, ``exit`` (the status `main` returned), ``stdout``, ``stderr`` and ``files``
        (every file created or changed in the working directory, by relative name), all
        normalised by `normalise`.
    """
    from chainrule.cli import main

    argv = shlex.split(line)
    previous = os.getcwd()
    stdout, stderr = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory(prefix="chainrule-golden-") as name:
        directory = Path(name)
        for relative in _input_files(argv):
            (directory / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / relative, directory / relative)
        before = _snapshot(directory)
        saved_streams = sys.stdout, sys.stderr
        os.chdir(directory)
        try:
            with _deterministic_environment():
                sys.stdout, sys.stderr = stdout, stderr
                try:
                    status = main(list(argv))
                except SystemExit as stop:  # argparse's --help exits; `chainrule` would too
                    status = (
                        0 if stop.code is None else stop.code if isinstance(stop.code, int) else 1
                    )
                finally:
                    sys.stdout, sys.stderr = saved_streams
        finally:
            os.chdir(previous)
        after = _snapshot(directory)
    files = {
        name: _file_record(name, data) for name, data in after.items() if before.get(name) != data
    }
    return {
        "argv": argv,
        "exit": status,
        "stdout": normalise(stdout.getvalue()),
        "stderr": normalise(stderr.getvalue()),
        "files": files,
    }


def dump_record(record: dict) -> str:
    """The text of an expected file: stable key order, indented, non-ASCII kept readable."""
    return json.dumps(record, indent=1, ensure_ascii=False) + "\n"


def load_record(index: int) -> dict:
    """The expected record of command number `index`."""
    return json.loads(expected_path(index).read_text(encoding="utf-8"))
