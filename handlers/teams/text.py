"""Teams text: mentions (`<at>Name</at>` with their entities), the message type every card is built into, the
SLA line, refusals, and the plain-text answers to the Teams commands. Pure functions from domain values.

Every Teams module that names a person goes through `Mentions` here (ticket cards, rota cards, digests,
refusals), so a person reads the same everywhere: their display name as the bot learned it, a mention whose
entity points at their Teams id, or their name in bold when Teams cannot reach them (a Slack-only person).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.errors import DomainError
from core.people import Said
from handlers.common import sla
from handlers.common import tickets as ticket_words
from handlers.common.sla import ClockMarkup, clock_phrases
from handlers.common.sla import desk_date as desk_date
from handlers.common.words import when as when
from rota.roster import Rota
from rota.rotation import SupportLine
from triage.model import Ticket, format_ref
from triage.sla import ClockState

Card = dict[str, Any]
Element = dict[str, Any]
Entity = dict[str, Any]

VERSION = "1.5"

# Slack's emoji codes as Teams shows them.
EMOJI = {
    "arrows_counterclockwise": "🔄",
    "palm_tree": "🌴",
    "warning": "⚠️",
    "calendar": "📅",
    "hourglass": "⌛",
    "hourglass_flowing_sand": "⏳",
    "white_check_mark": "✅",
    "x": "❌",
    "heavy_multiplication_x": "✖️",
    "heavy_minus_sign": "\u2796",  # heavy minus sign
    "rotating_light": "🚨",
    "wave": "👋",
    "busts_in_silhouette": "👥",
    "red_circle": "🔴",
    "speech_balloon": "💬",
    "zzz": "💤",
    "bar_chart": "📊",
    "tada": "🎉",
}

_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\*_[]`~<>"})
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


# -- people and mentions -----------------------------------------------------------------------


@dataclass(frozen=True)
class TeamsPerson:
    """A person as Teams knows them: the id a mention points at ("29:..." or the AAD object id; None when not on
    Teams) and a name."""

    name: str
    teams_id: str | None


People = Callable[[str], TeamsPerson]  # a person id as the core holds it -> that person in Teams


def teams_id_in_key(person_id: str) -> str | None:
    """The Teams id a person key itself is, if it is one (a `29:` id, or an AAD object id as config names people)."""
    if person_id.startswith("29:") or _GUID.match(person_id):
        return person_id
    return None


def known_by_key(person_id: str) -> TeamsPerson:
    """A person when nothing more is known than their key: named by it, mentioned when the key is a Teams id."""
    return TeamsPerson(name=person_id, teams_id=teams_id_in_key(person_id))


@dataclass(frozen=True)
class TeamsMessage:
    """An Adaptive Card, its plain-text fallback (the activity's text), and the mention entities both use."""

    text: str
    card: Card
    entities: tuple[Entity, ...] = ()

    @property
    def text_entities(self) -> list[Entity]:
        """The entities of the mentions in `text`: what an activity sending `text` attaches (the card carries its own)."""
        return [e for e in self.entities if e["text"] in self.text]

    def attachment(self) -> dict[str, Any]:
        """The card as a Bot Framework attachment."""
        return {"contentType": "application/vnd.microsoft.card.adaptive", "content": self.card}

    def payload(self) -> dict[str, Any]:
        """What the outbox queues: the activity's text with its mention entities, and the card."""
        out: dict[str, Any] = {"text": self.text, "card": self.card}
        if self.text_entities:
            out["entities"] = self.text_entities
        return out


def mention(person: TeamsPerson) -> tuple[str, Entity | None]:
    """`<at>Name</at>` and the entity that makes it a mention; a person not on Teams is just their name."""
    name = person.name.replace("<", "").replace(">", "") or "someone"
    if person.teams_id is None:
        return f"**{plain(name)}**", None
    text = f"<at>{name}</at>"
    return text, {"type": "mention", "text": text, "mentioned": {"id": person.teams_id, "name": name}}


@dataclass
class Mentions:
    """Renders people as mentions while a card is built and keeps each entity once, for the card and activity."""

    people: People = known_by_key
    entities: list[Entity] = field(default_factory=list)

    def __call__(self, user_id: str | None) -> str:
        if not user_id:
            return "_nobody yet_"  # as Slack's mention(None)
        text, entity = mention(self.people(user_id))
        if entity is not None and entity not in self.entities:
            self.entities.append(entity)
        return text

    def name(self, user_id: str) -> str:
        """The person's name alone (a choice's title, where a mention cannot render)."""
        return self.people(user_id).name or user_id

    def used_in(self, text: str) -> list[Entity]:
        """The entities of the mentions that `text` holds."""
        return [e for e in self.entities if e["text"] in text]


def message(text: str, body: Sequence[Element], mentions: Mentions, actions: Sequence[Element] = ()) -> TeamsMessage:
    """The card (version 1.5, mentions declared in `msteams.entities` so they render inside it) and its fallback."""
    card: Card = {"type": "AdaptiveCard", "version": VERSION, "body": list(body)}
    if actions:
        card["actions"] = list(actions)
    entities = tuple(mentions.entities)
    if entities:
        card["msteams"] = {"entities": list(entities)}
    return TeamsMessage(text=text, card=card, entities=entities)


def text_payload(text: str, mentions: Mentions | None = None) -> dict[str, Any]:
    """A plain-text activity, with the entities of the mentions it holds."""
    entities = mentions.used_in(text) if mentions is not None else []
    return {"text": text, "entities": entities} if entities else {"text": text}


def teams_text(error: DomainError | Said, people: People = known_by_key) -> tuple[str, list[Entity]]:
    """A refusal (or any core message naming people) as Teams text and the mention entities it needs."""
    at = Mentions(people)
    said = error.message if isinstance(error, DomainError) else error
    text = said.render(at)
    return text, at.used_in(text)


# -- text ------------------------------------------------------------------------------------


def plain(text: str) -> str:
    """Someone's words shown as written: markdown and `<at>` cannot be smuggled in through a title."""
    return text.translate(_MARKDOWN)


def bold(text: str) -> str:
    return f"**{text}**"


def headline(ticket: Ticket, prefix: str, *, public: bool = False) -> str:
    """Ref and title; in public places a GDPR request shows neither its title nor its requester."""
    return ticket_words.headline(ticket, prefix, public=public, bold=bold, title=plain)


# -- SLA clocks in words (handlers/common/sla.py, in Teams' markup) -----------------------------

TEAMS_CLOCKS = ClockMarkup(bold=lambda text: f"**{text}**", emoji=lambda name: EMOJI[name], date=desk_date)


def sla_line(clocks: Sequence[ClockState], *, now: datetime, zone: ZoneInfo, day_seconds: float) -> str | None:
    """All clocks of a ticket on one line of a support card, as Slack's cards show them."""
    return sla.sla_line(
        clock_phrases(clocks, now=now, zone=zone, day_seconds=day_seconds, live=False, markup=TEAMS_CLOCKS)
    )


# -- answers to the commands -------------------------------------------------------------------

Name = Callable[[str | None], str]  # how a person is written: a Mentions, or plain names


def _plain_name(person_id: str | None) -> str:
    return person_id if person_id else "nobody yet"


def help_text(prefix: str) -> str:
    return "\n\n".join(
        [
            "**supportbot** runs the support desk here. Type:",
            "- `new` or `new <title>`: open a new ticket (the text pre-fills the title)",
            f"- `status {prefix}-42`: where a ticket stands",
            "- `mine`: your open tickets, as requester or assignee",
            "- `who [1st|2nd] [tomorrow|friday|2026-12-24]`: who is on duty now (or then), and who is next",
            "- `rota`: who is on duty on each line, now and next",
            "- `help`: this message",
        ]
    )


def duty_rows(
    rota: Rota, at: datetime, zone: ZoneInfo, person: Name, *, lines: Sequence[SupportLine] = ()
) -> tuple[list[str], str | None]:
    """Per line, who is on duty at `at` until when and who is next; then the leads (None without leads)."""
    out = []
    for line in lines or tuple(SupportLine):
        if line not in rota.rotations:
            out.append(f"{line.label}: no rota configured")
            continue
        current, upcoming = rota.current_duty(line, at), rota.next_duty(line, at)
        on = (
            "**nobody**"
            if current is None or current.user_id is None
            else f"{person(current.user_id)} until {when(current.ends_at, zone)}"
        )
        after = ""
        if upcoming is not None:
            who = person(upcoming.user_id) if upcoming.user_id else "nobody"
            after = f"; next {who} from {when(upcoming.starts_at, zone)}"
        out.append(f"{line.label}: {on}{after}")
    leads = "Leads: " + ", ".join(person(lead) for lead in sorted(rota.leads)) if rota.leads else None
    return out, leads


def who_text(
    rota: Rota,
    at: datetime,
    zone: ZoneInfo,
    *,
    lines: Sequence[SupportLine] = (),
    now: bool = True,
    person: Name = _plain_name,
) -> str:
    """Who is on duty; `person=Mentions(...)` writes people as mentions (send `text_payload(text, mentions)`)."""
    rows, leads = duty_rows(rota, at, zone, person, lines=lines)
    out = ["**On duty now**" if now else f"**On duty {when(at, zone)}**", *(f"- {row}" for row in rows)]
    return "\n\n".join([*out, leads] if leads else out)


def rota_text(rota: Rota, now: datetime, zone: ZoneInfo, *, person: Name = _plain_name) -> str:
    return (
        who_text(rota, now, zone, person=person)
        + "\n\nChanging the rota (swaps, cover, leave) is not in Teams yet: use Slack or the CLI."
    )


def status_text(ticket: Ticket, prefix: str, *, person: Name = _plain_name) -> str:
    assert ticket.id is not None
    return (
        f"**{format_ref(prefix, ticket.id)}** {ticket.title}\n\n{ticket.type.label} · "
        f"{ticket.priority.label if ticket.priority else 'Priority not set'} · {ticket.status.label} · "
        f"with {person(ticket.assignee_id)} ({ticket.line.label})"
    )


def mine_text(tickets: Sequence[Ticket], prefix: str, user_id: str, *, person: Name = _plain_name) -> str:
    if not tickets:
        return "You have no open tickets. `new` opens one."
    lines = [f"**Your open tickets** ({len(tickets)}):"]
    for ticket in tickets:
        lines.append(
            f"- {ticket_words.my_ticket_line(ticket, prefix, user_id, mention=person, bold=bold, title=ticket.title)}"
        )
    return "\n\n".join(lines)
