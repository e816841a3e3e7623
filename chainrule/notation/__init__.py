"""Notation: how every quantity is written, one printer per format (text, unicode, LaTeX, MathML).

Printers consume the graph, chains and calculus; they compute nothing themselves.
"""
