"""Tokens both ways: the bot's outbound client-credentials token, and verification of inbound activities.

Outbound: the SDK's MSAL path refuses `http://` token endpoints (tests, sovereign proxies), so the SDK gets a
`token=` callable that posts client credentials to TEAMS_TOKEN_URL and caches the answer until shortly before
it expires. Inbound: the SDK's Bot Framework validator (RS256, issuer, audience = app id, `serviceurl` claim),
pointed at TEAMS_OPENID_METADATA_URL through its cloud-environment override; nothing here can turn it off.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

import jwt
from microsoft_teams.api.auth.cloud_environment import PUBLIC, with_overrides
from microsoft_teams.apps.auth.token_validator import TokenValidator

BOT_SCOPE = "https://api.botframework.com/.default"
BOT_ISSUER = "https://api.botframework.com"


class Unauthorized(Exception):
    """An inbound request whose token does not verify: answered 401, nothing changes."""


class ClientCredentialsToken:
    """A callable the SDK calls for each request: the cached bot token, fetched again near its expiry."""

    def __init__(
        self, *, token_url: str, app_id: str, password: str, wall: Callable[[], float] = time.time, timeout: float = 10
    ) -> None:
        self.token_url = token_url
        self._form = urllib.parse.urlencode(
            {"grant_type": "client_credentials", "client_id": app_id, "client_secret": password, "scope": BOT_SCOPE}
        ).encode()
        self.wall = wall
        self.timeout = timeout
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def __call__(self) -> str:
        with self._lock:
            if self._token is None or self.wall() >= self._expires_at:
                request = urllib.request.Request(self.token_url, data=self._form, method="POST")
                request.add_header("Content-Type", "application/x-www-form-urlencoded")
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    answer: dict[str, Any] = json.loads(response.read().decode())
                self._token = str(answer["access_token"])
                lifetime = float(answer.get("expires_in", 3600))
                self._expires_at = self.wall() + max(0.0, lifetime - 300)  # renew five minutes early
            return self._token

    def __repr__(self) -> str:  # never show the secret or the token
        return f"ClientCredentialsToken(token_url={self.token_url!r})"


class InboundVerifier:
    """Bot Framework JWTs as the SDK checks them; only the Bot Framework issuer (no Entra agent tokens)."""

    def __init__(self, *, app_id: str, openid_metadata_url: str) -> None:
        cloud = with_overrides(PUBLIC, openid_metadata_url=openid_metadata_url, token_issuer=BOT_ISSUER)
        self.validator = TokenValidator.for_service(app_id, cloud=cloud)
        self.app_id = app_id

    async def verify(self, authorization: str | None, service_url: str | None) -> dict[str, Any]:
        """The token's claims, or Unauthorized: bad scheme, signature, issuer, audience, expiry or serviceurl."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("no bearer token")
        if not service_url:
            raise Unauthorized("the activity names no serviceUrl")
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != "RS256":
                raise Unauthorized("not RS256")
            claims = await self.validator.validate_token(token.strip(), service_url)
        except (jwt.PyJWTError, ValueError, KeyError) as error:
            raise Unauthorized(str(error)) from None
        if claims.get("aud") != self.app_id:  # the SDK also accepts api://<id>; the contract says the app id
            raise Unauthorized("wrong audience")
        return claims
