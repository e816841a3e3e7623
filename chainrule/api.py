"""The commands from Python: one function per command, returning the record the command prints.

Each takes what the command line takes, with options as keywords (``max_graph=`` for
``--max-graph``), checks them the same way, refuses past the same budget with the same
:class:`~chainrule.errors.ChainruleError` (its advice naming keywords), and returns the command's
record: data to read, and ``as_dict()`` for the document ``--json`` prints.

Examples
--------
>>> import chainrule.api as api
>>> record = api.count(["1-1-1", "2-2-2"])
>>> [(row.label, row.chains, row.terms) for row in record.rows]
[('1-1-1', 2, 8), ('2-2-2', 12, 52)]
>>> record = api.chains("2-2-2", param=["1,1,1"], view="local")
>>> [len(list(group.chains)) for group in record.groups()]
[2]
>>> api.chains("2-2-2", limit=5)
Traceback (most recent call last):
...
chainrule.errors.TooLarge: the selection has 12 chains, more than limit=5; raise it with limit=12...
>>> [factoring.source.name for factoring in api.delta("2-2-2", param=["1,1,1"]).factorings]
['theta^(1)_11']
>>> record = api.verify("2-2-2", seed=1)
>>> record.ok, record.reference
(True, 'backprop')
>>> api.explain("2-2-2").factoring_steps, api.draw("2-2-2", param="2,1,1").total
(2, 1)
>>> api.report("1-1").focus
'theta^(1)_11'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chainrule.records import cases as cases_record
from chainrule.records import chains as chains_record
from chainrule.records import check as check_record
from chainrule.records import count as count_record
from chainrule.records import delta as delta_record
from chainrule.records import draw as draw_record
from chainrule.records import explain as explain_record
from chainrule.records import paths as paths_record
from chainrule.records import report as report_record
from chainrule.records import train as train_record
from chainrule.records import values as values_record
from chainrule.records import verify as verify_record
from chainrule.records import worked as worked_record


def count(architectures: Sequence[object] | object, **options: Any) -> count_record.CountRecord:
    """``chainrule count``: parameters, chains and terms of each architecture (layer sizes,
    ``rnn:``/``resnet:``, a graph file's path, a Network or a built graph); options
    ``bias``, ``activation``, ``cost``, ``max_graph``, ``by_layer``, ``ops``."""
    return count_record.compute(count_record.request(architectures, **options))


def chains(
    architecture: object = None, *, case: Any = None, **options: Any
) -> chains_record.ChainsRecord | chains_record.MatrixChainsRecord:
    """``chainrule chains``: every chain of the selected parameters (``param=["1,1,1"]``, all
    by default) or inputs (``wrt="inputs"``), in the ``view`` asked for (``view="matrix"``: a
    layer at a time, a :class:`~chainrule.records.chains.MatrixChainsRecord`;
    ``view="numbers"``: each chain with the numbers of ``case``, a case file's path or what
    :func:`case` makes, or of one drawn from ``examples``, ``seed`` and ``init_scale``, within
    ``max_numbers``); options ``bias``, ``activation``, ``cost``, ``max_graph``, ``param``,
    ``limit``, ``wrt``, ``view``.

    Examples
    --------
    >>> record = chains("examples/graphs/mazur.json", case="examples/cases/mazur.json",
    ...                 view="numbers", param=["w5"])
    >>> [round(chain.value, 9) for group in record.groups() for chain in group.numbers.chains]
    [0.082167041]
    """
    return chains_record.compute(chains_record.request(architecture, case=case, **options))


def train(
    architecture: object = None, *, case: Any = None, **options: Any
) -> train_record.TrainRecord:
    """``chainrule train``: gradient descent with the verified gradients, on layer sizes
    (``2-2-1`` by default) or a graph, from ``case`` (a case file's path, or what :func:`case`
    makes: its weights and its data) or from drawn weights; options ``bias``, ``activation``,
    ``cost``, ``max_graph``, ``examples``, ``seed``, ``init_scale``, ``max_numbers``,
    ``epochs``, ``lr``, ``init``, ``data`` (``xor``, ``random`` or a file's path), ``freeze``
    (parameters held), ``every`` (epochs shown), ``rnn_cost``."""
    return train_record.compute(train_record.request(architecture, case=case, **options))


def check(architecture: object, **options: Any) -> check_record.CheckRecord:
    """``chainrule check``: each claim (``claims=[...]``, and those of ``file=``, one a line)
    proven correct, shown wrong with its mistake named, or unknown; options ``bias``,
    ``activation``, ``cost``, ``max_graph``, ``claims``, ``file``, ``limit``. (The top-level
    ``chainrule.check(network, claim)`` judges one claim and returns its document.)"""
    return check_record.compute(check_record.request(architecture, **options))


def paths(architecture: object = None, **options: Any) -> paths_record.PathsRecord:
    """``chainrule paths``: which chains carry each selected gradient on one case (drawn from
    ``seed``, ``examples``, ``init_scale``, or read from ``case=``, a case file's path), ranked
    and aggregated by length, layer and lag; options ``bias``, ``activation``, ``cost``,
    ``max_graph``, ``case``, ``param``, ``wrt``, ``top``, ``limit``, ``by``, ``examples``,
    ``seed``, ``init_scale``, ``max_numbers``, ``rnn_cost``. ``chainrule.present.paths.plot``
    draws a record's figure."""
    return paths_record.compute(paths_record.request(architecture, **options))


def delta(
    architecture: object = None, *, case: Any = None, **options: Any
) -> delta_record.DeltaRecord | delta_record.MatrixDeltaRecord:
    """``chainrule delta``: every δ's definition and every gradient through the δs, or the
    factoring of the selected parameters (``param=["1,1,1"]``); with ``view="matrix"`` the δ
    recursion a layer at a time for a batch, every operand's shape (a
    :class:`~chainrule.records.delta.MatrixDeltaRecord`); with the numbers of ``case`` (a case
    file's path or what :func:`case` makes) or, with ``numbers=True``, of one drawn from
    ``examples``, ``seed`` and ``init_scale`` (within ``max_numbers``), every δ's value beside
    its formula; options ``bias``, ``activation``, ``cost``, ``max_graph``, ``param``, ``ops``,
    ``limit``, ``wrt``, ``view``.

    Examples
    --------
    >>> record = delta("examples/graphs/mazur.json", case="examples/cases/mazur.json")
    >>> document = record.as_dict()
    >>> [(d["name"], [round(v, 6) for v in d["value"]]) for d in document["deltas"][4:6]]
    [('delta_net_o1', [0.138499]), ('delta_net_o2', [-0.038098])]
    >>> round(record.numbers.gradient("w5"), 9)
    0.082167041
    """
    return delta_record.compute(delta_record.request(architecture, case=case, **options))


def case(architecture: object, values: Any, **options: Any) -> Any:
    """A case: the numbers of `architecture`'s leaves, named in `values` (a parameter one
    number, an input or a target one number per example: ``{"w1": 0.15, "i1": [0.05],
    "t1": [0.01]}``); for layer sizes the leaves are ``theta^(l)_jk``, ``x_k`` and ``y_i``.
    Options ``bias``, ``activation``, ``cost``, ``max_graph``, ``rnn_cost``. Every command
    that takes ``case=`` takes what this returns, and its ``as_dict()`` is the case file
    ``--case`` reads. See :func:`chainrule.records.cases.case`."""
    return cases_record.case(architecture, values, **options)


def verify(
    architecture: object = None, *, case: Any = None, **options: Any
) -> verify_record.VerifyRecord:
    """``chainrule verify``: one case's gradients by six methods, each compared with an
    independent reference; the case drawn at random (options ``examples``, ``seed``,
    ``init_scale``, ``max_numbers``), or ``case``: a case file's path, or a case made by
    :func:`case` (a layered network's :class:`~chainrule.numeric.case.Case`, a graph's
    :class:`~chainrule.verification.graphcase.GraphCase`). Also ``bias``, ``activation``,
    ``cost``, ``max_graph``, ``wrt``."""
    return verify_record.compute(verify_record.request(architecture, case=case, **options))


def draw(architecture: object, **options: Any) -> draw_record.DrawRecord:
    """``chainrule draw``: the picture of every chain of one weight (``param="1,1,1"``, the
    first by default; a name for a graph), as data; in Jupyter it shows itself, and
    ``chainrule.present.draw.save(record, path)`` writes it (.png, .svg, .pdf). Options
    ``bias``, ``activation``, ``cost``, ``max_graph``, ``param``, ``view``, ``delta``."""
    return draw_record.compute(draw_record.request(architecture, **options))


def report(
    architecture: object = None, *, case: Any = None, **options: Any
) -> report_record.ReportRecord | worked_record.WorkedRecord:
    """``chainrule report``: the records of the whole derivation of layer sizes (counts,
    chains, δ, operations, verification, the picture), or with ``case`` (a case file's path or
    what :func:`case` makes; layer sizes, graph files, ``rnn:`` and ``resnet:``) the worked
    example of that case (a :class:`~chainrule.records.worked.WorkedRecord`: the network and
    its numbers, the forward pass, the error, the backward pass output layer first, the update
    and the cost after it); ``chainrule.present.report.save(record, path)`` writes the
    document (.tex, .md, .html). Options ``bias``, ``activation``, ``cost``, ``max_graph``,
    ``param``, ``limit``, ``seed``; with a case ``lr``, ``freeze`` and ``max_numbers``.

    Examples
    --------
    >>> record = report("examples/graphs/mazur.json", case="examples/cases/mazur.json",
    ...                 freeze=["b1,b2"])
    >>> document = record.as_dict()
    >>> [entry["parameter"] for entry in document["backward"]][:2]
    ['w5', 'w6']
    >>> round(document["backward"][0]["gradient"], 9), round(document["step"]["cost_after"], 9)
    (0.082167041, 0.291027774)
    """
    return report_record.compute(report_record.request(architecture, case=case, **options))


def explain(architecture: object = "2-2-2", **options: Any) -> explain_record.ExplainRecord:
    """``chainrule explain``: the records of the guided tour of layer sizes (2-2-2 by
    default), following the chains of one weight (``param="1,1,1"``); sections past the
    tour's budget are left out and say why (``record.left_out``);
    ``chainrule.present.explain.text(record, out)`` tells it. Options ``bias``, ``activation``,
    ``cost``, ``max_graph``, ``param``, ``seed``."""
    return explain_record.compute(explain_record.request(architecture, **options))


def values(
    architecture: object = None, *, case: Any = None, **options: Any
) -> values_record.ValuesRecord:
    """``chainrule values``: one case's every number, as a worked example shows them: the
    forward pass, the cost and each output's part of it, every δ and every local factor per
    example, the gradients and one step of gradient descent (``lr``, ``freeze``). The case is
    ``case`` (a case file's path, or what :func:`case` makes) or drawn at random (``examples``,
    ``seed``, ``init_scale``); also ``bias``, ``activation``, ``cost``, ``max_graph``,
    ``max_numbers``, ``rnn_cost``.

    Examples
    --------
    >>> record = values("examples/graphs/tied.json", case=case(
    ...     "examples/graphs/tied.json", {"w": 0.5, "b": 0.0, "x": [1.0], "y": [0.0]}))
    >>> record.forward.by_name()["h"], round(record.cost, 6)
    ([0.6224593312018546], 0.31025)
    """
    return values_record.compute(values_record.request(architecture, case=case, **options))
