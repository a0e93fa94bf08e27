"""The stored rota as YAML and back: `rotas:` in supportbot.yml's shape plus `overrides:` and `leave:` lists.

Import is idempotent. A line's rotation that differs from the stored one takes over at the new rotation's
next handover (history kept), except that a line whose only rotation has not started yet is rewritten in
place; overrides and leave already stored are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from rota.roster import Duty, Leave, Override, OverrideReason, Rota
from rota.rotation import RotaError, Rotation, SupportLine, check_year
from services.config import ConfigError, _Document, _mapping, _read, _rota, _zone
from storage.rota import SqlRotaRepository
from storage.rota_rows import rotation_from_row
from triage.privacy import is_user_id

IMPORT_KEYS = ("timezone", "rotas", "overrides", "leave")


def _period(rotation: Rotation) -> str:
    return {1: "daily", 7: "weekly"}.get(rotation.period_days, f"every {rotation.period_days} days")


def _local(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).isoformat()


def _whole_days(leave: Leave, zone: ZoneInfo) -> tuple[date, date] | None:
    """Leave that runs from local midnight to local midnight, as (first, last) days inclusive."""
    start, end = leave.starts_at.astimezone(zone), leave.ends_at.astimezone(zone)
    if start.time() != time(0) or end.time() != time(0):
        return None
    return start.date(), end.date() - timedelta(days=1)


def export_data(rota: Rota, *, leave_notes: dict[int, str | None], zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    """The rota in force and to come: each line's current rotation, overrides and leave not yet over."""
    rotas: dict[str, Any] = {}
    for line in SupportLine:
        rotation = rota.rotations.get(line)
        if rotation is None:
            continue
        spec: dict[str, Any] = {
            "members": list(rotation.members),
            "rotation": _period(rotation),
            "handover": str(rotation.handover),
            "start": rotation.start.isoformat(),
        }
        if rotation.tz != zone:
            spec["timezone"] = rotation.tz.key
        rotas[line.value] = spec
    overrides = [
        {
            "line": o.line.value,
            "user": o.user_id,
            "from": _local(o.starts_at, zone),
            "to": _local(o.ends_at, zone),
            **({"replaces": o.replaces} if o.replaces else {}),
            "reason": o.reason.value,
        }
        for o in sorted(rota.overrides, key=lambda o: (o.starts_at, o.line, o.id or 0))
        if o.ends_at > now
    ]
    leave = []
    for item in sorted(rota.leave, key=lambda x: (x.starts_at, x.user_id)):
        if item.ends_at <= now:
            continue
        days = _whole_days(item, zone)
        entry: dict[str, Any] = {"user": item.user_id}
        if days:
            entry.update({"from": days[0].isoformat(), "to": days[1].isoformat()})
        else:
            entry.update({"from": _local(item.starts_at, zone), "to": _local(item.ends_at, zone)})
        if note := leave_notes.get(item.id or 0):
            entry["note"] = note
        leave.append(entry)
    return {"timezone": zone.key, "rotas": rotas, "overrides": overrides, "leave": leave}


def export_yaml(data: dict[str, Any], *, now: datetime) -> str:
    head = (
        f"# supportbot rota export, {now.astimezone(UTC).isoformat()}\n"
        "# Times without an offset are in `timezone`; leave given as dates is whole days, `to` included.\n"
        "# Load it back (idempotent) with: supportbot rota import FILE\n"
    )
    return head + yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=120, allow_unicode=True)


# -- import -----------------------------------------------------------------------------------------------


@dataclass
class RotaFile:
    """A parsed, checked import file."""

    rotations: dict[SupportLine, Rotation] = field(default_factory=dict)
    overrides: list[Override] = field(default_factory=list)
    leave: list[tuple[Leave, str | None]] = field(default_factory=list)


def _moment(doc: _Document, value: Any, path: tuple[str | int, ...], zone: ZoneInfo, *, end_of_day: bool) -> datetime:
    """An ISO instant (desk-local without an offset) or a date (its start, or the next day's for `to`)."""
    text = str(value).strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            check_year(day, repr(value))
            day += timedelta(days=1 if end_of_day else 0)
            return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
        at = datetime.fromisoformat(text)
        check_year(at, repr(value))
    except RotaError as error:
        raise doc.error(path, str(error)) from None
    except ValueError:
        raise doc.error(path, f"{value!r} is not a date (2026-11-30) or an ISO-8601 time (2026-11-30T09:00)") from None
    return (at if at.tzinfo else at.replace(tzinfo=zone)).astimezone(UTC)


def _user(doc: _Document, item: dict[str, Any], path: tuple[str | int, ...]) -> str:
    user = item.get("user")
    if not isinstance(user, str) or not is_user_id(user):
        raise doc.error((*path, "user"), f"{user!r} is not a Slack user id (U... or W...)")
    return user


def _who_and_when(
    doc: _Document, item: dict[str, Any], path: tuple[str | int, ...], zone: ZoneInfo
) -> tuple[str, datetime, datetime]:
    """An override's or leave's `user`, `from` and `to` (a date `to` is included: its day's end)."""
    user = _user(doc, item, path)
    for key in ("from", "to"):
        if key not in item:
            raise doc.error((*path, key), "missing")
    starts = _moment(doc, item["from"], (*path, "from"), zone, end_of_day=False)
    return user, starts, _moment(doc, item["to"], (*path, "to"), zone, end_of_day=True)


def _items(doc: _Document, raw: Any, key: str) -> list[tuple[tuple[str | int, ...], dict[str, Any]]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise doc.error((key,), "expected a list")
    return [((key, i), _mapping(doc, item, (key, i))) for i, item in enumerate(raw)]


def parse_rota_file(path: Path | str, *, default_zone: ZoneInfo, leads: frozenset[str]) -> RotaFile:
    """Read and check an import file; raises ConfigError naming file, line and key."""
    if not Path(path).is_file():  # _read's advice is about the config file
        raise ConfigError(Path(path), None, "", "no such file (give the path of a rota YAML file)")
    doc, data = _read(Path(path))
    for key in data:
        if key not in IMPORT_KEYS:
            raise doc.error((str(key),), f"unknown key; an import file has {', '.join(IMPORT_KEYS)}")
    zone = _zone(doc, data["timezone"], ("timezone",)) if "timezone" in data else default_zone
    parsed = RotaFile()
    if data.get("rotas") is not None:
        parsed.rotations = dict(_rota(doc, data["rotas"], zone, tuple(leads)).rotations)
    for item_path, item in _items(doc, data.get("overrides"), "overrides"):
        try:
            line = SupportLine(str(item.get("line")))
        except ValueError:
            lines = " or ".join(v.value for v in SupportLine)
            raise doc.error((*item_path, "line"), f"{item.get('line')!r} is not a support line ({lines})") from None
        user, starts, ends = _who_and_when(doc, item, item_path, zone)
        reason = str(item.get("reason", OverrideReason.MANUAL.value))
        if reason not in {r.value for r in OverrideReason}:
            raise doc.error((*item_path, "reason"), f"{reason!r} is not cover, swap or manual")
        try:
            parsed.overrides.append(Override(line, user, starts, ends, None, OverrideReason(reason)))
        except RotaError as error:
            raise doc.error((*item_path, "to"), str(error)) from None
    for item_path, item in _items(doc, data.get("leave"), "leave"):
        user, starts, ends = _who_and_when(doc, item, item_path, zone)
        note = item.get("note")
        try:
            parsed.leave.append((Leave(user, starts, ends), str(note) if note is not None else None))
        except RotaError as error:
            raise doc.error((*item_path, "to"), str(error)) from None
    return parsed


def same_schedule(a: Rotation, b: Rotation, now: datetime) -> bool:
    """Whether two rotations give the same people the same shifts from `now` (or the later start) on."""
    if (a.period_days, a.handover, a.tz, sorted(a.members)) != (b.period_days, b.handover, b.tz, sorted(b.members)):
        return False
    since = max(now, a.shift_start(0), b.shift_start(0))  # a pending edit is compared from where it starts
    horizon = since + timedelta(days=a.period_days * (len(a.members) + 1))
    return [(s.starts_at, s.member) for s in a.shifts(since, horizon)] == [
        (s.starts_at, s.member) for s in b.shifts(since, horizon)
    ]


def taking_over(rotation: Rotation, now: datetime) -> Rotation:
    """`rotation` as it runs from its first handover after `now` (so the shift under way is left alone)."""
    if rotation.shift_start(0) > now:
        return rotation
    index = rotation.shift_index_at(now) + 1
    k = index % len(rotation.members)
    return Rotation(
        line=rotation.line,
        members=rotation.members[k:] + rotation.members[:k],
        period_days=rotation.period_days,
        handover=rotation.handover,
        start=rotation.shift_start(index).astimezone(rotation.tz).date(),
        tz=rotation.tz,
    )


def import_rota(
    repo: SqlRotaRepository,
    parsed: RotaFile,
    *,
    leads: frozenset[str],
    actor_id: str,
    now: datetime,
    conflicts: list[tuple[Leave, list[Duty]]] | None = None,
) -> list[str]:
    """Store what the file adds; returns one line of text per change (empty when nothing was new).

    New leave's conflicts with shifts still to come are appended to `conflicts`, for the leads' warning.
    """
    done: list[str] = []
    for line, rotation in parsed.rotations.items():
        rows = repo.rotation_rows(line)
        if not rows:
            repo.add_rotation(rotation, effective_from=None, actor_id=actor_id, now=now)
            done.append(f"{line.value}: rotation stored ({', '.join(rotation.members)})")
            continue
        current = rotation_from_row(rows[-1])
        if same_schedule(current, rotation, now):
            continue
        if len(rows) == 1 and current.shift_start(0) > now:
            repo.replace_rotation(rows[0].id, rotation, actor_id=actor_id, now=now)
            done.append(f"{line.value}: rotation replaced before it started ({', '.join(rotation.members)})")
            continue
        new = taking_over(rotation, now)
        repo.add_rotation(new, effective_from=new.shift_start(0), actor_id=actor_id, now=now)
        done.append(
            f"{line.value}: new rotation from {new.shift_start(0).astimezone(new.tz).isoformat()} "
            f"({', '.join(new.members)})"
        )
    rota = repo.load(leads=leads)
    for override in parsed.overrides:
        pieces = [p for p in rota.split_at_handovers(override) if not repo.has_override(p)]
        if pieces:
            repo.add_overrides(pieces, actor_id=actor_id, now=now)
            done.extend(f"override: {p.line.value} {p.user_id} {p.starts_at.isoformat()}" for p in pieces)
    for leave, note in parsed.leave:
        if not repo.has_leave(leave):
            clashes = [d for d in rota.leave_conflicts(leave) if d.ends_at > now]
            stored = repo.add_leave(leave, actor_id=actor_id, now=now, note=note)
            rota = rota.with_changes(leave=[stored])  # the next leave's cover is someone still here
            if clashes and conflicts is not None:
                conflicts.append((stored, clashes))
            done.append(f"leave: {leave.user_id} {leave.starts_at.isoformat()} - {leave.ends_at.isoformat()}")
    return done


__all__ = ["ConfigError", "RotaFile", "export_data", "export_yaml", "import_rota", "parse_rota_file"]
