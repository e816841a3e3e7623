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
    "load_graph_file": "chainrule.graph.graphfile",
    "verify": "chainrule.verification.verify",
    "random_leaf_values": "chainrule.verification.verify",
    "explore": "chainrule.explore",
    "check": "chainrule.verification.claims",
}
#: Subpackages and modules reached as attributes: ``chainrule.api.chains(...)``.
_MODULES = ("api",)


def _activations() -> list[str]:
    """Every activation of the rules table, each an attribute too (chainrule.tanh builds tanh(x)
    in SymPy), looked up when used: a rule added there is one here. The table is imported
    only then, so that importing the numeric oracle does not load it."""
    return list(import_module("chainrule.rules").ACTIVATIONS)


def __getattr__(name: str):
    if name in _MODULES:
        return import_module(f"chainrule.{name}")
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    if name == "__all__":  # ``from chainrule import *``, with the activations of the moment
        return sorted([*_EXPORTS, *_MODULES, *_activations()])
    # `from chainrule import budget` asks for a submodule first: the import system loads it
    # once this says there is no such attribute, with no table to look it up in.
    if name.startswith("__") or _is_submodule(name):
        raise AttributeError(f"module 'chainrule' has no attribute {name!r}")
    if name in _activations():
        return import_module("chainrule.graph.dag").activation(name)
    from chainrule.deprecated import DEPRECATED  # an old name: a stand-in that warns

    if name in DEPRECATED:
        return DEPRECATED[name]
    raise AttributeError(f"module 'chainrule' has no attribute {name!r}")


def _is_submodule(name: str) -> bool:
    # Two stats rather than pkgutil's listing of the package: every `from chainrule import X`
    # of a submodule not yet loaded comes here first, and a command's start-up pays for each.
    from os.path import isdir, isfile, join

    return any(
        isfile(join(folder, f"{name}.py")) or isdir(join(folder, name)) for folder in __path__
    )


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS) | set(_MODULES) | set(_activations()))
