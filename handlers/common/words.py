"""Rota words both adapters say: times, stretches of duty, requests and how they ended. People are left to a
`mention` and emphasis and emoji to a `Markup`, so Slack writes `<@U…>`, `*bold*` and `:emoji:` and Teams
`<at>Name</at>`, `**bold**` and the emoji itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from rota.ports import RequestKind, RequestStatus, RotaRequest
from rota.roster import Duty, DutySource, Override

Mention = Callable[[str | None], str]

MARKS = {  # what marks a stretch of duty that is not the rotation's own member (emoji by Slack short name)
    DutySource.OVERRIDE: "arrows_counterclockwise",
    DutySource.LEAVE_COVER: "palm_tree",
    DutySource.NOBODY: "warning",
}


@dataclass(frozen=True)
class Markup:
    """How a platform writes emphasis and an emoji (named by its Slack short name)."""

    bold: Callable[[str], str]
    emoji: Callable[[str], str]


def when(at: datetime, zone: ZoneInfo) -> str:
    return f"{at.astimezone(zone):%a %d %b %H:%M}"


def span(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    return f"{when(starts_at, zone)} → {when(ends_at, zone)}"


def duty_text(duty: Duty, zone: ZoneInfo, *, mention: Mention, markup: Markup) -> str:
    """One stretch of duty, marked when it is not the rotation's own member."""
    who = mention(duty.user_id) if duty.user_id else markup.bold("nobody")
    mark = f" {markup.emoji(MARKS[duty.source])}" if duty.source in MARKS else ""
    note = ""
    if duty.source is DutySource.OVERRIDE and duty.scheduled and duty.scheduled != duty.user_id:
        note = f"{mark} for {mention(duty.scheduled)}"
    elif duty.source is DutySource.OVERRIDE:
        note = mark
    elif duty.source is DutySource.LEAVE_COVER:
        note = f"{mark} {mention(duty.scheduled)} on leave"
    elif duty.source is DutySource.NOBODY and duty.scheduled:
        note = f"{mark} {mention(duty.scheduled)} on leave, nobody covers"
    elif duty.source is DutySource.NOBODY:
        note = mark
    return f"• {span(duty.starts_at, duty.ends_at, zone)}  {who}{note}"


def describe_override(override: Override, zone: ZoneInfo, *, mention: Mention) -> str:
    """An override in a line: who, for whom (when it replaces someone), why and when."""
    replaces = override.replaces if override.replaces and override.replaces != override.user_id else None
    return (
        f"{override.line.label}: {mention(override.user_id)}"
        + (f" for {mention(replaces)}" if replaces else "")
        + f" ({override.reason.value}) {span(override.starts_at, override.ends_at, zone)}"
    )


def describe_request(request: RotaRequest, zone: ZoneInfo, *, to: str, mention: Mention) -> str:
    """The request in words, from the point of view of `to` (the target, or a lead)."""
    mine = span(request.given_from, request.given_to, zone)
    requester = mention(request.requester_id)
    label = request.line.label
    if request.kind is RequestKind.SWAP and request.taken_from and request.taken_to:
        theirs = span(request.taken_from, request.taken_to, zone)
        if to == request.target_id:
            return f"{requester} asks to swap {label} shifts: you take theirs ({mine}) and they take yours ({theirs})."
        return f"{requester} and {mention(request.target_id)} swap {label} shifts: {mine} and {theirs}."
    if to == request.target_id:
        return f"{requester} asks you to cover their {label} duty {mine}."
    return f"{mention(request.target_id)} covers {requester}'s {label} duty {mine}."


def outcome_text(request: RotaRequest, zone: ZoneInfo, *, mention: Mention, markup: Markup) -> str:
    """How a request stands, in words everyone involved can read."""
    what = describe_request(request, zone, to="", mention=mention)  # first: Teams keeps mentions in order of use
    emoji, status = markup.emoji, request.status
    if status is RequestStatus.AWAITING_APPROVAL:
        target = mention(request.target_id)
        return f"{emoji('hourglass')} {target} accepted; a lead must approve it before the rota changes. {what}"
    if status is RequestStatus.ACCEPTED:
        return f"{emoji('white_check_mark')} Done, the rota has changed ({mention(request.decided_by)} agreed): {what}"
    if status is RequestStatus.DECLINED:
        return f"{emoji('x')} {mention(request.target_id)} declined; the rota is unchanged. {what}"
    if status is RequestStatus.REJECTED:
        return f"{emoji('x')} {mention(request.decided_by)} (lead) rejected it; the rota is unchanged. {what}"
    if request.decided_by:
        by = mention(request.decided_by)
        return f"{emoji('heavy_multiplication_x')} {by} cancelled the request; the rota is unchanged. {what}"
    return f"The request was cancelled; the rota is unchanged. {what}"
