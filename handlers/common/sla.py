"""SLA clocks in words, for both adapters: the wording is here, the markup (bold, emoji, dates) is each
platform's (`ClockMarkup`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from triage.sla import ClockState


@dataclass(frozen=True)
class ClockMarkup:
    """How a platform writes a clock's name, an emoji (by its Slack short name) and a due time."""

    bold: Callable[[str], str]
    emoji: Callable[[str], str]
    date: Callable[[datetime, ZoneInfo], str]


def desk_date(at: datetime, zone: ZoneInfo) -> str:
    """ "Mon 30 Nov 09:00 GMT" in the desk's zone (Slack: the date token's fallback)."""
    local = at.astimezone(zone)
    return f"{local:%a %d %b %H:%M} {local.tzname()}"


def working_duration(seconds: float, day_seconds: float) -> str:
    """2 working hours, 45 working minutes, 3 working days 2h: the way a support lead would say it."""
    minutes = max(0, round(seconds / 60))
    day_minutes = max(1, round(day_seconds / 60))
    if minutes < 60:
        return f"{minutes} working minute{'s' if minutes != 1 else ''}"
    if minutes < day_minutes:
        hours, rest = divmod(minutes, 60)
        return f"{hours} working hour{'s' if hours != 1 else ''}" + (f" {rest}m" if rest else "")
    days, rest = divmod(minutes, day_minutes)
    hours = rest // 60
    return f"{days} working day{'s' if days != 1 else ''}" + (f" {hours}h" if hours else "")


def clock_phrase(
    state: ClockState, *, now: datetime, zone: ZoneInfo, day_seconds: float, live: bool, markup: ClockMarkup
) -> str | None:
    """One clock in words. `live` answers (status) may say "ago"; cards must stay true as time passes."""
    if state.target is None:
        return None
    name = markup.bold(state.clock.label)
    if state.stopped_at is not None:
        if state.breached:
            return f"{name} missed by {working_duration(state.elapsed - state.target, day_seconds)}"
        return f"{name} met {markup.emoji('white_check_mark')}"
    if state.paused:
        left = working_duration(max(state.target - state.elapsed, 0), day_seconds)
        return f"{name} paused while we wait for the requester ({left} left)"
    assert state.due_at is not None
    breached = f"{name} {markup.emoji('red_circle')} breached"
    if state.due_at < now:  # reaching the target exactly is still met
        if live:
            late = working_duration(state.elapsed - state.target, day_seconds)
            return f"{breached} {late} ago" if late != "0 working minutes" else f"{breached} just now"
        return f"{breached} (was due {markup.date(state.due_at, zone)})"
    return f"{name} due {markup.date(state.due_at, zone)}"


def clock_phrases(
    clocks: Sequence[ClockState], *, now: datetime, zone: ZoneInfo, day_seconds: float, live: bool, markup: ClockMarkup
) -> list[str]:
    """The phrases of a ticket's clocks that have a target."""
    phrases = (clock_phrase(c, now=now, zone=zone, day_seconds=day_seconds, live=live, markup=markup) for c in clocks)
    return [p for p in phrases if p]


def sla_line(phrases: Sequence[str]) -> str | None:
    """All clocks of a ticket on one line of a card."""
    return "SLA: " + " · ".join(phrases) if phrases else None
