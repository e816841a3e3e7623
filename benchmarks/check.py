"""Benchmarks of ``chainrule check``, run by ``benchmarks/run.py`` or on their own.

- check-8: all 8 gradient claims of 2-2-2 (the true δ-form gradient of every weight), checked
  one after another in one process, warm (the graph and its per-graph context built once by a
  first run, as in a session that checks a derivation line by line); target under 1 s. The
  baseline beside it, per claim: ``sympy.simplify`` of one claim's difference with
  ``sympy.diff`` of the composed cost, the plain way to tell that a claim is right (and
  nothing more).
- diagnose: one wrong claim on 4-6-6-3 (a δ^(2) with the weights transposed), from a new graph
  (cold: the graph, its numeric samples and the diagnosis); target under 2 s.
- hostile: the slowest of the test suite's hostile claims (each refused) and big but legal claims
  (each judged within the proof's budget) on 2-2-2; target under 2 s each. The tests hold these
  to a hang limit only, so that they pass on a slow or busy machine; the speed is measured here.

Run: ``python benchmarks/check.py``
"""

from __future__ import annotations

import sys
import time


def bench_eight_claims() -> tuple[float, float, float, int]:
    from chainrule.graph.build import build_graph
    from chainrule.graph.spec import Network
    from chainrule.verification.claims import check

    graph = build_graph(Network([2, 2, 2]))
    claims = [
        f"dJ/dtheta^({layer})_{j}{k} = delta^({layer + 1})_{j} * "
        + (f"x_{k}" if layer == 1 else f"a^(2)_{k}")
        for layer in (1, 2)
        for j in (1, 2)
        for k in (1, 2)
    ]
    start = time.perf_counter()
    for claim in claims:  # cold: the graph's context (names, samples, truths) is built here
        check(graph, claim)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    verdicts = [check(graph, claim)["verdict"] for claim in claims]
    ours = time.perf_counter() - start
    assert verdicts == ["correct"] * 8, verdicts
    return ours, cold, _plain_sympy(), len(claims)


def _plain_sympy() -> float:
    """sympy.diff of the composed cost, minus each claim in closed form, simplified."""
    import sympy as sp

    from chainrule.calculus.delta import delta_definitions, expand_deltas
    from chainrule.calculus.symbolic import (
        composed_cost,
        forward_values,
        local_derivative,
        node_symbol,
    )
    from chainrule.graph.build import build_graph
    from chainrule.graph.spec import Network

    network = Network([2, 2, 2])
    graph = build_graph(network)
    values = forward_values(network)
    cost = composed_cost(network, values)
    definitions = delta_definitions(graph)
    start = time.perf_counter()
    claim = node_symbol("delta^(2)_1") * node_symbol("x_1")  # one claim: simplify is slow
    expanded = expand_deltas(claim, definitions)
    local = expanded.replace(
        lambda e: type(e).__name__ == "Partial",
        lambda e: local_derivative(graph, str(e.wrt), str(e.of)),
    )
    sp.simplify(local.xreplace(values) - sp.diff(cost, node_symbol("theta^(1)_11")))
    return time.perf_counter() - start


def bench_diagnosis() -> tuple[float, str]:
    from chainrule.graph.spec import Network
    from chainrule.verification.claims import check

    claim = (
        "delta^(2)_1 = a^(2)_1*(1 - a^(2)_1) * (delta^(3)_1 * theta^(2)_11 + "
        "delta^(3)_2 * theta^(2)_12 + delta^(3)_3 * theta^(2)_13 + delta^(3)_4 * "
        "theta^(2)_14 + delta^(3)_5 * theta^(2)_15 + delta^(3)_6 * theta^(2)_16)"
    )
    start = time.perf_counter()
    record = check(Network([4, 6, 6, 3]), claim)
    elapsed = time.perf_counter() - start
    return elapsed, record["diagnosis"]["kind"]


def bench_hostile_claims() -> tuple[float, str]:
    """The slowest claim of the test suite's hostile and big claims, and which it was."""
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from test_check import BIG_CLAIMS, HOSTILE

    from chainrule.errors import SpecError
    from chainrule.graph.build import build_graph
    from chainrule.graph.spec import Network
    from chainrule.verification.claims import check

    graph = build_graph(Network([2, 2, 2]))
    check(graph, BIG_CLAIMS[0])  # the graph's context, built once as in any session
    slowest, which = 0.0, ""
    for claim in HOSTILE + BIG_CLAIMS:
        start = time.perf_counter()
        try:
            check(graph, claim)
        except SpecError:
            pass
        elapsed = time.perf_counter() - start
        if elapsed > slowest:
            slowest, which = elapsed, claim
    return slowest, which


def main() -> int:
    ours, cold, plain, claims = bench_eight_claims()
    print(
        f"check     2-2-2, all {claims} gradient claims, warm: {ours * 1000:7.1f} ms "
        f"({ours / claims * 1000:.1f} ms a claim; cold {cold * 1000:.0f} ms)   one claim by "
        "sympy.simplify against "
        f"sympy.diff {plain * 1000:7.1f} ms   (target < 1 s)"
    )
    diagnosis, kind = bench_diagnosis()
    print(
        f"diagnose  4-6-6-3, a wrong claim from a new graph: {diagnosis * 1000:7.1f} ms "
        f"(diagnosis: {kind})   (target < 2 s)"
    )
    hostile, which = bench_hostile_claims()
    print(
        f"hostile   2-2-2, the slowest hostile or big claim: {hostile * 1000:7.1f} ms "
        f"({which[:40]!r})   (target < 2 s)"
    )
    met = ours < 1 and diagnosis < 2 and kind == "transposed" and hostile < 2
    print(f"check: {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
