"""``python -m chainrule``: the same as the ``chainrule`` command."""

import sys

from chainrule.cli.entry import main

if __name__ == "__main__":
    sys.exit(main())
