"""``chainrule check``: hand-derived gradients and δs judged, each mistake named.

This module is imported when the command line is parsed, so it imports nothing heavy at the
top: SymPy and networkx come in with :func:`run_check`.

Examples
--------
>>> from chainrule.cli.entry import main
>>> main(["check", "2-2-2", "dJ/dtheta^(2)_11 = delta^(3)_1 * a^(2)_1"])
claim 1: dJ/dtheta^(2)_11 = delta^(3)_1 * a^(2)_1
  correct: proven: claim − true ≡ 0 (an exact symbolic proof)
0
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

DEFAULT_LIMIT = 10_000
MAX_FILE = 10_000_000  # characters of claims read from --file: far beyond any derivation
#: Claims judged in one run. A whole hand derivation is tens of claims (2-2-2: 8 weights and
#: 4 δs); a typical claim takes a few ms, 200 of them about 2 s, but each may use its proof
#: budget (about a second), so the count is refused before any is read.
MAX_CLAIMS_PER_RUN = 200


def add_check_parser(commands, network_options: argparse.ArgumentParser) -> None:
    """Register ``check`` with its options on the sub-parsers of the ``chainrule`` command."""
    parser = commands.add_parser(
        "check",
        parents=[network_options],
        help="check hand-derived gradients and deltas",
        description="Check claims such as 'dJ/dtheta^(1)_11 = delta^(2)_1 * x_1' or "
        "'delta^(3)_1 = (a^(3)_1 - y_1)/m * a^(3)_1*(1 - a^(3)_1)': each is proven "
        "correct, shown wrong with its mistake named, or reported as unknown. "
        "Exit status 0 when every claim is correct, 1 otherwise, 2 for bad input.",
    )
    parser.add_argument(
        "architecture",
        metavar="ARCH|GRAPH.json",
        help="layer sizes joined by '-' (e.g. 2-2-2) or a graph file",
    )
    parser.add_argument(
        "claims", nargs="*", metavar="CLAIM", help="an equation in text, unicode or LaTeX notation"
    )
    parser.add_argument(
        "--file",
        metavar="F",
        help="read claims from F, one per line ('-' for stdin; blank lines and "
        "lines starting with # are skipped)",
    )
    parser.add_argument(
        "--limit",
        type=_positive_int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"refuse a quantity with more than N chains (default {DEFAULT_LIMIT})",
    )
    parser.add_argument(
        "--format",
        choices=["text", "latex", "json"],
        default="text",
        help="text (default), latex or json",
    )
    parser.add_argument(
        "--json",
        dest="format",
        action="store_const",
        const="json",
        help="the same as --format json",
    )
    parser.set_defaults(run=run_check)
    _intermix(parser)


def _intermix(parser: argparse.ArgumentParser) -> None:
    """Let options and claims come in any order (``check 2-2-2 --json CLAIM``): argparse
    otherwise takes the positionals in one run and leaves claims after an option unmatched."""
    if not isinstance(parser, argparse.ArgumentParser):
        return  # a command not being run: its parser is a skeleton
    plain = type(parser).parse_known_args

    def parse_known_args(args=None, namespace=None):
        if getattr(parser, "_intermixing", False):  # the intermixed parse calls back in here
            return plain(parser, args, namespace)
        parser._intermixing = True  # type: ignore[attr-defined]  # a flag set on this parser
        try:
            return parser.parse_known_intermixed_args(args, namespace)
        finally:
            parser._intermixing = False  # type: ignore[attr-defined]  # as above

    parser.parse_known_args = parse_known_args  # type: ignore[method-assign]


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def _claims(args: argparse.Namespace) -> list[str]:
    from chainrule.cli.options import UsageError

    claims = list(args.claims)
    if args.file is not None:
        try:
            if args.file == "-":
                text = sys.stdin.read(MAX_FILE)
            else:
                with open(args.file, encoding="utf-8") as handle:
                    text = handle.read(MAX_FILE)
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise UsageError(f"cannot read claims from {args.file!r}: {reason}") from None
        claims += [
            line.strip()
            for line in text.splitlines()
            if line.strip() and not line.strip().startswith("#")
        ]
    if not claims:
        raise UsageError(
            "give at least one claim, e.g. 'dJ/dtheta^(1)_11 = delta^(2)_1 * x_1', or --file F"
        )
    if len(claims) > MAX_CLAIMS_PER_RUN:
        from chainrule.errors import TooLarge

        raise TooLarge(
            f"{len(claims):,} claims, more than the {MAX_CLAIMS_PER_RUN:,} one run checks; "
            f"split them into runs of at most {MAX_CLAIMS_PER_RUN:,}"
        )
    return claims


def run_check(args: argparse.Namespace, out: TextIO) -> int:
    from chainrule.cli.subject import resolve
    from chainrule.graph.spec import SpecError

    claims = _claims(args)
    subject = resolve(args.architecture, args)  # a graph file refuses --bias and the others
    from chainrule.verification import claims as judging

    graph = (
        judging.graph_for_network(subject.layered_network()) if subject.layered else subject.graph()
    )
    results = []
    for number, claim in enumerate(claims, start=1):
        try:
            results.append(judging.judge(graph, claim, limit=args.limit))
        except SpecError as error:
            prefix = f"claim {number}: " if len(claims) > 1 else ""
            raise SpecError(f"{prefix}{error}") from None
    records = [record for record, _ in results]
    if args.format == "json":
        from chainrule.cli.options import dump_json

        dump_json({"claims": records}, out)
    elif args.format == "latex":
        write_latex(records, out)
    else:
        write_text(graph, results, out)
    return 0 if all(record["verdict"] == "correct" for record in records) else 1


def _headline(record: dict) -> str:
    if record["verdict"] == "wrong":
        return f"wrong ({record['diagnosis']['kind']}): {record['diagnosis']['text']}"
    return f"{record['verdict']}: {record['detail']}"


def _evidence_line(record: dict) -> str | None:
    diagnosis = record["diagnosis"]
    if diagnosis is None or diagnosis["kind"] == "counterexample":
        return None
    evidence = diagnosis["evidence"]
    if diagnosis["kind"] in ("sign", "factor"):
        shown = f"claim = ({evidence['factor']}) * true"
    elif diagnosis["kind"] == "other_quantity":
        shown = f"claim = {evidence['quantity']}"
    elif diagnosis["kind"] in ("missing_chains", "extra_chains"):
        shown = "claim = the sum of the chains kept"
    else:
        shown = "the corrected claim = true"
    return f"  evidence: {shown}, {evidence['how']}"


def write_text(graph, results, out: TextIO) -> None:
    """Each claim as written, its verdict and diagnosis, the evidence and the true value."""
    from chainrule.verification.claims import printed_equation

    for number, (record, node) in enumerate(results, start=1):
        out.write(("\n" if number > 1 else "") + f"claim {number}: {record['claim']}\n")
        out.write(f"  {_headline(record)}\n")
        evidence = _evidence_line(record)
        if evidence:
            out.write(evidence + "\n")
        if record["verdict"] != "correct":
            out.write(f"  true: {printed_equation(graph, node, style='text')}\n")


def write_latex(records: list[dict], out: TextIO) -> None:
    """Each claim and the true value as display math, the verdict as a comment above them."""
    for number, record in enumerate(records, start=1):
        out.write(("\n" if number > 1 else "") + f"% claim {number}: {_headline(record)}\n")
        out.write(f"\\[\n{record['claim_latex']}\n\\]\n")
        if record["verdict"] != "correct":
            out.write(f"% the true value\n\\[\n{record['true_latex']}\n\\]\n")
