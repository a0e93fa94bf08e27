"""An inbound activity as a small typed value, and who sent it as a person key (learning their Teams contact)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from services.unit_of_work import Deps
from storage.people import SqlPeopleRepository

_MENTION = re.compile(r"<at>.*?</at>", re.S)


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON object from the activity, or {} for anything else (a malformed field is as good as none)."""
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Inbound:
    type: str
    name: str | None
    text: str
    value: dict[str, Any]
    service_url: str
    conversation_id: str
    personal: bool
    user_id: str  # the `29:` id
    aad_object_id: str | None
    user_name: str | None
    tenant: str | None
    activity_id: str = ""
    recipient_id: str = ""  # the bot's `28:` id
    members_added: tuple[str, ...] = ()  # conversationUpdate: the ids of who joined (the bot among them)

    @classmethod
    def parse(cls, body: dict[str, Any]) -> Inbound:
        sender, conversation = as_dict(body.get("from")), as_dict(body.get("conversation"))
        tenant = conversation.get("tenantId") or as_dict(as_dict(body.get("channelData")).get("tenant")).get("id")
        value = body.get("value")
        return cls(
            type=str(body.get("type") or ""),
            name=body.get("name") if isinstance(body.get("name"), str) else None,
            text=" ".join(_MENTION.sub(" ", str(body.get("text") or "")).split()),
            value=value if isinstance(value, dict) else {},
            service_url=str(body.get("serviceUrl") or ""),
            conversation_id=str(conversation.get("id") or ""),
            personal=conversation.get("conversationType", "personal") == "personal",
            user_id=str(sender.get("id") or ""),
            aad_object_id=str(sender["aadObjectId"]).lower() if sender.get("aadObjectId") else None,
            user_name=sender.get("name") if isinstance(sender.get("name"), str) else None,
            tenant=str(tenant) if tenant else None,
            activity_id=str(body.get("id") or ""),
            recipient_id=str(as_dict(body.get("recipient")).get("id") or ""),
            members_added=tuple(
                str(m["id"]) for m in body.get("membersAdded") or () if isinstance(m, dict) and m.get("id")
            )
            if isinstance(body.get("membersAdded"), list)
            else (),
        )


def author_key(deps: Deps, inbound: Inbound, aad_object_id: str, name: str | None) -> str:
    """The person who wrote a message (the message extension's requester), made on first sight."""
    with deps.sessions.begin() as session:
        return SqlPeopleRepository(session).ensure(
            platform="teams",
            external_id=aad_object_id.lower(),
            tenant=inbound.tenant or "",
            display_name=name,
            now=deps.clock.now(),
        )


def sender_key(deps: Deps, inbound: Inbound) -> str:
    """The person behind the activity (made on first sight), their `29:` id and 1:1 chat remembered."""
    now = deps.clock.now()
    with deps.sessions.begin() as session:
        people = SqlPeopleRepository(session)
        key = people.ensure(
            platform="teams",
            external_id=inbound.aad_object_id or inbound.user_id,
            tenant=inbound.tenant or "",
            display_name=inbound.user_name,
            now=now,
        )
        people.remember_teams_contact(
            key,
            now=now,
            user_id=inbound.user_id or None,
            conversation_id=inbound.conversation_id if inbound.personal else None,
            service_url=inbound.service_url,
            tenant=inbound.tenant,
        )
    return key
