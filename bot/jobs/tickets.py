"""Scheduled work: the sweep, the digests, and recomputing clocks after a policy edit.

Each job takes `now`, opens its own unit of work, and is idempotent: reminders and scheduled digests
claim a unique key in the transaction that queues them, so running a job twice (or in two processes)
sends nothing twice, and a job that missed its time (downtime) catches up from the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from bot.jobs.rota import RotaJobs
from services.unit_of_work import Deps
from storage.inbound import forget_events_before, has_events_before
from triage.digest import DigestKind, build_digest
from triage.reminders import SweepResult, refresh_timers, sweep

log = logging.getLogger(__name__)

SWEEP_BATCH = 500  # tickets per transaction, so a long catch-up never holds the write lock for long
EVENT_MEMORY = timedelta(days=1)  # Slack retries an event for minutes; its id is kept this long to spot one


@dataclass
class Jobs:
    deps: Deps

    @cached_property
    def rota(self) -> RotaJobs:
        """Handovers, shift reminders and user groups (bot/jobs/rota.py); one per process."""
        return RotaJobs(self.deps)

    def recompute_if_policy_changed(self, now: datetime) -> int:
        """A changed SLA policy or calendar re-derives every open ticket's timers; returns how many.

        In batches, each its own transaction, so `serve` keeps answering Slack while a large desk is
        recomputed; the new fingerprint is stored last, so an interrupted run starts again next time.
        """
        fingerprint = self.deps.config.sla_settings.fingerprint
        with self.deps.lookup_timers() as timers:
            if timers.stored_fingerprint() == fingerprint:
                return 0
            ticket_ids = timers.open_ticket_ids()
        for start in range(0, len(ticket_ids), SWEEP_BATCH):
            with self.deps.unit_of_work(now=now) as uow:
                batch = ticket_ids[start : start + SWEEP_BATCH]
                refresh_timers(ticket_ids=batch, tickets=uow.tickets, timers=uow.timers, sla=self.deps.sla, now=now)
        with self.deps.unit_of_work(now=now) as uow:
            uow.timers.set_fingerprint(fingerprint)
        log.info("SLA policy or calendar changed: recomputed the clocks of %d open tickets", len(ticket_ids))
        return len(ticket_ids)

    def sweep(self, now: datetime) -> SweepResult:
        """Reminders, breaches and stale nudges due by `now`, in batches; each ticket once per pass."""
        total = SweepResult()
        while True:
            with self.deps.unit_of_work(now=now) as uow:
                result = sweep(
                    tickets=uow.tickets,
                    timers=uow.timers,
                    rota=self.deps.rota,
                    notifier=uow.notifier,
                    sla=self.deps.sla,
                    now=now,
                    limit=SWEEP_BATCH,
                )
            total.tickets += result.tickets
            total.superseded += result.superseded
            for kind, count in result.sent.items():
                total.sent[kind] += count
            if result.tickets < SWEEP_BATCH:
                return total

    def post_digest(self, kind: DigestKind, now: datetime, *, key: str | None = None) -> bool:
        """Build the digest from SQL aggregates and queue it for the leads; with a key, at most once."""
        config = self.deps.config
        with self.deps.unit_of_work(now=now) as uow:
            if key is not None and not uow.timers.claim(key, ticket_id=None, kind=f"digest_{kind.value}", now=now):
                return False
            digest = build_digest(
                reports=uow.reports,
                kind=kind,
                now=now,
                calendar=self.deps.sla.calendar,
                digest_time=config.digest.time,
            )
            uow.notifier.digest(digest)
        return True

    def scheduled_digests(self, now: datetime) -> list[DigestKind]:
        """Post today's daily digest (working days, after the configured time) and the week's weekly one."""
        config = self.deps.config
        local = now.astimezone(config.timezone)
        today = local.date()
        if not self._is_working_day(today) or local.time() < config.digest.time:
            return []
        posted = []
        if self.post_digest(DigestKind.DAILY, now, key=f"digest:daily:{today.isoformat()}"):
            posted.append(DigestKind.DAILY)
        if today.weekday() >= config.digest.weekly_on:  # the weekly day, or the first working day after it
            year, week, _ = today.isocalendar()
            if self.post_digest(DigestKind.WEEKLY, now, key=f"digest:weekly:{year}-W{week:02d}"):
                posted.append(DigestKind.WEEKLY)
        return posted

    def forget_old_events(self, now: datetime) -> int:
        """Inbound event ids older than EVENT_MEMORY go, in their own short transaction; returns how many.

        A read first, so a minute with nothing to forget takes no write lock.
        """
        before = now - EVENT_MEMORY
        with self.deps.read_sessions.begin() as session:
            if not has_events_before(session, before):
                return 0
        with self.deps.sessions.begin() as session:
            return forget_events_before(session, before)

    def _is_working_day(self, day: date) -> bool:
        zone = self.deps.config.timezone
        midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
        opening = self.deps.sla.calendar.next_working_instant(midnight)
        return opening < midnight + timedelta(days=1) and opening.astimezone(zone).date() == day

    def every_minute(self, now: datetime) -> None:
        """What `serve` runs each minute: never raises, so one bad pass does not stop the scheduler."""
        try:
            self.recompute_if_policy_changed(now)
            result = self.sweep(now)
            if any(result.sent.values()):
                log.info("sweep: %s", result.summary())
            self.scheduled_digests(now)
            self.rota.run(now)
            self.forget_old_events(now)
        except Exception:
            log.exception("scheduled sweep failed; the next one will catch up")
