"""The digest's Block Kit: within Slack's limits however long the lists, private tickets stay private,
empty sections say so, and the message is structurally valid Block Kit."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from handlers.slack.digest_view import digest_message
from triage.digest import AssigneeLoad, Capped, ClockAchievement, Digest, DigestKind, TicketLine
from triage.model import Priority, Status, TicketType
from triage.sla import SlaClock

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
SECRET = "Erase all records of Jane Doe"
LONG_TITLE = "<!channel> & " + "x" * 187  # 200 characters, escaping makes it longer still

_TEXT: dict[str, Any] = {
    "type": "object",
    "required": ["type", "text"],
    "properties": {"type": {"const": "mrkdwn"}, "text": {"type": "string", "minLength": 1, "maxLength": 3000}},
    "additionalProperties": False,
}
_FIELD = {**_TEXT, "properties": {**_TEXT["properties"], "text": {"type": "string", "minLength": 1, "maxLength": 2000}}}
_PLAIN = {
    "type": "object",
    "required": ["type", "text"],
    "properties": {
        "type": {"const": "plain_text"},
        "text": {"type": "string", "minLength": 1, "maxLength": 150},
        "emoji": {"type": "boolean"},
    },
    "additionalProperties": False,
}
# The part of Block Kit the digest uses, with Slack's documented limits.
MESSAGE_SCHEMA = {
    "type": "object",
    "required": ["text", "blocks"],
    "properties": {
        "text": {"type": "string", "minLength": 1, "maxLength": 40000},
        "blocks": {
            "type": "array",
            "minItems": 1,
            "maxItems": 50,
            "items": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["type", "text"],
                        "properties": {"type": {"const": "header"}, "text": _PLAIN},
                        "additionalProperties": False,
                    },
                    {
                        "type": "object",
                        "required": ["type", "text"],
                        "properties": {"type": {"const": "section"}, "text": _TEXT},
                        "additionalProperties": False,
                    },
                    {
                        "type": "object",
                        "required": ["type", "fields"],
                        "properties": {
                            "type": {"const": "section"},
                            "fields": {"type": "array", "minItems": 1, "maxItems": 10, "items": _FIELD},
                        },
                        "additionalProperties": False,
                    },
                    {
                        "type": "object",
                        "required": ["type", "elements"],
                        "properties": {
                            "type": {"const": "context"},
                            "elements": {"type": "array", "minItems": 1, "maxItems": 10, "items": _TEXT},
                        },
                        "additionalProperties": False,
                    },
                    {
                        "type": "object",
                        "required": ["type"],
                        "properties": {"type": {"const": "divider"}},
                        "additionalProperties": False,
                    },
                ]
            },
        },
    },
    "additionalProperties": False,
}


def validate(message: dict[str, Any]) -> None:
    jsonschema.validate(json.loads(json.dumps(message)), MESSAGE_SCHEMA)


def line(n: int, *, type: TicketType = TicketType.TECHNICAL_SUPPORT, title: str | None = None) -> TicketLine:
    return TicketLine(
        ticket_id=n,
        type=type,
        priority=Priority.P2,
        status=Status.IN_PROGRESS,
        assignee_id=f"U{n:05d}",
        title=title if title is not None else f"Ticket {n}",
        at=datetime(2026, 11, 20, 13, tzinfo=UTC),
        clocks=(SlaClock.RESPONSE, SlaClock.RESOLUTION),
    )


def make_digest(**changes: Any) -> Digest:
    values: dict[str, Any] = {
        "kind": DigestKind.DAILY,
        "period_start": datetime(2026, 11, 20, 9, tzinfo=UTC),
        "period_end": NOW,
        "now": NOW,
        "soon_until": datetime(2026, 11, 23, 11, tzinfo=UTC),
        "open_by_priority_status": {},
        "created": 0,
        "resolved": 0,
        "sla": tuple(ClockAchievement(c, 0, 0) for c in SlaClock),
        "breached": Capped((), 0),
        "about_to_breach": Capped((), 0),
        "stale": Capped((), 0),
        "awaiting_requester": Capped((), 0),
        "load": Capped((), 0),
    }
    values.update(changes)
    return Digest(**values)


def texts(message: dict[str, Any]) -> list[str]:
    """Every mrkdwn or plain text in the blocks, in order."""
    out = []
    for block in message["blocks"]:
        if "text" in block:
            out.append(block["text"]["text"])
        out.extend(f["text"] for f in block.get("fields", []))
        out.extend(e["text"] for e in block.get("elements", []))
    return out


def section_starting(message: dict[str, Any], heading: str) -> str:
    return next(t for t in texts(message) if t.startswith(heading))


def test_the_schema_rejects_what_slack_rejects() -> None:
    """Control: the structural check can fail."""
    too_long = {"text": "x", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]}
    too_many = {"text": "x", "blocks": [{"type": "divider"}] * 51}
    eleven_fields = {"text": "x", "blocks": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}]}
    for message in (too_long, too_many, eleven_fields):
        with pytest.raises(jsonschema.ValidationError):
            validate(message)


def test_a_thousand_breached_tickets_fit_in_one_message_and_the_rest_are_counted() -> None:
    thousand = tuple(line(n, title=LONG_TITLE) for n in range(1, 1001))
    digest = make_digest(
        breached=Capped(thousand, 1000),  # even uncapped upstream
        about_to_breach=Capped(thousand[:10], 1000),
        stale=Capped(thousand[:10], 250),
        awaiting_requester=Capped(thousand[:10], 10),
        load=Capped(tuple(AssigneeLoad(f"U{n:05d}", 1000 - n, n % 7, n % 3, n % 2) for n in range(10)), 40),
        open_by_priority_status={(p, s): 1000 for p in (*Priority, None) for s in Status if s is not Status.CLOSED},
    )
    message = digest_message(digest, prefix="SUP", zone=LONDON)

    validate(message)
    assert len(message["blocks"]) <= 50
    breached = section_starting(message, ":rotating_light: *Breached* (1000)")
    shown = breached.count("\n• ")
    assert 5 <= shown < 1000
    assert breached.endswith(f"_...and {1000 - shown} more_")
    assert section_starting(message, ":hourglass_flowing_sand:").endswith("_...and 990 more_")
    assert section_starting(message, ":zzz:").endswith("_...and 240 more_")
    assert "more_" not in section_starting(message, ":speech_balloon:")  # all ten shown
    assert section_starting(message, ":busts_in_silhouette:").endswith("_...and 30 more_")
    assert "<!channel>" not in json.dumps(message)  # titles are escaped
    assert "&lt;!channel&gt; &amp; xxx" in breached


def test_a_gdpr_title_never_appears_even_if_storage_handed_one_over() -> None:
    private = line(7, type=TicketType.GDPR_REQUEST, title=SECRET)
    digest = make_digest(
        breached=Capped((private,), 1),
        about_to_breach=Capped((private,), 1),
        stale=Capped((private,), 1),
        awaiting_requester=Capped((private,), 1),
    )
    message = digest_message(digest, prefix="SUP", zone=LONDON)

    validate(message)
    dumped = json.dumps(message, ensure_ascii=False)
    assert "Jane Doe" not in dumped and SECRET not in dumped
    assert dumped.count("*SUP-7* P2 · _GDPR request (private)_ · <@U00007>") == 4


def test_lines_name_the_ticket_its_assignee_its_clocks_and_when() -> None:
    unassigned = TicketLine(
        ticket_id=42,
        type=TicketType.SUPPORT_QUERY,
        priority=None,
        status=Status.OPEN,
        assignee_id=None,
        title="Printer jams",
        at=datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
        clocks=(SlaClock.RESPONSE,),
    )
    digest = make_digest(breached=Capped((line(16),), 1), about_to_breach=Capped((unassigned,), 1))
    message = digest_message(digest, prefix="SUP", zone=LONDON)

    assert section_starting(message, ":rotating_light:") == (
        ":rotating_light: *Breached* (1)\n"
        "• *SUP-16* P2 · Ticket 16 · <@U00016> · response, resolution overdue since "
        "<!date^1795179600^{date_short_pretty} {time}|Fri 20 Nov 13:00 GMT>"
    )
    assert section_starting(message, ":hourglass_flowing_sand:").endswith(
        "• *SUP-42* Printer jams · _nobody yet_ · response due "
        "<!date^1795426200^{date_short_pretty} {time}|Mon 23 Nov 09:30 GMT>"
    )


def test_an_empty_digest_says_so_in_every_section() -> None:
    message = digest_message(make_digest(), prefix="SUP", zone=LONDON)

    validate(message)
    all_text = "\n".join(texts(message))
    for expected in (
        "*0* open now · *0* created · *0* resolved in this period (backlog steady)",
        "No breaches :tada:",
        "Nothing falls due before then.",
        "Every requester has heard from us within a working day.",
        "Nobody is waiting on a requester.",
        "No open tickets.",
        ":heavy_minus_sign: none stopped in this period",
    ):
        assert expected in all_text
    assert message["text"] == "Daily support digest: 0 open, 0 created, 0 resolved, 0 breached, 0 about to breach"


def test_the_header_period_and_figures_read_at_a_glance() -> None:
    counts = {
        (Priority.P1, Status.OPEN): 2,
        (Priority.P1, Status.IN_PROGRESS): 1,
        (None, Status.AWAITING_INFO): 4,
    }
    digest = make_digest(kind=DigestKind.WEEKLY, open_by_priority_status=counts, created=9, resolved=12)
    message = digest_message(digest, prefix="SUP", zone=LONDON)

    assert message["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": ":bar_chart: Weekly support digest", "emoji": True},
    }
    all_text = texts(message)
    assert all_text[1].startswith("From Fri 20 Nov 09:00 to Mon 23 Nov 09:00 (Europe/London)")
    assert all_text[2] == "*7* open now · *9* created · *12* resolved in this period (backlog down 3)"
    assert all_text[3:8] == [
        "*P1 Highest*: 3\n2 open · 1 in progress",
        "*P2 High*: 0\nnone",
        "*P3 Medium*: 0\nnone",
        "*P4 Low*: 0\nnone",
        "*No priority*: 4\n4 awaiting info from requester",
    ]
    assert all_text[8] == "By status: 2 open · 1 in progress · 4 awaiting info from requester"
    assert message["text"] == "Weekly support digest: 7 open, 9 created, 12 resolved, 0 breached, 0 about to breach"


@pytest.mark.parametrize(
    ("met", "missed", "expected"),
    [
        (19, 1, "*Review*\n:white_check_mark: 95% met (19 of 20, 1 missed)"),
        (18, 1, "*Review*\n:warning: 94.7% met (18 of 19, 1 missed)"),
        (1899, 101, "*Review*\n:warning: 94.9% met (1899 of 2000, 101 missed)"),  # 94.95%: rounded down
        (3, 0, "*Review*\n:white_check_mark: 100% met (3 of 3, 0 missed)"),
        (0, 4, "*Review*\n:warning: 0% met (0 of 4, 4 missed)"),
        (0, 0, "*Review*\n:heavy_minus_sign: none stopped in this period"),
    ],
)
def test_sla_achieved_is_marked_against_the_goal(met: int, missed: int, expected: str) -> None:
    sla = (
        ClockAchievement(SlaClock.RESPONSE, 1, 0),
        ClockAchievement(SlaClock.REVIEW, met, missed),
        ClockAchievement(SlaClock.RESOLUTION, 1, 0),
    )
    message = digest_message(make_digest(sla=sla), prefix="SUP", zone=LONDON)
    fields = next(b["fields"] for b in message["blocks"] if "fields" in b and "*Response*" in b["fields"][0]["text"])
    assert [f["text"] for f in fields][1] == expected


def test_the_load_puts_unassigned_work_in_words_and_flags_breaches() -> None:
    load = Capped((AssigneeLoad("U1ALICE", 5, 1, 2, 3), AssigneeLoad(None, 2, 0, 0, 0)), 2)
    message = digest_message(make_digest(load=load), prefix="SUP", zone=LONDON)

    assert section_starting(message, ":busts_in_silhouette:") == (
        ":busts_in_silhouette: *Open tickets per assignee*\n"
        "• <@U1ALICE>: 5 open · 1 P1/P2 · 2 breached :rotating_light: · 3 without news for a day\n"
        "• _Unassigned_: 2 open"
    )
    assert not re.search(r"<@None>", json.dumps(message))
