"""`supportbot rota ...`: command-line tools for rota."""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(sub: Any) -> None:
    """Add the `rota` command group to the top-level parser's sub-parsers."""
    del sub  # not built yet
    _ = argparse
