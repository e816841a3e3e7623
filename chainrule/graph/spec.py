"""The architecture of a layered network: sizes, bias, activations and cost, validated once.

A :class:`Network` is an immutable record; every other module takes one and trusts it. Text from
a user (``"2-2-2"``, ``"tanh,sigmoid"``, ``"1,1,1"``) is parsed here and nowhere else, and every
problem is a :class:`SpecError` whose message names the text that failed.

Examples
--------
>>> net = Network.parse("2-3-1", bias=True, activation="tanh,sigmoid")
>>> net.architecture, net.activation, net.parameter_count
('2-3-1', ('tanh', 'sigmoid'), 13)
>>> parse_parameter("1,2,0", net)
ParameterIndex(layer=1, j=2, k=0)
>>> Network.parse("2--2")
Traceback (most recent call last):
...
chainrule.errors.SpecError: invalid architecture '2--2': layer sizes are positive integers ...
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from chainrule import budget, rules
from chainrule.errors import SpecError  # re-exported: spec.SpecError is the name most use
from chainrule.graph import names


class _Names(Sequence[str]):
    """The names of a rules table in its order, read from the table whenever they are used (not
    copied at import): a rule added there, even at run time, is a name here.

    Examples
    --------
    >>> names = _Names({"a": 1, "b": 2})
    >>> list(names), "b" in names, names == ("a", "b"), names[-1]
    (['a', 'b'], True, True, 'b')
    """

    def __init__(self, table: Mapping[str, object]):
        self._table = table

    def __getitem__(self, index):  # an int or a slice, as a tuple would take them
        return tuple(self._table)[index]

    def __len__(self) -> int:
        return len(self._table)

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(self._table))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._table

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (Sequence, _Names)) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


# Importing the table does not import SymPy.
ACTIVATIONS = _Names(rules.ACTIVATIONS)
COSTS = _Names(rules.COSTS)
SOFTMAX, SOFTMAX_COST = rules.SOFTMAX, rules.SOFTMAX_COST
DEFAULT_ACTIVATION, DEFAULT_COST = rules.DEFAULT_ACTIVATION, rules.DEFAULT_COST

_SIZE = re.compile(r"[0-9]+")

_ARCHITECTURE_HINT = "layer sizes are positive integers joined by '-', input first, e.g. 2-2-2"


class ParameterIndex(NamedTuple):
    """Which weight: ``theta^(layer)_jk``, from neuron k of `layer` to neuron j of `layer` + 1.

    ``k == 0`` is the bias weight of neuron j.
    """

    layer: int
    j: int
    k: int

    @property
    def name(self) -> str:
        return names.theta_name(*self)

    @property
    def latex(self) -> str:
        return names.theta_latex(*self)


def parse_sizes(text: str) -> tuple[int, ...]:
    """Parse ``"2-2-2"`` into ``(2, 2, 2)``.

    Examples
    --------
    >>> parse_sizes("784-512-512-10")
    (784, 512, 512, 10)
    """
    parts = text.split("-")
    if not text or not all(_SIZE.fullmatch(part) for part in parts):
        raise SpecError(f"invalid architecture {text!r}: {_ARCHITECTURE_HINT}")
    try:
        sizes = tuple(int(part) for part in parts)
    except ValueError:  # more digits than Python converts by default
        raise SpecError(f"invalid architecture {text!r}: a layer size is absurdly large") from None
    if any(size == 0 for size in sizes):
        raise SpecError(f"invalid architecture {text!r}: every layer needs at least one neuron")
    if len(sizes) < 2:
        raise SpecError(
            f"invalid architecture {text!r}: it needs at least an input and an "
            "output layer, e.g. 1-1"
        )
    return sizes


def _normalise_activation(
    activation: str | Sequence[str], depth: int, cost: str
) -> tuple[str, ...]:
    """One activation name per non-input layer (layers 2..L).

    Under a cost that fixes the output activation (softmax-ce, bce), one name applies to the
    hidden layers and a list may leave the output out; a list that names a different output
    activation is refused rather than silently overridden.
    """
    if isinstance(activation, str):
        given = activation.split(",")
    elif isinstance(activation, (list, tuple)) and all(isinstance(n, str) for n in activation):
        given = list(activation)
    else:
        raise SpecError(
            f"activation must be a name such as {DEFAULT_ACTIVATION!r} or a list of names, "
            f"not {activation!r}"[:200]
        )
    given = [name.strip() for name in given]
    # softmax-ce reads a softmax, bce needs outputs in (0, 1): the cost's rule says which
    fixed_output = rules.COSTS[cost].output if cost in COSTS else None
    for position, name in enumerate(given):
        is_output = position == len(given) - 1 == depth - 2
        if name == SOFTMAX and not (cost == SOFTMAX_COST and is_output):
            raise SpecError(
                f"activation {SOFTMAX!r} is only for the output layer, with --cost {SOFTMAX_COST}"
            )
        if name not in ACTIVATIONS and name != SOFTMAX:
            raise SpecError(f"unknown activation {name!r}; choose from {', '.join(ACTIVATIONS)}")
    hidden_layers = depth - 2
    if fixed_output and len(given) == 1:
        per_layer = given * hidden_layers + [fixed_output]
    elif len(given) == 1:
        per_layer = given * (depth - 1)
    elif len(given) == depth - 1:
        per_layer = given
    elif fixed_output and len(given) == hidden_layers:
        per_layer = given + [fixed_output]
    else:
        expected = f"1 or {depth - 1}" + (f" (or {hidden_layers} hidden)" if fixed_output else "")
        raise SpecError(
            f"{len(given)} activations given for {depth - 1} non-input layers; "
            f"give {expected}, comma-separated"
        )
    if fixed_output and per_layer[-1] != fixed_output:
        raise SpecError(
            f"cost {cost} needs a {fixed_output} output layer, not {per_layer[-1]!r}; "
            "name the hidden layers' activation and the output is set for you"
        )
    return tuple(per_layer)


@dataclass(frozen=True)
class Network:
    """A layered network: ``sizes[0]`` inputs, then hidden layers, then ``sizes[-1]`` outputs.

    Parameters
    ----------
    sizes : sequence of int
        Neurons per layer, input first; at least two layers.
    bias : bool
        Give each non-input neuron a bias weight ``theta^(l)_j0``.
    activation : str or sequence of str
        One name for every non-input layer, or one per non-input layer (``"tanh,sigmoid"``).
        Stored as a tuple with one name per layer 2..L. ``softmax-ce`` makes the output a
        softmax and ``bce`` a sigmoid (it needs outputs in (0, 1)); one name then applies to
        the hidden layers.
    cost : str
        One of ``mse`` (default), ``se``, ``bce``, ``softmax-ce``.

    Examples
    --------
    >>> Network([2, 2, 2], bias=True)
    Network(sizes=(2, 2, 2), bias=True, activation=('sigmoid', 'sigmoid'), cost='mse')
    >>> Network([2, 3, 3], cost="softmax-ce").activation
    ('sigmoid', 'softmax')
    >>> Network([2, 3, 1], activation="tanh", cost="bce").activation
    ('tanh', 'sigmoid')
    """

    sizes: tuple[int, ...]
    bias: bool = False
    activation: tuple[str, ...] = (DEFAULT_ACTIVATION,)
    cost: str = DEFAULT_COST

    if TYPE_CHECKING:
        # What the generated __init__ accepts: __post_init__ normalises sizes and activation
        # into the tuples the fields hold.
        def __init__(
            self,
            sizes: Sequence[int],
            bias: bool = False,
            activation: str | Sequence[str] = (DEFAULT_ACTIVATION,),
            cost: str = DEFAULT_COST,
        ) -> None: ...

    def __post_init__(self) -> None:
        if isinstance(self.sizes, (str, bytes)) or not hasattr(self.sizes, "__iter__"):
            raise SpecError(
                f"invalid architecture {self.sizes!r}: give a list of layer sizes "
                "such as [2, 2, 2] (or Network.parse('2-2-2'))"
            )
        sizes = tuple(self.sizes)
        if len(sizes) < 2 or not all(
            isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in sizes
        ):
            raise SpecError(f"invalid architecture {sizes!r}: {_ARCHITECTURE_HINT}")
        # The terms of a layered net are below Π n_l · (2L)^2, so this bounds every count's
        # digits before any is computed.
        digits = sum(math.log10(n) for n in sizes) + 2 * math.log10(2 * len(sizes)) + 1
        if digits > budget.COUNT_DIGITS:
            shown = "-".join(str(n) for n in sizes[:4]) + ("-..." if len(sizes) > 4 else "")
            raise SpecError(
                f"architecture {shown} is too large: its counts would have about "
                f"{digits:,.0f} digits, more than the {budget.COUNT_DIGITS:,} that can be printed"
            )
        if not isinstance(self.cost, str) or self.cost not in COSTS:
            raise SpecError(f"unknown cost {self.cost!r}; choose from {', '.join(COSTS)}")
        if self.cost == SOFTMAX_COST and sizes[-1] < 2:
            # The softmax of one output is 1 whatever z is: the cost is 0 and every gradient 0.
            raise SpecError(
                f"cost {SOFTMAX_COST} needs at least 2 outputs (the softmax of one "
                "output is always 1); for one output use --cost bce"
            )
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "bias", bool(self.bias))
        object.__setattr__(
            self, "activation", _normalise_activation(self.activation, len(sizes), self.cost)
        )

    @classmethod
    def parse(
        cls,
        architecture: str,
        *,
        bias: bool = False,
        activation: str = DEFAULT_ACTIVATION,
        cost: str = DEFAULT_COST,
    ) -> Network:
        """Build a network from command-line text such as ``"2-2-2"`` and ``"tanh,sigmoid"``."""
        return cls(parse_sizes(architecture), bias=bias, activation=activation, cost=cost)

    @property
    def depth(self) -> int:
        """L, the number of layers including input and output."""
        return len(self.sizes)

    @property
    def architecture(self) -> str:
        return "-".join(str(n) for n in self.sizes)

    @property
    def softmax_output(self) -> bool:
        return self.cost == SOFTMAX_COST

    def layer_parameter_count(self, layer: int) -> int:
        """Weights of Θ^(layer) (from layer `layer` to `layer` + 1), bias weights included."""
        return self.sizes[layer] * (self.sizes[layer - 1] + self.bias)

    @property
    def parameter_count(self) -> int:
        return sum(self.layer_parameter_count(layer) for layer in range(1, self.depth))

    def parameters(self) -> Iterator[ParameterIndex]:
        """Every weight in order: by layer, then neuron j, then source k (bias k = 0 first).

        Examples
        --------
        >>> [p.name for p in Network([1, 2]).parameters()]
        ['theta^(1)_11', 'theta^(1)_21']
        """
        first_source = 0 if self.bias else 1
        for layer in range(1, self.depth):
            for j in range(1, self.sizes[layer] + 1):
                for k in range(first_source, self.sizes[layer - 1] + 1):
                    yield ParameterIndex(layer, j, k)


def parse_parameter(text: str, network: Network) -> ParameterIndex:
    """Parse ``"l,j,k"`` into the index of ``theta^(l)_jk`` and check that the network has it.

    Examples
    --------
    >>> parse_parameter("2,1,2", Network([2, 2, 2]))
    ParameterIndex(layer=2, j=1, k=2)
    >>> parse_parameter("9,9,9", Network([2, 2, 2]))
    Traceback (most recent call last):
    ...
    chainrule.errors.SpecError: no parameter theta^(9)_99 in 2-2-2: layer l runs from 1 to 2
    """
    parts = text.split(",")
    if len(parts) != 3 or not all(_SIZE.fullmatch(part.strip()) for part in parts):
        raise SpecError(
            f"invalid parameter {text!r}: give l,j,k (three whole numbers) for "
            "theta^(l)_jk, e.g. 1,1,1"
        )
    if any(len(part.strip()) > 30 for part in parts):
        raise SpecError(f"invalid parameter {text[:40]!r}...: an index is absurdly large")
    layer, j, k = (int(part) for part in parts)
    index = ParameterIndex(layer, j, k)
    sizes, where = network.sizes, f"no parameter {index.name} in {network.architecture}"
    if not 1 <= layer < len(sizes):
        raise SpecError(f"{where}: layer l runs from 1 to {len(sizes) - 1}")
    if not 1 <= j <= sizes[layer]:
        raise SpecError(f"{where}: layer {layer + 1} has neurons j = 1..{sizes[layer]}")
    if k == 0 and not network.bias:
        raise SpecError(f"{where}: k = 0 is a bias weight; add --bias")
    if not 0 <= k <= sizes[layer - 1]:
        raise SpecError(f"{where}: layer {layer} has neurons k = 1..{sizes[layer - 1]}")
    return index


def graph_size(network: Network) -> tuple[int, int]:
    """The numbers of nodes and edges :func:`~chainrule.graph.build.build_graph` would make,
    computed without it (and without networkx, which a layered network's numbers never need).

    Examples
    --------
    >>> graph_size(Network([2, 2, 2]))
    (19, 22)
    """
    sizes = network.sizes
    parameters = network.parameter_count
    neurons_above_input = sum(sizes[1:])
    nodes = sizes[0] + parameters + 2 * neurons_above_input + 1
    into_z = parameters + sum(sizes[l] * sizes[l - 1] for l in range(1, len(sizes)))
    into_a = (
        neurons_above_input - sizes[-1] + (sizes[-1] ** 2 if network.softmax_output else sizes[-1])
    )
    return nodes, into_z + into_a + sizes[-1]
