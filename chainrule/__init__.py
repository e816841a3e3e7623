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
    "Network": "chainrule.graph.spec",
    "ParameterIndex": "chainrule.graph.spec",
    "ChainruleError": "chainrule.errors",
    "SpecError": "chainrule.errors",
    "TooLarge": "chainrule.errors",
    "MissingDependency": "chainrule.errors",
    "OutputRefused": "chainrule.errors",
    "parse_parameter": "chainrule.graph.spec",
    "Count": "chainrule.calculus.counting",
    "LayerCount": "chainrule.calculus.counting",
    "count": "chainrule.calculus.counting",
    "build_graph": "chainrule.graph.build",
    "iter_paths": "chainrule.graph.paths",
    "path_counts": "chainrule.graph.paths",
    "Chain": "chainrule.graph.chains",
    "Factor": "chainrule.graph.chains",
    "iter_chains": "chainrule.graph.chains",
    "Gradient": "chainrule.notation.gradient",
    "gradient": "chainrule.notation.gradient",
    "is_identically_zero": "chainrule.calculus.symbolic",
    "delta_definitions": "chainrule.calculus.delta",
    "factored_gradient": "chainrule.calculus.delta",
    "factoring_steps": "chainrule.calculus.delta",
    "define_delta": "chainrule.calculus.delta",
    "define_deltas": "chainrule.calculus.delta",
    "factor_gradient": "chainrule.calculus.delta",
    "notation_for": "chainrule.notation",
    "proves_equal_to_path_sum": "chainrule.calculus.delta",
    "operation_counts": "chainrule.calculus.counting",
    "Dag": "chainrule.graph.dag",
    "mlp": "chainrule.graph.dag",
    "rnn": "chainrule.graph.architectures",
    "resnet": "chainrule.graph.architectures",
    "rank_chains": "chainrule.calculus.aggregates",
    "node_tables": "chainrule.calculus.aggregates",
    "sigmoid": "chainrule.graph.dag",
    "tanh": "chainrule.graph.dag",
    "relu": "chainrule.graph.dag",
    "identity": "chainrule.graph.dag",
    "softplus": "chainrule.graph.dag",
    "leaky_relu": "chainrule.graph.dag",
    "load_graph_file": "chainrule.graph.graphfile",
    "verify": "chainrule.verification.verify",
    "random_leaf_values": "chainrule.verification.verify",
    "explore": "chainrule.explore",
    "check": "chainrule.verification.claims",
}
#: Subpackages and modules reached as attributes: ``chainrule.api.chains(...)``.
_MODULES = ("api",)

__all__ = sorted([*_EXPORTS, *_MODULES])


def __getattr__(name: str):
    if name in _MODULES:
        return import_module(f"chainrule.{name}")
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    from chainrule.deprecated import DEPRECATED  # an old name: a stand-in that warns

    if name in DEPRECATED:
        return DEPRECATED[name]
    raise AttributeError(f"module 'chainrule' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
