import pytest

from chainrule.graph.spec import Network, ParameterIndex, SpecError, parse_parameter, parse_sizes


@pytest.mark.parametrize(
    "text, sizes",
    [
        ("1-1", (1, 1)),
        ("2-2-2", (2, 2, 2)),
        ("784-512-512-10", (784, 512, 512, 10)),
        ("02-3", (2, 3)),
    ],
)
def test_parse_sizes(text, sizes):
    assert parse_sizes(text) == sizes


@pytest.mark.parametrize(
    "text, message",
    [
        ("2--2", "positive integers joined by '-'"),
        ("0-2", "at least one neuron"),
        ("-1-2", "positive integers joined by '-'"),
        ("2", "at least an input and an output layer"),
        ("a-b", "positive integers joined by '-'"),
        ("2-2-2.5", "positive integers joined by '-'"),
        ("", "positive integers joined by '-'"),
        ("2-2-", "positive integers joined by '-'"),
        (" 2-2", "positive integers joined by '-'"),
        ("２-2", "positive integers joined by '-'"),  # a full-width digit is not a size
        ("9" * 5000 + "-1", "absurdly large"),
    ],
)
def test_parse_sizes_rejects(text, message):
    with pytest.raises(SpecError, match=message) as error:
        parse_sizes(text)
    assert repr(text[:30])[:-1] in str(error.value)


def test_network_is_immutable_and_normalised():
    net = Network([2, 3, 1], bias=True, activation="tanh")
    assert net.sizes == (2, 3, 1)
    assert net.activation == ("tanh", "tanh")
    with pytest.raises(AttributeError):
        net.bias = False
    assert hash(net) == hash(Network((2, 3, 1), bias=True, activation=("tanh", "tanh")))


@pytest.mark.parametrize(
    "activation, cost, expected",
    [
        ("sigmoid", "mse", ("sigmoid", "sigmoid", "sigmoid")),
        ("tanh,relu,sigmoid", "bce", ("tanh", "relu", "sigmoid")),
        ("tanh", "softmax-ce", ("tanh", "tanh", "softmax")),
        ("tanh,relu", "softmax-ce", ("tanh", "relu", "softmax")),
        ("tanh,relu,softmax", "softmax-ce", ("tanh", "relu", "softmax")),
        ("tanh", "bce", ("tanh", "tanh", "sigmoid")),
        ("tanh,relu", "bce", ("tanh", "relu", "sigmoid")),
        ("sigmoid", "bce", ("sigmoid", "sigmoid", "sigmoid")),
    ],
)
def test_activation_per_layer(activation, cost, expected):
    assert Network.parse("2-3-3-2", activation=activation, cost=cost).activation == expected


@pytest.mark.parametrize(
    "activation, cost, message",
    [
        ("swish", "mse", "unknown activation 'swish'"),
        ("tanh,sigmoid", "mse", "2 activations given for 3 non-input layers"),
        ("softmax", "mse", "only for the output layer"),
        ("softmax,tanh,tanh", "softmax-ce", "only for the output layer"),
        ("tanh,,sigmoid", "mse", "unknown activation ''"),
        ("tanh,tanh,relu", "bce", "cost bce needs a sigmoid output layer, not 'relu'"),
        ("tanh,tanh,tanh", "softmax-ce", "cost softmax-ce needs a softmax output layer"),
    ],
)
def test_bad_activations(activation, cost, message):
    with pytest.raises(SpecError, match=message):
        Network.parse("2-3-3-2", activation=activation, cost=cost)


def test_one_name_is_for_the_hidden_layers_when_the_cost_fixes_the_output():
    assert Network.parse("2-1", activation="tanh", cost="bce").activation == ("sigmoid",)
    assert Network.parse("2-3", cost="softmax-ce").activation == ("softmax",)
    with pytest.raises(SpecError, match="cost bce needs a sigmoid output layer, not 'tanh'"):
        Network.parse("2-2-1", activation="relu,tanh", cost="bce")


def test_unknown_cost():
    with pytest.raises(SpecError, match="unknown cost 'hinge'"):
        Network.parse("2-2", cost="hinge")


@pytest.mark.parametrize("sizes", [[], [2], [2, 0], [2, -1], [2, 2.0], [True, 2]])
def test_network_rejects_bad_sizes(sizes):
    with pytest.raises(SpecError):
        Network(sizes)


def test_parameters_order_and_count():
    net = Network([2, 2, 2], bias=True)
    parameters = list(net.parameters())
    assert len(parameters) == net.parameter_count == 12
    assert parameters[:4] == [(1, 1, 0), (1, 1, 1), (1, 1, 2), (1, 2, 0)]
    assert parameters[-1] == ParameterIndex(2, 2, 2)
    assert ParameterIndex(1, 10, 3).name == "theta^(1)_10,3"


@pytest.mark.parametrize(
    "text, message",
    [
        ("9,9,9", r"no parameter theta\^\(9\)_99 in 2-2-2: layer l runs from 1 to 2"),
        ("0,1,1", "layer l runs from 1 to 2"),
        ("1,3,1", "layer 2 has neurons j = 1..2"),
        ("1,1,3", "layer 1 has neurons k = 1..2"),
        ("1,1,0", "k = 0 is a bias weight; add --bias"),
        ("1,1", "give l,j,k"),
        ("x,y,z", "give l,j,k"),
        ("1,1,1,1", "give l,j,k"),
        ("-1,1,1", "give l,j,k"),
    ],
)
def test_parse_parameter_rejects(text, message):
    with pytest.raises(SpecError, match=message):
        parse_parameter(text, Network([2, 2, 2]))


def test_parse_parameter_bias():
    assert parse_parameter("2,2,0", Network([2, 2, 2], bias=True)) == (2, 2, 0)
