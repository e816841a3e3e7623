"""A worked example (:mod:`chainrule.records.worked`) as the blocks of a report document.

The order is a published post's: the network and its numbers, the forward pass, the error, the
backward pass output layer first (each gradient's chains in symbols, with each partial's
formula, in numbers, then its value), the update and the cost after it. The blocks are those
of :mod:`chainrule.present.report`, which renders them as LaTeX, Markdown or HTML; equations
and names are written by the notations, numbers by :func:`~chainrule.notation.numbers.figure`
in equations and with ten significant digits in tables (as ``values`` prints them). Nothing
here computes a number: each is read from the record.

Examples
--------
>>> from chainrule.records.subject import SubjectRequest
>>> from chainrule.records.worked import compute
>>> record = compute(SubjectRequest("examples/graphs/mazur.json"), "examples/cases/mazur.json")
>>> [block.text for block in blocks(record, "latex") if type(block).__name__ == "Heading"][1:]
['The network and its numbers', 'The forward pass', 'The error', \
'The backward pass, output layer first', 'The update', 'The cost after the step']
"""

from __future__ import annotations

from chainrule.notation import notation_for
from chainrule.present.blocks import Equations, Heading, Math, Paragraph, Table
from chainrule.records.worked import WorkedRecord

#: Tables show ten significant digits, as ``values`` prints them: more than a post publishes.
DIGITS = ".10g"


def _digits(value: float) -> str:
    return format(float(value), DIGITS)


def _examples(m: int) -> list[str]:
    return ["value"] if m == 1 else [f"example {e + 1}" for e in range(m)]


def _about(record: WorkedRecord) -> str:
    """The sentence that says what the network is."""
    network = record.network
    if network is not None:
        activation = ", ".join(dict.fromkeys(network.activation))
        return (
            f"Layer sizes {network.architecture} (input first); activation {activation}; "
            f"cost {network.cost}; {'with' if network.bias else 'no'} bias."
        )
    return (
        f"The computation graph {record.label}, in its own names; the cost is "
        f"{record.values.cost_name}."
    )


def _given(record: WorkedRecord, notation) -> list:
    """The parameters in one table, the inputs and targets (a number per example) in another."""
    m = record.examples
    parameters = [each for each in record.given if each.kind == "param"]
    data = [each for each in record.given if each.kind != "param"]
    content: list = [
        Heading("The network and its numbers"),
        Paragraph(
            f"{_about(record)} The numbers: {record.origin}, {m:,} example{'' if m == 1 else 's'}."
        ),
    ]
    if parameters:
        content.append(
            Table(
                ["parameter", "value"],
                [[Math(notation.name(p.name, p.latex)), _digits(p.values[0])] for p in parameters],
            )
        )
    if data:
        content.append(
            Table(
                ["input or target", *_examples(m)],
                [
                    [Math(notation.name(d.name, d.latex)), *map(_digits, d.values.tolist())]
                    for d in data
                ],
            )
        )
    return content


def _forward(record: WorkedRecord, notation) -> list:
    values = record.values.forward.by_name()
    return [
        Heading("The forward pass"),
        Paragraph("Every computed node's value, in the order it is computed:"),
        Table(
            ["node", *_examples(record.examples)],
            [[Math(notation.node(name)), *map(_digits, values[name])] for name in record.computed],
        ),
    ]


def _error(record: WorkedRecord, notation) -> list:
    values = record.values
    cost = notation.node(values.cost_name)
    content: list = [Heading("The error")]
    parts = values.cost_parts
    if len(parts) > 1:  # one part is the cost itself: written once
        content += [
            Paragraph("Each output's part of the cost, summed over the examples:"),
            Table(
                ["output", "part of the cost"],
                [[Math(notation.node(name)), _digits(part)] for name, part in parts.items()],
            ),
        ]
        rhs = notation.equal(notation.numbers_sum(parts.values()), notation.number(values.cost))
    else:
        rhs = notation.number(values.cost)
    content.append(Equations([(cost, [("=", rhs)])]))
    return content


def _backward(record: WorkedRecord, notation) -> list:
    m = record.examples
    content: list = [
        Heading("The backward pass, output layer first"),
        Paragraph(
            "Each gradient is the sum of its chains, one path from the parameter to the cost "
            "each, written cost first: in symbols, then with each partial's formula, then with "
            "each partial's value"
            + (" in each example" if m > 1 else "")
            + ", then each product's value, then the gradient"
            + (" (the sum over the examples too)." if m > 1 else ".")
        ),
    ]
    for group in record.chains.groups():
        assert group.numbers is not None  # the worked example's chains carry their numbers
        chains = list(group.chains)
        sides: list[tuple[str, str]] = []
        for view in ("abstract", "local"):
            written = [notation.chain(chain, view) for chain in chains]
            sides += [("=", written[0]), *(("+", each) for each in written[1:])]
        products = []
        for numbers in group.numbers.chains:
            for example in range(m):
                product = notation.numbers_product(numbers.factors[:, example].tolist())
                if m > 1:
                    product = notation.annotated(product, f"example {example + 1}")
                products.append((product, float(numbers.per_example[example])))
        sides += [("=" if n == 0 else "+", product) for n, (product, _) in enumerate(products)]
        if len(products) > 1:
            sides.append(("=", notation.numbers_sum(value for _, value in products)))
        sides.append(("=", notation.number(group.numbers.gradient)))
        content.append(Equations([(notation.gradient_lhs(group.source.name), sides)]))
    return content


def _update(record: WorkedRecord, notation) -> list:
    values = record.values
    held = ", ".join(values.frozen)
    current = record.values.forward.by_name()
    gradients = values.gradients.values[:, 0].tolist()
    updated = values.updated.values[:, 0].tolist()
    cost = values.cost_name
    return [
        Heading("The update"),
        Paragraph(
            f"One step of gradient descent, θ⁺ = θ − η ∂{cost}/∂θ, with η = {values.lr:g}"
            + (f"; {held} held fixed." if held else ".")
        ),
        Table(
            ["parameter", "value", f"∂{cost}/∂parameter", "updated"],
            [
                [Math(notation.node(name)), _digits(current[name][0]), _digits(g), _digits(u)]
                for name, g, u in zip(values.gradients.names, gradients, updated)
            ],
        ),
    ]


def _after(record: WorkedRecord, notation) -> list:
    values = record.values
    change = "down" if values.cost_after < values.cost else "not down"
    return [
        Heading("The cost after the step"),
        Paragraph(
            f"The forward pass again, with the updated parameters, gives the cost below "
            f"({change} from {_digits(values.cost)}):"
        ),
        Equations([(notation.node(values.cost_name), [("=", notation.number(values.cost_after))])]),
        Paragraph(f"To ten significant digits, {_digits(values.cost_after)}."),
    ]


def blocks(record: WorkedRecord, format: str) -> list:
    """The worked example's blocks, equations and names in `format` (``latex`` or
    ``mathml``)."""
    notation = notation_for(format, record.graph)
    return [
        Heading(f"A worked example of backpropagation: {record.label}"),
        *_given(record, notation),
        *_forward(record, notation),
        *_error(record, notation),
        *_backward(record, notation),
        *_update(record, notation),
        *_after(record, notation),
    ]
