"""One desk on Slack and Teams at once: a ChatAdapter whose notifiers tell each person on one platform.

Rule: a person is told on the platform where they are known; where both, on the one they last acted on (until
they have acted anywhere, on their key's own platform: a Slack id's Slack, anybody else's Teams). Channel posts
go to each platform's configured channels. Each platform's notifier renders as it always does; what it queues
goes through a `RoutedOutbox` that keeps only the person-addressed messages routed to its platform (and
addresses them the way that platform knows the person). A desk on one platform is that platform's adapter,
untouched.

People are linked across platforms by email at start-up (`link_people`): Slack's users.lookupByEmail and the
Teams roster (members by UPN) name the same human; the person's key is their Slack id when Slack knows them,
so every Slack handler, which speaks Slack ids, needs nothing new.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from rota.handover import HandoverDue, ShiftReminder
from rota.ports import RotaNotifier, RotaRequest
from rota.roster import Duty, Leave, Override, Rota
from rota.rotation import SupportLine
from services.config import AppConfig, is_slack_user_id
from services.unit_of_work import ChatAdapter, TicketClocks
from storage.outbox import Outbox
from storage.people import SqlPeopleRepository, normalise_email
from triage.digest import Digest
from triage.model import Ticket, TicketEvent
from triage.ports import Notifier
from triage.reminders import SlaNotice

log = logging.getLogger(__name__)
T = TypeVar("T")

SLACK = "slack"
TEAMS = "teams"
TRIAGE_AUDIENCE = "triage"  # both platforms' card audiences: "triage", "requester:<person>", "<person>"
REQUESTER_PREFIX = "requester:"
_SLACK_CONVERSATION = re.compile(r"^[CGD][A-Z0-9]{2,}$")  # a channel, private channel or DM; a person otherwise
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def native_platform(person: str) -> str:
    """The platform a person key comes from: Slack ids are Slack's; AAD ids, emails and `29:` ids Teams'."""
    return SLACK if is_slack_user_id(person) else TEAMS


class PersonRouter:
    """Which platform each person is told on, for one unit of work (answers cached: one look-up per person)."""

    def __init__(self, people: SqlPeopleRepository, *, platforms: Sequence[str]) -> None:
        self.people = people
        self.enabled = frozenset(platforms)
        self._routes: dict[str, str] = {}

    def known_on(self, person: str) -> frozenset[str]:
        """Where the person can be reached: their identities, plus their key's own platform."""
        return (self.people.platforms(person) | {native_platform(person)}) & self.enabled

    def route(self, person: str) -> str:
        if (known := self._routes.get(person)) is not None:
            return known
        where = self.known_on(person)
        if len(where) == 1:
            chosen = next(iter(where))
        else:
            last = self.people.last_platform(person)
            chosen = last if last in where else native_platform(person)
        self._routes[person] = chosen
        return chosen

    def slack_address(self, person: str) -> str:
        """The Slack user id to DM: the key itself for Slack people, else their linked Slack identity."""
        if is_slack_user_id(person):
            return person
        identity = self.people.identity(person, SLACK)
        return identity.external_id if identity is not None else person


class RoutedOutbox(Outbox):
    """The unit of work's outbox as one platform's notifier sees it: person-addressed messages routed elsewhere
    are dropped (with the card rows they would have made), the rest queued as the platform wrote them."""

    def __init__(self, outbox: Outbox, *, platform: str, router: PersonRouter) -> None:
        super().__init__(outbox.session, outbox.now)
        self.platform = platform
        self.router = router

    def _person(self, channel: str, payload: Mapping[str, Any]) -> bool:
        if self.platform == TEAMS:
            return payload.get("to") == "person"
        return not _SLACK_CONVERSATION.match(channel)

    def _address(self, person: str) -> str:
        return self.router.slack_address(person) if self.platform == SLACK else person

    def post(
        self, channel: str, payload: dict[str, Any], *, card_key: str | None = None, platform: str = SLACK
    ) -> None:
        if self._person(channel, payload):
            if self.router.route(channel) != self.platform:
                return
            channel = self._address(channel)
        super().post(channel, payload, card_key=card_key, platform=platform)

    def register_card(self, *, key: str, ticket_id: int, audience: str, platform: str = SLACK) -> None:
        if audience != TRIAGE_AUDIENCE and self.router.route(audience.removeprefix(REQUESTER_PREFIX)) != self.platform:
            return  # no card on this platform: later edits find none to update
        super().register_card(key=key, ticket_id=ticket_id, audience=audience, platform=platform)

    def update(self, card_key: str, channel: str, payload: dict[str, Any], *, platform: str = SLACK) -> None:
        """A card is edited where it lives, whichever platform the person uses now."""
        if self._person(channel, payload):
            channel = self._address(channel)
        super().update(card_key, channel, payload, platform=platform)

    def set_usergroup(self, usergroup: str, users: Sequence[str], *, note: str) -> None:
        """Slack's duty group holds Slack users: people known only in Teams are left out."""
        members = [self.router.slack_address(u) for u in users if SLACK in self.router.known_on(u)]
        super().set_usergroup(usergroup, [m for m in members if is_slack_user_id(m)], note=note)


class FanOutNotifier:
    """triage.ports.Notifier for several platforms: every message kind forwarded to each platform's notifier."""

    def __init__(self, notifiers: Sequence[Notifier]) -> None:
        self.notifiers = tuple(notifiers)

    def ticket_opened(self, ticket: Ticket) -> None:
        for notifier in self.notifiers:
            notifier.ticket_opened(ticket)

    def ticket_assigned(self, ticket: Ticket) -> None:
        for notifier in self.notifiers:
            notifier.ticket_assigned(ticket)

    def ticket_changed(self, ticket: Ticket) -> None:
        for notifier in self.notifiers:
            notifier.ticket_changed(ticket)

    def tell_participants(self, ticket: Ticket, event: TicketEvent) -> None:
        for notifier in self.notifiers:
            notifier.tell_participants(ticket, event)

    def alert(self, ticket: Ticket, user_ids: Sequence[str], *, reason: str) -> None:
        for notifier in self.notifiers:
            notifier.alert(ticket, user_ids, reason=reason)

    def sla_alert(self, ticket: Ticket, notice: SlaNotice, user_ids: Sequence[str], *, in_triage: bool) -> None:
        for notifier in self.notifiers:
            notifier.sla_alert(ticket, notice, user_ids, in_triage=in_triage)

    def digest(self, digest: Digest) -> None:
        for notifier in self.notifiers:
            notifier.digest(digest)

    def handed_over(
        self, handover: HandoverDue, tickets: Sequence[Ticket], moved: frozenset[int], *, lead_ids: Sequence[str]
    ) -> None:
        for notifier in self.notifiers:
            notifier.handed_over(handover, tickets, moved, lead_ids=lead_ids)


class FanOutRotaNotifier:
    """rota.ports.RotaNotifier for several platforms, forwarded the same way."""

    def __init__(self, notifiers: Sequence[RotaNotifier]) -> None:
        self.notifiers = tuple(notifiers)

    def request_made(self, request: RotaRequest) -> None:
        for notifier in self.notifiers:
            notifier.request_made(request)

    def approval_needed(self, request: RotaRequest, lead_ids: Sequence[str]) -> None:
        for notifier in self.notifiers:
            notifier.approval_needed(request, lead_ids)

    def request_decided(self, request: RotaRequest) -> None:
        for notifier in self.notifiers:
            notifier.request_decided(request)

    def leave_conflicts(self, leave: Leave, conflicts: Sequence[Duty], lead_ids: Sequence[str]) -> None:
        for notifier in self.notifiers:
            notifier.leave_conflicts(leave, conflicts, lead_ids)

    def leave_cancelled(self, leave: Leave, *, by: str, back_on: Sequence[Duty]) -> None:
        for notifier in self.notifiers:
            notifier.leave_cancelled(leave, by=by, back_on=back_on)

    def override_removed(self, override: Override, *, by: str, instead: Sequence[Duty]) -> None:
        for notifier in self.notifiers:
            notifier.override_removed(override, by=by, instead=instead)

    def change_confirmed(self, person_id: str, message: str) -> None:
        for notifier in self.notifiers:
            notifier.change_confirmed(person_id, message)

    def shift_reminder(self, reminder: ShiftReminder) -> None:
        for notifier in self.notifiers:
            notifier.shift_reminder(reminder)

    def duty_posted(self, word: str, on_duty: Mapping[SupportLine, str | None], at: datetime) -> None:
        for notifier in self.notifiers:
            notifier.duty_posted(word, on_duty, at)

    def duty_group_changed(self, line: SupportLine, person_ids: Sequence[str]) -> None:
        for notifier in self.notifiers:
            notifier.duty_group_changed(line, person_ids)


class FanOutChat:
    """The desk's ChatAdapter: one platform's as it is, or several routed per person (see the module's rule)."""

    def __init__(self, adapters: Mapping[str, ChatAdapter]) -> None:
        self.adapters = dict(adapters)

    def notifiers(self, outbox: Outbox, *, now: datetime, clocks: TicketClocks) -> tuple[Notifier, RotaNotifier]:
        if len(self.adapters) == 1:
            (adapter,) = self.adapters.values()
            return adapter.notifiers(outbox, now=now, clocks=clocks)
        router = PersonRouter(SqlPeopleRepository(outbox.session), platforms=tuple(self.adapters))
        pairs = [
            adapter.notifiers(RoutedOutbox(outbox, platform=platform, router=router), now=now, clocks=clocks)
            for platform, adapter in self.adapters.items()
        ]
        return FanOutNotifier([n for n, _ in pairs]), FanOutRotaNotifier([r for _, r in pairs])


# -- linking people across platforms (start-up) and the last-used platform (each verified request) -------------


class SlackDirectory(Protocol):
    def user_by_email(self, email: str) -> str | None:
        """The Slack user id with this email, None if nobody; LookupError when Slack cannot answer."""
        ...


class TeamsRoster(Protocol):
    def member(self, who: str) -> tuple[str, str | None] | None:
        """(`29:` id, AAD object id) of a member of the configured team, by AAD object id or UPN/email;
        LookupError when the roster cannot answer (not a member, or Teams failing)."""
        ...


@dataclass(frozen=True)
class Linked:
    """Who each email named in the config turned out to be: config name -> person key."""

    keys: Mapping[str, str]

    def key(self, name: str) -> str:
        return self.keys.get(name, name)


def link_people(
    *,
    sessions: sessionmaker[Session],
    names: Sequence[str],
    slack: SlackDirectory | None,
    teams: TeamsRoster | None,
    tenant: str,
    service_url: str | None,
    now: datetime,
) -> Linked:
    """Link each person the config names by email to their Slack user and their Teams roster entry.

    Their key becomes their Slack id when Slack knows the email (else it stays the email). A directory that
    cannot answer leaves that person on the other platform, with a warning: start-up does not fail for it.
    """
    keys: dict[str, str] = {}
    for name in dict.fromkeys(names):
        email = normalise_email(name) if _EMAIL.match(name) else None
        if email is None:
            continue
        slack_id = _ask(slack.user_by_email, "Slack users.lookupByEmail", email) if slack else None
        member = _ask(teams.member, "the Teams roster", email) if teams else None
        key = slack_id or email
        with sessions.begin() as session:
            people = SqlPeopleRepository(session)
            if slack_id:
                key = people.link(key, platform=SLACK, external_id=slack_id, email=email, now=now)
            if member is not None:
                user_id, aad = member
                linked = people.link(
                    key, platform=TEAMS, external_id=aad or user_id, tenant=tenant, email=email, now=now
                )
                if linked != key:
                    log.warning("%s is already another person (%s) in Teams; not linked to %s", email, linked, key)
                else:
                    people.remember_teams_contact(key, now=now, user_id=user_id, service_url=service_url, tenant=tenant)
        keys[name] = key
    return Linked(keys)


def _ask(question: Callable[[str], T], where: str, email: str) -> T | None:
    try:
        return question(email)
    except (LookupError, OSError) as error:  # a directory that is down must not stop the desk starting
        log.warning("could not look %s up in %s: %s", email, where, error)
        return None


def config_with_keys(config: AppConfig, linked: Linked) -> AppConfig:
    """The config with every person it names by email replaced by their person key (their Slack id if any)."""
    if not any(linked.key(name) != name for name in linked.keys):
        return config
    rota = config.rota
    rotations = {
        line: replace(rotation, members=tuple(linked.key(m) for m in rotation.members))
        for line, rotation in rota.rotations.items()
    }
    leads = frozenset(linked.key(lead) for lead in rota.leads)
    return replace(config, rota=Rota(rotations=rotations, leads=leads, overrides=rota.overrides, leave=rota.leave))


def record_last_used(
    sessions: sessionmaker[Session], *, platform: str, external_id: str, tenant: str = "", now: datetime
) -> None:
    """Note that whoever has this identity acted on `platform` (a Slack id with no identity is its own key)."""
    with sessions.begin() as session:
        people = SqlPeopleRepository(session)
        key = people.find(platform, external_id, tenant) or (external_id if platform == SLACK else None)
        if key is not None:
            people.used(key, platform, now=now)
