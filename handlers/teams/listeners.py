"""What the bot does with a verified activity: commands in messages, dialogs, card buttons, the message extension,
and the welcome card when the bot joins a person's 1:1 chat.

Each parses the activity, calls one service through `deps.run`, and renders; replies to messages go through the
outbox (platform "teams"), answers to invokes in the HTTP response (a dialog or a card cannot wait for it).
The work itself is in one module per surface: ticket_actions.py (ticket buttons), rota_dialogs.py (the rota
window), home.py (the welcome card), extension.py (the message extension).
"""

from __future__ import annotations

from typing import Any

from core.errors import DomainError, InvalidInput
from handlers.grammar import parse_support_command, parse_who_args, resolve_day
from handlers.teams import cards, extension
from handlers.teams.activity import Inbound, as_dict, author_key, sender_key
from handlers.teams.cards import Payload
from handlers.teams.chat import TeamsChat
from handlers.teams.home import home_payload, welcomes_once
from handlers.teams.ids import Dialog, Input, RotaVerb
from handlers.teams.notifier import PLATFORM, TO_CONVERSATION
from handlers.teams.rota_dialogs import RotaDialogs
from handlers.teams.text import help_text, mine_text, status_text, teams_text, who_text
from handlers.teams.ticket_actions import InvokeResponse, TicketActions
from services.unit_of_work import Deps
from storage.outbox import Outbox
from triage.errors import TicketNotFound
from triage.model import format_ref, parse_ref
from triage.services import TicketDraft, my_open_tickets, open_ticket, view_ticket

TEAMS_WORDS = ("new", "home")  # Teams' own words beside the shared subcommands (Slack's `/support` needs neither)
ROTA_DIALOGS = frozenset(Dialog) - {Dialog.NEW_TICKET}


def _quoted(text: str) -> str:
    """Someone's words inside `code`: no backtick can close it early."""
    return text.replace("`", "'")[:60]


class TeamsListeners:
    def __init__(self, deps: Deps, chat: TeamsChat) -> None:
        self.deps = deps
        self.chat = chat
        self.tickets = TicketActions(deps, people=chat.people, who=chat.directory)
        self.rota = RotaDialogs(deps, who=chat.directory)

    # -- messages --------------------------------------------------------------------------------------------

    def handle_message(self, inbound: Inbound) -> None:
        user = sender_key(self.deps, inbound)
        try:
            reply = self._command(inbound.text, user)
        except DomainError as refused:  # people named as mentions, in the reply's text
            with self.deps.lookup() as tickets:
                text, entities = teams_text(refused, self.chat.directory(tickets.session))
            reply = {"text": text, "entities": entities} if entities else {"text": text}
        self._reply(inbound, reply)

    def _command(self, text: str, user: str) -> Payload:
        deps = self.deps
        word, _, rest = text.partition(" ")
        if word.lower() == "new":  # Teams says `new [title]` where Slack's `/support [title]` needs no word
            return cards.new_ticket_prompt(rest.strip())
        if word.lower() == "home" and not rest:
            return home_payload(deps, user, who=self.chat.directory)
        parsed = parse_support_command(text, also=TEAMS_WORDS)
        now, zone = deps.clock.now(), deps.config.timezone
        if parsed.kind == "new":
            return cards.new_ticket_prompt(parsed.argument)
        if parsed.kind == "help":
            return cards.text_message(help_text(deps.prefix))
        if parsed.kind == "who":
            query = parse_who_args(parsed.argument)
            assert query is not None  # the grammar only says "who" when the words parse
            at = resolve_day(query.day, now, zone)
            return cards.text_message(who_text(deps.rota, at or now, zone, lines=query.lines, now=at is None))
        if parsed.kind == "rota":
            return self.rota.overview(user)
        if parsed.kind == "status":
            return cards.text_message(self._status(parsed.argument, user))
        if parsed.kind == "mine":
            with deps.lookup() as repository:
                mine = my_open_tickets(user_id=user, tickets=repository)
            return cards.text_message(mine_text(mine, deps.prefix, user))
        hint = f"Did you mean `{parsed.suggestion}`? " if parsed.suggestion else ""
        return cards.text_message(f"I don't know `{_quoted(parsed.argument)}`. {hint}Try `help`.")

    def _status(self, argument: str, user: str) -> str:
        deps = self.deps
        example = f"{deps.prefix}-42"
        ticket_id = parse_ref(argument, deps.prefix)
        if ticket_id is None:
            given = f" (`{_quoted(argument)}` is not one)" if argument else ""
            return f"Which ticket? Use `status {example}`{given}."
        try:
            with deps.lookup() as tickets:
                ticket = view_ticket(ticket_id=ticket_id, viewer_id=user, tickets=tickets, rota=deps.rota)
        except TicketNotFound:
            return f"I can't find {format_ref(deps.prefix, ticket_id)}. `mine` lists your open tickets."
        return status_text(ticket, deps.prefix)

    def _reply(self, inbound: Inbound, payload: Payload) -> None:
        with self.deps.sessions.begin() as session:
            Outbox(session, self.deps.clock.now()).post(
                inbound.conversation_id,
                {**payload, "to": TO_CONVERSATION, "service_url": inbound.service_url},
                platform=PLATFORM,
            )
        self.deps.outbox_ready()

    # -- the bot joins a chat --------------------------------------------------------------------------------

    def handle_conversation_update(self, inbound: Inbound) -> None:
        """The bot added to a person's 1:1 chat (installed): the welcome card, once, with their Home."""
        if not inbound.personal or not inbound.members_added or not inbound.user_id:
            return
        user = sender_key(self.deps, inbound)
        if welcomes_once(self.deps, inbound.activity_id):
            self._reply(inbound, home_payload(self.deps, user, who=self.chat.directory))

    # -- invokes ---------------------------------------------------------------------------------------------

    def handle_invoke(self, inbound: Inbound) -> InvokeResponse:
        if inbound.name == "task/fetch":
            return self._task_fetch(inbound)
        if inbound.name == "task/submit":
            return self._task_submit(inbound)
        if inbound.name == "adaptiveCard/action":
            return self._card_action(inbound)
        if inbound.name == "composeExtension/fetchTask":
            return extension.fetch_task(inbound.value)
        if inbound.name == "composeExtension/submitAction":
            return extension.submit_action(inbound.value, lambda data, author: self._new_ticket(inbound, data, author))
        return {}

    def _task_fetch(self, inbound: Inbound) -> InvokeResponse:
        data = as_dict(inbound.value.get("data"))
        dialog = data.get("dialog")
        if dialog in ROTA_DIALOGS:
            return self.rota.fetch(Dialog(dialog), sender_key(self.deps, inbound))
        return extension.dialog(cards.new_ticket_form(title=str(data.get("title") or "")))

    def _task_submit(self, inbound: Inbound) -> InvokeResponse:
        data = as_dict(inbound.value.get("data"))
        dialog = data.get("dialog")
        if dialog in ROTA_DIALOGS:
            return self.rota.submit(Dialog(dialog), data, sender_key(self.deps, inbound))
        return self._new_ticket(inbound, data, None)

    def _new_ticket(
        self, inbound: Inbound, data: dict[str, Any], author: tuple[str, str | None] | None
    ) -> InvokeResponse:
        values = {
            f.value: str(data.get(f.value) or "") for f in (Input.TITLE, Input.DESCRIPTION, Input.TYPE, Input.PRIORITY)
        }
        try:
            draft = TicketDraft.parse(
                title=values["title"],
                description=values["description"],
                type=values["type"],
                priority=values["priority"],
            )
        except InvalidInput as invalid:
            return extension.dialog(cards.new_ticket_form(values=values, errors=invalid.errors))
        user = sender_key(self.deps, inbound)
        requester = author_key(self.deps, inbound, author[0], author[1]) if author else user
        ticket = self.deps.run(
            lambda uow: open_ticket(draft=draft, requester_id=requester, origin_channel_id=None, **uow.ticket_ports())
        )
        assert ticket.id is not None
        return {"task": {"type": "message", "value": f"Thanks, {format_ref(self.deps.prefix, ticket.id)} is logged."}}

    def _card_action(self, inbound: Inbound) -> InvokeResponse:
        action = as_dict(inbound.value.get("action"))
        verb, data = str(action.get("verb") or ""), as_dict(action.get("data"))
        user = sender_key(self.deps, inbound)
        if verb in set(RotaVerb):
            return self.rota.decide(RotaVerb(verb), data, user)
        return self.tickets.act(verb, data, user)
