"""The depth story, measured exactly on chain values: vanishing gradients, BPTT, residual nets.

A chain is a product of local derivatives, one θ·f′ pair per layer it crosses, so its size
shrinks or grows geometrically with its length. Three nets, each on one random case (one
example, so that every aggregate is over the chain values themselves), and no chain sampled:
the aggregates come from chainrule's dynamic programme (`chainrule.node_tables`).

1. A deep sigmoid net, 1-2-2-2-2-2-2-2-2-1 (9 weight layers), weights from [-1, 1]. The sigmoid's
   derivative is σ′(z) = σ(z)(1 − σ(z)) ≤ 1/4 (equality at z = 0), so each layer a chain crosses
   multiplies it by θ·σ′ with |θ·σ′| ≤ |θ|/4 ≤ 1/4 here: the first layer's chains cross 8 more
   layers than the last layer's and are orders of magnitude smaller.
2. An RNN, rnn:1-2-1:20 (sigmoid, cost on the last step), weights from [-1, 1]: the chains that
   reach back k steps cross k recurrent edges, and their net contribution falls with k.
3. A residual net, resnet:2x54 (the 54 blocks of Veit, Wilber and Belongie's 110-layer net, of
   width 2; tanh branches; random weights from [-1, 1], seed 0; not trained). A path from an
   input through k of the 54 branches has 54 + 2k + 3 terms, and there are 2^k·C(54, k) of
   them per input (each branch taken enters one of 2 units): a binomial count, most at k = 36.
   The gradient they carry (the sum of their |values|) peaks at a much smaller k: most of the
   gradient comes from the short paths, as Veit et al. found in trained nets (NeurIPS 2016).

Run: python examples/depth.py   (the same figures: chainrule paths ... --by layer|lag|length)
"""

from math import comb

import chainrule
from chainrule.verification.verify import evaluate_edges


def case_tables(graph, key="length", seed=0):
    """The dynamic programme's tables on one random example of `graph`."""
    edges = evaluate_edges(graph, chainrule.random_leaf_values(graph, 1, seed), 1)
    return chainrule.node_tables(graph, edges, 1, key)


print("1. A deep sigmoid net, 1-2-2-2-2-2-2-2-2-1: σ′ ≤ 1/4, so each layer crossed shrinks a chain")
sizes = [1, 2, 2, 2, 2, 2, 2, 2, 2, 1]
graph = chainrule.mlp(sizes).build()
tables = case_tables(graph)
largest = {}
for layer in range(1, len(sizes)):
    weights = [
        n
        for n, data in graph.nodes(data=True)
        if data["kind"] == "param" and data["layer"] == layer
    ]
    row = tables.total(weights)
    largest[layer] = row.max_abs
    print(
        f"   theta^({layer}): {row.count:4d} chains of {2 * (len(sizes) - layer) + 1:2d} terms, "
        f"largest |value| {row.max_abs:.2e}, |gradient| summed {row.abs_sum:.2e}"
    )
assert largest[1] < 1e-3 * largest[len(sizes) - 1]
print(
    f"   the first layer's largest chain is {largest[len(sizes) - 1] / largest[1]:.0f} times "
    "smaller than the last layer's"
)

print("\n2. rnn:1-2-1:20: the contribution of the chains that reach back k steps")
graph = chainrule.rnn(1, 2, 1, 20).build()
rows = case_tables(graph, "lag").rows("W_11")
for row in rows[::3]:
    print(
        f"   lag {row.key:2d}: {row.count:7,} chains, net contribution {row.sum:+.2e}, "
        f"sum of |values| {row.abs_sum:.2e}"
    )
assert abs(rows[0].sum) > 1e6 * abs(rows[-1].sum)
print("   the contributions fall with the lag: backpropagation through time's vanishing gradient")

print(
    "\n3. resnet:2x54 (tanh branches, random weights from [-1, 1], seed 0): paths by the number "
    "k of branches taken"
)
blocks = 54
graph = chainrule.resnet(2, blocks, activation="tanh").build()
rows = case_tables(graph).rows(["x_1", "x_2"])
by_branches = {(row.key - blocks - 3) // 2: row for row in rows}  # length = 54 + 2k + 3
assert all(by_branches[k].count == 2 * 2**k * comb(blocks, k) for k in by_branches)
total = sum(row.abs_sum for row in rows)
most_common = max(by_branches, key=lambda k: by_branches[k].count)
heaviest = max(by_branches, key=lambda k: by_branches[k].abs_sum)
for k in range(0, blocks + 1, 6):
    row = by_branches[k]
    print(
        f"   k = {k:2d}: {row.count:.2e} paths, carrying {row.abs_sum / total:6.1%} of the "
        "gradient's magnitude"
    )
short = sum(row.abs_sum for k, row in by_branches.items() if k <= most_common // 2) / total
print(
    f"   most paths take k = {most_common} branches; the gradient peaks at k = {heaviest}; "
    f"paths with k <= {most_common // 2} carry {short:.0%} of it"
)
assert heaviest < most_common / 2 and short > 0.5
print("the short paths carry the gradient")
