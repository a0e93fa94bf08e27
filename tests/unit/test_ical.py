"""The rota as an iCalendar feed, parsed back with the icalendar package."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from rota.ical import rota_calendar, stretches
from rota.roster import Leave, Override, Rota
from rota.rotation import Rotation, SupportLine, parse_handover

LONDON = ZoneInfo("Europe/London")
FIRST = SupportLine.FIRST
WEEKLY = Rotation(FIRST, ("U1ALICE", "U2BOB", "U3CAROL"), 7, parse_handover("mon 09:00"), date(2026, 11, 2), LONDON)
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)  # Alice's week (23-30 Nov)


def monday(day: int, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=LONDON).astimezone(UTC)


def events(ics: bytes) -> list[dict[str, Any]]:
    calendar = Calendar.from_ical(ics)
    return [
        {
            "uid": str(e["UID"]),
            "start": e.decoded("DTSTART"),
            "end": e.decoded("DTEND"),
            "summary": str(e["SUMMARY"]),
        }
        for e in calendar.walk("VEVENT")
    ]


def test_one_event_per_week_of_duty_with_utc_times_and_a_calendar_name() -> None:
    ics = rota_calendar(Rota({FIRST: WEEKLY}), FIRST, now=TUESDAY, weeks=3)
    calendar = Calendar.from_ical(ics)
    assert str(calendar["X-WR-CALNAME"]) == "1st line support rota"
    assert str(calendar["VERSION"]) == "2.0"
    got = events(ics)
    assert [(e["start"], e["end"], e["summary"]) for e in got] == [
        (monday(23), monday(30), "1st line support: U1ALICE"),
        (monday(30), monday(7, 12), "1st line support: U2BOB"),
        (monday(7, 12), monday(14, 12), "1st line support: U3CAROL"),
        (monday(14, 12), monday(21, 12), "1st line support: U1ALICE"),
    ]
    assert all(e["start"].tzinfo is not None and e["start"].utcoffset() == timedelta(0) for e in got)
    assert b"DTSTART:20261123T090000Z" in ics


def test_uids_are_stable_however_often_the_feed_is_fetched() -> None:
    rota = Rota({FIRST: WEEKLY})
    earlier = events(rota_calendar(rota, FIRST, now=TUESDAY, weeks=2))
    later = events(rota_calendar(rota, FIRST, now=TUESDAY + timedelta(days=2, hours=3), weeks=2))
    assert [e["uid"] for e in earlier] == [e["uid"] for e in later]
    assert earlier[0]["uid"] == "first_line-20261123T090000Z@supportbot"
    assert len({e["uid"] for e in earlier}) == len(earlier)


def test_overrides_and_leave_are_applied_and_names_used() -> None:
    cover = Override(FIRST, "U3CAROL", monday(30), monday(30) + timedelta(days=2))
    away = Leave.for_days("U3CAROL", date(2026, 12, 7), date(2026, 12, 14), LONDON)  # to Monday: the whole shift
    rota = Rota({FIRST: WEEKLY}, overrides=(cover,), leave=(away,))
    got = events(rota_calendar(rota, FIRST, now=TUESDAY, weeks=3, names={"U3CAROL": "Carol"}))
    assert [(e["start"], e["summary"]) for e in got] == [
        (monday(23), "1st line support: U1ALICE"),
        (monday(30), "1st line support: Carol"),
        (monday(30) + timedelta(days=2), "1st line support: U2BOB"),
        (monday(7, 12), "1st line support: U1ALICE"),  # Carol is away: the next in order covers...
    ]
    assert got[-1]["end"] == monday(21, 12)  # ...and Alice's own week follows: one stretch of two weeks


@pytest.mark.parametrize("when", [datetime(2026, 3, 20, 12, tzinfo=LONDON), datetime(2026, 10, 20, 12, tzinfo=LONDON)])
def test_handovers_stay_at_nine_local_across_dst(when: datetime) -> None:
    rotation = Rotation(FIRST, ("U1ALICE", "U2BOB"), 7, parse_handover("mon 09:00"), date(2026, 1, 5), LONDON)
    for event in events(rota_calendar(Rota({FIRST: rotation}), FIRST, now=when, weeks=3)):
        assert event["start"].astimezone(LONDON).hour == 9


def test_nobody_on_duty_makes_no_event() -> None:
    not_started = Rotation(FIRST, ("U1ALICE",), 1, parse_handover("09:00"), date(2027, 1, 1), LONDON)
    assert stretches(Rota({FIRST: not_started}), FIRST, now=TUESDAY, weeks=1) == []
    assert events(rota_calendar(Rota({}), FIRST, now=TUESDAY, weeks=1)) == []
