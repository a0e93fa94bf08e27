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
from handlers.sla_view import sla_line
from rota.roster import Rota
from storage.outbox import Outbox
from storage.rota import RotaCache, SqlRotaRepository
from storage.tickets import SqlTicketRepository
from storage.timers import SqlTimerStore
from triage.model import Ticket
from triage.ports import ConcurrentUpdate
from triage.reminders import SlaContext, refresh_timers

T = TypeVar("T")


@dataclass
class UnitOfWork:
    session: Session
    now: datetime
    tickets: SqlTicketRepository
    timers: SqlTimerStore
    notifier: SlackNotifier
    rota_repo: SqlRotaRepository


@dataclass
class Deps:
    config: AppConfig
    clock: Clock
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]  # look-ups that never wait for a writer
    outbox_ready: Callable[[], None]  # wakes the delivery worker after a commit
    rota_cache: RotaCache | None = None  # the stored rota (bot.app wires it); None: the config's, unstored

    @property
    def rota(self) -> Rota:
        """The rota as stored (overrides, leave, edits), from the process-wide cache."""
        return self.rota_cache.get() if self.rota_cache is not None else self.config.rota

    @property
    def prefix(self) -> str:
        return self.config.ticket_prefix

    @property
    def sla(self) -> SlaContext:
        return self.config.sla

    def sla_line_for(
        self, tickets: SqlTicketRepository, now: datetime, *, live: bool
    ) -> Callable[[Ticket], str | None]:
        """A ticket's clocks in words, from its history as this transaction sees it."""

        rendered: dict[tuple[int, int], str | None] = {}  # one ticket's cards share one replay of its history

        def line(ticket: Ticket) -> str | None:
            assert ticket.id is not None
            key = (ticket.id, ticket.version)
            if key not in rendered:
                clocks = self.sla.clocks(ticket, tickets.events(ticket.id), now)
                rendered[key] = sla_line(
                    clocks, now=now, zone=self.config.timezone, day_seconds=self.sla.calendar.day_seconds, live=live
                )
            return rendered[key]

        return line

    @contextmanager
    def unit_of_work(self, *, now: datetime | None = None) -> Iterator[UnitOfWork]:
        """One transaction; SLA timers follow the change before it commits; messages go once it has."""
        now = now or self.clock.now()
        with self.sessions.begin() as session:
            tickets = SqlTicketRepository(session)
            timers = SqlTimerStore(session)
            notifier = SlackNotifier(
                Outbox(session, now),
                prefix=self.prefix,
                triage_channel=self.config.triage_channel,
                zone=self.config.timezone,
                sla_line=self.sla_line_for(tickets, now, live=False),
            )
            rota_repo = SqlRotaRepository(session)
            yield UnitOfWork(session, now, tickets, timers, notifier, rota_repo)
            refresh_timers(ticket_ids=sorted(tickets.touched), tickets=tickets, timers=timers, sla=self.sla, now=now)
        if rota_repo.changed and self.rota_cache is not None:
            self.rota_cache.invalidate()
        self.outbox_ready()

    @contextmanager
    def lookup_timers(self) -> Iterator[SqlTimerStore]:
        """Read stored SLA timers without taking a write lock."""
        with self.read_sessions.begin() as session:
            yield SqlTimerStore(session)

    @contextmanager
    def lookup(self) -> Iterator[SqlTicketRepository]:
        """Read tickets without taking a write lock: safe before an ack or a views.open."""
        with self.read_sessions.begin() as session:
            yield SqlTicketRepository(session)

    def run(self, service: Callable[..., T], **arguments: Any) -> T:
        """Run one ticket service in one transaction, giving it the repository, rota, notifier and time.

        A write that lost a race (ConcurrentUpdate: rolled back, nothing sent) runs once more on fresh data,
        as if pressed a moment later, so its person hears why, e.g. "<@U1> has already picked this ticket up".
        """
        try:
            return self._run_once(service, arguments)
        except ConcurrentUpdate:
            return self._run_once(service, arguments)

    def _run_once(self, service: Callable[..., T], arguments: dict[str, Any]) -> T:
        with self.unit_of_work() as uow:
            return service(**arguments, tickets=uow.tickets, rota=self.rota, notifier=uow.notifier, now=uow.now)

    def run_with_sla(self, service: Callable[..., T], **arguments: Any) -> T:
        """Like run, for services that need the SLA policy and calendar rather than the notifier."""
        with self.unit_of_work() as uow:
            return service(**arguments, tickets=uow.tickets, rota=self.rota, sla=self.sla, now=uow.now)
