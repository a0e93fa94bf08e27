"""Tables. UTC-aware timestamps everywhere; the ticket row carries a version for optimistic locking."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and gives them back aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Widths stated once. A person, channel, conversation or message id: Slack's are ~11 characters, but a Teams
# person is an AAD object id or a `29:...` id of ~100, a 1:1 conversation (`a:...`) can pass 150 and a channel
# is `19:...@thread.tacv2`.
ID = 255
# A key or audience that embeds an id between a prefix and a suffix ("ticket:7:requester:<id>",
# "shift-reminder:first_line:<id>:<instant>"): room for a whole ID and its decoration.
KEY = 512
PLATFORM = 16  # "slack" | "teams"
EMAIL = 320  # RFC 5321: 64 for the local part, @, 255 for the domain
SLACK = "slack"  # the platform of every row written before Teams: existing rows and the default


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class TicketRow(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str | None] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(32), index=True)
    line: Mapped[str] = mapped_column(String(32))
    requester_id: Mapped[str] = mapped_column(String(ID), index=True)  # a person key (see PersonRow)
    assignee_id: Mapped[str | None] = mapped_column(String(ID), index=True)
    origin_channel_id: Mapped[str | None] = mapped_column(String(ID))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    handover_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]
    status_changed_at: Mapped[datetime | None]  # how long it has waited in its status (digest)
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)  # first reached sign-off/closed; cleared on reopen
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    participants: Mapped[list[ParticipantRow]] = relationship(
        order_by="ParticipantRow.id", cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}


class ParticipantRow(Base):
    """People who hear every update: the requester, and requesters of duplicates."""

    __tablename__ = "ticket_participants"
    __table_args__ = (UniqueConstraint("ticket_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(ID), index=True)


class EventRow(Base):
    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_at", "ticket_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str] = mapped_column(String(ID))
    at: Mapped[datetime]
    data: Mapped[dict[str, Any]]


class OutboxRow(Base):
    """A message to deliver after commit: written in the transaction that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime]
    operation: Mapped[str] = mapped_column(String(16))  # post | update | usergroup
    platform: Mapped[str] = mapped_column(String(PLATFORM), default=SLACK, server_default=SLACK)
    channel: Mapped[str] = mapped_column(String(ID))  # channel id, or user id for a DM
    card_key: Mapped[str | None] = mapped_column(String(KEY))
    payload: Mapped[dict[str, Any]]  # text and blocks
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | superseded | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    # A lease: the worker delivering it now. Another process skips it until claimed_until has passed.
    claimed_by: Mapped[str | None] = mapped_column(String(ID))
    claimed_until: Mapped[datetime | None]
    redriven_at: Mapped[datetime | None]  # made pending again by `supportbot outbox redrive`: retries count from here


class ChannelPaceRow(Base):
    """When a channel may next be posted to (Slack allows about one message a second per channel), shared by processes."""

    __tablename__ = "outbox_pace"

    channel: Mapped[str] = mapped_column(String(ID), primary_key=True)
    # Theoretical arrival time of the next post, seconds since the epoch (wall clock): a GCRA rate limiter.
    next_at: Mapped[float] = mapped_column(Float)


class CardRow(Base):
    """A message that is updated in place as its ticket changes (chat.update needs channel and ts).

    On Teams `channel` is the conversation id and `ts` the activity id; editing the activity later also needs
    the service URL and tenant it was posted with. Slack leaves those two empty.
    """

    __tablename__ = "cards"

    key: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    audience: Mapped[str] = mapped_column(String(KEY))  # triage | a person key | requester:<person key>
    channel: Mapped[str | None] = mapped_column(String(ID))  # known once delivered
    ts: Mapped[str | None] = mapped_column(String(ID))
    platform: Mapped[str] = mapped_column(String(PLATFORM), default=SLACK, server_default=SLACK)
    service_url: Mapped[str | None] = mapped_column(String(255))
    tenant: Mapped[str | None] = mapped_column(String(ID))


class SlaTimerRow(Base):
    """A ticket's SLA clock (or its "stale" timer) as last computed, indexed so the sweep reads only what is due.

    Derived data: recomputed from the ticket's events after every change and by the sweep.
    """

    __tablename__ = "sla_timers"
    __table_args__ = (
        Index("ix_sla_timers_next_alert", "next_alert_at"),
        Index("ix_sla_timers_due", "due_at"),
        Index("ix_sla_timers_stopped", "stopped_at"),
    )

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(16), primary_key=True)  # response | review | resolution | stale
    cycle: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    target_seconds: Mapped[float | None] = mapped_column(Float)
    elapsed_seconds: Mapped[float] = mapped_column(Float)  # final once stopped
    due_at: Mapped[datetime | None]  # while running
    stopped_at: Mapped[datetime | None]
    breached: Mapped[bool] = mapped_column(Boolean)
    paused: Mapped[bool] = mapped_column(Boolean)
    next_alert_at: Mapped[datetime | None]  # the earliest reminder not yet sent


class SentNoticeRow(Base):
    """A reminder, escalation or digest that went out: the unique key makes every sweep idempotent."""

    __tablename__ = "sent_notices"

    key: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime]


class MetaRow(Base):
    """Small facts about the database itself, e.g. which SLA policy its stored clocks were computed with."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# -- rota (issue "Rota management in Slack") -------------------------------------------------------


class RotationRow(Base):
    """One line's rotation from `effective_from` on: a membership or order edit appends a row, never rewrites.

    The row with no `effective_from` is the first one (seeded from supportbot.yml); each later row starts at
    a handover and runs until the next row's `effective_from`.
    """

    __tablename__ = "rota_rotations"
    __table_args__ = (Index("ix_rota_rotations_line_from", "line", "effective_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line: Mapped[str] = mapped_column(String(32))
    effective_from: Mapped[datetime | None]
    members: Mapped[list[str]] = mapped_column(JSON)
    period_days: Mapped[int] = mapped_column(Integer)
    handover: Mapped[str] = mapped_column(String(16))  # "mon 09:00" or "09:00"
    start: Mapped[str] = mapped_column(String(10))  # ISO date of this rotation's shift 0
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(ID))  # a person key, or "config" / "import"


class OverrideRow(Base):
    """Someone covers a line for a time range (cover, one half of a swap, or a lead's manual change)."""

    __tablename__ = "rota_overrides"
    __table_args__ = (Index("ix_rota_overrides_line_ends", "line", "ends_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    line: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(ID), index=True)
    replaces_id: Mapped[str | None] = mapped_column(String(ID))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(16))  # cover | swap | manual | import
    request_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(ID))
    cancelled_at: Mapped[datetime | None]


class LeaveRow(Base):
    """A member's time off, as UTC instants (whole local days when entered as dates)."""

    __tablename__ = "rota_leave"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(ID), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime] = mapped_column(index=True)
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(ID))
    cancelled_at: Mapped[datetime | None]


class RotaRequestRow(Base):
    """A swap or cover request between two members, and (when the config asks for it) a lead's approval."""

    __tablename__ = "rota_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # swap | cover
    line: Mapped[str] = mapped_column(String(32))
    requester_id: Mapped[str] = mapped_column(String(ID))
    target_id: Mapped[str] = mapped_column(String(ID))
    details: Mapped[dict[str, Any]]  # the shift(s) concerned, as ISO instants
    status: Mapped[str] = mapped_column(
        String(24)
    )  # pending | awaiting_approval | accepted | declined | rejected | cancelled
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(ID))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class InboundEventRow(Base):
    """Slack events already handled: a retry with the same event_id must not act twice."""

    __tablename__ = "inbound_events"

    event_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # processing | done
    received_at: Mapped[datetime] = mapped_column(index=True)


class AuditRow(Base):
    """Who did what outside a ticket's own history: rota edits, GDPR exports and erasures, re-driven letters."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[str] = mapped_column(String(ID))
    action: Mapped[str] = mapped_column(String(48))
    subject: Mapped[str | None] = mapped_column(String(ID), index=True)
    details: Mapped[dict[str, Any]]


# -- people (issue "One chat seam") -------------------------------------------------------------------------


class PersonRow(Base):
    """A human, whatever chat they use. Every person column elsewhere holds this key.

    The key is the external id of the identity the person was first seen with (a Slack user id for everyone
    from before Teams), so rows written before this table existed already name people by their key.
    """

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    # The platform they last acted on (slack | teams): a person known on both is told there (handlers/fanout.py).
    last_platform: Mapped[str | None] = mapped_column(String(PLATFORM))
    last_platform_at: Mapped[datetime | None]


class PersonIdentityRow(Base):
    """How a person is known on one platform: only these rows hold platform ids, emails and tenants."""

    __tablename__ = "person_identities"
    __table_args__ = (
        UniqueConstraint("platform", "tenant", "external_id", name="uq_person_identities_platform_tenant_external_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(ID), ForeignKey("people.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(PLATFORM))  # slack | teams
    tenant: Mapped[str] = mapped_column(String(ID), default="", server_default="")  # team or tenant id; "" unknown
    external_id: Mapped[str] = mapped_column(String(ID))  # Slack user id; Teams AAD object id or 29: id
    email: Mapped[str | None] = mapped_column(String(EMAIL), index=True)  # lower-case


class TeamsContactRow(Base):
    """Where a person is reached in Teams: their `29:` id and the 1:1 conversation, made once and kept."""

    __tablename__ = "teams_contacts"

    person_id: Mapped[str] = mapped_column(String(ID), ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(ID))  # the `29:` id, learned from an activity or the roster
    conversation_id: Mapped[str | None] = mapped_column(String(ID), index=True)  # the personal (1:1) chat
    service_url: Mapped[str | None] = mapped_column(String(255))
    tenant: Mapped[str | None] = mapped_column(String(ID))
    updated_at: Mapped[datetime]
