"""`supportbot outbox list|redrive`: see what is waiting or dead, and send dead letters again (audited)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from services.config import ConfigError
from storage.models import ID

ACTOR_MAX = ID  # audit_log.actor_id
T = TypeVar("T")


def _core() -> Any:
    """Config and database, as `sweep` has them (DATABASE_URL, SUPPORTBOT_CONFIG); no Slack needed."""
    from bot.app import build_core
    from bot.settings import Settings

    return build_core(Settings.from_env())


def _row(row: Any) -> dict[str, Any]:
    """What an operator needs about a message; never its payload's secrets (there are none) nor the token."""
    return {
        "id": row.id,
        "status": row.status,
        "created": row.created_at.isoformat(),
        "channel": row.channel,
        "operation": row.operation,
        "attempts": row.attempts,
        "next_attempt": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
        "last_error": row.last_error,
    }


def _with_outbox(work: Callable[[Any], T]) -> T:
    """Open the core, run `work` on the outbox in one transaction, close; errors (ConfigError too) pass on."""
    from storage.outbox import Outbox

    core = _core()
    try:
        with core.sessions.begin() as session:
            return work(Outbox(session, core.clock.now()))
    finally:
        core.close()


def cmd_list(args: argparse.Namespace) -> int:
    from bot.cli import _fail

    try:
        rows = _with_outbox(lambda outbox: [_row(r) for r in outbox.undelivered(dead_only=args.dead)])
    except ConfigError as error:
        return _fail(str(error))
    if args.json:
        json.dump(rows, sys.stdout, indent=None)
        sys.stdout.write("\n")
        return 0
    if not rows:
        print("no dead letters" if args.dead else "nothing pending or dead: the outbox is empty")
        return 0
    print(f"{'id':>6}  {'status':<8} {'created':<25} {'channel':<12} {'operation':<9} {'tries':>5}  last error")
    for r in rows:
        print(
            f"{r['id']:>6}  {r['status']:<8} {r['created']:<25} {r['channel']:<12} {r['operation']:<9} "
            f"{r['attempts']:>5}  {r['last_error'] or ''}"
        )
    return 0


def cmd_redrive(args: argparse.Namespace) -> int:
    from bot.cli import _fail

    if bool(args.ids) == bool(args.all_dead):
        return _fail("outbox redrive takes message ids or --all-dead (one of them)")
    if not args.actor or len(args.actor) > ACTOR_MAX:
        return _fail(f"--actor must be 1 to {ACTOR_MAX} characters")
    try:
        ids = _with_outbox(lambda outbox: outbox.redrive(None if args.all_dead else args.ids, actor=args.actor))
    except ConfigError as error:
        return _fail(str(error))
    except LookupError as error:
        return _fail(str(error.args[0]))
    if not ids:
        print("no dead letters to re-drive")
    else:
        listed = ", ".join(str(i) for i in ids)
        print(f"re-driven {len(ids)} message(s): {listed}; `supportbot serve` delivers them within 30 s")
    return 0


def add_commands(sub: Any) -> None:
    """Add the `outbox` command group to the top-level parser's sub-parsers."""
    outbox = sub.add_parser("outbox", help="messages waiting to be delivered, and dead letters")
    outbox_sub = outbox.add_subparsers(dest="outbox_command", required=True, metavar="SUBCOMMAND")
    listing = outbox_sub.add_parser("list", help="list pending and dead messages (oldest first)")
    listing.add_argument("--dead", action="store_true", help="only dead letters")
    listing.add_argument("--json", action="store_true", help="one JSON array instead of a table")
    listing.set_defaults(func=cmd_list)
    redrive = outbox_sub.add_parser("redrive", help="make dead letters pending again (audited)")
    redrive.add_argument("ids", nargs="*", type=int, metavar="ID", help="outbox message ids (see `outbox list`)")
    redrive.add_argument("--all-dead", action="store_true", help="every dead letter")
    redrive.add_argument("--actor", default="cli", help="who is doing this, for the audit log (default: cli)")
    redrive.set_defaults(func=cmd_redrive)
