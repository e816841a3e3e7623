"""The tour of :mod:`chainrule.records.explain`, told in the terminal in six steps.

Counts and how they grow; the chains of one weight, as partials and as formulas; their
factoring into δ; the same a layer at a time, every shape written; what the factoring saves;
and the check against numeric backprop. Each section is written from the record of the
command it tells, by the same notations and tables as that command
(:mod:`chainrule.present.tables`), so the tour and the reference output never drift apart; a
section the record left out says so and names the command that shows it.

Examples
--------
>>> import io
>>> from chainrule.records.explain import ExplainRequest, compute
>>> out = io.StringIO()
>>> text(compute(ExplainRequest.of("1-1")), out)
>>> print(out.getvalue().splitlines()[0])
chainrule explain 1-1: backpropagation derived in the open
"""

from __future__ import annotations

import io
import re
import textwrap
from typing import NamedTuple, TextIO

from chainrule import rules
from chainrule.graph import names
from chainrule.notation import notation_for
from chainrule.notation.matrix import matrix_notation_for
from chainrule.notation.table import format_table
from chainrule.present import verify as present_verify
from chainrule.present.tables import (
    LAYER_HEADERS,
    OPS_HEADERS,
    OPS_TOTAL_HEADERS,
    TOTAL_HEADERS,
    layer_rows,
    ops_rows,
    ops_totals,
)
from chainrule.records.explain import CHAINS_SHOWN, DELTAS_SHOWN, LOCAL_CHAINS_SHOWN, ExplainRecord

WIDTH = 100
#: Each section's title by what it shows (the chains' ends with the parameter's name).
TITLES = {
    "counts": "How many chain-rule products?",
    "chains": "The chains of ∂J/∂",
    "factoring": "Factoring the chains into δ",
    "matrix": "The same, a layer at a time, with shapes",
    "operations": "What the factoring saves",
    "check": "Checking it against numbers",
}
_HEADING = re.compile(r"\n(\d+) · (.+)\n─+\n")


class Section(NamedTuple):
    """One step of the tour as the terminal tells it: what it shows (`topic`, a key of
    :data:`TITLES`), its `number` and `title`, and its `body`."""

    topic: str
    number: int
    title: str
    body: str


def sections(record: ExplainRecord) -> list[Section]:
    """The tour's sections, each as :func:`text` writes it (the explorer's tour panel shows
    them one at a time).

    Examples
    --------
    >>> from chainrule.records.explain import ExplainRequest, compute
    >>> [(s.topic, s.number) for s in sections(compute(ExplainRequest.of("1-1")))]
    [('counts', 1), ('chains', 2), ('factoring', 3), ('matrix', 4), ('operations', 5), \
('check', 6)]
    """
    told = io.StringIO()
    text(record, told)
    parts = _HEADING.split(told.getvalue())[1:]  # before the first heading: the title lines
    found = []
    for number, title, body in zip(parts[::3], parts[1::3], parts[2::3]):
        topic = next((key for key, start in TITLES.items() if title.startswith(start)), "other")
        found.append(Section(topic, int(number), title, body.strip("\n")))
    return found


def _heading(out: TextIO, number: int, title: str) -> None:
    out.write(f"\n{number} · {title}\n{'─' * (len(title) + 4)}\n")


def _paragraph(out: TextIO, text: str) -> None:
    out.write(textwrap.fill(" ".join(text.split()), WIDTH) + "\n")


def _indented(block: str) -> str:
    return textwrap.indent(block, "  ")


def _describe(record: ExplainRecord) -> str:
    network = record.network
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


def text(record: ExplainRecord, out: TextIO) -> None:
    """The guided tour of the record's network, following its parameter's chains."""
    network = record.network
    out.write(f"chainrule explain {network.architecture}: backpropagation derived in the open\n")
    out.write(f"({_describe(record)})\n")
    _counts(out, record)
    left = record.left_out
    if left is not None and left.section == "tour":
        out.write(
            f"\n{network.architecture} is too large to write out here ({left.why}); try a "
            "smaller network, e.g. chainrule explain 2-2-2.\n"
        )
        if record.matrix_chains is not None:
            _matrix(out, record, 2)
        _operations(out, record, 3 if record.matrix_chains is not None else 2)
        return
    _chains(out, record)
    _factoring(out, record)
    _matrix(out, record, 4)
    _operations(out, record, 5)
    _verification(out, record)
    out.write("\n")
    _paragraph(
        out,
        "Next: chainrule chains, delta and verify show each step in full (--format "
        "latex for LaTeX, --json for programs); chainrule draw and chainrule report make a "
        "picture and a document.",
    )


def _counts(out: TextIO, record: ExplainRecord) -> None:
    counted = record.counts.rows[0].count
    assert counted is not None  # the tour is of layer sizes
    _heading(out, 1, TITLES["counts"])
    _paragraph(
        out,
        "A term is one partial derivative; a chain is one product of terms, one path "
        "through the computation graph from a weight to the cost J. Written out by hand, "
        f"the gradient of {record.network.architecture} takes {counted.chains:,} chains with "
        f"{counted.terms:,} terms in all:",
    )
    out.write(format_table(LAYER_HEADERS, layer_rows(counted)) + "\n\n")
    _paragraph(
        out,
        "Each layer deeper multiplies every lower weight's chains by the width of the "
        "new layer, so the count grows exponentially with depth; doubling the width only "
        "multiplies it by a constant:",
    )
    growth = [[row.label, row.parameters, row.chains, row.terms] for row in record.growth.rows]
    out.write(format_table(TOTAL_HEADERS, growth) + "\n")


def _chains(out: TextIO, record: ExplainRecord) -> None:
    assert record.chains is not None  # written when the tour is
    network, parameter = record.network, record.parameter
    name = names.unicode_name(parameter.name)
    notation = notation_for("unicode", record.chains.graph)
    chains_total, terms = record.chain_count
    _heading(out, 2, TITLES["chains"] + name)
    _paragraph(
        out,
        f"{name} reaches J along {chains_total:,} path"
        f"{'s' if chains_total > 1 else ''}, each a product of "
        f"{terms // chains_total} partial derivatives, written cost first as a hand "
        "derivation writes them:",
    )
    for chain in record.shown:
        out.write(f"  {notation.chain(chain)}\n")
    if chains_total > len(record.shown):
        out.write(
            f"  … and {chains_total - len(record.shown):,} more (chainrule chains "
            f"{network.architecture} --param {','.join(map(str, parameter))})\n"
        )
    # The note writes the default cost's dJ/da (mse's): the sign that hand derivations slip on.
    sign = (
        ", and dJ/da = (a − y)/m has the true gradient's sign (not (y − a)/m)"
        if network.cost == rules.DEFAULT_COST
        else ""
    )
    out.write(f"\nEach partial has a local formula{sign}:\n")
    for chain in record.shown[:LOCAL_CHAINS_SHOWN]:
        out.write(f"  {notation.chain(chain, 'local')}\n")


def _factoring(out: TextIO, record: ExplainRecord) -> None:
    factoring = record.factoring
    assert factoring is not None  # written when the tour is
    name = record.parameter.name
    notation = notation_for("unicode", factoring.graph)
    _heading(out, 3, TITLES["factoring"])
    _paragraph(
        out,
        "Chains of the same weight share their ends near the cost. Grouping the shared "
        "part, one layer of weighted inputs at a time, gives δ = ∂J/∂z, computed once per "
        "neuron from the output down:",
    )
    chains, _ = record.chain_count
    if chains <= CHAINS_SHOWN:
        (steps,) = factoring.factorings
        sides = notation.factoring(name, steps.steps, steps.factored)
        out.write(_indented(notation.equations([(notation.gradient_lhs(name), sides)])))
    else:
        final = notation.factored_gradient(factoring.gradients[0], "local")
        out.write(f"  {final}   (grouping {chains:,} chains in {record.factoring_steps} steps)\n")
    out.write("\nwhere\n")
    definitions = factoring.definitions
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
                    for definition in definitions[:DELTAS_SHOWN]
                ]
            )
        )
    )
    if len(definitions) > DELTAS_SHOWN:
        out.write(
            f"  … and {len(definitions) - DELTAS_SHOWN} more (chainrule delta "
            f"{record.network.architecture})\n"
        )
    out.write(
        "\nand every gradient is a δ times what its weight multiplies (section 4 writes it a "
        "layer at a time).\n"
    )


def _matrix(out: TextIO, record: ExplainRecord, number: int) -> None:
    """The parameter's weight matrix a layer at a time: its layer-level chain, each factor's
    shape under it, and the δ recursion for a batch, each operand's shape under it."""
    chains, deltas = record.matrix_chains, record.matrix_deltas
    _heading(out, number, TITLES["matrix"])
    if chains is None or deltas is None:
        out.write(
            f"(left out: {record.network.depth:,} layers; chainrule delta "
            f"{record.network.architecture} --view matrix writes it)\n"
        )
        return
    notation = matrix_notation_for("unicode")
    (group,) = chains.groups()
    tensor = group.source.tensor
    _paragraph(
        out,
        f"Grouping neurons into layers, {names.unicode_name(record.parameter.name)} is an "
        "entry of the "
        f"{'bias row' if tensor.name.startswith('b^') else 'weight matrix'} {tensor.unicode} "
        f"({tensor.shape}); each product of Jacobians below stands "
        f"for {group.source.scalar_chains:,} of the scalar chains, each factor's shape under "
        "it:",
    )
    for chain in group.chains:
        out.write(_indented("\n".join(notation.chain(chain)) + "\n"))
    _paragraph(
        out,
        "For all m examples at once (rows are examples), backpropagation is the δ recursion, "
        "every operand's shape under it:",
    )
    for equation in deltas.backward:
        out.write(_indented("\n".join(notation.equation(equation)) + "\n"))


def _operations(out: TextIO, record: ExplainRecord, number: int) -> None:
    ops = record.counts.rows[0].ops
    assert ops is not None  # the tour's count asks for them
    _heading(out, number, TITLES["operations"])
    _paragraph(
        out,
        "Multiplications and additions to get every gradient from the local partials: "
        "multiplying out every chain, the δ-factored reverse sweep (backpropagation), and "
        "forward mode (one sweep per weight):",
    )
    out.write(format_table(OPS_HEADERS, ops_rows(ops)) + "\n\n")
    rows = []
    for row in record.growth.rows:
        assert row.ops is not None  # asked for with the growth's counts
        rows.append([row.label, *ops_totals(row.ops)])
    out.write(format_table(["architecture", *OPS_TOTAL_HEADERS], rows) + "\n")
    _paragraph(
        out,
        "The expanded count grows exponentially with depth, backpropagation's "
        "linearly with the number of weights.",
    )


def _verification(out: TextIO, record: ExplainRecord) -> None:
    _heading(out, 6, TITLES["check"])
    left = record.left_out
    if record.verification is None:
        assert left is not None and left.section == "verify"  # the record says why
        out.write(
            f"(left out: {left.why}; chainrule verify {record.network.architecture} runs it)\n"
        )
        return
    _paragraph(
        out,
        "The same gradients on a random case, computed six ways and compared with "
        "numeric backprop, which shares no code with the symbolic side:",
    )
    present_verify.text(record.verification, out)


#: The tour is text only.
PRESENTERS = {"text": text}
