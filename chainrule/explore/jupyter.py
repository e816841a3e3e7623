"""``chainrule.explore(...)`` in a notebook: the static page in an ``<iframe srcdoc>``, which
JupyterLab, VS Code and nbconvert's HTML output all show without a server.

Examples
--------
>>> view = explore("1-1-1")
>>> html = view._repr_html_()
>>> html.startswith("<iframe") and "srcdoc=" in html and "&lt;script" in html
True
>>> html.endswith("</script>")  # the frame grows to the page's height
True
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from chainrule import budget, rules
from chainrule.explore.export import static_page
from chainrule.files import write_text_atomically
from chainrule.graph.spec import Network


class Explorer:
    """The explorer's static page of one network; shows itself in notebooks."""

    def __init__(self, page: str, title: str, height: int = 1100):
        self.page = page
        self.title = title
        self.height = height

    def __repr__(self) -> str:
        """What a console shows: whose page it is and how to see it.

        >>> explore("1-1-1")
        <chainrule explorer of 1-1-1: shown in a notebook; .save('explore.html') writes it>
        """
        return (
            f"<chainrule explorer of {self.title}: shown in a notebook; "
            ".save('explore.html') writes it>"
        )

    def _repr_html_(self) -> str:
        # The page tells its frame how tall it is (explore.js, postMessage): the frame grows
        # to it rather than scrolling a 3,000 px page inside a fixed `height`, which is what
        # it keeps where scripts of the output do not run.
        return (
            f'<iframe title="chainrule explore: {html.escape(self.title)}" '
            f'srcdoc="{html.escape(self.page, quote=True)}" '
            f'style="width: 100%; height: {self.height}px; border: 0" '
            'sandbox="allow-scripts allow-popups"></iframe>'
            "<script>(function () {"
            "const frame = document.currentScript.previousElementSibling;"
            "window.addEventListener('message', (event) => {"
            "if (event.source !== frame.contentWindow || !event.data"
            " || event.data.chainrule !== 'height') return;"
            "const height = Math.ceil(Number(event.data.height));"
            "if (height > 0 && height < 100000) frame.style.height = height + 'px';"
            "});})();</script>"
        )

    def save(self, path) -> None:
        """Write the page to `path` (one self-contained HTML file), atomically."""

        write_text_atomically(path, self.page)


def explore(
    network_or_graph="2-2-2",
    bias: bool = False,
    activation: str = rules.DEFAULT_ACTIVATION,
    cost: str = rules.DEFAULT_COST,
    limit: int = budget.DOCUMENT_CHAIN_LIMIT,
    seed: int = 0,
    height: int = 1100,
) -> Explorer:
    """The explorer of a network: layer sizes (``"2-2-2"``), a :class:`~chainrule.Network`, a
    graph file's path (``*.json``) or its JSON text or parsed document (a dict).

    Everything is precomputed within `limit` chains, as ``chainrule explore --html`` does.
    """
    import json

    options: dict[str, Any] = {
        "arch": "",
        "bias": bias,
        "activation": activation,
        "cost": cost,
        "graph": None,
    }
    if isinstance(network_or_graph, Network):
        network = network_or_graph
        options.update(
            arch=network.architecture,
            bias=network.bias,
            activation=_activation_text(network),
            cost=network.cost,
        )
        title = network.architecture
    elif isinstance(network_or_graph, dict):
        options["graph"] = json.dumps(network_or_graph)
        title = "graph"
    elif isinstance(network_or_graph, (str, Path)) and str(network_or_graph).lower().endswith(
        ".json"
    ):
        options["graph"] = Path(network_or_graph).read_text(encoding="utf-8")
        title = Path(network_or_graph).name
    elif isinstance(network_or_graph, str) and network_or_graph.lstrip().startswith("{"):
        options["graph"] = network_or_graph
        title = "graph"
    else:
        options["arch"] = str(network_or_graph)
        title = options["arch"]
    command = "chainrule.explore(...) in Python, or chainrule explore on the command line"
    # Every document is computed as the server computes it; a refusal names limit= as a
    # Python caller writes it.
    page = static_page(options, command, limit=limit, seed=seed, front_end="python")
    return Explorer(page, title, height)


def _activation_text(network) -> str:
    """The --activation text that rebuilds `network`'s activations."""
    names = network.activation
    return names[0] if len(set(names)) == 1 else ",".join(names)
