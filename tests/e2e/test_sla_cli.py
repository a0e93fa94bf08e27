"""`supportbot sweep`, `digest` and `sla due` as cron and people run them, against a fake Slack on loopback.

Most run `bot.cli.main` in-process (fast); one runs the real command in a subprocess. The sweep is
also run under freezegun with no `--at`, the way cron runs it: the system clock is the frozen one.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import freezegun
import pytest

from bot.app import build_core
from bot.cli import main
from bot.settings import Settings
from handlers.slack.fake_api import Call, FakeSlack
from services.clock import ManualClock
from tests.conftest import REPO
from tests.e2e.conftest import ALICE, ERIN, RIYA, TRIAGE
from triage.services import TicketDraft, open_ticket

LONDON = ZoneInfo("Europe/London")
LEADS_CHANNEL = "C0LEADS"
BATCH = REPO / "tests" / "payloads" / "sla_due_batch.jsonl"
TYPES = "technical_support, support_query, service_task, gdpr_request, bug_report, feature_request"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def cron_env(monkeypatch: pytest.MonkeyPatch, fake: FakeSlack, database_url: str, config_path: Path) -> None:
    """What a crontab line gives `supportbot`: the environment only."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", fake.api_url)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SUPPORTBOT_CONFIG", str(config_path))


def seed_ticket(when: datetime, *, priority: str = "P2", title: str = "VPN drops every few minutes") -> None:
    """A ticket opened at `when` by the running bot (another process), its announcements delivered."""
    core = build_core(Settings.from_env(), clock=ManualClock(when))
    try:
        draft = TicketDraft.parse(
            title=title, description="Since this morning.", type="technical_support", priority=priority
        )
        core.deps.run(
            lambda uow: open_ticket(draft=draft, requester_id=RIYA, origin_channel_id=None, **uow.ticket_ports())
        )
        assert core.worker.drain() == 3  # triage card, requester's confirmation, assignee's card
    finally:
        core.close()


def sla_posts(fake: FakeSlack, channel: str) -> list[str]:
    suffixes = ("due soon", "SLA breached", "for a working day")
    return [c.text for c in fake.calls_to("chat.postMessage") if c.channel == channel and c.text.endswith(suffixes)]


def posts_to(fake: FakeSlack, channel: str) -> list[Call]:
    return [c for c in fake.calls_to("chat.postMessage") if c.channel == channel]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# -- sweep --------------------------------------------------------------------------------------------


def test_sweep_under_frozen_time_sends_what_is_due_and_a_second_run_sends_nothing(
    cron_env: None, fake: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_ticket(datetime(2026, 11, 24, 10, 0, tzinfo=LONDON))
    with freezegun.freeze_time("2026-11-24 10:19:00"):  # naive: UTC, which is London time in November
        code, out, _ = run(["sweep"], capsys)
    assert code == 0
    assert out == (
        "sweep at 2026-11-24T10:19:00+00:00: 0 tickets checked: 0 near breach, 0 snoozed, 0 breach, 0 stale; "
        "0 overtaken by a breach; 0 message(s) delivered\n"
    )
    with freezegun.freeze_time("2026-11-24 10:20:00"):
        first = run(["sweep"], capsys)
        second = run(["sweep"], capsys)
    assert first[:2] == (
        0,
        "sweep at 2026-11-24T10:20:00+00:00: 1 tickets checked: 1 near breach, 0 snoozed, 0 breach, 0 stale; "
        "0 overtaken by a breach; 1 message(s) delivered\n",
    )
    assert second[0] == 0 and second[1].startswith("sweep at 2026-11-24T10:20:00+00:00: 0 tickets checked: 0 near")
    assert second[1].endswith("; 0 message(s) delivered\n")
    assert sla_posts(fake, ALICE) == ["SUP-1: response due soon"]


def test_sweep_at_a_given_time_twice_sends_the_breach_once(
    cron_env: None, fake: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_ticket(datetime(2026, 11, 24, 10, 0, tzinfo=LONDON))
    code, out, _ = run(["sweep", "--at", "2026-11-24T10:31:00+00:00"], capsys)
    assert code == 0
    # Posts to Alice, Erin and the triage channel, and the three cards updated to show the breach.
    assert out == (
        "sweep at 2026-11-24T10:31:00+00:00: 1 tickets checked: 0 near breach, 0 snoozed, 1 breach, 0 stale; "
        "1 overtaken by a breach; 6 message(s) delivered\n"
    )
    assert (
        sla_posts(fake, ALICE) == sla_posts(fake, ERIN) == sla_posts(fake, TRIAGE) == ["SUP-1: response SLA breached"]
    )
    assert len(fake.calls_to("chat.update")) == 3

    code, out, _ = run(["sweep", "--at", "2026-11-24T10:31"], capsys)  # no offset: the desk's local time
    assert code == 0
    assert out == (
        "sweep at 2026-11-24T10:31:00+00:00: 0 tickets checked: 0 near breach, 0 snoozed, 0 breach, 0 stale; "
        "0 overtaken by a breach; 0 message(s) delivered\n"
    )
    assert len(sla_posts(fake, ALICE)) == 1 and len(fake.calls_to("chat.update")) == 3


def test_sweep_with_a_broken_config_names_the_file_and_line_and_exits_2(
    cron_env: None, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path.write_text(config_path.read_text().replace('start: "08:00"', 'start: "25:00"'))
    code, out, err = run(["sweep", "--at", "2026-11-24T10:31:00+00:00"], capsys)
    assert (code, out) == (2, "")
    assert f"supportbot: error: {config_path}:4: working_hours.start: '25:00' is not a time of day like \"08:00\"" in (
        err.splitlines()
    )


# -- digest -------------------------------------------------------------------------------------------


def test_digest_at_a_given_time_posts_to_the_leads_channel(
    cron_env: None, fake: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_ticket(datetime(2026, 11, 24, 10, 0, tzinfo=LONDON))
    code, out, _ = run(["digest", "--at", "2026-11-24T10:35:00+00:00"], capsys)
    assert code == 0
    assert out == "daily digest at 2026-11-24T10:35:00+00:00 posted to C0LEADS; 1 message(s) delivered\n"
    (digest,) = posts_to(fake, LEADS_CHANNEL)
    # The response was due at 10:30; nothing else falls due in the next two working hours (review: 14:00).
    assert digest.text == "Daily support digest: 1 open, 1 created, 0 resolved, 1 breached, 0 about to breach"
    blocks = json.dumps(digest.args["blocks"], ensure_ascii=False)
    assert "• *SUP-1* P2 · VPN drops every few minutes · <@U1ALICE> · response overdue since" in blocks

    code, out, _ = run(["digest", "--weekly", "--at", "2026-11-30T09:00:00+00:00"], capsys)
    assert (code, out) == (0, "weekly digest at 2026-11-30T09:00:00+00:00 posted to C0LEADS; 1 message(s) delivered\n")
    assert posts_to(fake, LEADS_CHANNEL)[-1].text.startswith("Weekly support digest: 1 open, 1 created, 0 resolved")


# -- sla due ------------------------------------------------------------------------------------------


def test_sla_due_prints_one_json_object_friday_afternoon_to_monday(tmp_path: Path) -> None:
    """The installed entry point, as a person types it; no config file: PRODUCT.md's table, Mon-Fri 08-16 London."""
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "sla", "due", "--type", "technical_support", "--priority", "P1",
         "--opened", "2026-11-27T15:45:00+00:00"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    # 15 working minutes on Friday; the rest from Monday 08:00: +15m, +45m, +3h45.
    assert result.stdout == (
        '{"response": "2026-11-30T08:15:00+00:00", "review": "2026-11-30T08:45:00+00:00", '
        '"resolution": "2026-11-30T11:45:00+00:00"}\n'
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (  # P2: review 4h = Fri 15m + Mon 3h45; resolution 2d = 16h = Fri 15m + Mon 8h + Tue 7h45
            ["--type", "technical_support", "--priority", "P2", "--opened", "2026-11-27T15:45:00+00:00"],
            {"response": "2026-11-30T08:15:00+00:00", "review": "2026-11-30T11:45:00+00:00",
             "resolution": "2026-12-01T15:45:00+00:00"},
        ),
        (  # P4 has no resolution target
            ["--type", "technical_support", "--priority", "p4", "--opened", "2026-11-24T10:00:00+00:00"],
            {"response": "2026-11-24T10:30:00+00:00", "review": "2026-11-25T10:00:00+00:00", "resolution": None},
        ),
        (  # a deadline that lands on closing time stays on that day
            ["--type", "support_query", "--opened", "2026-11-24T15:30:00+00:00"],
            {"response": "2026-11-24T16:00:00+00:00", "review": "2026-11-25T15:30:00+00:00",
             "resolution": "2026-11-27T15:30:00+00:00"},
        ),
        (  # opened on a Saturday: the clocks start at Monday's opening
            ["--type", "service_task", "--opened", "2026-11-28T11:00:00+00:00"],
            {"response": "2026-11-30T08:30:00+00:00", "review": "2026-12-02T16:00:00+00:00", "resolution": None},
        ),
        (  # British summer time: 14:45Z is 15:45 local; answers are in the desk's zone
            ["--type", "technical_support", "--priority", "P1", "--opened", "2026-06-05T14:45:00+00:00"],
            {"response": "2026-06-08T08:15:00+01:00", "review": "2026-06-08T08:45:00+01:00",
             "resolution": "2026-06-08T11:45:00+01:00"},
        ),
        (
            ["--type", "gdpr_request", "--opened", "2026-11-27T15:45:00+00:00"],
            {"response": None, "review": None, "resolution": None},
        ),
    ],
)  # fmt: skip
def test_sla_due_deadlines_by_hand(
    args: list[str],
    expected: dict[str, str | None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./supportbot.yml: the defaults
    code, out, err = run(["sla", "due", *args], capsys)
    assert (code, err) == (0, "")
    assert out.count("\n") == 1 and json.loads(out) == expected


def test_sla_due_uses_the_configured_closures(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """bot/demo/demo.yml closes 24 Dec; GB closes 25 Dec and Monday 28 Dec (Boxing Day observed)."""
    code, out, _ = run(
        ["sla", "due", "--config", str(config_path), "--type", "support_query", "--opened", "2026-12-23T15:00:00"],
        capsys,
    )
    assert code == 0
    # Wed 23 has 1h left; then Tue 29, Wed 30, Thu 31 are the next working days.
    assert json.loads(out) == {
        "response": "2026-12-23T15:30:00+00:00",
        "review": "2026-12-29T15:00:00+00:00",
        "resolution": "2026-12-31T15:00:00+00:00",
    }


def test_sla_due_batch_answers_every_line_and_marks_the_bad_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO(BATCH.read_text()))
    code, out, err = run(["sla", "due", "--batch", "-"], capsys)
    assert code == 1
    assert err == 'supportbot: 2 row(s) could not be answered; see their "error"\n'
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 5  # the blank line is skipped
    assert rows[0] == {
        "id": "fri-p1",
        "response": "2026-11-30T08:15:00+00:00",
        "review": "2026-11-30T08:45:00+00:00",
        "resolution": "2026-11-30T11:45:00+00:00",
    }
    assert rows[1]["id"] is None and rows[1]["error"].startswith("line 2: ") and set(rows[1]) == {"id", "error"}
    assert rows[2] == {"id": 3, "response": None, "review": None, "resolution": None}
    assert rows[3] == {"id": 4, "error": f"line 4: unknown type 'complaint'; use one of {TYPES}"}
    assert rows[4] == {  # no offset: the desk's local time
        "id": 5,
        "response": "2026-11-24T10:30:00+00:00",
        "review": "2026-11-25T10:00:00+00:00",
        "resolution": "2026-11-27T10:00:00+00:00",
    }


def test_sla_due_refuses_an_unknown_type_with_exit_code_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["sla", "due", "--type", "complaint", "--opened", "2026-11-27T15:45:00+00:00"], capsys)
    assert (code, out) == (2, "")
    assert err == f"supportbot: error: unknown type 'complaint'; use one of {TYPES}\n"

    code, out, err = run(["sla", "due", "--type", "support_query"], capsys)
    assert (code, out, err) == (2, "", "supportbot: error: sla due needs --type and --opened (or --batch -)\n")


def test_sla_due_with_a_broken_config_names_the_file_and_line_and_exits_2(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path.write_text(config_path.read_text().replace("dates: [2026-12-24]", "dates: [2026-12-32]"))
    code, out, err = run(
        ["sla", "due", "--config", str(config_path), "--type", "support_query", "--opened", "2026-11-24T10:00:00"],
        capsys,
    )
    assert (code, out) == (2, "")
    assert err == f"supportbot: error: {config_path}:5: holidays.dates[0]: '2026-12-32' is not a date like 2026-11-02\n"
