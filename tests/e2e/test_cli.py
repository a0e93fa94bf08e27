"""The `supportbot` command as a user runs it: the demo plays to the end, config errors stop it with status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def supportbot(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_demo_plays_the_whole_scenario_with_the_real_app(tmp_path: Path) -> None:
    result = supportbot("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "#triage        supportbot: SUP-1 VPN drops every few minutes" in out
    assert "only the assignee" in out  # the outsider was refused
    assert "@alice has picked up SUP-1" in out
    assert "@erin is now handling it" in out
    assert "@erin has resolved SUP-1" in out
    assert "Slack Web API calls, every one of them made by the real app" in out
    assert not list(tmp_path.iterdir()), "the demo leaves nothing behind"


def test_check_config_accepts_the_example_and_names_the_line_of_an_error(tmp_path: Path) -> None:
    ok = supportbot("check-config", str(REPO / "supportbot.example.yml"), cwd=tmp_path)
    assert ok.returncode == 0 and "ok" in ok.stdout
    bad = tmp_path / "supportbot.yml"
    bad.write_text((REPO / "supportbot.example.yml").read_text().replace('"mon 09:00"', '"mon 25:00"', 1))
    result = supportbot("check-config", cwd=tmp_path)
    assert result.returncode == 2
    assert "supportbot.yml:13: rotas.first_line.handover:" in result.stderr


def test_serve_refuses_to_start_without_its_settings(tmp_path: Path) -> None:
    clean = {k: "" for k in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")}
    no_token = supportbot("serve", cwd=tmp_path, env=clean)
    assert no_token.returncode == 2 and "SLACK_BOT_TOKEN is not set" in no_token.stderr
    no_config = supportbot(
        "serve", cwd=tmp_path, env={**clean, "SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "s"}
    )
    assert no_config.returncode == 2 and "supportbot.yml: no such file" in no_config.stderr
    assert not (tmp_path / "supportbot.db").exists(), "nothing is created before the settings are right"
