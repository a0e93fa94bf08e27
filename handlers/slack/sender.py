"""Slack's delivery side of the outbox (storage.outbox.Sender): chat.postMessage, chat.update, user groups."""

from __future__ import annotations

from collections.abc import Callable
from http.client import HTTPException
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from storage.models import OutboxRow
from storage.outbox import DEAD_LETTER_NOTICE, PendingMessage, SendFailed

T = TypeVar("T")

# Slack errors that a later attempt can cure; anything else is permanent (bad channel, bad blocks...).
RETRYABLE_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}


class SlackSender:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(self, message: PendingMessage) -> tuple[str | None, str | None]:
        response = _call(lambda: self.client.chat_postMessage(channel=message.channel, **_content(message.payload)))
        return response.get("channel"), response.get("ts")

    def update(self, message: PendingMessage, *, channel: str, ts: str) -> tuple[str | None, str | None]:
        response = _call(lambda: self.client.chat_update(channel=channel, ts=ts, **_content(message.payload)))
        return response.get("channel"), response.get("ts")

    def set_group(self, message: PendingMessage) -> None:
        """Queued by the rota jobs: the group = who is on duty."""
        _call(lambda: self.client.usergroups_users_update(usergroup=message.channel, users=message.payload["users"]))

    def dead_letter_notice(self, row: OutboxRow) -> dict[str, Any]:
        """The leads' DM about a dead letter: what failed, why, and the command that sends it again."""
        where = f"<#{row.channel}>" if row.channel[:1] in ("C", "G") else f"<@{row.channel}>"
        began = " ".join(str(row.payload.get("text") or "").split())[:80]
        text = (
            f":warning: supportbot could not deliver message #{row.id} ({row.operation} to {where}) after "
            f"{row.attempts} attempt(s): {row.last_error}. It began: \u201c{began}\u201d. Once the cause is fixed, "
            f"send it again with `supportbot outbox redrive {row.id}` (`supportbot outbox list --dead` shows all)."
        )
        return {"text": text, "notice": DEAD_LETTER_NOTICE}


def _call(request: Callable[[], T]) -> T:
    """One Web API call, its failures as SendFailed: retryable for 429, 5xx and transport errors."""
    try:
        return request()
    except SlackApiError as error:
        response = error.response
        code = str(response.get("error", "")) if response is not None else ""
        status = response.status_code if response is not None else 0
        retryable = code in RETRYABLE_ERRORS or status >= 500 or status == 429
        retry_after = _retry_after(response.headers) if response is not None and status == 429 else None
        raise SendFailed(f"{code or 'error'} (HTTP {status})", retryable=retryable, retry_after=retry_after) from error
    except (OSError, TimeoutError, HTTPException, SlackRequestError) as error:  # refused, reset, dropped...
        raise SendFailed(f"{type(error).__name__}: {error}", retryable=True) from error


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
