"""Teams' delivery side of the outbox (storage.outbox.Sender): activities posted and edited through the Bot
Connector; a person's 1:1 conversation is created once (from their `29:` id, else the team roster) and stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from handlers.teams.connector import Connector
from handlers.teams.notifier import TO_PERSON
from services.clock import Clock
from services.config import TeamsConfig
from storage.models import OutboxRow
from storage.outbox import DEAD_LETTER_NOTICE, PendingMessage, SendFailed
from storage.people import SqlPeopleRepository


class TeamsSender:
    def __init__(
        self,
        connector: Connector,
        sessions: sessionmaker[Session],
        teams: TeamsConfig,
        clock: Clock,
        *,
        tenant: str | None,
    ) -> None:
        self.connector = connector
        self.sessions = sessions
        self.teams = teams
        self.clock = clock
        self.tenant = tenant

    def post(self, message: PendingMessage) -> tuple[str | None, str | None]:
        service_url, conversation = self._destination(message)
        return conversation, self.connector.send(service_url, conversation, message.payload)

    def update(self, message: PendingMessage, *, channel: str, ts: str) -> tuple[str | None, str | None]:
        service_url = self.teams.service_url
        if message.payload.get("to") == TO_PERSON:
            service_url, _ = self._personal(message.channel)
        return channel, self.connector.update(service_url, channel, ts, message.payload)

    def set_group(self, message: PendingMessage) -> None:
        """Teams has no user groups without Microsoft Graph: nothing to do."""

    def dead_letter_notice(self, row: OutboxRow) -> dict[str, Any]:
        began = " ".join(str(row.payload.get("text") or "").split())[:80]
        text = (
            f"supportbot could not deliver message #{row.id} ({row.operation} to {row.channel}) after "
            f"{row.attempts} attempt(s): {row.last_error}. It began: \u201c{began}\u201d. Once the cause is fixed, "
            f"send it again with `supportbot outbox redrive {row.id}`."
        )
        return {"text": text, "notice": DEAD_LETTER_NOTICE, "to": TO_PERSON}

    def _destination(self, message: PendingMessage) -> tuple[str, str]:
        if message.payload.get("to") == TO_PERSON:
            return self._personal(message.channel)
        return str(message.payload.get("service_url") or self.teams.service_url), message.channel

    def _personal(self, person: str) -> tuple[str, str]:
        """(service URL, conversation id) of the person's 1:1 chat with the bot, created and stored if need be."""
        with self.sessions.begin() as session:
            contact = SqlPeopleRepository(session).teams_contact(person)
        service_url = (contact.service_url if contact else None) or self.teams.service_url
        if contact is not None and contact.conversation_id:
            return service_url, contact.conversation_id
        user_id = contact.user_id if contact else None
        tenant = (contact.tenant if contact else None) or self.tenant
        if not user_id:
            if not self.teams.team:
                raise SendFailed(
                    f"no Teams contact for {person} and no `teams.team` roster to look them up in", retryable=False
                )
            user_id, _ = self.connector.member_id(service_url, self.teams.team, person)
        conversation = self.connector.create_personal(service_url, user_id=user_id, tenant=tenant)
        with self.sessions.begin() as session:
            SqlPeopleRepository(session).remember_teams_contact(
                person,
                now=self.clock.now(),
                user_id=user_id,
                conversation_id=conversation,
                service_url=service_url,
                tenant=tenant,
            )
        return service_url, conversation
