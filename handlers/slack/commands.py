"""`/support` and its subcommands. The modal opens right after the ack; answers are ephemeral."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers.grammar import SUBCOMMANDS, SupportCommand, parse_support_command, parse_who_args, resolve_day
from handlers.slack import blocks, forms, rota_views
from handlers.slack.errors import reports_errors
from handlers.slack.sla_view import sla_line
from services.unit_of_work import Deps
from triage.model import parse_ref
from triage.services import my_open_tickets, view_ticket

__all__ = [
    "SUBCOMMANDS",
    "SupportCommand",
    "parse_support_command",
    "register",
]  # the grammar lives in handlers.grammar

NO_WINDOW = "Sorry, Slack did not let me open a window for that just now. Please try `/support` again."
NO_REPLY = "Sorry, Slack gave me no way to answer that just now. Please try the command again."


def register(app: App, deps: Deps) -> None:
    @app.command("/support")
    @reports_errors
    def handle_support_command(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        parsed = parse_support_command(command.get("text", ""))
        user = command.get("user_id", "")
        # A window needs Slack's trigger_id and a later answer its response_url; without them, say so in the ack.
        if parsed.kind in ("new", "rota") and not command.get("trigger_id"):
            ack(text=NO_WINDOW)
            return
        if parsed.kind in ("who", "status", "mine") and not command.get("response_url"):
            ack(text=NO_REPLY)
            return
        if parsed.kind == "new":
            ack()
            view = forms.new_ticket_modal(title=parsed.argument, origin_channel_id=command.get("channel_id"))
            client.views_open(trigger_id=command["trigger_id"], view=view)
        elif parsed.kind == "help":
            ack(text=blocks.help_text(deps.prefix))
        elif parsed.kind == "who":
            ack()  # the stored rota may need a read: after the ack
            query = parse_who_args(parsed.argument)
            assert query is not None  # the grammar only says "who" when the words parse
            now, zone = deps.clock.now(), deps.config.timezone
            at = resolve_day(query.day, now, zone)
            respond(text=blocks.who_reply(deps.rota, at or now, zone, lines=query.lines, now=at is None))
        elif parsed.kind == "rota":
            ack()
            view = rota_views.rota_modal(deps.rota, viewer=user, now=deps.clock.now(), zone=deps.config.timezone)
            client.views_open(trigger_id=command["trigger_id"], view=view)
        elif parsed.kind == "status":
            ticket_id = parse_ref(parsed.argument, deps.prefix)
            if ticket_id is None:
                example = f"{deps.prefix}-42"
                given = f" (`{blocks.escape(parsed.argument)}` is not one)" if parsed.argument else ""
                ack(text=f"Which ticket? Use `/support status {example}`{given}.")
                return
            ack()
            now = deps.clock.now()
            with deps.lookup() as tickets:
                ticket = view_ticket(ticket_id=ticket_id, viewer_id=user, tickets=tickets, rota=deps.rota)
                events = tickets.events(ticket_id)
                clocks = deps.sla.clocks(ticket, events, now)
            day_seconds = deps.sla.calendar.day_seconds
            sla = sla_line(clocks, now=now, zone=deps.config.timezone, day_seconds=day_seconds, live=True)
            respond(**blocks.status_reply(ticket, deps.prefix, events, deps.config.timezone, sla=sla))
        elif parsed.kind == "mine":
            ack()
            with deps.lookup() as repository:
                mine = my_open_tickets(user_id=user, tickets=repository)
            respond(text=blocks.mine_reply(mine, deps.prefix, user))
        else:
            ack(text=blocks.unknown_command_text(parsed.argument, parsed.suggestion))
