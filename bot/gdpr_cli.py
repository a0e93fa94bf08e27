"""`supportbot gdpr ...`: command-line tools for gdpr."""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(sub: Any) -> None:
    """Add the `gdpr` command group to the top-level parser's sub-parsers."""
    del sub  # not built yet
    _ = argparse
