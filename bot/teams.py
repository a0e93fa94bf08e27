"""Teams' wiring, imported only by a process that serves Teams (TEAMS_APP_ID set): the SDK's loop thread, the
connector client and token, the sender, the chat adapter, the verified endpoint; and linking people by email
when one desk serves both platforms. Slack-only processes never import the Teams SDK."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from handlers.fanout import Linked, config_with_keys, link_people
from handlers.slack.people import SlackDirectory
from handlers.teams.app import TeamsEndpoint
from handlers.teams.auth import ClientCredentialsToken, InboundVerifier
from handlers.teams.chat import TeamsChat
from handlers.teams.connector import Connector
from handlers.teams.listeners import TeamsListeners
from handlers.teams.loop import LoopThread
from handlers.teams.sender import TeamsSender
from services.clock import Clock
from services.config import AppConfig, TeamsConfig
from services.unit_of_work import Deps
from storage.outbox import SendFailed


@dataclass
class TeamsRuntime:
    """Teams' pieces: the SDK's loop thread, its connector client, the sender, the chat adapter, and (with
    `serve`) the endpoint."""

    loop: LoopThread
    connector: Connector
    chat: TeamsChat
    sender: TeamsSender
    endpoint: TeamsEndpoint | None = None

    def open_endpoint(self, settings: Settings, deps: Deps) -> None:
        """POST /api/messages, every token verified (bot.server mounts it)."""
        assert settings.teams_app_id is not None
        verifier = InboundVerifier(app_id=settings.teams_app_id, openid_metadata_url=settings.teams_openid_metadata_url)
        self.endpoint = TeamsEndpoint(verifier=verifier, loop=self.loop, listeners=TeamsListeners(deps, self.chat))

    def close(self) -> None:
        self.loop.close()


def connect_teams(
    settings: Settings, config: AppConfig, sessions: sessionmaker[Session], clock: Clock, *, slack_client: Any
) -> tuple[TeamsRuntime, AppConfig]:
    """Teams' runtime, and the config with people linked by email when Slack is on too (one desk on both)."""
    from bot.app import StartupError

    assert settings.teams_app_id is not None
    if not settings.teams_app_password:
        raise StartupError("TEAMS_APP_PASSWORD is not set (the client secret of the bot's Azure registration).")
    token = ClientCredentialsToken(
        token_url=settings.effective_teams_token_url,
        app_id=settings.teams_app_id,
        password=settings.teams_app_password,
    )
    loop = LoopThread()
    connector = Connector(loop=loop, token=token, app_id=settings.teams_app_id)
    if settings.slack_enabled:  # one desk on both: link people by email first
        config = config_with_keys(config, _link(settings, config, sessions, clock, slack_client, connector))
    # On a desk on both platforms handlers.fanout routes each person to one; TeamsChat itself filters nobody.
    chat = TeamsChat(config, alongside_slack=False)
    sender = TeamsSender(connector, sessions, config.teams or TeamsConfig(), clock, tenant=settings.teams_tenant_id)
    return TeamsRuntime(loop, connector, chat, sender), config


class _Roster:
    """The Teams roster of the configured team, for handlers.fanout.link_people."""

    def __init__(self, connector: Connector, teams: TeamsConfig) -> None:
        self.connector = connector
        self.teams = teams

    def member(self, who: str) -> tuple[str, str | None] | None:
        if not self.teams.team:
            return None
        try:
            return self.connector.member_id(self.teams.service_url, self.teams.team, who)
        except SendFailed as failed:
            raise LookupError(str(failed)) from None


def _link(
    settings: Settings,
    config: AppConfig,
    sessions: sessionmaker[Session],
    clock: Clock,
    client: Any,
    connector: Connector,
) -> Linked:
    teams = config.teams or TeamsConfig()
    rota = config.rota
    names = [*(m for rotation in rota.rotations.values() for m in rotation.members), *sorted(rota.leads)]
    return link_people(
        sessions=sessions,
        names=names,
        slack=SlackDirectory(client),
        teams=_Roster(connector, teams),
        tenant=settings.teams_tenant_id or "",
        service_url=teams.service_url,
        now=clock.now(),
    )
