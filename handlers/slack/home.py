"""The App Home tab: my open tickets, my next shifts, who is on duty, calendar links. Published on
`app_home_opened`, once per event (handlers/slack/events.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import App
from slack_sdk import WebClient

from handlers.common.home import HomeContent, next_shifts, read_home
from handlers.common.rota import WEEKS
from handlers.common.words import span
from handlers.slack import blocks
from handlers.slack.events import once_per_event
from handlers.slack.ids import RotaActionId
from rota.roster import Rota
from services.unit_of_work import Deps


def home_view(
    content: HomeContent, *, user: str, prefix: str, rota: Rota, now: datetime, zone: ZoneInfo
) -> dict[str, Any]:
    """The Home tab as plain data."""
    tickets, calendars = content.tickets, content.calendars
    shifts = next_shifts(rota, user, now)
    shift_text = (
        "\n".join(f"• {d.line.label}: {span(max(d.starts_at, now), d.ends_at, zone)}" for d in shifts)
        if shifts
        else f"No shifts in the next {WEEKS} weeks."
    )
    home: list[dict[str, Any]] = [
        {"type": "header", "text": blocks.plain_text("Support desk")},
        blocks.mrkdwn(blocks.mine_reply(tickets, prefix, user)),
        {"type": "divider"},
        blocks.mrkdwn(f"*Your next shifts*\n{shift_text}"),
        {"type": "divider"},
        blocks.mrkdwn(blocks.who_reply(rota, now, zone)),
        {
            "type": "actions",
            "block_id": "home_actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": RotaActionId.OPEN_ROTA.value,
                    "text": blocks.plain_text("Open the rota"),
                }
            ],
        },
    ]
    if calendars:
        links = " · ".join(f"<{url}|{line.label}>" for line, url in calendars.items())
        home.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"Subscribe to the rota in your calendar app: {links}"}],
            }
        )
    return {"type": "home", "blocks": home}


def register(app: App, deps: Deps) -> None:
    def handle_app_home_opened_event(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        """Reads only (tickets, the cached rota, calendar links), then one views.publish."""
        user = event.get("user")
        if not isinstance(user, str) or event.get("tab", "home") != "home":
            return
        now, rota = deps.clock.now(), deps.rota
        with deps.lookup() as repository:
            content = read_home(deps, repository, user)
        view = home_view(content, user=user, prefix=deps.prefix, rota=rota, now=now, zone=deps.config.timezone)
        client.views_publish(user_id=user, view=view)

    app.event("app_home_opened")(once_per_event(deps, "app_home_opened")(handle_app_home_opened_event))
