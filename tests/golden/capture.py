"""(Re)generate the golden corpus's expected records from the code as it is now.

Usage, from the repository root::

    python tests/golden/capture.py              # every command of commands.txt
    python tests/golden/capture.py --only 17    # command number 17 only (repeatable)
    python tests/golden/capture.py --check      # write nothing; list the records that differ

Each command runs in-process exactly as ``tests/test_golden.py`` replays it (both use
``tests/golden_support.py``), and a record counts as changed by the replay's own rule
(``tests/golden_compare.py``: text as text, numbers up to the rounding of their last digits), so
a capture on another machine rewrites only the records whose behaviour differs. Regenerate a
record only after a deliberate change of behaviour, and name the change in the commit message;
see ``tests/golden/README.md``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent


def _support():
    """The shared helper module, with this checkout's chainrule first on the path (not one
    installed elsewhere, which an editable install of another checkout would give)."""
    for directory in (TESTS, ROOT):
        if str(directory) in sys.path:
            sys.path.remove(str(directory))
        sys.path.insert(0, str(directory))
    import golden_compare
    import golden_support

    import chainrule

    where = Path(chainrule.__file__).resolve().parent
    if where != ROOT / "chainrule":
        raise SystemExit(f"capture.py: chainrule was imported from {where}, not from {ROOT}")
    return golden_support, golden_compare


def _abridged(numbers: list[int], shown: int = 20) -> str:
    """The first `shown` of `numbers`, comma-separated, and how many more there are."""
    text = ", ".join(map(str, numbers[:shown]))
    return text + (f" and {len(numbers) - shown} more" if len(numbers) > shown else "")


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, compare) the expected records; return the exit status."""
    support, compare = _support()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        type=int,
        action="append",
        metavar="N",
        help="regenerate command number N only (0-based; repeatable)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; report which records differ and exit 1 if any",
    )
    args = parser.parse_args(argv)
    commands = support.read_commands()
    chosen = sorted(set(args.only)) if args.only else range(len(commands))
    for index in chosen:
        if not 0 <= index < len(commands):
            parser.error(
                f"--only {index}: there are {len(commands)} commands, 0 to {len(commands) - 1}"
            )
    if not args.only and not args.check:
        support.EXPECTED.mkdir(parents=True, exist_ok=True)
        wanted = {support.expected_path(i).name for i in chosen}
        for stale in support.EXPECTED.glob("*.json"):
            if stale.name not in wanted:
                stale.unlink()
    differing = []
    started = time.perf_counter()
    for index in chosen:
        record = support.run_command(commands[index])
        path = support.expected_path(index)
        # The replay's own rule decides: a record that differs from the old one only by the
        # rounding of another machine is the same behaviour, and is left as it is.
        old = support.load_record(index) if path.exists() else None
        changed = old is None or bool(compare.differences(old, record))
        if changed:
            differing.append(index)
            if not args.check:
                path.write_text(support.dump_record(record), encoding="utf-8")
        print(
            f"{index:03d} exit {record['exit']}  {'changed' if changed else 'same   '}  "
            f"{commands[index]}",
            file=sys.stderr,
        )
    elapsed = time.perf_counter() - started
    print(
        f"{len(chosen)} command(s) in {elapsed:.1f} s; {len(differing)} record(s) "
        f"{'differ' if args.check else 'written anew'}"
        + (f": {_abridged(differing)}" if differing else ""),
        file=sys.stderr,
    )
    return 1 if args.check and differing else 0


if __name__ == "__main__":
    sys.exit(main())
