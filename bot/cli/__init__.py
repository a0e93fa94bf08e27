"""The `supportbot` command."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.settings import Settings
from services.config import ConfigError, load_config

log = logging.getLogger("supportbot")

OUTBOX_RETRY_SECONDS = 30
SWEEP_SECONDS = 60


def _fail(message: str) -> int:
    print(f"supportbot: error: {message}", file=sys.stderr)
    return 2


def _setup_logging() -> None:
    logging.basicConfig(
        level=os.environ.get("SUPPORTBOT_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def cmd_serve(args: argparse.Namespace) -> int:
    from apscheduler.schedulers.background import BackgroundScheduler

    from bot.app import StartupError, build_runtime

    _setup_logging()
    settings = Settings.from_env()
    try:
        runtime = build_runtime(settings)
    except (ConfigError, StartupError) as error:
        return _fail(str(error))
    log.info("starting with %r", settings)
    runtime.worker.start()
    runtime.worker.kick()  # deliver whatever was pending when we last stopped
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        runtime.worker.kick, "interval", seconds=OUTBOX_RETRY_SECONDS, id="outbox-retry", coalesce=True, max_instances=1
    )
    # Reminders, breaches and digests: every minute, from database state, so a restart catches up.
    scheduler.add_job(
        lambda: runtime.jobs.every_minute(runtime.clock.now()),
        "interval",
        seconds=SWEEP_SECONDS,
        id="sweep",
        coalesce=True,
        max_instances=1,
        next_run_time=datetime.now(UTC),
    )
    scheduler.start()
    try:
        if settings.app_token:
            from handlers.slack.app import run_socket_mode

            log.info("Socket Mode: connecting to Slack")
            run_socket_mode(runtime.app, settings.app_token)
        else:
            from bot.server import make_http_server

            server = make_http_server(runtime, host=args.host, port=args.port)
            log.info("HTTP mode: POST /slack/events and GET /healthz on http://%s:%s", args.host, server.effective_port)

            def shut_down(*_: Any) -> None:
                threading.Thread(target=server.close, daemon=True).start()

            signal.signal(signal.SIGTERM, shut_down)
            try:
                server.run()
            except (KeyboardInterrupt, OSError):
                pass
    finally:
        scheduler.shutdown(wait=False)
        runtime.close()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo.story import run_demo

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return run_demo(sys.stdout, platform=args.platform)


def cmd_check_config(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    path = args.file or settings.config_path
    try:
        config = load_config(path)
    except ConfigError as error:
        return _fail(str(error))
    lines = ", ".join(
        f"{line.value} ({len(r.members)} members, every {r.period_days} days)"
        for line, r in config.rota.rotations.items()
    )
    print(f"{path}: ok; prefix {config.ticket_prefix}, time zone {config.timezone.key}, rotas: {lines}")
    return 0


def _instant(text: str) -> datetime:
    """--at: an ISO-8601 time; one without an offset is the desk's local time (config `timezone`)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO-8601 time like 2026-11-24T10:00:00Z") from None


def _job_core(args: argparse.Namespace) -> Any:
    """The app without Slack's inbound side: config, database, outbox, jobs; at --at if given."""
    from bot.app import build_core
    from services.clock import ManualClock, SystemClock

    settings = Settings.from_env()
    config = load_config(settings.config_path)
    at = args.at.replace(tzinfo=config.timezone) if args.at and args.at.tzinfo is None else args.at
    clock = ManualClock(at) if at else SystemClock()
    # The jobs act "at" --at; delivery (leases, back-off) stays on real time, like every `serve`.
    return build_core(settings, clock=clock, config=config, delivery_clock=SystemClock())


def _deliver(core: Any) -> str:
    """Send what the job queued; without a token (or if Slack fails) it stays queued for `serve`."""
    if not core.settings.bot_token:
        return "messages queued for `supportbot serve` to deliver (SLACK_BOT_TOKEN is not set)"
    sent = core.worker.drain()
    return f"{sent} message(s) delivered"


def cmd_sweep(args: argparse.Namespace) -> int:
    from bot.jobs.rota import RotaJobs

    _setup_logging()
    try:
        core = _job_core(args)
    except ConfigError as error:
        return _fail(str(error))
    try:
        now = core.clock.now()
        core.jobs.recompute_if_policy_changed(now)
        result = core.jobs.sweep(now)
        rota = RotaJobs(core.deps, sync_at_start=False).run(now)  # handovers, shift reminders, user groups
        done = f"; {rota.summary()}" if rota.handovers or rota.reminders or rota.usergroups else ""
        print(f"sweep at {now.isoformat()}: {result.summary()}{done}; {_deliver(core)}")
    finally:
        core.close()
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    from triage.digest import DigestKind

    _setup_logging()
    try:
        core = _job_core(args)
    except ConfigError as error:
        return _fail(str(error))
    try:
        now = core.clock.now()
        kind = DigestKind.WEEKLY if args.weekly else DigestKind.DAILY
        core.jobs.post_digest(kind, now)
        where = core.config.digest_channel or "the leads (no channels.digest configured)"
        print(f"{kind.value} digest at {now.isoformat()} posted to {where}; {_deliver(core)}")
    finally:
        core.close()
    return 0


def cmd_sla_due(args: argparse.Namespace) -> int:
    from bot.cli.sla import DeadlineCalculator, run_batch, run_one, sla_settings

    try:
        settings = sla_settings(args.config)
    except ConfigError as error:
        return _fail(str(error))
    calculator = DeadlineCalculator(settings.sla.policy, settings.calendar)
    if args.batch is not None:
        if args.batch != "-":
            return _fail("--batch takes - (JSON lines on stdin)")
        return run_batch(calculator, sys.stdin, sys.stdout)
    if not args.type or not args.opened:
        return _fail("sla due needs --type and --opened (or --batch -)")
    return run_one(calculator, type_name=args.type, priority=args.priority, opened=args.opened, out=sys.stdout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="supportbot", description="A support desk in Slack.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser("serve", help="run the bot (HTTP mode, or Socket Mode with SLACK_APP_TOKEN)")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")), help="HTTP port (default 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    serve.set_defaults(func=cmd_serve)
    demo = sub.add_parser("demo", help="play a scripted conversation against a local stand-in for Slack")
    demo.add_argument(
        "--platform",
        choices=("all", "slack", "teams"),
        default="all",
        help="the Slack acts then the Teams act (all, the default), or one platform's desk alone",
    )
    demo.set_defaults(func=cmd_demo)
    check = sub.add_parser("check-config", help="validate supportbot.yml and exit")
    check.add_argument("file", nargs="?", help="config file (default: $SUPPORTBOT_CONFIG or ./supportbot.yml)")
    check.set_defaults(func=cmd_check_config)
    at_help = "act as if it were this time (ISO-8601; the desk's local time unless it has an offset)"
    sweep = sub.add_parser("sweep", help="one reminder/escalation pass, then exit (idempotent)")
    sweep.add_argument("--at", type=_instant, help=at_help)
    sweep.set_defaults(func=cmd_sweep)
    digest = sub.add_parser("digest", help="post the leads' digest now")
    digest.add_argument("--at", type=_instant, help=at_help)
    digest.add_argument("--weekly", action="store_true", help="the weekly digest (default: the daily one)")
    digest.set_defaults(func=cmd_digest)
    sla = sub.add_parser("sla", help="SLA deadlines in working time")
    sla_sub = sla.add_subparsers(dest="sla_command", required=True, metavar="SUBCOMMAND")
    due = sla_sub.add_parser("due", help="when each SLA clock of a ticket falls due (JSON)")
    due.add_argument("--type", help="technical_support, support_query, service_task, gdpr_request...")
    due.add_argument("--priority", help="P1-P4 (technical support)")
    due.add_argument("--opened", help="when the ticket was opened, ISO-8601 (local to the desk without an offset)")
    due.add_argument("--batch", metavar="-", help="read JSON lines {id, type, priority?, opened} from stdin")
    due.add_argument("--config", help="config file (default: $SUPPORTBOT_CONFIG or ./supportbot.yml if present)")
    due.set_defaults(func=cmd_sla_due)
    # Command groups that live in their own modules (each adds its sub-parsers).
    from bot.cli import gdpr as gdpr_cli
    from bot.cli import outbox as outbox_cli
    from bot.cli import rota as rota_cli
    from bot.cli import teams_package

    rota_cli.add_commands(sub)
    outbox_cli.add_commands(sub)
    gdpr_cli.add_commands(sub)
    teams_package.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
