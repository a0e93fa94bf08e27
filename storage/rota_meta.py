"""The rota's rows in the meta table: its revision (what caches compare) and the calendar feed's secret token."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from rota.rotation import SupportLine
from storage.models import Base, MetaRow
from storage.timers import dialect_insert

ROTA_REVISION = "rota_revision"
CALENDAR_TOKEN = "rota_calendar_token"


def insert_meta_if_missing(session: Session, key: str, value: str) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: two processes starting at once must not trip over the key."""
    insert = dialect_insert(session, Base.metadata.tables[MetaRow.__tablename__])
    session.connection().execute(insert.values(key=key, value=value).on_conflict_do_nothing())


def _value(session: Session, key: str) -> str | None:
    return session.scalar(select(MetaRow.value).where(MetaRow.key == key))


def read_revision(session: Session) -> str | None:
    """The rota's revision as committed: what a cache compares to decide whether to reload."""
    return _value(session, ROTA_REVISION)


def locked_revision(session: Session) -> MetaRow:
    """The revision row, locked until commit (PostgreSQL row lock; SQLite writers hold the file lock)."""
    insert_meta_if_missing(session, ROTA_REVISION, "0")
    return session.scalars(select(MetaRow).where(MetaRow.key == ROTA_REVISION).with_for_update()).one()


def calendar_token(session: Session) -> str:
    """The secret in calendar subscription URLs: made once, then kept in the meta table."""
    token = _value(session, CALENDAR_TOKEN)
    if token is None:
        insert_meta_if_missing(session, CALENDAR_TOKEN, secrets.token_urlsafe(24))
        token = session.scalars(select(MetaRow.value).where(MetaRow.key == CALENDAR_TOKEN)).one()
    return token


def calendar_path(line: SupportLine | str, token: str) -> str:
    return f"/rota/{SupportLine(line).value}.ics?token={token}"


def calendar_url(session: Session, public_url: str | None, line: SupportLine | str) -> str | None:
    """The subscription URL of a line's calendar, or None when the config has no `public_url`."""
    if not public_url:
        return None
    # Seeding makes the token at start-up; calendar_token makes it only for a database that predates that.
    return public_url.rstrip("/") + calendar_path(line, calendar_token(session))
