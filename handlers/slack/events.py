"""Event listeners act once per Slack event: a retry (X-Slack-Retry-Num, the same event_id) is dropped unless
the first attempt failed. Wrap every `app.event` listener in `once_per_event`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from services.unit_of_work import Deps
from storage.inbound import claim_event, finish_event, release_event
from storage.models import ID

log = logging.getLogger(__name__)


def event_key(body: dict[str, Any]) -> str | None:
    """Slack's id for one event, the same on every retry of it."""
    event_id = body.get("event_id")
    return event_id if isinstance(event_id, str) and 0 < len(event_id) <= ID else None


EventListener = Callable[[dict[str, Any], dict[str, Any], WebClient], None]  # (body, event, client)


def once_per_event(deps: Deps, kind: str) -> Callable[[EventListener], Callable[..., None]]:
    """Ack, then claim the event id (its own short transaction) before the listener runs; mark it done after,
    or release it when the listener fails, so Slack's retry does the work instead of being skipped.

    Failures are left to the app's error handler (logged): an event has nobody waiting for an answer.
    """

    def wrap(listener: EventListener) -> Callable[..., None]:
        def handle_once(ack: Ack, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
            ack()
            key = event_key(body)
            if key is None:  # nothing to deduplicate on: act (Slack always sends one)
                listener(body, event, client)
                return
            with deps.sessions.begin() as session:
                fresh = claim_event(session, key, kind=kind, now=deps.clock.now())
            if not fresh:
                log.info("event %s (%s) already handled; retry %s dropped", key, kind, body.get("retry_num"))
                return
            try:
                listener(body, event, client)
            except BaseException:
                with deps.sessions.begin() as session:
                    release_event(session, key)
                raise
            with deps.sessions.begin() as session:
                finish_event(session, key)

        handle_once.__name__ = handle_once.__qualname__ = listener.__name__
        return handle_once

    return wrap
