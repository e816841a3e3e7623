"""ARCH and the network options of a parsed command line, as the subject a record is about.

What ARCH means is worked out below the command line, in :mod:`chainrule.records.subject`; this
module only reads the parsed arguments into a :class:`~chainrule.records.subject.SubjectRequest`.

Examples
--------
>>> import argparse
>>> options = argparse.Namespace(bias=False, activation="sigmoid", cost="mse")
>>> subject = resolve("2-2-2", options)
>>> subject.label, subject.totals("parameters", ["1,1,1", "2,1,1"])
('2-2-2', (3, 13))
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from chainrule import budget, rules
from chainrule.records.subject import (
    Source,
    Subject,
    SubjectRequest,
    is_graph_file,
    names_a_graph,
)
from chainrule.records.subject import resolve as resolve_subject

__all__ = ["Source", "Subject", "graph_sources", "is_graph_file", "names_a_graph", "resolve"]


def subject_request(architecture: object, options: argparse.Namespace) -> SubjectRequest:
    """The subject named by ARCH and the network options among parsed `options`."""
    return SubjectRequest(
        architecture=architecture,
        bias=getattr(options, "bias", False),
        activation=getattr(options, "activation", rules.DEFAULT_ACTIVATION),
        cost=getattr(options, "cost", rules.DEFAULT_COST),
        max_graph=getattr(options, "max_graph", budget.DEFAULT_MAX_GRAPH),
        rnn_cost=getattr(options, "rnn_cost", None),
    )


def resolve(
    architecture: str,
    options: argparse.Namespace,
    command: str | None = None,
    layers_only: bool = False,
) -> Subject:
    """Work out what ARCH means, with the network options among parsed `options`."""
    return resolve_subject(subject_request(architecture, options), command, layers_only)


def graph_sources(graph, wrt: str, texts: Sequence[str] = ()) -> list[Source]:
    """The sources of a built graph chosen by name (all of `wrt`'s kind by default)."""
    return Subject(label=graph.graph.get("source", "the graph"), _graph=graph).sources(wrt, texts)
