"""Slack's inbound side and its Web API client: the Bolt app with every listener, its WSGI handler, Socket Mode."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from handlers.slack import actions, commands, home, modals, rota_actions, rota_modals
from handlers.slack.errors import explain_error, tell_person
from services.unit_of_work import Deps

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _drop_token_unused_warning(record: logging.LogRecord) -> bool:
    """Bolt reads SLACK_BOT_TOKEN itself and then warns that our client's copy wins: true, and noise."""
    return "`token` will be unused" not in record.getMessage()


def make_web_client(*, token: str | None, api_url: str | None) -> WebClient:
    """The Web API client: SLACK_API_URL as base URL when set; retries for 429, 5xx and connection errors."""
    kwargs: dict[str, Any] = {}
    if api_url:
        kwargs["base_url"] = api_url if api_url.endswith("/") else api_url + "/"
    return WebClient(
        token=token,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
        **kwargs,
    )


def build_bolt_app(*, signing_secret: str, client: WebClient, deps: Deps) -> App:
    logging.getLogger("slack_bolt.App").addFilter(_drop_token_unused_warning)
    app = App(
        client=client,
        signing_secret=signing_secret,
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(max_workers=16, thread_name_prefix="bolt-listener"),
    )

    @app.error
    def handle_errors(error: Exception, body: dict[str, Any], respond: Any, client: WebClient) -> BoltResponse | None:
        """Errors outside listeners (middleware); listeners report their own via handlers.slack.errors."""
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


def events_endpoint(app: App) -> WsgiApp:
    """POST /slack/events: Bolt verifies the signature; what it cannot even parse is refused before it."""
    slack = SlackRequestHandler(app, path="/slack/events")

    def handle(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/slack/events" and not _readable_timestamp(environ):
            start_response("401 Unauthorized", [("Content-Type", "text/plain")])  # slack_sdk raises on it: a 500
            return [b"invalid request\n"]
        try:
            return slack(environ, start_response)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):  # Bolt parses before it verifies
            log.warning("refused a request whose body could not be read as a Slack payload")
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"invalid request\n"]

    return handle


def _readable_timestamp(environ: dict[str, Any]) -> bool:
    """Slack's request timestamp is whole seconds; anything else cannot have been signed by Slack."""
    stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    return stamp is None or (stamp.isascii() and stamp.isdigit())


def run_socket_mode(app: App, app_token: str) -> None:
    """Socket Mode: a WebSocket to Slack instead of a public URL; blocks until the process stops."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    SocketModeHandler(app, app_token).start()  # type: ignore[no-untyped-call]
