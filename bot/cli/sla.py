"""`supportbot sla due`: deadlines for one ticket, or for JSON lines on stdin, fast enough for 100,000 rows.

It needs only the time zone, working hours, holidays and SLA targets from the config (never the
database or Slack), so it imports little and answers from the calendar's precomputed intervals.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from rota.calendar import WorkingCalendar
from services.config import SlaSettings, load_sla_settings
from triage.model import Priority, TicketType
from triage.sla import SlaClock, SlaPolicy

TYPES = ", ".join(t.value for t in TicketType)
CLOCK_NAMES = tuple(clock.value for clock in SlaClock)
CHUNK = 2000  # output lines per write: one write(2) per line is slow when stdout is unbuffered


class DueError(ValueError):
    """One bad input: said in words, and for a batch, on that row's line."""


def sla_settings(explicit: str | None) -> SlaSettings:
    """The config's SLA part; PRODUCT.md's defaults when no file is given and ./supportbot.yml is absent."""
    named = explicit or os.environ.get("SUPPORTBOT_CONFIG")
    path = Path(named or "supportbot.yml")
    if named is None and not path.exists():
        return SlaSettings(path=None)
    return load_sla_settings(path)


class DeadlineCalculator:
    """Targets looked up once per (type, priority); deadlines on POSIX seconds through the calendar."""

    def __init__(self, policy: SlaPolicy, calendar: WorkingCalendar) -> None:
        self.policy = policy
        self.calendar = calendar
        self.zone: ZoneInfo = calendar.zone
        self._targets: dict[tuple[str, str | None], tuple[float | None, ...]] = {}
        self._answers: dict[tuple[tuple[float | None, ...], float], str] = {}
        self._iso_cache: dict[float, str] = {}

    def targets(self, type_name: Any, priority_name: Any) -> tuple[float | None, ...]:
        if not isinstance(type_name, str) or not isinstance(priority_name, str | None):
            raise DueError('type and priority must be strings, e.g. "technical_support" and "P1"')
        key = (type_name, priority_name)
        cached = self._targets.get(key)
        if cached is None:
            try:
                ticket_type = TicketType(type_name)
            except ValueError:
                raise DueError(f"unknown type {type_name!r}; use one of {TYPES}") from None
            try:
                priority = Priority(str(priority_name).upper()) if priority_name not in (None, "") else None
            except ValueError:
                raise DueError(f"unknown priority {priority_name!r}; use P1, P2, P3 or P4") from None
            day = self.calendar.day_seconds
            cached = tuple(self.policy.target_seconds(ticket_type, priority, clock, day) for clock in SlaClock)
            self._targets[key] = cached
        return cached

    def opened_at(self, text: Any) -> float:
        try:
            opened = datetime.fromisoformat(str(text))
        except ValueError:
            raise DueError(f"opened: {text!r} is not an ISO-8601 time like 2026-11-27T15:45:00+00:00") from None
        if opened.tzinfo is None:  # a local time at the desk
            opened = opened.replace(tzinfo=self.zone)
        return opened.timestamp()

    def _iso(self, epoch: float) -> str:
        text = self._iso_cache.get(epoch)
        if text is None:
            text = self._iso_cache[epoch] = datetime.fromtimestamp(epoch, self.zone).isoformat()
        return text

    def due(self, type_name: Any, priority_name: Any, opened: Any) -> dict[str, str | None]:
        return json.loads("{" + self.due_json(type_name, priority_name, opened) + "}")  # type: ignore[no-any-return]

    def due_json(self, type_name: Any, priority_name: Any, opened: Any) -> str:
        """The three deadlines as JSON members, ready to write. Rows opened out of hours share the next
        opening as their start, so answers repeat a lot: each (targets, start) is rendered once."""
        targets = self.targets(type_name, priority_name)
        opened_at = self.opened_at(opened)
        add = self.calendar.add_working_time_epoch
        try:
            start = add(opened_at, 0)  # out of hours: the next working instant
            key = (targets, start)
            text = self._answers.get(key)
            if text is None:
                parts = []
                for name, target in zip(CLOCK_NAMES, targets, strict=True):
                    value = f'"{self._iso(add(start, target))}"' if target is not None else "null"
                    parts.append(f'"{name}": {value}')
                text = self._answers[key] = ", ".join(parts)
            return text
        except (ValueError, OverflowError, OSError):  # e.g. year 1 or 9999: outside any calendar
            raise DueError(f"opened: {opened!r} is outside the range of dates the calendar covers") from None


def run_one(calculator: DeadlineCalculator, *, type_name: str, priority: str | None, opened: str, out: IO[str]) -> int:
    try:
        result = calculator.due(type_name, priority, opened)
    except DueError as error:
        print(f"supportbot: error: {error}", file=sys.stderr)
        return 2
    out.write(json.dumps(result) + "\n")
    return 0


def run_batch(calculator: DeadlineCalculator, lines: Iterable[str], out: IO[str]) -> int:
    """One output line per input line, in order; a bad row gets an "error" and the rest still answer."""
    failures = 0
    pending: list[str] = []
    dumps = json.dumps
    loads = json.loads
    due_json = calculator.due_json
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        row_id: Any = None
        try:
            row = loads(line)
            if not isinstance(row, dict):
                raise DueError('expected a JSON object like {"id": 1, "type": "support_query", "opened": ...}')
            row_id = row.get("id")
            if "type" not in row or "opened" not in row:
                raise DueError('each row needs "type" and "opened"')
            pending.append(
                '{"id": ' + dumps(row_id) + ", " + due_json(row["type"], row.get("priority"), row["opened"]) + "}\n"
            )
        except ValueError as error:  # DueError, or JSON that does not parse
            failures += 1
            pending.append(dumps({"id": row_id, "error": f"line {number}: {error}"}) + "\n")
        if len(pending) >= CHUNK:
            out.write("".join(pending))
            pending.clear()
    out.write("".join(pending))
    if failures:
        print(f'supportbot: {failures} row(s) could not be answered; see their "error"', file=sys.stderr)
        return 1
    return 0
