"""What every Teams card must be, checked the same way for each: structure, no Slack markup, mentions with
their entities; and Slack's words translated into what the Teams card should say, to compare facts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from microsoft_teams.cards import AdaptiveCard

from handlers.teams.rota_cards import EMOJI, TeamsMessage, TeamsPerson
from tests.fakes import ALICE, BOB, CAROL, DAN, ERIN, LEAD, RIYA, ZOE

NAMES = {
    ALICE: "Alice Adams",
    BOB: "Bob Brown",
    CAROL: "Carol Chen",
    DAN: "Dan Dare",
    ERIN: "Erin Evans",
    LEAD: "Lee Lead",
    RIYA: "Riya Rao",
}


def people(user_id: str) -> TeamsPerson:
    """The desk's people in Teams; ZOE is known only in Slack (a mixed desk)."""
    if user_id == ZOE:
        return TeamsPerson(name="Zoe Slackonly", teams_id=None)
    return TeamsPerson(name=NAMES.get(user_id, user_id), teams_id=f"29:{user_id.lower()}")


def at(user_id: str) -> str:
    """How a person should read in a card: a mention, or a Slack-only person's name in bold."""
    person = people(user_id)
    return f"<at>{person.name}</at>" if person.teams_id else f"**{person.name}**"


def unbold(text: str) -> str:
    """Slack bolds a heading inline, Teams with the TextBlock's weight: compare the words."""
    return text.replace("**", "")


# -- structure ---------------------------------------------------------------------------------

ELEMENTS = {"TextBlock", "FactSet", "ActionSet", "Input.ChoiceSet"}
WEIGHTS, SIZES, STYLES = (
    {"Bolder", "Lighter", "Default"},
    {"Small", "Default", "Medium", "Large"},
    {"positive", "destructive"},
)
MAX_BYTES = 28_000  # Teams refuses a message over about 28 KB


class Invalid(AssertionError):
    pass


def _require(condition: bool, why: str) -> None:
    if not condition:
        raise Invalid(why)


def elements(card: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from card["body"]


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button: the card's own and those in ActionSets, in order."""
    found = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    return found + list(card.get("actions", []))


def texts(card: dict[str, Any]) -> list[str]:
    """Every text a reader sees: TextBlocks, facts, placeholders and choices, button titles."""
    out: list[str] = []
    for element in card["body"]:
        if element["type"] == "TextBlock":
            out.append(element["text"])
        out += [f"{f['title']}: {f['value']}" for f in element.get("facts", [])]
        out += [c["title"] for c in element.get("choices", [])]
        if "placeholder" in element:
            out.append(element["placeholder"])
    return out + [a["title"] for a in actions(card)]


def body_text(message: TeamsMessage) -> str:
    """The TextBlocks, one a line: what Slack's mrkdwn sections said."""
    return "\n".join(e["text"] for e in message.card["body"] if e["type"] == "TextBlock")


def validate(message: TeamsMessage) -> None:
    """An Adaptive Card 1.5 Teams renders; text free of Slack markup; each mention with its entity."""
    card = message.card
    _require(card.get("type") == "AdaptiveCard" and card.get("version") == "1.5", "not an Adaptive Card 1.5")
    _require(isinstance(card.get("body"), list) and len(card["body"]) > 0, "empty body")
    _require(set(card) <= {"type", "version", "body", "actions", "msteams"}, f"unknown card keys {set(card)}")
    input_ids: list[str] = []
    for element in elements(card):
        kind = element.get("type")
        _require(kind in ELEMENTS, f"unknown element {kind}")
        if kind == "TextBlock":
            _require(isinstance(element.get("text"), str) and element["text"].strip() != "", "empty TextBlock")
            _require(element.get("wrap") is True, "a TextBlock that does not wrap is cut off")
            _require(element.get("weight", "Default") in WEIGHTS, "bad weight")
            _require(element.get("size", "Default") in SIZES, "bad size")
        elif kind == "FactSet":
            _require(len(element["facts"]) > 0, "empty FactSet")
            _require(all(f["title"] and f["value"] for f in element["facts"]), "a fact without title or value")
        elif kind == "ActionSet":
            _require(0 < len(element["actions"]) <= 6, "an ActionSet holds 1-6 actions")
        else:
            _require(bool(element.get("id")), "an input without an id")
            input_ids.append(element["id"])
    _require(len(input_ids) == len(set(input_ids)), "input ids repeat")
    for action in actions(card):
        _require(action.get("type") == "Action.Execute", f"not Action.Execute: {action.get('type')}")
        _require(bool(action.get("title")) and bool(action.get("verb")), "a button without title or verb")
        _require(isinstance(action.get("data"), dict), "a button without data")
        _require(action.get("style", "positive") in STYLES, "bad style")
    _require(len(card.get("actions", [])) <= 6, "Teams shows at most 6 card actions")
    AdaptiveCard.model_validate(card)  # the Teams SDK's model accepts it too
    _require(len(json.dumps({"text": message.text, "card": card}).encode()) < MAX_BYTES, "over 28 KB")
    for text in [message.text, *texts(card)]:
        no_slack_markup(text)
    check_mentions(message)


SLACK_MARKUP = [
    (re.compile(r"(?<!\\)<[@!#]"), "a Slack mention, date or channel"),
    (re.compile(r"<https?://[^>]*\|"), "a Slack link"),
    (re.compile(r":[a-z_]+:"), "a Slack emoji code"),
    (re.compile(r"(?<!\\)`"), "a code span Adaptive Cards do not render"),
    (re.compile(r"/support"), "a Slack slash command"),
]


def no_slack_markup(text: str) -> None:
    for pattern, what in SLACK_MARKUP:
        _require(not pattern.search(text), f"{what} in {text!r}")
    # Adaptive Cards bold is **x**; a single * is Slack's bold (escaped \* is someone's own asterisk).
    _require("*" not in text.replace("**", "").replace("\\*", ""), f"Slack bold in {text!r}")


def check_mentions(message: TeamsMessage) -> None:
    """Each <at>Name</at> has its entity, in the card and for the activity; no entity is unused or doubled."""
    card_entities = message.card.get("msteams", {}).get("entities", [])
    _require(list(message.entities) == card_entities, "the card and the activity carry different entities")
    everything = json.dumps([message.text, texts(message.card)], ensure_ascii=False)
    used = set(re.findall(r"<at>[^<]*</at>", everything))
    declared = [e["text"] for e in card_entities]
    _require(len(declared) == len(set(declared)), "an entity twice")
    _require(used == set(declared), f"mentions {used} but entities {set(declared)}")
    for entity in card_entities:
        _require(entity["type"] == "mention", "not a mention entity")
        _require(entity["text"] == f"<at>{entity['mentioned']['name']}</at>", "entity text and name differ")
        _require(entity["mentioned"]["id"].startswith("29:"), "a mention without a Teams id")


# -- Slack's words, as Teams should say them ------------------------------------------------------


def from_slack(text: str) -> str:
    """Slack mrkdwn translated the way the Teams cards are meant to: the same words, Teams' markup."""
    text = re.sub(r"<!date\^\d+\^[^|]*\|([^>]*)>", r"\1", text)
    text = re.sub(r"<@(\w+)>", lambda m: at(m.group(1)), text)
    text = re.sub(r":([a-z_]+):", lambda m: EMOJI[m.group(1)], text)
    text = re.sub(r"`(?:/support )?([^`]*)`", r"**\1**", text)  # Teams commands are plain words to the bot
    return re.sub(r"(?<!\*)\*([^*\n]+)\*(?!\*)", r"**\1**", text)


def slack_body(slack: dict[str, Any]) -> str:
    """Slack's section and context texts, one a line, translated."""
    parts: list[str] = []
    for block in slack["blocks"]:
        if block["type"] == "section" and "text" in block:
            parts.append(block["text"]["text"])
        elif block["type"] == "context":
            parts += [e["text"] for e in block["elements"]]
    return from_slack("\n".join(parts))


def slack_buttons(slack: dict[str, Any]) -> list[tuple[str, str]]:
    """(action id, title) of every Slack button, in order."""
    return [
        (e["action_id"], e["text"]["text"])
        for b in slack["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "button"
    ]
