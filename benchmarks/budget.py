"""The budget's promise, measured: every command line answers or refuses within 2 s and 2 GiB.

Each case is a whole process (``python -m chainrule ...``) run under a 2 GiB address-space limit
and a generous wall-clock limit, timed by the wall clock (its CPU time is printed beside it: on a
shared, loaded machine the wall clock counts other work too); it meets the target when it exits 0, 1
or 2 (an answer, a disagreement, or a refusal) within :data:`TARGET_SECONDS`, with one line on
stderr if it refused. The cases are the inputs that ran for minutes or gigabytes before the
budget covered every command and method: deep narrow networks (``D(n)``: n layers of width 2)
for every command, ``verify --wrt inputs``, methods prepared but left out, a graph file of 2,400
parameters and one with 2^60 paths, huge numbers and many claims for ``check``.

Run: ``python benchmarks/budget.py`` (``--only SUBSTRING`` to run the cases whose command line
contains it). It prints one line per case and exits 1 if any misses.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0
MEMORY_BYTES = 2 * 1024**3
#: Past this a case is stopped and counted as missed: a hang, not a slow answer.
WALL_LIMIT = 60


def deep(layers: int, width: int = 2) -> str:
    """``D(n)``: `layers` layers of `width` neurons, as ARCH text."""
    return "-".join([str(width)] * layers)


def doubling_graph(levels: int) -> dict:
    """A graph file whose single parameter reaches the cost along 2**levels paths: each level
    adds two nodes that both feed the next."""
    nodes, previous = {}, "w*x"
    for level in range(levels):
        nodes[f"a{level}"] = f"sigmoid({previous})"
        nodes[f"b{level}"] = f"tanh({previous})"
        previous = f"a{level} + b{level}"
    nodes["out"] = f"sigmoid({previous})"
    return {
        "inputs": ["x"],
        "parameters": ["w"],
        "targets": ["y"],
        "nodes": nodes,
        "cost": "(out - y)^2 / 2",
    }


def wide_graph(parameters: int) -> dict:
    """A graph file of `parameters` parameters: one hidden node per parameter, summed."""
    names = [f"w{k}" for k in range(parameters)]
    nodes = {f"h{k}": f"sigmoid({name}*x)" for k, name in enumerate(names)}
    nodes["out"] = "sigmoid(" + " + ".join(nodes) + ")"
    return {
        "inputs": ["x"],
        "parameters": names,
        "targets": ["y"],
        "nodes": nodes,
        "cost": "(out - y)^2 / 2",
    }


def cases(directory: Path) -> list[list[str]]:
    """Every command line of the budget's promise; input files are written to `directory`."""
    doubling = directory / "doubling-60.json"
    doubling.write_text(json.dumps(doubling_graph(60)))
    wide = directory / "wide-2400.json"
    wide.write_text(json.dumps(wide_graph(2_400)))
    claims = directory / "claims.txt"
    claims.write_text("dJ/dtheta^(1)_11 = delta^(2)_1 * x_1\n" * 5_000)
    out = str(directory / "out")
    return [
        ["explain", deep(17)],
        ["explain", deep(20)],
        ["explain", deep(500)],
        ["explain", deep(32, 3)],
        ["draw", deep(14), "-o", out + "-d14.png"],
        ["draw", deep(500), "-o", out + "-d500.png"],
        ["draw", str(doubling), "-o", out + "-doubling.png"],
        ["report", deep(500), "--param", "499,1,1", "-o", out + "-d500.md"],
        ["paths", deep(5_000), "--by", "length"],
        ["delta", deep(5_000), "--param", "4999,1,1"],
        ["delta", deep(14, 3), "--param", "1,1,1"],
        ["verify", "10-10-10-10", "--wrt", "inputs"],
        ["verify", "10-10-10-10-10", "--wrt", "inputs"],
        ["verify", deep(100), "--examples", "64", "--wrt", "inputs"],
        ["verify", "500-500-10"],
        ["verify", deep(500)],
        ["verify", str(wide)],
        ["check", "2-2-2", "dJ/dtheta^(1)_11 = 1e999999999"],
        ["check", "2-2-2", "--file", str(claims)],
    ]


def _limits() -> None:  # in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def _children_cpu() -> float:
    """CPU seconds (user and system) of every child process waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(argv: list[str], directory: Path) -> tuple[float, float, int | None, str]:
    """(wall seconds, CPU seconds, exit status or None past the wall limit, stderr's last
    line). The machine may be shared: CPU time says what the case itself cost when the wall
    clock also counts other work's."""
    started, cpu = time.perf_counter(), _children_cpu()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "chainrule", *argv],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=WALL_LIMIT,
            preexec_fn=_limits,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        # The killed child was waited for: its CPU time is counted too.
        wall = time.perf_counter() - started
        return wall, _children_cpu() - cpu, None, f"stopped after {WALL_LIMIT} s"
    lines = done.stderr.strip().splitlines()
    wall = time.perf_counter() - started
    return wall, _children_cpu() - cpu, done.returncode, lines[-1] if lines else ""


def _shown(argv: list[str], directory: Path) -> str:
    text = " ".join(word.replace(str(directory) + "/", "") for word in argv)
    return text if len(text) <= 60 else text[:28] + "..." + text[-28:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", metavar="SUBSTRING", help="run the cases that contain it")
    args = parser.parse_args(argv)
    missed = 0
    with tempfile.TemporaryDirectory(prefix="chainrule-budget-") as name:
        directory = Path(name)
        for case in cases(directory):
            if args.only and args.only not in " ".join(case):
                continue
            seconds, cpu, status, said = run(case, directory)
            met = status in (0, 1, 2) and seconds <= TARGET_SECONDS
            missed += not met
            outcome = "refused" if status == 2 else f"exit {status}"
            print(
                f"{'met   ' if met else 'MISSED'}  {seconds:6.2f} s  (cpu {cpu:5.2f} s)  "
                f"{outcome:>8}  "
                f"chainrule {_shown(case, directory)}"
                + (f"\n        {said[:150]}" if status == 2 or not met else "")
            )
    print(f"budget: {'met' if not missed else f'MISSED {missed}'} (target {TARGET_SECONDS:g} s)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
