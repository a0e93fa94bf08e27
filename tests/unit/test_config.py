"""supportbot.yml loading: the documented example works; every error names file, line, key and a fix."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from rota.rotation import SupportLine
from services.config import ConfigError, Duration, load_config

# Verbatim from PRODUCT.md.
PRODUCT_EXAMPLE = """\
ticket_prefix: SUP
timezone: Europe/London
working_hours: {days: [mon, tue, wed, thu, fri], start: "08:00", end: "16:00"}
holidays: {country: GB, dates: [2026-12-24]}   # country via the holidays package
channels: {triage: C0TRIAGE, digest: C0LEADS}
leads: [U8LEAD]
rotas:
  first_line:
    members: [U1ALICE, U2BOB, U3CAROL]
    rotation: weekly            # daily | weekly | every N days
    handover: "mon 09:00"       # local time of the handover
    start: 2026-11-02           # the first member's first shift starts here
  second_line:
    members: [U4DAN, U5ERIN]
    rotation: weekly
    handover: "mon 09:00"
    start: 2026-11-02
sla:        # optional; defaults are the table above. m/h = working minutes/hours,
  technical_support:   # d = working days of the configured length (08-16 -> 8h)
    P1: {response: 30m, review: 1h, resolution: 4h}
"""

# The same configuration, one setting per line, so each error case edits one known line.
BASE_LINES = [
    "ticket_prefix: SUP",  # 1
    "timezone: Europe/London",  # 2
    "working_hours:",  # 3
    "  days: [mon, tue, wed, thu, fri]",  # 4
    '  start: "08:00"',  # 5
    '  end: "16:00"',  # 6
    "holidays: {country: GB, dates: [2026-12-24]}",  # 7
    "channels: {triage: C0TRIAGE, digest: C0LEADS}",  # 8
    "leads: [U8LEAD]",  # 9
    "rotas:",  # 10
    "  first_line:",  # 11
    "    members: [U1ALICE, U2BOB, U3CAROL]",  # 12
    "    rotation: weekly",  # 13
    '    handover: "mon 09:00"',  # 14
    "    start: 2026-11-02",  # 15
    "  second_line:",  # 16
    "    members: [U4DAN, U5ERIN]",  # 17
    "    rotation: weekly",  # 18
    '    handover: "mon 09:00"',  # 19
    "    start: 2026-11-02",  # 20
    "sla:",  # 21
    "  technical_support:",  # 22
    "    P1: {response: 30m, review: 1h, resolution: 4h}",  # 23
]


def edited(edits: dict[int, str]) -> str:
    """BASE_LINES with 1-based lines replaced; an edit keeps the line's indentation, so nesting can't drift."""
    lines = list(BASE_LINES)
    for number, text in edits.items():
        indent = len(lines[number - 1]) - len(lines[number - 1].lstrip())
        assert len(text) - len(text.lstrip()) == indent, (number, text)
        lines[number - 1] = text
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "supportbot.yml"
    path.write_text(text, encoding="utf-8")
    return path


def config_error(tmp_path: Path, text: str) -> tuple[Path, str]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return path, str(caught.value)


# --- what loads -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [PRODUCT_EXAMPLE, edited({})], ids=["product-example", "block-style"])
def test_example_config_loads(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    config = load_config(path)
    assert config.path == path
    assert config.ticket_prefix == "SUP"
    assert config.timezone.key == "Europe/London"
    assert config.working_hours.days == (0, 1, 2, 3, 4)
    assert (config.working_hours.start, config.working_hours.end) == (time(8, 0), time(16, 0))
    assert config.holidays.country == "GB"
    assert config.holidays.dates == (date(2026, 12, 24),)
    assert (config.triage_channel, config.digest_channel) == ("C0TRIAGE", "C0LEADS")
    assert config.rota.leads == frozenset({"U8LEAD"})
    first_week = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert config.rota.on_duty(SupportLine.FIRST, first_week) == "U1ALICE"
    assert config.rota.on_duty(SupportLine.SECOND, first_week) == "U4DAN"
    assert config.rota.on_duty(SupportLine.FIRST, datetime(2026, 11, 9, 9, 0, tzinfo=UTC)) == "U2BOB"
    assert config.rota.on_duty(SupportLine.FIRST, datetime(2026, 11, 2, 8, 59, tzinfo=UTC)) is None
    assert config.sla_overrides == {
        "technical_support": {
            "P1": {"response": Duration(30, "m"), "review": Duration(1, "h"), "resolution": Duration(4, "h")}
        }
    }


def test_minimal_config_takes_defaults(tmp_path: Path) -> None:
    text = "channels: {triage: C0TRIAGE}\nrotas:\n  first_line: {members: [U1ALICE], start: 2026-11-02}\n"
    config = load_config(write(tmp_path, text))
    assert config.ticket_prefix == "SUP"
    assert config.timezone.key == "Europe/London"
    assert config.digest_channel is None
    assert (config.working_hours.start, config.working_hours.end) == (time(8, 0), time(16, 0))
    assert config.rota.on_duty(SupportLine.FIRST, datetime(2026, 11, 2, 9, 0, tzinfo=UTC)) == "U1ALICE"
    assert config.sla_overrides == {}


def test_unquoted_time_with_leading_zero_is_a_string_in_yaml_and_loads(tmp_path: Path) -> None:
    """PyYAML's YAML 1.1 sexagesimal ints start with 1-9, so `08:00` stays a string; `8:00` would be 480."""
    config = load_config(write(tmp_path, edited({5: "  start: 08:00"})))
    assert config.working_hours.start == time(8, 0)


# --- errors: file, 1-based line, dotted key, message ----------------------------------------


@pytest.mark.parametrize(
    ("edits", "line", "key", "fragment"),
    [
        pytest.param(
            {2: "timezone: Mars/Base"}, 2, "timezone", "'Mars/Base' is not an IANA time zone", id="unknown-zone"
        ),
        pytest.param({1: "ticket_prefix: sup"}, 1, "ticket_prefix", "capital letters", id="lowercase-prefix"),
        pytest.param(
            {14: '    handover: "mon 25:00"'}, 14, "rotas.first_line.handover", "not a time of day", id="handover-25:00"
        ),
        pytest.param(
            {19: '    handover: "xyz 09:00"'},
            19,
            "rotas.second_line.handover",
            "'xyz' is not a weekday",
            id="handover-xyz",
        ),
        pytest.param({12: "    members: []"}, 12, "rotas.first_line.members", "at least one member", id="no-members"),
        pytest.param({12: "    members:"}, 12, "rotas.first_line.members", "at least one member", id="members-null"),
        pytest.param(
            {12: "    members: [alice, U2BOB]"},
            12,
            "rotas.first_line.members[0]",
            "'alice' is not a Slack user id",
            id="alice",
        ),
        pytest.param(
            {17: "    members: [U4DAN, U4DAN]"},
            17,
            "rotas.second_line.members",
            "lists someone twice",
            id="duplicate-member",
        ),
        pytest.param(
            {13: "    rotation: fortnightly"}, 13, "rotas.first_line.rotation", "'fortnightly'", id="fortnightly"
        ),
        pytest.param(
            {13: "    rotation: every 0 days"}, 13, "rotas.first_line.rotation", "every N days", id="every-0-days"
        ),
        pytest.param(
            {15: "    start: 2026-11-03"}, 11, "rotas.first_line", "2026-11-03 is a tue", id="start-not-monday"
        ),
        pytest.param({15: "    start: next monday"}, 15, "rotas.first_line.start", "not a date", id="start-words"),
        # Looks like a YAML timestamp but is not a calendar date: PyYAML raises a bare ValueError.
        pytest.param({15: "    start: 2026-02-30"}, 15, "rotas.first_line.start", "not a date", id="start-feb-30"),
        pytest.param(
            {7: "holidays: {country: GB, dates: [2026-13-01]}"},
            7,
            "holidays.dates[0]",
            "not a date",
            id="holiday-month-13",
        ),
        pytest.param(
            {13: "    rotation: daily"},
            11,
            "rotas.first_line",
            "only fits rotations of whole weeks",
            id="weekday-daily",
        ),
        pytest.param({11: "  third_line:"}, 11, "rotas.third_line", "unknown support line", id="unknown-line"),
        pytest.param(
            {23: "    P1: {response: 3x, review: 1h, resolution: 4h}"},
            23,
            "sla.technical_support.P1.response",
            "'3x' is not a duration",
            id="sla-3x",
        ),
        pytest.param(
            {23: "    P1: {response: 0m, review: 1h, resolution: 4h}"},
            23,
            "sla.technical_support.P1.response",
            "is not a duration",
            id="sla-zero",
        ),
        pytest.param(
            {23: "    P5: {response: 30m}"}, 23, "sla.technical_support.P5", "unknown priority", id="sla-priority"
        ),
        pytest.param(
            {23: "    P1: {respond: 30m}"},
            23,
            "sla.technical_support.P1.respond",
            "did you mean 'response'",
            id="sla-clock",
        ),
        pytest.param(
            {22: "  tecnical_support:"},
            22,
            "sla.tecnical_support",
            "did you mean 'technical_support'",
            id="sla-type-typo",
        ),
        pytest.param({22: "  hardware:"}, 22, "sla.hardware", "unknown ticket type", id="sla-type-unknown"),
        pytest.param(
            {6: '  end: "07:00"'}, 6, "working_hours.end", "ends (07:00) before it starts (08:00)", id="end-before"
        ),
        pytest.param({6: '  end: "08:00"'}, 6, "working_hours.end", "before it starts", id="end-equals-start"),
        pytest.param(
            {6: "  end: 16:00"}, 6, "working_hours.end", 'write the time in quotes, e.g. "16:00"', id="unquoted-16"
        ),
        pytest.param(
            {5: "  start: 8:00"}, 5, "working_hours.start", 'write the time in quotes, e.g. "08:00"', id="unquoted-8"
        ),
        pytest.param({5: '  start: "8am"'}, 5, "working_hours.start", "not a time of day", id="start-8am"),
        pytest.param(
            {4: "  days: [mon, funday]"}, 4, "working_hours.days[1]", "'funday' is not a weekday", id="bad-day"
        ),
        pytest.param({7: "holidays: {country: XX}"}, 7, "holidays.country", "'XX'", id="unknown-country"),
        pytest.param({8: "channels: {digest: C0LEADS}"}, 8, "channels.triage", "missing", id="no-triage-channel"),
        pytest.param(
            {8: "channels: {triage: general}"}, 8, "channels.triage", "not a Slack channel id", id="channel-name"
        ),
        pytest.param({9: "leads: [bob]"}, 9, "leads[0]", "'bob' is not a Slack user id", id="lead-id"),
    ],
)
def test_config_errors_are_located(tmp_path: Path, edits: dict[int, str], line: int, key: str, fragment: str) -> None:
    path, message = config_error(tmp_path, edited(edits))
    assert message.startswith(f"{path}:{line}: {key}: "), message
    assert fragment in message


def test_member_on_its_own_line_is_reported_on_that_line(tmp_path: Path) -> None:
    text = edited({12: "    members:"}).replace("    members:\n", "    members:\n      - U1ALICE\n      - alice\n", 1)
    path, message = config_error(tmp_path, text)
    assert message.startswith(f"{path}:14: rotas.first_line.members[1]: "), message
    assert "'alice' is not a Slack user id" in message


def test_missing_first_line(tmp_path: Path) -> None:
    text = "\n".join(BASE_LINES[:10] + BASE_LINES[15:20]) + "\n"  # rotas: with only second_line
    path, message = config_error(tmp_path, text)
    assert message.startswith(f"{path}:10: rotas: "), message
    assert "missing first_line" in message


def test_unquoted_daily_handover_names_what_was_written(tmp_path: Path) -> None:
    """`handover: 10:00` unquoted is the int 600 to YAML 1.1; the error should speak of 10:00, as working_hours does."""
    path, message = config_error(tmp_path, edited({13: "    rotation: daily", 14: "    handover: 10:00"}))
    assert message.startswith(f"{path}:14: rotas.first_line.handover: "), message
    assert "10:00" in message


def test_invalid_yaml_syntax(tmp_path: Path) -> None:
    path, message = config_error(tmp_path, edited({8: "channels: {triage: C0TRIAGE, digest: C0LEADS}}"}))
    assert message.startswith(f"{path}:8: not valid YAML"), message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "supportbot.yml"
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: no such file"), str(caught.value)
    assert "SUPPORTBOT_CONFIG" in str(caught.value)


# --- warnings, not errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(edited({}) + "colour: blue\n", ":24: colour: unknown key, ignored", id="unknown-top-level"),
        pytest.param(
            edited({2: "timezon: Europe/London"}),
            ":2: timezon: unknown key, ignored (did you mean 'timezone'?)",
            id="typo",
        ),
        pytest.param(
            edited({}).replace("    rotation: weekly\n", "    rotation: weekly\n    handvoer: x\n", 1),
            ":14: rotas.first_line.handvoer: unknown key, ignored (did you mean 'handover'?)",
            id="unknown-rota-key",
        ),
    ],
)
def test_unknown_keys_are_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    with caplog.at_level(logging.WARNING, logger="services.config"):
        config = load_config(path)
    assert config.triage_channel == "C0TRIAGE"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"{path}{expected}"]


def test_known_keys_give_no_warnings(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="services.config"):
        load_config(write(tmp_path, PRODUCT_EXAMPLE))
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


# --- digest schedule and the SLA part -------------------------------------------------------


def test_digest_schedule_defaults_to_nine_on_working_days_and_monday_weekly(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, edited({})))
    assert (config.digest.time, config.digest.weekly_on) == (time(9, 0), 0)


def test_digest_schedule_is_configurable(tmp_path: Path) -> None:
    text = edited({}) + 'digest: {time: "08:30", weekly_on: fri}\n'
    config = load_config(write(tmp_path, text))
    assert (config.digest.time, config.digest.weekly_on) == (time(8, 30), 4)


@pytest.mark.parametrize(
    ("line", "key", "fragment"),
    [
        ('digest: {time: "25:00"}', "digest.time", "not a time of day"),
        ("digest: {weekly_on: someday}", "digest.weekly_on", "'someday' is not a weekday"),
    ],
)
def test_digest_schedule_errors_are_located(tmp_path: Path, line: str, key: str, fragment: str) -> None:
    path, message = config_error(tmp_path, edited({}) + line + "\n")
    assert message.startswith(f"{path}:24: {key}: ")
    assert fragment in message


def test_calendar_follows_working_hours_and_holidays(tmp_path: Path) -> None:
    """The SLA calendar is built from the config: GB's Christmas and the extra 24 Dec are closed."""
    config = load_config(write(tmp_path, edited({7: "holidays: {country: GB, subdivision: ENG, dates: [2026-12-23]}"})))
    london = config.timezone
    calendar = config.calendar
    # Tue 22 Dec 15:30 + 1h: 30 min on the 22nd; the 23rd is an extra closure; 24th 08:30.
    assert calendar.add_working_time(datetime(2026, 12, 22, 15, 30, tzinfo=london), 3600) == datetime(
        2026, 12, 24, 8, 30, tzinfo=london
    )
    # Thu 24 Dec 15:30 + 1h: Christmas, Boxing Day (Sat), the weekend and the 28th (observed) are closed.
    assert calendar.add_working_time(datetime(2026, 12, 24, 15, 30, tzinfo=london), 3600) == datetime(
        2026, 12, 29, 8, 30, tzinfo=london
    )
    assert calendar.day_seconds == 8 * 3600


def test_a_changed_policy_or_calendar_changes_the_fingerprint(tmp_path: Path) -> None:
    base = load_config(write(tmp_path, edited({}))).sla_settings.fingerprint
    assert load_config(write(tmp_path, edited({}))).sla_settings.fingerprint == base
    assert load_config(write(tmp_path, edited({6: '  end: "17:00"'}))).sla_settings.fingerprint != base
    changed_target = edited({23: "    P1: {response: 15m, review: 1h, resolution: 4h}"})
    assert load_config(write(tmp_path, changed_target)).sla_settings.fingerprint != base
