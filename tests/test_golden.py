"""The golden corpus: every command of tests/golden/commands.txt does what it did.

Each command is replayed in-process by ``golden_support.run_command`` (the code that captured
the expected records) and its exit status, stdout, stderr and written files are compared with
``tests/golden/expected/NNN.json`` by ``golden_compare.differences``: text as text, numbers as
numbers (up to the rounding of their last digits), and the error figures of a verification row
that agrees as "within tolerance", so that the corpus records chainrule's behaviour rather than
the floating-point rounding of the machine it was captured on. A difference is a change of
behaviour: fix it, or, if it was meant, regenerate that record as tests/golden/README.md says.
"""

import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import golden_compare
import pytest
from golden_compare import DRAWN_WITH, differences
from golden_support import expected_path, load_record, read_commands, run_command

COMMANDS = read_commands()


def test_corpus_is_complete():
    """One expected record per command, and no record left over from a removed command."""
    assert len(COMMANDS) >= 75
    records = sorted(path.name for path in expected_path(0).parent.glob("*.json"))
    assert records == [expected_path(i).name for i in range(len(COMMANDS))]


@pytest.mark.parametrize("index", range(len(COMMANDS)), ids=COMMANDS)
def test_command_behaves_as_recorded(index):
    line = COMMANDS[index]
    expected = load_record(index)
    actual = run_command(line)
    found = differences(expected, actual)
    assert not found, (
        f"`chainrule {line}` (command {index}, {expected_path(index).name}) "
        f"changed:\n" + "\n".join(found)
    )


def _replace_once(record: dict, old: str, new: str) -> dict:
    assert old in record["stdout"], old
    return dict(record, stdout=record["stdout"].replace(old, new, 1))


def test_a_real_change_still_fails():
    """The comparison forgives rounding, not behaviour: a flipped sign, a changed digit that
    rounding cannot explain, a verdict, a count or a word each fail it."""
    verify = load_record(COMMANDS.index("verify 2-2-1 --bias --seed 3"))
    assert differences(verify, dict(verify)) == []
    gradient = "-4.565625342419e-03"
    changes = [
        (gradient, gradient.replace("-", "+")),  # a sign
        (gradient, "-4.565625442419e-03"),  # a digit far above the last
        ("atol 1e-12  agrees\nfinite", "atol 1e-12  DISAGREES\nfinite"),  # a verdict
        ("cost J = 0.0499553129995", "cost J = 0.0499553129995 "),  # a space
    ]
    for old, new in changes:
        assert differences(verify, _replace_once(verify, old, new)), (old, new)
    counts = load_record(COMMANDS.index("count 1-1-1 2-2-2 784-512-512-10"))
    assert differences(counts, _replace_once(counts, "52", "53"))  # a count


def test_rounding_of_another_machine_is_forgiven():
    """What another CPU's sum order changes: the error figures of an agreeing row, and the last
    digits of a decided value."""
    verify = load_record(COMMANDS.index("verify 2-2-1 --bias --seed 3"))
    for old, new in [
        ("1.73e-18       7.42e-16 ", "1.73e-18       1.36e-15 "),
        ("9.65e-14", "1.02e-13"),
        ("-4.565625342419e-03", "-4.565625342418e-03"),
    ]:
        assert differences(verify, _replace_once(verify, old, new)) == [], (old, new)


ANOTHER_CPU = {
    # OpenBLAS's kernels for an old x86 CPU (SSE3 only) and numpy's SIMD loops cut back to its
    # baseline: the sums of products round as they would on another kind of machine.
    "OPENBLAS_CORETYPE": "Prescott",
    "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
}


def test_the_pictures_were_drawn_by_the_matplotlib_named():
    """golden_compare compares a picture exactly only with the matplotlib that drew the
    records' pictures, so that release must be the one every recorded SVG names."""
    drawn_with = {
        re.search(r"Matplotlib v([^,]+),", text).group(1)
        for index in range(len(COMMANDS))
        for name, text in load_record(index)["files"].items()
        if name.endswith(".svg")
    }
    assert drawn_with == {DRAWN_WITH}


def test_a_picture_of_another_matplotlib_is_compared_by_what_it_draws(monkeypatch):
    """Drawn by another matplotlib, a picture may move every coordinate (matplotlib 3.8 lays
    the labels out 2 pt shorter than 3.11) but not change what it draws: its lines, their
    colours and widths, or a label."""
    monkeypatch.setattr(golden_compare, "_drawn_with", lambda: "3.8.0")
    record = load_record(COMMANDS.index("draw 2-2-2 --param 1,1,1 -o net.svg"))
    picture = record["files"]["net.svg"]

    def drawn(svg: str) -> dict:
        return dict(record, files={"net.svg": svg})

    def move(geometry: re.Match) -> str:
        return re.sub(r"\d+\.\d+", lambda x: f"{float(x.group(0)) - 2.06:.4f}", geometry.group(0))

    moved = re.sub(r'\b(?:d|x|y|height|viewBox|transform)="[^"]*"', move, picture)
    assert moved != picture
    assert differences(record, drawn(moved)) == []
    for old, new in [
        ("stroke: #1f77b4; stroke-opacity: 0.9", "stroke: #2ca02c; stroke-opacity: 0.9"),
        ("stroke-width: 2.2", "stroke-width: 1.2"),
        ("<!-- (1) -->", "<!-- (3) -->"),
        ('<g id="line2d_1">', '<g id="patch_99">'),
    ]:
        assert old in picture, old
        assert differences(record, drawn(picture.replace(old, new, 1))), (old, new)
    monkeypatch.setattr(golden_compare, "_drawn_with", lambda: DRAWN_WITH)
    assert differences(record, drawn(moved))  # by the same matplotlib, exactly


@pytest.mark.skipif(
    platform.machine() not in ("x86_64", "AMD64"),
    reason="the other kind of CPU is simulated with x86 kernels",
)
def test_corpus_holds_on_another_kind_of_cpu():
    """The corpus replayed as if on another CPU (another BLAS kernel, other SIMD loops) shows the
    same behaviour: the records describe chainrule, not the machine they were captured on."""
    import numpy

    environment = dict(os.environ, **ANOTHER_CPU)
    if numpy.__version__.startswith("1."):  # numpy 1 names its CPU features otherwise
        environment["NPY_DISABLE_CPU_FEATURES"] = "AVX512F AVX512_SKX AVX512_ICL AVX2 FMA3"
    done = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "golden" / "capture.py"), "--check"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
