"""The classic walkthrough on the smallest network: 1-1-1 has 2 weights, 2 chains and 8 terms.

Run: python examples/walkthrough_1_1_1.py
"""

import chainrule
from chainrule.calculus.delta import define_deltas, factor_gradient
from chainrule.notation import notation_for
from chainrule.numeric.case import random_case
from chainrule.verification.verify import verify

network = chainrule.Network([1, 1, 1])
counts = chainrule.count(network)
print(f"1-1-1: {counts.parameters} parameters, {counts.chains} chains, {counts.terms} terms")
assert (counts.parameters, counts.chains, counts.terms) == (2, 2, 8)

graph = chainrule.build_graph(network)
print("\nEach weight's gradient as its chain of partials, then as formulas:")
for parameter in network.parameters():
    gradient = chainrule.gradient(graph, parameter.name)
    print(" ", gradient.text("abstract", unicode=True))
    print(" ", gradient.text("local", unicode=True))

notation = notation_for("unicode", graph)
print("\nThe same through δ = ∂J/∂z:")
for definition in define_deltas(graph):
    print(" ", notation.delta_definition(definition, "local"))
for parameter in network.parameters():
    print(" ", notation.factored_gradient(factor_gradient(graph, parameter.name), "local"))
    assert chainrule.proves_equal_to_path_sum(graph, parameter.name)

report = verify(random_case(network, examples=1, seed=0))
print(f"\nverified against numeric backprop, finite differences and sympy.diff: {report.ok}")
assert report.ok
