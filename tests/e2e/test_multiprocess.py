"""Real `supportbot` processes on one database (SQLite file, or PostgreSQL with TEST_DATABASE_URL): a `serve`
killed with SIGKILL mid-burst loses nothing and repeats nothing Slack answered; two `serve`s share a burst
without sending anything twice; concurrent `sweep`s send each reminder once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.app import build_core
from bot.settings import Settings
from handlers.slack.fake_api import FakeSlack
from services.clock import ManualClock
from storage.db import make_engine, make_sessionmaker, migrate
from storage.outbox import Outbox
from tests.conftest import LONDON, REPO
from triage.services import TicketDraft, open_ticket

ALICE = "U1ALICE"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def env(fake: FakeSlack, database_url: str, config_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": database_url,
        "SUPPORTBOT_CONFIG": str(config_path),
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SUPPORTBOT_LOG_LEVEL": "WARNING",
    }


def serve(environment: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", "0", "--host", "127.0.0.1"],
        env=environment,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def queue_burst(database_url: str, messages: list[tuple[str, str]]) -> None:
    """A burst written in one transaction, as a digest or handover would write it."""
    engine = make_engine(database_url)
    migrate(engine)
    with make_sessionmaker(engine).begin() as session:
        outbox = Outbox(session, datetime.now(LONDON))
        for channel, text in messages:
            outbox.post(channel, {"text": text})
    engine.dispose()


def answered(fake: FakeSlack, texts: set[str]) -> Counter[str]:
    return Counter(c.text for c in fake.calls_to("chat.postMessage") if c.text in texts)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_killed_mid_burst_then_restarted_delivers_everything_and_repeats_nothing_answered(
    fake: FakeSlack, database_url: str, config_path: Path, tmp_path: Path
) -> None:
    burst = [("C0TRIAGE", f"burst {n}") for n in range(6)] + [(f"U0B{n:03d}", f"burst dm {n}") for n in range(18)]
    texts = {text for _, text in burst}
    queue_burst(database_url, burst)
    fake.slow_down(0.25, method="chat.postMessage", count=8)
    # Then Slack holds each answer long enough that the kill surely lands while it holds one, however busy
    # the machine: a kill just after an answer, before its commit, would rightly send that message twice.
    fake.slow_down(5.0, method="chat.postMessage")
    environment = env(fake, database_url, config_path)
    first = serve(environment, tmp_path)
    try:
        fake.wait_for(lambda calls: sum(c.text in texts for c in calls) >= 8, timeout=30)
        fake.wait_in_flight(1)  # Slack is holding a request: kill the sender before it answers
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        stop(first)
    before_kill = answered(fake, texts)
    assert 8 <= sum(before_kill.values()) < len(burst), "the kill landed mid-burst"
    fake.wait_for(lambda calls: any(c.method == "chat.postMessage!aborted" for c in calls), timeout=20)
    fake.heal()  # Slack answers at once again

    second = serve(environment, tmp_path)  # same host: the dead process's leases are void at once
    try:
        fake.wait_for(lambda calls: len({c.text for c in calls if c.method == "chat.postMessage"} & texts) == 24, 20)
    finally:
        stop(second)
    after = answered(fake, texts)
    assert set(after) == texts, "everything pending was delivered"
    assert set(after.values()) == {1}, "nothing Slack had answered was sent again"


def test_two_serve_processes_share_a_burst_and_send_nothing_twice(
    fake: FakeSlack, database_url: str, config_path: Path, tmp_path: Path
) -> None:
    burst = [(f"U0M{n:03d}", f"shared {n}") for n in range(40)]
    texts = {text for _, text in burst}
    queue_burst(database_url, burst)
    fake.slow_down(0.05, method="chat.postMessage")
    environment = env(fake, database_url, config_path)
    processes = [serve(environment, tmp_path), serve(environment, tmp_path)]
    try:
        fake.wait_for(lambda calls: len({c.text for c in calls if c.method == "chat.postMessage"} & texts) == 40, 25)
        time.sleep(0.5)  # not timing logic: lets a duplicate, if there were one, reach the fake before we count
    finally:
        for process in processes:
            stop(process)
    assert answered(fake, texts) == Counter(texts), "each message exactly once"


def test_concurrent_sweeps_send_each_reminder_once(
    fake: FakeSlack, database_url: str, config_path: Path, tmp_path: Path
) -> None:
    opened = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)
    settings = Settings("xoxb-test-token", None, None, fake.api_url, database_url, config_path)
    core = build_core(settings, clock=ManualClock(opened))
    try:
        for n in range(5):
            draft = TicketDraft.parse(
                title=f"Laptop {n} will not boot", description="Black screen.", type="technical_support", priority="P2"
            )
            core.deps.run(
                lambda uow, draft=draft, n=n: open_ticket(
                    draft=draft, requester_id=f"U7R{n:03d}", origin_channel_id=None, **uow.ticket_ports()
                )
            )
        assert core.worker.drain() == 15
    finally:
        core.close()
    environment = env(fake, database_url, config_path)
    sweeps = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "sweep", "--at", "2026-11-24T10:20:00+00:00"],
            env=environment,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=60) for process in sweeps]
    assert [process.returncode for process in sweeps] == [0, 0, 0], outputs
    reminders = Counter(
        c.text for c in fake.calls_to("chat.postMessage") if c.channel == ALICE and c.text.endswith("due soon")
    )
    assert reminders == Counter({f"SUP-{n}: response due soon": 1 for n in range(1, 6)}), reminders
    checked = sum(int(out.split(": ", 1)[1].split(" tickets", 1)[0]) for out, _ in outputs)
    assert checked >= 5, outputs  # the work was split or raced, but every reminder went out once
