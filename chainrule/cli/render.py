"""Writers for ``chainrule chains``: one per output format, each streaming as chains arrive.

A group is ``(parameter, chains)`` with `chains` an iterator; nothing here holds more than one
parameter's chains, except the closed view, which must add them up. The abstract text view
needs no SymPy; the others import :mod:`chainrule.notation.printing` when first asked.
"""

from __future__ import annotations

import json
from typing import Iterable, Iterator, TextIO

import networkx as nx

from chainrule.graph.chains import Chain
from chainrule.graph.spec import ParameterIndex

Group = tuple[ParameterIndex, Iterator[Chain]]


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _heading(parameter: ParameterIndex, chains: int, terms: int) -> str:
    return f"dJ/d{parameter.name}: {_count(chains, 'chain')}, {_count(terms, 'term')}"


def write_text(graph: nx.DiGraph, groups: Iterable[tuple[Group, int, int]], out: TextIO,
               view: str = "abstract", unicode: bool = False) -> None:
    """A heading per parameter, then one chain per line (or the closed expression)."""
    if view != "abstract" or unicode:
        from chainrule.notation import printing
    for number, ((parameter, chains), chain_count, terms) in enumerate(groups):
        out.write(("\n" if number else "") + _heading(parameter, chain_count, terms) + "\n")
        if view == "closed":
            out.write("  " + printing.gradient_text(graph, parameter.name, chains, "closed",
                                                    unicode=unicode) + "\n")
            continue
        for chain in chains:
            line = chain.text if view == "abstract" and not unicode else printing.chain_text(
                graph, chain, view, unicode=unicode)
            out.write(f"  {line}\n")


def write_latex(graph: nx.DiGraph, groups: Iterable[tuple[Group, int, int]], out: TextIO,
                view: str = "abstract") -> None:
    """One display-math ``aligned`` block per parameter, each chain on its own line."""
    from chainrule.notation import printing

    for number, ((parameter, chains), chain_count, terms) in enumerate(groups):
        out.write(("\n" if number else "") + "% " + _heading(parameter, chain_count, terms) + "\n")
        out.write("\\[\n" + printing.gradient_latex(graph, parameter.name, chains, view) + "\n\\]\n")


def _factor_json(graph: nx.DiGraph, factor, view: str) -> dict:
    document = factor.as_dict()
    if view == "local":
        from chainrule.notation import printing

        document["formula"] = printing.formula_text(graph, factor)
        document["formula_latex"] = printing.formula_latex(graph, factor)
    return document


def write_json(graph: nx.DiGraph, groups: Iterable[tuple[Group, int, int]], out: TextIO,
               view: str = "abstract") -> None:
    """One JSON list, streamed: ``[{"parameter", "chains": [[factor, ...], ...]}, ...]``.

    With the local view each factor adds ``formula`` and ``formula_latex``; with the closed view
    each parameter adds ``closed`` and ``closed_latex``.
    """
    out.write("[")
    for number, ((parameter, chains), _, _) in enumerate(groups):
        out.write(("," if number else "") + "\n  " +
                  f'{{"parameter": {json.dumps(parameter.name)}, ')
        if view == "closed":
            from chainrule.notation import printing
            from chainrule.calculus import symbolic

            chains = list(chains)
            closed = symbolic.closed_sum(graph, chains)
            out.write(f'"closed": {json.dumps(printing.text_printer().doprint(closed))}, '
                      f'"closed_latex": '
                      f'{json.dumps(printing.latex_printer(graph).doprint(closed))}, ')
        out.write('"chains": [')
        for chain_number, chain in enumerate(chains):
            factors = json.dumps([_factor_json(graph, factor, view) for factor in chain],
                                 ensure_ascii=False)
            out.write(("," if chain_number else "") + "\n    " + factors)
        out.write("\n  ]}")
    out.write("\n]\n")


# --- chainrule delta ----------------------------------------------------------------------------

def _ops_rows(ops) -> list[list]:
    return [["expanded path sum", ops.expanded.multiplications, ops.expanded.additions],
            ["reverse mode (delta)", ops.reverse.multiplications, ops.reverse.additions],
            ["forward mode", ops.forward.multiplications, ops.forward.additions]]


def ops_table(ops) -> str:
    from chainrule.notation.table import format_table

    return format_table(["every gradient by", "multiplications", "additions"], _ops_rows(ops))


def write_equations(equations: list[tuple[str, list[str]]], out: TextIO, latex: bool) -> None:
    """Each ``(lhs, [rhs, rhs, ...])`` as one equation continued line by line: aligned on '='
    in LaTeX, with the left side blanked on continuation lines in text."""
    if latex:
        lines = [rf"{lhs} &= {rhs}" if number == 0 else rf"&= {rhs}"
                 for lhs, sides in equations for number, rhs in enumerate(sides)]
        out.write("\\[\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n\\]\n")
        return
    for lhs, sides in equations:
        for number, rhs in enumerate(sides):
            out.write(f"{lhs if number == 0 else ' ' * len(lhs)} = {rhs}\n")


def write_delta_text(graph: nx.DiGraph, network, every, parameters, out: TextIO, style,
                     ops=None, matrix: bool = True) -> None:
    """δ definitions and factored gradients (of `every` source), or the factoring of the chosen
    `parameters`; the layer-at-a-time form when there is a layered `network`."""
    from chainrule.calculus import delta
    from chainrule.notation import delta_printing as dp

    latex = style.latex
    heading = (lambda text: out.write(f"% {text}\n")) if latex else (
        lambda text: out.write(f"{text}\n"))
    if parameters:
        for number, parameter in enumerate(parameters):
            steps = delta.factoring_steps(graph, parameter.name)
            sides = []
            for step in steps:
                grouped, replaced = dp.step_lines(graph, step, style)
                sides += [side for side in (grouped, replaced) if side is not None]
            sides.append(dp.factored_gradient(graph, parameter.name, style, "local").rhs)
            if number:
                out.write("\n")
            heading(f"factoring dJ/d{parameter.name}: its {_count(len(steps[0].terms), 'chain')} "
                    "grouped into delta terms, one layer of weighted inputs at a time")
            write_equations([(dp.gradient_lhs(graph, parameter.name, style), sides)], out, latex)
    else:
        def both_views(equation_of) -> list[tuple[str, list[str]]]:
            abstract, local = equation_of("abstract"), equation_of("local")
            return [(abstract.lhs, [abstract.rhs, local.rhs])]

        heading("delta^(l)_j = dJ/dz^(l)_j, from the output layer down" if network is not None
                else "delta_v = dJ/dv for every computed node v, from the cost down")
        write_equations([pair for node in delta.delta_nodes(graph) for pair in both_views(
            lambda view: dp.delta_definition(graph, node, style, view))], out, latex)
        out.write("\n")
        heading("every gradient through the deltas of the nodes it feeds")
        write_equations([pair for p in every for pair in both_views(
            lambda view: dp.factored_gradient(graph, p.name, style, view))], out, latex)
        if network is not None and matrix:
            out.write("\n")
            heading("the same, a layer at a time")
            write_equations([(eq.lhs, [eq.rhs]) for eq in dp.matrix_form(network, style)], out,
                            latex)
    if ops is not None:
        table = ops_table(ops)
        out.write("\n" + ("\n".join("% " + line for line in table.splitlines()) if latex else table)
                  + "\n")


def write_delta_json(graph: nx.DiGraph, network, every, parameters, out: TextIO, ops=None,
                     matrix: bool = True) -> None:
    from chainrule.calculus import delta
    from chainrule.notation import delta_printing as dp

    latex, text = dp.Style(latex=True), dp.Style.text()
    document = {
        "architecture": network.architecture if network is not None else graph.graph["source"],
        "deltas": [{"name": delta.delta_name(graph, node), "latex": delta.delta_latex(graph, node),
                    "definition": str(dp.delta_definition(graph, node, text)),
                    "definition_latex": str(dp.delta_definition(graph, node, latex)),
                    "local": str(dp.delta_definition(graph, node, text, "local")),
                    "local_latex": str(dp.delta_definition(graph, node, latex, "local"))}
                   for node in delta.delta_nodes(graph)],
        "gradients": [{"parameter": p.name,
                       "text": str(dp.factored_gradient(graph, p.name, text)),
                       "latex": str(dp.factored_gradient(graph, p.name, latex)),
                       "local": str(dp.factored_gradient(graph, p.name, text, "local")),
                       "local_latex": str(dp.factored_gradient(graph, p.name, latex, "local"))}
                      for p in (parameters or every)],
    }
    if network is not None and matrix:
        document["matrix_latex"] = [str(equation) for equation in dp.matrix_form(network, latex)]
    if parameters:
        document["factoring"] = [
            {"parameter": p.name,
             "steps": [dict(zip(("grouped_latex", "latex"), dp.step_lines(graph, step, latex)))
                       for step in delta.factoring_steps(graph, p.name)]}
            for p in parameters]
    if ops is not None:
        document["ops"] = ops.as_dict()
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")
