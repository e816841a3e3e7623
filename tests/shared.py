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

#: CPU seconds after which a test's bounded computation counts as hung. Every command and
#: function under test has its own budget of about a second or two; this limit catches a budget
#: that stopped applying (a hang, a runaway), never a slow or busy machine: how fast the work is
#: is measured by the benchmarks (``benchmarks/run.py``), beside its targets.
HANG_CPU_SECONDS = 30
