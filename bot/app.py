"""Wiring: settings + config -> database, Slack client, Bolt app with handlers, outbox worker."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.delivery import OutboxWorker
from bot.jobs.tickets import Jobs
from bot.settings import Settings
from handlers.fanout import FanOutChat
from handlers.slack.app import build_bolt_app, make_web_client
from handlers.slack.chat import SlackChat
from handlers.slack.sender import SlackSender
from services.clock import Clock, SystemClock
from services.config import AppConfig, load_config
from services.unit_of_work import ChatAdapter, Deps
from storage.db import make_engine, make_sessionmaker, migrate
from storage.outbox import Sender
from storage.rota import RotaCache, seed_rota_if_empty

if TYPE_CHECKING:  # the Teams SDK is imported only by a process that serves Teams (bot/teams.py)
    from bot.teams import TeamsRuntime

log = logging.getLogger(__name__)


class StartupError(Exception):
    """Missing settings that stop the bot starting; the message says what to set."""


@dataclass
class Core:
    """Everything but the Bolt app: what `sweep` and `digest` need, and what `serve` builds on."""

    settings: Settings
    config: AppConfig
    clock: Clock
    engine: Engine
    sessions: sessionmaker[Session]
    client: Any  # the Slack Web API client (handlers.slack.app.make_web_client)
    worker: OutboxWorker
    deps: Deps
    jobs: Jobs
    teams: TeamsRuntime | None = None  # set when TEAMS_APP_ID is

    def close(self) -> None:
        self.worker.stop()
        if self.teams is not None:
            self.teams.close()
        self.engine.dispose()


@dataclass
class Runtime(Core):
    """Everything `serve`, the demo and the tests run: the same objects, wired the same way."""

    app: Any = field(default=None)  # the Bolt app with every listener (handlers.slack.app); set by build_runtime


def build_core(
    settings: Settings,
    *,
    clock: Clock | None = None,
    config: AppConfig | None = None,
    delivery_clock: Clock | None = None,
) -> Core:
    """Load config, migrate the database, wire the outbox, handlers' dependencies and jobs.

    `delivery_clock` is the outbox worker's time (leases, back-off) when it must differ from the jobs' (a
    `sweep --at` in the past must not hand out leases that a `serve` elsewhere sees as already expired).
    """
    config = config or load_config(settings.config_path)
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url)
    migrate(engine)
    sessions = make_sessionmaker(engine)
    read_sessions = make_sessionmaker(engine, read_only=True)
    client = make_web_client(token=settings.bot_token, api_url=settings.api_url)
    teams: TeamsRuntime | None = None
    if settings.teams_enabled:
        from bot.teams import connect_teams

        teams, config = connect_teams(settings, config, sessions, clock, slack_client=client)
    with sessions.begin() as session:  # the config seeds the stored rota on first start, once
        seed_rota_if_empty(session, config.rota, clock.now())
    rota_cache = RotaCache(read_sessions, leads=config.rota.leads, now=clock.now)
    senders: dict[str, Sender] = {"slack": SlackSender(client)}
    adapters: dict[str, ChatAdapter] = {}
    if settings.slack_enabled or not settings.teams_enabled:  # Slack as always, unless this is a Teams-only desk
        adapters["slack"] = SlackChat(config)
    if teams is not None:
        senders["teams"] = teams.sender
        adapters["teams"] = teams.chat
    worker = OutboxWorker(sessions, senders, delivery_clock or clock, leads=sorted(config.rota.leads))
    deps = Deps(
        config=config,
        clock=clock,
        sessions=sessions,
        read_sessions=read_sessions,
        outbox_ready=worker.kick,
        chat=next(iter(adapters.values())) if len(adapters) == 1 else FanOutChat(adapters),
        rota_cache=rota_cache,
    )
    return Core(settings, config, clock, engine, sessions, client, worker, deps, Jobs(deps), teams)


def build_runtime(settings: Settings, *, clock: Clock | None = None, config: AppConfig | None = None) -> Runtime:
    """The core plus the Bolt app (Slack) and the Teams endpoint, each when configured; the outbox worker is
    started by the caller."""
    if not settings.bot_token and not settings.teams_enabled:
        raise StartupError("SLACK_BOT_TOKEN is not set (the xoxb- token under OAuth & Permissions).")
    if settings.bot_token and not settings.signing_secret and not settings.app_token:
        raise StartupError("SLACK_SIGNING_SECRET is not set (find it under Basic Information in your Slack app).")
    core = build_core(settings, clock=clock, config=config)
    try:
        app = None
        if settings.bot_token:
            secret = settings.signing_secret or "socket-mode-does-not-sign"
            app = build_bolt_app(signing_secret=secret, client=core.client, deps=core.deps)
        if core.teams is not None:
            core.teams.open_endpoint(settings, core.deps)
    except Exception:
        core.close()
        raise
    return Runtime(**{f.name: getattr(core, f.name) for f in fields(Core)}, app=app)
