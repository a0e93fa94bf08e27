"""Block Kit for the leads' digest: a pure function of `triage.digest.Digest`, within Slack's limits.

One section per list whatever its length: the lists are capped upstream and each section is cut again
to Slack's 3,000 characters here, with "...and N more" counting everything that was left out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.common.tickets import load_line
from handlers.slack.blocks import Blocks, Message, escape, mention, mrkdwn, plain_text
from handlers.slack.sla_view import slack_date
from triage.digest import AssigneeLoad, Capped, ClockAchievement, Digest, TicketLine
from triage.model import Priority, Status, format_ref

SECTION_MAX = 3000
FIELD_MAX = 2000
TITLE_SHOWN = 60  # characters of a title in a list line; the ref finds the rest

_OPEN_STATUSES = tuple(s for s in Status if s is not Status.CLOSED)


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_MAX]}]}


def _fields(texts: Sequence[str]) -> dict[str, Any]:
    return {"type": "section", "fields": [{"type": "mrkdwn", "text": t[:FIELD_MAX]} for t in texts[:10]]}


def _local(at: datetime, zone: ZoneInfo) -> str:
    return f"{at.astimezone(zone):%a %d %b %H:%M}"


def _title(line: TicketLine) -> str:
    if line.is_private or line.title is None:
        return "_GDPR request (private)_"
    title = line.title if len(line.title) <= TITLE_SHOWN else line.title[: TITLE_SHOWN - 1].rstrip() + "…"
    return escape(title)


def _ticket(line: TicketLine, prefix: str) -> str:
    priority = f"{line.priority.value} · " if line.priority else ""
    return f"• *{format_ref(prefix, line.ticket_id)}* {priority}{_title(line)} · {mention(line.assignee_id)}"


def _clocks(line: TicketLine) -> str:
    return ", ".join(c.value for c in line.clocks) or "SLA"


def _listing(heading: str, capped: Capped[Any], lines: Sequence[str], empty: str) -> dict[str, Any]:
    """A heading and as many lines as fit in one section; the rest, cut here or upstream, is counted."""
    if capped.total == 0:
        return mrkdwn(f"{heading}\n{empty}")
    text = heading
    shown = 0
    for line in lines:
        left = capped.total - shown - 1
        tail = f"\n_...and {left} more_" if left else ""
        if len(text) + 1 + len(line) + len(tail) > SECTION_MAX:
            break
        text += "\n" + line
        shown += 1
    if capped.total > shown:
        text += f"\n_...and {capped.total - shown} more_"
    return mrkdwn(text)


def _sla_field(achievement: ClockAchievement, goal: float) -> str:
    name = f"*{achievement.clock.label}*"
    percent = achievement.percent
    if percent is None:
        return f"{name}\n:heavy_minus_sign: none stopped in this period"
    icon = ":white_check_mark:" if percent >= goal else ":warning:"
    shown = math.floor(percent * 10) / 10  # rounded down, so 94.96% never reads as the 95% goal met
    return f"{name}\n{icon} {shown:g}% met ({achievement.met} of {achievement.stopped}, {achievement.missed} missed)"


def _open_table(digest: Digest) -> list[str]:
    """Open tickets as rows per priority, each listing its statuses: a table that reads on a phone too."""
    counts = digest.open_by_priority_status
    fields = []
    for priority in (*Priority, None):
        row = [(s, counts.get((priority, s), 0)) for s in _OPEN_STATUSES]
        total = sum(n for _, n in row)
        label = priority.label if priority else "No priority"
        detail = " · ".join(f"{n} {s.label.lower()}" for s, n in row if n) or "none"
        fields.append(f"*{label}*: {total}\n{detail}")
    return fields


def _load_line(load: AssigneeLoad) -> str:
    return load_line(load, mention=mention, emoji=lambda name: f":{name}:")


def digest_message(digest: Digest, *, prefix: str, zone: ZoneInfo, goal: float = 95.0) -> Message:
    """The digest as a Slack message: figures first, then what needs a lead's attention, then the load."""
    title = f"{digest.kind.label} support digest"
    net = digest.created - digest.resolved
    trend = "backlog steady" if net == 0 else f"backlog {'up' if net > 0 else 'down'} {abs(net)}"
    by_status = {s: sum(n for (_, st), n in digest.open_by_priority_status.items() if st is s) for s in _OPEN_STATUSES}
    status_line = " · ".join(f"{n} {s.label.lower()}" for s, n in by_status.items() if n)

    blocks: Blocks = [
        {"type": "header", "text": plain_text(f":bar_chart: {title}")},
        _context(
            f"From {_local(digest.period_start, zone)} to {_local(digest.period_end, zone)} ({zone.key}). "
            "Open tickets and the lists below are as of posting."
        ),
        mrkdwn(
            f"*{digest.open_total}* open now · *{digest.created}* created · *{digest.resolved}* resolved "
            f"in this period ({trend})"
        ),
    ]
    if digest.open_total:
        blocks.append(_fields(_open_table(digest)))
        blocks.append(_context(f"By status: {status_line}"))
    blocks.append(mrkdwn(f"*SLA achieved* (clocks stopped in this period; goal {goal:.0f}%)"))
    blocks.append(_fields([_sla_field(a, goal) for a in digest.sla]))
    blocks.append({"type": "divider"})

    blocks.append(
        _listing(
            f":rotating_light: *Breached* ({digest.breached.total})",
            digest.breached,
            [
                f"{_ticket(t, prefix)} · {_clocks(t)} overdue since {slack_date(t.at, zone)}"
                for t in digest.breached.items
            ],
            "No breaches :tada:",
        )
    )
    blocks.append(
        _listing(
            f":hourglass_flowing_sand: *About to breach* by {slack_date(digest.soon_until, zone)} "
            f"({digest.about_to_breach.total})",
            digest.about_to_breach,
            [f"{_ticket(t, prefix)} · {_clocks(t)} due {slack_date(t.at, zone)}" for t in digest.about_to_breach.items],
            "Nothing falls due before then.",
        )
    )
    blocks.append(
        _listing(
            f":zzz: *No update to the requester for a working day* ({digest.stale.total})",
            digest.stale,
            [f"{_ticket(t, prefix)} · last update {slack_date(t.at, zone)}" for t in digest.stale.items],
            "Every requester has heard from us within a working day.",
        )
    )
    blocks.append(
        _listing(
            f":speech_balloon: *Waiting on the requester* ({digest.awaiting_requester.total})",
            digest.awaiting_requester,
            [f"{_ticket(t, prefix)} · since {slack_date(t.at, zone)}" for t in digest.awaiting_requester.items],
            "Nobody is waiting on a requester.",
        )
    )
    blocks.append({"type": "divider"})
    blocks.append(
        _listing(
            ":busts_in_silhouette: *Open tickets per assignee*",
            digest.load,
            [_load_line(load) for load in digest.load.items],
            "No open tickets.",
        )
    )
    blocks.append(_context(f"Posted {_local(digest.now, zone)} · `/support status {prefix}-n` shows a ticket"))

    text = (
        f"{title}: {digest.open_total} open, {digest.created} created, {digest.resolved} resolved, "
        f"{digest.breached.total} breached, {digest.about_to_breach.total} about to breach"
    )
    return {"text": text, "blocks": blocks}
