"""Writers for ``chainrule chains``: one per output format, each streaming as chains arrive.

A group is ``(parameter, chains)`` with `chains` an iterator; nothing here holds more than one
parameter's chains, except the closed view, which must add them up. The abstract text view
needs no SymPy; the others import :mod:`chainrule.printing` when first asked.
"""

from __future__ import annotations

import json
from typing import Iterable, Iterator, TextIO

import networkx as nx

from chainrule.chains import Chain
from chainrule.spec import ParameterIndex

Group = tuple[ParameterIndex, Iterator[Chain]]


def _heading(parameter: ParameterIndex, chains: int, terms: int) -> str:
    plural = "" if chains == 1 else "s"
    return f"dJ/d{parameter.name}: {chains:,} chain{plural}, {terms:,} terms"


def write_text(graph: nx.DiGraph, groups: Iterable[tuple[Group, int, int]], out: TextIO,
               view: str = "abstract", unicode: bool = False) -> None:
    """A heading per parameter, then one chain per line (or the closed expression)."""
    if view != "abstract" or unicode:
        from chainrule import printing
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
    from chainrule import printing

    for number, ((parameter, chains), chain_count, terms) in enumerate(groups):
        out.write(("\n" if number else "") + "% " + _heading(parameter, chain_count, terms) + "\n")
        out.write("\\[\n" + printing.gradient_latex(graph, parameter.name, chains, view) + "\n\\]\n")


def _factor_json(graph: nx.DiGraph, factor, view: str) -> dict:
    document = factor.as_dict()
    if view == "local":
        from chainrule import printing

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
            from chainrule import printing, symbolic

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
