"""``chainrule check``: hand-derived gradients and δs judged, and their mistakes named."""

from __future__ import annotations

import argparse


def register(commands, network_options: argparse.ArgumentParser) -> None:
    from chainrule.cli.check import add_check_parser  # light: its heavy imports are lazy

    add_check_parser(commands, network_options)
