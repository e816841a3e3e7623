"""The explorer on big networks, and its shareable views (issue 19, items 7 and 8), in a real
browser: counts written compactly with their exact figure at hand, a chain list of 1,000 rows
that makes only the rows in view, and a button that copies the view's deep link.

The fixtures and helpers are test_explore_browser.py's (chromium driven by path, a server in a
thread, polling from Python because the page's CSP refuses eval). Waits are for hangs only; the
speed of a selection is a figure of benchmarks/explore.py, not an assertion here.
"""

import json
from urllib.request import urlopen

import pytest

from chainrule.cli.entry import main
from tests.test_explore_browser import (
    CHROMIUM,
    HANG_SECONDS,
    browser,
    cli_json,
    page,
    ready,
    server,
    wait_until,
)

playwright_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("uvicorn")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)"
)


__all__ = ["browser", "page", "server"]  # test_explore_browser.py's fixtures, used by name


SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def compact(value: int) -> str:
    """The page's way of writing a count: whole below a million, else 2.06 × 10⁹."""
    if value < 1_000_000:
        return f"{value:,}"
    mantissa, power = f"{value:.2e}".split("e")
    return f"{mantissa}\u202f×\u202f10{str(int(power)).translate(SUPERSCRIPTS)}"


CLIPPED = """() => [document.documentElement, document.querySelector('#counts-panel'),
    ...document.querySelectorAll('#counts-panel [data-count], #counts-panel .figure')]
    .filter(e => e.scrollWidth > e.clientWidth)
    .map(e => `${e.id || e.className || e.tagName}: ${e.scrollWidth} > ${e.clientWidth}`)"""


@pytest.mark.parametrize("width", [390, 1400])
@pytest.mark.parametrize("arch", ["784-512-512-10", "10-10-10-10-10"])
def test_large_counts_are_compact_with_the_exact_figure_at_hand(
    server, browser, capsys, arch, width
):
    """2,057,835,520 chains read 2.06 × 10⁹, the exact figure its title (on hover) and its
    data-exact; a count under a million is written whole; nothing in the counts panel, nor the
    page, is wider than its box at a phone's and a projector's width."""
    expected = cli_json(capsys, "count", arch, "--ops", "--json")[0]
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(HANG_SECONDS * 1000)
    page = context.new_page()
    ready(page, server + f"/?arch={arch}")
    for what in ("parameters", "chains", "terms"):
        figure = page.locator(f'[data-count="{what}"]')
        value = expected[what]
        assert figure.get_attribute("data-exact") == f"{value:,}"
        assert figure.get_attribute("title") == f"{value:,}"
        assert figure.text_content() == compact(value)
    cells = page.eval_on_selector_all(
        "#by-layer tbody td[data-exact], #ops tbody td[data-exact]",
        "cells => cells.map(c => [c.textContent, c.dataset.exact, c.title])",
    )
    figures = [
        figure
        for layer in expected["layers"]
        for figure in (layer["parameters"], layer["chains"], layer["terms"])
    ] + [
        figure
        for mode in ("expanded", "reverse", "forward")
        for figure in (
            expected["ops"][mode]["multiplications"],
            expected["ops"][mode]["additions"],
        )
    ]
    assert cells == [[compact(f), f"{f:,}", f"{f:,}"] for f in figures]
    page.wait_for_timeout(300)
    assert page.evaluate(CLIPPED) == []
    context.close()


FIRST = "theta^(1)_11"


def listed_rows(page):
    """The rows made, in the list's order: (chain index, its factors' edges)."""
    return page.eval_on_selector_all(
        "#chains .chain-list [data-chain]",
        "items => items.map(i => [Number(i.dataset.chain), "
        "[...i.querySelectorAll('.factor')].map(f => f.dataset.edge)])",
    )


def edges_of(chain):
    return [f"{factor['wrt']}->{factor['of']}" for factor in chain]


def scroll_list(page, where: str) -> None:
    page.eval_on_selector("#chains .chain-list", f"list => {{ list.scrollTop = {where}; }}")


def row_in_view(page) -> int | None:
    """The chain index of the row at the middle of the list's box (null: a gap)."""
    return page.eval_on_selector(
        "#chains .chain-list",
        """list => { list.scrollIntoView({block: 'center'});
            const box = list.getBoundingClientRect();
            const hit = document.elementFromPoint(box.left + 40, box.top + box.height / 2);
            const row = hit && hit.closest('li[data-chain]');
            return row ? Number(row.dataset.chain) : null; }""",
    )


def test_a_long_chain_list_makes_only_the_rows_in_view(server, page, capsys):
    """θ⁽¹⁾₁₁ of 10-10-10-10-10 has 1,000 chains (drawn whole as MathML it took about 15 s):
    the list makes the rows in view and a margin, and more as it scrolls; the rows shown are
    the CLI's chains at the top, in the middle and at the end; the keys move the focus from
    row to row, made or not; copying a row's LaTeX, the largest chain marked and "largest
    first" keep working."""
    chains = cli_json(capsys, "chains", "10-10-10-10-10", "--param", "1,1,1", "--json")[0]["chains"]
    assert len(chains) == 1000
    ready(page, server + "/?arch=10-10-10-10-10&param=1,1,1")
    page.wait_for_selector(f'[data-parameter="{FIRST}"] .chain-list[data-count="1000"]')
    # the page's own timing hook: the selection to its list painted
    wait_until(lambda: page.get_attribute("body", "data-list-ms") is not None)
    assert float(page.get_attribute("body", "data-list-ms")) > 0
    rows = listed_rows(page)
    assert 5 <= len(rows) <= 60
    assert [index for index, _ in rows] == list(range(len(rows)))
    assert all(edges == edges_of(chains[index]) for index, edges in rows)
    assert row_in_view(page) is not None

    # the middle: the rows in view are made, and are the chains at their places
    scroll_list(page, "list.scrollHeight / 2")
    wait_until(lambda: row_in_view(page) is not None and 400 <= row_in_view(page) <= 600)
    rows = listed_rows(page)
    assert len(rows) <= 60 and 0 not in [index for index, _ in rows]
    indices = [index for index, _ in rows]
    assert indices == list(range(indices[0], indices[0] + len(indices)))
    assert all(edges == edges_of(chains[index]) for index, edges in rows)

    # the end
    scroll_list(page, "list.scrollHeight")
    wait_until(lambda: row_in_view(page) is not None and row_in_view(page) >= 990)
    rows = listed_rows(page)
    assert rows[-1][0] == 999 and len(rows) <= 60
    assert all(edges == edges_of(chains[index]) for index, edges in rows)
    last = page.locator('#chains [data-chain="999"]').bounding_box()
    box = page.locator("#chains .chain-list").bounding_box()
    assert box["y"] <= last["y"] and last["y"] + last["height"] <= box["y"] + box["height"] + 1

    # the keyboard: Home, End and the arrows reach rows not yet made
    page.locator('#chains [data-chain="999"]').focus()
    page.keyboard.press("Home")
    focused = "() => document.activeElement.dataset.chain"
    wait_until(lambda: page.evaluate(focused) == "0")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == "1"
    page.keyboard.press("End")
    assert page.evaluate(focused) == "999"
    page.keyboard.press("ArrowUp")
    assert page.evaluate(focused) == "998"
    assert page.locator("#graph .edge.lit").count() == len(chains[998])  # it lights its chain

    # copy LaTeX: a made row's button holds its chain's LaTeX
    latex = page.get_attribute('#chains [data-chain="998"] .copy', "data-latex")
    assert latex == " ".join(factor["latex"] for factor in chains[998])

    # the numbers: the largest chain marked, and "largest first" is the server's order
    page.wait_for_selector("#chains [data-chain][data-value]")
    with urlopen(server + "/api/values?arch=10-10-10-10-10&seed=0&param=1%2C1%2C1") as answer:
        values = json.load(answer)["chains"]
    page.click("#sort-chains")
    page.wait_for_selector("#chains .chain-list[data-order=value]")
    scroll_list(page, "0")
    wait_until(lambda: row_in_view(page) is not None)
    rows = listed_rows(page)
    assert [index for index, _ in rows] == values["order"][: len(rows)]
    assert page.get_attribute("#chains [data-chain] >> nth=0", "data-dominant") == "true"
    assert (
        int(page.get_attribute("#chains [data-chain] >> nth=0", "data-chain"))
        == (values["dominant"])
    )
    assert "largest" in page.text_content("#chains [data-dominant=true] .chain-value")
    page.click("#sort-chains")
    page.wait_for_selector("#chains .chain-list[data-order=listed]")
    assert listed_rows(page)[0][0] == 0

    # another first-layer weight: its list too, made as it comes into view
    page.click('#graph g[data-node="theta^(1)_23"]')
    page.wait_for_selector('[data-parameter="theta^(1)_23"] .chain-list[data-count="1000"]')
    wait_until(lambda: page.get_attribute("body", "data-list-ms") is not None)
    assert len(listed_rows(page)) <= 60


def copied_link(page) -> str:
    page.click("#copy-link")
    wait_until(lambda: page.get_attribute("#copy-link", "data-link") is not None)
    return page.get_attribute("#copy-link", "data-link")


def test_copy_link_copies_the_views_deep_link(server, browser):
    """The button copies the URL of the view shown (its architecture, options, weight and
    view) to the clipboard, and the link opens that view."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, permissions=["clipboard-read", "clipboard-write"]
    )
    context.set_default_timeout(HANG_SECONDS * 1000)
    page = context.new_page()
    ready(page, server + "/?arch=4-6-6-3&activation=tanh")
    page.click('#graph g[data-node="theta^(1)_23"]')
    page.wait_for_selector('[data-parameter="theta^(1)_23"] [data-chain]')
    page.click("#view-local")
    link = copied_link(page)
    assert link == page.url
    assert "arch=4-6-6-3" in link and "activation=tanh" in link
    assert "param=1%2C2%2C3" in link and "view=local" in link
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    other = context.new_page()
    ready(other, link)
    other.wait_for_selector('[data-parameter="theta^(1)_23"] [data-chain]')
    assert other.get_attribute("#view-local", "aria-pressed") == "true"
    assert other.input_value("#activation") == "tanh"
    context.close()


def test_copy_link_works_in_the_static_export(browser, tmp_path, capsys):
    """In a page written by --html the link is the file's URL with the view's query, and it
    opens that view from disk."""
    path = tmp_path / "explore.html"
    assert main(["explore", "2-2-2", "--html", str(path)]) == 0
    capsys.readouterr()
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, permissions=["clipboard-read", "clipboard-write"]
    )
    context.set_default_timeout(HANG_SECONDS * 1000)
    context.route(lambda url: not url.startswith("file://"), lambda route: route.abort())
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    ready(page, path.as_uri())
    assert page.is_enabled("#copy-link")
    page.click('#graph g[data-node="theta^(2)_12"]')
    page.wait_for_selector('[data-parameter="theta^(2)_12"] [data-chain]')
    link = copied_link(page)
    assert link.startswith(path.as_uri() + "?") and "param=2%2C1%2C2" in link
    assert "copied" in page.text_content("#copy-link-state")
    other = context.new_page()
    ready(other, link)
    assert other.locator('[data-parameter="theta^(2)_12"] [data-chain]').count() == 1
    assert errors == []
    context.close()
