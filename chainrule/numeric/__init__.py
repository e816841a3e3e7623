"""The numeric oracle: numpy backprop, numeric cases and training.

Deliberately independent: this package imports numpy and nothing from the rest of chainrule but
:mod:`chainrule.errors` and :mod:`chainrule.budget` (arithmetic on sizes), and writes its
activations and costs out again in its own compact table, so that checking the graph side
against it is a check against an independent implementation. A test walks the imports to keep it so.
"""
