"""Writers for ``chainrule chains``: one per output format, each streaming as chains arrive.

A group is ``(parameter, chains)`` with `chains` an iterator; nothing here holds more than one
parameter's chains, except the closed view, which must add them up. Every string is written by
a notation of the graph (:func:`chainrule.notation.notation_for`); the abstract views need no
SymPy, which the notations import only when a formula is printed.
The δ writers print the records of :mod:`chainrule.calculus.delta`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Protocol, TextIO

import networkx as nx

from chainrule.graph.chains import Chain


class Named(Protocol):
    """What a group's parameter needs: a name (a ParameterIndex, or a graph's Source)."""

    @property
    def name(self) -> str: ...


Group = tuple[Named, Iterable[Chain]]


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _heading(parameter: Named, chains: int, terms: int) -> str:
    return f"dJ/d{parameter.name}: {_count(chains, 'chain')}, {_count(terms, 'term')}"


def write_text(
    graph: nx.DiGraph,
    groups: Iterable[tuple[Group, int, int]],
    out: TextIO,
    view: str = "abstract",
    unicode: bool = False,
) -> None:
    """A heading per parameter, then one chain per line (or the closed expression)."""
    from chainrule.notation import notation_for

    notation = notation_for("unicode" if unicode else "text", graph)
    for number, ((parameter, chains), chain_count, terms) in enumerate(groups):
        out.write(("\n" if number else "") + _heading(parameter, chain_count, terms) + "\n")
        if view == "closed":
            out.write("  " + notation.gradient(parameter.name, chains, "closed") + "\n")
            continue
        for chain in chains:
            out.write(f"  {notation.chain(chain, view)}\n")


def write_latex(
    graph: nx.DiGraph, groups: Iterable[tuple[Group, int, int]], out: TextIO, view: str = "abstract"
) -> None:
    """One display-math ``aligned`` block per parameter, each chain on its own line."""
    from chainrule.notation import notation_for

    notation = notation_for("latex", graph)
    for number, ((parameter, chains), chain_count, terms) in enumerate(groups):
        out.write(
            ("\n" if number else "") + notation.comment(_heading(parameter, chain_count, terms))
        )
        out.write("\\[\n" + notation.gradient(parameter.name, chains, view) + "\n\\]\n")


def _factor_json(factor, view: str, text, latex) -> dict:
    document = factor.as_dict()
    if view == "local":
        document["formula"] = text.factor_formula(factor)
        document["formula_latex"] = latex.factor_formula(factor)
    return document


def write_json(
    graph: nx.DiGraph, groups: Iterable[tuple[Group, int, int]], out: TextIO, view: str = "abstract"
) -> None:
    """One JSON list, streamed: ``[{"parameter", "chains": [[factor, ...], ...]}, ...]``.

    With the local view each factor adds ``formula`` and ``formula_latex``; with the closed view
    each parameter adds ``closed`` and ``closed_latex``.
    """
    from chainrule.notation import notation_for

    text, latex = notation_for("text", graph), notation_for("latex", graph)
    out.write("[")
    for number, ((parameter, chains), _, _) in enumerate(groups):
        out.write(
            ("," if number else "") + "\n  " + f'{{"parameter": {json.dumps(parameter.name)}, '
        )
        if view == "closed":
            from chainrule.calculus import symbolic

            chains = list(chains)
            closed = symbolic.closed_sum(graph, chains)
            out.write(
                f'"closed": {json.dumps(text.formula(closed))}, '
                f'"closed_latex": {json.dumps(latex.formula(closed))}, '
            )
        out.write('"chains": [')
        for chain_number, chain in enumerate(chains):
            factors = json.dumps(
                [_factor_json(factor, view, text, latex) for factor in chain], ensure_ascii=False
            )
            out.write(("," if chain_number else "") + "\n    " + factors)
        out.write("\n  ]}")
    out.write("\n]\n")


# --- chainrule delta ----------------------------------------------------------------------------


def _ops_rows(ops) -> list[list]:
    return [
        ["expanded path sum", ops.expanded.multiplications, ops.expanded.additions],
        ["reverse mode (delta)", ops.reverse.multiplications, ops.reverse.additions],
        ["forward mode", ops.forward.multiplications, ops.forward.additions],
    ]


def ops_table(ops) -> str:
    from chainrule.notation.table import format_table

    return format_table(["every gradient by", "multiplications", "additions"], _ops_rows(ops))


def write_delta_text(
    graph: nx.DiGraph,
    network,
    every,
    parameters,
    out: TextIO,
    notation,
    ops=None,
    matrix: bool = True,
) -> None:
    """δ definitions and factored gradients (of `every` source), or the factoring of the chosen
    `parameters`; the layer-at-a-time form when there is a layered `network`. `notation` is a
    text, unicode or LaTeX notation of `graph` (:func:`chainrule.notation.notation_for`)."""
    from chainrule.calculus import delta

    def heading(text: str) -> None:
        out.write(notation.comment(text))

    if parameters:
        for number, parameter in enumerate(parameters):
            steps = delta.factoring_steps(graph, parameter.name)
            sides = notation.factoring(parameter.name, steps)
            if number:
                out.write("\n")
            heading(
                f"factoring dJ/d{parameter.name}: its {_count(len(steps[0].terms), 'chain')} "
                "grouped into delta terms, one layer of weighted inputs at a time"
            )
            out.write(notation.equations([(notation.gradient_lhs(parameter.name), sides)]))
    else:

        def both_views(equation_of, record) -> tuple[str, list[str]]:
            abstract, local = equation_of(record, "abstract"), equation_of(record, "local")
            return abstract.lhs, [abstract.rhs, local.rhs]

        heading(
            "delta^(l)_j = dJ/dz^(l)_j, from the output layer down"
            if network is not None
            else "delta_v = dJ/dv for every computed node v, from the cost down"
        )
        out.write(
            notation.equations(
                [
                    both_views(notation.delta_definition, definition)
                    for definition in delta.define_deltas(graph)
                ]
            )
        )
        out.write("\n")
        heading("every gradient through the deltas of the nodes it feeds")
        out.write(
            notation.equations(
                [
                    both_views(notation.factored_gradient, delta.factor_gradient(graph, p.name))
                    for p in every
                ]
            )
        )
        if network is not None and matrix:
            out.write("\n")
            heading("the same, a layer at a time")
            out.write(
                notation.equations([(eq.lhs, [eq.rhs]) for eq in notation.matrix_form(network)])
            )
    if ops is not None:
        out.write("\n" + notation.comment(ops_table(ops)))


def write_delta_json(
    graph: nx.DiGraph, network, every, parameters, out: TextIO, ops=None, matrix: bool = True
) -> None:
    from chainrule.calculus import delta
    from chainrule.notation import notation_for

    text, latex = notation_for("text", graph), notation_for("latex", graph)

    def both(method: str, record, view: str = "abstract") -> tuple[str, str]:
        """The equation `method` writes of `record`, in text and in LaTeX."""
        return str(getattr(text, method)(record, view)), str(getattr(latex, method)(record, view))

    deltas = []
    for definition in delta.define_deltas(graph):
        abstract, abstract_latex = both("delta_definition", definition)
        local, local_latex = both("delta_definition", definition, "local")
        deltas.append(
            {
                "name": definition.delta.name,
                "latex": definition.delta.latex,
                "definition": abstract,
                "definition_latex": abstract_latex,
                "local": local,
                "local_latex": local_latex,
            }
        )
    gradients = []
    for p in parameters or every:
        factored = delta.factor_gradient(graph, p.name)
        abstract, abstract_latex = both("factored_gradient", factored)
        local, local_latex = both("factored_gradient", factored, "local")
        gradients.append(
            {
                "parameter": p.name,
                "text": abstract,
                "latex": abstract_latex,
                "local": local,
                "local_latex": local_latex,
            }
        )
    document = {
        "architecture": network.architecture if network is not None else graph.graph["source"],
        "deltas": deltas,
        "gradients": gradients,
    }
    if network is not None and matrix:
        document["matrix_latex"] = [str(equation) for equation in latex.matrix_form(network)]
    if parameters:
        document["factoring"] = [
            {
                "parameter": p.name,
                "steps": [
                    dict(zip(("grouped_latex", "latex"), latex.step(step)))
                    for step in delta.factoring_steps(graph, p.name)
                ],
            }
            for p in parameters
        ]
    if ops is not None:
        document["ops"] = ops.as_dict()
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")
