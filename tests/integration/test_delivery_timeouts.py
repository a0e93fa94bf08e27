"""A Slack answer slower than the client's timeout is a transient failure: the message is kept and sent later."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk import WebClient

from bot.app import Runtime
from bot.delivery import OutboxWorker
from handlers.slack.fake_api import FakeSlack
from handlers.slack.sender import SlackSender
from services.clock import ManualClock
from storage.outbox import Pace
from tests.integration.test_delivery_faults import LEAD, queue, rows


def test_a_timed_out_post_is_retried_by_the_outbox_and_lands_once(
    runtime: Runtime, fake: FakeSlack, clock: ManualClock
) -> None:
    client = WebClient(token="xoxb-test", base_url=fake.api_url, timeout=1)  # no client retries: the outbox's
    worker = OutboxWorker(
        runtime.sessions, {"slack": SlackSender(client)}, runtime.clock, leads=[LEAD], pace=Pace(interval=0.0)
    )
    queue(runtime, [("U1ALICE", "slow to answer")])
    fake.slow_down(1.5, method="chat.postMessage", count=1)

    assert worker.drain() == 0  # timed out: not sent, not dead
    (row,) = rows(runtime)
    assert (row.status, row.attempts) == ("pending", 1) and "timed out" in (row.last_error or "").lower()

    clock.advance(timedelta(minutes=15))  # past the back-off
    assert worker.drain() == 1
    (row,) = rows(runtime)
    assert row.status == "sent"
    assert [c.text for c in fake.calls_to("chat.postMessage")] == ["slow to answer"]
