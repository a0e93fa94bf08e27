"""Who-is-on-duty lookups per second: rota.roster.Rota.on_duty with 300 overrides and some leave.

A benchmark, not a test: it prints figures and exits 0 whatever they are.

    .venv/bin/python bench/rota_bench.py                  # 200,000 lookups
    .venv/bin/python bench/rota_bench.py --lookups 50000 --overrides 1000

Rota: Europe/London, 1st line weekly (5 members, Monday 09:00), 2nd line daily (3 members, 09:00), both
from Mon 2027-01-04, so the year 2027 has both clock changes. Overrides: N (default 300) on random lines
and people, starting at random instants in 2027 and lasting 1 hour to 9 days, so that many overlap;
leave: 40 stretches of 1 to 14 whole days. Lookups: random instants in 2027 (seeded), as aware UTC
datetimes and as London datetimes; each figure is the best of three passes. The answers of the first
10,000 lookups are checked against the rule as the issue words it, by linear scans over every override
and every stretch of leave.

Also measured: the first lookup on a new Rota (it builds the override, leave and rotation indexes),
`duties` over 8 weeks (the /support rota modal), `current_duty` + `next_duty` (/support who) and
`shifts_of` over 8 weeks (App Home).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import best_rate, median_ms, print_table  # noqa: E402
from rota.roster import Leave, Override, Rota  # noqa: E402 - needs ROOT on sys.path when run as a script
from rota.rotation import Handover, Rotation, SupportLine  # noqa: E402

LONDON = ZoneInfo("Europe/London")
TARGET_PER_SECOND = 100_000
SEED = 2027
YEAR_START = datetime(2027, 1, 1, tzinfo=UTC)
YEAR_SECONDS = 365 * 86400
FIRST = ("U01", "U02", "U03", "U04", "U05")
SECOND = ("U06", "U07", "U08")
PEOPLE = (*FIRST, *SECOND, "U09")
CHECKED = 10_000
WEEKS = 8


def rotations() -> dict[SupportLine, Rotation]:
    return {
        SupportLine.FIRST: Rotation(SupportLine.FIRST, FIRST, 7, Handover(clock(9, 0), 0), date(2027, 1, 4), LONDON),
        SupportLine.SECOND: Rotation(SupportLine.SECOND, SECOND, 1, Handover(clock(9, 0)), date(2027, 1, 4), LONDON),
    }


def make_rota(overrides: int, leave: int, rng: random.Random) -> Rota:
    """A rota with `overrides` overrides and `leave` stretches of leave at random in 2027."""
    made: list[Override] = []
    for number in range(overrides):
        starts = YEAR_START + timedelta(seconds=rng.randrange(YEAR_SECONDS))
        ends = starts + timedelta(hours=rng.randrange(1, 24 * 9))
        made.append(Override(rng.choice(list(SupportLine)), rng.choice(PEOPLE), starts, ends, id=number + 1))
    away: list[Leave] = []
    for number in range(leave):
        first = date(2027, 1, 1) + timedelta(days=rng.randrange(365))
        away.append(
            Leave.for_days(rng.choice(PEOPLE), first, first + timedelta(days=rng.randrange(14)), LONDON, id=number + 1)
        )
    return Rota(rotations=rotations(), leads=frozenset({"U00"}), overrides=tuple(made), leave=tuple(away))


def reference(rota: Rota, line: SupportLine, at: datetime) -> str | None:
    """Newest override covering `at`, else the rotation's member, else the next in order not on leave."""
    covering = [(o.id or 0, o.user_id) for o in rota.overrides if o.line is line and o.covers(at)]
    if covering:
        return max(covering)[1]
    rotation = rota.rotations[line]
    shift = rotation.shift_at(at)
    if shift is None:
        return None
    away = {item.user_id for item in rota.leave if item.starts_at <= at < item.ends_at}
    return next(
        (m for k in range(len(rotation.members)) if (m := rotation.member_at_index(shift.index + k)) not in away),
        None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=200_000, help="random instants in 2027 (default 200,000)")
    parser.add_argument("--overrides", type=int, default=300, help="overrides in the rota (default 300)")
    parser.add_argument("--leave", type=int, default=40, help="stretches of leave (default 40)")
    args = parser.parse_args(argv)

    rng = random.Random(SEED)
    rota = make_rota(args.overrides, args.leave, rng)
    bare = Rota(rotations=rotations())
    instants = [
        YEAR_START + timedelta(seconds=rng.randrange(YEAR_SECONDS), microseconds=rng.randrange(10**6))
        for _ in range(args.lookups)
    ]
    local = [at.astimezone(LONDON) for at in instants]
    lines = [rng.choice(list(SupportLine)) for _ in instants]
    overlapping = sum(
        1
        for a in rota.overrides
        for b in rota.overrides
        if a.id is not None
        and b.id is not None
        and a.id < b.id
        and a.line is b.line
        and a.starts_at < b.ends_at
        and b.starts_at < a.ends_at
    )
    print(
        f"Rota lookups: 1st line weekly x{len(FIRST)}, 2nd line daily x{len(SECOND)}, Europe/London, from 2027-01-04;"
        f" {len(rota.overrides)} overrides ({overlapping} overlapping pairs), {len(rota.leave)} stretches of leave"
    )
    print(f"{len(instants):,} random instants in 2027 (seed {SEED}); best of 3 passes; Python {sys.version.split()[0]}")
    print()

    wrong = sum(
        1
        for line, at in zip(lines[:CHECKED], instants[:CHECKED], strict=True)
        if rota.on_duty(line, at) != reference(rota, line, at)
    )
    assert wrong == 0, f"on_duty disagrees with the linear-scan reference on {wrong} of {CHECKED:,} lookups"

    def lookups(subject: Rota, given: Sequence[datetime]) -> Callable[[], object]:
        on_duty = subject.on_duty
        return lambda: [on_duty(line, at) for line, at in zip(lines, given, strict=True)]

    rows: list[list[str]] = []
    with_overrides = 0.0
    for label, subject in ((f"{len(rota.overrides)} overrides + leave", rota), ("no overrides, no leave", bare)):
        for zone, given in (("UTC", instants), ("London", local)):
            rate = best_rate(lookups(subject, given), len(given))
            if subject is rota:
                with_overrides = min(with_overrides or rate, rate)
            rows.append(["Rota.on_duty", label, zone, f"{rate:,.0f}"])
    print_table(["call", "rota", "instants", "lookups /s"], rows)
    print()

    def first_lookup() -> None:
        fresh = Rota(rotations=rotations(), overrides=rota.overrides, leave=rota.leave)
        fresh.on_duty(SupportLine.FIRST, instants[0])
        fresh.on_duty(SupportLine.SECOND, instants[0])
        fresh.is_on_leave("U01", instants[0])

    build_ms = median_ms(first_lookup, 20)
    now = datetime(2027, 3, 15, 12, tzinfo=UTC)  # the window crosses the spring clock change
    until = now + timedelta(weeks=WEEKS)
    costs = [
        ("first lookup on a new Rota (builds the indexes)", build_ms),
        (
            f"duties, both lines, {WEEKS} weeks",
            median_ms(lambda: [rota.duties(line, now, until) for line in SupportLine], 20),
        ),
        (
            "current_duty + next_duty, both lines",
            median_ms(lambda: [(rota.current_duty(line, now), rota.next_duty(line, now)) for line in SupportLine], 20),
        ),
        (f"shifts_of one person, {WEEKS} weeks", median_ms(lambda: rota.shifts_of("U02", now, until), 20)),
    ]
    print_table(["operation (median of 20)", "ms"], [[name, f"{ms:.2f}"] for name, ms in costs])
    print()
    verdict = "met" if with_overrides >= TARGET_PER_SECOND else "MISSED"
    print(
        f"target: >= {TARGET_PER_SECOND:,} on_duty lookups/s with {len(rota.overrides)} overrides:"
        f" {with_overrides:,.0f}/s (slower of UTC and London instants): {verdict}"
    )
    print(f"answers: the first {CHECKED:,} lookups match the linear-scan reference")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
