"""The chains of :mod:`chainrule.records.paths`, as text or JSON, and as a figure.

Examples
--------
>>> import sys
>>> from chainrule.records.paths import PathsRequest, compute
>>> text(compute(PathsRequest.of("1-1-1", param=["2,1,1"])), sys.stdout)
paths 1-1-1 (activation sigmoid, cost mse), 1 example, seed 0, weights from [-1, 1]
a chain's value: the product of its local derivatives at the case's numbers
<BLANKLINE>
dJ/dtheta^(2)_11 = +4.690911e-02   1 chain
  rank  value          share    sign  through
     1  +4.690911e-02  100.00%  +     a^(3)_1
  positive +4.690911e-02   negative +0.000000e+00   net +4.690911e-02
<BLANKLINE>
check: every gradient against the sum of its chain values
  agrees with numeric backprop, rtol 1e-09, atol 1e-12
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from chainrule import budget
from chainrule.errors import SpecError, TooLarge
from chainrule.files import atomic_path
from chainrule.lazy import optional
from chainrule.notation.table import format_table
from chainrule.present.documents import write_json
from chainrule.records.options import Option
from chainrule.records.paths import Aggregate, PathsRecord

PLOT_FORMATS = (".png", ".svg")
PLOT = Option(
    "plot",
    "draw chains and gradient by length (by lag with --by lag): .png or .svg",
    default=None,
    metavar="FILE",
)
_TITLES = {
    "length": "by length (terms per chain)",
    "layer": "by layer",
    "lag": "by lag (steps reached back)",
}


def _number(value: float) -> str:
    return f"{value:+.6e}"


def _share_text(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.2f}%"


def _through(graph, nodes: tuple) -> str:
    """The neurons a chain passes through, source to J: its activations, and a weighted input
    only where it fans out (into a softmax), so that no two chains read alike; a residual net's
    identity steps are left out (the branches it takes name the chain); every node of a graph
    file."""
    data, successors = graph.nodes, graph._succ

    def shown(node) -> bool:
        role = data[node].get("role", data[node]["kind"])
        return role in ("act", "node") or (role == "pre" and len(successors[node]) > 1)

    return " ".join(n for n in nodes[1:-1] if shown(n))


def _aggregate_table(aggregate: Aggregate) -> str:
    """The aggregate as a table; a resnet's inputs by length add the residual branches an
    input's chain of each length passes through."""
    body = [
        [
            row.key,
            row.count,
            _number(row.sum),
            f"{row.abs_sum:.6e}",
            f"{row.max_abs:.6e}",
            f"{aggregate.mean(row):.3e}",
            _share_text(aggregate.share(row)),
        ]
        for row in aggregate.rows
    ]
    headers = [
        aggregate.key_name,
        "chains",
        "sum",
        "abs_sum",
        "max_abs",
        "mean |value|",
        "share of abs_sum",
    ]
    if aggregate.branches_from is not None:
        headers.insert(1, "branches")
        for line, row in zip(body, aggregate.rows):
            line.insert(1, aggregate.branches(row))
    return format_table(headers, body)


def _peaks(aggregate: Aggregate) -> str:
    most_common, heaviest, key_name = aggregate.most_chains, aggregate.heaviest, aggregate.key_name
    return (
        f"most chains at {key_name} {most_common.key} ({most_common.count:,}); the largest "
        f"abs_sum at {key_name} {heaviest.key} ({heaviest.abs_sum:.3e})"
    )


def text(record: PathsRecord, out: TextIO) -> None:
    """The case, each gradient with its largest chains (or its totals past ``limit``), the
    aggregate asked for with ``by``, and the check against the reference gradients."""
    numbers, request = record.numbers, record.request
    graph = numbers.graph
    examples = f"{numbers.examples} example{'s' if numbers.examples != 1 else ''}"
    out.write(f"paths {numbers.title}, {examples}, {numbers.origin}\n")
    out.write(
        "a chain's value: the product of its local derivatives at the case's numbers"
        + (", summed over the examples" if numbers.examples > 1 else "")
        + "\n"
    )
    if not record.ranked:
        out.write(
            f"{record.chain_count:,} chains, more than "
            f"{budget.spelled('limit', f'{request.limit:,}')}: not ranked one by one (raise it "
            f"with {budget.spelled('limit', record.chain_count)});\nevery figure below "
            "comes from the dynamic programme"
            + (", positive and negative over per-example values" if numbers.examples > 1 else "")
            + "\n"
        )
    for gradient in record.gradients:
        count = gradient.count
        out.write(
            f"\ndJ/d{gradient.source} = {_number(gradient.gradient)}   {count:,} "
            f"chain{'s' if count != 1 else ''}\n"
        )
        ranking = gradient.ranking
        if ranking is not None:
            ranked = [
                [
                    rank,
                    _number(chain.value),
                    _share_text(gradient.share(chain.value)),
                    "+" if chain.value > 0 else "-" if chain.value < 0 else "0",
                    _through(graph, chain.nodes),
                ]
                for rank, chain in enumerate(ranking.top, start=1)
            ]
            table = format_table(["rank", "value", "share", "sign", "through"], ranked)
            out.write("".join(f"  {line}\n" for line in table.splitlines()))
            if ranking.count > len(ranking.top):
                shown = gradient.top_sum
                out.write(
                    f"  (the top {len(ranking.top)} of {ranking.count:,} chains add up to "
                    f"{_number(shown)}, {_share_text(gradient.share(shown))} of the "
                    "gradient)\n"
                )
        out.write(
            f"  positive {_number(gradient.positive)}   negative {_number(gradient.negative)}   "
            f"net {_number(gradient.gradient)}\n"
        )
    aggregate = record.aggregate(request.by) if request.by else None
    if aggregate is not None:
        out.write(
            f"\n{_TITLES[aggregate.key_name]}, over the {len(numbers.sources)} selected "
            f"{'inputs' if request.wrt == 'inputs' else 'parameters'}"
            + (" (abs_sum and max_abs over per-example values)" if numbers.examples > 1 else "")
            + ":\n"
        )
        out.write(_aggregate_table(aggregate) + "\n")
        if aggregate.key_name != "layer":
            out.write(_peaks(aggregate) + "\n")
    rtol, atol = numbers.tolerance
    # The error itself is rounding noise when it agrees (--json has it): not printed then, so
    # that the text is the same on every machine.
    verdict = (
        "agrees with" if record.ok else f"DISAGREES (largest error {record.max_abs_error:.2e}) with"
    )
    out.write(
        f"\ncheck: every gradient against the sum of its chain values\n  {verdict} "
        f"{numbers.reference_name}, rtol {rtol:g}, atol {atol:g}\n"
    )


def json(record: PathsRecord, out: TextIO) -> None:
    write_json(record.as_dict(), out)


PRESENTERS = {"text": text, "json": json}


# --- the figure --------------------------------------------------------------------------------


def check_plot(path: str) -> None:
    """Refuse, before any work, a figure chainrule cannot write: a file name without a known
    suffix, or matplotlib missing."""
    if Path(path).suffix.lower() not in PLOT_FORMATS:
        raise SpecError(
            f"cannot plot to {path!r}: the file name must end in {', '.join(PLOT_FORMATS)}"
        )
    optional("matplotlib.figure", "plotting", "plot")


def plot_key(record: PathsRecord) -> str:
    """What the figure is by: lag when the chains are aggregated by lag, else length."""
    return "lag" if record.request.by == "lag" else "length"


def plot(record: PathsRecord, path: str) -> None:
    """Chains and gradient by length (or lag), each on a log axis where the range needs it."""

    figures = optional("matplotlib.figure", "plotting", "plot")
    aggregate = record.aggregate(plot_key(record))
    assert aggregate is not None  # by lag is refused unless the lag table is computed
    rows = aggregate.rows
    keys = [row.key for row in rows]
    figure = figures.Figure(figsize=(7, 6))
    counts_axis, values_axis = figure.subplots(2, 1, sharex=True)
    counts = [row.count for row in rows]
    if max(counts) > sys.float_info.max:
        raise TooLarge(
            f"{record.architecture} has {len(str(max(counts)))}-digit chain counts, past "
            f"the 10^308 that a figure's axis can draw; leave out {budget.spelled('plot')}"
        )
    counts_axis.bar(keys, [float(c) for c in counts], color="tab:gray")
    if max(counts) / max(min(counts), 1) > 1e3:
        counts_axis.set_yscale("log")
    counts_axis.set_ylabel("chains")
    magnitudes = [row.abs_sum for row in rows]
    values_axis.plot(keys, magnitudes, "o-", color="tab:blue", label="abs_sum: Σ |chain value|")
    values_axis.plot(
        keys,
        [abs(row.sum) for row in rows],
        "s--",
        color="tab:orange",
        label="|sum of chain values|",
    )
    positive = [m for m in magnitudes if m > 0]
    if positive and max(positive) / min(positive) > 1e3:
        values_axis.set_yscale("log")
    values_axis.set_ylabel("gradient")
    values_axis.set_xlabel(
        {"length": "chain length (terms)", "lag": "lag (time steps reached back)"}[
            aggregate.key_name
        ]
    )
    values_axis.legend()
    counts_axis.set_title(
        f"{record.numbers.title}: chains and gradient by {aggregate.key_name}", fontsize=10
    )
    with atomic_path(path) as temporary:
        figure.savefig(
            temporary, format=Path(path).suffix[1:].lower(), bbox_inches="tight", dpi=150
        )
