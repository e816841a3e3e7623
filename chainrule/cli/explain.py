"""``chainrule explain``: the whole story of one network, in the terminal, in five steps.

Counts and how they grow; the chains of one weight, as partials and as formulas; their
factoring into δ; what the factoring saves; and the check against numeric backprop. Every
section is made by the same printers and writers as the other commands, so the tour and the
reference output never drift apart.
"""

from __future__ import annotations

import textwrap
from typing import TextIO

from chainrule.calculus.counting import count, count_parameter
from chainrule.graph import names
from chainrule.graph.spec import Network, ParameterIndex
from chainrule.notation.table import format_table

#: Beyond these sizes a section says what it left out rather than flooding the terminal.
CHAINS_SHOWN = 8
DELTAS_SHOWN = 8
GRAPH_ELEMENTS_FOR_TOUR = 200_000
PARAMETERS_VERIFIED = 5_000
WIDTH = 100


def _heading(out: TextIO, number: int, title: str) -> None:
    out.write(f"\n{number} · {title}\n{'─' * (len(title) + 4)}\n")


def _paragraph(out: TextIO, text: str) -> None:
    out.write(textwrap.fill(" ".join(text.split()), WIDTH) + "\n")


def _describe(network: Network) -> str:
    sizes = network.sizes
    hidden = sizes[1:-1]
    layers = (
        "no hidden layer"
        if not hidden
        else f"hidden layer{'s' if len(hidden) > 1 else ''} of {', '.join(map(str, hidden))}"
    )
    activation = ", ".join(dict.fromkeys(network.activation))
    return (
        f"{sizes[0]} input{'s' if sizes[0] > 1 else ''}, {layers}, {sizes[-1]} "
        f"output{'s' if sizes[-1] > 1 else ''}; activation {activation}; cost "
        f"{network.cost}; {'with' if network.bias else 'no'} bias"
    )


def _growth(network: Network) -> list[Network]:
    """The network, one and two hidden layers deeper, and twice as wide."""
    sizes = network.sizes
    hidden_width = max(sizes[1:-1], default=sizes[0])
    deeper = [sizes[:-1] + (hidden_width,) * extra + sizes[-1:] for extra in (1, 2, 4)]
    wider = sizes[:1] + tuple(2 * n for n in sizes[1:-1]) + sizes[-1:]
    variants = [sizes, *deeper] + ([wider] if wider != sizes else [])
    return [
        Network(v, bias=network.bias, activation=network.activation[0], cost=network.cost)
        for v in dict.fromkeys(variants)
    ]


def explain(network: Network, parameter: ParameterIndex, out: TextIO, seed: int = 0) -> None:
    """Write the guided tour of `network`, following the chains of `parameter`."""
    from chainrule.calculus.counting import operation_counts
    from chainrule.graph.build import graph_size

    name = names.unicode_name(parameter.name)
    out.write(f"chainrule explain {network.architecture}: backpropagation derived in the open\n")
    out.write(f"({_describe(network)})\n")

    _heading(out, 1, "How many chain-rule products?")
    counts = count(network)
    _paragraph(
        out,
        "A term is one partial derivative; a chain is one product of terms, one path "
        "through the computation graph from a weight to the cost J. Written out by hand, "
        f"the gradient of {network.architecture} takes {counts.chains:,} chains with "
        f"{counts.terms:,} terms in all:",
    )
    rows = [
        [
            f"θ^({row.layer})",
            row.parameters,
            row.chains_per_parameter,
            row.chain_length,
            row.chains,
            row.terms,
        ]
        for row in counts.layers
    ]
    rows.append(["all", counts.parameters, "", "", counts.chains, counts.terms])
    out.write(
        format_table(
            ["weights", "parameters", "chains each", "terms each", "chains", "terms"], rows
        )
        + "\n\n"
    )
    _paragraph(
        out,
        "Each layer deeper multiplies every lower weight's chains by the width of the "
        "new layer, so the count grows exponentially with depth; doubling the width only "
        "multiplies it by a constant:",
    )
    growth = [
        [c.network.architecture, c.parameters, c.chains, c.terms]
        for c in map(count, _growth(network))
    ]
    out.write(format_table(["architecture", "parameters", "chains", "terms"], growth) + "\n")

    nodes, edges = graph_size(network)
    if nodes + edges > GRAPH_ELEMENTS_FOR_TOUR:
        out.write(
            f"\n{network.architecture} is too large to write out here ({nodes + edges:,} "
            "nodes and edges); try a smaller network, e.g. chainrule explain 2-2-2.\n"
        )
        _operations(out, network, operation_counts(network), 2)
        return

    from chainrule.graph.build import build_graph

    graph = build_graph(network)
    _chains(out, graph, network, parameter, name)
    _factoring(out, graph, network, parameter, name)
    _operations(out, network, operation_counts(network), 4)
    _verification(out, network, seed)
    out.write("\n")
    _paragraph(
        out,
        "Next: chainrule chains, delta and verify show each step in full (--format "
        "latex for LaTeX, --json for programs); chainrule draw and chainrule report make a "
        "picture and a document.",
    )


def _chains(out, graph, network, parameter, name) -> None:
    from chainrule.graph.chains import iter_chains
    from chainrule.notation import notation_for

    notation = notation_for("unicode", graph)
    chains_total, terms = count_parameter(network, parameter)
    _heading(out, 2, f"The chains of ∂J/∂{name}")
    _paragraph(
        out,
        f"{name} reaches J along {chains_total:,} path"
        f"{'s' if chains_total > 1 else ''}, each a product of "
        f"{terms // chains_total} partial derivatives, written cost first as a hand "
        "derivation writes them:",
    )
    shown = []
    for number, chain in enumerate(iter_chains(graph, parameter.name)):
        if number == CHAINS_SHOWN:
            break
        shown.append(chain)
    for chain in shown:
        out.write(f"  {notation.chain(chain)}\n")
    if chains_total > len(shown):
        out.write(
            f"  … and {chains_total - len(shown):,} more (chainrule chains "
            f"{network.architecture} --param {','.join(map(str, parameter))})\n"
        )
    sign = (
        ", and dJ/da = (a − y)/m has the true gradient's sign (not (y − a)/m)"
        if network.cost == "mse"
        else ""
    )
    out.write(f"\nEach partial has a local formula{sign}:\n")
    for chain in shown[:2]:
        out.write(f"  {notation.chain(chain, 'local')}\n")


def _factoring(out, graph, network, parameter, name) -> None:
    from chainrule.calculus import delta
    from chainrule.notation import notation_for

    notation = notation_for("unicode", graph)
    _heading(out, 3, "Factoring the chains into δ")
    _paragraph(
        out,
        "Chains of the same weight share their ends near the cost. Grouping the shared "
        "part, one layer of weighted inputs at a time, gives δ = ∂J/∂z, computed once per "
        "neuron from the output down:",
    )
    chains, _ = count_parameter(network, parameter)
    if chains <= CHAINS_SHOWN:
        sides = notation.factoring(parameter.name, delta.factoring_steps(graph, parameter.name))
        out.write(_indented(notation.equations([(notation.gradient_lhs(parameter.name), sides)])))
    else:  # the steps are neither shown nor built: they would list every chain
        final = notation.factored_gradient(delta.factor_gradient(graph, parameter.name), "local")
        steps = len(delta.factoring_heights(graph, parameter.name))
        out.write(f"  {final}   (grouping {chains:,} chains in {steps} steps)\n")
    out.write("\nwhere\n")
    nodes = delta.delta_nodes(graph)
    definitions = [delta.define_delta(graph, node) for node in nodes[:DELTAS_SHOWN]]
    out.write(
        _indented(
            notation.equations(
                [
                    (
                        notation.delta(definition.delta),
                        [
                            notation.delta_definition(definition).rhs,
                            notation.delta_definition(definition, "local").rhs,
                        ],
                    )
                    for definition in definitions
                ]
            )
        )
    )
    if len(nodes) > DELTAS_SHOWN:
        out.write(
            f"  … and {len(nodes) - DELTAS_SHOWN} more (chainrule delta {network.architecture})\n"
        )
    out.write("\nand every gradient is a δ times what its weight multiplies; a layer at a time:\n")
    out.write(
        _indented(
            notation.equations(
                [(equation.lhs, [equation.rhs]) for equation in notation.matrix_form(network)]
            )
        )
    )


def _indented(block: str) -> str:
    return textwrap.indent(block, "  ")


def _operations(out, network, ops, number) -> None:
    from chainrule.calculus.counting import operation_counts
    from chainrule.present.delta import ops_table

    _heading(out, number, "What the factoring saves")
    _paragraph(
        out,
        "Multiplications and additions to get every gradient from the local partials: "
        "multiplying out every chain, the δ-factored reverse sweep (backpropagation), and "
        "forward mode (one sweep per weight):",
    )
    out.write(ops_table(ops) + "\n\n")
    rows = [
        [n.architecture, *(sum(mode) for mode in operation_counts(n))] for n in _growth(network)
    ]
    out.write(
        format_table(["architecture", "expanded ops", "reverse ops", "forward ops"], rows) + "\n"
    )
    _paragraph(
        out,
        "The expanded count grows exponentially with depth, backpropagation's "
        "linearly with the number of weights.",
    )


def _verification(out, network, seed) -> None:
    from chainrule.present import verify as present
    from chainrule.records import verify as record

    _heading(out, 5, "Checking it against numbers")
    if network.parameter_count > PARAMETERS_VERIFIED:
        out.write(
            f"(left out: {network.parameter_count:,} weights; chainrule verify "
            f"{network.architecture} runs it)\n"
        )
        return
    _paragraph(
        out,
        "The same gradients on a random case, computed five ways and compared with "
        "numeric backprop, which shares no code with the symbolic side:",
    )
    present.text(record.compute(record.request(network, seed=seed)), out)
