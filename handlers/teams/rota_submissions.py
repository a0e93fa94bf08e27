"""The checks of the Teams rota dialogs' submissions: each parses the form (handlers/common/rota.py), checks it on
the cached rota (a refusal is shown in the dialog) and returns the change to make, in one transaction, with the
confirmation the person reads. The same services and refusals as handlers/slack/rota_modals.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.errors import InvalidInput
from handlers.common.ids import RotaField
from handlers.common.rota import (
    CoverShift,
    OverrideWanted,
    leave_recorded,
    member_changes,
    members_changed,
    parse_day,
    parse_line,
    parse_moment,
    parse_my_shift,
    parse_swap,
)
from handlers.teams.directory import Directory
from handlers.teams.rota_cards import EMOJI, Mentions, describe_request, span
from rota.ports import RotaRequest
from rota.services import (
    add_leave,
    add_override,
    check_cover,
    check_leave,
    check_override,
    check_swap,
    request_cover,
    request_swap,
    set_members,
)
from services.unit_of_work import Deps, UnitOfWork

Change = Callable[[UnitOfWork], str]  # makes the change in the unit of work; returns the confirmation
STALE = "That choice is out of date; close the form and type `rota` again."


@dataclass
class Form:
    """A submission: the person's key, the inputs by id, and names for people."""

    user: str
    values: dict[str, Any]
    directory: Directory


class RotaSubmissions:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _ask(self, make: Callable[[UnitOfWork], RotaRequest], what: str, form: Form, target: str) -> Change:
        zone = self.deps.config.timezone
        at = Mentions(form.directory.snapshot([form.user, target], mentions=False))

        def send(uow: UnitOfWork) -> str:
            request = make(uow)
            described = describe_request(request, zone, to="", at=at)
            return (
                f"I have asked {at(request.target_id)} to {what}; you will hear here when they answer.\n\n> {described}"
            )

        return send

    def swap(self, form: Form) -> Change:
        deps = self.deps
        shifts = parse_swap(form.user, form.values, stale=STALE)
        check_swap(**shifts, rota=deps.rota, now=deps.clock.now())
        target = shifts["target_id"]
        return self._ask(lambda uow: request_swap(**shifts, **uow.notifying_rota_ports()), "swap", form, target)

    def cover(self, form: Form) -> Change:
        deps, values = self.deps, form.values
        line, starts, ends = parse_my_shift(values.get(RotaField.SHIFT), stale=STALE)
        picked = str(values.get(RotaField.TARGET) or "")
        if not picked:
            raise InvalidInput(RotaField.TARGET, "Pick who you are asking.")
        target = form.directory.key_for(picked)
        shift = CoverShift(requester_id=form.user, target_id=target, line=line, starts_at=starts, ends_at=ends)
        check_cover(**shift, rota=deps.rota, now=deps.clock.now())
        return self._ask(lambda uow: request_cover(**shift, **uow.notifying_rota_ports()), "cover", form, target)

    def leave(self, form: Form) -> Change:
        deps, user = self.deps, form.user
        first = parse_day(form.values.get(RotaField.FIRST_DAY), RotaField.FIRST_DAY)
        last = parse_day(form.values.get(RotaField.LAST_DAY), RotaField.LAST_DAY)
        picked = str(form.values.get(RotaField.WHO) or "")
        who = form.directory.key_for(picked) if picked else user
        check_leave(user_id=who, actor_id=user, first=first, last=last, rota=deps.rota, now=deps.clock.now())
        whose = "Your" if who == user else f"{form.directory.name(who)}'s"

        def send(uow: UnitOfWork) -> str:
            recorded = add_leave(user_id=who, actor_id=user, first=first, last=last, **uow.notifying_rota_ports())
            return leave_recorded(whose, first, last, recorded, emoji=lambda name: EMOJI[name])

        return send

    def members(self, form: Form) -> Change:
        deps, user, rota = self.deps, form.user, self.deps.rota
        known = {form.directory.name(k).lower(): k for k in [*rota.members, *rota.leads]}

        def members_of(typed: Any) -> list[str]:
            words = (word.strip() for word in str(typed or "").replace("\n", ",").split(","))
            return [known.get(word.lower()) or form.directory.key_for(word) for word in words if word]

        changes = member_changes(
            form.values,
            members_of=members_of,
            render=lambda invalid: invalid.render(form.directory.name),
            actor_id=user,
            rota=rota,
            now=deps.clock.now(),
        )
        zone = deps.config.timezone
        person = form.directory.snapshot([k for keys in changes.values() for k in keys])

        def send(uow: UnitOfWork) -> str:
            done = [
                set_members(line=line, members=chosen, actor_id=user, **uow.rota_ports())
                for line, chosen in changes.items()
            ]
            return "\n\n".join(members_changed(r, lambda m: person(m).name, zone) for r in done)

        return send

    def override(self, form: Form) -> Change:
        deps, values, zone = self.deps, form.values, self.deps.config.timezone
        line = parse_line(values)
        picked = str(values.get(RotaField.USER) or "")
        if not picked:
            raise InvalidInput(RotaField.USER, "Pick who is on duty.")
        who = form.directory.key_for(picked)
        wanted = OverrideWanted(
            line=line,
            user_id=who,
            starts_at=parse_moment(
                values.get(RotaField.STARTS), values.get(RotaField.STARTS_TIME), RotaField.STARTS, zone
            ),
            ends_at=parse_moment(values.get(RotaField.ENDS), values.get(RotaField.ENDS_TIME), RotaField.ENDS, zone),
            actor_id=form.user,
        )
        check_override(**wanted, rota=deps.rota, now=deps.clock.now())
        name = form.directory.name(who)

        def send(uow: UnitOfWork) -> str:
            pieces = add_override(**wanted, **uow.rota_ports())
            return f"{name} is on {line.label} duty {span(pieces[0].starts_at, pieces[-1].ends_at, zone)}."

        return send
