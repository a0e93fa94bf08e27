"""Runtime settings from the environment, read once at start-up and passed in."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///supportbot.db"
DEFAULT_TEAMS_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"


def default_teams_token_url(tenant_id: str | None) -> str:
    """The single-tenant client-credentials endpoint of the bot's Azure registration."""
    return f"https://login.microsoftonline.com/{tenant_id or 'botframework.com'}/oauth2/v2.0/token"


@dataclass(frozen=True)
class Settings:
    bot_token: str | None
    signing_secret: str | None
    app_token: str | None  # set: Socket Mode
    api_url: str | None  # base URL of the Slack Web API, e.g. a local stand-in
    database_url: str
    config_path: Path
    # Teams is on when teams_app_id is set (PRODUCT.md "Teams"): the bot's single-tenant Azure registration.
    teams_app_id: str | None = None
    teams_app_password: str | None = None
    teams_tenant_id: str | None = None
    teams_openid_metadata_url: str = DEFAULT_TEAMS_OPENID_METADATA_URL
    teams_token_url: str | None = None  # None: Microsoft's, for teams_tenant_id

    @property
    def slack_enabled(self) -> bool:
        return self.bot_token is not None

    @property
    def teams_enabled(self) -> bool:
        return self.teams_app_id is not None

    @property
    def effective_teams_token_url(self) -> str:
        return self.teams_token_url or default_teams_token_url(self.teams_tenant_id)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN") or None,
            signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            app_token=env.get("SLACK_APP_TOKEN") or None,
            api_url=env.get("SLACK_API_URL") or None,
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            config_path=Path(env.get("SUPPORTBOT_CONFIG") or "supportbot.yml"),
            teams_app_id=env.get("TEAMS_APP_ID") or None,
            teams_app_password=env.get("TEAMS_APP_PASSWORD") or None,
            teams_tenant_id=env.get("TEAMS_TENANT_ID") or None,
            teams_openid_metadata_url=env.get("TEAMS_OPENID_METADATA_URL") or DEFAULT_TEAMS_OPENID_METADATA_URL,
            teams_token_url=env.get("TEAMS_TOKEN_URL") or None,
        )

    def __repr__(self) -> str:  # never show secrets in logs or tracebacks
        return (
            f"Settings(database_url={_redact_url(self.database_url)!r}, config_path={str(self.config_path)!r}, "
            f"api_url={self.api_url!r}, socket_mode={self.app_token is not None}, teams_app_id={self.teams_app_id!r})"
        )


def _redact_url(url: str) -> str:
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
