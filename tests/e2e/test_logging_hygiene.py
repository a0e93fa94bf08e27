"""No token, signing secret or ticket body (title, description, notes) in any log record at INFO or above."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from handlers.slack.fake_api import FakeSlack
from tests.conftest import REPO
from tests.e2e.conftest import ALICE, ERIN, SECRET, Desk, dm

TOKEN = "xoxb-test-token"
TITLE = "Quokka-19 payroll export hangs"
DESCRIPTION = "Since the Kestrel upgrade the export of batch 4471 never ends."
NOTE = "Tried the Marmoset workaround on the export host"
RESOLUTION = "Pelican patch applied to the batch runner"
FAILED_TITLE = "Wombat-88 cannot reach the ledger"
FAILED_DESCRIPTION = "Ledger times out for the Capybara team."
SECRETS = (TOKEN, SECRET, TITLE, DESCRIPTION, NOTE, RESOLUTION, FAILED_TITLE, FAILED_DESCRIPTION)


def leaked(records: list[logging.LogRecord]) -> list[str]:
    """Each record at INFO+ as a handler would write it, traceback included, that holds a secret or a body."""
    formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    shown = [formatter.format(r) for r in records if r.levelno >= logging.INFO]
    return [line for line in shown if any(secret in line for secret in SECRETS)]


def break_ticket_inserts(desk: Desk) -> None:
    """The database refuses new tickets (a full disk, say): the request fails after its ack."""
    with desk.runtime.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_tickets BEFORE INSERT ON tickets "
                    "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE FUNCTION refuse_tickets() RETURNS trigger AS $$ "
                    "BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_tickets BEFORE INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION refuse_tickets()"
                )
            )


def test_a_full_flow_with_failures_logs_no_secret_and_no_ticket_body(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ref = desk.open_ticket(title=TITLE, description=DESCRIPTION)
    desk.act(ALICE, dm(ALICE), ref, "ticket_escalate")
    view = desk.fake.wait_for_count("views.open", 2)[-1].args["view"]
    desk.fake.fail_next("chat.postMessage", status=500, count=3)  # Slack falls over as the handover goes out
    desk.fake.fail_next("chat.postMessage", status=200, error="channel_not_found")  # then a permanent error
    assert desk.sim.submit(ALICE, view, {"note": NOTE}).body == ""
    desk.fake.wait_for_count("chat.postMessage!failed", 4)
    desk.settle()
    desk.clock.advance(timedelta(minutes=1))  # past the back-off: the handover is retried and arrives
    desk.runtime.worker.kick()
    desk.fake.wait_for(lambda calls: bool(desk.posts_to(ERIN)))
    desk.act(ERIN, dm(ERIN), ref, "ticket_resolve")
    view = desk.fake.wait_for_count("views.open", 3)[-1].args["view"]
    assert desk.sim.submit(ERIN, view, {"resolution": RESOLUTION}).body == ""
    desk.fake.wait_for(lambda calls: any(RESOLUTION in c.text for c in desk.fake.calls_to("chat.postMessage")))

    break_ticket_inserts(desk)
    modal = desk.open_modal("U6SAM", FAILED_TITLE)
    reply = desk.sim.submit(
        "U6SAM", modal, {"title": FAILED_TITLE, "description": FAILED_DESCRIPTION, "type": "support_query"}
    )
    assert reply.status == 200
    desk.fake.wait_for(lambda calls: any("Sorry" in c.text for c in desk.posts_to("U6SAM")))
    desk.settle()

    at_info = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert any("unhandled" in r.getMessage() for r in at_info)  # the failure was logged, with its traceback
    assert any(r.name == "bot.delivery" for r in at_info)  # and so were Slack's failures
    assert leaked(caplog.records) == []


def test_serve_logs_its_start_without_the_token_or_signing_secret(database_url: str, config_path: Path) -> None:
    token, secret = "xoxb-1111-very-secret-token", "abcdef0123456789signing"
    with FakeSlack() as fake:
        log = _serve_until_listening(fake.api_url, token, secret, database_url, config_path)
    assert "starting with Settings(" in log and "HTTP mode" in log, log
    assert token not in log and secret not in log


def _serve_until_listening(api_url: str, token: str, secret: str, database_url: str, config_path: Path) -> str:
    """Start `supportbot serve` (our own child process), read its log until it listens, then stop it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0"],
        cwd=config_path.parent,
        env={
            **os.environ,
            "PYTHONPATH": str(REPO),
            "SLACK_BOT_TOKEN": token,
            "SLACK_SIGNING_SECRET": secret,
            "SLACK_API_URL": api_url,
            "DATABASE_URL": database_url,
            "SUPPORTBOT_CONFIG": str(config_path),
            "SUPPORTBOT_LOG_LEVEL": "INFO",
        },
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    lines: list[str] = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if "HTTP mode" in line:
                break
    finally:
        process.terminate()
        process.wait(timeout=30)
        watchdog.cancel()
    return "".join(lines)
