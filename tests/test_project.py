"""The README tells the truth: its commands are the ones CI runs, its examples real output."""

import re
import shlex
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_RUN = ROOT / ".ci" / "run"
OLDEST = ROOT / ".ci" / "oldest-constraints.txt"


def _setup_commands() -> list[str]:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    return first_block.strip().splitlines()


def test_readme_starts_with_two_setup_commands():
    install_and_run, install_and_test = _setup_commands()
    assert install_and_run.startswith("pip install ") and " && chainrule " in install_and_run
    assert install_and_test.startswith("pip install ") and "pytest" in install_and_test
    assert README.index("```sh") < README.index("\n## ")


def test_ci_runs_the_readme_test_command_verbatim():
    ci_lines = [line.strip() for line in CI_RUN.read_text(encoding="utf-8").splitlines()]
    assert _setup_commands()[1] in ci_lines


def _lower_bounds() -> dict[str, Version]:
    """Every requirement of pyproject.toml (build system, dependencies, extras) by name, with
    its lower bound; each must have one, or the oldest run could not pin it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = [
        *project["build-system"]["requires"],
        *project["project"]["dependencies"],
        *(r for extra in project["project"]["optional-dependencies"].values() for r in extra),
    ]
    bounds = {}
    for text in map(Requirement, requirements):
        lower = [Version(s.version) for s in text.specifier if s.operator == ">="]
        assert len(lower) == 1, f"{text} has no lower bound (>=) for CI's oldest run to pin"
        name = canonicalize_name(text.name)
        assert bounds.setdefault(name, lower[0]) == lower[0], f"{name}: two lower bounds"
    return bounds


def test_ci_pins_every_lower_bound_in_its_oldest_run():
    """CI's second run installs with .ci/oldest-constraints.txt: it must pin each requirement
    to exactly its lower bound in pyproject.toml, so that raising or adding a bound without the
    pin (or the other way round) fails here rather than going untested."""
    assert "PIP_CONSTRAINT=.ci/oldest-constraints.txt" in CI_RUN.read_text(encoding="utf-8")
    pins = {}
    for line in OLDEST.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"{line!r}: a constraint here pins one version (==)"
            pins[canonicalize_name(name)] = Version(version.strip())
    bounds = _lower_bounds()
    assert {name: pins.get(name) for name in bounds} == bounds


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
