"""The outbox: messages written in the same transaction as the change that causes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from storage.models import Base, CardRow, OutboxRow

# Transient failures (429, 5xx, timeouts) are retried for this long, the back-off capped, so a long Slack
# outage delays messages but loses none; only permanent errors (channel_not_found...) are dead at once.
GIVE_UP_AFTER = timedelta(days=3)
MAX_BACKOFF_SECONDS = 15 * 60


@dataclass(frozen=True)
class PendingMessage:
    id: int
    operation: str
    channel: str
    card_key: str | None
    payload: dict[str, Any]


# Core statements on the table, run on the session's connection: no ORM bookkeeping per queued message.
_OUTBOX = Base.metadata.tables[OutboxRow.__tablename__]
_QUEUE = _OUTBOX.insert()
_SUPERSEDE = (
    _OUTBOX.update()
    .where(_OUTBOX.c.card_key == bindparam("key"), _OUTBOX.c.operation == "update", _OUTBOX.c.status == "pending")
    .values(status="superseded")
)


class Outbox:
    """Queue side (inside the user's transaction) and delivery bookkeeping (in the worker's own)."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now

    def post(self, channel: str, payload: dict[str, Any], *, card_key: str | None = None) -> None:
        self._queue("post", channel, payload, card_key)

    def _queue(self, operation: str, channel: str, payload: dict[str, Any], card_key: str | None) -> None:
        """A plain INSERT, not an ORM object: nothing pending for autoflush to push before every later query."""
        self.session.connection().execute(
            _QUEUE,
            {
                "created_at": self.now,
                "operation": operation,
                "channel": channel,
                "card_key": card_key,
                "payload": payload,
                "status": "pending",
                "attempts": 0,
            },
        )

    def register_card(self, *, key: str, ticket_id: int, audience: str) -> None:
        """Remember a card so later changes update it in place (once: a re-post reuses the key)."""
        if self.session.get(CardRow, key) is None:
            self.session.add(CardRow(key=key, ticket_id=ticket_id, audience=audience))
            self.session.flush()

    def cards_for(self, ticket_id: int) -> Sequence[CardRow]:
        return self.session.scalars(select(CardRow).where(CardRow.ticket_id == ticket_id).order_by(CardRow.key)).all()

    def update(self, card_key: str, channel: str, payload: dict[str, Any]) -> None:
        """Queue the card's new state; an older state still waiting is dropped so it cannot land last."""
        self.session.connection().execute(_SUPERSEDE, {"key": card_key})
        self._queue("update", channel, payload, card_key)

    # -- delivery side -------------------------------------------------------------------

    def due(self, *, limit: int) -> list[PendingMessage]:
        rows = self.session.scalars(
            select(OutboxRow)
            .where(OutboxRow.status == "pending")
            .where(or_(OutboxRow.next_attempt_at.is_(None), OutboxRow.next_attempt_at <= self.now))
            .order_by(OutboxRow.id)
            .limit(limit)
        )
        return [PendingMessage(r.id, r.operation, r.channel, r.card_key, dict(r.payload)) for r in rows]

    def card_location(self, card_key: str) -> tuple[str, str] | None:
        card = self.session.get(CardRow, card_key)
        if card is None or card.channel is None or card.ts is None:
            return None
        return card.channel, card.ts

    def mark_sent(self, message_id: int, *, channel: str | None = None, ts: str | None = None) -> None:
        row = self.session.get_one(OutboxRow, message_id)
        row.status = "sent"
        row.sent_at = self.now
        row.attempts += 1
        if row.operation == "post" and row.card_key and channel and ts:
            card = self.session.get(CardRow, row.card_key)
            if card is not None:
                card.channel, card.ts = channel, ts

    def mark_failed(self, message_id: int, error: str, *, retryable: bool) -> None:
        """Back off exponentially (capped); a permanent error, or days of failures, make it a dead letter."""
        row = self.session.get_one(OutboxRow, message_id)
        row.attempts += 1
        row.last_error = error[:1000]
        if not retryable or self.now - row.created_at > GIVE_UP_AFTER:
            row.status = "dead"
        else:
            row.next_attempt_at = self.now + timedelta(seconds=min(5 * 2 ** min(row.attempts, 20), MAX_BACKOFF_SECONDS))

    def card_post_pending(self, card_key: str) -> bool:
        """Whether the message that creates this card is still waiting to be delivered."""
        pending = self.session.scalar(
            select(OutboxRow.id)
            .where(OutboxRow.card_key == card_key, OutboxRow.operation == "post", OutboxRow.status == "pending")
            .limit(1)
        )
        return pending is not None

    def convert_to_post(self, message_id: int) -> None:
        """An update whose card never arrived: post the current state as a new card instead."""
        self.session.get_one(OutboxRow, message_id).operation = "post"

    def defer(self, message_id: int, *, seconds: int) -> None:
        row = self.session.get_one(OutboxRow, message_id)
        row.next_attempt_at = self.now + timedelta(seconds=seconds)
