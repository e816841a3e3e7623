"""The explorer's page in a real browser: Playwright for Python driving Debian's chromium.

Playwright's own browser download cannot be fetched here, so the system chromium is launched by
path; these tests are skipped (saying why) only when it is missing. The server runs in a
background thread on a free port of 127.0.0.1.
"""

import json
import shutil
from pathlib import Path

import pytest

from chainrule.cli.entry import main

playwright_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("uvicorn")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DOCS = Path(__file__).resolve().parent.parent / "docs"
#: Long enough that only a hang runs past it, on any machine however busy.
HANG_SECONDS = 90


@pytest.fixture(scope="module")
def server():
    from chainrule.explore.command import serving

    # A deadline and waits for a hang, not for a slow machine: under a loaded CI runner a
    # worked example's numbers took longer than the explorer's default 8 s.
    with serving(timeout=HANG_SECONDS) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(HANG_SECONDS * 1000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"the page raised: {errors}"


def wait_until(condition, seconds: float = HANG_SECONDS) -> None:
    """Poll `condition` from Python until it holds. Not ``page.wait_for_function``: the
    Playwright releases before 1.41 poll a predicate by evaluating a string in the page, which
    the explorer's Content-Security-Policy (no 'unsafe-eval') refuses."""
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited past the hang limit"
        time.sleep(0.05)


def ready(page, url):
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=HANG_SECONDS * 1000)
    return page


def cli_json(capsys, *argv):
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def counts(page):
    return {
        what: int(page.get_attribute(f'[data-count="{what}"]', "data-value"))
        for what in ("parameters", "chains", "terms")
    }


def lit_edges(page):
    return sorted(
        page.eval_on_selector_all("#graph .edge.lit", "lines => lines.map(l => l.dataset.edge)")
    )


def test_2_2_2_loads_with_its_counts_and_a_screenshot(server, page, tmp_path):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    ready(page, server + "/?arch=2-2-2")
    assert counts(page) == {"parameters": 8, "chains": 12, "terms": 52}
    assert page.locator("#graph g[data-node]").count() == 19
    assert page.locator("#graph [data-edge]").count() == 22
    page.wait_for_selector("#agreement tbody tr >> nth=4")  # the five methods' agreement
    page.click("#step-next")
    page.click("#step-next")  # the δ^(2)_1 step: its region shaded on the graph
    assert requested and all(url.startswith(server + "/") for url in requested), requested
    page.wait_for_timeout(300)
    # Into the test's own directory: the README's picture in docs/ is regenerated on purpose,
    # never as a side effect of running the tests.
    shot = tmp_path / "explore-2-2-2.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_the_page_offers_the_rules_choices(server, page):
    """The activations and costs to pick from, and the defaults, are the API's
    (/api/options, read from the rules table), none written in the page."""
    from chainrule import rules

    ready(page, server + "/?arch=2-2-2")
    offered = page.eval_on_selector_all("#activations option", "os => os.map(o => o.value)")
    assert offered == list(rules.ACTIVATIONS)
    costs = page.eval_on_selector_all("#cost option", "os => os.map(o => o.value)")
    assert costs == list(rules.COSTS)
    assert page.input_value("#activation") == rules.DEFAULT_ACTIVATION
    assert page.input_value("#cost") == rules.DEFAULT_COST
    assert page.input_value("#epochs") == "2000"
    page.select_option("#cost", "se")
    page.click("#apply")
    page.wait_for_selector("body[data-ready=true]")
    assert "cost=se" in page.url and "activation=" not in page.url  # defaults stay out


def test_clicking_theta_1_11_lights_exactly_its_two_chains(server, page, capsys):
    ready(page, server + "/?arch=2-2-2&param=2,1,1")
    page.click('#graph g[data-node="theta^(1)_11"]')
    page.wait_for_selector('[data-parameter="theta^(1)_11"] [data-chain]')
    assert page.locator('[data-parameter="theta^(1)_11"] [data-chain]').count() == 2
    document = cli_json(capsys, "chains", "2-2-2", "--param", "1,1,1", "--json")
    expected = sorted({f"{f['wrt']}->{f['of']}" for chain in document[0]["chains"] for f in chain})
    assert lit_edges(page) == expected and len(expected) == 8
    # hovering one chain lights only that chain's edges
    page.hover('[data-parameter] [data-chain="1"]')
    second = sorted(f"{f['wrt']}->{f['of']}" for f in document[0]["chains"][1])
    assert lit_edges(page) == second
    # hovering a factor lights its edge and shows its local formula
    page.hover('[data-parameter] [data-chain="1"] .factor >> nth=4')
    assert page.eval_on_selector_all("#graph .edge.hot", "l => l.map(e => e.dataset.edge)") == [
        "theta^(1)_11->z^(2)_1"
    ]
    # ∂z/∂θ and its local formula (the numbers' line, when in, is a third)
    assert page.locator("#factor-info > .math math").count() == 2


def test_every_formula_renders_with_a_size(server, page):
    ready(page, server + "/?arch=2-2-2")
    for view in ("abstract", "local"):
        page.click(f"#view-{view}")
        sizes = page.eval_on_selector_all(
            "#chains math, #steps math",
            "ms => ms.map(m => { const r = m.getBoundingClientRect(); "
            "return [r.width, r.height]; })",
        )
        assert len(sizes) >= 3
        assert all(width > 0 and height > 0 for width, height in sizes), sizes


def test_stepping_through_delta_ends_at_delta_2_1_times_x_1(server, page):
    ready(page, server + "/?arch=2-2-2&param=1,1,1")
    assert page.get_attribute("[data-step]", "data-step") == "0"
    page.click("#step-next")
    page.locator("body").press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.is_disabled("#step-next")
    assert page.get_attribute("[data-step]", "data-step") == "3"
    assert page.get_attribute("[data-step]", "data-latex") == r"\delta_{1}^{(2)} \cdot x_{1}"
    assert page.locator("#graph .region").count() > 0  # the δ region is shaded
    page.keyboard.press("ArrowLeft")
    assert page.get_attribute("[data-step]", "data-step") == "2"


def test_changing_the_architecture_updates_the_counts(server, page, capsys):
    ready(page, server + "/")
    page.fill("#arch", "3-4-2")
    page.click("#apply")
    page.wait_for_selector('[data-count=parameters][data-value="20"]')
    page.wait_for_selector("body[data-ready=true]")
    row = cli_json(capsys, "count", "3-4-2", "--json")[0]
    assert counts(page) == {key: row[key] for key in ("parameters", "chains", "terms")}
    assert "arch=3-4-2" in page.url


def test_an_error_is_shown_with_the_cli_message(server, page, capsys):
    ready(page, server + "/")
    page.fill("#arch", "2-0-2")
    page.click("#apply")
    page.wait_for_selector("#error:not([hidden])")
    assert main(["count", "2-0-2"]) == 2
    assert page.text_content("#error") + "\n" == capsys.readouterr().err


def test_a_deep_link_reloads_the_same_view(server, page):
    ready(page, server + "/?arch=2-3-2&bias=true")
    page.click('#graph g[data-node="theta^(1)_21"]')
    page.wait_for_selector('[data-parameter="theta^(1)_21"]')
    page.click("#view-local")
    page.click("#step-next")
    url = page.url
    assert "param=1%2C2%2C1" in url and "view=local" in url and "step=1" in url
    other = page.context.new_page()
    ready(other, url)
    assert other.locator('[data-parameter="theta^(1)_21"] [data-chain]').count() == 2
    assert other.get_attribute("#view-local", "aria-pressed") == "true"
    assert other.get_attribute("[data-step]", "data-step") == "1"
    assert other.is_checked("#bias")
    assert counts(other)["parameters"] == 2 * 3 + 3 + 3 * 2 + 2


def test_keyboard_selection_works(server, page):
    ready(page, server + "/?arch=2-2-2")
    page.focus("#show-numbers")
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.dataset.node || ''")
        if focused == "theta^(1)_12":
            break
    assert focused == "theta^(1)_12"
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith("θ")
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-parameter="theta^(1)_12"] [data-chain]')
    assert page.locator('[data-parameter="theta^(1)_12"] [data-chain]').count() == 2
    names = page.eval_on_selector_all(
        "#controls input, #controls select, button",
        "els => els.map(e => e.labels?.[0]?.textContent || "
        "e.getAttribute('aria-label') || e.textContent)",
    )
    assert all(name.strip() for name in names)


def test_the_train_button_draws_a_falling_cost_curve(server, page):
    ready(page, server + "/?arch=2-2-1&bias=true")
    page.fill("#epochs", "400")
    page.fill("#lr", "5")
    page.click("#train")
    page.wait_for_selector("#cost-curve")  # drawn while epochs still arrive
    page.wait_for_selector("#train-note[data-done]", timeout=HANG_SECONDS * 1000)
    curve = page.locator("#cost-curve")
    assert int(curve.get_attribute("data-points")) == 401
    assert float(curve.get_attribute("data-last")) < float(curve.get_attribute("data-first"))


def test_the_static_export_works_from_disk_with_the_network_blocked(browser, tmp_path, capsys):
    path = tmp_path / "explore.html"
    assert main(["explore", "2-2-2", "--html", str(path)]) == 0
    assert capsys.readouterr().out == f"wrote {path}\n"
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(HANG_SECONDS * 1000)
    requested = []

    def block(route):
        requested.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith("file://"), block)
    page = context.new_page()
    ready(page, path.as_uri())
    assert counts(page) == {"parameters": 8, "chains": 12, "terms": 52}
    page.click('#graph g[data-node="theta^(2)_12"]')
    page.wait_for_selector('[data-parameter="theta^(2)_12"] [data-chain]')
    assert page.locator('[data-parameter="theta^(2)_12"] [data-chain]').count() == 1
    assert "chainrule explore 2-2-2" in page.text_content("#static-note")
    assert page.is_disabled("#train")
    page.wait_for_selector("#agreement tbody tr")
    assert requested == []
    context.close()


def test_a_pasted_graph_file_is_explored_like_the_cli(server, page, capsys):
    examples = Path(__file__).resolve().parent.parent / "examples" / "graphs"
    ready(page, server + "/")
    page.click("#graph-file summary")
    page.fill("#graph-text", (examples / "residual.json").read_text())
    page.click("#apply")
    page.wait_for_selector("body[data-ready=true] [data-parameter]")
    row = cli_json(capsys, "count", str(examples / "residual.json"), "--json")[0]
    assert counts(page) == {key: row[key] for key in ("parameters", "chains", "terms")}
    name = page.get_attribute("[data-parameter]", "data-parameter")
    chains = cli_json(capsys, "chains", str(examples / "residual.json"), "--param", name, "--json")[
        0
    ]["chains"]
    assert page.locator("[data-parameter] [data-chain]").count() == len(chains)
    expected = sorted({f"{f['wrt']}->{f['of']}" for chain in chains for f in chain})
    assert lit_edges(page) == expected
    page.fill("#graph-text", '{"inputs": ["x"], "cost": "x +* 2"}')
    page.click("#apply")
    page.wait_for_selector("#error:not([hidden])")
    assert page.text_content("#error").startswith("chainrule: error: graph file 'graph.json': ")


def test_the_notebook_view_runs_inside_its_iframe(browser, tmp_path):
    import chainrule

    view = chainrule.explore("1-1-1")
    notebook = tmp_path / "notebook.html"
    notebook.write_text(
        f"<!doctype html><title>notebook</title>{view._repr_html_()}", encoding="utf-8"
    )
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(HANG_SECONDS * 1000)
    context.route(
        lambda url: not url.startswith(("file://", "about:")), lambda route: route.abort()
    )
    page = context.new_page()
    page.goto(notebook.as_uri())
    frame = page.frame_locator("iframe")
    frame.locator("body[data-ready=true]").wait_for(timeout=HANG_SECONDS * 1000)
    assert frame.locator('[data-count="terms"]').get_attribute("data-value") == "8"
    assert frame.locator("[data-parameter] [data-chain]").count() == 1
    # the frame grows to its page (it was a fixed 1,100 px around a taller page)
    inner = page.frames[1].evaluate("document.documentElement.scrollHeight")
    wait_until(lambda: page.evaluate("document.querySelector('iframe').clientHeight") == inner)
    assert inner > 1100
    assert "chainrule explorer of 1-1-1" in repr(view)
    context.close()


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def chain_products(document, chains):
    """Each chain's value from a ``values --json`` document: the product of its factors'
    values, per example, summed over the examples."""
    factors = {(f["of"], f["wrt"]): f["value"] for f in document["factors"]}
    values = []
    for chain in chains:
        per_example = [1.0] * document["examples"]
        for factor in chain:
            per_example = [a * b for a, b in zip(per_example, factors[factor["of"], factor["wrt"]])]
        values.append(sum(per_example))
    return values


def chain_values(page):
    page.wait_for_selector("#chains [data-chain][data-value]")
    return [
        float(value)
        for value in page.eval_on_selector_all(
            "#chains [data-chain]", "items => items.map(i => i.dataset.value)"
        )
    ]


@pytest.mark.parametrize(
    "arch, param, name",
    [
        ("2-2-2", "1,1,1", "theta^(1)_11"),
        ("rnn:1-2-1:3", "U_11", "U_11"),
        ("resnet:2x4", "W^(1)_11", "W^(1)_11"),
    ],
)
def test_each_chain_shows_its_value_and_share_at_the_case(server, page, capsys, arch, param, name):
    """The numbers for layer sizes, rnn: and resnet: (a 400 before): each chain's value beside
    it is its factors' product in ``chainrule values --json`` (verify's case: seed 0, 4
    examples), and each node showing a number carries it."""
    ready(page, server + f"/?arch={arch}&param={param}")
    document = cli_json(capsys, "values", arch, "--examples", "4", "--json")
    chains = cli_json(capsys, "chains", arch, "--param", param, "--json")[0]["chains"]
    assert chain_values(page) == pytest.approx(chain_products(document, chains), rel=1e-12)
    shares = page.eval_on_selector_all(
        "#chains [data-chain]", "items => items.map(i => Number(i.dataset.share))"
    )
    assert sum(shares) == pytest.approx(1.0)
    assert "%" in page.text_content("#chains [data-chain] .chain-value")
    node = page.locator(f'#graph g.node[data-node="{name}"]')
    assert float(node.get_attribute("data-value")) == document["forward"][name][0]
    rows = page.eval_on_selector_all(
        "#values tbody tr", "rows => rows.map(r => [r.dataset.node, Number(r.dataset.value)])"
    )
    assert dict(rows) == {node: row[0] for node, row in document["forward"].items()}


def test_a_pasted_graph_file_and_case_give_the_worked_examples_numbers(server, page):
    """A graph file's case pasted in the Numbers panel: the published worked example's
    numbers (dE/dw5 = 0.082167041, E_total = 0.298371109) on the page."""
    ready(page, server + "/")
    page.click("#graph-file summary")
    page.fill("#graph-text", (EXAMPLES / "graphs" / "mazur.json").read_text())
    page.click("#apply")
    page.wait_for_selector("body[data-ready=true] [data-parameter]")
    page.click("#case-file summary")
    page.fill("#case-text", (EXAMPLES / "cases" / "mazur.json").read_text())
    page.click("#case-apply")
    wait_until(lambda: page.text_content("#numbers-note").startswith("the case pasted"))
    assert float(page.get_attribute("#numbers-note", "data-cost")) == pytest.approx(
        0.298371109, abs=1e-9
    )
    page.select_option("#param-select", "w5")
    page.wait_for_selector('[data-parameter="w5"]')
    page.wait_for_selector('#chains [data-chain][data-value^="0.0821"]')
    assert chain_values(page) == [pytest.approx(0.082167041, abs=1e-9)]
    assert page.get_attribute('#graph g.node[data-node="w5"]', "data-value") == "0.4"
    # a case that does not fit: one line, no traceback, the old numbers gone
    page.fill("#case-text", '{"values": {"w1": 0.15}}')
    page.click("#case-apply")
    page.wait_for_selector("#numbers-note .failed")
    assert "gives no value for w2" in page.text_content("#numbers-note")
    assert page.locator("#chains [data-chain][data-value]").count() == 0


@pytest.mark.parametrize("arch", ["rnn:1-2-1:3", "resnet:2x4", "mazur.json"])
def test_train_trains_the_graph_shown(server, page, capsys, arch):
    """Train on a graph file sends the graph (it trained 2-2-1 before); on rnn: and resnet: it
    trains them (it failed with "layer sizes are positive integers" before)."""
    if arch.endswith(".json"):
        ready(page, server + "/")
        page.click("#graph-file summary")
        page.fill("#graph-text", (EXAMPLES / "graphs" / arch).read_text())
        page.click("#apply")
        page.wait_for_selector("body[data-ready=true] [data-parameter]")
        subject = str(EXAMPLES / "graphs" / arch)
    else:
        ready(page, server + f"/?arch={arch}")
        subject = arch
    page.fill("#epochs", "40")
    page.fill("#lr", "0.5")
    page.click("#train")
    page.wait_for_selector("#train-note[data-done]", timeout=HANG_SECONDS * 1000)
    expected = cli_json(capsys, "train", subject, "--epochs", "40", "--lr", "0.5", "--json")
    curve = page.locator("#cost-curve")
    assert int(curve.get_attribute("data-points")) == 41
    assert float(curve.get_attribute("data-first")) == expected["costs"][0]["cost"]
    assert float(curve.get_attribute("data-last")) == pytest.approx(
        expected["costs"][-1]["cost"], rel=1e-12
    )


def local_factors(page):
    """The text of each factor of each listed chain, in the local view."""
    page.click("#view-local")
    return page.eval_on_selector_all(
        "#chains [data-chain]",
        "items => items.map(i => [...i.querySelectorAll('.factor')].map("
        "f => f.textContent.replace(/\\s+/g, '')))",
    )


def test_the_local_view_keeps_the_parentheses_that_change_the_meaning(server, page):
    """softmax-ce's -y₁/(a₁m) · (-a₁a₂) and a graph file's (out − y) · …: each factor as
    ``chains --view local`` writes it, parenthesised (they read -a₁a₂ and out − y·… before)."""
    ready(page, server + "/?arch=2-2-2&cost=softmax-ce&param=2,1,1")
    chains = local_factors(page)
    assert chains[1][0].startswith("(-") and chains[1][0].endswith(")")
    assert chains[1][1].startswith("(-") and chains[1][1].endswith(")")
    assert not chains[0][1].startswith("(")  # a product needs none
    ready(page, server + "/")
    page.click("#graph-file summary")
    page.fill("#graph-text", (EXAMPLES / "graphs" / "tied.json").read_text())
    page.click("#apply")
    page.wait_for_selector("body[data-ready=true] [data-parameter]")
    first = local_factors(page)[0][0]
    assert first.startswith("(") and first.endswith(")") and ("−" in first or "-" in first)


def test_relus_local_factor_reads_as_cases_not_piecewise(server, page):
    ready(page, server + "/?arch=2-2-2&activation=relu&param=2,1,1")
    factors = local_factors(page)[0]
    assert all("iecewise" not in factor for factor in factors)
    assert any("if" in factor for factor in factors), factors
    page.hover("#chains [data-chain] .factor >> nth=1")
    info = page.text_content("#factor-info")
    assert "iecewise" not in info and "if" in info


OVERFLOWING_PANELS = """() => [document.documentElement, ...document.querySelectorAll('.panel')]
    .filter(e => e.scrollWidth > e.clientWidth)
    .map(e => `${e.id || e.tagName}: ${e.scrollWidth} > ${e.clientWidth}`)"""


@pytest.mark.parametrize("width", [390, 1400])
@pytest.mark.parametrize(
    "arch", ["2-2-2", "4-6-6-3", "rnn:1-2-1:3", "resnet:2x4", "784-512-512-10"]
)
def test_no_panel_scrolls_sideways_and_no_count_is_clipped(server, browser, arch, width):
    """At a phone's 390 px and a projector's 1400 px no panel (nor the page) is wider than
    its box, and each count shows whole: 784-512-512-10's 2,057,835,520 chains read
    2,057,835,52 in a third of the panel before."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(HANG_SECONDS * 1000)
    page = context.new_page()
    page.goto(server + f"/?arch={arch}")
    page.wait_for_selector("body[data-ready=true]", timeout=HANG_SECONDS * 1000)
    page.wait_for_selector("#numbers-note:not(:empty)")
    page.wait_for_timeout(300)
    assert page.evaluate(OVERFLOWING_PANELS) == []
    for what in ("parameters", "chains", "terms"):
        figure = page.locator(f'[data-count="{what}"]')
        value = int(figure.get_attribute("data-value"))
        # a count past a million is written 2.06 × 10⁹ (test_explore_big.py), exact on hover
        assert figure.get_attribute("title") == f"{value:,}"
        if value < 1_000_000:
            assert figure.text_content() == f"{value:,}"
        assert figure.evaluate("e => e.scrollWidth <= e.clientWidth")
        box, panel = figure.bounding_box(), page.locator("#counts-panel").bounding_box()
        assert box["x"] >= panel["x"] and box["x"] + box["width"] <= panel["x"] + panel["width"]
    context.close()


def test_a_form_error_clears_the_network_before_it(server, page, capsys):
    """A network the form cannot show leaves no graph, chains, counts or numbers of the one
    before it beside its error (the old graph stayed, as if it were the new one's)."""
    ready(page, server + "/?arch=2-2-2")
    page.wait_for_selector("#chains [data-chain][data-value]")
    page.fill("#arch", "2-0-2")
    page.click("#apply")
    page.wait_for_selector("body[data-ready=error]")
    assert main(["count", "2-0-2"]) == 2
    assert page.text_content("#error") + "\n" == capsys.readouterr().err
    assert page.locator("#graph g[data-node]").count() == 0
    assert page.locator("#chains [data-chain]").count() == 0
    assert page.locator("#values tbody tr, #agreement tbody tr").count() == 0
    assert page.locator("[data-count][data-value]").count() == 0
    assert page.locator("#param-select option").count() == 0
    page.fill("#arch", "2-2-1")
    page.click("#apply")
    page.wait_for_selector("body[data-ready=true]")
    assert page.is_hidden("#error") and counts(page)["parameters"] == 6


def test_a_failed_numbers_panel_can_be_retried(server, page, capsys):
    """A Numbers request that timed out (the server's 503) offers a Retry that asks again."""
    refused = []

    def time_out_once(route):
        if not refused:
            refused.append(route.request.url)
            route.fulfill(
                status=503,
                content_type="application/json",
                body=json.dumps({"error": "the request took longer than 8 s and was stopped"}),
            )
        else:
            route.continue_()

    page.route("**/api/values?**", time_out_once)
    ready(page, server + "/?arch=2-2-2&param=1,1,1")
    page.wait_for_selector("#numbers-note .retry")
    assert "took longer than 8 s" in page.text_content("#numbers-note")
    assert page.locator("#chains [data-chain][data-value]").count() == 0
    page.click("#numbers-note .retry")
    document = cli_json(capsys, "values", "2-2-2", "--examples", "4", "--json")
    chains = cli_json(capsys, "chains", "2-2-2", "--param", "1,1,1", "--json")[0]["chains"]
    assert chain_values(page) == pytest.approx(chain_products(document, chains), rel=1e-12)
    assert len(refused) == 1


def test_the_static_export_honours_and_updates_a_deep_link(browser, tmp_path):
    """``?param=`` on a static page selects that weight (the page failed to load before), and
    selecting another writes it into the URL."""
    path = tmp_path / "explore.html"
    assert main(["explore", "2-2-2", "--html", str(path)]) == 0
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(HANG_SECONDS * 1000)
    context.route(lambda url: not url.startswith("file://"), lambda route: route.abort())
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    ready(page, path.as_uri() + "?param=2,1,2&view=local&step=1")
    assert page.locator('[data-parameter="theta^(2)_12"] [data-chain]').count() == 1
    assert page.get_attribute("#view-local", "aria-pressed") == "true"
    assert page.get_attribute("[data-step]", "data-step") == "1"
    page.wait_for_selector("#chains [data-chain][data-value]")  # its numbers, offline too
    page.click('#graph g[data-node="theta^(1)_21"]')
    page.wait_for_selector('[data-parameter="theta^(1)_21"]')
    assert "param=1%2C2%2C1" in page.url
    assert page.is_hidden("#error") and errors == []
    context.close()


@pytest.mark.parametrize("width", [390, 1000, 1400])
def test_the_terms_plot_keeps_its_size_in_one_column(server, browser, width):
    """Below 1,100 px the page is one column and the terms plot, drawn 260 units wide, grew
    with it: 1,000 px wide and 460 px tall, its ticks 40 px high."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(HANG_SECONDS * 1000)
    page = context.new_page()
    ready(page, server + "/?arch=2-2-2")
    box = page.locator("#terms-plot svg").bounding_box()
    assert 100 <= box["width"] <= 390 and box["height"] <= 180, box
    context.close()


def test_a_summarised_layout_keeps_focus_and_its_dropdown_on_the_selected_weight(server, page):
    """Selecting a weight of 2-16-2 (a summarised layout, redrawn around the weight) left the
    keyboard focus nowhere and the Parameter dropdown on another weight."""
    ready(page, server + "/?arch=2-16-2")
    assert page.is_visible("#summary")
    names = page.eval_on_selector_all(
        "#graph g.kind-param", "nodes => nodes.map(n => n.dataset.node)"
    )
    name = [n for n in names if n != page.input_value("#param-select")][-1]
    page.focus(f'#graph g.node[data-node="{name}"]')
    page.keyboard.press("Enter")
    page.wait_for_selector(f'[data-parameter="{name}"] [data-chain]')
    page.wait_for_timeout(200)
    assert page.evaluate("document.activeElement.dataset.node") == name
    assert page.input_value("#param-select") == name
    # and by the dropdown: the choice stays chosen after the redraw
    other = [n for n in names if n != name][0]
    page.select_option("#param-select", other)
    page.wait_for_selector(f'[data-parameter="{other}"] [data-chain]')
    assert page.input_value("#param-select") == other


def test_a_large_network_offers_the_weights_whose_chains_it_shows(server, page, capsys):
    """2-15-15-15-15-2's first-layer weights have 6,750 chains each, past the 2,000 a selection
    shows: the page began with one (an error) and refused every click on them; now it begins
    with an output-layer weight, and a click on a first-layer one says why and how to list its
    chains instead of an error."""
    arch = "2-15-15-15-15-2"
    ready(page, server + f"/?arch={arch}")
    assert page.is_hidden("#error")
    selected = page.get_attribute("[data-parameter]", "data-parameter")
    assert selected.startswith("theta^(5)_")
    assert page.locator("[data-parameter] [data-chain]").count() == 1
    first = page.locator("#graph g.kind-param.too-many").first
    name = first.get_attribute("data-node")
    assert name.startswith("theta^(1)_") and first.get_attribute("aria-disabled") == "true"
    first.click(force=True)  # aria-disabled: Playwright would wait for it to be enabled
    assert page.is_visible("#select-note") and page.is_hidden("#error")
    row = cli_json(capsys, "count", arch, "--json")[0]["layers"][0]
    assert f"{row['chains'] // row['parameters']:,} chains" in page.text_content("#select-note")
    assert f"chainrule chains {arch} --param 1," in page.text_content("#select-note")
    assert page.get_attribute("[data-parameter]", "data-parameter") == selected
    disabled = page.eval_on_selector_all(
        "#param-select option", "os => os.filter(o => o.disabled).map(o => o.value)"
    )
    assert name in disabled and selected not in disabled
    assert not any(n.startswith(("theta^(3)", "theta^(4)", "theta^(5)")) for n in disabled)


def shown_matrix_chains(page):
    """The matrix form's chains as the page shows them, in the record's JSON shape: the
    tensor, its shape, and each chain's factors (of, wrt, shape) from their DOM hooks."""
    return page.evaluate(
        """() => {
        const group = document.querySelector("#chains [data-parameter]");
        const shape = (text) => text.split("×").map((d) => /^[0-9]+$/.test(d) ? Number(d) : d);
        return {parameter: group.dataset.parameter, shape: shape(group.dataset.shape),
                chains: [...group.querySelectorAll("[data-chain]")].map((item) =>
                  [...item.querySelectorAll(".factor")].map((f) =>
                    ({of: f.dataset.of, wrt: f.dataset.wrt, shape: shape(f.dataset.shape)})))};
        }"""
    )


def record_chains(arch, tensor):
    """The chains record's document of one tensor, in the shape shown_matrix_chains reads."""
    from chainrule import api

    (group,) = api.chains(arch, view="matrix", param=[tensor]).as_dict()
    return {
        "parameter": group["parameter"],
        "shape": group["shape"],
        "chains": [
            [{key: factor[key] for key in ("of", "wrt", "shape")} for factor in chain]
            for chain in group["chains"]
        ],
    }


def matrix_ready(page, tensor):
    page.wait_for_selector(f'body[data-view=matrix] #chains [data-parameter="{tensor}"]')
    page.wait_for_selector("body[data-ready=true]")


@pytest.mark.parametrize(
    "arch, tensors",
    [("2-2-2", ["Theta^(1)", "Theta^(2)"]), ("rnn:1-2-1:3", ["U", "W", "V"])],
)
def test_the_matrix_toggle_shows_the_records_layer_level_chains(server, page, arch, tensors):
    """ "scalar | matrix": the matrix form draws the layer-level graph (a node per tensor, its
    shape in data-shape) and lists the selected tensor's chains exactly as the chains record
    has them (/api/chains?view=matrix), each factor with its shape; back to scalar, the scalar
    chains return."""
    from chainrule.graph.layers import network_layers, spelled_layers
    from chainrule.graph.spec import Network

    ready(page, server + f"/?arch={arch}")
    assert page.get_attribute("body", "data-view") == "scalar"
    page.click("#level-matrix")
    matrix_ready(page, tensors[0])
    assert page.get_attribute("#level-matrix", "aria-pressed") == "true"
    assert "view=matrix" in page.url
    assert shown_matrix_chains(page) == record_chains(arch, tensors[0])
    view = network_layers(Network([2, 2, 2])) if arch == "2-2-2" else spelled_layers(arch)
    drawn = page.eval_on_selector_all(
        "#graph g.node", "nodes => nodes.map(n => [n.dataset.node, n.dataset.shape])"
    )
    assert drawn == [[tensor.name, str(tensor.shape)] for tensor in view.tensors]
    for tensor in tensors[1:]:  # a click on a weight matrix selects it
        page.click(f'#graph g.node[data-node="{tensor}"]')
        matrix_ready(page, tensor)
        assert shown_matrix_chains(page) == record_chains(arch, tensor)
        assert page.input_value("#param-select") == tensor
    page.hover("#chains [data-chain] >> nth=0")
    assert len(lit_edges(page)) == len(record_chains(arch, tensors[-1])["chains"][0])
    assert page.locator("#steps [data-kind]").count() > 0  # the batch form of the δ panel
    page.click("#level-scalar")
    page.wait_for_selector("body[data-view=scalar] #chains .chain-group:not(.matrix-chains) li")
    page.wait_for_selector("body[data-ready=true]")
    assert "view=matrix" not in page.url
    assert page.locator("#graph g.node").count() > len(view.tensors)


def test_a_matrix_deep_link_opens_in_the_matrix_form(server, page):
    ready(page, server + "/?arch=2-2-2&view=matrix&param=Theta^(2)")
    matrix_ready(page, "Theta^(2)")
    assert shown_matrix_chains(page) == record_chains("2-2-2", "Theta^(2)")
    assert page.is_hidden("#error")


def test_784_512_512_10_opens_in_the_matrix_form_instead_of_refusing(server, page):
    """784-512-512-10's scalar graph is past the explorer's --max-graph: the page drew a
    summary in which no weight could be selected. Now it opens in the matrix form, with the
    layer-level graph and Θ^(1)'s chains and shapes, says that the scalar graph is too large,
    and disables the scalar form, saying why."""
    arch = "784-512-512-10"
    ready(page, server + f"/?arch={arch}")
    matrix_ready(page, "Theta^(1)")
    assert page.is_hidden("#error")
    note = page.text_content("#level-note")
    assert page.is_visible("#level-note") and "scalar graph is too large" in note
    assert "2,009,913 nodes and edges" in note and "--max-graph 2009913" in note
    assert page.is_disabled("#level-scalar")
    assert "too large" in page.get_attribute("#level-scalar", "title")
    shapes = dict(
        page.eval_on_selector_all(
            "#graph g.node", "nodes => nodes.map(n => [n.dataset.node, n.dataset.shape])"
        )
    )
    assert shapes["Theta^(1)"] == "512×784" and shapes["x"] == "m×784"
    assert shapes["Theta^(3)"] == "10×512" and shapes["J"] == "1×1"
    assert page.is_visible('#graph g.node[data-node="Theta^(2)"] text.shape')
    assert shown_matrix_chains(page) == record_chains(arch, "Theta^(1)")
    factor = page.locator('#chains .factor[data-shape="512×401408"]')
    assert factor.count() == 1 and factor.is_visible()
    assert "512×401408" in factor.text_content()
    assert "2,055,208,960 scalar chains" in page.text_content("#chains")
    page.click('#graph g.node[data-node="Theta^(3)"]')
    matrix_ready(page, "Theta^(3)")
    assert shown_matrix_chains(page) == record_chains(arch, "Theta^(3)")
    page.click("#level-scalar", force=True)  # disabled: nothing happens
    assert page.get_attribute("body", "data-view") == "matrix" and page.is_hidden("#error")


@pytest.mark.parametrize("width", [390, 1400])
@pytest.mark.parametrize("arch", ["2-2-2", "rnn:1-2-1:3", "resnet:2x3", "784-512-512-10"])
def test_the_matrix_form_scrolls_no_panel_sideways(server, browser, arch, width, tmp_path):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(HANG_SECONDS * 1000)
    page = context.new_page()
    page.goto(server + f"/?arch={arch}&view=matrix")
    page.wait_for_selector("body[data-view=matrix] #chains [data-chain]")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#numbers-note:not(:empty)")
    page.wait_for_timeout(300)
    assert page.evaluate(OVERFLOWING_PANELS) == []
    page.screenshot(path=str(tmp_path / f"matrix-{width}.png"), full_page=True)
    context.close()


def test_the_agreement_caption_counts_the_records_methods(server, page, capsys):
    """The caption said "five ways" after verify gained its sixth, the matrix form: it is
    now the count of the methods the verify record compared."""
    ready(page, server + "/?arch=2-2-2")
    methods = cli_json(capsys, "verify", "2-2-2", "--json")["methods"]
    page.wait_for_selector(f"#agreement tbody tr >> nth={len(methods) - 1}")
    assert page.text_content("#agreement caption") == f"Every gradient, {len(methods)} ways"


def test_the_static_export_holds_the_matrix_form(browser, tmp_path):
    path = tmp_path / "explore.html"
    assert main(["explore", "2-2-2", "--html", str(path)]) == 0
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(HANG_SECONDS * 1000)
    context.route(lambda url: not url.startswith("file://"), lambda route: route.abort())
    page = context.new_page()
    ready(page, path.as_uri())
    page.click("#level-matrix")
    matrix_ready(page, "Theta^(1)")
    assert shown_matrix_chains(page) == record_chains("2-2-2", "Theta^(1)")
    page.click('#graph g.node[data-node="Theta^(2)"]')
    matrix_ready(page, "Theta^(2)")
    assert page.is_hidden("#error")
    context.close()


def test_the_dominant_chain_is_marked_and_the_chains_sort_by_value(server, page, capsys):
    """Of 4-6-6-3's 18 chains of θ⁽¹⁾₁₁, the one of largest |value| at the case is marked,
    and "largest first" lists them by |value| (the server's order), then back as listed."""
    ready(page, server + "/?arch=4-6-6-3&param=1,1,1")
    document = cli_json(capsys, "values", "4-6-6-3", "--examples", "4", "--json")
    chains = cli_json(capsys, "chains", "4-6-6-3", "--param", "1,1,1", "--json")[0]["chains"]
    expected = chain_products(document, chains)
    assert chain_values(page) == pytest.approx(expected, rel=1e-12)
    largest = max(range(len(expected)), key=lambda i: abs(expected[i]))
    marked = page.eval_on_selector_all(
        "#chains [data-dominant=true]", "items => items.map(i => Number(i.dataset.chain))"
    )
    assert marked == [largest]
    assert "largest" in page.text_content(f'#chains [data-chain="{largest}"] .chain-value')
    page.click("#sort-chains")
    page.wait_for_selector("#chains .chain-list[data-order=value]")
    listed = [abs(value) for value in chain_values(page)]
    assert listed == sorted(listed, reverse=True) and len(listed) == 18
    page.hover("#chains [data-chain] >> nth=0")  # the top one lights its own edges
    first = int(page.get_attribute("#chains [data-chain] >> nth=0", "data-chain"))
    assert first == largest
    assert lit_edges(page) == sorted(f"{f['wrt']}->{f['of']}" for f in chains[largest])
    page.click("#sort-chains")
    page.wait_for_selector("#chains .chain-list[data-order=listed]")
    order = page.eval_on_selector_all(
        "#chains [data-chain]", "items => items.map(i => Number(i.dataset.chain))"
    )
    assert order == list(range(18))


def test_a_pasted_layered_case_shows_its_numbers_as_written(server, page):
    """A layered network's case pasted in the Numbers panel sets the numbers; a weight of 1230
    reads 1230 (trailing zeros before the point were stripped: it read 123)."""
    ready(page, server + "/?arch=1-1")
    page.click("#case-file summary")
    page.fill(
        "#case-text",
        '{"sizes": [1, 1], "weights": [[[1230]]], "inputs": [[1]], "targets": [[0]]}',
    )
    page.click("#case-apply")
    page.wait_for_selector('#values tr[data-node="theta^(1)_11"][data-value="1230"]')
    row = page.locator('#values tr[data-node="theta^(1)_11"] td').first
    assert row.text_content() == "1230"
    assert page.text_content("#numbers-note").startswith("the case pasted: 1 example")


def test_784_512_512_10_exports_its_matrix_form(browser, tmp_path, capsys):
    """``explore 784-512-512-10 --html`` was refused (620,840 scalar chains past --limit); it
    now writes the page that opens in the matrix form, offline."""
    path = tmp_path / "explore.html"
    assert main(["explore", "784-512-512-10", "--html", str(path)]) == 0
    assert path.stat().st_size < 1_000_000
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(HANG_SECONDS * 1000)
    context.route(lambda url: not url.startswith("file://"), lambda route: route.abort())
    page = context.new_page()
    ready(page, path.as_uri())
    matrix_ready(page, "Theta^(1)")
    assert shown_matrix_chains(page) == record_chains("784-512-512-10", "Theta^(1)")
    assert page.is_disabled("#level-scalar") and page.is_hidden("#error")
    page.click('#graph g.node[data-node="Theta^(2)"]')
    matrix_ready(page, "Theta^(2)")
    assert page.is_hidden("#error")
    context.close()
