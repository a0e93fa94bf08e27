"""`supportbot outbox list|redrive` on a real database: dead letters listed without secrets, re-driven
(audited) and then delivered; an unknown id is refused with a clear message and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import build_core
from bot.cli import main
from bot.settings import Settings
from handlers.slack.fake_api import FakeSlack
from services.clock import ManualClock
from storage.models import AuditRow, OutboxRow
from storage.outbox import Outbox
from tests.conftest import TUESDAY_10AM


def test_list_redrive_and_unknown_ids(
    monkeypatch: pytest.MonkeyPatch, database_url: str, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeSlack() as fake:
        for name, value in {
            "SLACK_BOT_TOKEN": "xoxb-secret-token",
            "SLACK_API_URL": fake.api_url,
            "DATABASE_URL": database_url,
            "SUPPORTBOT_CONFIG": str(config_path),
        }.items():
            monkeypatch.setenv(name, value)
        core = build_core(Settings.from_env(), clock=ManualClock(TUESDAY_10AM))
        try:
            with core.sessions.begin() as session:
                Outbox(session, TUESDAY_10AM).post("C0GONE", {"text": "SUP-3 lost"})
            fake.fail_next("chat.postMessage", status=200, error="channel_not_found", channel="C0GONE")
            assert core.worker.drain() == 1  # the leads' notice

            assert main(["outbox", "list", "--dead", "--json"]) == 0
            (dead,) = json.loads(capsys.readouterr().out)
            assert {k: dead[k] for k in ("id", "status", "channel", "operation", "attempts")} == {
                "id": 1,
                "status": "dead",
                "channel": "C0GONE",
                "operation": "post",
                "attempts": 1,
            }
            assert dead["last_error"] == "channel_not_found (HTTP 200)"
            assert main(["outbox", "list"]) == 0
            table = capsys.readouterr().out
            assert "C0GONE" in table and "channel_not_found" in table and "xoxb" not in table

            assert main(["outbox", "redrive", "1", "99"]) == 2
            assert "no outbox message with id 99" in capsys.readouterr().err
            assert main(["outbox", "redrive", "2"]) == 2  # the notice was sent: not a dead letter
            assert "not dead: 2 (sent)" in capsys.readouterr().err

            assert main(["outbox", "redrive", "--all-dead", "--actor", "U8LEAD"]) == 0
            assert "re-driven 1 message(s): 1" in capsys.readouterr().out
            assert core.worker.drain() == 1  # the channel exists again: delivered
            assert [c.channel for c in fake.calls_to("chat.postMessage")][-1] == "C0GONE"
            with core.sessions() as session:
                (audit,) = session.scalars(select(AuditRow).where(AuditRow.action == "outbox_redrive")).all()
                assert (audit.actor_id, audit.action, audit.subject) == ("U8LEAD", "outbox_redrive", "outbox:1")
                assert session.get_one(OutboxRow, 1).status == "sent"
            assert main(["outbox", "list", "--dead"]) == 0
            assert capsys.readouterr().out == "no dead letters\n"
        finally:
            core.close()
