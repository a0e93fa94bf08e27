"""The scheduled jobs' Teams cards (SLA alerts, handovers, shift reminders, the digest) say what Slack's say,
keep GDPR requests private, and stay valid and small however long the lists."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from handlers.slack import digest_view, handover_view, sla_view
from handlers.slack.handover_view import HandoverView as SlackHandoverView
from handlers.teams import digest_cards
from handlers.teams.digest_cards import DIGEST_LISTED, LISTED, HandoverView
from handlers.teams.rota_cards import TeamsMessage
from rota.handover import HandoverDue, ShiftReminder
from rota.rotation import SupportLine
from tests.fakes import ALICE, BOB, CAROL, DAN, ERIN, FIRST, LEAD, LONDON, RIYA, SECOND, make_ticket
from tests.teams_cards.cards import (
    actions,
    at,
    body_text,
    from_slack,
    people,
    slack_body,
    texts,
    unbold,
    validate,
)
from triage.digest import AssigneeLoad, Capped, ClockAchievement, Digest, DigestKind, TicketLine
from triage.model import Priority, Status, Ticket, TicketType
from triage.reminders import AlertKind, SlaNotice
from triage.sla import SlaClock

MON = datetime(2026, 11, 30, 9, tzinfo=UTC)  # GMT: the desk's time is UTC
DUE = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
SECRET_TITLE = "Erase all records of Jane Doe"
SECRET_TEXT = "Nobody on floor 3 can connect."  # make_ticket's description


def gdpr(**changes: Any) -> Ticket:
    return make_ticket(ticket_type=TicketType.GDPR_REQUEST, title=SECRET_TITLE, **changes)


NEAR = SlaNotice(AlertKind.NEAR_BREACH, SlaClock.RESPONSE, 0, DUE)
SNOOZED = SlaNotice(AlertKind.SNOOZED, SlaClock.REVIEW, 2, DUE)
BREACH = SlaNotice(AlertKind.BREACH, SlaClock.RESOLUTION, 1, DUE)
STALE = SlaNotice(AlertKind.STALE, None, 0, None, since=DUE)
NOTICES = {"near breach": NEAR, "snoozed": SNOOZED, "breach": BREACH, "stale": STALE}
TICKETS: dict[str, Callable[[], Ticket]] = {
    "open 1st line": make_ticket,
    "2nd line in progress": lambda: make_ticket(status=Status.IN_PROGRESS, line=SECOND, assignee=DAN),
    "no priority, awaiting sign-off": lambda: make_ticket(priority=None, status=Status.AWAITING_SIGN_OFF),
    "unassigned": lambda: make_ticket(assignee=None),
}


def slack_controls(slack: dict[str, Any]) -> list[tuple[str, str]]:
    """(action id, title) of Slack's buttons and (action id, placeholder) of its menus."""
    out = []
    for block in slack["blocks"]:
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            label = element["text"] if element["type"] == "button" else element["placeholder"]
            out.append((element["action_id"], label["text"]))
    return out


@pytest.mark.parametrize("ticket_name", TICKETS)
@pytest.mark.parametrize("notice_name", NOTICES)
def test_an_sla_alert_says_what_slacks_says_with_the_same_buttons(notice_name: str, ticket_name: str) -> None:
    ticket, notice = TICKETS[ticket_name](), NOTICES[notice_name]
    slack = sla_view.sla_alert_message(ticket, "SUP", notice, zone=LONDON)
    teams = digest_cards.sla_alert_card(ticket, "SUP", notice, zone=LONDON, people=people)

    validate(teams)
    assert unbold(body_text(teams)) == unbold(slack_body(slack))
    assert teams.text == from_slack(slack["text"])
    assert sorted((a["verb"], a["title"]) for a in actions(teams.card)) == sorted(slack_controls(slack))
    assert all(a["data"]["ticket_id"] == 7 for a in actions(teams.card))
    if ticket.assignee_id:
        assert at(ticket.assignee_id) in body_text(teams)
    if notice.kind is AlertKind.STALE:
        assert at(RIYA) in body_text(teams)


def test_the_alert_menus_offer_slacks_choices() -> None:
    ticket = make_ticket(status=Status.UNDER_INVESTIGATION)
    slack = sla_view.sla_alert_message(ticket, "SUP", NEAR, zone=LONDON)
    teams = digest_cards.sla_alert_card(ticket, "SUP", NEAR, zone=LONDON, people=people)
    menus = {e["action_id"]: e for b in slack["blocks"] if b["type"] == "actions" for e in b["elements"]}
    inputs = {e["id"]: e for e in teams.card["body"] if e["type"] == "Input.ChoiceSet"}

    status_options = menus["ticket_set_status"]["options"]
    assert [c["title"] for c in inputs["status"]["choices"]] == [o["text"]["text"] for o in status_options]
    assert [f"7:{c['value']}" for c in inputs["status"]["choices"]] == [o["value"] for o in status_options]
    priority_options = menus["ticket_set_priority"]["options"]
    assert [c["title"].split(":")[0] for c in inputs["priority"]["choices"]] == [
        o["text"]["text"] for o in priority_options
    ]
    assert inputs["assignee"]["choices.data"]["dataset"] == "graph.microsoft.com/users"


@pytest.mark.parametrize("notice_name", ["near breach", "snoozed"])
def test_snooze_buttons_carry_ticket_clock_and_cycle(notice_name: str) -> None:
    notice = NOTICES[notice_name]
    slack = sla_view.sla_alert_message(make_ticket(), "SUP", notice, zone=LONDON)
    teams = digest_cards.sla_alert_card(make_ticket(), "SUP", notice, zone=LONDON, people=people)
    slack_snoozes = {e["action_id"]: e["value"] for b in slack["blocks"] for e in b.get("elements", []) if "value" in e}
    snoozes = [a for a in actions(teams.card) if a["verb"].startswith("reminder_snooze")]

    assert [a["title"] for a in snoozes] == ["Snooze 1h", "Snooze until tomorrow"]
    for action in snoozes:
        data = action["data"]
        assert f"{data['ticket_id']}:{data['clock']}:{data['cycle']}:{data['snooze']}" == slack_snoozes[action["verb"]]
    assert "Update the requester" in [a["title"] for a in actions(teams.card)]


def test_the_due_time_is_the_desks_own() -> None:
    teams = digest_cards.sla_alert_card(make_ticket(), "SUP", NEAR, zone=LONDON, people=people)

    assert "The **response** deadline is Tue 24 Nov 14:30 GMT." in body_text(teams)
    assert "Wed 01 Jul 15:30 BST" in body_text(
        digest_cards.sla_alert_card(
            make_ticket(),
            "SUP",
            SlaNotice(AlertKind.BREACH, SlaClock.REVIEW, 0, datetime(2026, 7, 1, 14, 30, tzinfo=UTC)),
            zone=LONDON,
            people=people,
        )
    )


@pytest.mark.parametrize("notice_name", NOTICES)
def test_a_public_alert_never_shows_a_gdpr_requests_contents(notice_name: str) -> None:
    teams = digest_cards.sla_alert_card(gdpr(), "SUP", NOTICES[notice_name], zone=LONDON, people=people, public=True)

    validate(teams)
    dumped = json.dumps([teams.text, teams.card], ensure_ascii=False)
    assert SECRET_TITLE not in dumped and "Jane Doe" not in dumped and SECRET_TEXT not in dumped
    assert "Riya" not in dumped  # nor who asked
    assert "**SUP-7** GDPR request (details are private to the assignee and leads)" in body_text(teams)
    assert actions(teams.card) == []  # the channel gets no buttons


def test_the_assignees_alert_does_show_the_gdpr_title() -> None:
    """Control for the privacy test: the same ticket's private alert names it."""
    teams = digest_cards.sla_alert_card(gdpr(), "SUP", BREACH, zone=LONDON, people=people)

    assert SECRET_TITLE in body_text(teams)


def test_a_title_cannot_inject_markdown_or_mentions() -> None:
    ticket = make_ticket(title="[click](https://evil.example) *now* <at>Bob Brown</at>")
    teams = digest_cards.sla_alert_card(ticket, "SUP", BREACH, zone=LONDON, people=people)

    validate(teams)  # an <at> without its entity would fail here
    assert "\\[click\\](https://evil.example) \\*now\\* \\<at\\>Bob Brown\\</at\\>" in body_text(teams)


# -- handovers ---------------------------------------------------------------------------------


def handover(outgoing: str | None = ALICE, incoming: str | None = BOB, until: datetime | None = None) -> HandoverDue:
    return HandoverDue(FIRST, MON, outgoing, incoming, until, 7, frozenset({outgoing} if outgoing else set()))


OPEN = [
    make_ticket(ticket_id=7, assignee=BOB),
    make_ticket(ticket_id=8, assignee=ALICE, status=Status.IN_PROGRESS),
    make_ticket(ticket_id=9, assignee=CAROL, status=Status.UNDER_INVESTIGATION),
    gdpr(ticket_id=10, assignee=BOB),
]
MANY = [make_ticket(ticket_id=n, assignee=BOB) for n in range(1, 26)]
UNTIL = datetime(2026, 12, 7, 9, tzinfo=UTC)

Pair = tuple[dict[str, Any], TeamsMessage]


def both(kind: str, due: HandoverDue, tickets: list[Ticket], moved: set[int]) -> Pair:
    slack_view = SlackHandoverView(due, tickets, frozenset(moved), "SUP", LONDON)
    view = HandoverView(due, tickets, frozenset(moved), "SUP", LONDON)
    if kind == "outgoing":
        return handover_view.outgoing_dm(slack_view), digest_cards.outgoing_card(view, people=people)
    return handover_view.incoming_dm(slack_view), digest_cards.incoming_card(view, people=people)


HANDOVERS: dict[str, tuple[Callable[[], Pair], set[str]]] = {
    "outgoing, Bob takes over": (lambda: both("outgoing", handover(until=UNTIL), OPEN, {7, 10}), {BOB, CAROL}),
    "outgoing, nobody after": (lambda: both("outgoing", handover(incoming=None), OPEN, set()), {BOB, CAROL}),
    "outgoing, no tickets": (lambda: both("outgoing", handover(), [], set()), {BOB}),
    "incoming from Alice": (lambda: both("incoming", handover(until=UNTIL), OPEN, {7}), {ALICE, CAROL}),
    "incoming, same person": (lambda: both("incoming", handover(outgoing=BOB), OPEN, set()), {ALICE, CAROL}),
    "incoming, nobody before": (lambda: both("incoming", handover(outgoing=None), OPEN, set()), {ALICE, CAROL}),
    "incoming, 25 tickets": (lambda: both("incoming", handover(), MANY, set(range(1, 26))), {ALICE}),
    "triage post": (
        lambda: (
            handover_view.triage_post("This week", {FIRST: BOB, SECOND: None}, MON, LONDON),
            digest_cards.triage_post_card("This week", {FIRST: BOB, SECOND: None}, MON, LONDON, people=people),
        ),
        {BOB},
    ),
    "nobody on duty": (
        lambda: (
            handover_view.nobody_on_duty_alert(handover(incoming=None), LONDON),
            digest_cards.nobody_on_duty_card(handover(incoming=None), LONDON, people=people),
        ),
        set(),
    ),
    "shift reminder": (
        lambda: (
            handover_view.shift_reminder_dm(ShiftReminder(SECOND, ERIN, MON, UNTIL, MON), LONDON),
            digest_cards.shift_reminder_card(ShiftReminder(SECOND, ERIN, MON, UNTIL, MON), LONDON, people=people),
        ),
        set(),
    ),
}


@pytest.mark.parametrize("name", HANDOVERS)
def test_handover_cards_say_what_slacks_say(name: str) -> None:
    build, named = HANDOVERS[name]
    slack, teams = build()

    validate(teams)
    assert unbold(body_text(teams)) == unbold(slack_body(slack))
    assert teams.text == from_slack(slack["text"])
    assert {e["mentioned"]["name"] for e in teams.entities} == {people(u).name for u in named}
    assert actions(teams.card) == []


def test_a_handover_lists_twenty_and_counts_the_rest_and_hides_gdpr_titles() -> None:
    _, many = HANDOVERS["incoming, 25 tickets"][0]()
    _, some = HANDOVERS["outgoing, Bob takes over"][0]()

    assert body_text(many).count("\n• ") == LISTED
    assert "…and 5 more (**mine** lists yours)." in body_text(many)
    assert "• **SUP-10** GDPR request · Open · moved to <at>Bob Brown</at>" in body_text(some)
    assert SECRET_TITLE not in body_text(some)
    assert "<at>Bob Brown</at> is on duty now until Mon 07 Dec 09:00 GMT." in body_text(some)


# -- the digest --------------------------------------------------------------------------------

PEOPLE_BY_N = [ALICE, BOB, CAROL, DAN, ERIN, LEAD, RIYA]


def line(n: int, *, private: bool = False, title: str | None = None) -> TicketLine:
    return TicketLine(
        ticket_id=n,
        type=TicketType.GDPR_REQUEST if private else TicketType.TECHNICAL_SUPPORT,
        priority=Priority.P2,
        status=Status.IN_PROGRESS,
        assignee_id=PEOPLE_BY_N[n % len(PEOPLE_BY_N)] if n < 100 else f"U{n:05d}",
        title=title if title is not None else f"Ticket {n}",
        at=datetime(2026, 11, 20, 13, tzinfo=UTC),
        clocks=(SlaClock.RESPONSE, SlaClock.RESOLUTION),
    )


def make_digest(**changes: Any) -> Digest:
    values: dict[str, Any] = {
        "kind": DigestKind.DAILY,
        "period_start": datetime(2026, 11, 20, 9, tzinfo=UTC),
        "period_end": MON,
        "now": MON,
        "soon_until": datetime(2026, 11, 30, 11, tzinfo=UTC),
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


FULL = make_digest(
    kind=DigestKind.WEEKLY,
    created=12,
    resolved=9,
    open_by_priority_status={
        (Priority.P1, Status.OPEN): 2,
        (Priority.P1, Status.IN_PROGRESS): 1,
        (None, Status.OPEN): 4,
    },
    sla=(
        ClockAchievement(SlaClock.RESPONSE, 193, 7),
        ClockAchievement(SlaClock.REVIEW, 9499, 501),
        ClockAchievement(SlaClock.RESOLUTION, 0, 0),
    ),
    breached=Capped(tuple(line(n) for n in range(1, 13)), 40),  # more items than are shown, and more upstream
    about_to_breach=Capped((line(20), line(21, private=True, title=SECRET_TITLE)), 2),
    stale=Capped(tuple(line(n) for n in range(30, 40)), 10),
    awaiting_requester=Capped((line(50),), 1),
    load=Capped(
        (*(AssigneeLoad(u, 5 - i, i % 2, i % 3, 1) for i, u in enumerate(PEOPLE_BY_N)), AssigneeLoad(None, 3, 0, 0, 0)),
        30,
    ),
)
EMPTY = make_digest()
HUGE = make_digest(
    breached=Capped(tuple(line(n, title="<!channel> & " + "x" * 187) for n in range(100, 1100)), 1000),
    about_to_breach=Capped(tuple(line(n) for n in range(100, 1100)), 1000),
    stale=Capped(tuple(line(n) for n in range(100, 1100)), 1000),
    awaiting_requester=Capped(tuple(line(n) for n in range(100, 1100)), 1000),
    load=Capped(tuple(AssigneeLoad(f"U{n:05d}", n, 1, 1, 1) for n in range(1000)), 1000),
    open_by_priority_status={(p, s): 1000 for p in (*Priority, None) for s in Status if s is not Status.CLOSED},
)
DIGESTS = {"full": FULL, "empty": EMPTY, "a thousand of everything": HUGE}


def slack_sections(slack: dict[str, Any]) -> list[list[str]]:
    """Each Slack section's text as lines, translated."""
    return [
        from_slack(b["text"]["text"]).split("\n") for b in slack["blocks"] if b["type"] == "section" and "text" in b
    ]


@pytest.mark.parametrize("name", DIGESTS)
def test_the_digest_lists_what_slacks_lists_capped_and_counted(name: str) -> None:
    digest = DIGESTS[name]
    slack = digest_view.digest_message(digest, prefix="SUP", zone=LONDON)
    teams = digest_cards.digest_card(digest, prefix="SUP", zone=LONDON, people=people)
    capped: dict[str, Capped[Any]] = {
        "🚨": digest.breached,
        "⏳": digest.about_to_breach,
        "💤": digest.stale,
        "💬": digest.awaiting_requester,
        "👥": digest.load,
    }

    validate(teams)
    assert teams.text == from_slack(slack["text"])
    shown = body_text(teams).split("\n")
    lists = [s for s in slack_sections(slack) if s[0].split(" ", 1)[0] in capped]
    assert len(lists) == len(capped)
    for heading, *rest in lists:
        total = capped[heading.split(" ", 1)[0]].total
        start = shown.index(unbold(heading))  # the same heading, counts included
        # Slack escapes a title for mrkdwn, Teams for markdown: the same words either way.
        rows = [r.replace("&lt;!channel&gt; &amp; ", "\\<!channel\\> & ") for r in rest if r.startswith("• ")]
        expected = rows[:DIGEST_LISTED]
        assert shown[start + 1 : start + 1 + len(expected)] == expected
        if total == 0:
            assert shown[start + 1] == rest[0]  # the empty list's own words
        elif total > len(expected):
            assert shown[start + 1 + len(expected)] == f"_...and {total - len(expected)} more_"
        else:
            assert "more_" not in shown[start + len(expected)]


def test_the_digest_figures_match_slacks() -> None:
    teams = digest_cards.digest_card(FULL, prefix="SUP", zone=LONDON, people=people)
    all_text = "\n".join(texts(teams.card))

    assert "📊 Weekly support digest" in all_text
    assert "From Fri 20 Nov 09:00 to Mon 30 Nov 09:00 (Europe/London)." in all_text
    assert "**7** open now · **12** created · **9** resolved in this period (backlog up 3)" in all_text
    assert "P1 Highest: 3 · 2 open · 1 in progress" in all_text
    assert "No priority: 4 · 4 open" in all_text and "P4 Low: 0" in all_text
    assert "By status: 6 open · 1 in progress" in all_text
    assert "Response: ✅ 96.5% met (193 of 200, 7 missed)" in all_text
    assert "Review: ⚠️ 94.9% met (9499 of 10000, 501 missed)" in all_text  # rounded down, never up to the goal
    assert "Resolution: \u2796 none stopped in this period" in all_text
    assert "⏳ About to breach by Mon 30 Nov 11:00 GMT (2)" in all_text
    assert (
        "• **SUP-21** P2 · _GDPR request (private)_ · <at>Alice Adams</at> · response, resolution due Fri 20 Nov 13:00 GMT"
        in all_text
    )
    assert SECRET_TITLE not in json.dumps(teams.card, ensure_ascii=False)
    assert "• _Unassigned_: 3 open" in all_text
    assert "Posted Mon 30 Nov 09:00 · **status SUP-n** shows a ticket" in all_text


def test_only_the_people_shown_are_mentioned() -> None:
    teams = digest_cards.digest_card(HUGE, prefix="SUP", zone=LONDON, people=people)
    named = {e["mentioned"]["id"] for e in teams.entities}

    shown = {f"29:u{n:05d}" for n in range(100, 100 + DIGEST_LISTED)} | {f"29:u{n:05d}" for n in range(DIGEST_LISTED)}
    assert named == shown
    assert len(json.dumps(teams.card).encode()) < 28_000


def test_an_empty_digest_says_so() -> None:
    teams = digest_cards.digest_card(EMPTY, prefix="SUP", zone=LONDON, people=people)
    all_text = "\n".join(texts(teams.card))

    for empty in (
        "No breaches 🎉",
        "Nothing falls due before then.",
        "No open tickets.",
        "Nobody is waiting on a requester.",
    ):
        assert empty in all_text
    assert "backlog steady" in all_text
    assert [e["type"] for e in teams.card["body"]].count("FactSet") == 1  # SLA only: no open-tickets table
    assert teams.entities == ()


def test_handover_and_digest_lines_use_the_desks_lines() -> None:
    """The view is Teams' own copy of Slack's HandoverView: same fields, so notifiers build both alike."""
    assert HandoverView.__dataclass_fields__.keys() == SlackHandoverView.__dataclass_fields__.keys()
    assert (
        SupportLine.FIRST.label
        in digest_cards.outgoing_card(HandoverView(handover(), [], frozenset(), "SUP", LONDON), people=people).text
    )
