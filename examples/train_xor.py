"""The last step: gradient descent on XOR with the verified gradients, and why weights start random.

Run: python examples/train_xor.py
"""

import numpy as np

import chainrule
from chainrule.numeric.case import XOR_INPUTS, XOR_TARGETS, constant_case, random_case
from chainrule.numeric.train import descend, identical_hidden_units, predictions

network = chainrule.Network([2, 2, 1], bias=True)
start = random_case(network, seed=0, inputs=XOR_INPUTS, targets=XOR_TARGETS)
costs, trained = descend(start, epochs=2000, learning_rate=5.0)
print(f"random start: cost {costs[0]:.4f} -> {costs[-1]:.6f}")
for inputs, output in zip(XOR_INPUTS, predictions(trained)):
    print(f"  {inputs} -> {output[0]:.3f}")
assert costs[-1] < 0.01 and np.all(np.round(predictions(trained)) == XOR_TARGETS)

symmetric = constant_case(network, 0.5, XOR_INPUTS, XOR_TARGETS)
costs, trained = descend(symmetric, epochs=2000, learning_rate=5.0)
print(
    f"constant start: cost {costs[0]:.4f} -> {costs[-1]:.6f}; identical hidden units: "
    f"{identical_hidden_units(trained)}"
)
assert identical_hidden_units(trained) == [(2, 2)]
