"""Two checks that a LaTeX string is valid: a structural one in Python, and KaTeX itself."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Commands chainrule may emit: amsmath and what KaTeX and MathJax both render.
ALLOWED_COMMANDS = {
    "frac",
    "partial",
    "theta",
    "delta",
    "left",
    "right",
    "cdot",
    "quad",
    "begin",
    "end",
    "log",
    "tanh",
    "text",
    "otherwise",
    "displaystyle",
    "odot",
    "sum",
    "top",
    "mathsf",
    "Theta",
    "sigma",
    "operatorname",
    "qquad",
    "mathrm",
    "times",
    "to",
    "approx",
    "le",
    "ge",
    "ne",
    "underbrace",  # the matrix view's shapes under their operands
    "mathbf",  # the column of ones, 1
    "hat",  # the output of rnn: and resnet:, \hat{y}
    "otimes",  # a weight matrix's Jacobian, I ⊗ a
}
ALLOWED_ENVIRONMENTS = {"aligned", "cases", "pmatrix", "bmatrix"}


def structural_problems(latex: str) -> list[str]:
    """Unbalanced braces or environments, or a command outside :data:`ALLOWED_COMMANDS`."""
    problems = []
    depth = 0
    for character in re.sub(r"\\[{}]", "", latex):
        depth += {"{": 1, "}": -1}.get(character, 0)
        if depth < 0:
            problems.append("a '}' closes nothing")
            break
    if depth > 0:
        problems.append("an unclosed '{'")
    for command in re.findall(r"\\([A-Za-z]+)", latex):
        if command not in ALLOWED_COMMANDS:
            problems.append(f"command \\{command} is not on the allowed list")
    begins = re.findall(r"\\begin\{(\w+)\}", latex)
    if begins != re.findall(r"\\end\{(\w+)\}", latex)[::-1] and sorted(begins) != sorted(
        re.findall(r"\\end\{(\w+)\}", latex)
    ):
        problems.append("\\begin and \\end do not pair")
    problems += [
        f"environment {name} is not allowed" for name in begins if name not in ALLOWED_ENVIRONMENTS
    ]
    if latex.count(r"\left") != latex.count(r"\right"):
        problems.append("\\left and \\right do not pair")
    return problems


def katex_module_dir() -> Path | None:
    """Where KaTeX is installed for the tests (.ci/run installs it there), if anywhere."""
    for candidate in [os.environ.get("CHAINRULE_KATEX_DIR"), ROOT / ".ci" / "katex"]:
        if candidate and (Path(candidate) / "node_modules" / "katex").is_dir():
            return Path(candidate)
    return None


def katex_failures(strings: list[str]) -> list[dict] | None:
    """Render `strings` with KaTeX; the failures, or None when node or KaTeX is missing."""
    module_dir, node = katex_module_dir(), shutil.which("node")
    if module_dir is None or node is None:
        return None
    done = subprocess.run(
        [node, str(ROOT / "tests" / "katex_render.js")],
        input=json.dumps(strings),
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NODE_PATH": str(module_dir / "node_modules")},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
