"""Regenerate the explorer's pictures in docs/: one per built-in network, and the lecture mode.

Run ``python docs/screenshots.py`` from a checkout (needs chromium, ``apt-get install
chromium``, and the test extras, for Playwright). It serves the explorer on a free port of
127.0.0.1, opens each view in headless Chromium and writes ``docs/explore-*.png``; the tests
never write here. Each picture is of the page as a user sees it at 1400×900 (the first, the
README's, of the whole page).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
EXAMPLES = DOCS.parent / "examples" / "graphs"
HANG_MS = 90_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]

#: (file, the page's query, what to do once it is ready, whether the whole page is pictured)
VIEWS = [
    # the README's: θ^(1)_11's two chains lit, the δ^(2)_1 step shaded
    ("explore-2-2-2.png", "arch=2-2-2&param=1,1,1&step=2", (), True),
    # the lecture: projector type, the compact layout, one chain lit, the backward pass under way
    (
        "explore-lecture-4-6-6-3.png",
        "arch=4-6-6-3&param=1,1,1&layout=compact&lecture=1",
        ("#chain-next",) + ("#sweep-next",) * 24,
        False,
    ),
    ("explore-rnn-1-2-1-3.png", "arch=rnn:1-2-1:3", (), False),
    ("explore-resnet-2x4.png", "arch=resnet:2x4", (), False),
]


def picture(page, base: str, name: str, query: str, clicks, whole: bool) -> None:
    page.goto(f"{base}/?{query}")
    page.wait_for_selector("body[data-ready=true]", timeout=HANG_MS)
    page.wait_for_selector("#numbers-note[data-cost]", timeout=HANG_MS)
    for selector in clicks:
        page.click(selector)
    settle(page)
    page.screenshot(path=str(DOCS / name), full_page=whole)
    print("wrote", DOCS / name)


def settle(page) -> None:
    page.mouse.move(0, 0)  # no hover left over
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(400)


def graph_file(page, base: str, path: Path) -> None:
    """A graph file as a user pastes it into the page."""
    page.goto(f"{base}/")
    page.wait_for_selector("body[data-ready=true]", timeout=HANG_MS)
    page.click("#graph-file summary")
    page.fill("#graph-text", path.read_text())
    page.click("#apply")
    page.wait_for_selector("body[data-ready=true]", timeout=HANG_MS)
    page.wait_for_selector("#numbers-note[data-cost]", timeout=HANG_MS)
    page.click("#graph-file summary")  # folded again: the picture is of the graph
    settle(page)
    name = f"explore-graph-{path.stem}.png"
    page.screenshot(path=str(DOCS / name))
    print("wrote", DOCS / name)


def main() -> int:
    from playwright.sync_api import sync_playwright

    from chainrule.explore.command import serving

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium is not installed: apt-get install chromium")
        return 1
    with serving() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(HANG_MS)
        for name, query, clicks, whole in VIEWS:
            picture(page, base, name, query, clicks, whole)
        for path in sorted(EXAMPLES.glob("*.json")):
            graph_file(page, base, path)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
