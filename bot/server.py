"""HTTP mode: the front door. Slack posts to /slack/events; /healthz answers 200 when the database is reachable."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from waitress.server import create_server

from bot.app import Runtime
from bot.rota_feed import rota_feed
from handlers.slack.app import StartResponse, WsgiApp, events_endpoint
from storage.db import is_reachable

log = logging.getLogger(__name__)


def make_wsgi_app(runtime: Runtime) -> WsgiApp:
    slack = events_endpoint(runtime.app) if runtime.app is not None else None
    teams = runtime.teams.endpoint if runtime.teams is not None else None

    def wsgi_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            healthy = is_reachable(runtime.engine)
            body = b"ok\n" if healthy else b"database unreachable\n"
            start_response("200 OK" if healthy else "503 Service Unavailable", [("Content-Type", "text/plain")])
            return [body]
        if (feed := rota_feed(runtime, environ, start_response)) is not None:  # GET /rota/<line>.ics?token=
            return feed
        if teams is not None and environ.get("PATH_INFO") == "/api/messages":
            return teams(environ, start_response)
        if slack is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        return slack(environ, start_response)

    return wsgi_app


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
