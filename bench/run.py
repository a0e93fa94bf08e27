"""Ack latency of `/support <title>`: a real `supportbot serve` next to a minimal Bolt app.

A benchmark, not a test. For each app it starts a subprocess on loopback (same env, same fake Slack
Web API, waitress with 16 threads in front of slack_bolt's WSGI adapter), warms it up, then fires
N signed `/support printer on fire` slash commands from C concurrent clients and measures the time
to the HTTP response (Slack's 3-second ack) with time.perf_counter. It then waits for the fake Slack
to have seen one views.open per request. Rounds alternate the order (ABBA) to even out drift.

    make bench                                    # or: .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --requests 200 --concurrency 20 --rounds 1

Targets printed next to the figures: supportbot p99 under 100 ms, within 1.5x of the bare Bolt app,
zero errors. The exit status is 0 whatever the figures; 1 only if the harness itself could not run.
"""

from __future__ import annotations

import argparse
import collections
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from handlers.slack.fake_api import FakeSlack  # noqa: E402 - needs ROOT on sys.path when run as a script
from handlers.slack.simulator import SlackSimulator  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
TEXT = "printer on fire"
HOST = "127.0.0.1"
HEALTH_TRIES = 300  # x ~0.1 s: 30 s for migrations and imports on a slow machine
STOP_TIMEOUT = 10.0
TARGET_P99_MS = 100.0
TARGET_RATIO = 1.5


@dataclass
class AppUnderTest:
    name: str
    argv: list[str]
    port: int
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"


@dataclass
class Run:
    app: str
    round: int
    position: int  # 1 = first in its round
    latencies_ms: list[float]
    errors: collections.Counter[str]
    wall_s: float
    views_open: int
    other_calls: collections.Counter[str] = field(default_factory=collections.Counter)
    server_cpu_s: float = math.nan  # CPU the app's process used from the first measured request to the last views.open
    bench_cpu_s: float = math.nan  # CPU this process (clients and fake Slack) used over the same span

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


# -- processes ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start(app: AppUnderTest, env: dict[str, str]) -> None:
    log = app.log_path.open("wb")
    try:
        app.proc = subprocess.Popen(app.argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()  # the child has its own handle


def process_cpu_seconds(pid: int | None) -> float:
    """user+system CPU time of a process (Linux /proc); NaN where that cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return math.nan


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def wait_healthy(app: AppUnderTest) -> None:
    """Poll GET /healthz a bounded number of times; raise with the app's log if it never answers 200."""
    assert app.proc is not None
    for _ in range(HEALTH_TRIES):
        if app.proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(app.base_url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    tail = app.log_path.read_text(errors="replace")[-3000:] if app.log_path.exists() else ""
    state = f"exited with {app.proc.returncode}" if app.proc.poll() is not None else "not answering"
    raise RuntimeError(f"{app.name} did not become healthy on {app.base_url} ({state}); its output:\n{tail}")


def stop(app: AppUnderTest) -> None:
    proc = app.proc
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_TIMEOUT)


# -- load ---------------------------------------------------------------------------------------


def fire(sim: SlackSimulator, requests: int, concurrency: int) -> tuple[list[float], collections.Counter[str], float]:
    """Send `requests` signed /support commands from `concurrency` threads; latencies in ms, errors, wall time."""

    def one(i: int) -> tuple[float, str | None]:
        user = f"U0BENCH{i % concurrency:03d}"
        began = time.perf_counter()
        try:
            reply = sim.command(user, TEXT)
        except Exception as error:  # noqa: BLE001 - every failure is an error to count, not to raise
            return (time.perf_counter() - began) * 1000, type(error).__name__
        elapsed = (time.perf_counter() - began) * 1000
        return elapsed, None if reply.status == 200 else f"HTTP {reply.status}"

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="bench-client") as pool:
        began = time.perf_counter()
        results = list(pool.map(one, range(requests)))
        wall = time.perf_counter() - began
    errors = collections.Counter(kind for _, kind in results if kind is not None)
    return [ms for ms, _ in results], errors, wall


def count_views_open(fake: FakeSlack, expected: int, timeout: float) -> int:
    try:
        fake.wait_for(lambda calls: sum(c.method == "views.open" for c in calls) >= expected, timeout=timeout)
    except AssertionError:
        pass  # report what arrived; the message would list every call
    return len(fake.calls_to("views.open"))


def measure(app: AppUnderTest, fake: FakeSlack, args: argparse.Namespace, round_no: int, position: int) -> Run:
    sim = SlackSimulator(app.base_url + "/slack/events", SECRET, fake)
    fake.reset()
    _, warm_errors, _ = fire(sim, args.warmup, min(args.concurrency, args.warmup) or 1)
    count_views_open(fake, args.warmup, args.views_timeout)
    time.sleep(0.2)  # let stragglers from the warm-up land before the slate is wiped
    fake.reset()
    pid = app.proc.pid if app.proc else None
    server_cpu, bench_cpu = process_cpu_seconds(pid), own_cpu_seconds()
    latencies, errors, wall = fire(sim, args.requests, args.concurrency)
    views = count_views_open(fake, args.requests, args.views_timeout)
    server_cpu, bench_cpu = process_cpu_seconds(pid) - server_cpu, own_cpu_seconds() - bench_cpu
    others = collections.Counter(c.method for c in fake.calls if c.method != "views.open")
    run = Run(app.name, round_no, position, latencies, errors, wall, views, others, server_cpu, bench_cpu)
    warm = f", warm-up errors {sum(warm_errors.values())}" if warm_errors else ""
    print(
        f"  round {round_no} #{position} {app.name:<13} p50 {pct(latencies, 50):6.1f} ms  "
        f"p99 {pct(latencies, 99):6.1f} ms  errors {run.error_count}  views.open {views}{warm}",
        flush=True,
    )
    return run


# -- figures ------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p99 of 500 samples is the 495th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def row(label: str, rnd: str, runs: list[Run], requests: int) -> str:
    latencies = [ms for r in runs for ms in r.latencies_ms]
    errors = sum(r.error_count for r in runs)
    views = f"{sum(r.views_open for r in runs)}/{requests * len(runs)}"
    rate = len(latencies) / sum(r.wall_s for r in runs)
    server_cpu = sum(r.server_cpu_s for r in runs) * 1000 / len(latencies)
    bench_cpu = sum(r.bench_cpu_s for r in runs) * 1000 / len(latencies)
    return (
        f"{label:<13} {rnd:>5}  {pct(latencies, 50):7.1f}  {pct(latencies, 99):7.1f}  {max(latencies):7.1f}  "
        f"{errors:6d}  {views:>10}  {rate:6.0f}  {server_cpu:7.2f}  {bench_cpu:7.2f}"
    )


HEADER = (
    f"{'app':<13} {'round':>5}  {'p50 ms':>7}  {'p99 ms':>7}  {'max ms':>7}  {'errors':>6}  {'views.open':>10}  "
    f"{'req/s':>6}  {'app CPU':>7}  {'clt CPU':>7}"
)


def report(runs: list[Run], args: argparse.Namespace, names: tuple[str, str]) -> None:
    print()
    print(
        f"/support {TEXT!r}: {args.requests} requests per run, {args.concurrency} concurrent clients, "
        f"waitress threads=16, {os.cpu_count()} CPUs, loopback; bare Bolt opens the {args.bolt_modal} modal"
    )
    print(HEADER)
    print("-" * len(HEADER))
    for run in sorted(runs, key=lambda r: (r.round, r.position)):
        print(row(run.app, f"{run.round}{'ab'[run.position - 1]}", [run], args.requests))
    print("-" * len(HEADER))
    pooled: dict[str, list[float]] = {}
    for name in names:
        mine = [r for r in runs if r.app == name]
        pooled[name] = [ms for r in mine for ms in r.latencies_ms]
        print(row(name, "all", mine, args.requests))
    print(
        "latency: send to HTTP response, per request (nearest-rank percentiles); CPU: ms per request of the app's process"
        " (app) and of the benchmark's clients + fake Slack (clt), until the last views.open"
    )

    bot, bolt = names
    bot_runs = [r for r in runs if r.app == bot]
    p99 = pct(pooled[bot], 99)
    ratio99 = p99 / pct(pooled[bolt], 99)
    ratio50 = pct(pooled[bot], 50) / pct(pooled[bolt], 50)
    errors = sum(r.error_count for r in bot_runs)
    missing = sum(args.requests - r.views_open for r in bot_runs)

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    print()
    print("targets (supportbot, all runs pooled)")
    print(
        f"  p99 under {TARGET_P99_MS:.0f} ms                   {p99:8.1f} ms                {verdict(p99 < TARGET_P99_MS)}"
    )
    print(
        f"  p99 within {TARGET_RATIO}x of bare Bolt      {ratio99:8.2f}x (p50 {ratio50:.2f}x)     {verdict(ratio99 <= TARGET_RATIO)}"
    )
    print(f"  zero errors                      {errors:8d}                   {verdict(errors == 0)}")
    print(f"  every views.open arrived         {missing:8d} missing           {verdict(missing == 0)}")
    all_errors = collections.Counter[str]()
    others = collections.Counter[str]()
    for r in runs:
        all_errors.update({f"{r.app}: {k}": v for k, v in r.errors.items()})
        others.update({f"{r.app}: {k}": v for k, v in r.other_calls.items()})
    if all_errors:
        print("  errors by kind: " + ", ".join(f"{k} x{v}" for k, v in sorted(all_errors.items())))
    if others:
        print(
            "  other Web API calls during measured runs: " + ", ".join(f"{k} x{v}" for k, v in sorted(others.items()))
        )


def summarise_log(app: AppUnderTest) -> None:
    """Say what the app logged (at WARNING): waitress's queue-depth warnings are counted, anything else shown."""
    text = app.log_path.read_text(errors="replace") if app.log_path.exists() else ""
    lines = [line for line in text.splitlines() if line.strip()]
    queue = [line for line in lines if "Task queue depth" in line]
    rest = [line for line in lines if "Task queue depth" not in line]
    if not lines:
        return
    print(f"{app.name} log: {len(queue)} waitress 'Task queue depth' warnings, {len(rest)} other lines")
    for line in rest[:5]:
        print(f"  {line[:200]}")


# -- main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=500, help="measured requests per run (default 500)")
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests before each run (default 20)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds; order alternates ABBA (default 2)")
    parser.add_argument(
        "--bolt-modal",
        choices=("small", "supportbot"),
        default="small",
        help="modal the bare Bolt app opens: a one-input one (default) or supportbot's own, to isolate framework cost",
    )
    parser.add_argument("--views-timeout", type=float, default=30.0, help="seconds to wait for the views.open calls")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1 or args.rounds < 1 or args.warmup < 0:
        parser.error("--requests, --concurrency and --rounds must be at least 1, --warmup at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="supportbot-bench-"))
    fake = FakeSlack(HOST, 0).start()
    config = tmp / "supportbot.yml"
    shutil.copy(ROOT / "bot" / "demo" / "demo.yml", config)
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
        "SUPPORTBOT_CONFIG": str(config),
        "SUPPORTBOT_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("SLACK_APP_TOKEN", None)  # HTTP mode, never Socket Mode
    bin_dir = Path(sys.executable).parent
    supportbot_exe = bin_dir / "supportbot"
    supportbot_argv = [str(supportbot_exe)] if supportbot_exe.exists() else [sys.executable, "-m", "bot.cli"]
    bot_port, bolt_port = free_port(), free_port()
    bot = AppUnderTest(
        "supportbot",
        [*supportbot_argv, "serve", "--host", HOST, "--port", str(bot_port)],
        bot_port,
        tmp / "supportbot.log",
    )
    bolt = AppUnderTest(
        "bolt-minimal",
        [
            *(sys.executable, str(ROOT / "bench" / "minimal_bolt_app.py"), "--host", HOST, "--port", str(bolt_port)),
            *("--modal", args.bolt_modal),
        ],
        bolt_port,
        tmp / "bolt.log",
    )
    runs: list[Run] = []
    try:
        for app in (bot, bolt):
            start(app, env)
        for app in (bot, bolt):
            wait_healthy(app)
        print(f"fake Slack {fake.api_url}; supportbot {bot.base_url}; minimal Bolt {bolt.base_url}", flush=True)
        for round_no in range(1, args.rounds + 1):
            order = (bot, bolt) if round_no % 2 else (bolt, bot)
            for position, app in enumerate(order, start=1):
                if app.proc is not None and app.proc.poll() is not None:
                    raise RuntimeError(f"{app.name} exited with {app.proc.returncode}; see {app.log_path}")
                runs.append(measure(app, fake, args, round_no, position))
        report(runs, args, (bot.name, bolt.name))
        print()
        for app in (bot, bolt):
            summarise_log(app)
        return 0
    except RuntimeError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        for app in (bot, bolt):
            stop(app)
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
