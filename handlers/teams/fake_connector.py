"""A stand-in for the Bot Connector, the token endpoint and the OpenID metadata + JWKS, on loopback.

Used by the tests (and later the demo): records every call, keeps activities so edits can be checked, and can
fail on demand (429 with Retry-After, 500, slow). It also holds the RSA key that signs the simulator's
activities, published as OpenID metadata and JWKS the way login.botframework.com publishes Microsoft's.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY_ID = "supportbot-test-key"


@dataclass
class Call:
    method: str
    path: str
    body: dict[str, Any]
    token: str | None
    status: int = 200
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    method: str
    path_contains: str
    status: int
    retry_after: int | None
    remaining: int


class SigningKey:
    """An RSA key pair: the private half signs (simulator), the public half is served as JWKS."""

    def __init__(self, kid: str = KEY_ID) -> None:
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.pem = self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}


class FakeConnector:
    def __init__(self) -> None:
        self.key = SigningKey()
        self.calls: list[Call] = []
        self.activities: dict[tuple[str, str], dict[str, Any]] = {}  # (conversation, id) -> activity as it is now
        self.faults: list[Fault] = []
        self.delay = 0.0
        self.flaky: tuple[random.Random, float] | None = None  # (seeded generator, share of activity posts refused)
        self.hold_after: int | None = None  # answer this many activity posts, then hold the rest (a kill test)
        self.hold_texts: frozenset[str] | None = None  # only posts with these texts count and are held
        self.held = 0
        self._released = threading.Event()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def service_url(self) -> str:
        return self.base_url + "/teams/"

    @property
    def token_url(self) -> str:
        return self.base_url + "/oauth2/v2.0/token"

    @property
    def openid_metadata_url(self) -> str:
        return self.base_url + "/v1/.well-known/openidconfiguration"

    def __enter__(self) -> FakeConnector:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(
        self, method: str, path_contains: str, status: int, *, retry_after: int | None = None, times: int = 1
    ) -> None:
        with self._lock:
            self.faults.append(Fault(method, path_contains, status, retry_after, times))

    def refuse_randomly(self, share: float, *, seed: int) -> None:
        """Answer about `share` of activity posts 429 with Retry-After: 0, chosen by a seeded generator."""
        with self._lock:
            self.flaky = (random.Random(seed), share)

    def hold_activity_posts_after(self, answered: int, *, texts: set[str] | None = None) -> None:
        """Once `answered` activity posts (with one of `texts`, if given) have had their 200, hold each later one
        unanswered until release()."""
        with self._lock:
            self.hold_after = answered
            self.hold_texts = frozenset(texts) if texts is not None else None
            self._released.clear()

    def release(self) -> None:
        """Let held requests go (answered 503: whoever sent them is usually gone) and hold nothing more."""
        with self._lock:
            self.hold_after = None
        self._released.set()

    def _should_hold(self, method: str, path: str, body: dict[str, Any]) -> bool:
        def counted(text: object) -> bool:
            return self.hold_texts is None or text in self.hold_texts

        with self._changed:
            if self.hold_after is None or method != "POST" or not path.rstrip("/").endswith("/activities"):
                return False
            if not counted(body.get("text")):
                return False
            answered = [
                c
                for c in self.calls
                if c.method == "POST"
                and c.path.endswith("/activities")
                and c.status == 200
                and counted(c.body.get("text"))
            ]
            if len(answered) < self.hold_after:
                return False
            self.held += 1
            self._changed.notify_all()
            return True

    def calls_to(self, method: str, path_contains: str = "") -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and path_contains in c.path]

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(list(self.calls)):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"the fake connector never saw what was expected; calls: {self.calls}")
                self._changed.wait(left)
            return list(self.calls)

    def _answer(
        self, method: str, path: str, body: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._changed:
            for fault in self.faults:
                if fault.remaining > 0 and fault.method == method and fault.path_contains in path:
                    fault.remaining -= 1
                    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                    self.calls.append(Call(method, path, body, token, fault.status))
                    self._changed.notify_all()
                    return fault.status, {"error": {"code": "Throttled" if fault.status == 429 else "Failure"}}, headers
            if self.flaky is not None and method == "POST" and path.rstrip("/").endswith("/activities"):
                generator, share = self.flaky
                if generator.random() < share:
                    self.calls.append(Call(method, path, body, token, 429))
                    self._changed.notify_all()
                    return 429, {"error": {"code": "Throttled"}}, {"Retry-After": "0"}
            status, answer = self._route(method, path, body)
            self.calls.append(Call(method, path, body, token, status))
            self._changed.notify_all()
            return status, answer, {}

    def _route(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        parts = path.split("?")[0].strip("/").split("/")
        if path.endswith("/openidconfiguration"):
            return 200, {
                "issuer": "https://api.botframework.com",
                "jwks_uri": self.base_url + "/v1/.well-known/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        if path.endswith("/.well-known/keys"):
            return 200, {"keys": [self.key.jwk()]}
        if path.endswith("/oauth2/v2.0/token"):
            return 200, {"token_type": "Bearer", "expires_in": 3600, "access_token": f"bot-token-{next(self._ids)}"}
        if parts[:2] == ["teams", "v3"] and parts[2:3] == ["conversations"]:
            rest = parts[3:]
            if method == "POST" and not rest:
                member = (body.get("members") or [{}])[0].get("id", "")
                return 200, {"id": f"a:personal-{member}"}
            if method == "POST" and len(rest) == 2 and rest[1] == "activities":
                activity_id = f"act-{next(self._ids)}"
                self.activities[(rest[0], activity_id)] = body
                return 200, {"id": activity_id}
            if method == "PUT" and len(rest) == 3 and rest[1] == "activities":
                if (rest[0], rest[2]) not in self.activities:
                    return 404, {"error": {"code": "ActivityNotFound"}}
                self.activities[(rest[0], rest[2])] = body
                return 200, {"id": rest[2]}
            if method == "GET" and len(rest) == 3 and rest[1] == "members":
                who = rest[2]
                return 200, {"id": f"29:{who}", "aadObjectId": who, "name": who}
        return 404, {"error": {"code": "NotFound", "message": path}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw and raw.lstrip()[:1] == b"{" else {}
                except ValueError:
                    body = {}
                if fake.delay:
                    time.sleep(fake.delay)
                if fake._should_hold(method, self.path, body):
                    fake._released.wait(60)
                    with fake._changed:  # seen by the test as a call that never got its 200
                        fake.calls.append(Call(method, self.path, body, None, 503))
                        fake._changed.notify_all()
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                auth = self.headers.get("Authorization")
                status, answer, headers = fake._answer(method, self.path, body, auth)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_PUT(self) -> None:
                self._serve("PUT")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
