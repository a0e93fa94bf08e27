"""Working-time deadlines per second: rota.calendar.WorkingCalendar next to the businesstimedelta package.

A benchmark, not a test: it prints figures and exits 0 whatever they are.

    .venv/bin/python bench/calendar_bench.py              # 100,000 rows
    .venv/bin/python bench/calendar_bench.py --rows 20000

Calendar: Mon-Fri 08:00-16:00 Europe/London, England & Wales bank holidays (the `holidays` package,
2024-2029 so that deadlines spilling out of 2025-2028 see the same holidays on both sides). Rows:
N random instants in 2025-2028 (seeded), the opening times of N tickets. For each row we compute the
deadline +30 working minutes and +14 working days, from aware datetimes (London and UTC) and from
POSIX seconds (the epoch fast path); each figure is the best of three passes over all rows.

businesstimedelta (pip install businesstimedelta; not a project dependency) gets the same rows, a
WorkDayRule and a HolidayRule localized with a pytz zone as its README shows, within a time budget
per figure because it walks day by day. Its HolidayRule is given the same dates as a frozenset (its
docs allow "a list with dates"): with a `holidays` object it is slower still, because every lookup
may expand the object by a year, and one overnight subtraction then takes about 30 s. Its answers
are compared with ours, instant by instant. A second, smaller comparison covers subtraction and
night shifts (Mon-Fri 22:00-06:00), where it is known to go wrong.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from datetime import time as clock
from importlib import metadata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import best_rate, print_table  # noqa: E402
from rota.calendar import WorkingCalendar, WorkingPeriod  # noqa: E402 - needs ROOT on sys.path when run as a script

LONDON = ZoneInfo("Europe/London")
DAY = 8 * 3600
AMOUNTS = (("+30m", 30 * 60), ("+14d", 14 * DAY))
TARGET_PER_SECOND = 200_000
BTD_ROWS = 10_000  # at most this many rows for businesstimedelta ...
BTD_BUDGET_S = 8.0  # ... and at most this long per figure
SIDE_BUDGET_S = 4.0  # the same for the night-shift comparison
SEED = 2026


def random_starts(rows: int) -> list[datetime]:
    """N random instants in 2025-2028, to the second, as London-aware datetimes."""
    rng = random.Random(SEED)
    low = int(datetime(2025, 1, 1, tzinfo=LONDON).timestamp())
    high = int(datetime(2029, 1, 1, tzinfo=LONDON).timestamp())
    return [datetime.fromtimestamp(rng.randrange(low, high), LONDON) for _ in range(rows)]


def deadlines(add: Callable[[Any, float], Any], starts: Sequence[Any], seconds: float) -> Callable[[], list[Any]]:
    """One pass: the deadline of every row."""
    return lambda: [add(t, seconds) for t in starts]


def timed_within_budget(
    call: Callable[[datetime], Any], rows: Sequence[datetime], budget_s: float = BTD_BUDGET_S
) -> tuple[list[Any], float]:
    """Results for as many rows as fit in the budget, and the rate; an exception counts as an answer."""
    answers: list[Any] = []
    began = time.perf_counter()
    for row in rows:
        try:
            answers.append(call(row))
        except Exception as error:  # noqa: BLE001 - a crash is one of the answers we report
            answers.append(error)
        if time.perf_counter() - began > budget_s:
            break
    elapsed = time.perf_counter() - began
    return answers, len(answers) / elapsed


def local(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(LONDON).strftime("%a %Y-%m-%d %H:%M:%S %Z")
    return f"{type(value).__name__}: {value}"


def disagreements(
    rows: Sequence[datetime], ours: Sequence[datetime], theirs: Sequence[Any]
) -> list[tuple[datetime, datetime, Any]]:
    return [(row, mine, other) for row, mine, other in zip(rows, ours, theirs, strict=False) if mine != other]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="random ticket opening times (default 100,000)")
    args = parser.parse_args(argv)

    try:  # optional: only the comparison needs it (pip install businesstimedelta, which brings pytz)
        import businesstimedelta as btd
        import pytz
    except ImportError:
        btd = pytz = None

    closed = sorted(holidays.country_holidays("GB", subdiv="ENG", years=range(2024, 2030)))
    bank_holidays = frozenset(closed)
    rows = random_starts(args.rows)
    rows_utc = [row.astimezone(UTC) for row in rows]
    rows_epoch = [row.timestamp() for row in rows]
    print(f"Working-time deadlines: Mon-Fri 08:00-16:00 Europe/London, {len(closed)} England & Wales bank holidays")
    print(
        f"{len(rows):,} random opening times in 2025-2028 (seed {SEED}); best of 3 passes; Python {sys.version.split()[0]}"
    )
    print()

    calendar = WorkingCalendar.weekdays(zone=LONDON, closed_dates=closed)
    began = time.perf_counter()
    calendar.add_working_time(rows[0], 60)
    first_call_ms = (time.perf_counter() - began) * 1000
    ours: dict[str, list[datetime]] = {}
    lines: list[list[str]] = []
    for label, given in (("datetime (London)", rows), ("datetime (UTC)", rows_utc)):
        line = ["supportbot WorkingCalendar", label]
        for name, seconds in AMOUNTS:
            line.append(f"{best_rate(deadlines(calendar.add_working_time, given, seconds), len(rows)):,.0f}")
            if name not in ours:
                ours[name] = [calendar.add_working_time(t, seconds) for t in rows]
        line.append(f"{len(rows):,}")
        lines.append(line)
    line = ["supportbot WorkingCalendar", "epoch float"]
    for name, seconds in AMOUNTS:
        line.append(f"{best_rate(deadlines(calendar.add_working_time_epoch, rows_epoch, seconds), len(rows)):,.0f}")
        fast = [calendar.add_working_time_epoch(t, seconds) for t in rows_epoch]
        mismatched = sum(1 for a, b in zip(fast, ours[name], strict=True) if a != b.timestamp())
        assert mismatched == 0, f"epoch path disagrees with the datetime path on {mismatched} rows ({name})"
    line.append(f"{len(rows):,}")
    lines.append(line)

    btd_notes: list[str] = []
    if btd is None:
        btd_notes.append("businesstimedelta is not installed: pip install businesstimedelta to compare")
    else:
        version = metadata.version("businesstimedelta")
        zone = pytz.timezone("Europe/London")
        workday = btd.WorkDayRule(start_time=clock(8), end_time=clock(16), working_days=[0, 1, 2, 3, 4], tz=zone)
        rules = btd.Rules([workday, btd.HolidayRule(bank_holidays, tz=zone)])
        subset = rows[:BTD_ROWS]
        line = [f"businesstimedelta {version}", "datetime (London)"]
        done = []
        for name, seconds in AMOUNTS:
            delta = btd.BusinessTimeDelta(rules, seconds=seconds)
            answers, rate = timed_within_budget(delta.__radd__, subset)
            line.append(f"{rate:,.0f}")
            done.append(len(answers))
            wrong = disagreements(subset, ours[name], answers)
            btd_notes.append(f"  {name}: {len(wrong)} of {len(answers):,} answers differ from ours")
            btd_notes.extend(f"      {local(r)}  ours {local(m)}  theirs {local(o)}" for r, m, o in wrong[:3])
        line.append(" / ".join(f"{n:,}" for n in done))
        lines.append(line)

    print_table(["implementation", "input", "+30m /s", "+14d /s", "rows"], lines)
    print()
    print(f"first call (builds a {calendar_span(calendar)} horizon): {first_call_ms:.1f} ms")
    datetime_rates = [float(cell.replace(",", "")) for line in lines[:2] for cell in line[2:4]]
    verdict = "met" if min(datetime_rates) >= TARGET_PER_SECOND else "MISSED"
    print(f"target: >= {TARGET_PER_SECOND:,} add_working_time calls/s for datetime inputs: {verdict}")
    print("epoch fast path: identical to the datetime path on every row")
    if btd is not None:
        print()
        print("businesstimedelta vs ours, same calendar and rows:")
        for note in btd_notes:
            print(note)
        print()
        compare_night_shifts_and_subtraction(btd, pytz.timezone("Europe/London"), bank_holidays, closed, rows)
    return 0


def calendar_span(calendar: WorkingCalendar) -> str:
    horizon = calendar._h  # a benchmark may peek: how much the first call built
    return f"{horizon.first.year}-{horizon.last.year}" if horizon is not None else "no"


def compare_night_shifts_and_subtraction(
    btd: Any, zone: Any, bank_holidays: frozenset[date], closed: list[date], rows: Sequence[datetime]
) -> None:
    """Where businesstimedelta is known to go wrong: overnight periods, and subtracting."""
    day_rules = btd.Rules(
        [
            btd.WorkDayRule(start_time=clock(8), end_time=clock(16), working_days=[0, 1, 2, 3, 4], tz=zone),
            btd.HolidayRule(bank_holidays, tz=zone),
        ]
    )
    night_rules = btd.Rules(
        [
            btd.WorkDayRule(start_time=clock(22), end_time=clock(6), working_days=[0, 1, 2, 3, 4], tz=zone),
            btd.HolidayRule(bank_holidays, tz=zone),
        ]
    )
    day = WorkingCalendar.weekdays(zone=LONDON, closed_dates=closed)
    night = WorkingCalendar(
        zone=LONDON, periods=[WorkingPeriod(weekday, clock(22), clock(6)) for weekday in range(5)], closed_dates=closed
    )
    subset = rows[:2_000]
    print("Subtraction and night shifts (same holidays), first rows of the same sample:")
    cases = (
        ("day 08-16", "-30m", -30 * 60, day, day_rules),
        ("day 08-16", "-14d", -14 * DAY, day, day_rules),
        ("night 22-06", "+30m", 30 * 60, night, night_rules),
        ("night 22-06", "+14d", 14 * DAY, night, night_rules),
        ("night 22-06", "-30m", -30 * 60, night, night_rules),
    )
    for shifts, name, seconds, calendar, rules in cases:
        delta = btd.BusinessTimeDelta(rules, seconds=abs(seconds))
        # t + delta and t - delta, as its README writes them (its __rsub__ subtracts delta from t)
        apply = delta.__radd__ if seconds > 0 else delta.__rsub__
        answers, _ = timed_within_budget(apply, subset, SIDE_BUDGET_S)
        ours = [calendar.add_working_time(t, seconds) for t in subset[: len(answers)]]
        wrong = disagreements(subset, ours, answers)
        crashed = sum(1 for answer in answers if isinstance(answer, Exception))
        print(f"  {shifts} {name}: {len(wrong)} of {len(answers):,} answers differ from ours ({crashed} raised)")
        for row, mine, other in wrong[:2]:
            print(f"      {local(row)}  ours {local(mine)}  theirs {local(other)}")


if __name__ == "__main__":
    raise SystemExit(main())
