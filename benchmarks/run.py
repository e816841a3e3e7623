"""chainrule's benchmarks: each figure measured beside its baseline in the same run.

Run ``python benchmarks/run.py`` from a checkout (the chainrule next to this script is
measured). Nothing here is a timed test: it prints figures and ratios, and says whether each
meets its target.

- startup: wall time of ``chainrule count 784-512-512-10`` against ``python3 -c pass``
  (median of interleaved runs); target at most 3x.
- chains: streaming every chain of 10-10-10-10 (11,100 chains, 75,300 terms) against
  ``networkx.all_simple_paths`` listing the same paths on the same graph (best of several);
  target at least 10x faster.
- latex: the full LaTeX (local view) of all 558 chains of 4-6-6-3, from a new graph, against
  printing each factor's formula with ``sympy.latex`` as it comes; target well under a second.
- verify: ``verify`` of 4-6-6-3 (sigmoid, mse, m = 4), every method, against the plain SymPy
  route (``sympy.diff`` of the composed cost for every weight, ``lambdify(..., cse=True)``, one
  evaluation), in one process; target at least 20x faster.
- verify-process: the same as whole processes, which is what a user waits for: ``python -m
  chainrule verify 4-6-6-3`` (median of several) against a process that imports chainrule and
  does the plain route; target at least 20x faster.
- backprop: numeric backprop on 784-256-128-10 with m = 256 against HIPS autograd on the same
  case (best of several); target a ratio of at most 1.0.
- memory: peak resident memory of a process streaming every chain of 10-10-10-10-10
  (975,300 terms) against one doing the same for 10-10-10; target within 20 MB.
- chains-matrix: ``chainrule chains 784-512-512-10 --view matrix`` as a whole process (median
  of several) against ``chainrule count 784-512-512-10``, the fastest command; target 1 s.
- matrix-eval: the matrix form evaluated with numpy (``verification.matrix``: the printed
  forward pass and δ recursion) on 784-512-512-10 with m = 8 against numeric backprop on the
  same case (best of several), and the largest difference of their gradients relative to the
  largest gradient; target: equal to 1e-9.
- verify-784: ``chainrule verify 784-512-512-10 --examples 8`` as a whole process (median of
  several), which runs the matrix form and leaves out by budget what it cannot afford (the
  expanded chain sum and the δ sweep over 1.3 million edges, sympy.diff), against ``chainrule
  count 784-512-512-10``; target 5 s (it took 33 s before the matrix form).
- check-784: ``chainrule check 784-512-512-10`` of a wrong matrix claim (δ^(2) with Θ^(2)
  transposed, which fits at 512 = 512 and is caught for widths that differ) and a right one,
  as a whole process (median of several), against ``chainrule count 784-512-512-10``; target
  2 s.
- draw-2-2-2, report-2-2-2, report-1-1-3-3: ``chainrule draw 2-2-2 -o net.png``, ``chainrule
  report 2-2-2 -o report.md`` and ``chainrule report 1-1-3-3 -o report.md`` (each with its
  figure) as whole processes, the median of several; targets 1 s, 1.5 s and 2 s. Beside each,
  a process that only imports matplotlib.figure and networkx: the part of the time that any
  drawing pays before it draws anything.

In-process figures are CPU times (best of several), which other work on a shared machine
disturbs far less than wall times; backprop, whose matrix products may use several threads, is
timed by the wall clock. Whole processes are timed by the wall clock (what a user waits for),
with their CPU time beside it.

``--compare REV`` also checks REV out (``git worktree add``, into a temporary directory,
removed afterwards) and measures every figure there too, printing old and new side by side with
the change, so that "no figure more than 10% worse than before" can be shown; old and new are
measured ``--rounds`` times, interleaved, and the best of each is kept (whole processes are
compared by CPU time), so that a busy machine disturbs both alike. Each figure runs in a process
of its own with the measured checkout first on ``sys.path``, and the benchmarks reach chainrule
through names that exist in every layout since the flat one (26a52f2), trying the subpackage
path first. ``--only NAME[,NAME...]`` runs some figures only.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTUP_RUNS = 15
STREAM_REPEATS = 5
PROCESS_RUNS = 7

# Peak memory is read from VmHWM, which belongs to the new process image: ru_maxrss would keep
# the high-water mark of the forked parent across exec.
_STREAM_ALL_CHAINS = """
import re, sys
from collections import deque
from chainrule import Network, build_graph, iter_chains
net = Network([int(n) for n in sys.argv[1].split('-')])
graph = build_graph(net)
chains = terms = 0
for parameter in net.parameters():
    for chain in iter_chains(graph, parameter.name):
        chains += 1
        terms += len(chain)
peak_kib = re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)
print(chains, terms, peak_kib)
"""

# The plain SymPy route as a whole process: what one would write without chainrule's evaluator.
_PLAIN_ROUTE = """
import sys
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[2])
import run
run.plain_sympy_route(run.verify_case())
"""


def _find(name: str, *modules: str):
    """`name` from the first of `modules` that has it: the package's layout has changed (flat
    modules, then subpackages), and the benchmarks measure old checkouts too."""
    for module in modules:
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
    raise ImportError(f"none of {', '.join(modules)} has {name}")


def _random_case():
    return _find("random_case", "chainrule.numeric.case", "chainrule.case")


def _process_times(command: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of `command` as a process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _wall_time(command: list[str]) -> float:
    return _process_times(command)[0]


def _best_time(action, clock=time.process_time) -> float:
    """The best of several runs of `action`. CPU time by default: single-threaded work takes the
    same CPU time however busy the machine is, where its wall time does not."""
    times = []
    for _ in range(STREAM_REPEATS):
        start = clock()
        action()
        times.append(clock() - start)
    return min(times)


CHAINRULE = [sys.executable, "-m", "chainrule"]


# --- the figures: each returns {"ours": seconds or MB, "theirs": baseline, ...} --------------


def bench_startup() -> dict:
    _process_times([*CHAINRULE, "count", "784-512-512-10"])  # untimed: bytecode written
    ours, bare = [], []
    for _ in range(STARTUP_RUNS):  # interleaved, so that machine noise hits both alike
        ours.append(_process_times([*CHAINRULE, "count", "784-512-512-10"]))
        bare.append(_process_times(["python3", "-c", "pass"]))
    return {
        "ours": statistics.median(wall for wall, _ in ours),
        "theirs": statistics.median(wall for wall, _ in bare),
        "cpu": statistics.median(cpu for _, cpu in ours),
    }


def bench_chains() -> dict:
    import networkx as nx

    from chainrule import Network, build_graph, iter_chains

    net = Network([10, 10, 10, 10])
    graph = build_graph(net)
    sources = [parameter.name for parameter in net.parameters()]
    chains = sum(1 for source in sources for _ in iter_chains(graph, source))
    terms = sum(len(chain) for source in sources for chain in iter_chains(graph, source))
    listed = sum(1 for source in sources for _ in nx.all_simple_paths(graph, source, "J"))
    assert listed == chains, (listed, chains)
    ours = _best_time(lambda: [deque(iter_chains(graph, s), maxlen=0) for s in sources])
    theirs = _best_time(
        lambda: [deque(nx.all_simple_paths(graph, s, "J"), maxlen=0) for s in sources]
    )
    return {"ours": ours, "theirs": theirs, "chains": chains, "terms": terms}


def bench_latex() -> dict:
    import sympy as sp

    from chainrule import Network, build_graph, iter_chains

    gradient_latex = _find("gradient_latex", "chainrule.notation.printing", "chainrule.printing")
    factor_formula = _find("factor_formula", "chainrule.calculus.symbolic", "chainrule.symbolic")
    latex_names = _find("latex_names", "chainrule.notation.printers", "chainrule.symbolic")
    net = Network([4, 6, 6, 3])

    def ours() -> int:
        graph = build_graph(net)
        return sum(
            len(gradient_latex(graph, p.name, iter_chains(graph, p.name), "local"))
            for p in net.parameters()
        )

    def plain_sympy() -> int:
        graph = build_graph(net)
        names = latex_names(graph)
        return sum(
            len(
                r" \cdot ".join(
                    sp.latex(factor_formula(graph, factor), symbol_names=names) for factor in chain
                )
            )
            for p in net.parameters()
            for chain in iter_chains(graph, p.name)
        )

    chains = sum(1 for p in net.parameters() for _ in iter_chains(build_graph(net), p.name))
    return {"ours": _best_time(ours), "theirs": _best_time(plain_sympy), "chains": chains}


def verify_case():
    from chainrule import Network

    return _random_case()(Network([4, 6, 6, 3]), examples=4, seed=0)


def plain_sympy_route(case) -> None:
    """sympy.diff of the composed cost by every weight, lambdify(cse=True), one evaluation."""
    import numpy as np
    import sympy as sp

    composed_cost = _find("composed_cost", "chainrule.calculus.symbolic", "chainrule.symbolic")
    network, m = case.network, case.examples
    cost = composed_cost(network)
    real = {str(symbol): symbol for symbol in cost.free_symbols}
    values = {"m": np.full(m, float(m))}
    values.update({f"x_{k + 1}": case.inputs[:, k] for k in range(network.sizes[0])})
    values.update({f"y_{i + 1}": case.targets[:, i] for i in range(network.sizes[-1])})
    values.update({p.name: np.full(m, case.parameter_value(*p)) for p in network.parameters()})
    weights = [real[p.name] for p in network.parameters()]
    symbols = sorted(cost.free_symbols, key=str)
    function = sp.lambdify(symbols, [sp.diff(cost, w) for w in weights], cse=True)
    function(*(values[str(symbol)] for symbol in symbols))


def bench_verify() -> dict:
    verify = _find("verify", "chainrule.verification.verify", "chainrule.verify")
    case = verify_case()
    ours = _best_time(lambda: verify(case))
    start = time.process_time()
    plain_sympy_route(case)
    return {"ours": ours, "theirs": time.process_time() - start}


def bench_verify_process() -> dict:
    _process_times([*CHAINRULE, "verify", "4-6-6-3"])  # once untimed, so bytecode is written
    runs = [_process_times([*CHAINRULE, "verify", "4-6-6-3"]) for _ in range(PROCESS_RUNS)]
    plain_wall, plain_cpu = _process_times(
        [sys.executable, "-c", _PLAIN_ROUTE, os.getcwd(), str(Path(__file__).resolve().parent)]
    )
    return {
        "ours": statistics.median(wall for wall, _ in runs),
        "theirs": plain_wall,
        "cpu": statistics.median(cpu for _, cpu in runs),
        "theirs_cpu": plain_cpu,
    }


def bench_backprop() -> dict:
    import autograd
    import autograd.numpy as anp

    from chainrule import Network

    backprop = _find("backprop", "chainrule.numeric.backprop", "chainrule.numeric")
    case = _random_case()(Network([784, 256, 128, 10]), examples=256, seed=0, init_scale=0.05)

    def cost(weights):
        a = case.inputs
        for theta in weights:
            a = 1 / (1 + anp.exp(-anp.dot(a, theta.T)))
        return anp.sum((case.targets - a) ** 2) / (2 * case.examples)

    gradient = autograd.grad(cost)
    weights = list(case.weights)
    # Wall time: numpy's matrix products may run on several threads, which CPU time would add up.
    return {
        "ours": _best_time(lambda: backprop(case), time.perf_counter),
        "theirs": _best_time(lambda: gradient(weights), time.perf_counter),
    }


def _peak_memory(architecture: str) -> tuple[int, int, float]:
    done = subprocess.run(
        [sys.executable, "-c", _STREAM_ALL_CHAINS, architecture],
        check=True,
        capture_output=True,
        text=True,
    )
    chains, terms, peak_kib = (int(value) for value in done.stdout.split())
    return chains, terms, peak_kib / 1024


def bench_memory() -> dict:
    _, _, small = _peak_memory("10-10-10")
    _, terms, large = _peak_memory("10-10-10-10-10")
    return {"ours": large - small, "theirs": small, "large": large, "terms": terms}


class Absent(Exception):
    """A figure whose subject the measured checkout does not have (an old revision)."""


MATRIX_COMMAND = ["chains", "784-512-512-10", "--view", "matrix"]


def bench_chains_matrix() -> dict:
    """The matrix view at a real width as whole processes, interleaved with ``count``."""
    probe = subprocess.run([*CHAINRULE, *MATRIX_COMMAND], capture_output=True)
    if probe.returncode != 0:
        raise Absent("chains --view matrix")
    ours, floor = [], []
    for _ in range(PROCESS_RUNS):
        ours.append(_process_times([*CHAINRULE, *MATRIX_COMMAND]))
        floor.append(_process_times([*CHAINRULE, "count", "784-512-512-10"]))
    return {
        "ours": statistics.median(wall for wall, _ in ours),
        "theirs": statistics.median(wall for wall, _ in floor),
        "cpu": statistics.median(cpu for _, cpu in ours),
    }


def bench_matrix_eval() -> dict:
    import numpy as np

    from chainrule import Network

    try:
        matrix_gradients = _find("matrix_gradients", "chainrule.verification.matrix")
    except ImportError:
        raise Absent("verification.matrix") from None
    backprop = _find("backprop", "chainrule.numeric.backprop", "chainrule.numeric")
    case = _random_case()(Network([784, 512, 512, 10]), examples=8, seed=0)
    ours, theirs = matrix_gradients(case), backprop(case)
    scale = max(float(np.max(np.abs(g))) for g in theirs[1])
    difference = max(
        float(np.max(np.abs(mine - other))) for mine, other in zip(ours.weights, theirs[1])
    )
    # Wall time: numpy's matrix products may run on several threads.
    return {
        "ours": _best_time(lambda: matrix_gradients(case), time.perf_counter),
        "theirs": _best_time(lambda: backprop(case), time.perf_counter),
        "relative": difference / scale,
    }


VERIFY_784 = ["verify", "784-512-512-10", "--examples", "8"]


def bench_verify_784() -> dict:
    """verify at a real width as whole processes, interleaved with ``count``; a checkout
    without the matrix method has no such figure (it took half a minute there)."""
    probe = subprocess.run([*CHAINRULE, *VERIFY_784, "--json"], capture_output=True, text=True)
    if probe.returncode != 0 or '"matrix"' not in probe.stdout:
        raise Absent("verify's matrix method")
    ours, floor = [], []
    for _ in range(PROCESS_RUNS):
        ours.append(_process_times([*CHAINRULE, *VERIFY_784]))
        floor.append(_process_times([*CHAINRULE, "count", "784-512-512-10"]))
    return {
        "ours": statistics.median(wall for wall, _ in ours),
        "theirs": statistics.median(wall for wall, _ in floor),
        "cpu": statistics.median(cpu for _, cpu in ours),
    }


CHECK_784 = [
    "check",
    "784-512-512-10",
    "delta^(2) = delta^(3) (Theta^(2))^T .* f'(z^(2))",
    "dJ/dTheta^(1) = (delta^(2))^T x",
]


def bench_check_matrix_784() -> dict:
    """A matrix claim judged at a real width as whole processes, interleaved with ``count``."""
    probe = subprocess.run([*CHAINRULE, *CHECK_784, "--json"], capture_output=True, text=True)
    if '"view": "matrix"' not in probe.stdout:
        raise Absent("check of matrix claims")
    ours, floor = [], []
    for _ in range(PROCESS_RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([*CHAINRULE, *CHECK_784], stdout=subprocess.DEVNULL)  # exit 1: wrong
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        ours.append((wall, cpu))
        floor.append(_process_times([*CHAINRULE, "count", "784-512-512-10"]))
    return {
        "ours": statistics.median(wall for wall, _ in ours),
        "theirs": statistics.median(wall for wall, _ in floor),
        "cpu": statistics.median(cpu for _, cpu in ours),
    }


# The commands that write pictures, each with its target in seconds as a whole process. matplotlib
# is imported only by the commands that draw, so these are the slowest a user waits for.
PICTURES = {
    "draw-2-2-2": (["draw", "2-2-2", "-o", "net.png"], 1.0),
    "report-2-2-2": (["report", "2-2-2", "-o", "report.md"], 1.5),
    "report-1-1-3-3": (["report", "1-1-3-3", "-o", "report.md"], 2.0),
}
_IMPORTS_OF_A_DRAWING = "import matplotlib.figure, networkx"


def bench_picture(name: str) -> dict:
    """One of PICTURES as whole processes (median of several), each run interleaved with a
    process that only imports what every drawing needs, so that load hits both alike."""
    arguments, _ = PICTURES[name]
    with tempfile.TemporaryDirectory(prefix="chainrule-bench-") as directory:
        # The file is written in a directory of its own: a report's figure goes beside it.
        command = [*CHAINRULE, *arguments[:-1], str(Path(directory) / arguments[-1])]
        imports = [sys.executable, "-c", _IMPORTS_OF_A_DRAWING]
        _process_times(command)  # untimed, so that bytecode is written
        ours, floor = [], []
        for _ in range(PROCESS_RUNS):
            ours.append(_process_times(command))
            floor.append(_process_times(imports))
    return {
        "ours": statistics.median(wall for wall, _ in ours),
        "theirs": statistics.median(wall for wall, _ in floor),
        "cpu": statistics.median(cpu for _, cpu in ours),
    }


FIGURES = {
    "startup": bench_startup,
    "chains": bench_chains,
    "latex": bench_latex,
    "verify": bench_verify,
    "verify-process": bench_verify_process,
    "backprop": bench_backprop,
    "memory": bench_memory,
    "chains-matrix": bench_chains_matrix,
    "matrix-eval": bench_matrix_eval,
    "verify-784": bench_verify_784,
    "check-784": bench_check_matrix_784,
    **{name: functools.partial(bench_picture, name) for name in PICTURES},
}


# --- reporting ------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms"


def describe(name: str, r: dict) -> tuple[str, bool]:
    """One line for a figure, and whether it meets its target."""
    ours, theirs = r["ours"], r["theirs"]
    if name == "startup":
        return (
            f"chainrule count 784-512-512-10 {_ms(ours)}   python3 -c pass {_ms(theirs)}   "
            f"ratio {ours / theirs:5.2f}x (target <= 3x)",
            ours / theirs <= 3,
        )
    if name == "chains":
        return (
            f"10-10-10-10, {r['chains']:,} chains / {r['terms']:,} terms: iter_chains "
            f"{_ms(ours)}   nx.all_simple_paths {_ms(theirs)}   {theirs / ours:5.1f}x faster "
            f"(target >= 10x)",
            theirs / ours >= 10,
        )
    if name == "latex":
        return (
            f"4-6-6-3 local view, {r['chains']} chains: chainrule {_ms(ours)}   sympy.latex "
            f"per factor {_ms(theirs)}   {theirs / ours:5.1f}x faster (target: well under "
            f"1 s)",
            ours < 0.5,
        )
    if name == "verify":
        return (
            f"4-6-6-3 (sigmoid, mse, m = 4), every method, in one process: {_ms(ours)}   "
            f"plain sympy.diff route {_ms(theirs)}   {theirs / ours:5.1f}x faster "
            f"(target >= 20x)",
            theirs / ours >= 20,
        )
    if name == "verify-process":
        return (
            f"4-6-6-3 as whole processes: chainrule verify {_ms(ours)}   plain sympy.diff "
            f"route {_ms(theirs)}   {theirs / ours:5.1f}x faster (target >= 20x; CPU "
            f"{_ms(r['cpu']).strip()} against {_ms(r['theirs_cpu']).strip()}, "
            f"{r['theirs_cpu'] / r['cpu']:.1f}x)",
            theirs / ours >= 20,
        )
    if name == "backprop":
        return (
            f"784-256-128-10, m = 256: numeric backprop {_ms(ours)}   autograd {_ms(theirs)}"
            f"   ratio {ours / theirs:5.2f} (target <= 1.0)",
            ours / theirs <= 1.0,
        )
    if name == "memory":
        return (
            f"peak RSS streaming all chains: 10-10-10-10-10 ({r['terms']:,} terms) "
            f"{r['large']:6.1f} MB   10-10-10 {theirs:6.1f} MB   difference {ours:5.1f} MB "
            f"(target <= 20 MB)",
            ours <= 20,
        )
    if name == "chains-matrix":
        return (
            f"chainrule {' '.join(MATRIX_COMMAND)} as a whole process {_ms(ours)} (CPU "
            f"{_ms(r['cpu']).strip()})   chainrule count 784-512-512-10 {_ms(theirs)}   "
            f"(target <= 1 s)",
            ours <= 1.0,
        )
    if name == "matrix-eval":
        return (
            f"784-512-512-10, m = 8: the matrix form in numpy {_ms(ours)}   numeric backprop "
            f"{_ms(theirs)}   largest difference {r['relative']:.1e} of the largest gradient "
            f"(target <= 1e-9)",
            r["relative"] <= 1e-9,
        )
    if name == "verify-784":
        return (
            f"chainrule {' '.join(VERIFY_784)} as a whole process {_ms(ours)} (CPU "
            f"{_ms(r['cpu']).strip()})   chainrule count 784-512-512-10 {_ms(theirs)}   "
            f"(target <= 5 s)",
            ours <= 5.0,
        )
    if name == "check-784":
        return (
            f"chainrule check 784-512-512-10 (two matrix claims) as a whole process "
            f"{_ms(ours)} (CPU {_ms(r['cpu']).strip()})   chainrule count 784-512-512-10 "
            f"{_ms(theirs)}   (target <= 2 s)",
            ours <= 2.0,
        )
    if name in PICTURES:
        arguments, target = PICTURES[name]
        return (
            f"chainrule {' '.join(arguments[:2])} -o {arguments[-1]} as a whole process "
            f"{_ms(ours)} (CPU {_ms(r['cpu']).strip()})   importing matplotlib.figure and "
            f"networkx alone {_ms(theirs)}   (target <= {target:g} s)",
            ours <= target,
        )
    raise KeyError(name)


UNITS = {"memory": "MB"}
# What is compared with an old checkout: the figure itself, or for memory the peak of the large
# run (the difference of two peaks is a few MB, and its relative change mostly noise).
# Whole processes are compared by CPU time, which a busy machine disturbs less than wall time.
COMPARED = {
    "memory": "large",
    "startup": "cpu",
    "verify-process": "cpu",
    "verify-784": "cpu",
    "check-784": "cpu",
}
COMPARED.update({name: "cpu" for name in PICTURES})


def measure(name: str, checkout: Path) -> dict:
    """One figure, measured in a process of its own with `checkout`'s chainrule.

    Bytecode is written and used, as after ``pip install``: with PYTHONDONTWRITEBYTECODE set
    (as on some machines) every process would compile chainrule from source, which the figures
    of whole processes would count. The __pycache__ directories are ignored by git.
    """
    env = dict(os.environ, PYTHONPATH=str(checkout))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--figure", name],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{name} in {checkout} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def _worktree(revision: str):
    """A temporary checkout of `revision`; returns its path and a function that removes it."""
    directory = Path(tempfile.mkdtemp(prefix="chainrule-bench-")) / "checkout"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(directory), revision],
        check=True,
        capture_output=True,
    )

    def remove() -> None:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(directory)],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(directory.parent, ignore_errors=True)

    return directory, remove


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--compare",
        metavar="REV",
        help="also measure REV (a git revision) and print old and new side by side",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        metavar="N",
        help="with --compare: measure old and new N times each, interleaved, "
        "and keep the best of each (default 3)",
    )
    parser.add_argument(
        "--only", metavar="NAME[,NAME...]", help=f"run only these figures: {', '.join(FIGURES)}"
    )
    parser.add_argument("--figure", choices=list(FIGURES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.figure:  # a child: measure one figure here and print it as JSON
        try:
            print(json.dumps(FIGURES[args.figure]()))
        except Absent as absent:
            print(json.dumps({"absent": str(absent)}))
        return 0
    names = list(FIGURES) if not args.only else args.only.split(",")
    unknown = [name for name in names if name not in FIGURES]
    if unknown:
        parser.error(f"unknown figure {', '.join(unknown)}; choose from {', '.join(FIGURES)}")

    print(f"chainrule benchmarks (Python {sys.version.split()[0]})\n")
    # Stopped by a signal, still remove the temporary checkout (the finally clause below).
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    old_checkout, remove = _worktree(args.compare) if args.compare else (None, lambda: None)
    met, worse = {}, []
    try:
        for name in names:
            key = COMPARED.get(name, "ours")
            if old_checkout is None:
                new = measure(name, ROOT)
            else:  # old and new interleaved, the best of each kept: load hits both alike
                runs = [
                    (measure(name, old_checkout), measure(name, ROOT)) for _ in range(args.rounds)
                ]
                old = min((pair[0] for pair in runs), key=lambda r: r.get(key, 0))
                new = min((pair[1] for pair in runs), key=lambda r: r.get(key, 0))
            if "absent" in new:
                print(f"{name:<15}not in this checkout ({new['absent']})")
                continue
            line, met[name] = describe(name, new)
            print(f"{name:<15}{line}")
            if old_checkout is not None and "absent" in old:
                print(f"{'':<15}{args.compare}: has no {old['absent']}")
            elif old_checkout is not None:
                old_line, _ = describe(name, old)
                change = new[key] / old[key] - 1
                unit = UNITS.get(name, "s")
                print(f"{'':<15}{args.compare}: {old_line}")
                print(
                    f"{'':<15}old {old[key]:.4g} {unit}  new {new[key]:.4g} {unit}  "
                    f"change {change:+.0%}" + ("  WORSE by more than 10%" if change > 0.10 else "")
                )
                if change > 0.10:
                    worse.append(name)
    finally:
        remove()
    if not args.compare and not args.only:
        # The commands that came later measure themselves in scripts of their own (each prints
        # its figures beside their targets); the whole set runs from this one command.
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import check
        import explore
        import paths

        print()
        met["check"] = check.main() == 0  # it prints its figures and returns an exit status
        print()
        met.update(paths.main())
        print()
        met["explore"] = explore.main() == 0
    print("\n" + "   ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in met.items()))
    if args.compare:
        print(
            f"against {args.compare}: "
            + (
                f"worse by more than 10%: {', '.join(worse)}"
                if worse
                else "no figure more than 10% worse"
            )
        )
    return 0 if all(met.values()) and not worse else 1


if __name__ == "__main__":
    sys.exit(main())
