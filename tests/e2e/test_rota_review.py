"""Review follow-ups on `supportbot rota` and the calendar feed: a line that only `rota import` added (not in
the config) has a calendar and a `who`, and an override that would change nothing is not stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from freezegun import freeze_time
from icalendar import Calendar

from storage.models import AuditRow, OverrideRow
from storage.rota_meta import calendar_token
from tests.conftest import REPO
from tests.e2e.conftest import Desk
from tests.e2e.test_rota_cli import env, rows, run, who

__all__ = ["env"]  # the fixture, shared with test_rota_cli

FIRST_LINE = """\
  first_line:
    members: [U1ALICE, U2BOB, U3CAROL]
    rotation: weekly
    handover: "mon 09:00"
    start: 2026-11-02
"""
SECOND_LINE = """\
  second_line:
    members: [U4DAN, U5ERIN]
    rotation: weekly
    handover: "mon 09:00"
    start: 2026-11-02
"""


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    """The demo desk with only a 1st line in its config: the 2nd line comes from `rota import`."""
    text = (REPO / "bot" / "demo" / "demo.yml").read_text()
    assert FIRST_LINE + SECOND_LINE in text
    path = tmp_path / "supportbot.yml"
    path.write_text(text.replace(SECOND_LINE, ""))
    return path


def import_second_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    plan = tmp_path / "second.yml"
    plan.write_text("rotas:\n" + FIRST_LINE + SECOND_LINE)  # the 1st line as it is: only the 2nd is new
    status, out, err = run(capsys, "import", str(plan))
    assert status == 0 and "1 change(s)" in out, (out, err)


@freeze_time("2026-11-24T10:00:00Z")
def test_ics_and_who_know_a_line_added_by_import(env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run(capsys, "ics", "--line", "second_line")
    assert status == 2 and "not a support line of this desk (first_line)" in err
    import_second_line(capsys, tmp_path)
    status, out, err = run(capsys, "ics", "--line", "second_line", "--weeks", "1")
    assert status == 0, err
    events = [str(e["SUMMARY"]) for e in Calendar.from_ical(out).walk("VEVENT")]
    assert events == ["2nd line support: U5ERIN", "2nd line support: U4DAN"]
    assert who(capsys) == {"first_line": "U1ALICE", "second_line": "U5ERIN"}
    assert who(capsys, "--line", "second_line") == {"second_line": "U5ERIN"}


def test_the_calendar_feed_serves_a_line_added_by_import(
    desk: Desk, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with desk.runtime.sessions.begin() as session:
        token = calendar_token(session)
    assert desk.get(f"/rota/second_line.ics?token={token}").status == 404
    monkeypatch.setenv("DATABASE_URL", desk.runtime.settings.database_url)
    monkeypatch.setenv("SUPPORTBOT_CONFIG", str(desk.runtime.settings.config_path))
    import_second_line(capsys, tmp_path)  # another process: `serve` sees it within the cache's interval
    assert desk.runtime.deps.rota_cache is not None
    desk.runtime.deps.rota_cache.invalidate()  # ...or at once, rather than the test waiting for it
    reply = desk.get(f"/rota/second_line.ics?token={token}")
    assert reply.status == 200, reply
    first = Calendar.from_ical(reply.body).walk("VEVENT")[0]
    assert str(first["SUMMARY"]) == "2nd line support: U5ERIN"


# -- overrides that change nothing ---------------------------------------------------------------------------


def override(capsys: pytest.CaptureFixture[str], user: str, starts: str, ends: str) -> tuple[int, str, str]:
    return run(capsys, "override", "--line", "first_line", "--user", user, "--from", starts, "--to", ends)


@freeze_time("2026-11-24T10:00:00Z")
def test_an_override_for_someone_already_on_duty_changes_nothing(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = override(capsys, "U1ALICE", "2026-11-24T12:00", "2026-11-25T12:00")  # her own week
    assert status == 0, err
    assert out.splitlines() == [
        "unchanged: U1ALICE is already on first_line from 2026-11-24T12:00+00:00 to 2026-11-25T12:00+00:00 "
        "(their own shift)",
        "nothing changed: U1ALICE is already on first_line for all of that time",
    ]
    assert "instead of" not in out
    assert rows(env, OverrideRow) == [] and [r for r in rows(env, AuditRow) if r.actor_id == "cli"] == []


@freeze_time("2026-11-24T10:00:00Z")
def test_only_the_part_of_an_override_that_changes_something_is_stored(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = override(capsys, "U2BOB", "2026-11-27T12:00", "2026-12-01T12:00")  # Bob's week starts Mon 30
    assert status == 0, err
    assert out.splitlines() == [
        "unchanged: U2BOB is already on first_line from 2026-11-30T09:00+00:00 to 2026-12-01T12:00+00:00 "
        "(their own shift)",
        "override 1: U2BOB on first_line from 2026-11-27T12:00+00:00 to 2026-11-30T09:00+00:00 instead of U1ALICE",
    ]
    assert [(r.user_id, r.replaces_id) for r in rows(env, OverrideRow)] == [("U2BOB", "U1ALICE")]
    assert who(capsys, "--line", "first_line", "--at", "2026-11-28T12:00") == {"first_line": "U2BOB"}


@freeze_time("2026-11-24T10:00:00Z")
def test_an_override_putting_someone_on_leave_back_on_duty_is_stored(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "leave", "--user", "U2BOB", "--from", "2026-11-30", "--to", "2026-12-01")[0] == 0
    assert who(capsys, "--line", "first_line", "--at", "2026-11-30T12:00") == {"first_line": "U3CAROL"}
    status, out, err = override(capsys, "U2BOB", "2026-11-30T12:00", "2026-11-30T18:00")
    assert status == 0, err
    assert "override 1: U2BOB on first_line" in out and "instead of U2BOB" in out and "unchanged" not in out
    assert who(capsys, "--line", "first_line", "--at", "2026-11-30T13:00") == {"first_line": "U2BOB"}
    assert json.loads(json.dumps([r.user_id for r in rows(env, OverrideRow)])) == ["U2BOB"]
