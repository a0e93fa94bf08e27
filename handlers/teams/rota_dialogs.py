"""The rota window in Teams: the `rota` card's dialogs (task/fetch -> form, task/submit -> change) and the
Accept / Decline / Approve / Reject buttons on request cards. The same rota services, checks and refusals as
handlers/slack/rota_actions.py and rota_modals.py: a form is refused before it opens to someone who could not
submit it; a submission is checked on the cached rota and its errors shown in the dialog; the change runs in one
transaction whose confirmation (change_confirmed) is queued in the outbox with it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from core.errors import DomainError, InvalidInput, NotAllowed
from handlers.teams import rota_forms
from handlers.teams.directory import Directory, Who
from handlers.teams.ids import Dialog, RotaInput, RotaVerb
from handlers.teams.rota_cards import Mentions, TeamsPerson, describe_request, outcome_card, span, when
from handlers.teams.ticket_actions import InvokeResponse, card_answer, message_answer
from rota.cancellations import (
    cancel_leave,
    cancel_override,
    cancel_request,
    cancellable_requests,
    upcoming_leave,
    upcoming_overrides,
)
from rota.ports import RotaRequest
from rota.rotation import RotaError, SupportLine, check_year
from rota.services import (
    add_leave,
    add_override,
    check_cover,
    check_lead,
    check_leave,
    check_members,
    check_override,
    check_swap,
    decide_approval,
    line_members,
    request_cover,
    request_swap,
    respond_to_request,
    set_members,
    upcoming_shifts,
)
from services.unit_of_work import Deps, UnitOfWork
from storage.rota import SqlRotaRepository

Change = Callable[[UnitOfWork], str]  # makes the change in the unit of work; returns the confirmation


@dataclass
class Form:
    """A submission: the person's key, the inputs by id, and names for people."""

    user: str
    values: dict[str, Any]
    directory: Directory


def message_dialog(text: str) -> InvokeResponse:
    """Closes the dialog and shows `text` to the person who submitted it."""
    return {"task": {"type": "message", "value": text}}


def _instant(text: Any, field: RotaInput) -> datetime:
    try:
        return datetime.fromisoformat(str(text)).astimezone(UTC)
    except ValueError:
        raise InvalidInput(field, "That choice is out of date; close the form and type `rota` again.") from None


def parse_my_shift(value: Any) -> tuple[SupportLine, datetime, datetime]:
    parts = str(value or "").split("|")
    if len(parts) != 3 or parts[0] not in set(SupportLine):
        raise InvalidInput(RotaInput.SHIFT, "Pick one of your shifts.")
    return SupportLine(parts[0]), _instant(parts[1], RotaInput.SHIFT), _instant(parts[2], RotaInput.SHIFT)


def parse_their_shift(value: Any) -> tuple[SupportLine, str, datetime]:
    parts = str(value or "").split("|")
    if len(parts) != 3 or parts[0] not in set(SupportLine) or not parts[1]:
        raise InvalidInput(RotaInput.THEIR_SHIFT, "Pick the shift you would take in exchange.")
    return SupportLine(parts[0]), parts[1], _instant(parts[2], RotaInput.THEIR_SHIFT)


def parse_day(value: Any, field: RotaInput) -> date:
    try:
        day = date.fromisoformat(str(value))
        check_year(day, day.isoformat())
        return day
    except RotaError as error:
        raise InvalidInput(field, str(error)) from None
    except ValueError:
        raise InvalidInput(field, "Pick a date.") from None


def parse_moment(day: Any, clock: Any, field: RotaInput, deps: Deps) -> datetime:
    """A date and a time from the dialog, in the desk's zone."""
    try:
        when = time.fromisoformat(str(clock))
    except ValueError:
        raise InvalidInput(field, "Pick a time.") from None
    local = datetime.combine(parse_day(day, field), when, tzinfo=deps.config.timezone)
    return local.astimezone(UTC)


class RotaDialogs:
    def __init__(self, deps: Deps, *, who: Who | None = None) -> None:
        self.deps = deps
        self.who = who

    # -- names ---------------------------------------------------------------------------------------------

    def _directory(self, session: Any) -> Directory:
        return Directory(session, who=self.who)

    def words(self, error: DomainError) -> str:
        with self.deps.lookup() as tickets:
            return error.render(self._directory(tickets.session).name)

    def people(self, *more: str) -> Callable[[str], TeamsPerson]:
        """Names and `29:` ids of the rota's people (and `more`) for a card: one read, before it is built."""
        with self.deps.lookup() as tickets:
            rota = self.deps.rota
            return self._directory(tickets.session).snapshot([*rota.members, *sorted(rota.leads), *more])

    # -- the overview and opening a dialog -----------------------------------------------------------------

    def overview(self, user: str) -> dict[str, Any]:
        """The answer to `rota`: the 8-week card with the viewer's buttons (a message payload)."""
        deps = self.deps
        card = rota_forms.rota_overview(
            deps.rota, viewer=user, now=deps.clock.now(), zone=deps.config.timezone, people=self.people()
        )
        return {"text": card.text, "card": card.card}

    def fetch(self, kind: Dialog, user: str) -> InvokeResponse:
        """The form, or a refusal (closing the dialog) for someone who could not submit it."""
        try:
            return rota_forms.dialog(kind, self._form(kind, user))
        except DomainError as refused:
            return message_dialog(self.words(refused))

    def _form(self, kind: Dialog, user: str, errors: dict[str, str] | None = None, values: Any = None) -> Any:
        deps = self.deps
        rota, now, zone = deps.rota, deps.clock.now(), deps.config.timezone
        with deps.lookup() as tickets:
            directory = self._directory(tickets.session)
            name = directory.name
            if kind is Dialog.ROTA_SWAP:
                lines = [line for line in rota.rotations if user in line_members(rota, line, now)]
                mine = [d for line in lines for d in upcoming_shifts(rota, user, line, now)]
                if not mine:
                    raise NotAllowed(f"You have no shifts in the next {rota_forms.WEEKS} weeks to swap.")
                theirs = sorted(
                    (
                        d
                        for line in lines
                        for member in line_members(rota, line, now)
                        if member != user
                        for d in upcoming_shifts(rota, member, line, now)
                    ),
                    key=lambda d: (d.starts_at, d.line),
                )
                if not theirs:
                    raise NotAllowed("Nobody else on your line has a shift in the next few weeks to swap with.")
                return rota_forms.swap_form(mine, theirs, zone, name, errors=errors, values=values)
            if kind is Dialog.ROTA_COVER:
                horizon = now + timedelta(weeks=rota_forms.WEEKS)
                mine = sorted(
                    (d for d in rota.shifts_of(user, now, horizon) if d.ends_at > now),
                    key=lambda d: (d.starts_at, d.line),
                )
                if not mine:
                    raise NotAllowed(f"You have no shifts in the next {rota_forms.WEEKS} weeks to hand over.")
                mine_lines = list(dict.fromkeys(d.line for d in mine))
                candidates = [m for line in mine_lines for m in line_members(rota, line, now) if m != user]
                return rota_forms.cover_form(
                    mine, list(dict.fromkeys(candidates)), zone, name, errors=errors, values=values
                )
            if kind is Dialog.ROTA_LEAVE:
                if user not in rota.members and user not in rota.leads:
                    raise NotAllowed("Only rota members record leave here; nobody else has shifts to cover.")
                return rota_forms.leave_form(
                    is_lead=user in rota.leads,
                    today=now.astimezone(zone).date().isoformat(),
                    members=sorted(rota.members),
                    name=name,
                    errors=errors,
                    values=values,
                )
            if kind is Dialog.ROTA_MEMBERS:
                check_lead(rota, user, "change who is on the rota")
                return rota_forms.members_form(rota, name, errors=errors, values=values)
            if kind is Dialog.ROTA_OVERRIDE:
                check_lead(rota, user, "put someone on duty directly")
                start = datetime.fromtimestamp(int(now.timestamp()) // 3600 * 3600 + 3600, UTC)
                people = list(dict.fromkeys([*sorted(rota.members), *sorted(rota.leads)]))
                return rota_forms.override_form(
                    rota, people, name, start=start, zone=zone, errors=errors, values=values
                )
            if kind is Dialog.ROTA_MANAGE:
                return self._manage(user, directory)
        raise DomainError("That button is out of date; type `rota` again.")

    def _manage(self, user: str, directory: Directory, *, notice: str | None = None, error: str | None = None) -> Any:
        deps, rota, now = self.deps, self.deps.rota, self.deps.clock.now()
        requests = cancellable_requests(SqlRotaRepository(directory.session).pending_requests_for(user), user)
        is_lead = user in rota.leads
        return rota_forms.manage_form(
            viewer=user,
            requests=requests,
            leave=upcoming_leave(rota, now, user_id=None if is_lead else user),
            overrides=upcoming_overrides(rota, now) if is_lead else None,
            zone=deps.config.timezone,
            people=directory.person,
            notice=notice,
            error=error,
        )

    # -- submissions ---------------------------------------------------------------------------------------

    def submit(self, kind: Dialog, data: dict[str, Any], user: str) -> InvokeResponse:
        if kind is Dialog.ROTA_MANAGE:
            return self._take_back(data, user)
        checks: dict[Dialog, tuple[Callable[[Form], Change], RotaInput]] = {
            Dialog.ROTA_SWAP: (self._swap, RotaInput.THEIR_SHIFT),
            Dialog.ROTA_COVER: (self._cover, RotaInput.TARGET),
            Dialog.ROTA_LEAVE: (self._leave, RotaInput.LAST_DAY),
            Dialog.ROTA_MEMBERS: (self._members, RotaInput.MEMBERS_FIRST),
            Dialog.ROTA_OVERRIDE: (self._override, RotaInput.ENDS),
        }
        check, default = checks[kind]
        values = {k: v for k, v in data.items() if k not in ("dialog", "msteams")}
        try:
            with self.deps.lookup() as tickets:
                change = check(Form(user, values, self._directory(tickets.session)))
        except DomainError as refused:
            try:
                return rota_forms.dialog(kind, self._form(kind, user, self._errors(refused, default), values))
            except DomainError as closed:  # the form itself is no longer theirs to open
                return message_dialog(self.words(closed))
        with self.deps.unit_of_work() as uow:
            done = change(uow)
            uow.rota_notifier.change_confirmed(user, done)
        return message_dialog(done)

    def _errors(self, error: DomainError, default: RotaInput) -> dict[str, str]:
        """A refusal placed on the input it is about; the form's own inputs re-render what does not exist."""
        with self.deps.lookup() as tickets:
            name = self._directory(tickets.session).name
            if isinstance(error, InvalidInput):
                placed = error.render_errors(name)
            else:
                placed = {default.value: error.render(name)}
        known = {f.value for f in RotaInput}
        out: dict[str, str] = {}
        for field, text in placed.items():
            target = field if field in known else default.value
            if field == "starts":
                target = RotaInput.STARTS.value
            out[target] = text if target not in out else out[target] + " " + text
        return out

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

    def _swap(self, form: Form) -> Change:
        deps, values = self.deps, form.values
        line, mine, _ = parse_my_shift(values.get(RotaInput.SHIFT))
        their_line, target, theirs = parse_their_shift(values.get(RotaInput.THEIR_SHIFT))
        if their_line is not line:
            raise InvalidInput(RotaInput.THEIR_SHIFT, f"Pick a {line.label} shift, the line of yours.")
        check_swap(
            requester_id=form.user,
            target_id=target,
            line=line,
            my_shift_start=mine,
            their_shift_start=theirs,
            rota=deps.rota,
            now=deps.clock.now(),
        )
        return self._ask(
            lambda uow: request_swap(
                requester_id=form.user,
                target_id=target,
                line=line,
                my_shift_start=mine,
                their_shift_start=theirs,
                **uow.notifying_rota_ports(),
            ),
            "swap",
            form,
            target,
        )

    def _cover(self, form: Form) -> Change:
        deps, values = self.deps, form.values
        line, starts, ends = parse_my_shift(values.get(RotaInput.SHIFT))
        picked = str(values.get(RotaInput.TARGET) or "")
        if not picked:
            raise InvalidInput(RotaInput.TARGET, "Pick who you are asking.")
        target = form.directory.key_for(picked)
        check_cover(
            requester_id=form.user,
            target_id=target,
            line=line,
            starts_at=starts,
            ends_at=ends,
            rota=deps.rota,
            now=deps.clock.now(),
        )
        return self._ask(
            lambda uow: request_cover(
                requester_id=form.user,
                target_id=target,
                line=line,
                starts_at=starts,
                ends_at=ends,
                **uow.notifying_rota_ports(),
            ),
            "cover",
            form,
            target,
        )

    def _leave(self, form: Form) -> Change:
        deps, user = self.deps, form.user
        first = parse_day(form.values.get(RotaInput.FIRST_DAY), RotaInput.FIRST_DAY)
        last = parse_day(form.values.get(RotaInput.LAST_DAY), RotaInput.LAST_DAY)
        picked = str(form.values.get(RotaInput.WHO) or "")
        who = form.directory.key_for(picked) if picked else user
        check_leave(user_id=who, actor_id=user, first=first, last=last, rota=deps.rota, now=deps.clock.now())
        whose = "Your" if who == user else f"{form.directory.name(who)}'s"

        def send(uow: UnitOfWork) -> str:
            recorded = add_leave(user_id=who, actor_id=user, first=first, last=last, **uow.notifying_rota_ports())
            text = f"{whose} leave {first:%a %d %b} to {last:%a %d %b} is recorded."
            if recorded.uncovered:
                return text + " 🚨 Nobody covers some of those shifts; the leads have been told."
            if recorded.conflicts:
                return text + " The shifts it touches go to the next member in order; the leads have been told."
            return text + " It touches no shifts."

        return send

    def _members(self, form: Form) -> Change:
        deps, user, now = self.deps, form.user, self.deps.clock.now()
        rota = deps.rota
        known = {form.directory.name(k).lower(): k for k in [*rota.members, *rota.leads]}
        changes: dict[SupportLine, list[str]] = {}
        errors: dict[str, str] = {}
        for line, field in rota_forms.MEMBER_FIELDS.items():
            if field.value not in form.values:
                continue
            wanted: list[str] = []
            for word in str(form.values[field.value] or "").replace("\n", ",").split(","):
                word = word.strip()
                if word:
                    wanted.append(known.get(word.lower()) or form.directory.key_for(word))
            try:
                check_members(line=line, members=wanted, actor_id=user, rota=rota, now=now)
                changes[line] = wanted
            except InvalidInput as invalid:
                if "nothing changed" not in str(invalid):
                    errors[field.value] = invalid.render(form.directory.name)
        if errors or not changes:
            first = next(iter(errors or {RotaInput.MEMBERS_FIRST.value: ""}))
            raise InvalidInput(first, errors.get(first) or "Nothing changed.", more=errors)
        zone = deps.config.timezone
        person = form.directory.snapshot([k for keys in changes.values() for k in keys])

        def send(uow: UnitOfWork) -> str:
            done = [
                set_members(line=line, members=chosen, actor_id=user, **uow.rota_ports())
                for line, chosen in changes.items()
            ]
            return "\n\n".join(
                f"The {r.line.label} rota is now {', '.join(person(m).name for m in r.members)} "
                f"in that order, from {when(r.shift_start(0), zone)}."
                for r in done
            )

        return send

    def _override(self, form: Form) -> Change:
        deps, values = self.deps, form.values
        line_value = values.get(RotaInput.LINE)
        if line_value not in set(SupportLine):
            raise InvalidInput(RotaInput.LINE, "Pick a line.")
        picked = str(values.get(RotaInput.USER) or "")
        if not picked:
            raise InvalidInput(RotaInput.USER, "Pick who is on duty.")
        who = form.directory.key_for(picked)
        line = SupportLine(line_value)
        starts = parse_moment(values.get(RotaInput.STARTS), values.get(RotaInput.STARTS_TIME), RotaInput.STARTS, deps)
        ends = parse_moment(values.get(RotaInput.ENDS), values.get(RotaInput.ENDS_TIME), RotaInput.ENDS, deps)
        check_override(
            line=line,
            user_id=who,
            starts_at=starts,
            ends_at=ends,
            actor_id=form.user,
            rota=deps.rota,
            now=deps.clock.now(),
        )
        name, zone = form.directory.name(who), deps.config.timezone

        def send(uow: UnitOfWork) -> str:
            pieces = add_override(
                line=line, user_id=who, starts_at=starts, ends_at=ends, actor_id=form.user, **uow.rota_ports()
            )
            return f"{name} is on {line.label} duty {span(pieces[0].starts_at, pieces[-1].ends_at, zone)}."

        return send

    def _take_back(self, data: dict[str, Any], user: str) -> InvokeResponse:
        """A "Cancel request/leave" or "Remove" in the dialog: done in one transaction, the list shown again."""
        kind, raw = data.get("cancel"), data.get("id")
        try:
            ident = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            ident = -1
        notice = error = None
        try:
            if kind == "request":
                self.deps.run(lambda uow: cancel_request(request_id=ident, actor_id=user, **uow.notifying_rota_ports()))
                notice = "Request cancelled."
            elif kind == "leave":
                self.deps.run(lambda uow: cancel_leave(leave_id=ident, actor_id=user, **uow.notifying_rota_ports()))
                notice = "Leave cancelled."
            elif kind == "override":
                self.deps.run(
                    lambda uow: cancel_override(override_id=ident, actor_id=user, **uow.notifying_rota_ports())
                )
                notice = "Override removed."
            else:
                raise DomainError("That button is out of date; type `rota` again.")
        except DomainError as refused:
            error = self.words(refused)
        with self.deps.lookup() as tickets:
            card = self._manage(user, self._directory(tickets.session), notice=notice, error=error)
        return rota_forms.dialog(Dialog.ROTA_MANAGE, card)

    # -- answers to requests -------------------------------------------------------------------------------

    def decide(self, verb: RotaVerb, data: dict[str, Any], user: str) -> InvokeResponse:
        """Accept / Decline (the target) or Approve / Reject (a lead): the card becomes the outcome."""
        deps = self.deps
        try:
            try:
                request_id = int(data.get("request_id"))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise DomainError("That button is out of date; type `rota` to see the rota.") from None
            if verb in (RotaVerb.ACCEPT, RotaVerb.DECLINE):
                accept = verb is RotaVerb.ACCEPT
                decided = deps.run(
                    lambda uow: respond_to_request(
                        request_id=request_id,
                        actor_id=user,
                        accept=accept,
                        needs_approval=deps.config.swaps_need_approval,
                        **uow.notifying_rota_ports(),
                    )
                )
            else:
                approve = verb is RotaVerb.APPROVE
                decided = deps.run(
                    lambda uow: decide_approval(
                        request_id=request_id, actor_id=user, approve=approve, **uow.notifying_rota_ports()
                    )
                )
        except DomainError as refused:
            return message_answer(self.words(refused))
        return card_answer(outcome_card(decided, deps.config.timezone, people=self.people()).card)
