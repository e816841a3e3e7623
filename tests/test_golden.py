"""The golden corpus: every command of tests/golden/commands.txt does byte for byte what it did.

Each command is replayed in-process by ``golden_support.run_command`` (the code that captured
the expected records) and its exit status, stdout, stderr and written files are compared with
``tests/golden/expected/NNN.json``. A difference is a change of behaviour: fix it, or, if it
was meant, regenerate that record as tests/golden/README.md says.
"""

import difflib

import pytest
from golden_support import expected_path, load_record, read_commands, run_command

COMMANDS = read_commands()
DIFF_LINES = 60  # of a unified diff, in an assertion message


def _diff(what: str, expected: str, actual: str) -> str:
    """A unified diff of `expected` against `actual`, cut to DIFF_LINES lines."""
    lines = list(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"expected {what}",
            tofile=f"actual {what}",
        )
    )
    if len(lines) > DIFF_LINES:
        lines = lines[:DIFF_LINES] + [f"... ({len(lines) - DIFF_LINES} more diff lines)\n"]
    return "".join(line if line.endswith("\n") else line + "\n\\ no newline\n" for line in lines)


def differences(expected: dict, actual: dict) -> list[str]:
    """Readable descriptions of how the record `actual` differs from `expected`, if it does.

    Examples
    --------
    >>> record = {"argv": ["count", "1-1"], "exit": 0, "stdout": "a\\nb\\n", "stderr": "",
    ...           "files": {"r.md": "x\\n"}}
    >>> differences(record, dict(record))
    []
    >>> changed = dict(record, exit=2, stdout="a\\nc\\n", files={})
    >>> print("\\n".join(differences(record, changed)))
    exit status 0 expected, 2 returned
    --- expected stdout
    +++ actual stdout
    @@ -1,2 +1,2 @@
     a
    -b
    +c
    <BLANKLINE>
    files differ: missing ['r.md'], unexpected []
    """
    found = []
    if expected["argv"] != actual["argv"]:
        found.append(f"argv {expected['argv']} expected, {actual['argv']} run")
    if expected["exit"] != actual["exit"]:
        found.append(f"exit status {expected['exit']} expected, {actual['exit']} returned")
    for stream in ("stdout", "stderr"):
        if expected[stream] != actual[stream]:
            found.append(_diff(stream, expected[stream], actual[stream]))
    names, actual_names = set(expected["files"]), set(actual["files"])
    if names != actual_names:
        found.append(
            f"files differ: missing {sorted(names - actual_names)}, "
            f"unexpected {sorted(actual_names - names)}"
        )
    for name in sorted(names & actual_names):
        if expected["files"][name] != actual["files"][name]:
            found.append(_diff(f"file {name}", expected["files"][name], actual["files"][name]))
    return found


def test_corpus_is_complete():
    """One expected record per command, and no record left over from a removed command."""
    assert len(COMMANDS) >= 75
    records = sorted(path.name for path in expected_path(0).parent.glob("*.json"))
    assert records == [expected_path(i).name for i in range(len(COMMANDS))]


@pytest.mark.parametrize("index", range(len(COMMANDS)), ids=COMMANDS)
def test_command_behaves_as_recorded(index):
    line = COMMANDS[index]
    expected = load_record(index)
    actual = run_command(line)
    found = differences(expected, actual)
    assert not found, (
        f"`chainrule {line}` (command {index}, {expected_path(index).name}) "
        f"changed:\n" + "\n".join(found)
    )
