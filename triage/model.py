"""Tickets and their vocabulary, as the seeds describe them."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rota.rotation import SupportLine


class TicketType(enum.StrEnum):
    TECHNICAL_SUPPORT = "technical_support"
    SUPPORT_QUERY = "support_query"
    SERVICE_TASK = "service_task"
    GDPR_REQUEST = "gdpr_request"
    BUG_REPORT = "bug_report"
    FEATURE_REQUEST = "feature_request"

    @property
    def label(self) -> str:
        return _TYPE_LABELS[self]


_TYPE_LABELS = {
    TicketType.TECHNICAL_SUPPORT: "Technical support",
    TicketType.SUPPORT_QUERY: "Support query",
    TicketType.SERVICE_TASK: "Service task",
    TicketType.GDPR_REQUEST: "GDPR request",
    TicketType.BUG_REPORT: "Bug report",
    TicketType.FEATURE_REQUEST: "Feature request",
}


class Priority(enum.StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @property
    def label(self) -> str:
        return _PRIORITY_LABELS[self][0]

    @property
    def meaning(self) -> str:
        return _PRIORITY_LABELS[self][1]


_PRIORITY_LABELS = {
    Priority.P1: ("P1 Highest", "the service is unavailable"),
    Priority.P2: ("P2 High", "some functionality is unavailable"),
    Priority.P3: ("P3 Medium", "it works but is impaired for a large group of users"),
    Priority.P4: ("P4 Low", "a cosmetic or inconvenient fault"),
}


class Status(enum.StrEnum):
    OPEN = "open"
    UNDER_INVESTIGATION = "under_investigation"
    IN_PROGRESS = "in_progress"
    AWAITING_INFO = "awaiting_info"
    RAISED_WITH_DEVELOPMENT = "raised_with_development"
    FIX_AWAITING_RELEASE = "fix_awaiting_release"
    AWAITING_SIGN_OFF = "awaiting_sign_off"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    Status.OPEN: "Open",
    Status.UNDER_INVESTIGATION: "Under investigation",
    Status.IN_PROGRESS: "In progress",
    Status.AWAITING_INFO: "Awaiting info from requester",
    Status.RAISED_WITH_DEVELOPMENT: "Raised with development",
    Status.FIX_AWAITING_RELEASE: "Fix awaiting release",
    Status.AWAITING_SIGN_OFF: "Awaiting sign-off",
    Status.CLOSED: "Closed",
}

TITLE_MAX = 150
DESCRIPTION_MAX = 3000
NOTE_MAX = 2000


@dataclass
class Ticket:
    """A support request and where it stands; `id` is None until stored."""

    id: int | None
    title: str
    description: str
    type: TicketType
    priority: Priority | None  # None: the requester was not sure; triage sets it
    status: Status
    line: SupportLine
    requester_id: str
    assignee_id: str | None
    created_at: datetime
    updated_at: datetime
    origin_channel_id: str | None = None
    duplicate_of_id: int | None = None
    handover_note: str | None = None  # what 1st line told 2nd line when escalating
    participant_ids: list[str] = field(default_factory=list)  # requester first; duplicates' requesters join
    version: int = 1

    @property
    def is_private(self) -> bool:
        """GDPR requests carry personal data: their contents stay with requester, assignee and leads."""
        return self.type is TicketType.GDPR_REQUEST

    @property
    def is_open(self) -> bool:
        return self.status is not Status.CLOSED

    @property
    def is_urgent(self) -> bool:
        return self.type is TicketType.TECHNICAL_SUPPORT and self.priority is Priority.P1


class EventKind(enum.StrEnum):
    CREATED = "created"
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    STATUS_CHANGED = "status_changed"
    PRIORITY_CHANGED = "priority_changed"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    MARKED_DUPLICATE = "marked_duplicate"
    PARTICIPANT_ADDED = "participant_added"
    UPDATE_POSTED = "update_posted"  # support told the requester where things stand
    SNOOZED = "snoozed"  # a reminder was put off by its recipient
    REASSIGNED = "reassigned"  # a lead or the assignee handed the ticket to someone else: not a response


@dataclass(frozen=True)
class TicketEvent:
    """One change to a ticket: the audit trail, and later the source of SLA clocks and reports."""

    kind: EventKind
    actor_id: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)


_REF = re.compile(r"^\s*(?P<prefix>[A-Za-z][A-Za-z0-9]*)-(?P<n>[0-9]{1,9})\s*$", re.ASCII)


def format_ref(prefix: str, ticket_id: int) -> str:
    return f"{prefix}-{ticket_id}"


def parse_ref(text: str, prefix: str) -> int | None:
    """The ticket number in "SUP-42" (any case), a bare "42", or None."""
    text = text.strip().lstrip("#")
    if text.isascii() and text.isdigit() and len(text) <= 9:
        return int(text)
    match = _REF.match(text)
    if match and match["prefix"].upper() == prefix.upper():
        return int(match["n"])
    return None
