"""The names the package exports stay: every one ever exported resolves, and a replaced one
warns and names its replacement.

:data:`EXPORTED` is every name ``chainrule`` has exported. A name leaves ``chainrule.__all__``
only by moving to ``chainrule.deprecated.DEPRECATED`` (a stand-in that warns); a new export is
added to :data:`EXPORTED`, so that its later removal is caught too.
"""

import warnings

import pytest

import chainrule
from chainrule.deprecated import DEPRECATED

#: Every name chainrule has exported, current or replaced.
EXPORTED = {
    "Chain", "ChainruleError", "Count", "Dag", "Factor", "Gradient", "LayerCount",
    "MissingDependency", "Network", "OutputRefused", "ParameterIndex", "SpecError", "TooLarge",
    "api", "build_graph", "check", "count", "define_delta", "define_deltas",
    "delta_definitions", "explore", "factor_gradient", "factored_gradient", "factoring_steps",
    "gradient", "graph_operation_counts", "identity", "is_identically_zero", "iter_chains",
    "iter_paths", "leaky_relu", "load_graph_file", "mlp", "node_tables", "notation_for",
    "operation_counts", "parse_parameter", "path_counts", "proves_equal_to_path_sum",
    "random_leaf_values", "rank_chains", "relu", "resnet", "rnn", "sigmoid", "softplus",
    "tanh", "verify", "verify_graph",
}  # fmt: skip


def test_no_exported_name_disappears_without_a_deprecation():
    current = set(chainrule.__all__)
    assert EXPORTED - current <= set(DEPRECATED), (
        "exported once, now neither exported nor deprecated: "
        f"{sorted(EXPORTED - current - set(DEPRECATED))}"
    )
    assert current <= EXPORTED, (
        f"new exports {sorted(current - EXPORTED)}: add them to EXPORTED, so that their "
        "removal is caught later"
    )


@pytest.mark.parametrize("name", sorted(EXPORTED))
def test_every_name_ever_exported_resolves(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert getattr(chainrule, name) is not None


@pytest.mark.parametrize("name", sorted(DEPRECATED))
def test_a_replaced_name_warns_and_names_its_replacement(name):
    assert name not in chainrule.__all__
    with pytest.warns(
        DeprecationWarning, match=rf"chainrule\.{name} is deprecated: use chainrule\."
    ):
        if name == "verify_graph":
            dag = chainrule.Dag()
            x, w, y = dag.input("x"), dag.parameter("w"), dag.target("y")
            dag.cost((chainrule.sigmoid(w * x) - y) ** 2 / 2)
            graph = dag.build()
            values = chainrule.random_leaf_values(graph, examples=2)
            report = chainrule.verify_graph(graph, ["w"], values, 2, "a check")
            assert report.ok and report.reference == "sympy_diff"
        else:
            graph = chainrule.build_graph(chainrule.Network([2, 2, 2]))
            counts = chainrule.graph_operation_counts(graph)
            assert counts == chainrule.operation_counts(chainrule.Network([2, 2, 2]))
