"""The Teams act of `supportbot demo` (and `supportbot demo --platform teams` alone): the same desk in Microsoft
Teams. The real app serves `POST /api/messages`; a local stand-in for the Bot Connector (with its signing key
published as OpenID metadata and JWKS, and a token endpoint) receives what the bot sends; every activity the
people send is signed as the Bot Framework signs it and verified by the app, exactly as under `supportbot serve`.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from bot.app import build_runtime
from bot.jobs.tickets import Jobs
from bot.server import make_http_server, serve_in_background
from bot.settings import Settings
from handlers.teams.fake_connector import Call, FakeConnector
from handlers.teams.simulator import TENANT, Reply, TeamsSimulator, TeamsUser
from services.clock import ManualClock

APP_ID = "0d5a7e1c-5b1e-4c52-9f3e-5d2a1c0b7e11"
START_HOUR = 10
TRIAGE = "19:triage@thread.tacv2"
LEADS = "19:leads@thread.tacv2"
TEAM = "19:support-team@thread.tacv2"
ALICE = TeamsUser("aaaaaaaa-0000-4000-8000-000000000001", "Alice")
BOB = TeamsUser("aaaaaaaa-0000-4000-8000-000000000002", "Bob")
CAROL = TeamsUser("aaaaaaaa-0000-4000-8000-000000000003", "Carol")
DAN = TeamsUser("aaaaaaaa-0000-4000-8000-000000000004", "Dan")
ERIN = TeamsUser("aaaaaaaa-0000-4000-8000-000000000005", "Erin")
LEAD = TeamsUser("aaaaaaaa-0000-4000-8000-000000000008", "Lee")
RIYA = TeamsUser("bbbbbbbb-0000-4000-8000-000000000007", "Riya")
ZOE = TeamsUser("bbbbbbbb-0000-4000-8000-000000000009", "Zoe")
EVERYONE = (ALICE, BOB, CAROL, DAN, ERIN, LEAD, RIYA, ZOE)
MAX_LINES = 24  # of one message in the transcript


def teams_demo_config(service_url: str) -> str:
    return f"""# The Teams desk the demo plays: the demo's rota, people named by their AAD object ids.
ticket_prefix: SUP
timezone: Europe/London
working_hours: {{days: [mon, tue, wed, thu, fri], start: "08:00", end: "16:00"}}
holidays: {{country: GB, dates: [2026-12-24]}}
leads: [{LEAD.aad}]
teams:
  service_url: {service_url}
  team: "{TEAM}"
  channels: {{triage: "{TRIAGE}", digest: "{LEADS}"}}
rotas:
  first_line:
    members: [{ALICE.aad}, {BOB.aad}, {CAROL.aad}]
    rotation: weekly
    handover: "mon 09:00"
    start: 2026-11-02
  second_line:
    members: [{DAN.aad}, {ERIN.aad}]
    rotation: weekly
    handover: "mon 09:00"
    start: 2026-11-02
"""


def at(user: TeamsUser) -> str:
    return "@" + user.name.lower()


def where(conversation: str) -> str:
    """A conversation as a person would name it: a channel, or someone's chat with the bot."""
    if conversation == TRIAGE:
        return "#triage"
    if conversation == LEADS:
        return "#leads"
    for user in EVERYONE:
        if conversation == f"a:personal-{user.id}":
            return f"chat {at(user)}"
    return conversation


def _plain(text: str) -> str:
    text = re.sub(r"<at>(.*?)</at>", lambda m: "@" + m[1].lower(), text)
    for user in EVERYONE:  # the demo's people by name, as Teams shows them (like the Slack acts' @alice)
        text = re.sub(rf"@?{user.aad}", at(user), text)
    return text.replace("**", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def render_card(card: dict[str, Any]) -> list[str]:
    """An Adaptive Card as a person reads it: its texts, facts, inputs' labels and buttons, in plain lines."""
    lines: list[str] = []

    def walk(elements: list[Any]) -> None:
        for element in elements:
            if not isinstance(element, dict):
                continue
            kind = element.get("type")
            if kind == "TextBlock" and element.get("text"):
                lines.extend(_plain(str(element["text"])).splitlines())
            elif kind == "RichTextBlock":
                lines.append(_plain("".join(str(i.get("text", "")) for i in element.get("inlines", []))))
            elif kind == "FactSet":
                lines.append(
                    " | ".join(_plain(f"{f.get('title')}: {f.get('value')}") for f in element.get("facts", []))
                )
            elif kind and kind.startswith("Input.") and element.get("label"):
                lines.append(f"<{element['label']}>")
            for key in ("items", "columns", "body"):
                if isinstance(element.get(key), list):
                    walk(element[key])

    walk(card.get("body", []))
    lines = [line for line in lines if line.strip()]  # a blank line would split the transcript's paragraph
    buttons = [str(a.get("title")) for a in card.get("actions", []) if isinstance(a, dict) and a.get("title")]
    if buttons:
        lines.append("  ".join(f"[{b}]" for b in buttons))
    return lines or [""]


def render_activity(activity: dict[str, Any]) -> list[str]:
    cards = [a.get("content") for a in activity.get("attachments") or [] if isinstance(a, dict)]
    if cards and isinstance(cards[0], dict):
        return render_card(cards[0])
    return [line for line in _plain(str(activity.get("text") or "")).splitlines() if line.strip()] or [""]


def _conversation(call: Call) -> str:
    parts = call.path.split("?")[0].strip("/").split("/")
    return parts[parts.index("conversations") + 1]


def describe(call: Call) -> list[str]:
    """One recorded Bot Connector call as lines of the transcript (sign-in and roster calls are plumbing)."""
    if call.status != 200 or "/conversations/" not in call.path:
        return []
    place = where(_conversation(call))
    body = render_activity(call.body)
    if call.method == "POST" and call.path.split("?")[0].endswith("/activities"):
        if len(body) > MAX_LINES:  # a long card (the 8-week rota, a digest): its head, and how much more
            body = [*body[: MAX_LINES - 1], f"... ({len(body) - MAX_LINES + 1} more lines)"]
        return [f"  {place:<14} supportbot: {body[0]}", *(f"  {'':<14}   {line}" for line in body[1:])]
    if call.method == "PUT":
        return [
            f"  {place:<14} (card updated in place) {body[0]}",
            *(f"  {'':<14}   {line}" for line in body[1:] if "[" in line or "Status" in line),
        ]
    return []


def posts(n: int = 1, conversation: str | None = None) -> Callable[[list[Call]], bool]:
    """A step is over once the bot has sent these activities (it sends through the outbox, after answering)."""

    def done(calls: list[Call]) -> bool:
        sent = [c for c in calls if c.method == "POST" and c.status == 200 and c.path.endswith("/activities")]
        return sum(conversation is None or _conversation(c) == conversation for c in sent) >= n

    return done


def edits(n: int) -> Callable[[list[Call]], bool]:
    return lambda calls: sum(c.method == "PUT" and c.status == 200 for c in calls) >= n


def all_of(*checks: Callable[[list[Call]], bool]) -> Callable[[list[Call]], bool]:
    return lambda calls: all(check(calls) for check in checks)


def nothing(calls: list[Call]) -> bool:
    return True


class TeamsDemo:
    def __init__(
        self,
        out: TextIO,
        fake: FakeConnector,
        sim: TeamsSimulator,
        clock: ManualClock,
        settle: Callable[[], object] = lambda: None,
    ) -> None:
        self.settle = settle  # wait until the outbox has delivered what the step queued
        self.out = out
        self.fake = fake
        self.sim = sim
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
        here: str = "",
    ) -> Reply:
        """Narrate, act like a person in Teams, print the bot's answer and what it sent, and return its answer."""
        self.clock.advance(timedelta(minutes=4))
        self.say(f"\n{self.clock.now():%a %H:%M}  {narration}")
        reply = action()
        if reply.status != 200:
            raise RuntimeError(f"supportbot answered HTTP {reply.status}: {reply.body}")
        for line in self._answer(reply, here):
            self.say(line)
        self.settle()
        calls = self.fake.wait_for(lambda calls: expect(calls[self.seen :]), timeout=15)
        for call in calls[self.seen :]:
            for line in describe(call):
                self.say(line)
        self.seen = len(calls)
        return reply

    def _answer(self, reply: Reply, here: str) -> list[str]:
        """An invoke's answer, shown where Teams shows it: a dialog, the pressed card replaced, or a note."""
        body = reply.body if isinstance(reply.body, dict) else {}
        task = body.get("task") if isinstance(body.get("task"), dict) else None
        if task and task.get("type") == "continue":
            value = task.get("value") or {}
            card = (value.get("card") or {}).get("content") or {}
            return [
                f"  [dialog] '{value.get('title', '')}' opens",
                *(f"  {'':<14} {line}" for line in render_card(card)),
            ]
        if task:
            said = [line for line in _plain(str(task.get("value", ""))).splitlines() if line.strip()] or [""]
            return [f"  {'(dialog)':<14} supportbot: {said[0]}", *(f"  {'':<14}   {line}" for line in said[1:])]
        if body.get("type") == "application/vnd.microsoft.card.adaptive":
            lines = render_card(body.get("value") or {})
            return [f"  {here:<14} (card replaced) {lines[0]}", *(f"  {'':<14}   {line}" for line in lines[1:])]
        if body.get("value"):
            return [f"  {'(only you)':<14} supportbot: {_plain(str(body['value']))}"]
        return []

    def later(
        self,
        when: datetime,
        narration: str,
        job: Callable[[], object],
        expect: Callable[[list[Call]], bool],
        *,
        show: Callable[[Call], bool] = lambda call: True,
    ) -> None:
        """Move time on and run what the scheduler would run then; print what people see (the calls `show`
        passes; the rest are counted in one line, so the step stays on its subject)."""
        self.clock.set(when)
        self.say(f"\n{self.clock.now():%a %H:%M}  {narration}")
        job()
        self.settle()
        calls = self.fake.wait_for(lambda calls: expect(calls[self.seen :]), timeout=15)
        hidden: list[str] = []
        for call in calls[self.seen :]:
            lines = describe(call)
            if lines and not show(call):
                hidden.append(f"{where(_conversation(call))}: {lines[0].split('supportbot: ', 1)[-1].strip()}")
                continue
            for line in lines:
                self.say(line)
        if hidden:
            self.say(f"  (the same run also sent {'; '.join(hidden)})")
        self.seen = len(calls)

    def card_titled(self, conversation: str, words: str) -> dict[str, Any]:
        """The last card in a conversation whose text contains `words`, as it looks now."""
        for (place, _), activity in reversed(list(self.fake.activities.items())):
            if place == conversation and words in str(activity.get("text", "")) and activity.get("attachments"):
                return dict(activity["attachments"][0]["content"])
        raise LookupError(f"no card saying {words!r} in {where(conversation)}")

    def card(self, conversation: str, ref: str) -> dict[str, Any]:
        """The card about `ref` in a conversation, as it looks now."""
        for (place, _), activity in reversed(list(self.fake.activities.items())):
            about = str(activity.get("text", "")).startswith(ref + " ")  # the ticket's card, not an alert about it
            if place == conversation and about and activity.get("attachments"):
                return dict(activity["attachments"][0]["content"])
        raise LookupError(f"no card about {ref} in {where(conversation)}")


def personal(user: TeamsUser) -> str:
    return f"a:personal-{user.id}"


def play_teams_act(demo: TeamsDemo) -> None:
    """A ticket's whole life in Teams: `new`, the dialog, the cards, a refusal, acknowledge, escalate, resolve."""
    sim = demo.sim
    title = "VPN drops every few minutes"
    prompt = demo.step(
        f"{at(RIYA)}, in her Teams chat with supportbot, sends: new {title}",
        lambda: sim.message(RIYA, f"new {title}"),
        posts(1, personal(RIYA)),
    )
    assert prompt.status == 200
    demo.step(
        f"{at(RIYA)} presses 'New ticket' on that card",
        lambda: sim.invoke(RIYA, "task/fetch", {"data": {"title": title}}),
        nothing,
    )
    demo.step(
        f"{at(RIYA)} describes the problem in the dialog, picks 'Technical support' and 'P2 High', and submits",
        lambda: sim.invoke(
            RIYA,
            "task/submit",
            {
                "data": {
                    "title": title,
                    "description": "Since this morning the VPN disconnects every 5 minutes; calls drop with it.",
                    "type": "technical_support",
                    "priority": "P2",
                }
            },
        ),
        all_of(posts(1, TRIAGE), posts(1, personal(ALICE)), posts(1, personal(RIYA))),
    )
    ref = "SUP-1"
    demo.step(
        f"{at(ZOE)} (not on the rota) presses Resolve > Resolve on the card in #triage",
        lambda: sim.press(ZOE, demo.card(TRIAGE, ref), "Resolve", {"resolution": "Works for me."}),
        nothing,
    )
    demo.step(
        f"{at(ALICE)} presses Acknowledge in her Teams chat",
        lambda: sim.press(ALICE, demo.card(personal(ALICE), ref), "Acknowledge"),
        edits(2),
        here=where(personal(ALICE)),
    )
    demo.step(
        f"{at(ALICE)} unfolds 'Escalate to 2nd line', writes a handover note and presses Escalate",
        lambda: sim.press(
            ALICE,
            demo.card(personal(ALICE), ref),
            "Escalate",
            {"note": "Drops line up with the gateway's DHCP renewals. Gateway config needs a look."},
        ),
        posts(1, personal(ERIN)),
        here=where(personal(ALICE)),
    )
    demo.step(
        f"{at(ERIN)} unfolds Resolve, writes the fix and presses Resolve",
        lambda: sim.press(
            ERIN,
            demo.card(personal(ERIN), ref),
            "Resolve",
            {"resolution": "The gateway's DHCP lease was 5 minutes; it is now 8 hours. Reconnect once."},
        ),
        edits(2),
        here=where(personal(ERIN)),
    )
    demo.step(f"{at(RIYA)} sends: status {ref}", lambda: sim.message(RIYA, f"status {ref}"), posts(1, personal(RIYA)))
    demo.step(f"{at(ALICE)} sends: who", lambda: sim.message(ALICE, "who"), posts(1, personal(ALICE)))


def on_message(author: TeamsUser, text: str, more: str) -> dict[str, Any]:
    """The message extension's "New ticket", invoked on a channel message `author` wrote."""
    return {
        "commandId": "newTicket",
        "commandContext": "message",
        "messagePayload": {
            "id": "1700000000000",
            "body": {"contentType": "html", "content": f"<p>{text}</p><p>{more}</p>"},
            "from": {"user": {"id": author.aad, "displayName": author.name, "userIdentityType": "aadUser"}},
        },
    }


def _value(form: dict[str, Any], input_id: str, *words: str) -> str:
    """The value of the dialog's choice whose value names all of `words` (a shift: line|person|start)."""
    (element,) = [e for e in form["body"] if e.get("id") == input_id]
    return next(str(c["value"]) for c in element["choices"] if all(w in str(c["value"]) for w in words))


def play_teams_desk(demo: TeamsDemo, jobs: Jobs) -> None:
    """The rest of the desk in Teams: Home, the message extension, `mine`, an SLA reminder snoozed and its breach,
    priority and reassign from the cards, `rota` with a swap and leave, the digest, shift reminders, the handover."""
    sim = demo.sim
    demo.step(
        f"{at(BOB)} adds the supportbot app in Teams (Home: the welcome card on install)",
        lambda: sim.send(sim.activity(BOB, "conversationUpdate", membersAdded=[{"id": f"28:{APP_ID}"}])),
        posts(1, personal(BOB)),
    )
    message = on_message(ZOE, "Printer on floor 3 jams", "Every job since 9am.")
    demo.step(
        f"On {at(ZOE)}'s channel message 'Printer on floor 3 jams', {at(RIYA)} picks ... > New ticket",
        lambda: sim.invoke(RIYA, "composeExtension/fetchTask", message),
        nothing,
    )
    data = {
        "title": "Printer on floor 3 jams",
        "description": "Printer on floor 3 jams\nEvery job since 9am.",
        "type": "technical_support",
        "priority": "P2",
    }
    demo.step(
        f"{at(RIYA)} picks 'Technical support' and 'P2 High' and submits ({at(ZOE)}, who wrote it, is the requester)",
        lambda: sim.invoke(RIYA, "composeExtension/submitAction", {**message, "data": data}),
        all_of(posts(1, TRIAGE), posts(1, personal(ALICE)), posts(1, personal(ZOE))),
    )
    ref = "SUP-2"
    created = demo.clock.now()
    demo.step(f"{at(ALICE)} sends: mine", lambda: sim.message(ALICE, "mine"), posts(1, personal(ALICE)))

    def sweep() -> None:
        jobs.sweep(demo.clock.now())

    demo.later(
        created + timedelta(minutes=20),
        f"{ref}'s response is due in 10 minutes: the scheduler's minute job sweeps the SLA clocks",
        sweep,
        posts(1, personal(ALICE)),
    )
    demo.step(
        f"{at(ALICE)} presses 'Snooze 1h' on the reminder",
        lambda: sim.press(ALICE, demo.card_titled(personal(ALICE), f"{ref}: response due soon"), "Snooze 1h"),
        nothing,
    )
    demo.later(
        created + timedelta(minutes=31),
        f"Nobody has answered {ref}: the minute job's sweep finds its response deadline passed",
        sweep,
        all_of(posts(1, personal(ALICE)), posts(1, personal(ERIN)), posts(1, TRIAGE)),
    )
    demo.step(
        f"{at(ALICE)} unfolds 'Change priority', picks 'P3 Medium' and presses Change priority",
        lambda: sim.press(ALICE, demo.card(personal(ALICE), ref), "Change priority", {"new_priority": "P3"}),
        edits(1),
        here=where(personal(ALICE)),
    )
    demo.step(
        f"{at(LEAD)} (a lead) unfolds 'Reassign to...' on the card in #triage, picks Bob and presses it",
        lambda: sim.press(LEAD, demo.card(TRIAGE, ref), "Reassign to...", {"assignee": BOB.aad}),
        posts(1, personal(BOB)),
        here="#triage",
    )

    demo.step(f"{at(ALICE)} sends: rota", lambda: sim.message(ALICE, "rota"), posts(1, personal(ALICE)))
    swap = {"msteams": {"type": "task/fetch"}, "dialog": "rota_form_swap"}
    form_reply = demo.step(
        f"{at(ALICE)} presses 'Request a swap' on the rota card",
        lambda: sim.invoke(ALICE, "task/fetch", {"data": swap}),
        nothing,
    )
    form = form_reply.body["task"]["value"]["card"]["content"]
    demo.step(
        f"{at(ALICE)} offers her week from Mon 14 Dec for {at(CAROL)}'s from Mon 07 Dec, and sends the request",
        lambda: sim.invoke(
            ALICE,
            "task/submit",
            {
                "data": {
                    "dialog": "rota_form_swap",
                    "shift": _value(form, "shift", "2026-12-14"),
                    "their_shift": _value(form, "their_shift", CAROL.aad, "2026-12-07"),
                }
            },
        ),
        posts(1, personal(CAROL)),
    )
    demo.step(
        f"{at(CAROL)} accepts the swap: Accept, on the request card in her Teams chat",
        lambda: sim.press(CAROL, demo.card_titled(personal(CAROL), "asks to swap"), "Accept"),
        nothing,
        here=where(personal(CAROL)),
    )

    def leave() -> Reply:
        sim.invoke(BOB, "task/fetch", {"data": {"msteams": {"type": "task/fetch"}, "dialog": "rota_form_leave"}})
        values = {"dialog": "rota_form_leave", "first_day": "2026-12-01", "last_day": "2026-12-02"}
        return sim.invoke(BOB, "task/submit", {"data": values})

    demo.step(
        f"{at(BOB)}, in the rota's 'Add leave' dialog, takes Tue 01 Dec to Wed 02 Dec off (in his next shift)",
        leave,
        all_of(posts(1, personal(BOB)), posts(1, personal(LEAD))),
    )

    demo.later(
        local(25, 9),
        "Next working day, 09:00: the minute job posts the leads' daily digest",
        lambda: jobs.scheduled_digests(demo.clock.now()),
        posts(2, LEADS),
        show=lambda call: "Weekly" not in str(call.body.get("text")),
    )
    demo.later(
        local(27, 8),
        "Friday, the working day before the handover: the minute job reminds each member whose shift starts Monday",
        lambda: jobs.rota.run(demo.clock.now()),
        all_of(posts(1, personal(BOB)), posts(1, personal(DAN))),
    )
    demo.later(
        local(30, 9),
        "Monday 09:00: the minute job does the week's handover on each line",
        lambda: jobs.rota.run(demo.clock.now()),
        all_of(posts(1, personal(ALICE)), posts(1, personal(BOB)), posts(1, TRIAGE)),
    )


def local(day: int, hour: int) -> datetime:
    """A local time in the demo's November 2026 (Tue 24, Wed 25, Fri 27, Mon 30)."""
    from bot.demo.story import START

    return START.replace(day=day, hour=hour, minute=0)


def run_teams_demo(out: TextIO, *, start_day: int = 24) -> int:
    """The Teams desk alone, on its own throwaway database, against the stand-in Bot Connector."""
    tmp = Path(tempfile.mkdtemp(prefix="supportbot-teams-demo-"))
    from bot.demo.story import START  # the Slack acts' Tuesday morning

    clock = ManualClock(START.replace(day=start_day, hour=START_HOUR))
    with FakeConnector() as fake:
        config_path = tmp / "supportbot.yml"
        config_path.write_text(teams_demo_config(fake.service_url))
        settings = Settings(
            bot_token=None,
            signing_secret=None,
            app_token=None,
            api_url=None,
            database_url=f"sqlite:///{tmp / 'teams-demo.db'}",
            config_path=config_path,
            teams_app_id=APP_ID,
            teams_app_password="demo-client-secret",
            teams_tenant_id=TENANT,
            teams_openid_metadata_url=fake.openid_metadata_url,
            teams_token_url=fake.token_url,
        )
        runtime = build_runtime(settings, clock=clock)
        runtime.worker.start()
        server = make_http_server(runtime, host="127.0.0.1", port=0, threads=8)
        serve_in_background(server, "demo-teams-http")
        sim = TeamsSimulator(f"http://127.0.0.1:{server.effective_port}/api/messages", fake, app_id=APP_ID)
        demo = TeamsDemo(out, fake, sim, clock, settle=lambda: runtime.worker.wait_idle(10))
        try:
            demo.say("\n-- Microsoft Teams: the same desk on the Teams SDK, at POST /api/messages --")
            demo.say(
                "The real app on a throwaway SQLite file; a local stand-in for the Bot Connector; every activity "
                "signed (RS256) and verified."
            )
            demo.say(f"Rota this week: 1st line {at(ALICE)}, 2nd line {at(ERIN)}; lead {at(LEAD)}.")
            play_teams_act(demo)
            play_teams_desk(demo, runtime.jobs)
            runtime.worker.wait_idle(5)
            sent = [c for c in fake.calls if "/conversations" in c.path]
            demo.say(f"\nDone: {len(sent)} Bot Connector calls, every one of them made by the real app.")
            return 0
        finally:
            server.close()
            runtime.close()
            shutil.rmtree(tmp, ignore_errors=True)
