"""The calculus: local derivatives on the graph's edges, δ, counts and proofs.

Data flows graph -> local derivatives (from :mod:`chainrule.rules`) -> chain sums and δ
definitions (SymPy) -> proofs of equality; counts come from the graph's shape alone. Imports only
:mod:`chainrule.graph` and the rules.
"""
