"""`supportbot sla due`: the JSON contract of one answer and of a batch, and agreement with triage.sla.

Calendar unless a config says otherwise: Mon-Fri 08:00-16:00 Europe/London. Fri 27 Nov 2026 is GMT
(+00:00); Wed 10 Jun 2026 is BST (+01:00).
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.cli.sla import DeadlineCalculator, run_batch, run_one, sla_settings
from rota.calendar import WorkingCalendar
from services.config import load_sla_settings
from triage.model import Priority, TicketType
from triage.sla import SlaClock, SlaPolicy, deadlines

LONDON = ZoneInfo("Europe/London")
CHRISTMAS = (date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 28))
CALCULATOR = DeadlineCalculator(SlaPolicy(), WorkingCalendar.weekdays(zone=LONDON))

FRIDAY_P1 = {
    "response": "2026-11-30T08:15:00+00:00",
    "review": "2026-11-30T08:45:00+00:00",
    "resolution": "2026-11-30T11:45:00+00:00",
}
SUMMER_P1 = {
    "response": "2026-06-11T08:15:00+01:00",
    "review": "2026-06-11T08:45:00+01:00",
    "resolution": "2026-06-11T11:45:00+01:00",
}


def one(type_name: str, priority: str | None, opened: str, calculator: DeadlineCalculator = CALCULATOR) -> Any:
    out = io.StringIO()
    assert run_one(calculator, type_name=type_name, priority=priority, opened=opened, out=out) == 0
    text = out.getvalue()
    assert text.endswith("\n") and text.count("\n") == 1
    return json.loads(text)


def batch(lines: list[str], calculator: DeadlineCalculator = CALCULATOR) -> tuple[int, list[Any]]:
    out = io.StringIO()
    code = run_batch(calculator, lines, out)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


# -- one ticket ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "priority", "opened", "expected"),
    [
        pytest.param("technical_support", "P1", "2026-11-27T15:45:00+00:00", FRIDAY_P1, id="aware"),
        pytest.param("technical_support", "P1", "2026-11-27T15:45:00", FRIDAY_P1, id="naive-is-desk-time"),
        pytest.param("technical_support", "P1", "2026-11-27T15:45:00Z", FRIDAY_P1, id="Z-suffix"),
        pytest.param("technical_support", "P1", "2026-11-27T10:45:00-05:00", FRIDAY_P1, id="other-offset"),
        pytest.param("technical_support", "p1", "2026-11-27T15:45:00Z", FRIDAY_P1, id="lowercase-priority"),
        pytest.param("technical_support", "P1", "2026-06-10T15:45:00", SUMMER_P1, id="summer-naive"),
        pytest.param("technical_support", "P1", "2026-06-10T14:45:00Z", SUMMER_P1, id="summer-utc"),
        pytest.param(
            "technical_support",
            "P1",
            "2026-10-23T15:45:00+01:00",
            {
                "response": "2026-10-26T08:15:00+00:00",
                "review": "2026-10-26T08:45:00+00:00",
                "resolution": "2026-10-26T11:45:00+00:00",
            },
            id="clocks-go-back-over-the-weekend",
        ),
        pytest.param(
            "technical_support",
            "P4",
            "2026-11-24T10:00:00",
            {"response": "2026-11-24T10:30:00+00:00", "review": "2026-11-25T10:00:00+00:00", "resolution": None},
            id="P4",
        ),
        pytest.param(
            "technical_support",
            None,
            "2026-11-24T10:00:00",
            {
                "response": "2026-11-24T10:30:00+00:00",
                "review": "2026-11-25T10:00:00+00:00",
                "resolution": "2026-12-14T10:00:00+00:00",
            },
            id="untriaged-is-P3",
        ),
        pytest.param(
            "support_query",
            None,
            "2026-11-24T10:00:00",
            {
                "response": "2026-11-24T10:30:00+00:00",
                "review": "2026-11-25T10:00:00+00:00",
                "resolution": "2026-11-27T10:00:00+00:00",
            },
            id="support-query",
        ),
        pytest.param(
            "service_task",
            None,
            "2026-11-24T10:00:00",
            {"response": "2026-11-24T10:30:00+00:00", "review": "2026-11-27T10:00:00+00:00", "resolution": None},
            id="service-task",
        ),
        pytest.param(
            "gdpr_request",
            None,
            "2026-11-24T10:00:00",
            {"response": None, "review": None, "resolution": None},
            id="gdpr",
        ),
        pytest.param(
            "technical_support",
            "P1",
            "2026-11-28T11:00:00",
            {
                "response": "2026-11-30T08:30:00+00:00",
                "review": "2026-11-30T09:00:00+00:00",
                "resolution": "2026-11-30T12:00:00+00:00",
            },
            id="saturday",
        ),
    ],
)
def test_one(type_name: str, priority: str | None, opened: str, expected: dict[str, str | None]) -> None:
    answer = one(type_name, priority, opened)
    assert list(answer) == ["response", "review", "resolution"]
    assert answer == expected


@pytest.mark.parametrize(
    ("type_name", "priority", "opened", "message"),
    [
        ("incident", "P1", "2026-11-27T15:45:00Z", "unknown type 'incident'"),
        ("technical_support", "P9", "2026-11-27T15:45:00Z", "unknown priority 'P9'"),
        ("technical_support", "P1", "next friday", "opened: 'next friday' is not an ISO-8601 time"),
    ],
)
def test_one_refuses_bad_input(
    type_name: str, priority: str, opened: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    assert run_one(CALCULATOR, type_name=type_name, priority=priority, opened=opened, out=out) == 2
    assert out.getvalue() == ""
    assert message in capsys.readouterr().err


# -- batches ------------------------------------------------------------------------------------------


def test_batch_answers_every_line_in_order() -> None:
    code, rows = batch(
        [
            '{"id": 1, "type": "technical_support", "priority": "P1", "opened": "2026-11-27T15:45:00+00:00"}\n',
            '{"id": "b", "type": "gdpr_request", "opened": "2026-11-27T15:45:00Z"}\n',
            '{"id": 3, "type": "technical_support", "priority": "P1", "opened": "2026-06-10T15:45:00"}\n',
        ]
    )
    assert code == 0
    assert [list(row) for row in rows] == [["id", "response", "review", "resolution"]] * 3
    assert rows == [
        {"id": 1, **FRIDAY_P1},
        {"id": "b", "response": None, "review": None, "resolution": None},
        {"id": 3, **SUMMER_P1},
    ]


def test_batch_reports_bad_rows_on_their_own_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, rows = batch(
        [
            '{"id": 1, "type": "technical_support", "priority": "P1", "opened": "2026-11-27T15:45:00Z"}',  # 1
            "",  # 2: blank lines are skipped but still counted
            "{not json",  # 3
            '{"id": 4, "type": "support_query"}',  # 4
            '{"id": 5, "type": "incident", "opened": "2026-11-27T15:45:00Z"}',  # 5
            '{"id": 6, "type": "technical_support", "priority": "P9", "opened": "2026-11-27T15:45:00Z"}',  # 6
            "[1, 2]",  # 7
            '{"id": 8, "type": "service_task", "opened": "yesterday"}',  # 8
            '{"id": 9, "opened": "2026-11-27T15:45:00Z"}',  # 9
            "   ",  # 10
            '{"id": 11, "type": "technical_support", "priority": "p1", "opened": "2026-11-27T15:45:00Z"}',  # 11
        ]
    )
    assert code == 1
    assert len(rows) == 9
    assert rows[0] == {"id": 1, **FRIDAY_P1}
    assert rows[-1] == {"id": 11, **FRIDAY_P1}
    errors = rows[1:-1]
    assert [list(row) for row in errors] == [["id", "error"]] * 7
    assert [row["id"] for row in errors] == [None, 4, 5, 6, None, 8, 9]
    expected_starts = [
        "line 3: ",
        'line 4: each row needs "type" and "opened"',
        "line 5: unknown type 'incident'",
        "line 6: unknown priority 'P9'",
        "line 7: expected a JSON object",
        "line 8: opened: 'yesterday' is not an ISO-8601 time",
        'line 9: each row needs "type" and "opened"',
    ]
    for row, start in zip(errors, expected_starts, strict=True):
        assert row["error"].startswith(start), row["error"]
    assert "7 row(s) could not be answered" in capsys.readouterr().err


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(
            '{"id": 2, "type": "technical_support", "priority": ["P1"], "opened": "2026-11-27T15:45:00Z"}',
            id="priority-list",
        ),
        pytest.param(
            '{"id": 2, "type": {"name": "support_query"}, "opened": "2026-11-27T15:45:00Z"}', id="type-object"
        ),
        pytest.param(
            '{"id": 2, "type": "support_query", "opened": {"at": "2026-11-27T15:45:00Z"}}', id="opened-object"
        ),
        pytest.param('{"id": 2, "type": "support_query", "opened": 1795514400}', id="opened-number"),
        pytest.param('{"id": 2, "type": "support_query", "opened": null}', id="opened-null"),
        pytest.param(
            '{"id": 2, "type": "support_query", "opened": "9999-12-31T23:59:59-12:00"}', id="opened-9999-offset"
        ),
        pytest.param('{"id": 2, "type": "support_query", "opened": "9999-12-30T10:00:00+00:00"}', id="opened-9999"),
        pytest.param('{"id": 2, "type": "support_query", "opened": "0001-01-01T00:00:00"}', id="opened-year-1"),
    ],
)
def test_batch_survives_any_bad_row(row: str) -> None:
    """A wrongly typed or impossible field is one bad row: it gets its error, the rows after it are answered."""
    calculator = DeadlineCalculator(SlaPolicy(), WorkingCalendar.weekdays(zone=LONDON))  # fresh calendar horizon
    good = '{"id": 3, "type": "technical_support", "priority": "P1", "opened": "2026-11-27T15:45:00Z"}'
    code, rows = batch([row, good], calculator)
    assert code == 1
    assert rows[0]["id"] == 2
    assert rows[0]["error"].startswith("line 1: ")
    assert rows[1] == {"id": 3, **FRIDAY_P1}


@pytest.mark.parametrize("opened", ["9999-12-30T10:00:00+00:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00"])
def test_one_refuses_an_instant_out_of_range(opened: str, capsys: pytest.CaptureFixture[str]) -> None:
    calculator = DeadlineCalculator(SlaPolicy(), WorkingCalendar.weekdays(zone=LONDON))
    out = io.StringIO()
    assert run_one(calculator, type_name="support_query", priority=None, opened=opened, out=out) == 2
    assert out.getvalue() == ""
    assert "supportbot: error:" in capsys.readouterr().err


def test_empty_batch() -> None:
    assert batch([]) == (0, [])
    assert batch(["\n", "  \n"]) == (0, [])


# -- configuration ------------------------------------------------------------------------------------

SLA_ONLY_CONFIG = """\
timezone: Europe/London
working_hours: {days: [mon, tue, wed, thu, fri], start: "08:00", end: "16:00"}
holidays: {dates: [2026-12-24, 2026-12-25, 2026-12-28]}
sla:
  technical_support:
    P1: {response: 15m, review: 2h, resolution: none}
  support_query: {resolution: 5d}
"""


@pytest.fixture
def sla_config(tmp_path: Path) -> Path:
    path = tmp_path / "supportbot.yml"
    path.write_text(SLA_ONLY_CONFIG, encoding="utf-8")
    return path


def calculator_for(path: Path) -> DeadlineCalculator:
    settings = load_sla_settings(path)
    return DeadlineCalculator(settings.sla.policy, settings.calendar)


@pytest.mark.parametrize(
    ("type_name", "priority", "opened", "expected"),
    [
        pytest.param(
            "technical_support",
            "P1",
            "2026-11-27T15:45:00",
            # 15 working minutes from 15:45 end on closing time, which stays on the Friday.
            {"response": "2026-11-27T16:00:00+00:00", "review": "2026-11-30T09:45:00+00:00", "resolution": None},
            id="P1-overridden",
        ),
        pytest.param(
            "technical_support",
            "p1",
            "2026-11-27T15:45:00",
            {"response": "2026-11-27T16:00:00+00:00", "review": "2026-11-30T09:45:00+00:00", "resolution": None},
            id="P1-overridden-lowercase",
        ),
        pytest.param(
            "support_query",
            None,
            "2026-12-23T10:00:00",
            {
                "response": "2026-12-23T10:30:00+00:00",
                "review": "2026-12-29T10:00:00+00:00",
                "resolution": "2027-01-04T10:00:00+00:00",
            },
            id="support-query-5d-over-christmas",
        ),
        pytest.param(
            "technical_support",
            "P2",
            "2026-12-23T10:00:00",
            {
                "response": "2026-12-23T10:30:00+00:00",
                "review": "2026-12-23T14:00:00+00:00",
                "resolution": "2026-12-30T10:00:00+00:00",
            },
            id="P2-defaults-over-christmas",
        ),
    ],
)
def test_config_overrides_and_closed_dates(
    sla_config: Path, type_name: str, priority: str | None, opened: str, expected: dict[str, str | None]
) -> None:
    assert one(type_name, priority, opened, calculator_for(sla_config)) == expected


def test_other_desk_hours_and_zone(tmp_path: Path) -> None:
    path = tmp_path / "desk.yml"
    path.write_text(
        'timezone: America/New_York\nworking_hours: {days: [mon, tue, wed, thu], start: "09:00", end: "17:30"}\n',
        encoding="utf-8",
    )
    # A working day is 8.5h; Friday is not a working day. Opened Thursday 13:00 (4.5h left that day).
    assert one("support_query", None, "2026-11-26T13:00:00", calculator_for(path)) == {
        "response": "2026-11-26T13:30:00-05:00",
        "review": "2026-11-30T13:00:00-05:00",  # 1d = 4.5h Thu + 4h Mon
        "resolution": "2026-12-02T13:00:00-05:00",  # 3d = 25.5h: Thu 4.5, Mon 8.5, Tue 8.5, Wed 4
    }


def test_sla_settings_reads_the_named_file(sla_config: Path) -> None:
    settings = sla_settings(str(sla_config))
    assert settings.path == sla_config
    assert settings.calendar.day_seconds == 8 * 3600


def test_defaults_without_a_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = sla_settings(None)
    assert settings.path is None
    assert (
        one(
            "technical_support",
            "P1",
            "2026-11-27T15:45:00Z",
            DeadlineCalculator(settings.sla.policy, settings.calendar),
        )
        == FRIDAY_P1
    )


def test_cli_with_an_sla_only_config(sla_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No channels, leads or rotas: `sla due` needs none of them."""
    code = main(
        [
            "sla",
            "due",
            "--config",
            str(sla_config),
            "--type",
            "technical_support",
            "--priority",
            "P2",
            "--opened",
            "2026-12-23T10:00:00",
        ]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out) == {
        "response": "2026-12-23T10:30:00+00:00",
        "review": "2026-12-23T14:00:00+00:00",
        "resolution": "2026-12-30T10:00:00+00:00",
    }


# -- agreement with triage.sla ------------------------------------------------------------------------

PROPERTY_CALENDAR = WorkingCalendar.weekdays(zone=LONDON, closed_dates=CHRISTMAS)
PROPERTY_POLICY = SlaPolicy()
PROPERTY_CALCULATOR = DeadlineCalculator(PROPERTY_POLICY, PROPERTY_CALENDAR)
OFFSETS = {
    "utc": UTC,
    "Z": UTC,
    "+05:30": timezone(timedelta(hours=5, minutes=30)),
    "-08:00": timezone(timedelta(hours=-8)),
}

rows = st.lists(
    st.tuples(
        st.sampled_from(["technical_support", "support_query", "service_task", "gdpr_request"]),
        st.sampled_from([None, "P1", "P2", "P3", "P4", "p2"]),
        st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)),
        st.sampled_from(["local", *OFFSETS]),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows)
def test_batch_agrees_with_deadlines(rows: list[tuple[str, str | None, datetime, str]]) -> None:
    lines = []
    expected = []
    for i, (type_name, priority, wall, form) in enumerate(rows):
        if form == "local":
            opened = wall.replace(tzinfo=LONDON)  # naive input means the desk's local time
            text = wall.isoformat()
        else:
            opened = wall.replace(tzinfo=OFFSETS[form])
            text = wall.isoformat() + "Z" if form == "Z" else opened.isoformat()
        row: dict[str, Any] = {"id": i, "type": type_name, "opened": text}
        if priority is not None:
            row["priority"] = priority
        lines.append(json.dumps(row))
        due = deadlines(
            ticket_type=TicketType(type_name),
            priority=Priority(priority.upper()) if priority else None,
            opened=opened,
            policy=PROPERTY_POLICY,
            calendar=PROPERTY_CALENDAR,
        )
        expected.append((i, opened, due))

    code, answers = batch(lines, PROPERTY_CALCULATOR)
    assert code == 0
    assert len(answers) == len(expected)
    for answer, (i, opened, due) in zip(answers, expected, strict=True):
        assert list(answer) == ["id", "response", "review", "resolution"]
        assert answer["id"] == i
        for clock in SlaClock:
            value, want = answer[clock.value], due[clock]
            if want is None:
                assert value is None
                continue
            got = datetime.fromisoformat(value)
            assert got == want
            assert got.utcoffset() == want.astimezone(LONDON).utcoffset()  # written in the desk's offset
            assert got > opened
