"""`supportbot gdpr export|erase --user U...`: a person's data out, or their data gone; both audited."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from services.config import ConfigError
from storage.models import ID
from triage.privacy import is_user_id

ACTOR_MAX = ID  # audit_log.actor_id


def _core() -> Any:
    """Config and database, as `sweep` has them; no Slack needed unless SLACK_BOT_TOKEN is set."""
    from bot.app import build_core
    from bot.settings import Settings

    return build_core(Settings.from_env())


def _check(args: argparse.Namespace) -> str | None:
    """What is wrong with the arguments, before anything is opened."""
    if not is_user_id(args.user):
        return f"--user {args.user!r} is not a Slack member id like U012AB3CD (profile -> Copy member ID)"
    if not args.actor or len(args.actor) > ACTOR_MAX:
        return f"--actor must be 1 to {ACTOR_MAX} characters"
    return None


def cmd_export(args: argparse.Namespace) -> int:
    from bot.cli import _fail, _setup_logging
    from storage.audit import record_audit
    from storage.gdpr import export_person

    _setup_logging()
    if problem := _check(args):
        return _fail(problem)
    try:
        core = _core()
    except ConfigError as error:
        return _fail(str(error))
    try:
        now = core.clock.now()
        with core.sessions.begin() as session:
            data = export_person(session, user_id=args.user, prefix=core.config.ticket_prefix, now=now)
            counts = {k: len(v) for k, v in data.items() if isinstance(v, list)}
            record_audit(
                session,
                at=now,
                actor_id=args.actor,
                action="gdpr_export",
                subject=args.user,
                details={**counts, "out": str(args.out) if args.out else "stdout"},
            )
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
            if args.out:  # personal data: readable by the owner only
                fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(text)
        if args.out:
            summary = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())
            print(f"exported {args.user} to {args.out}: {summary}")
        else:
            sys.stdout.write(text)
    except OSError as error:
        return _fail(f"cannot write {args.out}: {error.strerror}")
    finally:
        core.close()
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    from bot.cli import _deliver, _fail, _setup_logging
    from storage.audit import record_audit
    from storage.gdpr import current_rota_lines, erase_person

    _setup_logging()
    if problem := _check(args):
        return _fail(problem)
    if not args.yes:
        return _fail(
            f"erasing {args.user} cannot be undone: their tickets' words and their messages are deleted and "
            "their id is replaced by a pseudonym everywhere. Run `supportbot gdpr export` first if they asked "
            "for a copy, then run again with --yes"
        )
    try:
        core = _core()
    except ConfigError as error:
        return _fail(str(error))
    try:
        rota = core.config.rota
        with core.deps.lookup() as tickets:
            stored = current_rota_lines(tickets.session, args.user)
        if rota.is_support_staff(args.user) or stored:
            return _fail(
                f"{args.user} is still on the support rota or a lead ({', '.join(stored) or 'supportbot.yml'}); "
                "take them off first, so that nobody is left on duty under a pseudonym"
            )
        with core.deps.unit_of_work() as uow:
            erasure = erase_person(uow.session, user_id=args.user, prefix=core.config.ticket_prefix)
            # Cards still in Slack show the old words: queue their erased state (the person's own are gone).
            for ticket in uow.tickets.get_many(sorted({*erasure.tickets_raised, *erasure.tickets_unassigned})):
                uow.notifier.ticket_changed(ticket)
            record_audit(
                uow.session,
                at=uow.now,
                actor_id=args.actor,
                action="gdpr_erase",
                subject=erasure.pseudonym,  # the audit log must not keep the id it just erased
                details=erasure.details(),
            )
        prefix = core.config.ticket_prefix
        unassigned = ", ".join(f"{prefix}-{t}" for t in erasure.tickets_unassigned)
        print(
            f"erased {args.user} as {erasure.pseudonym}: {len(erasure.tickets_raised)} ticket(s) they raised "
            f"anonymised, {erasure.events} event(s), {erasure.messages_deleted} message(s) deleted, "
            f"{erasure.messages_scrubbed} pending message(s) scrubbed, {erasure.audit_entries} audit entr(ies), "
            f"{erasure.rota_rows} rota row(s)"
            + (f"; now unassigned, reminders go to the leads: {unassigned}" if unassigned else "")
            + f"; {_deliver(core)}"
        )
    finally:
        core.close()
    return 0


def add_commands(sub: Any) -> None:
    """Add the `gdpr` command group to the top-level parser's sub-parsers."""
    gdpr = sub.add_parser("gdpr", help="a person's data: export it (subject access) or erase it")
    gdpr_sub = gdpr.add_subparsers(dest="gdpr_command", required=True, metavar="SUBCOMMAND")
    actor_help = "who is doing this, for the audit log (default: cli)"
    export = gdpr_sub.add_parser("export", help="write everything stored about a person as JSON")
    export.add_argument("--user", required=True, help="their Slack member id, U...")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    export.add_argument("--actor", default="cli", help=actor_help)
    export.set_defaults(func=cmd_export)
    erase = gdpr_sub.add_parser("erase", help="erase a person: their words go, their id becomes a pseudonym")
    erase.add_argument("--user", required=True, help="their Slack member id, U...")
    erase.add_argument("--yes", action="store_true", help="really erase (it cannot be undone)")
    erase.add_argument("--actor", default="cli", help=actor_help)
    erase.set_defaults(func=cmd_erase)
