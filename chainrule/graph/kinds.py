"""The kinds of node a computation graph holds, named once.

A :class:`NodeKind` is a :class:`enum.StrEnum`, so it compares equal to its text, prints as its
text and goes into JSON as its text: output is the same as with plain strings.

Examples
--------
>>> NodeKind.PARAM == "param", f"{NodeKind.PRE}", NodeKind("act") is NodeKind.ACT
(True, 'pre', True)
>>> sorted(str(kind) for kind in COMPUTED)
['act', 'node', 'pre']
"""

from enum import StrEnum


class NodeKind(StrEnum):
    INPUT = "input"  # x_k, an input of every example
    PARAM = "param"  # θ or a named parameter: what gradients are taken by
    PRE = "pre"  # z, the weighted input of a layered network's neuron
    ACT = "act"  # a = f(z), its activation
    NODE = "node"  # a computed node of a general graph, with its own formula
    COST = "cost"  # J


#: The kinds whose value is computed from their predecessors (the leaves are given).
COMPUTED = frozenset({NodeKind.PRE, NodeKind.ACT, NodeKind.NODE})
