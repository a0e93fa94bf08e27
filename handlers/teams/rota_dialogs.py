"""The rota window in Teams: the `rota` card's dialogs (task/fetch -> form, task/submit -> change) and the
Accept / Decline / Approve / Reject buttons on request cards. The same rota services, checks and refusals as
handlers/slack/rota_actions.py and rota_modals.py: a form is refused before it opens to someone who could not
submit it; a submission is checked on the cached rota (rota_submissions.py) and its errors shown in the dialog; the
change runs in one transaction whose confirmation (change_confirmed) is queued in the outbox with it. What both
platforms share (whose shifts a form offers, what a person may take back, parsing) is handlers/common/rota.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from core.errors import DomainError, InvalidInput, NotAllowed
from handlers.common.rota import cancellable, cover_shifts, swap_shifts
from handlers.teams import rota_forms
from handlers.teams.directory import Directory, Who
from handlers.teams.ids import Dialog, RotaInput, RotaVerb
from handlers.teams.rota_cards import TeamsPerson, outcome_card
from handlers.teams.rota_manage import manage_form
from handlers.teams.rota_submissions import Change, Form, RotaSubmissions
from handlers.teams.ticket_actions import InvokeResponse, card_answer, message_answer
from rota.cancellations import cancel_leave, cancel_override, cancel_request
from rota.services import check_lead, decide_approval, line_members, respond_to_request
from services.unit_of_work import Deps
from storage.rota import SqlRotaRepository


def message_dialog(text: str) -> InvokeResponse:
    """Closes the dialog and shows `text` to the person who submitted it."""
    return {"task": {"type": "message", "value": text}}


class RotaDialogs:
    def __init__(self, deps: Deps, *, who: Who | None = None) -> None:
        self.deps = deps
        self.who = who
        self.checks = RotaSubmissions(deps)

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
                mine, theirs = swap_shifts(rota, user, now)
                return rota_forms.swap_form(mine, theirs, zone, name, errors=errors, values=values)
            if kind is Dialog.ROTA_COVER:
                mine = cover_shifts(rota, user, now)
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
        deps = self.deps
        pending = SqlRotaRepository(directory.session).pending_requests_for(user)
        mine = cancellable(pending, deps.rota, user, deps.clock.now())
        return manage_form(
            viewer=user,
            mine=mine,
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
            Dialog.ROTA_SWAP: (self.checks.swap, RotaInput.THEIR_SHIFT),
            Dialog.ROTA_COVER: (self.checks.cover, RotaInput.TARGET),
            Dialog.ROTA_LEAVE: (self.checks.leave, RotaInput.LAST_DAY),
            Dialog.ROTA_MEMBERS: (self.checks.members, RotaInput.MEMBERS_FIRST),
            Dialog.ROTA_OVERRIDE: (self.checks.override, RotaInput.ENDS),
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
