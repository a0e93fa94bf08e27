"""Teams ack latency: a real `supportbot serve` (Teams on) next to a bare Teams app on the same server stack.

A benchmark, not a test. Both apps run as subprocesses on loopback with the same environment and the same fake
Bot Connector (token endpoint, OpenID metadata + JWKS, conversations) living in this process:
  - supportbot: `supportbot serve` with TEAMS_APP_ID etc. (a Teams-only desk, the demo's Teams config);
  - bare: this file with `--serve-bare PORT`: the same waitress hosting (`create_server(..., threads=16)`), the
    same endpoint class and token verification (handlers.teams.app.TeamsEndpoint + InboundVerifier, i.e. the
    SDK's validator), and a trivial handler: a message is answered with one small card sent through the same
    Connector from a background thread; `task/fetch` is answered with a one-input dialog.
C concurrent clients send N signed activities of two kinds, measured separately:
  - `new <title>` message -> card: time until the card reaches the fake connector (the HTTP answer is the ack);
  - `task/fetch` invoke -> dialog: time until the HTTP answer carrying the dialog.
Rounds alternate the order (ABBA). Target: supportbot's p99 within 1.2x of the bare app's, for both, no errors.
The exit status is 0 whatever the figures; 1 only if the harness itself could not run.

    make bench                                  # or: .venv/bin/python bench/teams_bench.py
    .venv/bin/python bench/teams_bench.py --requests 200 --concurrency 50 --rounds 2
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import HOST, AppUnderTest, free_port, pct, start, stop, wait_healthy  # noqa: E402
from handlers.teams.fake_connector import FakeConnector  # noqa: E402
from handlers.teams.simulator import TENANT, TeamsSimulator, TeamsUser  # noqa: E402

APP_ID = "0b3c5d7e-1111-4222-8333-444455556666"
TARGET_RATIO = 1.2
KINDS = ("new -> card", "task/fetch -> dialog")
TITLE = re.compile(r'"(\w+-\d+-printer)"')


@dataclass
class Run:
    app: str
    kind: str
    latencies_ms: list[float]
    errors: collections.Counter[str]


# -- the bare app ------------------------------------------------------------------------------------------------


def serve_bare(port: int) -> None:
    """A bare Teams app on supportbot's server stack: verify, then answer trivially (see the module's doc)."""
    from waitress.server import create_server

    from bot.settings import Settings
    from handlers.teams.app import TeamsEndpoint
    from handlers.teams.auth import ClientCredentialsToken, InboundVerifier
    from handlers.teams.connector import Connector
    from handlers.teams.loop import LoopThread

    settings = Settings.from_env()
    assert settings.teams_app_id and settings.teams_app_password
    token = ClientCredentialsToken(
        token_url=settings.effective_teams_token_url, app_id=settings.teams_app_id, password=settings.teams_app_password
    )
    loop = LoopThread()
    connector = Connector(loop=loop, token=token, app_id=settings.teams_app_id)
    senders = ThreadPoolExecutor(max_workers=4, thread_name_prefix="bare-send")
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": "Open a support ticket"}],
        "actions": [{"type": "Action.Submit", "title": "New ticket", "data": {"msteams": {"type": "task/fetch"}}}],
    }

    class Trivial:
        def handle_message(self, inbound: Any) -> None:
            payload = {
                "text": "Open a support ticket",
                "card": {**card, "title": inbound.text.removeprefix("new ").strip()},
            }
            senders.submit(connector.send, inbound.service_url, inbound.conversation_id, payload)

        def handle_invoke(self, inbound: Any) -> dict[str, Any]:
            form = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Input.Text", "id": "title"}]}
            value = {
                "title": "New support ticket",
                "card": {"contentType": "application/vnd.microsoft.card.adaptive", "content": form},
            }
            return {"task": {"type": "continue", "value": value}}

        def handle_conversation_update(self, inbound: Any) -> None:
            pass

    listeners: Any = Trivial()
    verifier = InboundVerifier(app_id=settings.teams_app_id, openid_metadata_url=settings.teams_openid_metadata_url)
    endpoint = TeamsEndpoint(verifier=verifier, loop=loop, listeners=listeners)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        return endpoint(environ, start_response)

    create_server(app, host=HOST, port=port, threads=16, ident="bare-teams").run()


# -- load --------------------------------------------------------------------------------------------------------


def users(count: int) -> list[TeamsUser]:
    return [TeamsUser(f"cccccccc-0000-4000-8000-{i:012d}", f"Bench {i}") for i in range(count)]


def fire_new(
    sim: TeamsSimulator,
    fake: FakeConnector,
    people: list[TeamsUser],
    requests: int,
    concurrency: int,
    tag: str,
    timeout: float,
) -> tuple[list[float], collections.Counter[str]]:
    """`new <title>` from `concurrency` threads; each latency ends when its card reaches the fake connector."""
    began: dict[str, float] = {}
    errors: collections.Counter[str] = collections.Counter()
    first = len(fake.calls)

    def one(i: int) -> None:
        title = f"{tag}-{i}-printer"
        began[title] = time.monotonic()
        try:
            reply = sim.message(people[i % len(people)], f"new {title}")
        except OSError as error:
            errors[type(error).__name__] += 1
            return
        if reply.status != 200:
            errors[f"HTTP {reply.status}"] += 1

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="bench-client") as pool:
        list(pool.map(one, range(requests)))

    landed: dict[str, float] = {}
    scanned = [first]

    def all_landed(calls: list[Any]) -> bool:
        """Called by the fake under its lock at every call: only the calls not yet looked at are read."""
        for call in calls[scanned[0] :]:
            if call.method == "POST" and call.status == 200 and call.path.endswith("/activities"):
                found = TITLE.search(json.dumps(call.body))
                if found and found[1] in began and found[1] not in landed:
                    landed[found[1]] = call.at
        scanned[0] = len(calls)
        return len(landed) >= len(began) - sum(errors.values())

    try:
        fake.wait_for(all_landed, timeout=timeout)
    except AssertionError:
        pass  # report what arrived
    latencies = [(landed[t] - began[t]) * 1000 for t in began if t in landed]
    missing = len(began) - len(landed) - sum(errors.values())
    if missing > 0:
        errors["card never arrived"] += missing
    return latencies, errors


def fire_fetch(
    sim: TeamsSimulator, people: list[TeamsUser], requests: int, concurrency: int
) -> tuple[list[float], collections.Counter[str]]:
    """`task/fetch` invokes; each latency ends with the HTTP answer that carries the dialog."""
    errors: collections.Counter[str] = collections.Counter()

    def one(i: int) -> float | None:
        start_at = time.monotonic()
        try:
            reply = sim.invoke(people[i % len(people)], "task/fetch", {"data": {"title": f"printer {i}"}})
        except OSError as error:
            errors[type(error).__name__] += 1
            return None
        if (
            reply.status != 200
            or not isinstance(reply.body, dict)
            or reply.body.get("task", {}).get("type") != "continue"
        ):
            errors[f"HTTP {reply.status}"] += 1
            return None
        return (time.monotonic() - start_at) * 1000

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="bench-client") as pool:
        results = list(pool.map(one, range(requests)))
    return [ms for ms in results if ms is not None], errors


def measure(app: AppUnderTest, fake: FakeConnector, args: argparse.Namespace, round_no: int) -> list[Run]:
    sim = TeamsSimulator(app.base_url + "/api/messages", fake, app_id=APP_ID)
    people = users(args.concurrency)
    fire_new(
        sim,
        fake,
        people,
        args.warmup,
        min(args.concurrency, args.warmup) or 1,
        f"warm{round_no}{app.name}",
        args.card_timeout,
    )
    fire_fetch(sim, people, args.warmup, min(args.concurrency, args.warmup) or 1)
    runs = []
    latencies, errors = fire_new(
        sim, fake, people, args.requests, args.concurrency, f"r{round_no}{app.name}", args.card_timeout
    )
    runs.append(Run(app.name, KINDS[0], latencies, errors))
    latencies, errors = fire_fetch(sim, people, args.requests, args.concurrency)
    runs.append(Run(app.name, KINDS[1], latencies, errors))
    for run in runs:
        print(
            f"  round {round_no} {app.name:<10} {run.kind:<21} p50 {pct(run.latencies_ms, 50):7.1f} ms  "
            f"p99 {pct(run.latencies_ms, 99):7.1f} ms  errors {sum(run.errors.values())}",
            flush=True,
        )
    return runs


def report(runs: list[Run]) -> None:
    print("\nTeams ack latency, all rounds pooled (ms, nearest rank)")
    print(f"  {'':<21} {'app':<10} {'n':>5} {'p50':>8} {'p99':>8} {'errors':>7}")
    for kind in KINDS:
        pooled: dict[str, list[float]] = {}
        errors: dict[str, int] = {}
        for run in runs:
            if run.kind == kind:
                pooled.setdefault(run.app, []).extend(run.latencies_ms)
                errors[run.app] = errors.get(run.app, 0) + sum(run.errors.values())
        for app, values in pooled.items():
            print(
                f"  {kind:<21} {app:<10} {len(values):>5} {pct(values, 50):>8.1f} {pct(values, 99):>8.1f} {errors[app]:>7}"
            )
        ours, bare = pct(pooled.get("supportbot", []), 99), pct(pooled.get("bare", []), 99)
        ratio = ours / bare if bare and not math.isnan(bare) else math.nan
        verdict = "PASS" if ratio <= TARGET_RATIO and not errors.get("supportbot") else "MISS"
        print(f"  {kind:<21} p99 ratio supportbot/bare {ratio:.2f}x  (target <= {TARGET_RATIO}x, no errors): {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--card-timeout", type=float, default=60.0)
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_bare:
        serve_bare(args.serve_bare)
        return 0
    from bot.demo.teams_act import teams_demo_config

    tmp = Path(tempfile.mkdtemp(prefix="supportbot-teams-bench-"))
    apps: list[AppUnderTest] = []
    try:
        with FakeConnector() as fake:
            config = tmp / "supportbot.yml"
            config.write_text(teams_demo_config(fake.service_url))
            env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_", "SUPPORTBOT_"))}
            env.update(
                TEAMS_APP_ID=APP_ID,
                TEAMS_APP_PASSWORD="bench-client-secret",
                TEAMS_TENANT_ID=TENANT,
                TEAMS_OPENID_METADATA_URL=fake.openid_metadata_url,
                TEAMS_TOKEN_URL=fake.token_url,
                DATABASE_URL=f"sqlite:///{tmp / 'bench.db'}",
                SUPPORTBOT_CONFIG=str(config),
                SUPPORTBOT_LOG_LEVEL="WARNING",
                PYTHONPATH=str(ROOT),
            )
            bin_dir = Path(sys.executable).parent
            serve = [str(bin_dir / "supportbot"), "serve", "--host", HOST, "--port"]
            ours_port, bare_port = free_port(), free_port()
            apps = [
                AppUnderTest("supportbot", [*serve, str(ours_port)], ours_port, tmp / "supportbot.log"),
                AppUnderTest(
                    "bare", [sys.executable, __file__, "--serve-bare", str(bare_port)], bare_port, tmp / "bare.log"
                ),
            ]
            for app in apps:
                start(app, env)
            for app in apps:
                wait_healthy(app)
            print(
                f"Teams ack latency: {args.requests} requests of each kind, {args.concurrency} concurrent, "
                f"{args.rounds} round(s), ABBA order"
            )
            runs: list[Run] = []
            for round_no in range(1, args.rounds + 1):
                order = apps if round_no % 2 else list(reversed(apps))
                for app in order:
                    runs.extend(measure(app, fake, args, round_no))
            report(runs)
    except RuntimeError as error:
        print(f"the benchmark could not run: {error}", file=sys.stderr)
        return 1
    finally:
        for app in apps:
            stop(app)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    threading.current_thread().name = "teams-bench"
    sys.exit(main())
