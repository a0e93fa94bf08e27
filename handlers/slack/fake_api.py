"""A stand-in for the Slack Web API on loopback that records every call (as slack-bolt's own tests do).

Used by `supportbot demo`, the tests and the benchmark. It answers the methods supportbot uses with
realistic shapes, keeps posted messages so chat.update can find them, and can fail on demand: an error
status (429 with Retry-After, 5xx, ok=false), a dropped connection, a slow answer, or a seeded random
mix of those across methods.
"""

from __future__ import annotations

import itertools
import json
import random
import select
import socket
import threading
import time
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
    at: float = field(default_factory=time.monotonic)  # when it was answered (pacing checks)

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
    drop: bool = False  # close the connection without answering
    channel: str | None = None  # only calls to this channel (None: any)


@dataclass
class Slowness:
    method: str | None  # None: every Web API method
    seconds: float
    remaining: int | None  # None: until heal()


@dataclass
class Chaos:
    """Fail a share of calls at random, from a seeded generator so a run can be repeated."""

    rate: float
    rng: random.Random
    methods: frozenset[str]
    kinds: tuple[str, ...]  # "500", "503", "429", "drop", "ok_false"
    retry_after: int


_DROP = -1  # _handle's status for "close the connection without answering"


def _peer_closed(connection: socket.socket) -> bool:
    """Whether the client has closed its end (readable, and a peek reads nothing)."""
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


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
        self.directory: dict[str, str] = {}  # email -> user id, answered by users.lookupByEmail (a test sets it)
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._faults: list[Fault] = []
        self._slowness: list[Slowness] = []
        self._chaos: Chaos | None = None
        self.in_flight = 0  # requests being held back by slow_down()
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
                method = self.path.rsplit("/", 1)[-1]
                if not self.path.startswith("/response/") and not fake._hold(method, self.connection):
                    fake._record(Call(f"{method}!aborted", args, token))  # the caller went away while waiting
                    self.close_connection = True
                    return
                status, headers, body = fake._handle(self.path, args, token)
                if status == _DROP:
                    self.close_connection = True  # no answer at all: the client sees the connection drop
                    return
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
        channel: str | None = None,
    ) -> None:
        """Make the next `count` calls to `method` (to `channel`, if given) fail (429 with Retry-After, 5xx,
        or ok=false)."""
        with self._cond:
            self._faults.append(Fault(method, status, error, retry_after, count, channel=channel))

    def drop_next(self, method: str, *, count: int = 1) -> None:
        """Close the connection of the next `count` calls to `method` without answering (nothing is applied)."""
        with self._cond:
            self._faults.append(Fault(method, 0, None, None, count, drop=True))

    def slow_down(self, seconds: float, *, method: str | None = None, count: int | None = None) -> None:
        """Hold each answer (to `method`, or every Web API method) for `seconds`; if the caller goes away
        meanwhile, the call is recorded as `<method>!aborted` and not applied."""
        with self._cond:
            self._slowness.append(Slowness(method, seconds, count))

    def chaos(
        self,
        rate: float,
        *,
        seed: int = 0,
        methods: tuple[str, ...] = ("chat.postMessage", "chat.update"),
        kinds: tuple[str, ...] = ("500", "503", "429", "drop", "ok_false"),
        retry_after: int = 0,
    ) -> None:
        """Fail about `rate` of the calls to `methods` with one of `kinds`, drawn from random.Random(seed)."""
        with self._cond:
            self._chaos = Chaos(rate, random.Random(seed), frozenset(methods), kinds, retry_after)

    def heal(self) -> None:
        """Slack is back: forget every fault still pending (and any slowness or random failures)."""
        with self._cond:
            self._faults.clear()
            self._slowness.clear()
            self._chaos = None

    def wait_in_flight(self, count: int = 1, timeout: float = 10.0) -> None:
        """Wait until at least `count` requests are being held by slow_down() (to act mid-request)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.in_flight >= count, timeout=timeout):
                raise AssertionError(f"fewer than {count} requests in flight after {timeout}s")

    def _hold(self, method: str, connection: socket.socket) -> bool:
        """Apply slow_down(); False when the caller closed the connection while it waited."""
        with self._cond:
            slow = next(
                (s for s in self._slowness if s.method in (None, method) and (s.remaining is None or s.remaining > 0)),
                None,
            )
            if slow is None:
                return True
            if slow.remaining is not None:
                slow.remaining -= 1
            self.in_flight += 1
            self._cond.notify_all()
        try:
            time.sleep(slow.seconds)
        finally:
            with self._cond:
                self.in_flight -= 1
                self._cond.notify_all()
        return not _peer_closed(connection)

    def _next_fault(self, method: str, channel: str | None) -> Fault | None:
        with self._cond:
            fault = next(
                (f for f in self._faults if f.method == method and f.remaining > 0 and f.channel in (None, channel)),
                None,
            )
            if fault:
                fault.remaining -= 1
                return fault
            chaos = self._chaos
            if chaos is None or method not in chaos.methods or chaos.rng.random() >= chaos.rate:
                return None
            kind = chaos.rng.choice(chaos.kinds)
        if kind == "drop":
            return Fault(method, 0, None, None, 0, drop=True)
        if kind == "429":
            return Fault(method, 429, "ratelimited", chaos.retry_after, 0)
        if kind == "ok_false":
            return Fault(method, 200, "service_unavailable", None, 0)
        return Fault(method, int(kind), None, None, 0)

    def reset(self) -> None:
        """Forget the calls recorded so far (the ack benchmark starts each measured run on a clean slate)."""
        with self._cond:
            self.calls.clear()

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
        fault = self._next_fault(method, str(args.get("channel") or "") or None)
        if fault and fault.drop:
            self._record(Call(f"{method}!dropped", args, token))
            return _DROP, {}, ""
        if fault:
            self._record(Call(f"{method}!failed", args, token, {"status": fault.status, "error": fault.error}))
            headers = {"Content-Type": "application/json"}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            if fault.status == 200:
                return 200, headers, json.dumps({"ok": False, "error": fault.error or "fatal_error"})
            default = "ratelimited" if fault.status == 429 else "internal_error"
            return fault.status, headers, json.dumps({"ok": False, "error": fault.error or default})
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
        if method == "users.lookupByEmail":
            user = self.directory.get(str(args.get("email") or "").strip().lower())
            if user is None:
                return {"ok": False, "error": "users_not_found"}
            return {"ok": True, "user": {"id": user, "team_id": TEAM, "profile": {"email": args.get("email")}}}
        if method == "apps.connections.open":
            if self.socket_mode_url is None:
                return {"ok": False, "error": "not_allowed_token_type"}
            return {"ok": True, "url": self.socket_mode_url}
        if method == "conversations.open":
            users = str(args.get("users", "")).split(",")[0]
            return {"ok": True, "channel": {"id": "D" + users[1:]}}
        return {"ok": True}
