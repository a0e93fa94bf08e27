"""A line's shifts as an RFC 5545 calendar, so people can subscribe to the rota from their calendar app."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from rota.roster import Duty, DutySource, Rota, same_person_stretches
from rota.rotation import SupportLine

PRODID = "-//supportbot//rota//EN"
_NOTES = {
    DutySource.ROTA: "On the rota.",
    DutySource.OVERRIDE: "Covering by agreement (override).",
    DutySource.LEAVE_COVER: "Covering for someone on leave.",
}


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _shift_bounds(rota: Rota, line: SupportLine, at: datetime) -> tuple[datetime, datetime]:
    """The scheduled shift running at `at`, or `at` itself when there is none."""
    rotation = rota.rotation_at(line, at)
    shift = rotation.shift_at(at) if rotation else None
    return (shift.starts_at, shift.ends_at) if shift else (at, at)


def stretches(rota: Rota, line: SupportLine, *, now: datetime, weeks: int) -> list[Duty]:
    """Each person's unbroken stretch of duty from the shift under way at `now` for `weeks` weeks.

    The window starts where the current shift started (not at `now`) and ends where the last one ends, so
    an event keeps its start and end, and its UID, however often the feed is fetched.
    """
    start, end = _shift_bounds(rota, line, now)[0], _shift_bounds(rota, line, now + timedelta(weeks=weeks))[1]
    return [d for d in same_person_stretches(rota.duties(line, start, end)) if d.user_id is not None]


def rota_calendar(
    rota: Rota,
    line: SupportLine,
    *,
    now: datetime,
    weeks: int = 8,
    names: Mapping[str, str] | None = None,
) -> bytes:
    """One VEVENT per stretch of duty, UID from line and start, times in UTC; `names` maps user ids to names."""
    names = names or {}
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{line.label} support rota")
    for duty in stretches(rota, line, now=now, weeks=weeks):
        assert duty.user_id is not None
        event = Event()
        event.add("uid", f"{line.value}-{_stamp(duty.starts_at)}@supportbot")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", duty.starts_at.astimezone(UTC))
        event.add("dtend", duty.ends_at.astimezone(UTC))
        event.add("summary", f"{line.label} support: {names.get(duty.user_id, duty.user_id)}")
        note = _NOTES.get(duty.source, "")
        if duty.scheduled and duty.scheduled != duty.user_id:
            note += f" Scheduled: {names.get(duty.scheduled, duty.scheduled)}."
        event.add("description", note.strip())
        event.add("transp", "TRANSPARENT")  # being on the rota does not make anyone busy
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
