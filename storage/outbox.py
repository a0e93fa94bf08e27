"""The outbox: messages written in the same transaction as the change that causes them."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam, func, or_, select, text
from sqlalchemy.orm import Session

from storage.audit import record_audit
from storage.models import Base, CardRow, ChannelPaceRow, OutboxRow
from storage.timers import dialect_insert

# Transient failures (429, 5xx, timeouts) are retried for this long, the back-off capped, so a long Slack
# outage delays messages but loses none; only permanent errors (channel_not_found...) are dead at once.
GIVE_UP_AFTER = timedelta(days=3)
MAX_BACKOFF_SECONDS = 15 * 60
# How long a claimed message is reserved for the worker that claimed it. Longer than any one Web API call
# with the client's own retries (15 s timeout, two retries per kind, Retry-After sleeps), so a live worker
# never loses a lease mid-call; a crashed worker's messages wait at most this long (less on the same host).
LEASE = timedelta(minutes=5)
CLAIM_LOCK = 0x5B0770B0  # PostgreSQL advisory lock that serialises claims, as BEGIN IMMEDIATE does on SQLite
DEAD_LETTER_NOTICE = "dead_letter"  # payload["notice"] of the DM that tells the leads; never itself reported


@dataclass(frozen=True)
class PendingMessage:
    id: int
    operation: str  # post | update | usergroup
    channel: str  # the platform destination: a channel or conversation id, or a person's id for a DM
    card_key: str | None
    payload: dict[str, Any]
    slot: float = 0.0  # wall-clock time (epoch seconds) before which it must not be sent: channel pacing
    attempts: int = 0
    platform: str = "slack"


class SendFailed(Exception):
    """A platform refused or failed a send: `retryable` for rate limits, 5xx and lost connections."""

    def __init__(self, description: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(description)
        self.retryable = retryable
        self.retry_after = retry_after


class Sender(Protocol):
    """A chat platform's delivery side (handlers/slack/sender.py): turns a pending outbox row into API calls.

    Post and update answer (conversation, message id) so a card can be edited later; failures raise SendFailed.
    """

    def post(self, message: PendingMessage) -> tuple[str | None, str | None]: ...

    def update(self, message: PendingMessage, *, channel: str, ts: str) -> tuple[str | None, str | None]: ...

    def set_group(self, message: PendingMessage) -> None:
        """Point a duty group at the people in the message (Slack: usergroups.users.update)."""
        ...

    def dead_letter_notice(self, row: OutboxRow) -> dict[str, Any]:
        """The leads' message about a message that could not be delivered, in the platform's own words."""
        ...


@dataclass(frozen=True)
class Pace:
    """Slack's ~1 post/second/channel, as a GCRA limiter: `burst` posts at once, then one per `interval`."""

    interval: float = 1.0
    burst: int = 4
    lookahead: float = 3.0  # claim a post whose slot is at most this far ahead; later ones wait unclaimed


# Each platform's own limits (PendingMessage.platform); a platform not named here is paced like Slack.
PACES: dict[str, Pace] = {
    "slack": Pace(),  # about one post a second per channel, a short burst allowed
    "teams": Pace(interval=1 / 7, burst=7),  # Bot Framework: 7 messages a second per conversation
}


def lane(platform: str, channel: str) -> str:
    """What pacing and ordering are per: a Slack channel as it always was; other platforms' conversations prefixed."""
    return channel if platform == "slack" else f"{platform}:{channel}"


@dataclass(frozen=True)
class Claim:
    messages: list[PendingMessage]
    next_slot: float | None  # a post held back by pacing may be claimed from then on


def worker_identity() -> str:
    """host/pid-namespace/pid/nonce: a restarted process on this host can tell that a lease's owner is dead."""
    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = "-"
    return f"{socket.gethostname()[:24]}/{namespace}/{os.getpid()}/{secrets.token_hex(4)}"


def owner_is_dead(owner: str, *, me: str) -> bool:
    """True only when the owner certainly is gone: same host and PID namespace, and no such process."""
    host, namespace, pid = [*owner.split("/"), "", "", ""][:3]
    my_host, my_namespace = me.split("/")[:2]
    if owner == me:
        return False
    if (host, namespace) != (my_host, my_namespace) or namespace == "-" or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False  # another worker in this very process (tests build two): alive
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # exists, not ours to signal
    return False


# Core statements on the table, run on the session's connection: no ORM bookkeeping per queued message.
_OUTBOX = Base.metadata.tables[OutboxRow.__tablename__]
_QUEUE = _OUTBOX.insert()
_SUPERSEDE = (
    _OUTBOX.update()
    .where(_OUTBOX.c.card_key == bindparam("key"), _OUTBOX.c.operation == "update", _OUTBOX.c.status == "pending")
    .values(status="superseded")
)
_SUPERSEDE_USERGROUP = (
    _OUTBOX.update()
    .where(_OUTBOX.c.channel == bindparam("group"), _OUTBOX.c.operation == "usergroup", _OUTBOX.c.status == "pending")
    .values(status="superseded")
)


class Outbox:
    """Queue side (inside the user's transaction) and delivery bookkeeping (in the worker's own)."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now

    def post(
        self, channel: str, payload: dict[str, Any], *, card_key: str | None = None, platform: str = "slack"
    ) -> None:
        self._queue("post", channel, payload, card_key, platform=platform)

    def _queue(
        self, operation: str, channel: str, payload: dict[str, Any], card_key: str | None, *, platform: str = "slack"
    ) -> None:
        """A plain INSERT, not an ORM object: nothing pending for autoflush to push before every later query."""
        self.session.connection().execute(
            _QUEUE,
            {
                "created_at": self.now,
                "operation": operation,
                "platform": platform,
                "channel": channel,
                "card_key": card_key,
                "payload": payload,
                "status": "pending",
                "attempts": 0,
            },
        )

    def register_card(self, *, key: str, ticket_id: int, audience: str, platform: str = "slack") -> None:
        """Remember a card so later changes update it in place (once: a re-post reuses the key)."""
        if self.session.get(CardRow, key) is None:
            self.session.add(CardRow(key=key, ticket_id=ticket_id, audience=audience, platform=platform))
            self.session.flush()

    def cards_for(self, ticket_id: int, *, platform: str = "slack") -> Sequence[CardRow]:
        """The ticket's cards on one platform (each platform's notifier updates its own)."""
        return self.session.scalars(
            select(CardRow).where(CardRow.ticket_id == ticket_id, CardRow.platform == platform).order_by(CardRow.key)
        ).all()

    def update(self, card_key: str, channel: str, payload: dict[str, Any], *, platform: str = "slack") -> None:
        """Queue the card's new state; an older state still waiting is dropped so it cannot land last."""
        self.session.connection().execute(_SUPERSEDE, {"key": card_key})
        self._queue("update", channel, payload, card_key, platform=platform)

    def set_usergroup(self, usergroup: str, users: Sequence[str], *, note: str) -> None:
        """Queue usergroups.users.update (bot/jobs/rota.py); an older membership still waiting is dropped."""
        self.session.connection().execute(_SUPERSEDE_USERGROUP, {"group": usergroup})
        self._queue("usergroup", usergroup, {"users": list(users), "text": note}, None)

    # -- delivery side -------------------------------------------------------------------

    def claim(
        self, *, owner: str, limit: int, pace: Pace, wall_now: float, paces: Mapping[str, Pace] | None = None
    ) -> Claim:
        """Lease up to `limit` due messages to `owner`, in order, each with its paced send time.

        Pacing and order are per lane (a platform's channel or conversation), each platform at its own rate
        (`paces`, by platform; `pace` for the rest).

        Claims are serialised (SQLite's BEGIN IMMEDIATE; an advisory lock on PostgreSQL, with FOR UPDATE
        SKIP LOCKED so a row a user's transaction is superseding right now is left alone). A channel or card
        with a message leased by another live worker is skipped entirely, so per-channel and per-card order
        holds across processes. Leases of our own earlier drains and of dead local processes are void.
        """
        session = self.session
        postgres = session.get_bind().dialect.name == "postgresql"
        if postgres:
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK})
        held = session.execute(
            select(OutboxRow.claimed_by, OutboxRow.platform, OutboxRow.channel, OutboxRow.card_key).where(
                OutboxRow.status == "pending", OutboxRow.claimed_until > self.now
            )
        ).all()
        void = {who for who, _, _, _ in held if who is not None and (who == owner or owner_is_dead(who, me=owner))}
        busy_lanes = {lane(platform, channel) for who, platform, channel, _ in held if who not in void}
        busy_cards = {card for who, _, _, card in held if who not in void and card}
        query = (
            select(OutboxRow)
            .where(OutboxRow.status == "pending")
            .where(or_(OutboxRow.next_attempt_at.is_(None), OutboxRow.next_attempt_at <= self.now))
            .where(
                or_(
                    OutboxRow.claimed_until.is_(None),
                    OutboxRow.claimed_until <= self.now,
                    OutboxRow.claimed_by.in_(sorted(void)),
                )
            )
            .order_by(OutboxRow.id)
            .limit(limit * 4)
        )
        if postgres:
            query = query.with_for_update(skip_locked=True)
        rows = list(session.scalars(query))
        tat = self._pace_times({lane(r.platform, r.channel) for r in rows if r.operation == "post"})
        before = dict(tat)
        taken: list[tuple[OutboxRow, float]] = []
        last_slot: dict[str, float] = {}
        next_slot: float | None = None
        for row in rows:
            key = lane(row.platform, row.channel)
            if key in busy_lanes or (row.card_key and row.card_key in busy_cards):
                busy_lanes.add(key)  # what comes after it in this channel waits too
                continue
            slot = last_slot.get(key, wall_now)
            if row.operation == "post":
                rate = (paces or {}).get(row.platform, pace)
                arrival = max(tat.get(key, 0.0), wall_now)
                slot = max(slot, arrival - rate.burst * rate.interval)
                if slot > wall_now + rate.lookahead:
                    next_slot = slot if next_slot is None else min(next_slot, slot)
                    busy_lanes.add(key)
                    continue
                tat[key] = arrival + rate.interval
            last_slot[key] = slot
            taken.append((row, slot))
            if len(taken) >= limit:
                break
        for row, slot in taken:
            row.claimed_by = owner
            row.claimed_until = self.now + LEASE + timedelta(seconds=max(0.0, slot - wall_now))
        self._advance_pace({channel: at for channel, at in tat.items() if at != before.get(channel)})
        messages = [
            PendingMessage(r.id, r.operation, r.channel, r.card_key, dict(r.payload), slot, r.attempts, r.platform)
            for r, slot in sorted(taken, key=lambda pair: (pair[1], pair[0].id))
        ]
        return Claim(messages, next_slot)

    def _pace_times(self, channels: Iterable[str]) -> dict[str, float]:
        wanted = sorted(set(channels))
        if not wanted:
            return {}
        rows = self.session.execute(
            select(ChannelPaceRow.channel, ChannelPaceRow.next_at).where(ChannelPaceRow.channel.in_(wanted))
        )
        return {channel: next_at for channel, next_at in rows}

    def _advance_pace(self, times: dict[str, float]) -> None:
        """Upsert each channel's next time, never moving it back (a concurrent Retry-After pause wins)."""
        if not times:
            return
        dialect = self.session.get_bind().dialect.name
        table = Base.metadata.tables[ChannelPaceRow.__tablename__]
        insert = dialect_insert(self.session, table)
        later = func.greatest if dialect == "postgresql" else func.max
        statement = insert.on_conflict_do_update(
            index_elements=["channel"], set_={"next_at": later(table.c.next_at, insert.excluded.next_at)}
        )
        self.session.connection().execute(statement, [{"channel": c, "next_at": t} for c, t in sorted(times.items())])

    def pause_channel(self, channel: str, *, until: float, pace: Pace) -> None:
        """Slack said 429 with Retry-After: no post to this channel before `until` (wall clock), in any process."""
        self._advance_pace({channel: until + pace.burst * pace.interval})

    def release(self, message_id: int) -> None:
        """Give a claimed message back unsent (stopping), so another worker need not wait for the lease."""
        row = self.session.get_one(OutboxRow, message_id)
        row.claimed_by = row.claimed_until = None

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
        row.claimed_by = row.claimed_until = None
        if row.operation == "post" and row.card_key and channel and ts:
            card = self.session.get(CardRow, row.card_key)
            if card is not None:
                card.channel, card.ts = channel, ts

    def mark_failed(
        self, message_id: int, error: str, *, retryable: bool, retry_after: float | None = None
    ) -> OutboxRow | None:
        """Back off exponentially (capped), or by Retry-After; a permanent error, or days of failures, make it
        a dead letter. Returns the row when it has just become dead."""
        row = self.session.get_one(OutboxRow, message_id)
        row.attempts += 1
        row.last_error = error[:1000]
        row.claimed_by = row.claimed_until = None
        retrying_since = max(row.created_at, row.redriven_at or row.created_at)
        if not retryable or self.now - retrying_since > GIVE_UP_AFTER:
            row.status = "dead"
            return row
        if retry_after is not None:
            row.next_attempt_at = self.now + timedelta(seconds=retry_after)
        else:
            row.next_attempt_at = self.now + timedelta(seconds=min(5 * 2 ** min(row.attempts, 20), MAX_BACKOFF_SECONDS))
        return None

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

    def defer(self, message_id: int, *, seconds: float) -> None:
        row = self.session.get_one(OutboxRow, message_id)
        row.next_attempt_at = self.now + timedelta(seconds=seconds)
        row.claimed_by = row.claimed_until = None

    # -- operators (`supportbot outbox`) ---------------------------------------------------

    def undelivered(self, *, dead_only: bool = False) -> list[OutboxRow]:
        """Pending and dead messages, oldest first (what an operator looks at)."""
        statuses = ["dead"] if dead_only else ["pending", "dead"]
        return list(
            self.session.scalars(select(OutboxRow).where(OutboxRow.status.in_(statuses)).order_by(OutboxRow.id))
        )

    def redrive(self, ids: Sequence[int] | None, *, actor: str) -> list[int]:
        """Make dead letters pending again (all of them when `ids` is None), audited. Raises LookupError naming
        any id that is unknown or not dead, changing nothing."""
        query = select(OutboxRow).order_by(OutboxRow.id)
        if ids is None:
            rows = list(self.session.scalars(query.where(OutboxRow.status == "dead")))
        else:
            found = {r.id: r for r in self.session.scalars(query.where(OutboxRow.id.in_(sorted(set(ids)))))}
            unknown = [str(i) for i in ids if i not in found]
            if unknown:
                raise LookupError(f"no outbox message with id {', '.join(unknown)}")
            not_dead = [f"{r.id} ({r.status})" for r in found.values() if r.status != "dead"]
            if not_dead:
                raise LookupError(f"only dead letters can be re-driven; not dead: {', '.join(not_dead)}")
            rows = list(found.values())
        for row in rows:
            record_audit(
                self.session,
                at=self.now,
                actor_id=actor,
                action="outbox_redrive",
                subject=f"outbox:{row.id}",
                details={"channel": row.channel, "attempts": row.attempts, "last_error": row.last_error},
            )
            row.status = "pending"
            row.next_attempt_at = row.claimed_by = row.claimed_until = None
            row.redriven_at = self.now
        self.session.flush()
        return [row.id for row in rows]
