"""GET /rota/<line>.ics?token=...: a line's calendar for subscription, behind the secret token in the meta table."""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from rota.ical import rota_calendar
from rota.rotation import SupportLine
from storage.rota_meta import calendar_token

FEED_PATH = re.compile(r"^/rota/(?P<line>[A-Za-z0-9_-]+)\.ics$")
WEEKS = 8

StartResponse = Callable[..., Any]


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [text.encode()]


def rota_feed(runtime: Any, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes] | None:
    """The calendar response, or None when the request is not for a feed (the caller routes it on)."""
    match = FEED_PATH.match(environ.get("PATH_INFO") or "")
    if match is None or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    rota = runtime.deps.rota  # the stored rota: a line added by `rota import` has a calendar too
    lines = {line.value: line for line in rota.rotations}
    line: SupportLine | None = lines.get(match["line"])
    if line is None:
        return _plain(start_response, "404 Not Found", "no such rota\n")
    given = parse_qs(environ.get("QUERY_STRING") or "").get("token", [""])[0]
    with runtime.deps.read_sessions.begin() as session:
        expected = calendar_token(session)  # seeding made it at start-up: a plain read
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return _plain(start_response, "403 Forbidden", "wrong or missing token\n")
    body = rota_calendar(rota, line, now=runtime.clock.now(), weeks=WEEKS)
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/calendar; charset=utf-8"),
            ("Content-Disposition", f'inline; filename="{line.value}.ics"'),
            ("Cache-Control", "private, max-age=300"),
        ],
    )
    return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]
