r"""The verdicts of :mod:`chainrule.records.check`, as text, LaTeX or JSON.

Examples
--------
>>> import sys
>>> from chainrule.records.check import CheckRequest, compute
>>> record = compute(CheckRequest.of("2-2-2", claims=["dJ/dtheta^(2)_11 = 0"]))
>>> text(record, sys.stdout)
claim 1: dJ/dtheta^(2)_11 = 0
  wrong (missing_chains): ...
  evidence: claim = the sum of the chains kept, ...
  true: dJ/dtheta^(2)_11 = delta^(3)_1 * a^(2)_1
"""

from __future__ import annotations

from typing import Any, TextIO

from chainrule.present.documents import write_json
from chainrule.records.check import CheckRecord


def headline(document: dict[str, Any]) -> str:
    """``wrong (sign): ...``, or the verdict and what was proven or why it cannot be told."""
    if document["verdict"] == "wrong":
        return f"wrong ({document['diagnosis']['kind']}): {document['diagnosis']['text']}"
    return f"{document['verdict']}: {document['detail']}"


def evidence_line(document: dict[str, Any]) -> str | None:
    """What shows the diagnosis, and how it was found; None for a counterexample (the true
    value below shows it) or a claim with no diagnosis."""
    diagnosis = document["diagnosis"]
    if diagnosis is None or diagnosis["kind"] == "counterexample":
        return None
    evidence = diagnosis["evidence"]
    if "shown" in evidence:  # a matrix claim's evidence says what it shows
        return f"  evidence: {evidence['shown']}, {evidence['how']}"
    if diagnosis["kind"] in ("sign", "factor"):
        shown = f"claim = ({evidence['factor']}) * true"
    elif diagnosis["kind"] == "other_quantity":
        shown = f"claim = {evidence['quantity']}"
    elif diagnosis["kind"] in ("missing_chains", "extra_chains"):
        shown = "claim = the sum of the chains kept"
    else:
        shown = "the corrected claim = true"
    return f"  evidence: {shown}, {evidence['how']}"


def text(record: CheckRecord, out: TextIO) -> None:
    """Each claim as written, its verdict and diagnosis, the evidence and the true value; a
    claim that could not be read is left to its error line."""
    first = True
    for number, verdict in enumerate(record.verdicts, start=1):
        if verdict.unreadable:
            continue
        document = verdict.document
        out.write(("" if first else "\n") + f"claim {number}: {document['claim']}\n")
        first = False
        out.write(f"  {headline(document)}\n")
        evidence = evidence_line(document)
        if evidence:
            out.write(evidence + "\n")
        if verdict.true_text is not None:
            out.write(f"  true: {verdict.true_text}\n")


def latex(record: CheckRecord, out: TextIO) -> None:
    """Each claim and the true value as display math, the verdict as a comment above them."""
    first = True
    for number, verdict in enumerate(record.verdicts, start=1):
        if verdict.unreadable:
            continue
        document = verdict.document
        out.write(("" if first else "\n") + f"% claim {number}: {headline(document)}\n")
        first = False
        out.write(f"\\[\n{document['claim_latex']}\n\\]\n")
        if not verdict.correct:
            out.write(f"% the true value\n\\[\n{document['true_latex']}\n\\]\n")


def json(record: CheckRecord, out: TextIO) -> None:
    write_json(record.as_dict(), out)


PRESENTERS = {"text": text, "latex": latex, "json": json}
