"""Runtime settings from the environment, read once at start-up and passed in."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///supportbot.db"


@dataclass(frozen=True)
class Settings:
    bot_token: str | None
    signing_secret: str | None
    app_token: str | None  # set: Socket Mode
    api_url: str | None  # base URL of the Slack Web API, e.g. a local stand-in
    database_url: str
    config_path: Path

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
        )

    def __repr__(self) -> str:  # never show secrets in logs or tracebacks
        return (
            f"Settings(database_url={_redact_url(self.database_url)!r}, config_path={str(self.config_path)!r}, "
            f"api_url={self.api_url!r}, socket_mode={self.app_token is not None})"
        )


def _redact_url(url: str) -> str:
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
