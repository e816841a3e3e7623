"""Verification: the one place where the graph side and the numeric oracle meet.

The formulas chainrule prints are evaluated at a case's numbers and compared with numeric
backprop, finite differences and ``sympy.diff``.
"""
