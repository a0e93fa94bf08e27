"""`supportbot rota who|ics|override|leave|import|export`: the stored rota from the command line.

Like `sweep`, these read DATABASE_URL and SUPPORTBOT_CONFIG; the database is migrated and, when new, seeded
from the config's rotas. Bad input is reported on stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rota.roster import Duty, DutySource, Leave, Override, OverrideReason, Rota
from rota.rotation import RotaError, SupportLine, check_year
from services.config import ConfigError
from triage.privacy import is_user_id

ACTOR = "cli"
MAX_WEEKS = 104


class BadInput(Exception):
    """A command-line argument that cannot be used; the message says why."""


def _core() -> Any:
    """Config and database as `sweep` has them (migrated, rota seeded); no Slack needed."""
    from bot.app import build_core
    from bot.settings import Settings

    return build_core(Settings.from_env())


def _instant(text: str, zone: Any, flag: str) -> datetime:
    """ISO-8601; without an offset it is the desk's local time (config `timezone`)."""
    try:
        at = datetime.fromisoformat(text)
        check_year(at, f"{flag} {text!r}")
    except RotaError as error:
        raise BadInput(str(error)) from None
    except ValueError:
        raise BadInput(f"{flag} {text!r} is not an ISO-8601 time like 2026-11-24T10:00 or 2026-11-24T10:00Z") from None
    return (at if at.tzinfo else at.replace(tzinfo=zone)).astimezone(UTC)


def _day(text: str, flag: str) -> date:
    try:
        day = date.fromisoformat(text)
        check_year(day, f"{flag} {text!r}")
        return day
    except RotaError as error:
        raise BadInput(str(error)) from None
    except ValueError:
        raise BadInput(f"{flag} {text!r} is not a date like 2026-11-30") from None


def _line(rota: Rota, name: str) -> SupportLine:
    """A line of the stored rota (not only the config's: `rota import` may have added one)."""
    lines = [line.value for line in SupportLine if line in rota.rotations]
    if name not in lines:
        raise BadInput(f"--line {name!r} is not a support line of this desk ({', '.join(lines)})")
    return SupportLine(name)


def _user(text: str) -> str:
    if not is_user_id(text):
        raise BadInput(f"--user {text!r} is not a Slack member id like U012AB3CD (profile -> Copy member ID)")
    return text


def _stored_rota(core: Any, *, since: datetime | None = None) -> Rota:
    from storage.rota import SqlRotaRepository

    with core.deps.read_sessions.begin() as session:
        return SqlRotaRepository(session).load(leads=core.config.rota.leads, since=since)


def _local(at: datetime, core: Any) -> str:
    return at.astimezone(core.config.timezone).isoformat(timespec="minutes")


def _run(args: argparse.Namespace, command: Any) -> int:
    """Open the core, run the command, close; BadInput and config errors become exit status 2."""
    from bot.cli import _fail

    try:
        core = _core()
    except ConfigError as error:
        return _fail(str(error))
    try:
        return int(command(core, args))
    except (BadInput, ConfigError) as error:
        return _fail(str(error))
    finally:
        core.close()


# -- commands -----------------------------------------------------------------------------------------------


def cmd_who(core: Any, args: argparse.Namespace) -> int:
    from storage.rota import KEEP_PAST

    config = core.config
    at = _instant(args.at, config.timezone, "--at") if args.at else core.clock.now()
    rota = _stored_rota(core, since=at - KEEP_PAST)
    lines = [_line(rota, args.line)] if args.line else [line for line in SupportLine if line in rota.rotations]
    print(json.dumps({line.value: rota.on_duty(line, at) for line in lines}))
    return 0


def cmd_ics(core: Any, args: argparse.Namespace) -> int:
    from rota.ical import rota_calendar
    from storage.rota_meta import calendar_url

    rota = core.deps.rota
    line = _line(rota, args.line)
    if args.url:
        with core.sessions.begin() as session:
            url = calendar_url(session, core.config.public_url, line)
        if url is None:
            raise BadInput("set public_url in the config (where `serve` is reachable) to get a subscription URL")
        print(url)
        return 0
    if not 1 <= args.weeks <= MAX_WEEKS:
        raise BadInput(f"--weeks must be 1 to {MAX_WEEKS}")
    sys.stdout.write(rota_calendar(rota, line, now=core.clock.now(), weeks=args.weeks).decode())
    return 0


def cmd_override(core: Any, args: argparse.Namespace) -> int:
    """Store the override split at handovers, leaving out stretches where the person is on duty anyway."""
    config = core.config
    line, user = _line(core.deps.rota, args.line), _user(args.user)
    starts = _instant(args.starts, config.timezone, "--from")
    ends = _instant(args.ends, config.timezone, "--to")
    if ends <= starts:
        raise BadInput(f"--to ({args.ends}) must be after --from ({args.starts})")
    with core.deps.unit_of_work() as uow:
        rota = uow.rota_repo.load_for_change(leads=config.rota.leads, now=uow.now)
        if not rota.is_support_staff(user):
            print(f"supportbot: warning: {user} is not on any rota nor a lead; storing it anyway", file=sys.stderr)
        wanted = Override(line, user, starts, ends, None, OverrideReason.MANUAL)
        pieces = rota.split_at_handovers(wanted, drop_unchanged=True)
        stored = uow.rota_repo.add_overrides(pieces, actor_id=args.actor, now=uow.now)
    for duty in rota.duties(line, starts, ends):
        if duty.source is DutySource.ROTA and duty.user_id == user:
            print(
                f"unchanged: {user} is already on {line.value} from {_local(duty.starts_at, core)} "
                f"to {_local(duty.ends_at, core)} (their own shift)"
            )
    if not stored:
        print(f"nothing changed: {user} is already on {line.value} for all of that time")
    for piece in stored:
        instead = f" instead of {piece.replaces}" if piece.replaces else ""
        print(
            f"override {piece.id}: {user} on {line.value} from {_local(piece.starts_at, core)} "
            f"to {_local(piece.ends_at, core)}{instead}"
        )
    return 0


def _conflict_text(duty: Duty, core: Any) -> str:
    who = f"{duty.user_id} covers" if duty.user_id else "NOBODY covers"
    return f"conflict: {duty.line.value} {_local(duty.starts_at, core)} to {_local(duty.ends_at, core)}: {who}"


def _warn_leads(core: Any, uow: Any, conflicts: list[tuple[Leave, list[Duty]]]) -> None:
    """Queue the leads' warning for each leave that takes someone off a shift still to come (in `uow`)."""
    for leave, duties in conflicts:
        uow.rota_notifier.leave_conflicts(leave, duties, sorted(core.config.rota.leads))


def _report_conflicts(core: Any, duties: list[Duty]) -> None:
    """Print each conflict; when there are any, send the leads' warning now (or leave it for `serve`)."""
    for duty in duties:
        print(_conflict_text(duty, core))
    if duties:
        from bot.cli import _deliver

        print(f"the leads are warned: {_deliver(core)}")


def cmd_leave(core: Any, args: argparse.Namespace) -> int:
    config = core.config
    user = _user(args.user)
    first, last = _day(args.first, "--from"), _day(args.last, "--to")
    if last < first:
        raise BadInput(f"--to ({args.last}) is before --from ({args.first})")
    leave = Leave.for_days(user, first, last, config.timezone)
    with core.deps.unit_of_work() as uow:
        rota = uow.rota_repo.load(leads=config.rota.leads)
        if not rota.is_support_staff(user):
            print(f"supportbot: warning: {user} is not on any rota; the leave changes nobody's duty", file=sys.stderr)
        conflicts = [d for d in rota.leave_conflicts(leave) if d.ends_at > uow.now]  # shifts worked are no news
        stored = uow.rota_repo.add_leave(leave, actor_id=args.actor, now=uow.now, note=args.note)
        _warn_leads(core, uow, [(stored, conflicts)] if conflicts else [])
    print(f"leave {stored.id}: {user} away {first.isoformat()} to {last.isoformat()} (whole days, inclusive)")
    _report_conflicts(core, conflicts)
    return 0


def cmd_export(core: Any, args: argparse.Namespace) -> int:
    from bot.cli.rota_yaml import export_data, export_yaml
    from storage.rota import SqlRotaRepository

    now = core.clock.now()
    with core.deps.read_sessions.begin() as session:
        repo = SqlRotaRepository(session)
        rota = repo.load(leads=core.config.rota.leads, since=now)
        notes = {leave.id or 0: note for leave, note in repo.leave_between(now, datetime.max.replace(tzinfo=UTC))}
    text = export_yaml(export_data(rota, leave_notes=notes, zone=core.config.timezone, now=now), now=now)
    if args.out:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as error:
            raise BadInput(f"cannot write {args.out}: {error.strerror}") from None
        print(f"rota exported to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_import(core: Any, args: argparse.Namespace) -> int:
    from bot.cli.rota_yaml import import_rota, parse_rota_file

    parsed = parse_rota_file(args.file, default_zone=core.config.timezone, leads=core.config.rota.leads)
    conflicts: list[tuple[Leave, list[Duty]]] = []
    with core.deps.unit_of_work() as uow:
        done = import_rota(
            uow.rota_repo, parsed, leads=core.config.rota.leads, actor_id=args.actor, now=uow.now, conflicts=conflicts
        )
        _warn_leads(core, uow, conflicts)  # leave is news to the leads however it is recorded
    for line in done:
        print(line)
    print(f"imported {args.file}: {len(done)} change(s)" if done else f"imported {args.file}: nothing new")
    _report_conflicts(core, [duty for _, duties in conflicts for duty in duties])
    return 0


# -- parser -------------------------------------------------------------------------------------------------


def add_commands(sub: Any) -> None:
    """Add the `rota` command group to the top-level parser's sub-parsers."""
    rota = sub.add_parser("rota", help="the support rota: who is on, calendar, overrides, leave, import/export")
    rota_sub = rota.add_subparsers(dest="rota_command", required=True, metavar="SUBCOMMAND")

    def command(name: str, help: str, func: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = rota_sub.add_parser(name, help=help)
        parser.set_defaults(func=lambda args: _run(args, func))
        return parser

    def actor(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--actor", default=ACTOR, help="who to name in the audit log (default: cli)")

    who = command("who", "who is on duty (JSON), now or --at a time", cmd_who)
    who.add_argument("--line", help="only this line (first_line, second_line)")
    who.add_argument("--at", help="ISO-8601 time; without an offset, the desk's local time")
    ics = command("ics", "a line's shifts as an iCalendar feed on stdout", cmd_ics)
    ics.add_argument("--line", required=True)
    ics.add_argument("--weeks", type=int, default=8, help="how many weeks ahead (default 8)")
    ics.add_argument("--url", action="store_true", help="print the calendar's subscription URL instead")
    override = command("override", "put someone on duty for a time range (split at handovers)", cmd_override)
    override.add_argument("--line", required=True)
    override.add_argument("--user", required=True)
    override.add_argument("--from", dest="starts", required=True, help="ISO-8601 (desk's local time without offset)")
    override.add_argument("--to", dest="ends", required=True, help="ISO-8601 (desk's local time without offset)")
    actor(override)
    leave = command("leave", "record whole days of leave; prints conflicts and warns the leads", cmd_leave)
    leave.add_argument("--user", required=True)
    leave.add_argument("--from", dest="first", required=True, help="first day away (YYYY-MM-DD)")
    leave.add_argument("--to", dest="last", required=True, help="last day away, included (YYYY-MM-DD)")
    leave.add_argument("--note", help="a short note for the leads")
    actor(leave)
    imp = command("import", "store a rota YAML file (idempotent)", cmd_import)
    imp.add_argument("file")
    actor(imp)
    exp = command("export", "write the stored rota as YAML (rotas, overrides, leave)", cmd_export)
    exp.add_argument("--out", help="file to write (default: stdout)")
