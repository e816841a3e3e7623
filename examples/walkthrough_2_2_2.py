"""The classic walkthrough on 2-2-2: 8 weights, 12 chains, 52 terms, and how δ tames them.

Run: python examples/walkthrough_2_2_2.py
"""

import chainrule
from chainrule.calculus.counting import operation_counts
from chainrule.calculus.delta import define_deltas
from chainrule.notation import notation_for
from chainrule.numeric.case import random_case
from chainrule.verification.verify import verify

network = chainrule.Network([2, 2, 2])
counts = chainrule.count(network)
print(f"2-2-2: {counts.parameters} parameters, {counts.chains} chains, {counts.terms} terms")
for row in counts.layers:
    print(
        f"  θ^({row.layer}): {row.parameters} weights × {row.chains_per_parameter} chains of "
        f"{row.chain_length} terms"
    )
assert (counts.parameters, counts.chains, counts.terms) == (8, 12, 52)

graph = chainrule.build_graph(network)
gradient = chainrule.gradient(graph, "theta^(1)_11")
print("\nThe two chains of ∂J/∂θ⁽¹⁾₁₁, as a hand derivation writes them:")
print(gradient.text("abstract", unicode=True))
print(gradient.text("local", unicode=True))
assert len(gradient.chains) == 2

notation = notation_for("unicode", graph)
print("\nGrouping the shared cost-side sub-chains, one layer at a time:")
for line in notation.factoring("theta^(1)_11"):
    print("  =", line)

print("\nwhere")
for definition in define_deltas(graph):
    print(" ", notation.delta_definition(definition, "local"))
for parameter in network.parameters():
    assert chainrule.proves_equal_to_path_sum(graph, parameter.name)
print("(proven equal to the path sum for all 8 weights)")

ops = operation_counts(network)
print(
    f"\nmultiplications for every gradient: {ops.expanded.multiplications} expanded, "
    f"{ops.reverse.multiplications} by backpropagation"
)

report = verify(random_case(network, examples=4, seed=0))
print(f"\nverified six ways against numeric backprop: {report.ok}")
assert report.ok
