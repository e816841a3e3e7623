"""Benchmarks of ``chainrule paths``: each figure printed beside its target.

Run ``python benchmarks/paths.py`` (``python benchmarks/run.py`` runs these too).

- aggregates: the dynamic programme behind ``--by length`` and ``--by layer`` on a residual net
  of 54 blocks of width 4 (the depth of Veit et al.'s 110-layer net), every input and every
  parameter, from the evaluated edges; target under 1 s. Building the graph and evaluating its
  edge formulas with SymPy are timed beside it, for context: they are not the aggregates.
- ranking: the top 10 of the 1,048,576 chains of resnet:1x20's input, streamed through a heap,
  against the 16,384 of resnet:1x14: the peak memory of the two processes must differ by less
  than 5 MB, because the heap holds 10 chains whatever the number streamed.
"""

from __future__ import annotations

import subprocess
import sys
import time

_RANK_TOP_10 = """
import re, sys, time
from chainrule.graph.architectures import parse_architecture_graph
from chainrule.verification.verify import evaluate_edges, random_leaf_values
from chainrule.calculus.aggregates import rank_chains
graph = parse_architecture_graph(sys.argv[1])
edges = evaluate_edges(graph, random_leaf_values(graph, 1, 0), 1)
start = time.perf_counter()
ranking = rank_chains(graph, "x_1", edges, top=10)
seconds = time.perf_counter() - start
peak_kib = re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)
print(ranking.count, len(ranking.top), seconds, peak_kib)
"""


def bench_aggregates() -> tuple[float, float, float, int, int]:
    from chainrule.calculus.aggregates import node_tables
    from chainrule.graph.architectures import parse_architecture_graph
    from chainrule.verification.verify import evaluate_edges, random_leaf_values

    start = time.perf_counter()
    graph = parse_architecture_graph("resnet:4x54")
    built = time.perf_counter()
    edges = evaluate_edges(graph, random_leaf_values(graph, 1, 0), 1)
    evaluated = time.perf_counter()
    inputs = [n for n, kind in graph.nodes(data="kind") if kind == "input"]
    parameters = [n for n, kind in graph.nodes(data="kind") if kind == "param"]
    best = float("inf")
    for _ in range(3):
        begin = time.perf_counter()
        tables = node_tables(graph, edges, 1)
        by_length = tables.rows(inputs)
        tables.rows(parameters)
        by_layer = {}
        for parameter in parameters:
            by_layer.setdefault(graph.nodes[parameter]["group"], []).append(parameter)
        for members in by_layer.values():
            tables.total(members)
        best = min(best, time.perf_counter() - begin)
    chains = sum(row.count for row in by_length)
    return best, built - start, evaluated - built, chains, graph.number_of_edges()


def _rank_in_a_process(architecture: str) -> tuple[int, float, float]:
    done = subprocess.run(
        [sys.executable, "-c", _RANK_TOP_10, architecture],
        check=True,
        capture_output=True,
        text=True,
    )
    chains, kept, seconds, peak_kib = done.stdout.split()
    assert int(kept) == 10
    return int(chains), float(seconds), int(peak_kib) / 1024


def bench_ranking() -> tuple[int, float, float, int, float]:
    small_chains, _, small_peak = _rank_in_a_process("resnet:1x14")
    chains, seconds, peak = _rank_in_a_process("resnet:1x20")
    return chains, seconds, peak, small_chains, small_peak


def main() -> dict[str, bool]:
    seconds, build, evaluate, chains, edges = bench_aggregates()
    print(
        f"aggregates resnet:4x54 (every input and parameter, by length and by layer), "
        f"{chains:.3e} input chains: {seconds * 1000:7.1f} ms (target < 1 s); for context, "
        f"building the graph {build:5.1f} s and evaluating its {edges:,} edge formulas "
        f"{evaluate:5.1f} s"
    )
    chains, rank_seconds, peak, small_chains, small_peak = bench_ranking()
    print(
        f"ranking   top 10 of {chains:,} chains (resnet:1x20): {rank_seconds:5.1f} s, peak RSS "
        f"{peak:6.1f} MB   top 10 of {small_chains:,} (resnet:1x14) {small_peak:6.1f} MB   "
        f"difference {peak - small_peak:5.1f} MB (target < 5 MB: memory independent of the "
        "number of chains)"
    )
    return {"aggregates": seconds < 1.0, "ranking": peak - small_peak < 5}


if __name__ == "__main__":
    results = main()
    print(
        "\n" + "   ".join(f"{name}: {'met' if met else 'MISSED'}" for name, met in results.items())
    )
    sys.exit(0 if all(results.values()) else 1)
