"""Data several test modules share (test modules never import each other)."""

#: The two chains of dJ/dtheta^(1)_11 in 2-2-2, exactly as a hand derivation writes them.
HAND_DERIVATION_THETA_1_11 = [
    "dJ/da^(3)_1 * da^(3)_1/dz^(3)_1 * dz^(3)_1/da^(2)_1 * da^(2)_1/dz^(2)_1 * "
    "dz^(2)_1/dtheta^(1)_11",
    "dJ/da^(3)_2 * da^(3)_2/dz^(3)_2 * dz^(3)_2/da^(2)_1 * da^(2)_1/dz^(2)_1 * "
    "dz^(2)_1/dtheta^(1)_11",
]

#: Networks small enough for exact proofs against sympy.diff: (sizes, options).
EXACT_CASES = [
    ((1, 1, 1), {}),
    ((2, 2, 2), {}),
    ((2, 3, 2), {"bias": True}),
    ((3, 2, 2, 2), {"activation": "tanh"}),
    ((2, 3, 3), {"cost": "softmax-ce"}),
    ((2, 2, 1), {"cost": "bce"}),
]
