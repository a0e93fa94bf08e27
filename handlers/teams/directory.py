"""People for the Teams listeners: a person key as Teams shows it (name, `29:` id) and a person picked in
Teams (an AAD object id from the people picker, an email, or a key) as a person key. Reads only."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from handlers.teams.text import People, TeamsPerson
from storage.models import PersonRow
from storage.people import SqlPeopleRepository

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


Who = Callable[[Session], People]  # TeamsChat.directory: who is who in Teams, as one transaction sees it


class Directory:
    def __init__(self, session: Session, *, tenant: str = "", who: Who | None = None) -> None:
        self.people = SqlPeopleRepository(session)
        self.session = session
        self.tenant = tenant
        self.who = who(session) if who is not None else None
        self._seen: dict[str, TeamsPerson] = {}

    def person(self, key: str) -> TeamsPerson:
        """Their display name (else the key) and the id a mention points at, as the notifiers see them."""
        if key not in self._seen:
            if self.who is not None:
                self._seen[key] = self.who(key)
            else:
                row = self.session.get(PersonRow, key)
                contact = self.people.teams_contact(key)
                name = (row.display_name if row else None) or key
                self._seen[key] = TeamsPerson(name=name, teams_id=contact.user_id if contact else None)
        return self._seen[key]

    def snapshot(self, keys: Iterable[str] = (), *, mentions: bool = True) -> Callable[[str], TeamsPerson]:
        """People as known now, usable once the session is closed (a card built after the transaction).

        `mentions=False`: names only (bold, not `<at>`), for text that is not a card, where mentions do not render.
        """
        for key in keys:
            self.person(key)
        known = dict(self._seen)

        def person(key: str) -> TeamsPerson:
            found = known.get(key) or TeamsPerson(name=key, teams_id=None)
            return found if mentions else TeamsPerson(name=found.name, teams_id=None)

        return person

    def name(self, key: str | None) -> str:
        return self.person(key).name if key else "nobody"

    def names(self, keys: Iterable[str]) -> str:
        return ", ".join(self.name(k) for k in keys)

    def key_for(self, picked: str) -> str:
        """The person behind what a form gave: an AAD object id (the people picker), an email, or a key as is."""
        picked = picked.strip()
        if _GUID.match(picked):
            found = self.people.find("teams", picked.lower(), self.tenant)
            return found or picked.lower()
        if "@" in picked and not picked.startswith("<"):
            return self.people.by_email(picked) or picked.lower()
        return picked
