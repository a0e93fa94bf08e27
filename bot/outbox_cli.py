"""`supportbot outbox ...`: command-line tools for outbox."""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(sub: Any) -> None:
    """Add the `outbox` command group to the top-level parser's sub-parsers."""
    del sub  # not built yet
    _ = argparse
