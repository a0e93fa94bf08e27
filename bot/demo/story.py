"""`supportbot demo`: the real app over HTTP, on a throwaway SQLite file, against a stand-in for Slack.

It plays a short scenario in three acts (a ticket is opened, acknowledged, escalated, worked and resolved;
SLA reminders and the digest; the rota, in bot/demo/rota_act.py) by sending the same signed requests Slack would
and running the scheduler's jobs on a manual clock, then prints what each person saw. Nothing here short-cuts the
production path: the requests go through signature checks, Bolt, the handlers, the database and the
outbox worker, exactly as under `supportbot serve`.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.app import Runtime, build_runtime
from bot.server import make_http_server, serve_in_background
from bot.settings import Settings
from handlers.slack.fake_api import Call, FakeSlack
from handlers.slack.simulator import Reply, SlackSimulator
from services.clock import ManualClock

DEMO_CONFIG = Path(__file__).with_name("demo.yml")
SECRET = "demo-signing-secret"
START = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))  # a Tuesday morning
TRIAGE, LEADS = "C0TRIAGE", "C0LEADS"
RIYA, ALICE, ERIN, ZOE = "U7RIYA", "U1ALICE", "U5ERIN", "U9ZOE"
# The demo's copy of demo.yml adds these (the tests use demo.yml as it is): a Slack user group per line that
# always names who is on duty, and the public URL that calendar subscription links start with.
USER_GROUPS = {"S0SUPPORT1": "@support-1st", "S0SUPPORT2": "@support-2nd"}
PUBLIC_URL = "https://supportbot.example.com"


def person(user_id: str) -> str:
    """ "U1ALICE" -> "@alice": the demo's ids spell their owners' names."""
    return "@" + re.sub(r"^[UWD]\d*", "", user_id).lower()


def _mrkdwn(text: str) -> str:
    text = re.sub(r"<!date\^\d+\^[^|>]*\|([^>]*)>", r"\1", text)  # Slack shows it in the reader's zone
    text = re.sub(r"<@([A-Z0-9]+)>", lambda m: person(m[1]), text)
    text = re.sub(r"<https?://[^|>]+\|([^>]*)>", r"\1", text)  # a link reads as its label
    text = re.sub(r":[a-z_]+: ?", "", text)
    return text.replace("*", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def render_blocks(blocks: list[dict[str, Any]] | None, fallback: str) -> list[str]:
    """Block Kit as a person would read it, in plain lines."""
    if not blocks:
        return _mrkdwn(fallback).splitlines() or [""]
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(_mrkdwn(block["text"]["text"]).upper())
        elif kind == "section" and "text" in block:
            lines.extend(_mrkdwn(block["text"]["text"]).splitlines())
        elif kind == "section":
            lines.append(" | ".join(_mrkdwn(f["text"]).replace("\n", ": ", 1) for f in block.get("fields", [])))
        elif kind == "context":
            lines.append(" ".join(_mrkdwn(e.get("text", "")) for e in block.get("elements", [])))
        elif kind == "actions":
            labels = [
                e.get("text", e.get("placeholder", {})).get("text", "?")
                + (" v" if e.get("type") == "static_select" else "")
                for e in block.get("elements", [])
            ]
            lines.append("  ".join(f"[{label}]" for label in labels))
    return lines


def describe(call: Call, here: str | None = None) -> list[str]:
    """One recorded Web API call as lines of the transcript; `here` is where a button pressed was (its reply
    may replace that message)."""
    channel = call.channel or ""
    where = (
        "#triage"
        if channel == TRIAGE
        else "#leads"
        if channel == LEADS
        else f"DM {person(channel)}"
        if channel[:1] in "UD"
        else channel
    )
    if call.method in ("views.open", "views.push"):
        view = call.args.get("view") or {}
        title = view.get("title", {}).get("text", "")
        return [f"  [form] '{title}' opens"]
    if call.method == "views.publish":
        body = render_blocks((call.args.get("view") or {}).get("blocks"), "")
        return [f"  {'Home tab':<14} {body[0]}", *(f"  {'':<14} {line}" for line in body[1:])]
    if call.method == "usergroups.users.update":
        group = USER_GROUPS.get(str(call.args.get("usergroup")), str(call.args.get("usergroup")))
        members = ", ".join(person(u) for u in str(call.args.get("users", "")).split(",") if u)
        return [f"  {group:<14} (user group) now {members}"]
    if call.method == "chat.postMessage":
        body = render_blocks(call.args.get("blocks"), call.text)
        return [f"  {where:<14} supportbot: {body[0]}", *(f"  {'':<14}   {line}" for line in body[1:])]
    if call.method == "chat.update":
        body = render_blocks(call.args.get("blocks"), call.text)
        return [
            f"  {where:<14} (message updated in place) {body[0]}",
            *(f"  {'':<14}   {line}" for line in body[1:] if "[" in line or "Status" in line),
        ]
    if call.method == "response_url":
        body = render_blocks(call.args.get("blocks"), call.text)
        if here and call.args.get("replace_original"):
            return [f"  {here:<14} (message replaced) {body[0]}", *(f"  {'':<14}   {line}" for line in body[1:])]
        return [f"  {'(only you)':<14} supportbot: {body[0]}", *(f"  {'':<14}   {line}" for line in body[1:])]
    return []


class Demo:
    def __init__(self, out: TextIO, fake: FakeSlack, simulator: SlackSimulator, clock: ManualClock) -> None:
        self.out = out
        self.fake = fake
        self.sim = simulator
        self.clock = clock
        self.seen = 0

    def say(self, text: str) -> None:
        print(text, file=self.out)

    def step(
        self,
        narration: str,
        action: Callable[[], Reply],
        expect: Callable[[list[Call]], bool],
        *,
        here: str | None = None,
    ) -> None:
        """Narrate, act like a person in Slack, wait for the bot's visible reaction, and print it."""
        self.clock.advance(timedelta(minutes=4))
        local = self.clock.now().astimezone(START.tzinfo)
        self.say(f"\n{local:%a %H:%M}  {narration}")
        reply = action()
        if reply.status != 200:
            raise RuntimeError(f"supportbot answered HTTP {reply.status}: {reply.body}")
        if reply.body:
            for line in render_blocks(None, reply.text):
                self.say(f"  {'(only you)':<14} supportbot: {line}")
        calls = self.fake.wait_for(lambda calls: expect(calls[self.seen :]), timeout=15)
        for call in calls[self.seen :]:
            for line in describe(call, here):
                self.say(line)
        self.seen = len(calls)

    def later(
        self,
        at: datetime,
        narration: str,
        job: Callable[[], object],
        expect: Callable[[list[Call]], bool],
        *,
        show: Callable[[Call], bool] = lambda call: True,
    ) -> None:
        """Move time on and run what the scheduler would run then; print what people see (the calls `show`
        passes; the rest are counted in one line, so an act stays on its subject)."""
        self.clock.set(at)
        self.say(f"\n{at.astimezone(START.tzinfo):%a %H:%M}  {narration}")
        job()
        calls = self.fake.wait_for(lambda calls: expect(calls[self.seen :]), timeout=15)
        hidden: list[Call] = []
        for call in calls[self.seen :]:
            if not show(call):
                hidden.append(call)
                continue
            for line in describe(call):
                self.say(line)
        if aside := untold(hidden):
            self.say(f"  (the same run also sent {aside})")
        self.seen = len(calls)

    def last(self, method: str, channel_prefix: str | None = None) -> Call:
        for call in reversed(self.fake.calls):
            if call.method == method and (
                channel_prefix is None or str(call.response.get("channel", call.channel)).startswith(channel_prefix)
            ):
                return call
        raise LookupError(method)

    def card(self, channel: str) -> dict[str, Any]:
        """The current state of the latest ticket card in a channel (as the person sees it now)."""
        key = max((k for k in self.fake.messages if k[0] == channel), key=lambda k: float(k[1]))
        return {**self.fake.messages[key], "ts": key[1]}


def is_digest(call: Call) -> bool:
    return call.method == "chat.postMessage" and call.channel == LEADS and "digest" in call.text.lower()


def is_sla_notice(call: Call) -> bool:
    """An SLA reminder or breach notice ("SUP-2: response due soon", "SUP-2: resolution SLA breached"...)."""
    return call.method == "chat.postMessage" and re.match(r"^[A-Z0-9]+-\d+: ", call.text) is not None


def untold(calls: list[Call]) -> str:
    """What a step left out of the transcript, counted: "2 digests to #leads, 3 SLA notices"."""
    kinds: list[tuple[str, Callable[[Call], bool]]] = [
        ("digest{} to #leads", is_digest),
        ("SLA notice{}", is_sla_notice),
        ("card update{}", lambda c: c.method == "chat.update"),
        ("user-group update{}", lambda c: c.method == "usergroups.users.update"),
        ("other call{}", lambda c: True),
    ]
    counts: dict[str, int] = {}
    for call in calls:
        label = next(label for label, matches in kinds if matches(call))
        counts[label] = counts.get(label, 0) + 1
    return ", ".join(f"{n} {label.format('' if n == 1 else 's')}" for label, n in counts.items())


def calls_to(method: str, n: int = 1, channel: str | None = None) -> Callable[[list[Call]], bool]:
    """A step is over once the bot has made these calls (it answers asynchronously, after the ack)."""
    return lambda calls: sum(c.method == method and (channel is None or c.channel == channel) for c in calls) >= n


def all_of(*checks: Callable[[list[Call]], bool]) -> Callable[[list[Call]], bool]:
    """Several things a step must wait for, in any order."""
    return lambda calls: all(check(calls) for check in checks)


def play_sla_act(demo: Demo, runtime: Runtime) -> None:
    """Act two: a question nobody answers in time. The minute sweep reminds, then escalates; the digest follows."""
    sim = demo.sim
    demo.say("\n-- SLA clocks run in working time (Mon-Fri 08:00-16:00 London); the scheduler sweeps every minute --")

    def sweep() -> None:
        runtime.jobs.every_minute(runtime.clock.now())
        runtime.worker.kick()
        runtime.worker.wait_idle(10)  # all it queued is delivered before the transcript moves on

    demo.step(
        f"{person(ZOE)} types: /support How do I share my calendar with a contractor?",
        lambda: sim.command(ZOE, "How do I share my calendar with a contractor?"),
        calls_to("views.open"),
    )
    form = demo.last("views.open").args["view"]
    demo.step(
        f"{person(ZOE)} picks 'Support query' and submits",
        lambda: sim.submit(
            ZOE,
            form,
            {
                "title": "How do I share my calendar with a contractor?",
                "description": "They are not in our directory; I want them to see my free/busy times only.",
                "type": "support_query",
                "priority": "unsure",
            },
        ),
        calls_to("chat.postMessage", 3),
    )
    opened = demo.clock.now()
    demo.later(
        opened + timedelta(minutes=20),
        "20 working minutes of the 30-minute response target have gone: the sweep reminds the assignee",
        sweep,
        calls_to("chat.postMessage", 1, ALICE),
        show=lambda call: not is_digest(call) and call.method != "usergroups.users.update",
    )

    demo.later(
        opened + timedelta(minutes=31),
        "Still no answer: the response target is breached",
        sweep,
        all_of(calls_to("chat.postMessage", 1, TRIAGE), calls_to("chat.postMessage", 1, ERIN)),
    )
    demo.step(
        f"{person(ALICE)} presses 'Update the requester' on the reminder",
        lambda: sim.act(ALICE, demo.card("D1ALICE"), "ticket_post_update", channel="D1ALICE"),
        calls_to("views.open"),
    )
    update_form = demo.last("views.open").args["view"]
    demo.step(
        f"{person(ALICE)} writes to {person(ZOE)} and sends it",
        lambda: sim.submit(
            ALICE,
            update_form,
            {
                "update": "Yes: Outlook > Calendar > Share > type their address > 'Can view when I'm busy'. Try it and tell me."
            },
        ),
        calls_to("chat.postMessage", 1, ZOE),
    )
    demo.later(
        START.replace(day=START.day + 1, hour=9, minute=0),
        "Next working day, 09:00: the daily digest for the leads",
        sweep,
        calls_to("chat.postMessage", 1, LEADS),
    )


def demo_config() -> str:
    """demo.yml plus the user groups and the public URL (kept out of demo.yml, which the tests share)."""
    text = DEMO_CONFIG.read_text()
    for (group, _), line in zip(USER_GROUPS.items(), ("first_line", "second_line"), strict=True):
        text = text.replace(f"  {line}:\n", f"  {line}:\n    usergroup: {group}\n", 1)
    return text + f"public_url: {PUBLIC_URL}\n"


def run_demo(out: TextIO, *, platform: str = "all") -> int:
    """The Slack acts, then the Teams act (`platform`: "all"); or one platform's desk alone."""
    from bot.demo.teams_act import run_teams_demo

    if platform == "teams":
        return run_teams_demo(out)
    played = run_slack_demo(out)
    if platform == "slack" or played != 0:
        return played
    return run_teams_demo(out)


def run_slack_demo(out: TextIO) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="supportbot-demo-"))
    fake = FakeSlack().start()
    clock = ManualClock(START)
    config_path = tmp / "supportbot.yml"
    config_path.write_text(demo_config())
    settings = Settings(
        bot_token="xoxb-demo-token",
        signing_secret=SECRET,
        app_token=None,
        api_url=fake.api_url,
        database_url=f"sqlite:///{tmp / 'demo.db'}",
        config_path=config_path,
    )
    runtime = build_runtime(settings, clock=clock)
    runtime.worker.start()
    server = make_http_server(runtime, host="127.0.0.1", port=0, threads=8)
    serve_in_background(server, "demo-http")
    sim = SlackSimulator(f"http://127.0.0.1:{server.effective_port}/slack/events", SECRET, fake)
    demo = Demo(out, fake, sim, clock)
    try:
        demo.say("supportbot demo: the real app on a throwaway SQLite file, talking to a local stand-in for Slack.")
        demo.say(
            f"Rota this week: 1st line {person(ALICE)}, 2nd line {person(ERIN)}; lead @lead. Database: {tmp / 'demo.db'}"
        )

        demo.step(
            f"{person(RIYA)} types: /support VPN drops every few minutes",
            lambda: sim.command(RIYA, "VPN drops every few minutes"),
            calls_to("views.open"),
        )
        form = demo.last("views.open").args["view"]
        demo.step(
            f"{person(RIYA)} describes the problem, picks 'Technical support' and 'P2 High', and submits",
            lambda: sim.submit(
                RIYA,
                form,
                {
                    "title": "VPN drops every few minutes",
                    "description": "Since this morning the VPN disconnects every 5 minutes; Teams calls drop with it.",
                    "type": "technical_support",
                    "priority": "P2",
                },
            ),
            calls_to("chat.postMessage", 3),
        )
        demo.step(
            f"{person(ZOE)} (not on the rota) presses Resolve on the card in #triage",
            lambda: sim.act(ZOE, demo.card(TRIAGE), "ticket_resolve", channel=TRIAGE),
            calls_to("response_url"),
        )
        demo.step(
            f"{person(ALICE)} presses Acknowledge in her DM",
            lambda: sim.act(ALICE, demo.card("D1ALICE"), "ticket_acknowledge", channel="D1ALICE"),
            all_of(calls_to("chat.update", 3), calls_to("chat.postMessage", 1, RIYA)),
        )
        demo.step(
            f"{person(ALICE)} presses 'Escalate to 2nd line'",
            lambda: sim.act(ALICE, demo.card("D1ALICE"), "ticket_escalate", channel="D1ALICE"),
            calls_to("views.open"),
        )
        escalate_form = demo.last("views.open").args["view"]
        demo.step(
            f"{person(ALICE)} writes a handover note and submits",
            lambda: sim.submit(
                ALICE,
                escalate_form,
                {
                    "note": "Reproduced on two laptops; drops line up with the gateway's DHCP renewals. Gateway config needs a look."
                },
            ),
            all_of(
                calls_to("chat.postMessage", 1, ERIN), calls_to("chat.postMessage", 1, RIYA), calls_to("chat.update", 3)
            ),
        )
        demo.step(
            f"{person(ERIN)} sets the status to 'In progress' from the menu on her card",
            lambda: sim.act(ERIN, demo.card("D5ERIN"), "ticket_set_status", channel="D5ERIN", option="In progress"),
            all_of(calls_to("chat.postMessage", 1, RIYA), calls_to("chat.update", 4)),
        )
        demo.step(
            f"{person(RIYA)} types: /support status SUP-1",
            lambda: sim.command(RIYA, "status SUP-1"),
            calls_to("response_url"),
        )
        demo.step(
            f"{person(ERIN)} presses Resolve",
            lambda: sim.act(ERIN, demo.card("D5ERIN"), "ticket_resolve", channel="D5ERIN"),
            calls_to("views.open"),
        )
        resolve_form = demo.last("views.open").args["view"]
        demo.step(
            f"{person(ERIN)} writes the fix and submits",
            lambda: sim.submit(
                ERIN,
                resolve_form,
                {
                    "resolution": "The gateway's DHCP lease was 5 minutes; it is now 8 hours. Reconnect the VPN once and it will stay up."
                },
            ),
            all_of(calls_to("chat.postMessage", 1, RIYA), calls_to("chat.update", 4)),
        )
        play_sla_act(demo, runtime)
        from bot.demo.rota_act import play_rota_act  # act three builds on this module's Demo

        play_rota_act(demo, runtime)
        runtime.worker.wait_idle(5)
        demo.say(f"\nDone: {len(fake.calls)} Slack Web API calls, every one of them made by the real app.")
        return 0
    finally:
        server.close()
        runtime.close()
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)
