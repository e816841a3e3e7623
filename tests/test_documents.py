"""explain, draw and report: what a person sees, checked as far as a test can."""

import collections
import html.parser
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest
from shared import HAND_DERIVATION_THETA_1_11

from chainrule.graph.spec import Network


def test_explain_tells_the_whole_story_of_2_2_2(run_cli):
    status, out, err = run_cli("explain")
    assert status == 0 and err == ""
    assert out.startswith("chainrule explain 2-2-2")
    headings = [line for line in out.splitlines() if re.match(r"\d · ", line)]
    assert [h.split(" · ")[1] for h in headings] == [
        "How many chain-rule products?",
        "The chains of ∂J/∂θ⁽¹⁾₁₁",
        "Factoring the chains into δ",
        "The same, a layer at a time, with shapes",
        "What the factoring saves",
        "Checking it against numbers",
    ]
    assert "12 chains with 52 terms" in " ".join(out.split())
    assert "∂J/∂a⁽³⁾₁ · ∂a⁽³⁾₁/∂z⁽³⁾₁ · ∂z⁽³⁾₁/∂a⁽²⁾₁ · ∂a⁽²⁾₁/∂z⁽²⁾₁ · ∂z⁽²⁾₁/∂θ⁽¹⁾₁₁" in out
    assert "= δ⁽²⁾₁ · x₁" in out
    # the matrix section: the layer-level chain with its shapes, and the δ recursion
    assert (
        "  ∂J/∂a⁽³⁾ · ∂a⁽³⁾/∂z⁽³⁾ · ∂z⁽³⁾/∂a⁽²⁾ · ∂a⁽²⁾/∂z⁽²⁾ · ∂z⁽²⁾/∂Θ⁽¹⁾\n"
        "  1×2        2×2           2×2           2×2           2×4\n"
    ) in out
    assert "  δ⁽²⁾ = (δ⁽³⁾ Θ⁽²⁾) ⊙ f′(z⁽²⁾)\n  m×2     m×2  2×2     m×2\n" in out
    assert "every method computed agrees with numeric backprop" in out


def test_explain_large_network_keeps_to_counts(run_cli):
    status, out, _ = run_cli("explain", "784-512-512-10")
    assert status == 0 and "too large to write out here" in out
    # the matrix form needs no scalar graph: it is told at the real width
    assert "2 · The same, a layer at a time, with shapes" in out
    assert "  δ⁽²⁾ = (δ⁽³⁾  Θ⁽²⁾) ⊙ f′(z⁽²⁾)\n  m×512   m×512 512×512 m×512\n" in out
    assert "2,057,835,520" in out and "What the factoring saves" in out


def test_explain_long_chain_lists_are_cut(run_cli):
    status, out, _ = run_cli("explain", "3-4-4-3", "--param", "1,2,3")
    assert status == 0 and "… and 4 more (chainrule chains 3-4-4-3 --param 1,2,3)" in out


def test_explain_groups_many_chains_in_closed_form(run_cli):
    """17 layers of width 2: 32,768 chains of theta^(1)_11, grouped in 16 steps. The tour took
    29 s to group them step by step, to show one line; the steps are counted now."""
    status, out, _ = run_cli("explain", "-".join(["2"] * 17))
    assert status == 0 and "(grouping 32,768 chains in 16 steps)" in out
    assert "every method computed agrees with numeric backprop" in out


@pytest.mark.parametrize(
    "architecture, param, options",
    [
        ("2-2-2", "1,1,1", {}),
        ("2-3-3-2", "1,2,1", {"bias": True}),
        ("2-2-2-2", "2,1,0", {"bias": True}),
        ("2-2-3", "1,1,2", {"cost": "softmax-ce"}),
        ("1-2-2-2-2", "1,1,1", {"activation": "tanh"}),
    ],
)
def test_the_steps_counted_are_the_steps_grouped(architecture, param, options):
    from chainrule.calculus.counting import count_parameter
    from chainrule.calculus.delta import factoring_steps
    from chainrule.graph.build import build_graph
    from chainrule.graph.spec import parse_parameter
    from chainrule.records.delta import layered_steps

    network = Network.parse(architecture, **options)
    parameter = parse_parameter(param, network)
    steps = factoring_steps(build_graph(network), parameter.name)
    assert layered_steps(*count_parameter(network, parameter)) == len(steps) - 1


def test_explain_of_500_layers_leaves_the_check_out_and_says_so(run_cli):
    architecture = "-".join(["2"] * 500)
    status, out, _ = run_cli("explain", architecture)
    assert status == 0 and "(grouping" in out
    assert "s of verification; chainrule verify " + architecture + " runs it)" in out
    assert "… and 990 more (chainrule delta" in out


def test_the_explain_api_is_the_tour_the_cli_tells(run_cli):
    import io

    import chainrule.api as api
    from chainrule.present.explain import text

    record = api.explain("2-3-2", param="2,1,3", seed=4)
    out = io.StringIO()
    text(record, out)
    _, printed, _ = run_cli("explain", "2-3-2", "--param", "2,1,3", "--seed", "4")
    assert out.getvalue() == printed
    document = record.as_dict()
    assert document["parameter"] == "theta^(2)_13" and document["count"]["chains"] == 18
    assert "left_out" not in document and document["verify"]["ok"] is True
    tour = api.explain("784-512-512-10")
    assert tour.left_out.section == "tour" and tour.chains is None


def test_explain_rejects_a_missing_parameter(run_cli):
    status, _, err = run_cli("explain", "2-2-2", "--param", "5,1,1", expect=2)
    assert status == 2 and "no parameter theta^(5)_11" in err


matplotlib = pytest.importorskip("matplotlib")


class Drawn:
    """A drawing's record and the figure the presenter plots from it."""

    def __init__(self, architecture, **options):
        from chainrule.present.draw import figure
        from chainrule.records.draw import DrawRequest, compute

        self.record = compute(DrawRequest.of(architecture, **options))
        self.figure = figure(self.record)
        self.summary = self.record.summary


def _legend_labels(drawing):
    return [text.get_text() for text in drawing.figure.axes[0].get_legend().get_texts()]


def _coloured_lines(drawing):
    return [
        line
        for line in drawing.figure.axes[0].get_lines()
        if line.get_linewidth() > 2 and line.get_alpha() == 0.9
    ]


def test_draw_lights_both_chains_of_theta_1_11_in_two_colours():
    drawing = Drawn("2-2-2", param="1,1,1")
    lines = _coloured_lines(drawing)
    assert len(lines) == 2 and lines[0].get_color() != lines[1].get_color()
    # The legend writes the hand derivation's two products, in Unicode (∂ for d, · for *).
    assert _legend_labels(drawing) == [
        "∂J/∂a⁽³⁾₁ · ∂a⁽³⁾₁/∂z⁽³⁾₁ · ∂z⁽³⁾₁/∂a⁽²⁾₁ · ∂a⁽²⁾₁/∂z⁽²⁾₁ · ∂z⁽²⁾₁/∂θ⁽¹⁾₁₁",
        "∂J/∂a⁽³⁾₂ · ∂a⁽³⁾₂/∂z⁽³⁾₂ · ∂z⁽³⁾₂/∂a⁽²⁾₁ · ∂a⁽²⁾₁/∂z⁽²⁾₁ · ∂z⁽²⁾₁/∂θ⁽¹⁾₁₁",
    ]
    # Both lines start at theta^(1)_11 and share its path up to a^(2)_1, then part at z^(3)_j,
    # just as the two hand-derived chains share their last two factors.
    # (Drawn a hair apart, so that the two colours never hide each other.)
    first, second = (line.get_xydata() for line in lines)
    assert (first[:, 0] == second[:, 0]).all()  # the same columns, node for node
    apart = abs(first[:, 1] - second[:, 1])
    assert (apart[:3] < 0.1).all() and apart[3] > 0.5  # together to a^(2)_1, apart at z^(3)
    shared = [f.split(" * ")[-2:] for f in HAND_DERIVATION_THETA_1_11]
    assert shared[0] == shared[1]
    assert drawing.summary is None


def test_draw_cli_writes_png_svg_pdf(run_cli, tmp_path):
    for suffix, magic in [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")]:
        path = tmp_path / f"net{suffix}"
        status, out, _ = run_cli("draw", "2-2-2", "--param", "1,1,1", "-o", str(path))
        assert status == 0 and out == f"wrote {path}\n"
        assert path.read_bytes().startswith(magic)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.pdf", "net.png", "net.svg"]


def test_draw_neurons_view_with_delta_shading(tmp_path):
    drawing = Drawn("2-3-2", bias=True, param="1,2,0", view="neurons", delta=True)
    deltas = [shading.label.text for shading in drawing.record.shading]
    assert sorted(deltas) == ["δ⁽²⁾₂", "δ⁽³⁾₁", "δ⁽³⁾₂"]
    texts = [t.get_text() for t in drawing.figure.axes[0].texts]
    # Each δ is set as its letter with the layer stacked over the neuron's index.
    assert texts.count("δ") == 3 and texts.count("(3)") >= 2
    assert [label.text for label in drawing.record.labels].count("1") == 2  # the bias units
    assert len(_coloured_lines(drawing)) == 2


def test_draw_large_network_is_a_summary_with_true_indices(run_cli, tmp_path):
    drawing = Drawn("784-512-512-10", param="1,100,1")
    assert "layer 2 shows 12 of its 512 neurons" in drawing.summary
    assert "110 of the 5,120 chains drawn" in drawing.summary
    assert all(label.endswith("∂θ⁽¹⁾₁₀₀,₁") for label in _legend_labels(drawing)[:-1])
    status, out, _ = run_cli("draw", "784-512-512-10", "-o", str(tmp_path / "big.png"))
    assert status == 0 and "(" in out and "drawn as neurons" in out


def test_drawing_shows_itself_in_jupyter():
    import chainrule.api as api

    drawing = api.draw("1-1-1")
    assert drawing._repr_svg_().lstrip().startswith("<?xml")
    assert drawing._repr_png_().startswith(b"\x89PNG")


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_a_save_parses_each_label_once(tmp_path, monkeypatch, suffix):
    # Parsing mathtext is most of a save's time, and bbox_inches="tight" draws the figure
    # twice, with a renderer (and a parser) each: each label must still be parsed once. A
    # layered network's picture is set in plain text and parses none.
    from matplotlib.mathtext import MathTextParser

    from chainrule.present.draw import save
    from chainrule.records.draw import DrawRequest, compute

    parses: collections.Counter = collections.Counter()
    parse = MathTextParser._parse_cached

    def counting(parser, text, *key):
        parses[text] += 1
        return parse(parser, text, *key)

    monkeypatch.setattr(MathTextParser, "_parse_cached", counting)
    save(compute(DrawRequest.of("2-2-2")), tmp_path / f"layered{suffix}")
    assert parses == {}
    record = compute(DrawRequest.of("examples/graphs/residual.json", param="v1", delta=True))
    save(record, tmp_path / f"graph{suffix}")
    labels = {label.base for label in record.labels}
    assert len(labels) == 18 and all(label.startswith("$") for label in labels)
    # the nodes, the one chain in the legend, the δ over o and the title
    assert set(parses) == labels | {record.chains[0].legend, "$\\delta_{o}$", record.title}
    assert set(parses.values()) == {1}


@pytest.mark.parametrize(
    "argv, message",
    [
        (["draw", "2-2-2", "-o", "net.gif"], "the file name must end in .png, .svg, .pdf"),
        (["draw", "2-2-2", "--param", "3,1,1", "-o", "net.png"], "no parameter theta^(3)_11"),
        (["draw", "2-2-2", "--view", "3d", "-o", "net.png"], "argument --view: invalid choice"),
        (["draw", "2-2-2"], "the following arguments are required: -o/--output"),
        (["report", "2-2-2", "-o", "r.docx"], "the file name must end in .tex, .md, .html"),
        (
            ["report", "10-10-10-10", "-o", "r.tex"],
            "the report would write 11,100 chains, more than --limit 2,000",
        ),
        (  # 2 chains, but every delta and gradient of 500 layers: 3 s, now refused at once
            ["report", "-".join(["2"] * 500), "--param", "499,1,1", "-o", "r.md"],
            "the report would typeset 4,992 terms in its delta definitions and gradients (one "
            "per edge of its computation graph), more than --limit 2,000; raise it with "
            "--limit 4992",
        ),
        (
            ["report", "-".join(["2"] * 12), "--param", "1,1,1", "--limit", "1024", "-o", "r.md"],
            "the report's factoring of theta^(1)_11 would write about 282,624 terms over its "
            "steps, more than the 102,400 (100 a chain) that --limit 1,024 allows; raise it "
            "with --limit 2827",
        ),
        (
            ["draw", "-".join(["2"] * 500), "-o", "net.png"],
            "the drawing of 2-2-2-2",  # 1,001 neurons to label: about 8 s of typesetting
        ),
    ],
)
def test_document_cli_errors(run_cli, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    status, out, err = run_cli(*argv, expect=2)
    assert status == 2 and out == "" and message in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_draw_without_matplotlib_says_how_to_install_it(tmp_path):
    probe = (
        "import sys; sys.modules['matplotlib'] = None; sys.modules['matplotlib.figure'] = None\n"
        "from chainrule.cli.entry import main\n"
        f"sys.exit(main(['draw', '2-2-2', '-o', r'{tmp_path / 'net.png'}']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr == (
        "chainrule: error: drawing needs matplotlib: pip install "
        "'chainrule[plot]' (or pip install matplotlib)\n"
    )


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from chainrule.present.report import save
    from chainrule.records.report import ReportRequest, compute

    folder = tmp_path_factory.mktemp("reports")
    record = compute(ReportRequest.of("2-2-2"))
    for suffix in (".tex", ".md", ".html"):
        save(record, folder / f"r{suffix}")
    return folder


def test_report_files_and_figures(reports):
    assert sorted(p.name for p in reports.iterdir()) == [
        "r-figure.pdf",
        "r-figure.png",
        "r.html",
        "r.md",
        "r.tex",
    ]
    # Each file is what its name says, and each document refers to its own figure.
    assert (reports / "r-figure.png").read_bytes().startswith(b"\x89PNG")
    assert (reports / "r-figure.pdf").read_bytes().startswith(b"%PDF")
    markdown = (reports / "r.md").read_text()
    assert "![" in markdown and "(r-figure.png)" in markdown and "52" in markdown
    tex = (reports / "r.tex").read_text()
    assert "\\begin{document}" in tex and "\\includegraphics" in tex and "r-figure.pdf" in tex
    html = (reports / "r.html").read_text()
    assert "<math" in html and "<svg" in html and "r-figure" not in html


@pytest.mark.skipif(
    shutil.which("pdflatex") is None, reason="pdflatex is not installed (.ci/run installs it)"
)
def test_tex_report_compiles_with_pdflatex(reports, tmp_path):
    for name in ["r.tex", "r-figure.pdf"]:
        shutil.copy(reports / name, tmp_path / name)
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "r.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


def test_tex_report_uses_only_standard_packages(reports):
    text = (reports / "r.tex").read_text()
    assert re.findall(r"\\usepackage(?:\[[^]]*\])?\{(\w+)\}", text) == [
        "amsmath",
        "graphicx",
        "fontenc",
    ]
    assert r"\includegraphics[width=\linewidth]{r-figure.pdf}" in text
    assert text.count(r"\begin{align*}") == text.count(r"\end{align*}") > 10


class _Collector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.links = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.links.append(value)


def test_html_report_is_offline_mathml(reports):
    text = (reports / "r.html").read_text()
    collector = _Collector()
    collector.feed(text)
    assert "script" not in collector.tags and "link" not in collector.tags
    assert [link for link in collector.links if not link.startswith("#")] == []
    assert collector.tags.count("math") > 10 and "svg" in collector.tags
    assert "<mfrac><mrow><mo>&#x2202;</mo><mi>J</mi></mrow>" in text
    for block in re.findall(r"<math.*?</math>", text, re.S):  # every equation is well-formed XML
        ElementTree.fromstring(block.replace("&InvisibleTimes;", "&#x2062;"))


def test_markdown_report_has_math_and_tables(reports):
    text = (reports / "r.md").read_text()
    assert text.startswith("# Backpropagation derived in the open: 2-2-2")
    assert text.count("$$\n\\begin{aligned}") == text.count("\\end{aligned}\n$$") > 10
    assert "| $\\theta^{(1)}$ | 4 | 2 | 5 | 8 | 40 |" in text
    assert "![Every chain of" in text and "(r-figure.png)" in text
    # the matrix section: every operand under-braced with its shape
    assert "## A layer at a time, with shapes" in text
    assert (
        r"\underbrace{\delta^{(2)}}_{m \times 2} &= \left(\underbrace{\delta^{(3)}}_{m \times 2} "
        r"\underbrace{\Theta^{(2)}}_{2 \times 2}\right) \odot "
        r"\underbrace{f'\left(z^{(2)}\right)}_{m \times 2}"
    ) in text


def test_report_latex_renders_in_katex(reports):
    from latex_check import katex_failures, katex_module_dir, structural_problems

    text = (reports / "r.md").read_text()
    blocks = re.findall(r"\$\$\n(.*?)\n\$\$", text, re.S)
    assert {b: structural_problems(b) for b in blocks if structural_problems(b)} == {}
    if katex_module_dir() is not None:
        assert katex_failures(blocks) == []


def test_report_cli_and_selected_parameters(run_cli, tmp_path):
    path = tmp_path / "one.md"
    status, out, _ = run_cli("report", "2-2-2", "--param", "2,1,2", "-o", str(path))
    assert status == 0 and out == f"wrote {path}, {tmp_path / 'one-figure.png'}\n"
    text = path.read_text()
    assert text.count(r"\frac{\partial J}{\partial \theta_{12}^{(2)}} &=") >= 2
    assert (
        r"\frac{\partial J}{\partial \theta_{11}^{(1)}} &= \frac{\partial J}{\partial a" not in text
    )


def test_report_without_matplotlib_says_where_the_figure_would_be(tmp_path):
    probe = (
        "import sys; sys.modules['matplotlib'] = None; sys.modules['matplotlib.figure'] = None\n"
        "import chainrule.api as api\nfrom chainrule.present.report import save\n"
        f"print(save(api.report('1-1-1'), r'{tmp_path / 'r.md'}'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "r.md").read_text()
    note = "(The figure is left out: drawing needs matplotlib, pip install 'chainrule[plot]'.)"
    assert text.index("| all |") < text.index(note) < text.index("## Every chain")


def test_a_report_is_the_records_of_the_commands_it_tells(run_cli):
    """The report computes nothing of its own: each part is the command's record, the same
    document that command prints with --json."""
    import json

    import chainrule.api as api

    record = api.report("2-2-2", param=["2,1,2", "1,1,1"], seed=3)
    document = record.as_dict()
    for key, argv in [
        ("chains", ["chains", "2-2-2", "--param", "2,1,2", "--param", "1,1,1"]),
        ("delta", ["delta", "2-2-2"]),
    ]:
        _, out, _ = run_cli(*argv, "--json")
        assert document[key] == json.loads(out)
    _, out, _ = run_cli("count", "2-2-2", "--ops", "--json")
    assert document["count"] == json.loads(out)[0]
    _, out, _ = run_cli("delta", "2-2-2", "--param", "2,1,2", "--json")
    assert document["factoring"] == json.loads(out)["factoring"]
    _, out, _ = run_cli("verify", "2-2-2", "--seed", "3", "--json")
    assert record.verification.cost == json.loads(out)["cost"]
    assert record.focus == "theta^(2)_12" and record.drawing.parameter == "theta^(2)_12"
    assert document["figure"] == {"title": record.drawing.title, "summary": None}


def test_a_report_past_the_drawings_budget_says_why_it_has_no_figure(tmp_path):
    from chainrule.present.report import save
    from chainrule.records.report import ReportRequest, compute

    record = compute(ReportRequest.of("-".join(["2"] * 100), param=["99,1,1"]))
    assert record.drawing is None and record.figure_left_out.startswith("the drawing of 2-2-")
    written = save(record, tmp_path / "deep.md")
    assert written == [str(tmp_path / "deep.md")]  # no figure file
    text = (tmp_path / "deep.md").read_text()
    assert "(The figure is left out: the drawing of 2-2-" in text and "![" not in text


def test_report_and_explain_tell_their_progress_before_each_record():
    from chainrule.records import explain, report

    told: list = []
    report.compute(report.ReportRequest.of("1-1"), progress=lambda *step: told.append(step))
    assert told == [
        ("count", 0, 5),
        ("chains", 1, 5),
        ("delta", 2, 5),
        ("verify", 3, 5),
        ("draw", 4, 5),
    ]
    told.clear()
    explain.compute(explain.ExplainRequest.of("1-1"), progress=lambda *step: told.append(step))
    assert told == [
        ("count", 0, 5),
        ("matrix", 1, 5),
        ("chains", 2, 5),
        ("delta", 3, 5),
        ("verify", 4, 5),
    ]
