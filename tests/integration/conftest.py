"""Fixtures shared by the integration tests: the fake Slack Web API and the app wired to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import Runtime, build_runtime
from bot.settings import Settings
from handlers.slack.fake_api import FakeSlack
from services.clock import ManualClock


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def runtime(database_url: str, config_path: Path, clock: ManualClock, fake: FakeSlack) -> Iterator[Runtime]:
    """The wired app without its HTTP server or worker thread: tests drive delivery with drain()."""
    runtime = build_runtime(Settings("xoxb-test", "secret", None, fake.api_url, database_url, config_path), clock=clock)
    yield runtime
    runtime.close()
