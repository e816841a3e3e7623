"""The explorer's speed, each figure printed beside its target (not timed tests).

Run ``python benchmarks/explore.py`` (needs chromium and the test extras). It measures:

- ready: navigation to a 2-2-2 page on a localhost server until its graph, counts and chains are
  drawn (``body[data-ready=true]``), in headless Chromium, best of several; target 1 s.
- select: selecting a parameter of 4-6-6-3 (558 chains in all; θ^(1)_23 has 18) until its chains,
  lit paths and δ steps are drawn, measured in the page (``data-select-ms``), from the static
  export (no network) and from the server; target 100 ms.
- export: ``chainrule explore 4-6-6-3 --html`` wall time and file size; targets 3 s and 2 MB.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REPEATS = 5


def _line(name: str, value: float, unit: str, target: float) -> None:
    verdict = "meets" if value <= target else "MISSES"
    print(f"{name:<34} {value:10.3f} {unit:<3} target <= {target:g} {unit}  ({verdict})")


def _select_ms(page, url: str) -> float:
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    best = float("inf")
    for name in ("theta^(1)_23", "theta^(1)_14", "theta^(1)_23"):
        page.click(f'#graph g[data-node="{name}"]')
        page.wait_for_selector(f'[data-parameter="{name}"] [data-chain]')
        page.wait_for_selector("body[data-ready=true]")
        best = min(best, float(page.get_attribute("body", "data-select-ms")))
    return best


def main() -> int:
    from playwright.sync_api import sync_playwright

    from chainrule.explore.command import serving

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium is not installed: apt-get install chromium")
        return 1
    with tempfile.TemporaryDirectory() as directory:
        html = Path(directory) / "explore.html"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "chainrule", "explore", "4-6-6-3", "--html", str(html)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        export_seconds = time.perf_counter() - started
        size_mb = html.stat().st_size / 1e6
        with serving() as base:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(base + "/?arch=2-2-2")  # warm: the server's first SymPy imports
                page.wait_for_selector("body[data-ready=true]", timeout=30_000)
                ready = []
                for _ in range(REPEATS):
                    started = time.perf_counter()
                    page.goto(base + "/?arch=2-2-2")
                    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
                    ready.append(time.perf_counter() - started)
                static_ms = _select_ms(page, html.as_uri())
                served_ms = _select_ms(page, base + "/?arch=4-6-6-3")
                browser.close()
    _line("page ready, 2-2-2 (best)", min(ready), "s", 1.0)
    _line("select θ^(1)_23 of 4-6-6-3, static", static_ms, "ms", 100)
    _line("select θ^(1)_23 of 4-6-6-3, server", served_ms, "ms", 100)
    _line("explore 4-6-6-3 --html, time", export_seconds, "s", 3.0)
    _line("explore 4-6-6-3 --html, size", size_mb, "MB", 2.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
