"""The baseline for bench/run.py: the smallest Bolt app that does what `/support <title>` does.

It acks, then opens a small modal with client.views_open, served exactly like `supportbot serve`
serves supportbot (bot/server.py make_http_server): waitress create_server with 16 threads in front
of slack_bolt.adapter.wsgi.SlackRequestHandler, talking to the same fake Slack Web API.

Reads SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_API_URL from the environment, as supportbot does.
Imports nothing from this repository (it is what a bare Bolt app costs), except with --modal supportbot,
which opens supportbot's own new-ticket modal instead of the small one, to separate the cost of the
framework from the cost of the modal's size.

    python bench/minimal_bolt_app.py --port 3001 [--modal small|supportbot]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from waitress.server import create_server

StartResponse = Callable[..., Any]


def small_modal(title: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "bench_modal",
        "title": {"type": "plain_text", "text": "New support ticket"},
        "submit": {"type": "plain_text", "text": "Submit"},
        "blocks": [
            {
                "type": "input",
                "block_id": "title",
                "label": {"type": "plain_text", "text": "Title"},
                "element": {"type": "plain_text_input", "action_id": "title", "initial_value": title[:150]},
            }
        ],
    }


def supportbot_modal(title: str) -> dict[str, Any]:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from handlers.slack.blocks import new_ticket_modal

    return new_ticket_modal(title=title, origin_channel_id="C0GENERAL")


def build_app(
    token: str, signing_secret: str, api_url: str | None, modal: Callable[[str], dict[str, Any]] = small_modal
) -> App:
    client = WebClient(token=token, base_url=api_url) if api_url else WebClient(token=token)
    app = App(client=client, signing_secret=signing_secret, process_before_response=False)

    @app.command("/support")
    def support(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=modal(command.get("text", "")))

    return app


def make_wsgi_app(app: App) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """/slack/events to Bolt; /healthz answers 200 so the benchmark polls both apps the same way."""
    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return wsgi_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Minimal Bolt app: /support -> ack() + views.open")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3001)
    parser.add_argument("--threads", type=int, default=16, help="waitress threads (supportbot uses 16)")
    parser.add_argument("--modal", choices=("small", "supportbot"), default="small", help="which modal to open")
    args = parser.parse_args(argv)

    token = os.environ.get("SLACK_BOT_TOKEN")
    secret = os.environ.get("SLACK_SIGNING_SECRET")
    if not token or not secret:
        print("minimal_bolt_app: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET", file=sys.stderr)
        return 2
    api_url = os.environ.get("SLACK_API_URL") or None
    if api_url and not api_url.endswith("/"):
        api_url += "/"

    app = build_app(token, secret, api_url, supportbot_modal if args.modal == "supportbot" else small_modal)
    server = create_server(make_wsgi_app(app), host=args.host, port=args.port, threads=args.threads, ident="bench-bolt")

    def shut_down(*_: Any) -> None:
        threading.Thread(target=server.close, daemon=True).start()

    signal.signal(signal.SIGTERM, shut_down)
    try:
        server.run()
    except (KeyboardInterrupt, OSError):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
