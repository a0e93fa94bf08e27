"""A real `supportbot serve` delivering to Teams, with the Bot Connector throttling 30% of posts and the process
killed with SIGKILL mid-burst: after a restart everything arrives, and nothing the connector acknowledged is sent
again (as tests/e2e/test_multiprocess.py checks for Slack)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from handlers.teams.fake_connector import Call, FakeConnector
from storage.db import make_engine, make_sessionmaker, migrate
from storage.outbox import Outbox
from tests.conftest import REPO
from tests.teams.conftest import APP_ID, TRIAGE, teams_config

CHANNELS = [TRIAGE, "19:second@thread.tacv2", "19:third@thread.tacv2"]


@pytest.fixture
def fake() -> Iterator[FakeConnector]:
    with FakeConnector() as fake:
        yield fake


def serve(fake: FakeConnector, database_url: str, config: Path, cwd: Path) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "DATABASE_URL": database_url,
        "SUPPORTBOT_CONFIG": str(config),
        "TEAMS_APP_ID": APP_ID,
        "TEAMS_APP_PASSWORD": "test-client-secret",
        "TEAMS_TENANT_ID": "00000000-0000-4000-8000-00000000a11c",
        "TEAMS_OPENID_METADATA_URL": fake.openid_metadata_url,
        "TEAMS_TOKEN_URL": fake.token_url,
        "SUPPORTBOT_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", "0", "--host", "127.0.0.1"],
        env=environment,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def acknowledged(calls: list[Call], texts: set[str]) -> Counter[str]:
    """Each text the connector answered 200 for, and how often."""
    return Counter(
        str(c.body.get("text"))
        for c in calls
        if c.method == "POST" and c.path.endswith("/activities") and c.status == 200 and c.body.get("text") in texts
    )


def test_serve_killed_mid_burst_under_throttling_delivers_everything_and_repeats_nothing_acknowledged(
    fake: FakeConnector, database_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "supportbot.yml"
    config.write_text(teams_config(fake.service_url))
    burst = [(CHANNELS[n % len(CHANNELS)], f"teams burst {n}") for n in range(24)]
    texts = {text for _, text in burst}
    engine = make_engine(database_url)
    migrate(engine)
    with make_sessionmaker(engine).begin() as session:  # one transaction, as a digest or handover writes it
        # Stamped with the real time, like tests/e2e/test_multiprocess.py: `serve` delivers on the real clock, and
        # gives up on a message retried for three days since it was queued. Only relative times matter here.
        outbox = Outbox(session, datetime.now(UTC))
        for conversation, text in burst:
            outbox.post(conversation, {"text": text, "to": "conversation"}, platform="teams")
    engine.dispose()
    fake.fail("POST", "/activities", 429, retry_after=0, times=2)  # the first two posts throttled, whatever else runs
    fake.refuse_randomly(0.3, seed=7)  # then 429 with Retry-After: 0 on about a third of the posts
    # Then the connector holds a burst post unanswered, so the kill lands while one is in flight (a kill between
    # the connector's 200 and the commit would rightly send that one twice).
    fake.hold_activity_posts_after(8, texts=texts)

    first = serve(fake, database_url, config, tmp_path)
    try:
        fake.wait_for(lambda calls: fake.held >= 1, timeout=30)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        stop(first)
    before_kill = acknowledged(fake.calls_to("POST"), texts)
    throttled = [c for c in fake.calls_to("POST", "/activities") if c.status == 429]
    assert sum(before_kill.values()) == 8, "the kill landed mid-burst, after eight acknowledged posts"
    assert throttled, "the connector throttled some posts and the outbox retried them"
    fake.release()  # the held post is answered 503: its sender is dead and never recorded it

    second = serve(fake, database_url, config, tmp_path)  # same host: the dead process's leases are void at once
    try:
        fake.wait_for(lambda calls: set(acknowledged(calls, texts)) == texts, timeout=30)
    finally:
        stop(second)
    after = acknowledged(fake.calls_to("POST"), texts)
    assert set(after) == texts, "everything pending was delivered"
    assert set(after.values()) == {1}, "nothing the connector had acknowledged was sent again"
    delivered_to = {c.path.split("/")[-2] for c in fake.calls_to("POST", "/activities") if c.body.get("text") in texts}
    assert delivered_to == set(CHANNELS), "each post went to its own conversation"
