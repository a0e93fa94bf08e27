"""The `supportbot` command."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from bot.config import ConfigError, load_config
from bot.settings import Settings

log = logging.getLogger("supportbot")

OUTBOX_RETRY_SECONDS = 30


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
    scheduler.start()
    try:
        if settings.app_token:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            log.info("Socket Mode: connecting to Slack")
            SocketModeHandler(runtime.app, settings.app_token).start()  # type: ignore[no-untyped-call]
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
    from bot.demo import run_demo

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return run_demo(sys.stdout)


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="supportbot", description="A support desk in Slack.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser("serve", help="run the bot (HTTP mode, or Socket Mode with SLACK_APP_TOKEN)")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")), help="HTTP port (default 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    serve.set_defaults(func=cmd_serve)
    demo = sub.add_parser("demo", help="play a scripted conversation against a local stand-in for Slack")
    demo.set_defaults(func=cmd_demo)
    check = sub.add_parser("check-config", help="validate supportbot.yml and exit")
    check.add_argument("file", nargs="?", help="config file (default: $SUPPORTBOT_CONFIG or ./supportbot.yml)")
    check.set_defaults(func=cmd_check_config)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
