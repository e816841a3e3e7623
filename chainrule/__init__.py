"""chainrule: backpropagation derived in the open, one chain-rule path at a time.

The public API is loaded lazily, so that ``import chainrule`` (and the ``chainrule`` command)
does not pay for networkx or SymPy until a name that needs them is used.

Examples
--------
>>> import chainrule
>>> chainrule.count(chainrule.Network([2, 2, 2])).terms
52
"""

from importlib import import_module

__version__ = "0.1.0"

_EXPORTS = {
    "Network": "chainrule.spec",
    "ParameterIndex": "chainrule.spec",
    "SpecError": "chainrule.spec",
    "parse_parameter": "chainrule.spec",
    "Count": "chainrule.counting",
    "LayerCount": "chainrule.counting",
    "count": "chainrule.counting",
    "build_graph": "chainrule.graph",
    "iter_paths": "chainrule.paths",
    "path_counts": "chainrule.paths",
    "Chain": "chainrule.chains",
    "Factor": "chainrule.chains",
    "iter_chains": "chainrule.chains",
    "Gradient": "chainrule.symbolic",
    "gradient": "chainrule.symbolic",
    "is_identically_zero": "chainrule.symbolic",
    "delta_definitions": "chainrule.delta",
    "factored_gradient": "chainrule.delta",
    "factoring_steps": "chainrule.delta",
    "proves_equal_to_path_sum": "chainrule.delta",
    "operation_counts": "chainrule.delta",
    "graph_operation_counts": "chainrule.delta",
    "Dag": "chainrule.dag",
    "mlp": "chainrule.dag",
    "sigmoid": "chainrule.dag",
    "tanh": "chainrule.dag",
    "relu": "chainrule.dag",
    "identity": "chainrule.dag",
    "softplus": "chainrule.dag",
    "leaky_relu": "chainrule.dag",
    "load_graph_file": "chainrule.graphfile",
    "verify_graph": "chainrule.verify",
    "random_leaf_values": "chainrule.verify",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'chainrule' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
