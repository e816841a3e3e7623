"""chainrule's benchmarks: each figure measured beside its baseline in the same run.

Run ``python benchmarks/run.py`` (after ``pip install .``). Nothing here is a timed test: it
prints figures and ratios, and says whether each meets its target.

- startup: wall time of ``chainrule count 784-512-512-10`` against ``python3 -c pass``
  (median of interleaved runs); target at most 3x.
- chains: streaming every chain of 10-10-10-10 (11,100 chains, 75,300 terms) against
  ``networkx.all_simple_paths`` listing the same paths on the same graph (best of several);
  target at least 10x faster.
- latex: the full LaTeX (local view) of all 558 chains of 4-6-6-3, from a new graph, against
  printing each factor's formula with ``sympy.latex`` as it comes; target well under a second.
- verify: ``verify`` of 4-6-6-3 (sigmoid, mse, m = 4), every method, against the plain SymPy
  route (``sympy.diff`` of the composed cost for every weight, ``lambdify(..., cse=True)``, one
  evaluation); target at least 20x faster.
- backprop: numeric backprop on 784-256-128-10 with m = 256 against HIPS autograd on the same
  case (best of several); target a ratio of at most 1.0.
- memory: peak resident memory of a process streaming every chain of 10-10-10-10-10
  (975,300 terms) against one doing the same for 10-10-10; target within 20 MB.
- check: ``chainrule check`` on all 8 gradient claims of 2-2-2, warm (target under 1 s), and
  one wrong claim's diagnosis on 4-6-6-3 (target under 2 s); see ``benchmarks/check.py``.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from collections import deque

STARTUP_RUNS = 15
STREAM_REPEATS = 5

# Peak memory is read from VmHWM, which belongs to the new process image: ru_maxrss would keep
# the high-water mark of the forked parent (this script, with SymPy loaded) across exec.
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


def _wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def bench_startup() -> tuple[float, float]:
    chainrule = shutil.which("chainrule")
    command = [chainrule] if chainrule else [sys.executable, "-m", "chainrule"]
    ours, bare = [], []
    for _ in range(STARTUP_RUNS):  # interleaved, so that machine noise hits both alike
        ours.append(_wall_time([*command, "count", "784-512-512-10"]))
        bare.append(_wall_time(["python3", "-c", "pass"]))
    return statistics.median(ours), statistics.median(bare)


def _best_time(action) -> float:
    times = []
    for _ in range(STREAM_REPEATS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_chains() -> tuple[float, float, int, int]:
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
    theirs = _best_time(lambda: [deque(nx.all_simple_paths(graph, s, "J"), maxlen=0)
                                 for s in sources])
    return ours, theirs, chains, terms


def bench_latex() -> tuple[float, float, int]:
    import sympy as sp

    from chainrule import Network, build_graph, iter_chains
    from chainrule.notation.printing import gradient_latex
    from chainrule.calculus.symbolic import factor_formula, latex_names

    net = Network([4, 6, 6, 3])

    def ours() -> int:
        graph = build_graph(net)
        return sum(len(gradient_latex(graph, p.name, iter_chains(graph, p.name), "local"))
                   for p in net.parameters())

    def plain_sympy() -> int:
        graph = build_graph(net)
        names = latex_names(graph)
        return sum(len(r" \cdot ".join(sp.latex(factor_formula(graph, factor), symbol_names=names)
                                        for factor in chain))
                   for p in net.parameters() for chain in iter_chains(graph, p.name))

    chains = sum(1 for p in net.parameters() for _ in iter_chains(build_graph(net), p.name))
    return _best_time(ours), _best_time(plain_sympy), chains


def bench_verify() -> tuple[float, float]:
    import sympy as sp

    from chainrule import Network
    from chainrule.numeric.case import random_case
    from chainrule.calculus.symbolic import composed_cost, node_symbol
    from chainrule.verification.verify import _leaf_values, verify

    case = random_case(Network([4, 6, 6, 3]), examples=4, seed=0)
    ours = _best_time(lambda: verify(case))

    def plain_sympy() -> None:
        cost = composed_cost(case.network)
        weights = [node_symbol(p.name) for p in case.network.parameters()]
        symbols = sorted(cost.free_symbols, key=str)
        function = sp.lambdify(symbols, [sp.diff(cost, w) for w in weights], cse=True)
        values = _leaf_values(case)
        function(*(values[symbol] for symbol in symbols))

    start = time.perf_counter()
    plain_sympy()
    return ours, time.perf_counter() - start


def bench_backprop() -> tuple[float, float]:
    import autograd
    import autograd.numpy as anp

    from chainrule import Network
    from chainrule.numeric.case import random_case
    from chainrule.numeric.backprop import backprop

    case = random_case(Network([784, 256, 128, 10]), examples=256, seed=0, init_scale=0.05)

    def cost(weights):
        a = case.inputs
        for theta in weights:
            a = 1 / (1 + anp.exp(-anp.dot(a, theta.T)))
        return anp.sum((case.targets - a) ** 2) / (2 * case.examples)

    gradient = autograd.grad(cost)
    weights = list(case.weights)
    ours = _best_time(lambda: backprop(case))
    theirs = _best_time(lambda: gradient(weights))
    return ours, theirs


def _peak_memory(architecture: str) -> tuple[int, int, float]:
    done = subprocess.run([sys.executable, "-c", _STREAM_ALL_CHAINS, architecture],
                          check=True, capture_output=True, text=True)
    chains, terms, peak_kib = (int(value) for value in done.stdout.split())
    return chains, terms, peak_kib / 1024


def bench_memory() -> tuple[float, float, int]:
    _, _, small = _peak_memory("10-10-10")
    _, terms, large = _peak_memory("10-10-10-10-10")
    return large, small, terms


def main() -> int:
    print(f"chainrule benchmarks (Python {sys.version.split()[0]})\n")
    ours, bare = bench_startup()
    startup_ratio = ours / bare
    print(f"startup   chainrule count 784-512-512-10: {ours * 1000:7.1f} ms   "
          f"python3 -c pass: {bare * 1000:7.1f} ms   ratio {startup_ratio:5.2f}x "
          f"(target <= 3x)")

    ours, theirs, chains, terms = bench_chains()
    speedup = theirs / ours
    print(f"chains    10-10-10-10, {chains:,} chains / {terms:,} terms: iter_chains "
          f"{ours * 1000:7.1f} ms   nx.all_simple_paths {theirs * 1000:7.1f} ms   "
          f"{speedup:5.1f}x faster (target >= 10x)")

    latex_ms, latex_plain, chains = bench_latex()
    print(f"latex     4-6-6-3 local view, {chains} chains: chainrule {latex_ms * 1000:7.1f} ms   "
          f"sympy.latex per factor {latex_plain * 1000:7.1f} ms   "
          f"{latex_plain / latex_ms:5.1f}x faster (target: well under 1 s)")

    ours, plain = bench_verify()
    print(f"verify    4-6-6-3 (sigmoid, mse, m = 4), every method: {ours * 1000:7.1f} ms   "
          f"plain sympy.diff route {plain * 1000:9.1f} ms   {plain / ours:5.1f}x faster "
          f"(target >= 20x)")

    ours_bp, autograd_bp = bench_backprop()
    print(f"backprop  784-256-128-10, m = 256: numeric backprop {ours_bp * 1000:7.1f} ms   "
          f"autograd {autograd_bp * 1000:7.1f} ms   ratio {ours_bp / autograd_bp:5.2f} "
          f"(target <= 1.0)")

    large, small, terms = bench_memory()
    print(f"memory    peak RSS streaming all chains: 10-10-10-10-10 ({terms:,} terms) "
          f"{large:6.1f} MB   10-10-10 {small:6.1f} MB   difference {large - small:5.1f} MB "
          f"(target <= 20 MB)")

    import check  # benchmarks/check.py, beside this script: chainrule check's two figures

    results = {"startup": startup_ratio <= 3, "chains": speedup >= 10, "latex": latex_ms < 0.5,
               "verify": plain / ours >= 20, "backprop": ours_bp / autograd_bp <= 1.0,
               "memory": large - small <= 20, "check": check.main() == 0}
    print("\n" + "   ".join(f"{name}: {'met' if met else 'MISSED'}"
                            for name, met in results.items()))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
