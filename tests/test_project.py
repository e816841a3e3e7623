"""The README tells the truth: its commands are the ones CI runs, its examples real output."""

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _setup_commands() -> list[str]:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    return first_block.strip().splitlines()


def test_readme_starts_with_two_setup_commands():
    install_and_run, install_and_test = _setup_commands()
    assert install_and_run.startswith("pip install ") and " && chainrule " in install_and_run
    assert install_and_test.startswith("pip install ") and "pytest" in install_and_test
    assert README.index("```sh") < README.index("\n## ")


def test_ci_runs_the_readme_test_command_verbatim():
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _setup_commands()[1] in ci_lines


def _console_examples():
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        command, *output = block.rstrip("\n").split("\n")
        yield command.removeprefix("$ "), "\n".join(output) + "\n"


_FLOAT = re.compile(r"[+-]?\d+\.\d+(e[+-]\d+)?")


def _rounding_free(text: str) -> str:
    """verify prints errors and gradients to their last digits, which a different BLAS or numpy
    build may round differently; compare everything else exactly."""
    return _FLOAT.sub("<number>", text)


@pytest.mark.parametrize("command, expected", list(_console_examples()))
def test_readme_console_examples_are_real_output(run_cli, command, expected):
    program, *argv = shlex.split(command)
    assert program == "chainrule"
    status, out, _ = run_cli(*argv)
    if argv[0] == "verify":
        out, expected = _rounding_free(out), _rounding_free(expected)
        assert "agrees" in out
    assert status == 0 and out == expected


def test_readme_first_command_is_the_guided_tour(run_cli):
    program, *argv = shlex.split(_setup_commands()[0].split(" && ", 1)[1])
    assert (program, argv) == ("chainrule", ["explain"])
    status, out, _ = run_cli(*argv)
    assert status == 0 and out.startswith("chainrule explain 2-2-2")
