"""HTTP mode: the front door. Slack posts to /slack/events; /healthz answers 200 when the database is reachable."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from waitress.server import create_server

from bot.app import Runtime
from bot.rota_feed import rota_feed
from handlers.fanout import SLACK, TEAMS, record_last_used
from handlers.slack.app import StartResponse, WsgiApp, events_endpoint
from handlers.slack.people import slack_actor
from handlers.teams.activity import Inbound
from storage.db import is_reachable

log = logging.getLogger(__name__)


def make_wsgi_app(runtime: Runtime) -> WsgiApp:
    slack = events_endpoint(runtime.app) if runtime.app is not None else None
    teams: WsgiApp | None = runtime.teams.endpoint if runtime.teams is not None else None
    if slack is not None and teams is not None:  # one desk on both: note where each person last acted
        slack = _noting_last_used(runtime, slack, SLACK)
        teams = _noting_last_used(runtime, teams, TEAMS)

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


MAX_NOTED_BODY = 1024 * 1024  # larger bodies pass through unread here: no endpoint accepts them anyway


class _ThenRecord:
    """The endpoint's answer, with the last-used note taken once the server has sent it (WSGI close()), so
    noting it never delays the answer, and a database hiccup here never turns an answer into an error."""

    def __init__(self, answer: Iterable[bytes], record: Callable[[], None]) -> None:
        self.answer = answer
        self.record = record

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.answer)

    def close(self) -> None:
        try:
            close = getattr(self.answer, "close", None)
            if close is not None:
                close()
        finally:
            try:
                self.record()
            except Exception:
                log.warning("could not note where someone last acted", exc_info=True)


def _noting_last_used(runtime: Runtime, endpoint: WsgiApp, platform: str) -> WsgiApp:
    """The endpoint, then (once it has accepted the request: verified, answered 2xx, and the answer is sent)
    the actor's last-used platform recorded, so the next message to a person known on both goes where they are."""

    def noting(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if not 0 < length <= MAX_NOTED_BODY:
            return endpoint(environ, start_response)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        accepted: list[bool] = []

        def noting_status(status: str, headers: list[tuple[str, str]], *exc: Any) -> Callable[[bytes], object]:
            accepted.append(status.startswith("2"))
            write: Callable[[bytes], object] = start_response(status, headers, *exc)
            return write

        answer = endpoint(environ, noting_status)
        content_type = str(environ.get("CONTENT_TYPE") or "")

        def record() -> None:
            if accepted and accepted[0]:
                _record(runtime, platform, body, content_type)

        return _ThenRecord(answer, record)

    return noting


def _record(runtime: Runtime, platform: str, body: bytes, content_type: str) -> None:
    if platform == SLACK:
        actor, tenant = slack_actor(body, content_type), ""
    else:
        try:
            activity = json.loads(body)
        except ValueError:
            return
        if not isinstance(activity, dict):
            return
        inbound = Inbound.parse(activity)
        actor, tenant = inbound.aad_object_id or inbound.user_id or None, inbound.tenant or ""
    if actor:
        record_last_used(runtime.sessions, platform=platform, external_id=actor, tenant=tenant, now=runtime.clock.now())


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
