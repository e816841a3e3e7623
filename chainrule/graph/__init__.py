"""The graph: what the user asked for, as one networkx computation graph, and its paths.

Data flows one way through this package::

    spec (layer sizes, options)  --build-->  graph  <--dag/graphfile--  any DAG
    graph  --paths-->  node paths  --chains-->  ordered factors, cost first

Everything downstream (the calculus, the printers, verification, the commands) consumes the
graph; nothing here imports from them.
"""
