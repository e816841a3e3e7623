"""The matrix form: the shape algebra, the layer-level graph, its chains, the bridge to the
scalar chains, and its numeric evaluation against the independent oracle."""

import itertools
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shared import HANG_CPU_SECONDS

from chainrule.calculus.layers import (
    derive_layer_graph,
    proves_bridge,
    proves_forms,
    scalar_paths_in,
    tensor_path,
)
from chainrule.calculus.matrix import (
    batch_form,
    cost_edges,
    cost_gradient,
    iter_matrix_chains,
    layer_graph_document,
    network_batch_form,
    vector_jacobian,
)
from chainrule.errors import SpecError
from chainrule.graph.architectures import resnet, rnn
from chainrule.graph.build import build_graph
from chainrule.graph.graphfile import graph_from_text, load_graph_file
from chainrule.graph.layers import (
    LayerGraph,
    group_nodes,
    network_layers,
    resnet_layer_size,
    resnet_layers,
    rnn_layer_size,
    rnn_layers,
    spelled_layers,
)
from chainrule.graph.paths import iter_paths, path_counts
from chainrule.graph.shapes import (
    Dim,
    Hadamard,
    MatMul,
    Ones,
    Operand,
    Shape,
    ShapeMismatch,
    Sum,
    Transpose,
    check_reshape,
    shape_of,
    written,
)
from chainrule.graph.spec import Network
from chainrule.numeric.backprop import backprop, input_gradients
from chainrule.numeric.case import random_case
from chainrule.verification.matrix import matrix_gradients


def operand(text: str, rows, cols) -> Operand:
    unicode = text.replace("Theta", "Θ").replace("delta", "δ")
    return Operand(text, unicode, text, Shape.of(rows, cols))


THETA_2 = operand("Theta^(2)", 5, 6)
DELTA_3 = operand("delta^(3)", "m", 5)
F_PRIME = operand("f'(z^(2))", "m", 6)

# -- the shape algebra ----------------------------------------------------------------------------


def test_the_issues_mismatch_reads_as_the_issue_writes_it():
    with pytest.raises(ShapeMismatch) as raised:
        shape_of(MatMul(THETA_2, DELTA_3))
    assert str(raised.value) == "Θ^(2) δ^(3): (5×6)(m×5) does not multiply"
    assert raised.value.operation == "multiply"
    assert raised.value.shapes == (Shape.of(5, 6), Shape.of("m", 5))
    # the order swapped fits (wrong_order), and so do both transposed
    assert raised.value.fits == ("swapped", "both transposed")


@pytest.mark.parametrize(
    "expression, message",
    [
        (Hadamard(MatMul(DELTA_3, THETA_2), DELTA_3), "(δ^(3) Θ^(2)) ⊙ δ^(3): m×6 ⊙ m×5 differ"),
        (Sum((DELTA_3, F_PRIME)), "δ^(3) + f'(z^(2)): m×5 + m×6 differ"),
        (MatMul(Transpose(DELTA_3), THETA_2), "(δ^(3))ᵀ Θ^(2): (5×m)(5×6) does not multiply"),
        (MatMul(DELTA_3, DELTA_3), "δ^(3) δ^(3): (m×5)(m×5) does not multiply"),
    ],
)
def test_every_mismatch_names_its_operands_and_shapes(expression, message):
    with pytest.raises(ShapeMismatch, match=None) as raised:
        shape_of(expression)
    assert str(raised.value) == message
    assert isinstance(raised.value, SpecError)  # a user's claim that does not fit is bad input


def test_products_transposes_and_the_one_broadcast():
    assert shape_of(Hadamard(MatMul(DELTA_3, THETA_2), F_PRIME)) == Shape.of("m", 6)
    assert shape_of(MatMul(Transpose(DELTA_3), operand("a^(2)", "m", 6))) == Shape.of(5, 6)
    bias = operand("b^(3)", 1, 5)
    assert shape_of(Sum((DELTA_3, bias))) == Shape.of("m", 5)  # a row added to every row
    assert shape_of(MatMul(Transpose(Ones(Dim.of("m"))), DELTA_3)) == Shape.of(1, 5)
    with pytest.raises(ShapeMismatch):
        shape_of(Sum((DELTA_3, operand("c", 2, 5))))  # two rows are no broadcast


def test_sizes_are_exact():
    m = Dim.of("m")
    assert m != Dim.of(5) and Dim.of(2) * Dim.of(3) == Dim.of(6)
    assert Dim.of(3) * m == m * Dim.of(3) and str(Dim.of(3) * m) == "3m"
    assert Shape.of(512, 784).size == Dim.of(401_408)
    with pytest.raises(SpecError):
        Dim.of(-1)
    with pytest.raises(SpecError):
        Dim.of("2 + m")  # a size is a number or a symbol, never text to read as code
    assert check_reshape("g", Shape.of(1, 6), Shape.of(2, 3)) == Shape.of(2, 3)
    with pytest.raises(ShapeMismatch, match=r"g: 1×6 has no room for 2×2"):
        check_reshape("g", Shape.of(1, 6), Shape.of(2, 2))


def test_expressions_are_written_in_every_format():
    expression = Hadamard(MatMul(DELTA_3, THETA_2), F_PRIME)
    assert written(expression, "text") == "(delta^(3) Theta^(2)) .* f'(z^(2))"
    assert written(expression, "unicode") == "(δ^(3) Θ^(2)) ⊙ f'(z^(2))"
    assert written(expression, "latex") == r"\left(delta^(3) Theta^(2)\right) \odot f'(z^(2))"
    assert written(MatMul(Transpose(DELTA_3), operand("x", "m", 2)), "text") == ("(delta^(3))^T x")
    ones = Ones(Dim.of("m"))
    assert written(MatMul(Transpose(ones), DELTA_3), "latex") == r"\mathbf{1}^{\top} delta^(3)"


# -- the layer-level graph: closed forms equal the grouping of the built scalar graph ------------

LAYERED = [
    ((1, 1), {}),
    ((2, 2, 2), {}),
    ((2, 3, 2), {"bias": True}),
    ((1, 2, 3), {"cost": "softmax-ce"}),
    ((2, 3, 3), {"cost": "softmax-ce", "bias": True}),
    ((2, 2, 1), {"activation": "tanh,identity", "cost": "se", "bias": True}),
    ((1, 2, 1), {"activation": "relu", "cost": "bce"}),
    ((3, 1, 2, 2), {"activation": "leaky_relu,softplus,sigmoid"}),
    ((12, 2, 11), {"bias": True}),  # two-digit indices: theta^(1)_1,12 and x_12
]
RNNS = [
    ((1, 2, 1, 3), {}),
    ((2, 2, 2, 2), {"bias": True, "cost_on": "sum"}),
    ((1, 1, 2, 2), {"cost": "softmax-ce", "cost_on": "sum", "activation": "tanh"}),
    ((2, 1, 1, 1), {}),
    ((1, 11, 1, 2), {}),
]
RESNETS = [((2, 2), {}), ((1, 3), {"bias": True}), ((2, 2), {"cost": "bce", "activation": "tanh"})]


def _subjects():
    for sizes, options in LAYERED:
        network = Network(sizes, **options)
        yield network.architecture, (lambda n=network: build_graph(n)), network_layers(network)
    for numbers, options in RNNS:
        yield (
            f"rnn:{numbers}",
            (lambda n=numbers, o=options: rnn(*n, **o).build()),
            rnn_layers(*numbers, **options),
        )
    for numbers, options in RESNETS:
        yield (
            f"resnet:{numbers}",
            (lambda n=numbers, o=options: resnet(*n, **o).build()),
            resnet_layers(*numbers, **options),
        )


SUBJECTS = list(_subjects())
IDS = [f"{label}-{number}" for number, (label, _, _) in enumerate(SUBJECTS)]


@pytest.mark.parametrize("label, build, closed", SUBJECTS, ids=IDS)
def test_the_closed_form_is_the_grouping_of_the_scalar_graph(label, build, closed):
    derived = derive_layer_graph(build())
    assert derived == closed  # the same tensors, shapes, edges, patterns and forms
    assert derived.path_counts() == closed.path_counts()


@pytest.mark.parametrize("label, build, closed", SUBJECTS, ids=IDS)
def test_every_scalar_chain_lies_in_exactly_one_layer_chain(label, build, closed):
    """By counting (dynamic programmes on both graphs) and by enumeration of every path."""
    graph = build()
    grouping = group_nodes(graph)
    counts = path_counts(graph)
    for tensor in closed.of_kind("param", "input"):
        entries = [node for node, (name, _) in grouping.member.items() if name == tensor.name]
        scalar_total = sum(counts[node][0] for node in entries)
        assert closed.scalar_chains_of(tensor.name) == scalar_total
        layer_paths = list(closed.paths(tensor.name))
        assert sum(closed.scalar_chains(path) for path in layer_paths) == scalar_total
        assert len(layer_paths) == closed.path_counts()[tensor.name][0]
        # every scalar path maps to one layer path, and each layer path gets its count
        expected = {
            tuple([path[0].source, *(edge.target for edge in path)]): closed.scalar_chains(path)
            for path in layer_paths
        }
        seen: dict[tuple, int] = dict.fromkeys(expected, 0)
        for node in entries:
            for path in iter_paths(graph, node):
                seen[tensor_path(grouping, path)] += 1  # a KeyError would be a stray chain
        assert seen == expected
        for path in layer_paths:
            assert sum(1 for _ in scalar_paths_in(graph, grouping, path)) == (
                closed.scalar_chains(path)
            )


@pytest.mark.parametrize(
    "label, build, closed", SUBJECTS[:8] + SUBJECTS[9:12], ids=IDS[:8] + IDS[9:12]
)
def test_sympy_proves_each_layer_chain_entry_by_entry(label, build, closed):
    """The product of a path's Jacobians (matrices of partials) is, entry by entry, the sum of
    the scalar chains it stands for; and every named form is its matrix of local derivatives."""
    graph = build()
    view = derive_layer_graph(graph)
    assert proves_forms(graph, view)
    for tensor in view.of_kind("param", "input"):
        for path in view.paths(tensor.name):
            assert proves_bridge(graph, view, path)


def test_a_wrong_form_would_be_seen():
    graph = build_graph(Network([2, 2, 2]))
    view = derive_layer_graph(graph)
    swapped = [
        edge._replace(jacobian=edge.jacobian._replace(transposed=True))
        if edge.jacobian.form == "matrix" and edge.target == "z^(3)"
        else edge
        for edge in view.edges
    ]
    wrong = LayerGraph(view.label, view.tensors, tuple(swapped))
    assert not proves_forms(graph, wrong)


GRAPH_FILES = [
    "examples/graphs/indexed.json",
    "examples/graphs/tied.json",
    "examples/graphs/residual.json",
]


@pytest.mark.parametrize("path", GRAPH_FILES)
def test_graph_files_qualify_and_their_views_are_proven(path):
    graph = load_graph_file(path)
    view = derive_layer_graph(graph)
    assert proves_forms(graph, view)
    for tensor in view.of_kind("param", "input"):
        for layer_path in view.paths(tensor.name):
            assert proves_bridge(graph, view, layer_path)


def test_an_indexed_graph_file_reads_as_its_layers():
    view = derive_layer_graph(load_graph_file("examples/graphs/indexed.json"))
    assert [(t.name, str(t.shape)) for t in view.tensors] == [
        ("x", "m×2"),
        ("W", "2×2"),
        ("b", "1×2"),
        ("V", "1×2"),
        ("z", "m×2"),
        ("h", "m×2"),
        ("o", "m×1"),
        ("out", "m×1"),
        ("J", "1×1"),
    ]
    forms = {(e.source, e.target): (e.jacobian.form, e.jacobian.rule) for e in view.edges}
    assert forms == {
        ("x", "z"): ("matrix", None),
        ("W", "z"): ("outer", None),
        ("b", "z"): ("unit", None),
        ("z", "h"): ("activation", "tanh"),
        ("h", "o"): ("matrix", None),
        ("V", "o"): ("outer", None),
        ("o", "out"): ("activation", "sigmoid"),
        ("out", "J"): ("cost", "mse"),
    }
    assert [eq.text for eq in batch_form(view, "W")] == [
        "delta_o = dJ/dout .* f'(o)",
        "delta_z = (delta_o V) .* f'(z)",
        "dJ/dW = (delta_z)^T x",
    ]


def _graph_file(nodes: str, parameters: str = '"w_1", "w_2"', inputs: str = '"x_1", "x_2"'):
    return (
        f'{{"inputs": [{inputs}], "parameters": [{parameters}], "targets": ["y"], '
        f'"nodes": {{{nodes}}}, "cost": "(h - y)^2"}}'
    )


@pytest.mark.parametrize(
    "text, message",
    [
        (
            _graph_file('"h": "w_1*x_1 + w_2*x_2"', '"w_1", "w_3"').replace("w_2*", "w_3*"),
            "w has 2 entries, not the whole 1×3",
        ),
        (
            '{"inputs": ["x_1"], "parameters": ["w_1"], "targets": ["y"], '
            '"nodes": {"h_1": "w_1*x_1", "g": "h_1", "h_2": "g*w_1"}, '
            '"cost": "(h_2 - y)^2"}',
            "depend on each other in a circle",
        ),
        (
            '{"inputs": ["x"], "parameters": ["w", "w_1"], "targets": ["y"], '
            '"nodes": {"h": "w*w_1*x"}, "cost": "(h - y)^2"}',
            "w names a node and is the stem of others",
        ),
        (
            '{"inputs": ["x_11", "x_12", "x_21", "x_22"], "parameters": ["w"], "targets": ["y"], '
            '"nodes": {"h": "w*(x_11 + x_12 + x_21 + x_22)"}, "cost": "(h - y)^2"}',
            "an input or a computed node is a row of one example",
        ),
    ],
)
def test_graph_files_that_do_not_group_are_refused_by_name(text, message):
    with pytest.raises(SpecError, match=message):
        derive_layer_graph(graph_from_text(text))


def test_real_widths_build_no_scalar_graph():
    view = network_layers(Network([784, 512, 512, 10]))
    assert (len(view.tensors), len(view.edges)) == (11, 10)  # for 668,672 weights
    assert view.tensor("Theta^(1)").shape == Shape.of(512, 784)
    assert view.scalar_chains_of("Theta^(1)") == 512 * 784 * 512 * 10
    counts = view.path_counts()
    assert [counts[f"Theta^({layer})"] for layer in (1, 2, 3)] == [(1, 7), (1, 5), (1, 3)]


@pytest.mark.parametrize(
    "numbers, options",
    [((2, 3, 1, 6), {}), ((2, 3, 1, 6), {"bias": True, "cost_on": "sum"}), ((1, 1, 1, 1), {})],
)
def test_rnn_size_is_known_before_building(numbers, options):
    assert rnn_layer_size(*numbers, options.get("bias", False), options.get("cost_on", "last")) == (
        rnn_layers(*numbers, **options).size
    )


@pytest.mark.parametrize("width, blocks, bias", [(2, 8, False), (3, 1, True), (1, 30, True)])
def test_resnet_size_is_known_before_building(width, blocks, bias):
    assert resnet_layer_size(width, blocks, bias) == resnet_layers(width, blocks, bias=bias).size


def test_resnets_paths_double_with_each_block():
    view = resnet_layers(4, 20)
    counts = view.path_counts()
    assert counts["x"][0] == 2**20 and counts["W^(1)"][0] == 2**19 and counts["V"][0] == 1


def test_spellings_are_checked_as_the_scalar_builders_check_them():
    with pytest.raises(SpecError, match="steps must be at least 1"):
        spelled_layers("rnn:1-1-1:0")
    with pytest.raises(SpecError, match="unknown RNN cost placement"):
        spelled_layers("rnn:1-1-1:2", cost_on="first")
    with pytest.raises(SpecError, match="needs at least 2 outputs"):
        spelled_layers("resnet:2x2", cost="softmax-ce")
    assert spelled_layers("2-2-2") is None


# -- chains and the batch form --------------------------------------------------------------------


def test_an_mlp_has_one_layer_chain_per_weight_matrix_with_its_shapes():
    view = network_layers(Network([4, 3, 2], bias=True))
    chains = {t.name: list(iter_matrix_chains(view, t.name)) for t in view.of_kind("param")}
    assert {name: len(found) for name, found in chains.items()} == {
        "Theta^(1)": 1,
        "b^(2)": 1,
        "Theta^(2)": 1,
        "b^(3)": 1,
    }
    (chain,) = chains["Theta^(1)"]
    assert [(f.of.name, f.wrt.name, str(f.shape)) for f in chain] == [
        ("J", "a^(3)", "1×2"),
        ("a^(3)", "z^(3)", "2×2"),
        ("z^(3)", "a^(2)", "2×3"),
        ("a^(2)", "z^(2)", "3×3"),
        ("z^(2)", "Theta^(1)", "3×12"),
    ]
    assert chain.product_shape() == Shape.of(1, 12) and chain.gradient_shape() == Shape.of(3, 4)
    assert chain[2].as_dict() == {
        "of": "z^(3)",
        "wrt": "a^(2)",
        "shape": [2, 3],
        "latex": r"\frac{\partial z^{(3)}}{\partial a^{(2)}}",
    }


def test_the_batch_form_is_the_matrix_form_of_the_conventions():
    view = network_layers(Network([784, 512, 512, 10], bias=True))
    assert [(eq.text, str(eq.shape)) for eq in batch_form(view, "Theta^(1)")] == [
        ("delta^(4) = dJ/da^(4) .* f'(z^(4))", "m×10"),
        ("delta^(3) = (delta^(4) Theta^(3)) .* f'(z^(3))", "m×512"),
        ("delta^(2) = (delta^(3) Theta^(2)) .* f'(z^(2))", "m×512"),
        ("dJ/dTheta^(1) = (delta^(2))^T x", "512×784"),
    ]
    assert batch_form(view, "b^(4)")[-1].text == "dJ/db^(4) = 1^T delta^(4)"
    assert batch_form(view, "x")[-1].text == "dJ/dx = delta^(2) Theta^(1)"
    (edge,) = cost_edges(view, batch_form(view, "b^(4)"))
    assert cost_gradient(view, edge).text == "dJ/da^(4) = (a^(4) - y)/m"


def test_the_rnn_batch_form_is_backpropagation_through_time():
    view = rnn_layers(1, 2, 1, 3)
    assert [eq.text for eq in batch_form(view, "W")] == [
        "delta_o^(3) = dJ/dyhat^(3) .* f'(o^(3))",
        "delta_z^(3) = (delta_o^(3) V) .* f'(z^(3))",
        "delta_z^(2) = (delta_z^(3) W) .* f'(z^(2))",
        "dJ/dW = (delta_z^(2))^T h^(1) + (delta_z^(3))^T h^(2)",
    ]
    assert len(list(iter_matrix_chains(view, "W"))) == 2  # a chain per step W is used at


def test_the_resnet_batch_form_adds_the_skip():
    view = resnet_layers(2, 2)
    assert [eq.text for eq in batch_form(view, "x")][-3:] == [
        "delta_h^(1) = delta_z^(2) W^(2) + delta_h^(2)",
        "delta_z^(1) = delta_h^(1) .* f'(z^(1))",
        "dJ/dx = delta_z^(1) W^(1) + delta_h^(1)",
    ]


def test_the_softmax_batch_form_and_a_general_jacobian():
    view = network_layers(Network([2, 3], cost="softmax-ce"))
    assert batch_form(view, "Theta^(1)")[0].text == (
        "delta^(2) = dJ/da^(2) .* a^(2) - ((dJ/da^(2) .* a^(2)) 1 1^T) .* a^(2)"
    )
    residual = derive_layer_graph(load_graph_file("examples/graphs/residual.json"))
    assert batch_form(residual, "w11")[-1].text == "dJ/dw11 = 1^T (delta_h1 .* dh1/dw11)"
    # a dense Jacobian that differs by example has no batch form
    dense = graph_from_text(
        '{"inputs": ["x_1", "x_2"], "parameters": ["w"], "targets": ["y"], '
        '"nodes": {"h_1": "w*x_1*x_2", "h_2": "w*x_1 + x_2*x_1"}, "cost": "(h_1 + h_2 - y)^2"}'
    )
    assert batch_form(derive_layer_graph(dense), "x") is None


# -- the numeric evaluation of the matrix form against the oracle --------------------------------

NUMERIC = [
    ((2, 3, 2), {}),
    ((3, 4, 4, 2), {"bias": True, "activation": "tanh"}),
    ((2, 3, 3), {"cost": "softmax-ce", "bias": True}),
    ((2, 2, 1), {"cost": "bce", "activation": "relu"}),
    ((3, 2, 2), {"cost": "se", "activation": "leaky_relu,identity"}),
    ((2, 3, 2), {"activation": "softplus", "bias": True}),
    ((78, 51, 51, 10), {"bias": True}),  # 784-512-512-10 at a tenth of the width
]


@pytest.mark.parametrize("form", ["delta", "chains"])
@pytest.mark.parametrize("sizes, options", NUMERIC)
def test_the_matrix_form_evaluates_to_numeric_backprop(sizes, options, form):
    case = random_case(Network(sizes, **options), examples=8, seed=4)
    cost, weights, biases = backprop(case)
    ours = matrix_gradients(case, form)
    assert ours.cost == pytest.approx(cost, rel=1e-12)
    for mine, theirs in zip(ours.weights, weights):
        assert mine.shape == theirs.shape
        np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-15)
    if biases is None:
        assert ours.biases is None
    else:
        for mine, theirs in zip(ours.biases, biases):
            assert mine.shape == theirs.shape
            np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(ours.inputs, input_gradients(case), rtol=1e-9, atol=1e-15)


def test_a_wrong_batch_equation_would_be_seen():
    """The evaluation reads the printed records: a transposed Θ in them changes the numbers."""
    case = random_case(Network([2, 3, 2]), examples=4, seed=1)
    view = network_layers(case.network)
    edges = tuple(
        edge._replace(jacobian=edge.jacobian._replace(transposed=True))
        if edge.jacobian.form == "matrix" and edge.source == "a^(2)"
        else edge
        for edge in view.edges
    )
    with pytest.raises(ShapeMismatch):  # 3×2 Θ^(2) transposed no longer multiplies
        matrix_gradients(case, view=LayerGraph(view.label, view.tensors, edges))


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 3), min_size=2, max_size=4),
    bias=st.booleans(),
    activation=st.sampled_from(["sigmoid", "tanh", "softplus"]),
)
def test_closed_form_and_grouping_agree_on_random_networks(sizes, bias, activation):
    network = Network(sizes, bias=bias, activation=activation)
    view = network_layers(network)
    assert derive_layer_graph(build_graph(network)) == view
    counts = path_counts(build_graph(network))
    grouping = group_nodes(build_graph(network))
    for tensor in view.of_kind("param"):
        total = sum(counts[n][0] for n, (name, _) in grouping.member.items() if name == tensor.name)
        assert view.scalar_chains_of(tensor.name) == total


def test_the_layer_view_loads_neither_sympy_nor_networkx_nor_numpy():
    probe = (
        "import sys; from chainrule.graph.layers import network_layers; "
        "from chainrule.graph.spec import Network; from chainrule.calculus.matrix import "
        "batch_form, iter_matrix_chains; v = network_layers(Network([784, 512, 512, 10])); "
        "[list(iter_matrix_chains(v, t.name)) for t in v.tensors]; batch_form(v, 'Theta^(1)'); "
        "print(sorted(m for m in ('networkx', 'sympy', 'numpy') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=HANG_CPU_SECONDS
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_entries_name_their_tensors():
    view = network_layers(Network([12, 2, 1], bias=True))
    assert view.entry("theta^(1)_2,12")[0].name == "Theta^(1)"
    assert view.entry("theta^(1)_20") == (view.tensor("b^(2)"), (2,))
    with pytest.raises(SpecError, match="no entry 'theta\\^\\(1\\)_3,1'"):
        view.entry("theta^(1)_3,1")
    rnn_view = rnn_layers(2, 3, 1, 2)
    assert rnn_view.entry("W_32") == (rnn_view.tensor("W"), (3, 2))
    assert rnn_view.entry("x^(2)_1") == (rnn_view.tensor("x^(2)"), (1,))
    assert list(itertools.islice(rnn_view.paths("U"), 5)) and "U" in rnn_view


# -- the whole-network sweep and the layer graph as a document ------------------------------------


def test_the_whole_sweep_names_each_delta_once_and_every_gradient():
    view = rnn_layers(1, 2, 1, 3, bias=True)
    equations = network_batch_form(view)
    assert [eq.lhs.text for eq in equations] == [
        "delta_o^(3)",
        "delta_z^(3)",
        "delta_z^(2)",
        "delta_z^(1)",
        "dJ/dc",
        "dJ/db",
        "dJ/dV",
        "dJ/dW",
        "dJ/dU",
    ]
    assert equations[-2].text == "dJ/dW = (delta_z^(2))^T h^(1) + (delta_z^(3))^T h^(2)"
    # the single-source sweep is the same equations, cut to what the source needs
    single = {eq.text for eq in batch_form(view, "W")}
    assert single <= {eq.text for eq in equations}


@pytest.mark.parametrize("label, build, closed", SUBJECTS, ids=IDS)
def test_every_edge_is_documented_with_a_form_that_fits(label, build, closed):
    document = layer_graph_document(closed)
    assert len(document["edges"]) == len(closed.edges)
    for edge, entry in zip(closed.edges, document["edges"]):
        assert entry["shape"] == edge.shape.as_json() and entry["form"] == edge.jacobian.form
        assert entry["vjp"]  # every Jacobian of these has a batch form
        upstream = Operand("g", "g", "g", Shape.of("m", closed.tensor(edge.target).entries))
        received = shape_of(vector_jacobian(closed, edge, upstream))
        if edge.jacobian.form != "cost":  # what the source's gradient receives has its shape
            assert received == closed.tensor(edge.source).shape


def test_the_documents_latex_renders():
    from latex_check import katex_failures, katex_module_dir, structural_problems

    strings = [
        entry[key]
        for label, _, closed in SUBJECTS
        for entry in layer_graph_document(closed)["edges"]
        for key in ("jacobian_latex", "vjp_latex")
    ]
    assert {s: structural_problems(s) for s in strings if structural_problems(s)} == {}
    if katex_module_dir() is not None:
        assert katex_failures(strings) == []


def test_a_graph_files_cost_keeps_its_own_name():
    """mazur.json's cost is E_total: the layer view's cost is its tensor, not a J it lacks."""
    view = derive_layer_graph(load_graph_file("examples/graphs/mazur.json"))
    assert view.cost == "E_total"
    assert [edge.source for edge in view.in_edges("E_total")] == ["E_o1", "E_o2"]
    assert view.path_counts()["w5"] == (1, 4)
