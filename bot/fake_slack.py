"""A stand-in for the Slack Web API on loopback that records every call (as slack-bolt's own tests do).

Used by `supportbot demo`, the tests and the benchmark. It answers the methods supportbot uses with
realistic shapes, keeps posted messages so chat.update can find them, and can fail on demand.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER = "U0SUPPORTBOT"
TEAM = "T0SUPPORT"


@dataclass
class Call:
    method: str  # Web API method, or "response_url" for posts to a response_url
    args: dict[str, Any]
    token: str | None = None
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def channel(self) -> str | None:
        return self.args.get("channel")

    @property
    def text(self) -> str:
        return str(self.args.get("text") or "")


@dataclass
class Fault:
    method: str
    status: int
    error: str | None
    retry_after: int | None
    remaining: int


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


class FakeSlack:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.socket_mode_url: str | None = None  # what apps.connections.open hands out, when a test sets it
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._faults: list[Fault] = []
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                if "json" in (self.headers.get("Content-Type") or ""):
                    args = json.loads(raw or "{}")
                else:
                    args = {k: v[0] for k, v in parse_qs(raw).items()}
                args = {k: _decode(v) for k, v in args.items()}
                auth = self.headers.get("Authorization") or ""
                token = auth.removeprefix("Bearer ") or args.get("token")
                status, headers, body = fake._handle(self.path, args, token)
                payload = body.encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-slack", daemon=True)

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests use -------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        error: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """Make the next `count` calls to `method` fail (429 with Retry-After, 5xx, or ok=false)."""
        with self._cond:
            self._faults.append(Fault(method, status, error, retry_after, count))

    def heal(self) -> None:
        """Slack is back: forget every fault still pending."""
        with self._cond:
            self._faults.clear()

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 10.0) -> list[Call]:
        """Wait until the recorded calls satisfy `predicate`; raises AssertionError with the calls if not."""
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self.calls), timeout=timeout):
                seen = "\n".join(f"  {c.method} {c.channel or ''} {c.text[:80]!r}" for c in self.calls)
                raise AssertionError(f"fake Slack did not see the expected calls within {timeout}s; it saw:\n{seen}")
            return list(self.calls)

    def wait_for_count(self, method: str, count: int, timeout: float = 10.0) -> list[Call]:
        self.wait_for(lambda calls: sum(c.method == method for c in calls) >= count, timeout)
        return self.calls_to(method)

    # -- the API --------------------------------------------------------------------------

    def _handle(self, path: str, args: dict[str, Any], token: str | None) -> tuple[int, dict[str, str], str]:
        if path.startswith("/response/"):
            call = Call("response_url", args, token, {"ok": True})
            self._record(call)
            return 200, {"Content-Type": "text/plain"}, "ok"
        method = path.rsplit("/", 1)[-1]
        with self._cond:
            fault = next((f for f in self._faults if f.method == method and f.remaining > 0), None)
            if fault:
                fault.remaining -= 1
        if fault:
            self._record(Call(f"{method}!failed", args, token, {"status": fault.status, "error": fault.error}))
            headers = {"Content-Type": "application/json"}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            if fault.status == 200:
                return 200, headers, json.dumps({"ok": False, "error": fault.error or "fatal_error"})
            return fault.status, headers, json.dumps({"ok": False, "error": fault.error or "internal_error"})
        if not token:
            response: dict[str, Any] = {"ok": False, "error": "not_authed"}
        else:
            response = self._respond(method, args)
        self._record(Call(method, args, token, response))
        return 200, {"Content-Type": "application/json"}, json.dumps(response)

    def _record(self, call: Call) -> None:
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()

    def _respond(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://support.example.slack.com/",
                "team": "Support",
                "user": "supportbot",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": "B0SUPPORTBOT",
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            channel = str(args.get("channel", ""))
            if channel[:1] in ("U", "W"):  # a user id posts to the app's DM with them
                channel = "D" + channel[1:]
            ts = f"{1_700_000_000 + next(self._ts)}.000100"
            message = {"text": args.get("text"), "blocks": args.get("blocks"), "ts": ts, "user": BOT_USER}
            with self._cond:
                self.messages[(channel, ts)] = message
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            key = (str(args.get("channel")), str(args.get("ts")))
            with self._cond:
                if key not in self.messages:
                    return {"ok": False, "error": "message_not_found"}
                self.messages[key].update(text=args.get("text"), blocks=args.get("blocks"))
            return {"ok": True, "channel": key[0], "ts": key[1], "text": args.get("text")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1_700_000_000 + next(self._ts)}.000200"}
        if method in ("views.open", "views.update", "views.push", "views.publish"):
            view = dict(args.get("view") or {})
            view.update(id=f"V{next(self._views):08d}", team_id=TEAM)
            return {"ok": True, "view": view}
        if method == "apps.connections.open":
            if self.socket_mode_url is None:
                return {"ok": False, "error": "not_allowed_token_type"}
            return {"ok": True, "url": self.socket_mode_url}
        if method == "conversations.open":
            users = str(args.get("users", "")).split(",")[0]
            return {"ok": True, "channel": {"id": "D" + users[1:]}}
        return {"ok": True}
