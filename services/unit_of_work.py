"""The service layer: one user action (or one step of a job) as one transaction, with the ports the core needs.

Handlers and jobs open a unit of work, call one typed service function with its fields, and leave; the
transaction commits, SLA timers follow the change before it does, and the outbox worker is woken after. The
chat platforms come in through `ChatAdapter`: each gives the notifiers that queue its messages in this
transaction (bot/app.py wires the Slack one today; Teams is another implementation of the same port).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypedDict, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from rota.ports import RotaNotifier, RotaRepository
from rota.roster import Rota
from services.clock import Clock
from services.config import AppConfig
from storage.outbox import Outbox
from storage.reports import SqlReports
from storage.rota import RotaCache, SqlRotaRepository
from storage.tickets import SqlTicketRepository
from storage.timers import SqlTimerStore
from triage.digest import ReportQueries
from triage.model import Ticket
from triage.ports import ConcurrentUpdate, Notifier, TicketRepository, TimerStore
from triage.reminders import SlaContext, refresh_timers
from triage.sla import ClockState

T = TypeVar("T")

TicketClocks = Callable[[Ticket], Sequence[ClockState]]  # a ticket's SLA clocks as this transaction sees them


class ChatAdapter(Protocol):
    """A chat platform's side of a unit of work: notifiers that queue its messages in the outbox, in this transaction."""

    def notifiers(self, outbox: Outbox, *, now: datetime, clocks: TicketClocks) -> tuple[Notifier, RotaNotifier]: ...


class TicketPorts(TypedDict):
    """What every ticket service takes besides its own arguments: `service(..., **uow.ticket_ports())`."""

    tickets: TicketRepository
    rota: Rota
    notifier: Notifier
    now: datetime


class RotaPorts(TypedDict):
    """What rota edits take: `add_override(..., **uow.rota_ports())`; the rota is the stored one, locked."""

    repo: RotaRepository
    rota: Rota
    now: datetime


class NotifyingRotaPorts(RotaPorts):
    """Rota services that tell people (requests, leave, cancellations) take the notifier too."""

    notifier: RotaNotifier


@dataclass
class UnitOfWork:
    """One transaction's ports. `session` is the transaction itself, for storage-level tools (GDPR erasure)."""

    session: Session
    now: datetime
    tickets: TicketRepository
    timers: TimerStore
    rota_repo: RotaRepository
    reports: ReportQueries
    notifier: Notifier
    rota_notifier: RotaNotifier
    rota: Rota  # the stored rota as the process caches it (routing, permissions)
    leads: frozenset[str]

    def ticket_ports(self) -> TicketPorts:
        return TicketPorts(tickets=self.tickets, rota=self.rota, notifier=self.notifier, now=self.now)

    _locked_rota: Rota | None = None

    def rota_for_change(self) -> Rota:
        """The stored rota with its revision locked (loaded once per transaction), not the process's cached copy:
        two decisions taken at once (two processes, two threads) cannot both pass a check made on a stale rota."""
        if self._locked_rota is None:
            self._locked_rota = self.rota_repo.load_for_change(leads=self.leads, now=self.now)
        return self._locked_rota

    def rota_ports(self) -> RotaPorts:
        return RotaPorts(repo=self.rota_repo, rota=self.rota_for_change(), now=self.now)

    def notifying_rota_ports(self) -> NotifyingRotaPorts:
        return NotifyingRotaPorts(**self.rota_ports(), notifier=self.rota_notifier)


@dataclass
class Deps:
    config: AppConfig
    clock: Clock
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]  # look-ups that never wait for a writer
    outbox_ready: Callable[[], None]  # wakes the delivery worker after a commit
    chat: ChatAdapter
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

    def clocks_for(self, tickets: TicketRepository, now: datetime) -> TicketClocks:
        """A ticket's clocks from its history as this transaction sees it; one replay per ticket version."""
        derived: dict[tuple[int, int], Sequence[ClockState]] = {}

        def clocks(ticket: Ticket) -> Sequence[ClockState]:
            assert ticket.id is not None
            key = (ticket.id, ticket.version)
            if key not in derived:
                derived[key] = self.sla.clocks(ticket, tickets.events(ticket.id), now)
            return derived[key]

        return clocks

    @contextmanager
    def unit_of_work(self, *, now: datetime | None = None) -> Iterator[UnitOfWork]:
        """One transaction; SLA timers follow the change before it commits; messages go once it has."""
        now = now or self.clock.now()
        with self.sessions.begin() as session:
            tickets = SqlTicketRepository(session)
            timers = SqlTimerStore(session)
            rota_repo = SqlRotaRepository(session)
            notifier, rota_notifier = self.chat.notifiers(
                Outbox(session, now), now=now, clocks=self.clocks_for(tickets, now)
            )
            yield UnitOfWork(
                session,
                now,
                tickets,
                timers,
                rota_repo,
                SqlReports(session),
                notifier,
                rota_notifier,
                self.rota,
                self.config.rota.leads,
            )
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

    def run(self, action: Callable[[UnitOfWork], T]) -> T:
        """Run one user action (a typed call of one service with the unit of work's ports) in one transaction.

        A write that lost a race (ConcurrentUpdate: rolled back, nothing sent) runs once more on fresh data,
        as if pressed a moment later, so its person hears why, e.g. "@alice has already picked this ticket up".
        """
        try:
            return self._run_once(action)
        except ConcurrentUpdate:
            return self._run_once(action)

    def _run_once(self, action: Callable[[UnitOfWork], T]) -> T:
        with self.unit_of_work() as uow:
            return action(uow)
