"""``chainrule explore``: the derivative chains in the browser, live.

A Starlette app (:mod:`.server`) serves a plain HTML/CSS/JavaScript page (``page/``) and a JSON
API whose documents are the CLI's ``--json`` output (:mod:`.api`); :mod:`.export` writes the same
page as one self-contained file, and :func:`explore` shows it in a notebook. Starlette and
uvicorn are imported only when a server is started.
"""

from __future__ import annotations

import sys
import types

from chainrule.explore.jupyter import explore as _explore


def explore(network_or_graph="2-2-2", **options):
    """The explorer's page of a network for a notebook: its ``_repr_html_`` embeds the static
    page (see :func:`chainrule.explore.jupyter.explore`)."""

    return _explore(network_or_graph, **options)


class _CallableModule(types.ModuleType):
    """``chainrule.explore`` is both this package and the notebook function: once the package
    is imported it is the attribute ``chainrule.explore``, so calling it calls :func:`explore`."""

    def __call__(self, *args, **kwargs):
        return explore(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
