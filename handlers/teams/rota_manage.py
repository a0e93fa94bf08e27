"""The Teams rota dialog "my requests and leave" (leads: everyone's leave and the overrides), each with the button
that takes it back: handlers/slack/rota_cancel_view.py's content as an Adaptive Card."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers.common.rota import WAITING, Cancellable
from handlers.teams.ids import Dialog
from handlers.teams.rota_cards import (
    EMOJI,
    Element,
    Mentions,
    People,
    describe_override,
    describe_request,
    span,
    text_block,
)
from handlers.teams.rota_forms import TITLES, Card, form_card

MAX_ROWS = 30  # per list


def _take_back(label: str, kind: str, ident: int | None) -> list[Element]:
    if ident is None:
        return []
    data = {"dialog": Dialog.ROTA_MANAGE.value, "cancel": kind, "id": ident}
    return [
        {
            "type": "ActionSet",
            "actions": [{"type": "Action.Submit", "title": label, "data": data, "style": "destructive"}],
        }
    ]


def _section(title: str, items: list[list[Element]], empty: str) -> list[Element]:
    shown = items[:MAX_ROWS]
    out: list[Element] = [{**text_block(title, bold=True), "separator": True}]
    for item in shown:
        out += item
    if not shown:
        out.append(text_block(f"_{empty}_"))
    if len(items) > len(shown):
        out.append(text_block(f"...and {len(items) - len(shown)} more"))
    return out


def manage_form(
    *,
    viewer: str,
    mine: Cancellable,
    zone: ZoneInfo,
    people: People,
    notice: str | None = None,
    error: str | None = None,
) -> Card:
    """My pending requests and my leave (a lead sees everyone's leave), and for leads the upcoming overrides."""
    at = Mentions(people)
    request_items = [
        [
            text_block(f"{describe_request(r, zone, to='', at=at)}\n\n_{WAITING.get(r.status, r.status.value)}_"),
            *_take_back("Cancel request", "request", r.id),
        ]
        for r in mine.requests
    ]
    leave_items = [
        [
            text_block(
                f"{'' if v.user_id == viewer else at(v.user_id) + ' '}{EMOJI['palm_tree']} "
                f"{span(v.starts_at, v.ends_at, zone)}"
            ),
            *_take_back("Cancel leave", "leave", v.id),
        ]
        for v in mine.leave
    ]
    body: list[Element] = [text_block(TITLES[Dialog.ROTA_MANAGE], bold=True, size="Medium")]
    if notice:
        body.append(text_block(notice) | {"color": "Good"})
    if error:
        body.append(text_block(error) | {"color": "Attention"})
    body += _section("My pending requests", request_items, "No requests waiting.")
    overrides = mine.overrides
    body += _section("My leave" if overrides is None else "Leave", leave_items, "No leave to come.")
    if overrides is not None:
        override_items = [
            [text_block(describe_override(o, zone, at)), *_take_back("Remove", "override", o.id)] for o in overrides
        ]
        body += _section("Overrides", override_items, "No overrides to come.")
    card = form_card(body)
    if at.entities:
        card["msteams"] = {"entities": list(at.entities)}
    return card
