"""`POST /api/messages`: the Teams endpoint, as a WSGI app mounted by bot/server.py beside /slack/events.

The request is verified first (the SDK's Bot Framework token validator, run on the Teams loop thread); a token
that does not verify gets 401 before anything is parsed further or written. Invokes are answered in the response.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from handlers.teams.activity import Inbound
from handlers.teams.auth import InboundVerifier, Unauthorized
from handlers.teams.listeners import TeamsListeners
from handlers.teams.loop import LoopThread

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
MAX_BODY = 1024 * 1024


class TeamsEndpoint:
    def __init__(self, *, verifier: InboundVerifier, loop: LoopThread, listeners: TeamsListeners) -> None:
        self.verifier = verifier
        self.loop = loop
        self.listeners = listeners

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _answer(start_response, "405 Method Not Allowed", None)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            return _answer(start_response, "413 Payload Too Large", None)
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            body = json.loads(raw)
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            return _answer(start_response, "400 Bad Request", None)
        try:
            self.loop.run(self.verifier.verify(environ.get("HTTP_AUTHORIZATION"), body.get("serviceUrl")))
        except Unauthorized as refused:
            log.info("refused a Teams request: %s", refused)
            return _answer(start_response, "401 Unauthorized", None)
        inbound = Inbound.parse(body)
        if inbound.type == "message":
            self.listeners.handle_message(inbound)
            return _answer(start_response, "200 OK", None)
        if inbound.type == "invoke":
            return _answer(start_response, "200 OK", self.listeners.handle_invoke(inbound))
        if inbound.type == "conversationUpdate":
            self.listeners.handle_conversation_update(inbound)
        return _answer(start_response, "200 OK", None)


def _answer(start_response: StartResponse, status: str, body: dict[str, Any] | None) -> list[bytes]:
    if body is None:
        start_response(status, [("Content-Length", "0")])
        return [b""]
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]
