"""Shared helpers: architectures used across the tests and a runner for the CLI in-process."""

import pytest

from chainrule.cli.entry import main

#: Layered networks of varied depth, width and fan-out, shared by the counting tests.
ARCHITECTURES = [
    (1, 1),
    (1, 1, 1),
    (2, 2, 2),
    (3, 1),
    (1, 4),
    (2, 3, 2),
    (3, 2, 2, 2),
    (2, 3, 3),
    (4, 6, 6, 3),
    (1, 2, 3, 4),
    (4, 3, 2, 1),
    (2, 1, 2, 1, 2),
    (3, 3, 3, 3, 3),
]


@pytest.fixture
def run_cli(capsys):
    """Run ``chainrule ARGS`` in-process; return (status, stdout, stderr).

    The exit status is checked on every call: 0 unless the test names another with
    ``expect=`` (``expect=None`` leaves it to the test).
    """

    def run(*args: str, expect: int | None = 0):
        status = main(list(args))
        captured = capsys.readouterr()
        if expect is not None:
            assert status == expect, (
                f"chainrule {' '.join(args)} exited {status}, not {expect}: {captured.err.strip()}"
            )
        return status, captured.out, captured.err

    return run
