"""A residual block and a skip connection, described in Python: chains, δ and a verification.

    h = tanh(w·x)            the block's input
    f = tanh(θ·h)            the residual branch
    r = f + h                the block: z = θ·a + a_prev in spirit, the identity path kept
    o = sigmoid(v·r + x)     the output, with a skip connection from the input

Run: python examples/residual.py
"""

import chainrule
from chainrule.calculus.delta import factoring_steps, proves_equal_to_path_sum
from chainrule.graph.chains import iter_chains
from chainrule.graph.paths import iter_paths, path_counts
from chainrule.notation import notation_for

dag = chainrule.Dag()
x, w, theta, v = (
    dag.input("x"),
    dag.parameter("w"),
    dag.parameter("theta", r"\theta"),
    dag.parameter("v"),
)
y = dag.target("y")
h = dag.node("h", chainrule.tanh(w * x))
f = dag.node("f", chainrule.tanh(theta * h))
r = dag.node("r", f + h)
o = dag.node("o", chainrule.sigmoid(v * r + x))
dag.cost((o - y) ** 2 / 2)
graph = dag.build()

print("Chains of ∂J/∂w: through the branch and along the identity path")
for chain in iter_chains(graph, "w"):
    print("  ", chain)
counts = path_counts(graph)
assert counts["w"] == (2, 9) and len(list(iter_paths(graph, "w"))) == 2
print("Chains of ∂J/∂x: through the block and along the skip connection")
for chain in iter_chains(graph, "x"):
    print("  ", chain)

notation = notation_for("unicode", graph)
print("\nδ factoring of ∂J/∂w:")
for step in factoring_steps(graph, "w"):
    for line in notation.step(step):
        if line:
            print("  =", line)
for source in ["w", "theta", "v", "x"]:
    assert proves_equal_to_path_sum(graph, source)

values = chainrule.random_leaf_values(graph, examples=3, seed=1)
report = chainrule.verify(graph, ["w", "theta", "v", "x"], values, 3, "residual block")
print(f"\nchain sum, δ sweep and finite differences agree with sympy.diff: {report.ok}")
assert report.ok
