"""Delivers the outbox after commit, in order, with retries; a failure never loses a message."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from http.client import HTTPException
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from storage.models import OutboxRow
from storage.outbox import DEAD_LETTER_NOTICE, Outbox, Pace, PendingMessage, worker_identity
from storage.timers import SqlTimerStore

log = logging.getLogger(__name__)

# Slack errors that a later attempt can cure; anything else is permanent (bad channel, bad blocks...).
RETRYABLE_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}


class OutboxWorker:
    """One delivery thread per process, woken after each commit and periodically for retries.

    Any number of processes may run one on the same database: each claims messages under a lease, calls
    Slack outside any transaction and marks them sent right after Slack's OK, so a message is sent twice
    only if a process dies between Slack's answer and that commit.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        client: WebClient,
        clock: Clock,
        *,
        batch: int = 50,
        leads: Sequence[str] = (),
        pace: Pace | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.sessions = sessions
        self.client = client
        self.clock = clock
        self.batch = batch
        self.leads = tuple(leads)  # told once about each dead letter
        self.pace = pace or Pace()
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
                        owner=self.owner, limit=self.batch, pace=self.pace, wall_now=self.wall()
                    )
                self._paused.clear()
                for index, message in enumerate(claim.messages):
                    if message.channel in self._paused:  # a 429 for this channel: the rest wait, in order
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
        try:
            if message.operation == "update":
                outcome = self._update(message)
            elif message.operation == "usergroup":  # queued by bot/rota_jobs.py: the group = who is on duty
                self.client.usergroups_users_update(usergroup=message.channel, users=message.payload["users"])
                outcome = (None, None)
            else:
                outcome = self._post(message)
        except SlackApiError as error:
            response = error.response
            code = str(response.get("error", "")) if response is not None else ""
            status = response.status_code if response is not None else 0
            retryable = code in RETRYABLE_ERRORS or status >= 500 or status == 429
            retry_after = _retry_after(response.headers) if response is not None and status == 429 else None
            self._fail(message, f"{code or 'error'} (HTTP {status})", retryable=retryable, retry_after=retry_after)
            return 0
        except (OSError, TimeoutError, HTTPException, SlackRequestError) as error:  # refused, reset, dropped...
            self._fail(message, f"{type(error).__name__}: {error}", retryable=True)
            return 0
        if outcome is None:  # deferred: the card it updates is not posted yet
            return 0
        channel, ts = outcome
        with self.sessions.begin() as session:
            Outbox(session, self.clock.now()).mark_sent(message.id, channel=channel, ts=ts)
        return 1

    def _post(self, message: PendingMessage) -> tuple[str | None, str | None]:
        response = self.client.chat_postMessage(channel=message.channel, **_content(message.payload))
        return response.get("channel"), response.get("ts")

    def _update(self, message: PendingMessage) -> tuple[str | None, str | None] | None:
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
            return self._post(message)
        channel, ts = location
        response = self.client.chat_update(channel=channel, ts=ts, **_content(message.payload))
        return response.get("channel"), response.get("ts")

    def _fail(self, message: PendingMessage, error: str, *, retryable: bool, retry_after: float | None = None) -> None:
        """Record the failure; Retry-After holds back the message and its channel; a new dead letter is told."""
        log.warning("outbox message %s to %s failed (%s); retryable=%s", message.id, message.channel, error, retryable)
        now = self.clock.now()
        with self.sessions.begin() as session:
            outbox = Outbox(session, now)
            dead = outbox.mark_failed(message.id, error, retryable=retryable, retry_after=retry_after)
            if retry_after:
                self._paused.add(message.channel)
                outbox.pause_channel(message.channel, until=self.wall() + retry_after, pace=self.pace)
            if dead is None or message.payload.get("notice") == DEAD_LETTER_NOTICE or not self.leads:
                return  # a notice that itself fails is not reported again: no loop
            # A unique key per death: several processes, or a retried transaction, tell the leads once.
            key = f"dead-letter:{dead.id}:{dead.attempts}"
            if SqlTimerStore(session).claim(key, ticket_id=None, kind="dead_letter", now=now):
                for lead in self.leads:
                    outbox.post(lead, dead_letter_notice(dead))
            log.error("outbox message %s to %s is a dead letter: %s", dead.id, dead.channel, error)


def dead_letter_notice(row: OutboxRow) -> dict[str, Any]:
    """The leads' DM about a dead letter: what failed, why, and the command that sends it again."""
    where = f"<#{row.channel}>" if row.channel[:1] in ("C", "G") else f"<@{row.channel}>"
    began = " ".join(str(row.payload.get("text") or "").split())[:80]
    text = (
        f":warning: supportbot could not deliver message #{row.id} ({row.operation} to {where}) after "
        f"{row.attempts} attempt(s): {row.last_error}. It began: \u201c{began}\u201d. Once the cause is fixed, "
        f"send it again with `supportbot outbox redrive {row.id}` (`supportbot outbox list --dead` shows all)."
    )
    return {"text": text, "notice": DEAD_LETTER_NOTICE}


def _retry_after(headers: Any) -> float | None:
    for name, value in dict(headers or {}).items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value[0] if isinstance(value, list) else value))
            except (TypeError, ValueError):
                return None
    return None


def _content(payload: dict[str, Any]) -> dict[str, Any]:
    return {"text": payload.get("text", ""), "blocks": payload.get("blocks")}
