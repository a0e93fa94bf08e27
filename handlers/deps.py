"""What handlers are given: the config, the clock, and a way to run one user action as one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.config import AppConfig
from handlers.notifier import SlackNotifier
from rota.rotation import Rota
from storage.outbox import Outbox
from storage.tickets import SqlTicketRepository

T = TypeVar("T")


@dataclass
class UnitOfWork:
    session: Session
    now: datetime
    tickets: SqlTicketRepository
    notifier: SlackNotifier


@dataclass
class Deps:
    config: AppConfig
    clock: Clock
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]  # look-ups that never wait for a writer
    outbox_ready: Callable[[], None]  # wakes the delivery worker after a commit

    @property
    def rota(self) -> Rota:
        return self.config.rota

    @property
    def prefix(self) -> str:
        return self.config.ticket_prefix

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        """One transaction; queued messages are delivered only once it has committed."""
        now = self.clock.now()
        with self.sessions.begin() as session:
            outbox = Outbox(session, now)
            notifier = SlackNotifier(outbox, prefix=self.prefix, triage_channel=self.config.triage_channel)
            yield UnitOfWork(session, now, SqlTicketRepository(session), notifier)
        self.outbox_ready()

    @contextmanager
    def lookup(self) -> Iterator[SqlTicketRepository]:
        """Read tickets without taking a write lock: safe before an ack or a views.open."""
        with self.read_sessions.begin() as session:
            yield SqlTicketRepository(session)

    def run(self, service: Callable[..., T], **arguments: Any) -> T:
        """Run one ticket service in one transaction, giving it the repository, rota, notifier and time."""
        with self.unit_of_work() as uow:
            return service(**arguments, tickets=uow.tickets, rota=self.rota, notifier=uow.notifier, now=uow.now)
