"""Output paths: a regular file or nothing; inputs: regular files of bounded size."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from chainrule.errors import OutputRefused, SpecError
from chainrule.files import atomic_path, output_path, read_json, write_text_atomically


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def test_devices_fifos_and_directories_are_refused_and_left_alone(tmp_path, fifo):
    for path, kind in [
        ("/dev/full", "it is a device"),
        ("/dev/null", "it is a device"),
        (str(fifo), "it is a FIFO"),
        (str(tmp_path), "Is a directory"),
    ]:
        with pytest.raises(OutputRefused, match=kind):
            write_text_atomically(path, "x")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode) and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no temporary left behind


def test_a_read_only_file_is_refused_even_for_root(tmp_path):
    path = tmp_path / "locked.json"
    path.write_text("old")
    path.chmod(0o444)
    with pytest.raises(OutputRefused, match="the file is read-only"):
        write_text_atomically(path, "new")
    assert path.read_text() == "old" and stat.S_IMODE(path.stat().st_mode) == 0o444


def test_a_symlink_is_written_through_and_the_mode_is_kept(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_text_atomically(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "made.txt")
    write_text_atomically(dangling, "made")
    assert dangling.is_symlink() and (tmp_path / "made.txt").read_text() == "made"


def test_a_symlink_to_a_device_is_refused(tmp_path):
    link = tmp_path / "zero"
    link.symlink_to("/dev/zero")
    with pytest.raises(OutputRefused, match="cannot write .*zero': it is a device"):
        output_path(link)


def test_a_failed_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(path) as temporary:
            temporary.write_text("half")
            raise RuntimeError
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda tmp: "/dev/zero", "it is a device, not a regular file"),
        (lambda tmp: str(tmp), "it is a directory"),
        (lambda tmp: str(tmp / "missing.json"), "No such file or directory"),
    ],
)
def test_inputs_must_be_regular_files(tmp_path, make, message):
    with pytest.raises(SpecError, match=message):
        read_json(make(tmp_path), "case file")


def test_input_symlinks_to_devices_and_fifos_are_refused_at_once(tmp_path, fifo):
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(SpecError, match="it is a device"):
        read_json(link, "graph file")
    with pytest.raises(SpecError, match="it is a FIFO"):  # opening it would wait for a writer
        read_json(fifo, "graph file")


def test_inputs_are_read_up_to_a_cap(tmp_path):
    path = tmp_path / "big.json"
    path.write_text("[" + "0," * 600 + "0]")
    assert len(read_json(path, "data file")) == 601
    with pytest.raises(SpecError, match="is larger than the 1,000 bytes a data file may be"):
        read_json(path, "data file", limit=1_000)
    path.write_text("[" + "1" * 5000 + "]")
    with pytest.raises(SpecError, match="holds an integer too long to read"):
        read_json(path, "case file")


def test_cli_output_targets_are_refused_and_unchanged(run_cli, tmp_path, fifo):
    locked = tmp_path / "locked.json"
    locked.write_text("{}")
    locked.chmod(0o444)
    for target, message in [
        ("/dev/full", "cannot write '/dev/full': it is a device"),
        (str(fifo), "it is a FIFO"),
        (str(locked), "read-only"),
        (str(tmp_path / "no" / "c.json"), "No such file or directory"),
    ]:
        status, out, err = run_cli("verify", "2-2-2", "--save-case", target, expect=2)
        assert (status, out) == (2, "") and message in err and err.count("\n") == 1
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode) and locked.read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["locked.json", "pipe"]


def test_report_never_replaces_a_side_file_it_did_not_write(run_cli, tmp_path):
    pytest.importorskip("matplotlib")
    document, figure = tmp_path / "r.md", tmp_path / "r-figure.png"
    figure.write_text("someone's picture")
    status, _, err = run_cli("report", "1-1", "-o", str(document), expect=2)
    assert status == 2 and f"the report's figure would replace '{figure}'" in err
    assert figure.read_text() == "someone's picture" and not document.exists()
    figure.unlink()
    status, out, _ = run_cli("report", "1-1", "-o", str(document))
    assert status == 0 and out == f"wrote {document}, {figure}\n"
    assert figure.read_bytes().startswith(b"\x89PNG")
    status, _, _ = run_cli("report", "1-1", "-o", str(document))  # its own figure: replaced
    assert status == 0


def test_a_report_knows_its_figure_by_the_mark_it_wrote_not_by_the_old_document(run_cli, tmp_path):
    """report 2-2-2 -o notes.md replaced an unrelated notes-figure.png because the old
    notes.md happened to mention that name: a figure is the report's own only if its metadata
    carries the report's mark."""
    pytest.importorskip("matplotlib")
    from chainrule.present.report import figure_mark, mark

    document, figure = tmp_path / "notes.md", tmp_path / "notes-figure.png"
    document.write_text("my notes; see notes-figure.png\n")
    figure.write_bytes(b"\x89PNG\r\n\x1a\nsomeone else's picture")
    status, _, err = run_cli("report", "2-2-2", "-o", str(document), expect=2)
    assert status == 2 and f"the report's figure would replace '{figure}'" in err
    assert figure.read_bytes().endswith(b"someone else's picture")
    assert document.read_text() == "my notes; see notes-figure.png\n"
    figure.unlink()
    run_cli("report", "2-2-2", "-o", str(document))
    assert figure_mark(figure) == mark("notes.md") == "chainrule report figure of notes.md"
    run_cli("report", "1-1", "-o", str(document))  # its own figure: replaced
    assert figure_mark(figure) == mark("notes.md") and "1-1" in document.read_text()
    # A figure of another document (renamed to this one's figure) is not this report's.
    other = tmp_path / "other.md"
    run_cli("report", "1-1", "-o", str(other))
    (tmp_path / "other-figure.png").replace(figure)
    status, _, err = run_cli("report", "1-1", "-o", str(document), expect=2)
    assert status == 2 and "not the figure of" in err


def test_a_tex_report_marks_its_pdf_figure(run_cli, tmp_path):
    pytest.importorskip("matplotlib")
    from chainrule.present.report import figure_mark, mark

    document, figure = tmp_path / "my (first) notes.tex", tmp_path / "my (first) notes-figure.pdf"
    run_cli("report", "1-1", "-o", str(document))
    assert figure_mark(figure) == mark("my (first) notes.tex")
    run_cli("report", "1-1", "-o", str(document))  # replaced: it carries the mark
    figure.write_bytes(b"%PDF-1.4 someone else's /Subject (chainrule report figure) document")
    status, _, err = run_cli("report", "1-1", "-o", str(document), expect=2)
    assert status == 2 and "has no such mark" in err


def test_sigterm_while_a_report_writes_leaves_neither_temporary(tmp_path):
    """The document's temporary is written, the figure's is being drawn: SIGTERM (an exception
    in the main thread, see chainrule.cli.terminal) removes both, and replaces nothing."""
    pytest.importorskip("matplotlib")
    probe = (
        "import os, signal, sys\n"
        "import chainrule.present.draw as draw\n"
        "def dying(record, target, *rest):\n"
        "    open(target, 'wb').write(b'half a picture')\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    signal.pause()\n"
        "draw.render = dying\n"
        "from chainrule.cli.entry import main\n"
        "sys.exit(main(['report', '1-1', '-o', sys.argv[1]]))\n"
    )
    document = tmp_path / "notes.md"
    document.write_text("the old notes")
    done = subprocess.run(
        [sys.executable, "-c", probe, str(document)], capture_output=True, timeout=120
    )
    assert done.returncode == 143
    assert [p.name for p in tmp_path.iterdir()] == ["notes.md"]
    assert document.read_text() == "the old notes"


def test_report_leaves_no_orphan_figure_when_it_refuses(run_cli, tmp_path):
    pytest.importorskip("matplotlib")
    locked = tmp_path / "r.tex"
    locked.write_text("mine")
    locked.chmod(0o444)
    (tmp_path / "d.md").mkdir()
    for target in (locked, tmp_path / "d.md"):
        status, _, err = run_cli("report", "1-1", "-o", str(target), expect=2)
        assert status == 2 and err.startswith("chainrule: error: cannot write")
    status, _, err = run_cli(
        "report", "2-2-2", "--limit", "1", "-o", str(tmp_path / "x.md"), expect=2
    )
    assert status == 2 and "--limit" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.md", "r.tex"]
