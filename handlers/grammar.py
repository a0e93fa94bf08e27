"""The support commands' grammar, shared by every chat platform (Slack's `/support …`, Teams' 1:1 texts):
subcommands (`help`, `status SUP-n`, `mine`, `who [line] [day]`, `rota`) or a title for a new ticket.

`who [line] [date]`: a line (1st, first, 2nd...) and a day (YYYY-MM-DD, today, tomorrow, a weekday name), in
either order. Anything else after `who` is a ticket title ("who can approve my laptop")."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rota.rotation import WEEKDAYS, RotaError, SupportLine, check_year
from triage.errors import InvalidInput

LINE_WORDS = {
    **dict.fromkeys(("1st", "first", "first_line", "first-line", "1st-line", "1st_line", "1", "l1"), SupportLine.FIRST),
    **dict.fromkeys(
        ("2nd", "second", "second_line", "second-line", "2nd-line", "2nd_line", "2", "l2"), SupportLine.SECOND
    ),
}
DAY_NAMES = {name: i for i, day in enumerate(WEEKDAYS) for name in (day, date(2024, 1, 1 + i).strftime("%A").lower())}
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MIDDAY = time(12, 0)  # "who is on on Friday" means the working day, after any morning handover


@dataclass(frozen=True)
class WhoQuery:
    lines: tuple[SupportLine, ...] = ()  # empty: every line
    day: str | None = None  # today | tomorrow | a weekday | YYYY-MM-DD, resolved against the clock later


def parse_who_args(text: str) -> WhoQuery | None:
    """The words after `who`, or None when they are not a line and/or a day (then it is a ticket title)."""
    lines: list[SupportLine] = []
    day: str | None = None
    for word in text.lower().split():
        if word in LINE_WORDS and not lines:
            lines.append(LINE_WORDS[word])
        elif (word in ("today", "tomorrow") or word in DAY_NAMES or ISO_DAY.match(word)) and day is None:
            day = word
        else:
            return None
    return WhoQuery(tuple(lines), day)


def resolve_day(day: str | None, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The instant to answer for: now (no day, or today), else midday of that local day."""
    today = now.astimezone(zone).date()
    if day is None or day == "today":
        return None
    if day == "tomorrow":
        wanted = today + timedelta(days=1)
    elif day in DAY_NAMES:
        wanted = today + timedelta(days=(DAY_NAMES[day] - today.weekday()) % 7)  # today, or the next one
        if wanted == today:
            return None
    else:
        try:
            wanted = date.fromisoformat(day)
            check_year(wanted, f"`{day}`")
        except RotaError as error:
            raise InvalidInput("day", str(error)) from None
        except ValueError:
            raise InvalidInput("day", f"`{day}` is not a date; use YYYY-MM-DD, `tomorrow` or a weekday.") from None
    return datetime.combine(wanted, MIDDAY, tzinfo=zone).astimezone(UTC)


SUBCOMMANDS = ("help", "status", "mine", "who", "rota")


@dataclass(frozen=True)
class SupportCommand:
    """What the text after `/support` asks for."""

    kind: str  # new | help | status | mine | who | rota | unknown
    argument: str = ""
    suggestion: str | None = None


def parse_support_command(text: str, *, also: Sequence[str] = ()) -> SupportCommand:
    """Subcommands are short and exact; anything longer is a ticket title, so "/support help me log in" files
    a ticket. `status` takes one reference; `who` an optional line and day ("who 2nd tomorrow"), anything else
    after it is a title. A lone word that looks like a misspelt subcommand (or one of `also`, the platform's own
    words, such as Teams' `new`) is questioned."""
    text = " ".join((text or "").split())
    if not text:
        return SupportCommand("new")
    word, _, rest = text.partition(" ")
    keyword = word.lower()
    if keyword in SUBCOMMANDS and (not rest or (keyword == "status" and " " not in rest)):
        return SupportCommand(keyword, rest)
    if keyword == "who" and parse_who_args(rest) is not None:
        return SupportCommand("who", rest)
    if not rest:
        close = difflib.get_close_matches(word.lower(), (*SUBCOMMANDS, *also), n=1, cutoff=0.75)
        if close:
            return SupportCommand("unknown", word, close[0])
    return SupportCommand("new", text)
