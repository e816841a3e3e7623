"""The explorer in a lecture, in a real browser: the two passes played on the graph, each
hovered edge's formula and each δ step with the case's numbers plugged in, training drawn on
the graph, and a pasted case that sets its network. Every number the page shows is compared
with the server's record of the same case (itself checked against autograd in
tests/test_explore_numbers.py) or with the ``train`` command's."""

import json
from pathlib import Path

import pytest
from test_explore_browser import (
    HANG_SECONDS,
    OVERFLOWING_PANELS,
    browser,
    page,
    ready,
    server,
    wait_until,
)

import chainrule.api as api
from chainrule.explore import work
from chainrule.explore.api import answer
from chainrule.graph.spec import Network
from chainrule.numeric.case import random_case

__all__ = ["browser", "page", "server"]  # fixtures, used by name

THETA = "theta^(1)_11"
ROOT = Path(__file__).resolve().parent.parent


def numbers_ready(page, url: str) -> None:
    ready(page, url)
    page.wait_for_selector("#numbers-note[data-cost]", timeout=HANG_SECONDS * 1000)


def page_values(arch: str = "2-2-2", param: str = "1,1,1") -> dict:
    """The server's values document for the page's default case (seed 0, verify's examples)."""
    status, document = answer(
        work.values, {"arch": [arch], "seed": ["0"], "param": [param]}, None, {}
    )
    assert status == 200
    return document


def shown_values(page) -> dict:
    return page.eval_on_selector_all(
        "#graph g.node[data-value]",
        "groups => Object.fromEntries(groups.map(g => [g.dataset.node, Number(g.dataset.value)]))",
    )


def frame(page) -> int | None:
    value = page.evaluate("document.body.dataset.sweepFrame")
    return None if value is None else int(value)


def test_the_passes_play_node_by_node_and_step_both_ways(server, page):
    numbers_ready(page, server + f"/?arch=2-2-2&param={THETA}")
    document = page_values()
    forward, backward = document["sweep"]["forward"], document["sweep"]["backward"]
    nodes = document["nodes"]
    given = {name for name in nodes if name not in forward}
    # nothing plays: every node shows its number
    assert set(shown_values(page)) == set(nodes) and frame(page) is None

    page.click("#sweep-next")  # frame 0: the inputs and parameters only
    assert frame(page) == 0 and set(shown_values(page)) == given
    for _ in range(3):
        page.click("#sweep-next")
    assert frame(page) == 3
    shown = shown_values(page)
    assert set(shown) == given | set(forward[:3])
    assert all(shown[name] == nodes[name]["value"] for name in shown)
    current = page.get_attribute("#graph g.node.sweep-current", "data-node")
    assert current == forward[2]
    page.click("#sweep-back")
    assert frame(page) == 2
    assert page.get_attribute("#graph g.node.sweep-current", "data-node") == forward[1]

    # the backward pass: each δ in turn, the δ panel at the step that introduces it
    for _ in range(len(forward) - 2 + 3):
        page.click("#sweep-next")
    assert frame(page) == len(forward) + 3
    with_delta = page.eval_on_selector_all(
        "#graph g.node",
        "gs => gs.filter(g => g.querySelector('text.extra').textContent).map(g => g.dataset.node)",
    )
    assert sorted(with_delta) == sorted(backward[:3])
    assert backward[2] == "z^(3)_2"  # a δ node: the panel shows the step that groups it
    page.wait_for_selector('#steps [data-step="1"]')
    assert "δ" in page.text_content("#sweep-caption")

    # play runs the frames on a timer and says so; pause stops it where it is
    page.click("#sweep-play")
    assert page.evaluate("document.body.dataset.playing") == "true"
    start = frame(page)
    wait_until(lambda: frame(page) > start + 1)
    page.click("#sweep-play")
    assert page.evaluate("document.body.dataset.playing") is None
    stopped = frame(page)
    page.wait_for_timeout(1500)
    assert frame(page) == stopped


def test_a_hovered_edge_shows_its_formula_with_the_case_numbers(server, page):
    numbers_ready(page, server + f"/?arch=2-2-2&param={THETA}&view=local")
    document = page_values()
    page.hover('#chains li[data-chain="0"] .factor[data-edge="z^(2)_1->a^(2)_1"]')
    plugged = page.wait_for_selector("#factor-info .plugged")
    assert float(plugged.get_attribute("data-value")) == document["factors"]["z^(2)_1->a^(2)_1"]
    # σ'(z) written a(1 − a): both a's replaced by a^(2)_1's value at the first example
    numbers = [
        float(n) for n in plugged.eval_on_selector_all("mn", "ns => ns.map(n => n.textContent)")
    ]
    value = document["nodes"]["a^(2)_1"]["value"]
    assert sorted(numbers) == sorted([1.0, round(value, 4), round(value, 4)])
    assert "example 1 of 4" in plugged.text_content()
    # ∂J/∂a = (a − y)/m: the target and m are numbers too
    page.hover('#chains li[data-chain="0"] .factor[data-edge="a^(3)_1->J"]')
    plugged = page.wait_for_selector("#factor-info .plugged")
    numbers = [
        float(n) for n in plugged.eval_on_selector_all("mn", "ns => ns.map(n => n.textContent)")
    ]
    y, m = document["givens"]["y_1"], document["givens"]["m"]
    assert round(y, 4) in [round(n, 4) for n in numbers] and m in numbers


def test_each_delta_step_shows_its_numbers_and_sums_to_the_gradient(server, page):
    numbers_ready(page, server + f"/?arch=2-2-2&param={THETA}")
    document = page_values()
    gradient = document["chains"]["gradient"]
    for step in range(len(document["steps"])):
        shown = page.wait_for_selector(f'#steps [data-step="{step}"] .step-numbers')
        assert float(shown.get_attribute("data-value")) == pytest.approx(gradient, rel=1e-12)
        text = shown.text_content()
        assert "summed over the 4 examples" in text and "example 1 of 4" in text
        if step + 1 < len(document["steps"]):
            page.click("#step-next")


def test_training_draws_the_weights_on_the_graph(server, page):
    numbers_ready(page, server + "/?arch=2-3-1&bias=true")
    page.fill("#epochs", "120")
    page.fill("#lr", "2")
    page.click("#train")
    page.wait_for_selector("#train-note[data-done]", timeout=HANG_SECONDS * 1000)
    assert page.get_attribute("#graph svg", "data-epoch") == "120"
    record = api.train("2-3-1", bias=True, epochs=120, lr=2, seed=0, data="xor")
    expected = {p.name: record.trained.parameter_value(*p) for p in record.network.parameters()}
    assert shown_values(page) == expected  # the weights only: the rest is the untrained case
    weighted = page.eval_on_selector_all(
        "#graph .edge.weighted",
        "ls => ls.map(l => [l.dataset.edge, Number(l.dataset.weight), l.classList.value])",
    )
    assert len(weighted) == len(expected)
    for edge, weight, classes in weighted:
        assert weight == expected[edge.split("->")[0]]
        assert ("positive" if weight >= 0 else "negative") in classes


def test_a_pasted_case_sets_its_network_and_its_chains(server, page):
    """A softmax-ce case pasted on the default 2-2-2 page: the page shows the case's network,
    whose chains' values add up to the gradient (they were the form's network's: one chain of
    three, a share of 144%)."""
    case = random_case(Network([2, 2, 3], cost="softmax-ce"), examples=2, seed=6)
    numbers_ready(page, server + "/?arch=2-2-2")
    page.click("#case-file summary")
    page.fill("#case-text", json.dumps(case.as_dict()))
    page.click("#case-apply")
    wait_until(lambda: page.input_value("#arch") == "2-2-3")
    assert page.input_value("#cost") == "softmax-ce"
    page.wait_for_selector("body[data-ready=true]")  # the case's network loaded
    page.select_option("#param-select", "theta^(2)_31")
    chosen = '#chains [data-parameter="theta^(2)_31"]'
    page.wait_for_selector(f'{chosen} [data-chain="2"][data-share]')
    shares = page.eval_on_selector_all(
        f"{chosen} [data-share]", "items => items.map(i => Number(i.dataset.share))"
    )
    assert len(shares) == 3 and sum(shares) == pytest.approx(1.0, rel=1e-12)
    assert page.text_content("#numbers-note").startswith("the case pasted: 2 examples")


def test_the_lecture_panels_fit_a_phone(server, browser):
    """At 390 px: the play controls, the caption, a hovered formula with its numbers and the
    step's numbers wrap within their panels (the plugged-in formula widened the page by 36 px)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(HANG_SECONDS * 1000)
    phone = context.new_page()
    numbers_ready(phone, server + f"/?arch=2-2-2&param={THETA}")
    for _ in range(12):
        phone.click("#sweep-next")
    phone.hover('#chains li[data-chain="0"] .factor[data-edge="z^(3)_1->a^(3)_1"]')
    phone.wait_for_selector("#factor-info .plugged")
    overflowing = phone.evaluate(
        "[document.documentElement, ...document.querySelectorAll('.panel, .sweep, "
        "#sweep-caption, .step-numbers, #factor-info')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.id || e.className)"
    )
    assert overflowing == []
    context.close()


def lit_edges(page) -> list[str]:
    return sorted(
        page.eval_on_selector_all("#graph .edge.lit", "lines => lines.map(l => l.dataset.edge)")
    )


def test_one_chain_at_a_time(server, page):
    ready(page, server + f"/?arch=2-2-2&param={THETA}")
    (group,) = api.chains("2-2-2", param="1,1,1").as_dict()
    edges = [sorted(f"{f['wrt']}->{f['of']}" for f in chain) for chain in group["chains"]]
    assert page.text_content("#chain-count") == "all 2 chains"
    page.click("#chain-next")
    assert page.text_content("#chain-count") == "chain 1 of 2"
    assert lit_edges(page) == edges[0]
    assert page.locator("#graph polyline.chain").count() == 1
    assert page.locator("#chains [data-chain].current").get_attribute("data-chain") == "0"
    # a hovered chain lights alone, and leaving it returns to the chain shown, not to all
    page.hover('#chains [data-chain="1"]')
    assert lit_edges(page) == edges[1]
    page.mouse.move(0, 0)
    assert lit_edges(page) == edges[0]
    page.click("#chain-next")
    page.click("#chain-next")  # past the last, round to the first
    assert page.text_content("#chain-count") == "chain 1 of 2"
    page.click("#chain-prev")
    assert page.text_content("#chain-count") == "chain 2 of 2" and lit_edges(page) == edges[1]
    page.click("#chain-all")
    assert lit_edges(page) == sorted(set(edges[0]) | set(edges[1]))
    assert page.locator("#graph polyline.chain").count() == 2


def test_zoom_and_pan(server, page):
    ready(page, server + "/?arch=4-6-6-3")
    svg = "#graph svg"
    whole = [float(v) for v in page.get_attribute(svg, "viewBox").split()]
    page.click("#zoom-in")
    page.click("#zoom-in")
    x, y, width, height = (float(v) for v in page.get_attribute(svg, "viewBox").split())
    assert width == pytest.approx(whole[2] / 2.25) and height == pytest.approx(whole[3] / 2.25)
    # dragging the background moves the view the other way, within the graph
    box = page.locator(svg).bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] + 105, box["y"] + 5, steps=4)
    page.mouse.up()
    moved = [float(v) for v in page.get_attribute(svg, "viewBox").split()]
    assert moved[0] < x and moved[1] == pytest.approx(y) and moved[2] == pytest.approx(width)
    assert moved[0] >= 0
    page.click("#zoom-fit")
    assert [float(v) for v in page.get_attribute(svg, "viewBox").split()] == whole
    assert page.is_disabled("#zoom-out") and page.is_disabled("#zoom-fit")


def test_the_lecture_mode_sets_type_for_a_projector(server, page):
    ready(page, server + "/?arch=4-6-6-3")
    label = '#graph g.node[data-node="x_1"] text.label'
    small = page.eval_on_selector(label, "t => parseFloat(getComputedStyle(t).fontSize)")
    page.click("#lecture")
    assert "lecture=1" in page.url and page.get_attribute("#lecture", "aria-pressed") == "true"
    assert page.eval_on_selector(label, "t => parseFloat(getComputedStyle(t).fontSize)") > small
    # the whole graph within the screen's height, however tall (78 θ nodes)
    assert page.locator("#graph svg").bounding_box()["height"] <= 1000
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.eval_on_selector("body", "b => b.classList.contains('lecture')")


def test_the_compact_layout_draws_weights_on_their_edges(server, page):
    """layout=compact: a node per neuron, each weight a label on its edge; a chain is lit on
    the weights' edges it passes, and those weights' labels show."""
    ready(page, server + f"/?arch=2-2-2&layout=compact&param={THETA}")
    assert page.locator("#graph circle").count() == 2 + 2 + 2 + 1
    weights = page.eval_on_selector_all(
        "#graph g.weight", "gs => gs.map(g => g.dataset.node).sort()"
    )
    assert weights == sorted(p.name for p in Network([2, 2, 2]).parameters())
    (group,) = api.chains("2-2-2", param="1,1,1").as_dict()
    passed = {f"{f['wrt']}->{f['of']}" for chain in group["chains"] for f in chain}
    lit = page.eval_on_selector_all(
        "#graph .edge.lit", "ls => ls.map(l => [l.dataset.edge, l.dataset.through || ''])"
    )
    # each lit line is a weight's (or an output's to J) that a chain passes, and every such
    # edge of the chains is lit
    assert all(edge in passed or through in passed for edge, through in lit)
    drawn = {edge for edge, _ in lit} | {through for _, through in lit}
    assert {key for key in passed if "->z" in key or key.endswith("->J")} <= drawn
    shown = page.eval_on_selector_all(
        "#graph g.weight.shown", "gs => gs.map(g => g.dataset.node).sort()"
    )
    assert shown == ["theta^(1)_11", "theta^(2)_11", "theta^(2)_21"]
    # a weight's label selects it
    page.click('#graph g.weight[data-node="theta^(2)_12"]')
    page.wait_for_selector('#chains [data-parameter="theta^(2)_12"]')
    assert "layout=compact" in page.url


def test_4_6_6_3_compact_fits_a_projector(server, page):
    page.set_viewport_size({"width": 1400, "height": 900})
    ready(page, server + "/?arch=4-6-6-3&layout=compact&lecture=1")
    box = page.locator("#graph svg").bounding_box()
    assert box["width"] <= 1400 and box["height"] <= 900
    assert page.evaluate("document.documentElement.scrollWidth <= 1400")
    size = page.eval_on_selector(
        '#graph g.node[data-node="a^(2)_1"] text.label',
        "t => t.getBoundingClientRect().height",
    )
    assert size >= 14  # legible from the back of a room


def test_the_guided_tour_drives_the_page(server, page):
    """explain's sections, one at a time, each as the terminal tells it, each showing its
    part of the page (the chains of its weight, the δ form, the matrix form, the check)."""
    from chainrule.present.explain import sections
    from chainrule.records.explain import ExplainRequest, compute

    told = sections(compute(ExplainRequest.of("2-3-2")))
    ready(page, server + "/?arch=2-3-2&param=2,1,1")
    page.click("#tour")
    page.wait_for_selector("#tour-panel[data-topic=counts]")
    expected = {
        "counts": "counts-panel",
        "chains": "chains-panel",
        "factoring": "delta-panel",
        "matrix": "graph-panel",
        "operations": "ops",
        "check": "numbers-panel",
    }
    for number, section in enumerate(told):
        if number:
            page.click("#tour-next")
        page.wait_for_selector(f"#tour-panel[data-topic={section.topic}]")
        assert page.text_content("#tour-text") == section.body
        assert page.text_content("#tour-heading") == f"{section.number} · {section.title}"
        spotlit = page.eval_on_selector_all(".spotlight", "es => es.map(e => e.id)")
        assert spotlit == [expected[section.topic]]
        if section.topic == "chains":  # the tour's weight, not the one the page showed
            page.wait_for_selector('#chains [data-parameter="theta^(1)_11"]')
        if section.topic == "factoring":
            page.wait_for_selector('#steps [data-step="3"]')  # the δ form it arrives at
        if section.topic == "matrix":
            wait_until(lambda: page.evaluate("document.body.dataset.view") == "matrix")
    assert f"tour={len(told)}" in page.url
    assert page.is_disabled("#tour-next")
    page.click("#tour")  # closed: nothing marked
    assert page.is_hidden("#tour-panel")
    assert page.eval_on_selector_all(".spotlight", "es => es.length") == 0


def test_names_unicode_cannot_write_are_set_with_subscripts(server, page):
    """rnn:'s ŷ (yhat in the name) and a graph file's E_total: a hat, and a word set as a
    subscript (they read "yhat^(3)_1" and "E_total"); the compact layout is of layer sizes."""
    ready(page, server + "/?arch=rnn:1-2-1:3")
    label = '#graph g.node[data-node="yhat^(3)_1"] text.label'
    assert page.text_content(label) == "ŷ(3)1"
    shifts = page.eval_on_selector_all(
        f"{label} tspan", "ts => ts.map(t => [t.textContent, t.getAttribute('baseline-shift')])"
    )
    assert shifts == [["(3)", "super"], ["1", "sub"]]
    assert page.is_disabled("#compact")
    page.click("#graph-file summary")
    page.fill("#graph-text", (ROOT / "examples/graphs/mazur.json").read_text())
    page.click("#apply")
    page.wait_for_selector('#graph g.node[data-node="E_total"]')
    label = '#graph g.node[data-node="E_total"] text.label'
    assert page.text_content(label) == "Etotal"
    assert page.eval_on_selector(f"{label} tspan", "t => t.getAttribute('baseline-shift')") == (
        "sub"
    )


@pytest.mark.parametrize("width", [390, 1400])
@pytest.mark.parametrize("path", sorted((ROOT / "examples" / "graphs").glob("*.json")), ids=str)
def test_no_panel_of_a_graph_file_scrolls_sideways(server, browser, path, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(HANG_SECONDS * 1000)
    page = context.new_page()
    ready(page, server + "/")
    page.click("#graph-file summary")
    page.fill("#graph-text", path.read_text())
    page.click("#apply")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#numbers-note:not(:empty)")
    page.click("#graph-file summary")
    assert page.evaluate(OVERFLOWING_PANELS) == []
    context.close()


@pytest.mark.parametrize("width", [390, 1400])
def test_the_lecture_and_the_tour_fit_a_phone_and_a_projector(server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(HANG_SECONDS * 1000)
    page = context.new_page()
    numbers_ready(page, server + "/?arch=4-6-6-3&lecture=1&layout=compact&tour=3")
    page.wait_for_selector("#tour-panel[data-topic=factoring]")
    page.wait_for_selector('#steps [data-step="4"] .step-numbers')
    page.wait_for_timeout(300)
    assert page.evaluate(OVERFLOWING_PANELS) == []
    context.close()


def test_the_lecture_wraps_a_long_step_between_its_terms(server, page):
    numbers_ready(page, server + "/?arch=4-6-6-3&step=1")
    assert page.locator("#steps .wrapped-sum").count() == 0  # one formula off the lecture
    page.click("#lecture")
    terms = page.eval_on_selector_all("#steps .wrapped-sum math", "ms => ms.length")
    assert terms == 13  # the first 12 of the 18 chains, and the ⋯ that stands for the rest
    tops = page.eval_on_selector_all(
        "#steps .wrapped-sum math", "ms => new Set(ms.map(m => m.getBoundingClientRect().top)).size"
    )
    assert tops > 1  # on more than one line
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_the_tour_of_another_network_is_not_left_to_step_through(server, page):
    """Open on 2-2-2, then a graph file (no tour): nothing of 2-2-2's tour stays live."""
    ready(page, server + "/?arch=2-2-2&tour=2")
    page.wait_for_selector("#tour-panel[data-topic=chains]")
    page.click("#graph-file summary")
    page.fill("#graph-text", (ROOT / "examples/graphs/tied.json").read_text())
    page.click("#apply")
    page.wait_for_selector("body[data-ready=true]")
    wait_until(lambda: "layer sizes" in page.text_content("#tour-note"))
    assert (
        page.text_content("#tour-text") == ""
        and page.get_attribute("#tour-panel", "data-topic") is None
    )
    assert page.is_disabled("#tour-next") and page.is_disabled("#tour-prev")


def test_zoom_is_offered_where_it_works(server, page):
    """The matrix form's graph has no zoom: its buttons were shown there and did nothing."""
    ready(page, server + "/?arch=2-2-2&view=matrix")
    assert page.is_hidden(".zoom")
    page.click("#level-scalar")
    page.wait_for_selector("body[data-view=scalar]")
    assert page.is_visible(".zoom")
