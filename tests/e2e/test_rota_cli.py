"""`supportbot rota ...` as a user runs it, on a real database, and the calendar feed that `serve` offers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from freezegun import freeze_time
from icalendar import Calendar
from sqlalchemy import select

from bot.cli import main
from storage.db import make_engine, make_sessionmaker
from storage.models import AuditRow, OutboxRow, RotationRow
from storage.rota_meta import calendar_token
from tests.e2e.conftest import Desk
from tests.e2e.test_cli import supportbot

LEAD = "U8LEAD"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, database_url: str, config_path: Path) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SUPPORTBOT_CONFIG", str(config_path))
    return database_url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["rota", *args])
    out, err = capsys.readouterr()
    return status, out, err


def who(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, str | None]:
    status, out, err = run(capsys, "who", *args)
    assert status == 0, err
    result: dict[str, str | None] = json.loads(out)
    return result


def rows(database_url: str, model: type) -> list:  # type: ignore[type-arg]
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine).begin() as session:
            return list(session.scalars(select(model).order_by(model.id)))  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_who_answers_from_a_new_database_seeded_from_the_config(env: str, tmp_path: Path, config_path: Path) -> None:
    result = supportbot(
        "rota",
        "who",
        "--at",
        "2026-11-24T10:00",
        cwd=tmp_path,
        env={"DATABASE_URL": env, "SUPPORTBOT_CONFIG": str(config_path)},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"first_line": "U1ALICE", "second_line": "U5ERIN"}
    assert [r.created_by for r in rows(env, RotationRow)] == ["config", "config"]


def test_who_at_local_or_offset_times_one_line_and_nobody(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert who(capsys, "--at", "2026-11-30T08:59") == {"first_line": "U1ALICE", "second_line": "U5ERIN"}
    assert who(capsys, "--at", "2026-11-30T09:00") == {"first_line": "U2BOB", "second_line": "U4DAN"}
    assert who(capsys, "--line", "second_line", "--at", "2026-11-30T08:30:00-01:00") == {"second_line": "U4DAN"}
    assert who(capsys, "--at", "2026-11-01T12:00") == {"first_line": None, "second_line": None}  # before the start


def test_an_override_changes_who_is_on_and_is_split_at_the_handover(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(
        capsys, "override", "--line", "first_line", "--user", "U3CAROL", "--from", "2026-11-27T12:00",
        "--to", "2026-12-01T12:00",
    )  # fmt: skip
    assert status == 0, err
    assert out.splitlines() == [
        "override 1: U3CAROL on first_line from 2026-11-27T12:00+00:00 to 2026-11-30T09:00+00:00 instead of U1ALICE",
        "override 2: U3CAROL on first_line from 2026-11-30T09:00+00:00 to 2026-12-01T12:00+00:00 instead of U2BOB",
    ]
    assert who(capsys, "--line", "first_line", "--at", "2026-11-27T11:59") == {"first_line": "U1ALICE"}
    assert who(capsys, "--line", "first_line", "--at", "2026-11-30T10:00") == {"first_line": "U3CAROL"}
    assert who(capsys, "--line", "first_line", "--at", "2026-12-01T12:00") == {"first_line": "U2BOB"}
    audit = [r.action for r in rows(env, AuditRow) if r.actor_id == "cli"]
    assert audit == ["rota_override_added"]
    status, _, err = run(
        capsys, "override", "--line", "first_line", "--user", "U9ZOE", "--from", "2026-12-02T09:00",
        "--to", "2026-12-02T17:00",
    )  # fmt: skip
    assert status == 0 and "U9ZOE is not on any rota" in err  # allowed, with a warning
    assert who(capsys, "--at", "2026-12-02T10:00")["first_line"] == "U9ZOE"


@freeze_time("2026-11-24T10:00:00Z")  # leave is recorded before the shifts it touches
def test_leave_changes_who_prints_the_conflicts_and_warns_the_leads(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "leave", "--user", "U2BOB", "--from", "2026-11-30", "--to", "2026-12-04")
    assert status == 0, err
    assert out.splitlines()[:2] == [
        "leave 1: U2BOB away 2026-11-30 to 2026-12-04 (whole days, inclusive)",
        "conflict: first_line 2026-11-30T09:00+00:00 to 2026-12-05T00:00+00:00: U3CAROL covers",
    ]
    assert "the leads are warned" in out
    assert who(capsys, "--line", "first_line", "--at", "2026-12-01T10:00") == {"first_line": "U3CAROL"}
    assert who(capsys, "--line", "first_line", "--at", "2026-12-05T10:00") == {"first_line": "U2BOB"}
    warned = [r for r in rows(env, OutboxRow) if r.channel == LEAD]
    assert len(warned) == 1 and warned[0].status == "pending"
    assert "U2BOB" in json.dumps(warned[0].payload)


@freeze_time("2026-11-24T10:00:00Z")  # leave is recorded before the shifts it touches
def test_nobody_covering_is_said_loudly(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "leave", "--user", "U4DAN", "--from", "2026-11-30", "--to", "2026-12-06")[0] == 0
    status, out, _ = run(capsys, "leave", "--user", "U5ERIN", "--from", "2026-11-30", "--to", "2026-12-01")
    assert status == 0 and "second_line" in out and "NOBODY covers" in out
    assert who(capsys, "--line", "second_line", "--at", "2026-12-01T10:00") == {"second_line": None}


@freeze_time("2026-11-24T10:00:00Z")
def test_ics_parses_and_shows_the_next_weeks(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "ics", "--line", "second_line", "--weeks", "3")
    assert status == 0, err
    calendar = Calendar.from_ical(out)
    events = [(str(e["SUMMARY"]), e.decoded("DTSTART").isoformat()) for e in calendar.walk("VEVENT")]
    assert events == [
        ("2nd line support: U5ERIN", "2026-11-23T09:00:00+00:00"),
        ("2nd line support: U4DAN", "2026-11-30T09:00:00+00:00"),
        ("2nd line support: U5ERIN", "2026-12-07T09:00:00+00:00"),
        ("2nd line support: U4DAN", "2026-12-14T09:00:00+00:00"),
    ]
    status, out, err = run(capsys, "ics", "--line", "first_line")
    assert status == 0 and len(Calendar.from_ical(out).walk("VEVENT")) == 9  # 8 weeks from inside a shift


@freeze_time("2026-11-24T10:00:00Z")
def test_export_then_import_is_a_round_trip_and_idempotent(
    env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "override", "--line", "first_line", "--user", "U3CAROL", "--from", "2026-11-25T09:00",
        "--to", "2026-11-26T09:00")  # fmt: skip
    run(capsys, "leave", "--user", "U2BOB", "--from", "2026-12-01", "--to", "2026-12-02", "--note", "dentist")
    exported = tmp_path / "rota.yml"
    assert run(capsys, "export", "--out", str(exported))[0] == 0
    text = exported.read_text()
    assert "first_line:" in text and "U3CAROL" in text and "dentist" in text
    status, out, _ = run(capsys, "import", str(exported))
    assert status == 0 and "nothing new" in out
    # A new order for 1st line and one more override: only those are stored, from the next handover.
    edited = text.replace("[U1ALICE, U2BOB, U3CAROL]", "[U3CAROL, U2BOB, U1ALICE]").replace(
        "overrides:\n",
        "overrides:\n- {line: first_line, user: U9ZOE, from: '2026-12-10T09:00', to: '2026-12-10T17:00'}\n",
    )
    exported.write_text(edited)
    status, out, err = run(capsys, "import", str(exported))
    assert status == 0, err
    assert "first_line: new rotation from 2026-11-30T09:00:00+00:00" in out and "U9ZOE" in out
    assert "2 change(s)" in out
    assert who(capsys, "--line", "first_line", "--at", "2026-11-24T12:00") == {"first_line": "U1ALICE"}
    assert who(capsys, "--line", "first_line", "--at", "2026-11-25T12:00") == {"first_line": "U3CAROL"}
    assert who(capsys, "--line", "first_line", "--at", "2026-12-10T12:00") == {"first_line": "U9ZOE"}
    status, out, _ = run(capsys, "import", str(exported))
    assert status == 0 and "nothing new" in out
    again = tmp_path / "again.yml"
    run(capsys, "export", "--out", str(again))
    assert "members: [U2BOB, U1ALICE, U3CAROL]" in again.read_text()  # the rotation as it runs from Monday
    assert "start: '2026-11-30'" in again.read_text()
    assert run(capsys, "import", str(again))[1].endswith("nothing new\n")


def test_import_errors_name_the_file_line_and_key(env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("leave:\n  - user: U2BOB\n    from: 2026-12-01\n    to: 2026-13-01\n")
    status, _, err = run(capsys, "import", str(bad))
    assert status == 2 and f"{bad}:4: leave[0].to:" in err
    bad.write_text("rotas:\n  first_line:\n    members: [alice]\n    start: 2026-11-02\n")
    status, _, err = run(capsys, "import", str(bad))
    assert status == 2 and f"{bad}:3: rotas.first_line.members[0]:" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["who", "--line", "third_line"], "not a support line"),
        (["who", "--at", "tuesday"], "not an ISO-8601 time"),
        (
            [
                "override",
                "--line",
                "first_line",
                "--user",
                "alice",
                "--from",
                "2026-12-01T09:00",
                "--to",
                "2026-12-01T10:00",
            ],
            "not a Slack member id",
        ),
        (
            [
                "override",
                "--line",
                "first_line",
                "--user",
                "U3CAROL",
                "--from",
                "2026-12-01T09:00",
                "--to",
                "2026-12-01T08:00",
            ],
            "must be after",
        ),
        (["leave", "--user", "U2BOB", "--from", "2026-12-04", "--to", "2026-12-01"], "before --from"),
        (["leave", "--user", "U2BOB", "--from", "next week", "--to", "2026-12-01"], "not a date"),
        (["ics", "--line", "first_line", "--weeks", "0"], "--weeks"),
        (["ics", "--line", "first_line", "--url"], "public_url"),
    ],
)
def test_bad_input_is_refused_with_status_2(
    env: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    status, out, err = run(capsys, *args)
    assert status == 2 and message in err and out == ""
    assert [r for r in rows(env, AuditRow) if r.actor_id == "cli"] == []


def test_the_calendar_url_needs_the_token(desk: Desk) -> None:
    with desk.runtime.sessions.begin() as session:
        token = calendar_token(session)
    assert desk.get("/rota/first_line.ics").status == 403
    assert desk.get("/rota/first_line.ics?token=" + "x" * len(token)).status == 403
    assert desk.get(f"/rota/third_line.ics?token={token}").status == 404
    reply = desk.get(f"/rota/first_line.ics?token={token}")
    assert reply.status == 200
    calendar = Calendar.from_ical(reply.body)
    assert str(calendar["X-WR-CALNAME"]) == "1st line support rota"
    first = calendar.walk("VEVENT")[0]
    assert str(first["SUMMARY"]) == "1st line support: U1ALICE"
    assert str(first["UID"]) == "first_line-20261123T090000Z@supportbot"


def test_the_subscription_url_is_printed_when_public_url_is_set(
    env: str, capsys: pytest.CaptureFixture[str], config_path: Path
) -> None:
    config_path.write_text(config_path.read_text() + "public_url: https://desk.example.com/\n")
    status, out, err = run(capsys, "ics", "--line", "second_line", "--url")
    assert status == 0, err
    assert out.startswith("https://desk.example.com/rota/second_line.ics?token=") and len(out.strip()) > 60
    assert run(capsys, "ics", "--line", "second_line", "--url")[1] == out  # made once, kept
