import json
import os
import subprocess
import sys

import pytest
from shared import HAND_DERIVATION_THETA_1_11

from chainrule.cli.entry import build_parser


def _numbers(line: str) -> list[int]:
    return [int(cell.replace(",", "")) for cell in line.split() if cell.replace(",", "").isdigit()]


def test_count_table(run_cli):
    status, out, err = run_cli("count", "1-1-1", "2-2-2")
    assert status == 0 and err == ""
    header, one, two = out.splitlines()
    assert header.split() == ["architecture", "parameters", "chains", "terms"]
    assert one.split()[0] == "1-1-1" and _numbers(one)[-3:] == [2, 2, 8]
    assert two.split()[0] == "2-2-2" and _numbers(two)[-3:] == [8, 12, 52]


def test_count_json_for_2_2_2(run_cli):
    status, out, _ = run_cli("count", "2-2-2", "--json")
    assert status == 0
    document = json.loads(out)
    assert document == [
        {
            "architecture": "2-2-2",
            "sizes": [2, 2, 2],
            "bias": False,
            "parameters": 8,
            "chains": 12,
            "terms": 52,
            "layers": [
                {"layer": 1, "parameters": 4, "chains": 8, "terms": 40, "chain_length": 5},
                {"layer": 2, "parameters": 4, "chains": 4, "terms": 12, "chain_length": 3},
            ],
        }
    ]


def test_count_json_exact_for_large_and_bias(run_cli):
    _, out, _ = run_cli("count", "784-512-512-10", "--json")
    (large,) = json.loads(out)
    assert large["chains"] == 2_057_835_520 and large["terms"] == 14_399_585_280
    _, out, _ = run_cli("count", "784-512-512-10", "2-2-2", "--bias", "--json")
    large, small = json.loads(out)
    assert large["chains"] == 785 * 512 * 512 * 10 + 513 * 512 * 10 + 513 * 10
    assert small["bias"] is True and small["parameters"] == 12
    assert small["chains"] == 6 * 2 + 6 * 1


def test_count_by_layer(run_cli):
    _, out, _ = run_cli("count", "2-2-2", "--by-layer")
    lines = out.splitlines()
    assert lines[0].split()[-2:] == ["chain", "length"]
    assert lines[1].split()[:2] == ["2-2-2", "all"] and _numbers(lines[1]) == [8, 12, 52]
    assert lines[2].split()[0] == "theta^(1)" and _numbers(lines[2]) == [4, 8, 40, 5]
    assert lines[3].split()[0] == "theta^(2)" and _numbers(lines[3]) == [4, 4, 12, 3]


def test_count_softmax(run_cli):
    _, out, _ = run_cli("count", "2-3-3", "--cost", "softmax-ce", "--json")
    assert json.loads(out)[0]["chains"] == 3 * (6 * 3) + 9 * 3


def test_chains_of_theta_1_11_text(run_cli):
    status, out, _ = run_cli("chains", "2-2-2", "--param", "1,1,1")
    assert status == 0
    assert out.splitlines() == [
        "dJ/dtheta^(1)_11: 2 chains, 10 terms",
        *(f"  {chain}" for chain in HAND_DERIVATION_THETA_1_11),
    ]


def test_chains_json(run_cli):
    status, out, _ = run_cli(
        "chains", "2-2-2", "--param", "1,1,1", "--param", "2,2,1", "--format", "json"
    )
    assert status == 0
    first, second = json.loads(out)
    assert first["parameter"] == "theta^(1)_11" and len(first["chains"]) == 2
    assert [[f["of"], f["wrt"]] for f in first["chains"][1]] == [
        ["J", "a^(3)_2"],
        ["a^(3)_2", "z^(3)_2"],
        ["z^(3)_2", "a^(2)_1"],
        ["a^(2)_1", "z^(2)_1"],
        ["z^(2)_1", "theta^(1)_11"],
    ]
    assert first["chains"][0][0]["latex"] == r"\frac{\partial J}{\partial a_{1}^{(3)}}"
    assert second == {
        "parameter": "theta^(2)_21",
        "chains": [
            [
                {"of": "J", "wrt": "a^(3)_2", "latex": r"\frac{\partial J}{\partial a_{2}^{(3)}}"},
                {
                    "of": "a^(3)_2",
                    "wrt": "z^(3)_2",
                    "latex": r"\frac{\partial a_{2}^{(3)}}{\partial z_{2}^{(3)}}",
                },
                {
                    "of": "z^(3)_2",
                    "wrt": "theta^(2)_21",
                    "latex": r"\frac{\partial z_{2}^{(3)}}{\partial \theta_{21}^{(2)}}",
                },
            ]
        ],
    }


def test_all_chains_by_default_json_and_text_agree(run_cli):
    _, out, _ = run_cli("chains", "2-2-2", "--bias", "--json")
    document = json.loads(out)
    assert len(document) == 12
    assert sum(len(entry["chains"]) for entry in document) == 18
    assert sum(len(chain) for entry in document for chain in entry["chains"]) == 78
    _, text, _ = run_cli("chains", "2-2-2", "--bias")
    assert sum(1 for line in text.splitlines() if line.startswith("  dJ/")) == 18


def test_repeated_param_is_written_once(run_cli):
    _, out, _ = run_cli("chains", "1-1-1", "--param", "1,1,1", "--param", "1,1,1")
    assert out.count("dJ/dtheta^(1)_11:") == 1


def test_limit_refuses_and_says_how_many(run_cli):
    status, out, err = run_cli("chains", "10-10-10-10", expect=2)
    assert status == 2 and out == ""
    assert err == (
        "chainrule: error: the selection has 11,100 chains, more than --limit 10,000; "
        "raise it with --limit 11100 or select fewer with --param l,j,k\n"
    )
    status, out, _ = run_cli("chains", "10-10-10-10", "--limit", "11100", "--json")
    assert status == 0 and sum(len(entry["chains"]) for entry in json.loads(out)) == 11_100


BAD_INPUTS = [
    (["count", "2--2"], "invalid architecture '2--2'"),
    (["count", "0-2"], "invalid architecture '0-2': every layer needs at least one neuron"),
    (["count", "-1-2"], "invalid architecture '-1-2'"),
    (["chains", "-1-2"], "invalid architecture '-1-2'"),
    (["count", "2"], "invalid architecture '2': it needs at least an input and an output layer"),
    (["count", "a-b"], "invalid architecture 'a-b'"),
    (["count", "2-2-2.5"], "invalid architecture '2-2-2.5'"),
    (["count", ""], "invalid architecture ''"),
    (["count", "2-2", "--cost", "hinge"], "unknown cost 'hinge'"),
    (["chains", "2-2", "--cost", "hinge"], "unknown cost 'hinge'"),
    (["count", "2-2", "--activation", "swish"], "unknown activation 'swish'"),
    (["chains", "2-2", "--activation", "swish"], "unknown activation 'swish'"),
    (["chains", "2-2-2", "--param", "9,9,9"], "no parameter theta^(9)_99 in 2-2-2"),
    (["chains", "2-2-2", "--param", "1,1"], "invalid parameter '1,1'"),
    (["chains", "2-2-2", "--param", "x,y,z"], "invalid parameter 'x,y,z'"),
    (["chains", "2-2-2", "--param", "1,1,0"], "k = 0 is a bias weight; add --bias"),
    (["chains", "2-2-2", "--limit", "0"], "argument --limit: expected a positive integer, got '0'"),
    (["chains", "2-2-2", "--limit", "-5"], "argument --limit: expected a positive integer"),
    (["chains", "2-2-2", "--limit", "ten"], "argument --limit: expected a positive integer"),
    (["chains", "2-2-2", "--limit", "1.5"], "argument --limit: expected a positive integer"),
    (
        ["chains", "3000-3000", "--param", "1,1,1"],
        "nodes and edges in the computation graph of 3000-3000, more than",
    ),
    (["chains", "2-2-2", "--format", "yaml"], "argument --format: invalid choice: 'yaml'"),
    (["count"], "the following arguments are required: ARCH"),
    (["frobnicate"], "argument COMMAND: invalid choice: 'frobnicate'"),
]


@pytest.mark.parametrize("argv, message", BAD_INPUTS)
def test_bad_input_is_one_line_and_status_2(run_cli, argv, message):
    status, out, err = run_cli(*argv, expect=2)
    assert status == 2 and out == ""
    assert err.startswith("chainrule: error: ") and err.count("\n") == 1
    assert message in err


@pytest.mark.parametrize(
    "argv",
    [
        ["count", "-1-2"],
        ["chains", "2-2-2", "--param", "x,y,z"],
        ["chains", "3000-3000", "--param", "1,1,1"],
    ],
)
def test_bad_input_from_the_shell_has_no_traceback(argv):
    done = subprocess.run(
        [sys.executable, "-m", "chainrule", *argv], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("chainrule: error: ") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_count_imports_no_heavy_library():
    probe = (
        "import sys; from chainrule.cli.entry import main; main(['count', '784-512-512-10']); "
        "print(sorted(m for m in ('networkx', 'sympy', 'numpy', 'matplotlib') "
        "if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr.strip() == "[]"
    assert "784-512-512-10" in done.stdout


def test_streaming_output_survives_a_closed_pipe():
    command = f"{sys.executable} -m chainrule chains 6-6-6-6 --limit 99999 | head -n 3"
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)
    assert len(done.stdout.splitlines()) == 3 and done.stderr == ""


def test_no_command_prints_help(run_cli):
    status, out, _ = run_cli()
    assert status == 0 and "count" in out and "chains" in out


def test_parser_is_buildable_for_tests():
    args = build_parser().parse_args(["chains", "2-2-2", "--param", "1,2,1", "--json"])
    assert args.param == ["1,2,1"] and args.format == "json" and args.limit == 10_000


@pytest.mark.parametrize(
    "argv, message",
    [
        (["count", "2-2", "--by-layer", "--ops"], "--by-layer and --ops are two tables"),
        (["verify", "--case", "c.json", "--cost", "bce"], "the case file sets the network"),
    ],
)
def test_conflicting_options_are_refused(run_cli, argv, message):
    status, out, err = run_cli(*argv, expect=2)
    assert status == 2 and out == "" and message in err


def test_singular_counts_read_as_singular(run_cli):
    _, out, _ = run_cli("chains", "1-1")
    assert out.splitlines()[0] == "dJ/dtheta^(1)_11: 1 chain, 3 terms"
    _, out, _ = run_cli("delta", "2-2-2", "--wrt", "inputs")
    assert "Theta" not in out and "dJ/dx_1 = delta^(2)_1 * dz^(2)_1/dx_1" in out


def _shell(command: str, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        shell=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, **environment},
        executable="/bin/bash",
    )


@pytest.mark.parametrize(
    "redirect, argv, message",
    [
        ("<&-", "check 2-2-2 --file -", "standard input is closed"),
        (">&-", "count 2-2-2", "standard output is closed"),
    ],
)
def test_a_closed_standard_stream_is_one_line_and_exit_2(redirect, argv, message):
    done = _shell(f"{sys.executable} -m chainrule {argv} {redirect}")
    assert done.returncode == 2, done.stderr
    assert done.stderr.decode().startswith("chainrule: error: ")
    assert message in done.stderr.decode() and done.stderr.count(b"\n") == 1


def test_a_stderr_on_a_full_device_leaves_the_status_to_say_it():
    done = _shell(f"{sys.executable} -m chainrule count 2-x-2 2>/dev/full")
    assert done.returncode == 2 and done.stdout == b""


def test_an_ascii_terminal_gets_the_notation_in_ascii():
    done = _shell(f"{sys.executable} -m chainrule explain", PYTHONIOENCODING="ascii")
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("ascii")  # every byte is ASCII
    assert "dJ/dtheta^(1)_11" in text and "delta^(2)_1" in text
    unicode = _shell(f"{sys.executable} -m chainrule explain", PYTHONIOENCODING="utf-8")
    assert text.count("?") == unicode.stdout.decode().count("?")  # nothing unspellable


def test_control_characters_in_echoed_input_are_escaped(run_cli):
    _, _, err = run_cli("check", "2-2-2", "dJ/dtheta^(1)_11 = \x1b[31mred", expect=2)
    assert "\x1b" not in err and "\\x1b" in err and err.count("\n") == 1


def test_an_impossible_port_is_refused_in_one_line(run_cli):
    _, _, err = run_cli("explore", "--port", "99999", "--no-browser", expect=2)
    assert err == "chainrule: error: argument --port: a port is 1 to 65535, not 99999\n"


def test_sigterm_in_the_middle_of_a_write_leaves_no_temporary_file(tmp_path):
    """SIGTERM becomes an exception in the main thread, so the atomic write's cleanup runs."""
    probe = (
        "import os, signal, sys\n"
        "from chainrule.cli.terminal import Terminated, terminating\n"
        "from chainrule.files import atomic_path\n"
        "try:\n"
        "    with terminating(), atomic_path(sys.argv[1]) as temporary:\n"
        "        temporary.write_text('half')\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "        signal.pause()\n"
        "except Terminated:\n"
        "    sys.exit(143)\n"
    )
    target = tmp_path / "notes.md"
    done = subprocess.run([sys.executable, "-c", probe, str(target)], timeout=60)
    assert done.returncode == 143
    assert list(tmp_path.iterdir()) == []  # neither the document nor its temporary


def test_progress_is_drawn_on_a_terminal_once_the_work_has_run_a_second():
    import io

    from chainrule.present.progress import Progress, Stages

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    quick = Progress(10, "claim", stream=Terminal())
    quick.update(3)
    quick.close()
    assert quick.stream.getvalue() == ""  # within its first second a run draws nothing
    late = Progress(10, "epoch", stream=Terminal(), delay=0)
    late.update(10, "cost 0.25")
    late.close()
    assert late.stream.getvalue() == f"\r[{'#' * 30}] epoch 10/10  cost 0.25\n"
    terminal = Terminal()
    stages = Stages(terminal)
    stages.started -= 2  # as if the work had begun two seconds ago: each stage draws at once
    stages("edge", 5, 10)
    stages("gradient", 1, 2)
    stages.close()
    half = f"[{'#' * 15}{'.' * 15}]"
    assert terminal.getvalue() == f"\r{half} edge 5/10\n\r{half} gradient 1/2\n"
    piped = Progress(10, "epoch", stream=io.StringIO(), delay=0)
    piped.update(10)
    assert piped.stream.getvalue() == ""  # not a terminal: never drawn
