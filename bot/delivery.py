"""Delivers the outbox after commit, in order, with retries; a failure never loses a message."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from storage.outbox import (
    DEAD_LETTER_NOTICE,
    PACES,
    Outbox,
    Pace,
    PendingMessage,
    Sender,
    SendFailed,
    lane,
    worker_identity,
)
from storage.timers import SqlTimerStore

log = logging.getLogger(__name__)


class OutboxWorker:
    """One delivery thread per process, woken after each commit and periodically for retries.

    Any number of processes may run one on the same database: each claims messages under a lease, calls
    the platform (its `Sender`: handlers/slack/sender.py for Slack) outside any transaction and marks them sent right after Slack's OK, so a message is sent twice
    only if a process dies between Slack's answer and that commit.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        senders: Mapping[str, Sender],
        clock: Clock,
        *,
        batch: int = 50,
        leads: Sequence[str] = (),
        pace: Pace | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.sessions = sessions
        self.senders = dict(senders)  # platform -> its sender
        self.clock = clock
        self.batch = batch
        self.leads = tuple(leads)  # told once about each dead letter
        self.pace = pace or Pace()
        # Each platform's rate; a pace given explicitly (tests, benchmarks) applies to every platform.
        self.paces = {} if pace is not None else dict(PACES)
        self.wall = wall  # pacing is real time (Slack's limit), shared by processes through the database
        self.owner = worker_identity()
        self._paused: set[str] = set()  # channels that answered 429 during the current batch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()  # nothing asked of it yet
        self._drain_lock = threading.Lock()
        self._state_lock = threading.Lock()  # makes "wake" and "idle" change together
        self._thread: threading.Thread | None = None

    # -- running ------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=10)

    def kick(self) -> None:
        """Something was committed to the outbox: deliver it now."""
        with self._state_lock:
            self._idle.clear()
            self._wake.set()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until everything due has been attempted (for the demo and tests)."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            try:
                self.drain()
            except Exception:
                log.exception("outbox delivery pass failed; pending messages stay queued")
            with self._state_lock:
                if not self._wake.is_set():
                    self._idle.set()

    # -- delivering ---------------------------------------------------------------------

    def drain(self) -> int:
        """Deliver everything due now (waiting out channel pacing); returns how many messages were sent."""
        sent = 0
        with self._drain_lock:
            while not self._stop.is_set():
                with self.sessions.begin() as session:
                    claim = Outbox(session, self.clock.now()).claim(
                        owner=self.owner, limit=self.batch, pace=self.pace, wall_now=self.wall(), paces=self.paces
                    )
                self._paused.clear()
                for index, message in enumerate(claim.messages):
                    if lane(message.platform, message.channel) in self._paused:  # a 429: the rest wait, in order
                        self._release([message])
                        continue
                    if self._stop.wait(max(0.0, message.slot - self.wall())):
                        self._release(claim.messages[index:])
                        return sent
                    sent += self._deliver(message)
                if claim.messages:
                    continue  # what this batch queued (dead-letter notices) or left behind comes next
                if claim.next_slot is None:
                    return sent
                self._stop.wait(max(0.01, claim.next_slot - self.wall()))
        return sent

    def _release(self, messages: Sequence[PendingMessage]) -> None:
        with self.sessions.begin() as session:
            outbox = Outbox(session, self.clock.now())
            for message in messages:
                outbox.release(message.id)

    def _deliver(self, message: PendingMessage) -> int:
        sender = self.senders.get(message.platform)
        try:
            if sender is None:
                raise SendFailed(f"no sender for platform {message.platform!r}", retryable=False)
            if message.operation == "update":
                outcome = self._update(sender, message)
            elif message.operation == "usergroup":
                sender.set_group(message)
                outcome = (None, None)
            else:
                outcome = sender.post(message)
        except SendFailed as failed:
            self._fail(message, str(failed), retryable=failed.retryable, retry_after=failed.retry_after)
            return 0
        if outcome is None:  # deferred: the card it updates is not posted yet
            return 0
        channel, ts = outcome
        with self.sessions.begin() as session:
            Outbox(session, self.clock.now()).mark_sent(message.id, channel=channel, ts=ts)
        return 1

    def _update(self, sender: Sender, message: PendingMessage) -> tuple[str | None, str | None] | None:
        assert message.card_key is not None
        with self.sessions.begin() as session:
            outbox = Outbox(session, self.clock.now())
            location = outbox.card_location(message.card_key)
            if location is None:
                if outbox.card_post_pending(message.card_key):
                    outbox.defer(message.id, seconds=5)
                    return None
                outbox.convert_to_post(message.id)
        if location is None:
            return sender.post(message)
        channel, ts = location
        return sender.update(message, channel=channel, ts=ts)

    def _fail(self, message: PendingMessage, error: str, *, retryable: bool, retry_after: float | None = None) -> None:
        """Record the failure; Retry-After holds back the message and its channel; a new dead letter is told."""
        log.warning("outbox message %s to %s failed (%s); retryable=%s", message.id, message.channel, error, retryable)
        now = self.clock.now()
        with self.sessions.begin() as session:
            outbox = Outbox(session, now)
            dead = outbox.mark_failed(message.id, error, retryable=retryable, retry_after=retry_after)
            if retry_after:
                self._paused.add(lane(message.platform, message.channel))
                rate = self.paces.get(message.platform, self.pace)
                outbox.pause_channel(
                    lane(message.platform, message.channel), until=self.wall() + retry_after, pace=rate
                )
            sender = self.senders.get(dead.platform) if dead is not None else None
            if dead is None or message.payload.get("notice") == DEAD_LETTER_NOTICE or not self.leads or not sender:
                return  # a notice that itself fails is not reported again: no loop
            # A unique key per death: several processes, or a retried transaction, tell the leads once.
            key = f"dead-letter:{dead.id}:{dead.attempts}"
            if SqlTimerStore(session).claim(key, ticket_id=None, kind="dead_letter", now=now):
                for lead in self.leads:
                    outbox.post(lead, sender.dead_letter_notice(dead))
            log.error("outbox message %s to %s is a dead letter: %s", dead.id, dead.channel, error)
