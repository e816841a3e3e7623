"""Weights shared between two edges: a parameter's chains are the union over its uses.

The same w scales the input and the hidden unit (a tied autoencoder-like toy):

    h = sigmoid(w·x + b),   o = sigmoid(w·h + b)

Also: an MLP built through the DAG API matches the layered builder term for term.

Run: python examples/weight_sharing.py
"""

import chainrule
from chainrule.calculus.delta import proves_equal_to_path_sum
from chainrule.graph.chains import iter_chains

dag = chainrule.Dag()
x, w, b, y = dag.input("x"), dag.parameter("w"), dag.parameter("b"), dag.target("y")
h = dag.node("h", chainrule.sigmoid(w * x + b))
o = dag.node("o", chainrule.sigmoid(w * h + b))
dag.cost((o - y) ** 2 / 2)
graph = dag.build()

chains = list(iter_chains(graph, "w"))
print("∂J/∂w is the sum over both uses of w:")
for chain in chains:
    print("  ", chain)
assert [str(c) for c in chains] == ["dJ/do * do/dh * dh/dw", "dJ/do * do/dw"]
assert proves_equal_to_path_sum(graph, "w")
report = chainrule.verify(
    graph, ["w", "b"], chainrule.random_leaf_values(graph, 4, 2), 4, "tied weights"
)
print(f"verified against sympy.diff and finite differences: {report.ok}")
assert report.ok

layered = chainrule.build_graph(chainrule.Network([2, 2, 2]))
through_dag = chainrule.mlp([2, 2, 2]).build()
for parameter in chainrule.Network([2, 2, 2]).parameters():
    ours = [c.text for c in iter_chains(through_dag, parameter.name)]
    assert ours == [c.text for c in iter_chains(layered, parameter.name)]
print("an MLP built through the DAG API has the layered builder's chains, term for term")
