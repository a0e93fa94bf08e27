"""HTTP mode: Slack posts to /slack/events; /healthz answers 200 when the database is reachable."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress.server import create_server

from bot.app import Runtime
from bot.rota_feed import rota_feed
from storage.db import is_reachable

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]


def make_wsgi_app(runtime: Runtime) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    slack = SlackRequestHandler(runtime.app, path="/slack/events")

    def wsgi_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            healthy = is_reachable(runtime.engine)
            body = b"ok\n" if healthy else b"database unreachable\n"
            start_response("200 OK" if healthy else "503 Service Unavailable", [("Content-Type", "text/plain")])
            return [body]
        if (feed := rota_feed(runtime, environ, start_response)) is not None:  # GET /rota/<line>.ics?token=
            return feed
        if environ.get("PATH_INFO") == "/slack/events" and not _readable_timestamp(environ):
            start_response("401 Unauthorized", [("Content-Type", "text/plain")])  # slack_sdk raises on it: a 500
            return [b"invalid request\n"]
        try:
            return slack(environ, start_response)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):  # Bolt parses before it verifies
            log.warning("refused a request whose body could not be read as a Slack payload")
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"invalid request\n"]

    return wsgi_app


def _readable_timestamp(environ: dict[str, Any]) -> bool:
    """Slack's request timestamp is whole seconds; anything else cannot have been signed by Slack."""
    stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    return stamp is None or (stamp.isascii() and stamp.isdigit())


def make_http_server(runtime: Runtime, *, host: str = "0.0.0.0", port: int = 3000, threads: int = 16) -> Any:
    """A waitress server (threaded, production-grade); port 0 picks a free port (see .effective_port)."""
    return create_server(make_wsgi_app(runtime), host=host, port=port, threads=threads, ident="supportbot")


def serve_in_background(server: Any, name: str = "supportbot-http") -> threading.Thread:
    """Run the server on a thread (demo, tests). Closing it under the select loop is a normal way to stop."""

    def run() -> None:
        try:
            server.run()
        except OSError:  # the listening socket was closed by server.close()
            pass

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
