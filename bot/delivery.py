"""Delivers the outbox after commit, in order, with retries; a failure never loses a message."""

from __future__ import annotations

import logging
import threading
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from storage.outbox import Outbox, PendingMessage

log = logging.getLogger(__name__)

# Slack errors that a later attempt can cure; anything else is permanent (bad channel, bad blocks...).
RETRYABLE_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}


class OutboxWorker:
    """One delivery thread per process, woken after each commit and periodically for retries."""

    def __init__(self, sessions: sessionmaker[Session], client: WebClient, clock: Clock, *, batch: int = 50) -> None:
        self.sessions = sessions
        self.client = client
        self.clock = clock
        self.batch = batch
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
        """Deliver everything due now; returns how many messages were sent."""
        sent = 0
        with self._drain_lock:
            while True:
                with self.sessions.begin() as session:
                    due = Outbox(session, self.clock.now()).due(limit=self.batch)
                if not due:
                    return sent
                for message in due:
                    sent += self._deliver(message)
                if len(due) < self.batch:
                    return sent

    def _deliver(self, message: PendingMessage) -> int:
        try:
            if message.operation == "update":
                outcome = self._update(message)
            else:
                outcome = self._post(message)
        except SlackApiError as error:
            code = str(error.response.get("error", "")) if error.response is not None else ""
            status = error.response.status_code if error.response is not None else 0
            retryable = code in RETRYABLE_ERRORS or status >= 500 or status == 429
            self._fail(message, f"{code or 'error'} (HTTP {status})", retryable=retryable)
            return 0
        except (OSError, TimeoutError) as error:  # connection refused/reset, DNS, timeouts
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

    def _fail(self, message: PendingMessage, error: str, *, retryable: bool) -> None:
        log.warning("outbox message %s to %s failed (%s); retryable=%s", message.id, message.channel, error, retryable)
        with self.sessions.begin() as session:
            Outbox(session, self.clock.now()).mark_failed(message.id, error, retryable=retryable)


def _content(payload: dict[str, Any]) -> dict[str, Any]:
    return {"text": payload.get("text", ""), "blocks": payload.get("blocks")}
