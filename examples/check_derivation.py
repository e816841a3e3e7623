"""A hand derivation checked, line by line: the post's own slip diagnosed, and three more claims.

The post this project grew from writes the output error of a 2-2-2 network (sigmoid, mean
squared error) as (y − a). The true ∂J/∂a of J = 1/(2m) Σ (y − a)² is (a − y)/m, so its δ^(3)
is −m times the true one: the sign of ∂J/∂a is flipped and the 1/m is missing. chainrule
check says exactly that, and proves it. Then: a correct claim (proven), one that forgets a
chain, and one whose indices are swapped.

Run: python examples/check_derivation.py
"""

import chainrule

network = chainrule.Network([2, 2, 2])
graph = chainrule.build_graph(network)  # built once: every claim on it reuses its context

claims = [
    # the post's δ^(3)_1: (y − a) for (a − y), and no 1/m
    "delta^(3)_1 = (y_1 - a^(3)_1) * a^(3)_1 * (1 - a^(3)_1)",
    # right, in LaTeX as one would type it
    r"\delta^{(3)}_1 = \frac{1}{m}\left(a_1^{(3)} - y_1\right) \sigma'(z^{(3)}_1)",
    # ∂J/∂θ^(1)_11 with only the chain through a^(3)_1: the one through a^(3)_2 is missing
    "dJ/dtheta^(1)_11 = (a^(3)_1 - y_1)/m * a^(3)_1*(1 - a^(3)_1) * theta^(2)_11"
    " * a^(2)_1*(1 - a^(2)_1) * x_1",
    # θ^(1)_12 is the weight to neuron 1 from input 2: this is θ^(1)_21's gradient
    "dJ/dtheta^(1)_12 = delta^(2)_2 * x_1",
]

for number, claim in enumerate(claims, start=1):
    record = chainrule.check(graph, claim)
    print(f"claim {number}: {claim}")
    if record["verdict"] == "wrong":
        diagnosis = record["diagnosis"]
        print(f"  wrong ({diagnosis['kind']}): {diagnosis['text']}")
        print(f"  evidence: {diagnosis['evidence']}")
    else:
        print(f"  {record['verdict']}: {record['detail']}")
    print()

slip = chainrule.check(graph, claims[0])["diagnosis"]
assert slip["kind"] == "factor" and slip["evidence"]["factor"] == "-m"
assert slip["evidence"]["proven"]
assert chainrule.check(graph, claims[1])["verdict"] == "correct"
assert chainrule.check(graph, claims[2])["diagnosis"]["kind"] == "missing_chains"
assert chainrule.check(graph, claims[3])["diagnosis"]["evidence"]["quantity"] == "dJ/dtheta^(1)_21"
print("the post's slip: " + slip["text"])
