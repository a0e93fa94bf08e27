"""The Bot Connector through the Teams SDK's API client, called synchronously (its coroutines run on LoopThread).

HTTP failures become storage.outbox.SendFailed: retryable for 429, 412, 5xx and lost connections, with
Retry-After honoured; the SDK makes one attempt and raises, the outbox retries.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from microsoft_teams.api.activities.message.message import MessageActivityInput
from microsoft_teams.api.clients.api_client import ApiClient
from microsoft_teams.api.clients.conversation.params import CreateConversationParams
from microsoft_teams.api.models import Account, Attachment
from microsoft_teams.common import ClientOptions

from handlers.teams.loop import LoopThread
from storage.outbox import SendFailed

T = TypeVar("T")
RETRYABLE_STATUS = {408, 412, 429, 500, 502, 503, 504}
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def message_activity(payload: dict[str, Any]) -> MessageActivityInput:
    """An outbox payload ({"text", "card"?, "entities"?}) as the SDK's message activity (mentions as entities)."""
    card = payload.get("card")
    attachments = [Attachment(content_type=ADAPTIVE_CARD, content=card)] if card else None
    entities = payload.get("entities") or None
    return MessageActivityInput(text=str(payload.get("text") or ""), attachments=attachments, entities=entities)


class Connector:
    def __init__(self, *, loop: LoopThread, token: Callable[[], str], app_id: str, timeout: float = 15.0) -> None:
        self.loop = loop
        self.app_id = app_id
        self._client = ApiClient("https://smba.trafficmanager.net/teams", ClientOptions(token=token, timeout=timeout))

    def _call(self, service_url: str, request: Callable[[ApiClient], Awaitable[T]]) -> T:
        async def call() -> T:
            return await request(self._client.from_service_url(service_url))

        try:
            return self.loop.run(call())
        except httpx.HTTPStatusError as error:
            status = error.response.status_code
            retry_after = _retry_after(error.response.headers.get("Retry-After")) if status == 429 else None
            raise SendFailed(f"HTTP {status}", retryable=status in RETRYABLE_STATUS, retry_after=retry_after) from None
        except (httpx.TransportError, OSError, TimeoutError) as error:
            raise SendFailed(f"{type(error).__name__}: {error}", retryable=True) from None

    def send(self, service_url: str, conversation_id: str, payload: dict[str, Any]) -> str:
        """POST …/activities: the new activity's id."""
        sent = self._call(
            service_url, lambda api: api.conversations.create_activity(conversation_id, message_activity(payload))
        )
        return str(sent.id)

    def update(self, service_url: str, conversation_id: str, activity_id: str, payload: dict[str, Any]) -> str:
        """PUT …/activities/{id}: the card edited in place."""
        activity = message_activity(payload)
        self._call(service_url, lambda api: api.conversations.update_activity(conversation_id, activity_id, activity))
        return activity_id

    def member_id(self, service_url: str, team: str, who: str) -> tuple[str, str | None]:
        """A person's `29:` id (and AAD object id) from the team roster, by AAD object id or UPN/email."""
        member = self._call(service_url, lambda api: api.conversations.get_member_by_id(team, who))
        return str(member.id), getattr(member, "aad_object_id", None)

    def create_personal(self, service_url: str, *, user_id: str, tenant: str | None) -> str:
        """POST /v3/conversations: the 1:1 chat with the person (Teams answers the same one every time)."""
        params = CreateConversationParams(
            members=[Account(id=user_id)], tenant_id=tenant, channel_data={"tenant": {"id": tenant}} if tenant else None
        )
        created = self._call(service_url, lambda api: api.conversations.create(params))
        return str(created.id)


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
