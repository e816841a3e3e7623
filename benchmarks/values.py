"""Benchmarks of ``chainrule values`` and of training a worked example, as whole processes.

- values-784: ``chainrule values 784-512-512-10`` (one example: 671,525 nodes, 1,338,388
  factors, about 4 million numbers) in text and with ``--json``, written to a file; target
  2 s each. Beside it, ``chainrule count 784-512-512-10``: what starting the command costs.
- train-mazur: 10,000 epochs of the published 2-2-2 worked example as a graph file
  (``examples/graphs/mazur.json``, trained by its own compiled formulas) and as layer sizes
  (numpy); target 2 s each.

Each is the median of ``--rounds`` runs by the wall clock (what a user waits for), with the
CPU time (user + system) beside it, which a busy machine disturbs far less: on a shared machine
read the CPU time against the target.

Run: ``python benchmarks/values.py [--rounds N]``
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0
CASES = {
    "count-784 (start-up)": ["count", "784-512-512-10"],
    "values-784 text": ["values", "784-512-512-10"],
    "values-784 --json": ["values", "784-512-512-10", "--json"],
    "train-mazur graph": [
        "train",
        "examples/graphs/mazur.json",
        "--case",
        "examples/cases/mazur.json",
        "--freeze",
        "b1,b2",
        "--lr",
        "0.5",
        "--epochs",
        "10000",
        "--every",
        "10000",
    ],
    "train-mazur layered": [
        "train",
        "--case",
        "examples/cases/mazur-2-2-2.json",
        "--freeze",
        "1,1,0,1,2,0,2,1,0,2,2,0",
        "--lr",
        "0.5",
        "--epochs",
        "10000",
        "--every",
        "10000",
    ],
}


def run_once(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one ``python -m chainrule ...`` writing to a file."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "chainrule", *argv], cwd=ROOT, stdout=out, check=True)
        wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    missed = False
    print(f"{'case':<22} {'wall (median)':>14} {'cpu (median)':>13}  target {TARGET_SECONDS:g} s")
    for name, argv in CASES.items():
        runs = [run_once(argv) for _ in range(rounds)]
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        meets = "start-up" in name or cpu <= TARGET_SECONDS
        missed |= not meets
        print(f"{name:<22} {wall:>12.2f} s {cpu:>11.2f} s  {'meets' if meets else 'MISSES'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
