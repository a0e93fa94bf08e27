"""Shared fixtures: a real database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set) and a clock."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from services.clock import ManualClock
from storage.db import make_engine

REPO = Path(__file__).resolve().parents[1]
LONDON = ZoneInfo("Europe/London")
# Tuesday of the rota's fourth week: 1st line U1ALICE, 2nd line U5ERIN (bot/demo/demo.yml's rota).
TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh, empty database for each test."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path / 'supportbot.db'}"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(TUESDAY_10AM)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "supportbot.yml"
    shutil.copy(REPO / "bot" / "demo" / "demo.yml", path)
    return path


@pytest.fixture(autouse=True)
def _no_stray_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests pass settings explicitly; a developer's SLACK_* variables must not leak in."""
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "DATABASE_URL",
        "SUPPORTBOT_CONFIG",
    ):
        monkeypatch.delenv(name, raising=False)
    yield
