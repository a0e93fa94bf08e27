"""Wiring: settings + config -> database, Slack client, Bolt app with handlers, outbox worker."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import AppConfig, load_config
from bot.delivery import OutboxWorker
from bot.jobs import Jobs
from bot.settings import Settings
from handlers import actions, commands, home, modals, rota_actions, rota_modals
from handlers.deps import Deps
from handlers.errors import explain_error, tell_person
from storage.db import make_engine, make_sessionmaker, migrate
from storage.rota import RotaCache, seed_rota_if_empty

log = logging.getLogger(__name__)


def _drop_token_unused_warning(record: logging.LogRecord) -> bool:
    """Bolt reads SLACK_BOT_TOKEN itself and then warns that our client's copy wins: true, and noise."""
    return "`token` will be unused" not in record.getMessage()


class StartupError(Exception):
    """Missing settings that stop the bot starting; the message says what to set."""


def make_web_client(settings: Settings) -> WebClient:
    """The Web API client: SLACK_API_URL as base URL when set; retries for 429, 5xx and connection errors."""
    kwargs: dict[str, Any] = {}
    if settings.api_url:
        kwargs["base_url"] = settings.api_url if settings.api_url.endswith("/") else settings.api_url + "/"
    return WebClient(
        token=settings.bot_token,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
        **kwargs,
    )


def build_bolt_app(settings: Settings, client: WebClient, deps: Deps) -> App:
    if not settings.signing_secret and not settings.app_token:
        raise StartupError("SLACK_SIGNING_SECRET is not set (find it under Basic Information in your Slack app).")
    logging.getLogger("slack_bolt.App").addFilter(_drop_token_unused_warning)
    app = App(
        client=client,
        signing_secret=settings.signing_secret or "socket-mode-does-not-sign",
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(max_workers=16, thread_name_prefix="bolt-listener"),
    )

    @app.error
    def handle_errors(error: Exception, body: dict[str, Any], respond: Any, client: WebClient) -> BoltResponse | None:
        """Errors outside listeners (middleware); listeners report their own via handlers.errors."""
        try:
            tell_person(body, respond, client, explain_error(error, body))
        except Exception:
            log.warning("could not tell the user about an error", exc_info=True)
        return None

    commands.register(app, deps)
    actions.register(app, deps)
    modals.register(app, deps)
    rota_actions.register(app, deps)
    rota_modals.register(app, deps)
    home.register(app, deps)
    return app


@dataclass
class Core:
    """Everything but the Bolt app: what `sweep` and `digest` need, and what `serve` builds on."""

    settings: Settings
    config: AppConfig
    clock: Clock
    engine: Engine
    sessions: sessionmaker[Session]
    client: WebClient
    worker: OutboxWorker
    deps: Deps
    jobs: Jobs

    def close(self) -> None:
        self.worker.stop()
        self.engine.dispose()


@dataclass
class Runtime(Core):
    """Everything `serve`, the demo and the tests run: the same objects, wired the same way."""

    app: App = field(default=None)  # type: ignore[assignment]  # always set by build_runtime


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
    with sessions.begin() as session:  # the config seeds the stored rota on first start, once
        seed_rota_if_empty(session, config.rota, clock.now())
    rota_cache = RotaCache(read_sessions, leads=config.rota.leads, now=clock.now)
    client = make_web_client(settings)
    worker = OutboxWorker(sessions, client, delivery_clock or clock, leads=sorted(config.rota.leads))
    deps = Deps(
        config=config,
        clock=clock,
        sessions=sessions,
        read_sessions=read_sessions,
        outbox_ready=worker.kick,
        rota_cache=rota_cache,
    )
    return Core(settings, config, clock, engine, sessions, client, worker, deps, Jobs(deps))


def build_runtime(settings: Settings, *, clock: Clock | None = None, config: AppConfig | None = None) -> Runtime:
    """The core plus the Bolt app with its handlers; the outbox worker is started by the caller."""
    if not settings.bot_token:
        raise StartupError("SLACK_BOT_TOKEN is not set (the xoxb- token under OAuth & Permissions).")
    if not settings.signing_secret and not settings.app_token:
        raise StartupError("SLACK_SIGNING_SECRET is not set (find it under Basic Information in your Slack app).")
    core = build_core(settings, clock=clock, config=config)
    try:
        app = build_bolt_app(settings, core.client, core.deps)
    except Exception:
        core.close()
        raise
    return Runtime(**{f.name: getattr(core, f.name) for f in fields(Core)}, app=app)
