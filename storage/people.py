"""People and how each chat platform knows them. Flushes, never commits.

A person's key is the external id of the identity they were first seen with (so every Slack user id stored
before this table existed is already a key); the same human seen later on another platform, with the same
email, gets a second identity on the same person.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from storage.models import ID, Base, PersonIdentityRow, PersonRow, TeamsContactRow
from storage.timers import dialect_insert

_PEOPLE = Base.metadata.tables[PersonRow.__tablename__]
_IDENTITIES = Base.metadata.tables[PersonIdentityRow.__tablename__]


@dataclass(frozen=True)
class TeamsContact:
    """How to reach a person in Teams: their `29:` id and, once made, the 1:1 conversation with the bot."""

    person_id: str
    user_id: str | None
    conversation_id: str | None
    service_url: str | None
    tenant: str | None


@dataclass(frozen=True)
class Identity:
    """A person's id on one platform, and what is needed to reach them there."""

    platform: str
    tenant: str
    external_id: str
    email: str | None


def normalise_email(email: str | None) -> str | None:
    """Emails compare case-insensitively (as Slack and Entra ID treat them); blank means none."""
    cleaned = (email or "").strip().lower()
    return cleaned or None


def qualified_key(platform: str, tenant: str, external_id: str) -> str:
    """A key for an identity whose bare external id is already another person's key (same id, other tenant)."""
    key = f"{platform}:{tenant}:{external_id}"
    if len(key) <= ID:
        return key
    return f"{platform}:{hashlib.sha256(f'{tenant}/{external_id}'.encode()).hexdigest()}"


class SqlPeopleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def ensure(
        self,
        *,
        platform: str,
        external_id: str,
        tenant: str = "",
        email: str | None = None,
        display_name: str | None = None,
        now: datetime,
    ) -> str:
        """The person key for this identity, made if unknown; idempotent, and safe when processes race."""
        if not external_id:
            raise ValueError("an identity needs its platform's id")
        email = normalise_email(email)
        if (known := self._known(platform, external_id, tenant, email, display_name)) is not None:
            return known
        person = self._on_another_platform(email, platform) if email else None
        claimed = None
        if person is None:
            person = external_id
            if self._claim(person, display_name, now):
                claimed = person
            else:  # the key exists: this identity, made meanwhile by another process, or somebody else's
                if (meanwhile := self._known(platform, external_id, tenant, email, display_name)) is not None:
                    return meanwhile
                if self._has_identities(person):  # e.g. the same Slack id in another workspace
                    person = qualified_key(platform, tenant, external_id)
                    claimed = person if self._claim(person, display_name, now) else None
        self.session.connection().execute(
            dialect_insert(self.session, _IDENTITIES)
            .values(person_id=person, platform=platform, tenant=tenant, external_id=external_id, email=email)
            .on_conflict_do_nothing(index_elements=["platform", "tenant", "external_id"])
        )
        key = self.find(platform, external_id, tenant)
        if key is None:  # cannot happen: the identity was inserted or already there
            raise LookupError(f"identity {platform}/{tenant}/{external_id} vanished while it was being stored")
        if claimed is not None and key != claimed:  # another process won the race with a different person
            self.session.execute(delete(PersonRow).where(PersonRow.id == claimed))
        elif claimed is None:  # linked to a person made before: their name as this platform gives it now
            self._rename(key, display_name)
        return key

    def find(self, platform: str, external_id: str, tenant: str = "") -> str | None:
        """The person known by this id on this platform, or None."""
        row = self._identity_row(platform, external_id, tenant)
        return row.person_id if row else None

    def identity(self, person_id: str, platform: str) -> Identity | None:
        """How to reach the person on `platform` (their first identity there), or None if they have none."""
        row = self.session.scalars(
            select(PersonIdentityRow)
            .where(PersonIdentityRow.person_id == person_id, PersonIdentityRow.platform == platform)
            .order_by(PersonIdentityRow.id)
            .limit(1)
        ).first()
        if row is None:
            return None
        return Identity(platform=row.platform, tenant=row.tenant, external_id=row.external_id, email=row.email)

    def by_email(self, email: str) -> str | None:
        """The person with an identity under this email (the earliest such identity's), or None."""
        normalised = normalise_email(email)
        if normalised is None:
            return None
        return self.session.scalars(
            select(PersonIdentityRow.person_id)
            .where(PersonIdentityRow.email == normalised)
            .order_by(PersonIdentityRow.id)
            .limit(1)
        ).first()

    def teams_contact(self, person_id: str) -> TeamsContact | None:
        """Where the person is reached in Teams, as far as known."""
        row = self.session.get(TeamsContactRow, person_id)
        if row is None:
            return None
        return TeamsContact(row.person_id, row.user_id, row.conversation_id, row.service_url, row.tenant)

    def remember_teams_contact(
        self,
        person_id: str,
        *,
        now: datetime,
        user_id: str | None = None,
        conversation_id: str | None = None,
        service_url: str | None = None,
        tenant: str | None = None,
    ) -> None:
        """Learn (from an activity, the roster or a created conversation) what is new; no write otherwise."""
        row = self.session.get(TeamsContactRow, person_id)
        if row is None:
            if self.session.get(PersonRow, person_id) is None:  # a person named only by the config so far
                self._claim(person_id, None, now)
            row = TeamsContactRow(person_id=person_id, updated_at=now)
            self.session.add(row)
        learned = {"user_id": user_id, "conversation_id": conversation_id, "service_url": service_url, "tenant": tenant}
        changed = False
        for name, value in learned.items():
            if value and getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
        if changed:
            row.updated_at = now
        self.session.flush()

    def link(
        self,
        person_id: str,
        *,
        platform: str,
        external_id: str,
        tenant: str = "",
        email: str | None = None,
        display_name: str | None = None,
        now: datetime,
    ) -> str:
        """Attach this identity to `person_id` (made if need be) unless it is already someone's: the key it
        ends up under. For identities learned from a directory (Slack by email, the Teams roster)."""
        if not external_id:
            raise ValueError("an identity needs its platform's id")
        if (known := self._known(platform, external_id, tenant, normalise_email(email), display_name)) is not None:
            return known
        if self.session.get(PersonRow, person_id) is None:
            self._claim(person_id, display_name, now)
        self.session.connection().execute(
            dialect_insert(self.session, _IDENTITIES)
            .values(
                person_id=person_id,
                platform=platform,
                tenant=tenant,
                external_id=external_id,
                email=normalise_email(email),
            )
            .on_conflict_do_nothing(index_elements=["platform", "tenant", "external_id"])
        )
        return self.find(platform, external_id, tenant) or person_id

    def platforms(self, person_id: str) -> frozenset[str]:
        """The platforms the person has an identity on (a Teams contact counts as Teams)."""
        found = set(
            self.session.scalars(
                select(PersonIdentityRow.platform).where(PersonIdentityRow.person_id == person_id).distinct()
            )
        )
        if "teams" not in found and self.session.get(TeamsContactRow, person_id) is not None:
            found.add("teams")
        return frozenset(found)

    def last_platform(self, person_id: str) -> str | None:
        """The platform the person last acted on, if recorded."""
        return self.session.scalar(select(PersonRow.last_platform).where(PersonRow.id == person_id))

    def used(self, person_id: str, platform: str, *, now: datetime) -> None:
        """Record that the person acted on `platform`; no write when it is the one recorded, or when they are no
        stored person (someone never linked is known on one platform only, where they are told anyway)."""
        person = self.session.get(PersonRow, person_id)
        if person is not None and person.last_platform != platform:
            person.last_platform = platform
            person.last_platform_at = now
            self.session.flush()

    # -- helpers ----------------------------------------------------------------------------------------------

    def _identity_row(self, platform: str, external_id: str, tenant: str) -> PersonIdentityRow | None:
        """The exact identity, else one stored before its tenant was known (""), else, asked without a tenant,
        the earliest in any tenant."""
        query = select(PersonIdentityRow).where(
            PersonIdentityRow.platform == platform, PersonIdentityRow.external_id == external_id
        )
        if tenant:
            query = query.where(PersonIdentityRow.tenant.in_((tenant, "")))
        rows = self.session.scalars(query.order_by(PersonIdentityRow.id)).all()
        for row in rows:
            if row.tenant == tenant:
                return row
        return rows[0] if rows else None

    def _known(
        self, platform: str, external_id: str, tenant: str, email: str | None, display_name: str | None
    ) -> str | None:
        """The person key of a stored identity, brought up to date; None if there is none."""
        row = self._identity_row(platform, external_id, tenant)
        if row is None:
            return None
        self._refresh(row, tenant=tenant, email=email, display_name=display_name)
        return row.person_id

    def _refresh(self, row: PersonIdentityRow, *, tenant: str, email: str | None, display_name: str | None) -> None:
        """Learn what was not known before (the tenant) and what changed (email, name); no write otherwise."""
        if tenant and not row.tenant:
            row.tenant = tenant
        if email is not None and row.email != email:
            row.email = email
        self._rename(row.person_id, display_name)
        self.session.flush()

    def _rename(self, person_id: str, display_name: str | None) -> None:
        if display_name is not None:
            person = self.session.get(PersonRow, person_id)
            if person is not None and person.display_name != display_name:
                person.display_name = display_name
                self.session.flush()

    def _on_another_platform(self, email: str | None, platform: str) -> str | None:
        """The person already known on another platform under this email: the same human, so one person."""
        return self.session.scalars(
            select(PersonIdentityRow.person_id)
            .where(PersonIdentityRow.email == email, PersonIdentityRow.platform != platform)
            .order_by(PersonIdentityRow.id)
            .limit(1)
        ).first()

    def _claim(self, key: str, display_name: str | None, now: datetime) -> bool:
        """Insert the person row unless the key exists (made meanwhile, or taken): True if this call made it."""
        inserted: Any = self.session.connection().execute(
            dialect_insert(self.session, _PEOPLE)
            .values(id=key, display_name=display_name, created_at=now)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(_PEOPLE.c.id)  # not rowcount: psycopg reports -1 for ON CONFLICT DO NOTHING
        )
        return inserted.first() is not None

    def _has_identities(self, person_id: str) -> bool:
        return bool(self.session.scalar(select(exists().where(PersonIdentityRow.person_id == person_id))))
