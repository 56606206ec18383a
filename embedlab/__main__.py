"""``python -m embedlab``: the command line (info, neighbors, analogy, project, evaluate, convert).

The subcommands live in :mod:`embedlab.cli.main`; a new one (e.g. ``train``) is registered with
one line in the ``COMMANDS`` table there.
"""
from __future__ import annotations

import sys

from .cli.main import COMMANDS, main

__all__ = ["main", "COMMANDS"]

if __name__ == "__main__":
    sys.exit(main())
