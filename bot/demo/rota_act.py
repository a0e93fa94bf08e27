"""Act three of `supportbot demo`: the rota. Who is on, a swap, leave with its warning, Monday's handover,
the Home tab and the command line, all through the same requests, jobs and commands as production."""

from __future__ import annotations

import argparse
import contextlib
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import Runtime
from bot.cli import rota as rota_cli
from bot.demo.story import ALICE, TRIAGE, Demo, all_of, calls_to, is_digest, is_sla_notice, person
from handlers.slack.fake_api import Call

BOB, CAROL, DAN, LEAD = "U2BOB", "U3CAROL", "U4DAN", "U8LEAD"
LONDON = ZoneInfo("Europe/London")


def local(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def _option(form: dict[str, Any], block_id: str, wanted: str) -> str:
    """The value of the option in a form's select whose value contains `wanted`."""
    block = next(b for b in form["blocks"] if b.get("block_id") == block_id)
    return str(next(o["value"] for o in block["element"]["options"] if wanted in o["value"]))


def _posted_to(user: str, words: str) -> Callable[[list[Call]], bool]:
    return lambda calls: any(c.method == "chat.postMessage" and c.channel == user and words in c.text for c in calls)


def _rota_only(call: Call) -> bool:
    """The scheduler's rota work; its SLA notices, digests and card updates were act two's subject."""
    return not (is_digest(call) or is_sla_notice(call) or call.method == "chat.update")


def _cli(runtime: Runtime, command: Callable[[Any, argparse.Namespace], int], **args: Any) -> list[str]:
    """A `supportbot rota` subcommand run in-process on the demo's database and clock; its stdout, as lines."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = command(runtime, argparse.Namespace(**args))
    if status != 0:
        raise RuntimeError(f"supportbot rota exited with status {status}")
    return out.getvalue().splitlines()


def _open_rota_form(demo: Demo, user: str, button: str, action_id: str) -> dict[str, Any]:
    """`/support rota`, then one of its buttons: the form it pushes."""
    demo.step(f"{person(user)} types: /support rota", lambda: demo.sim.command(user, "rota"), calls_to("views.open"))
    overview = demo.last("views.open").args["view"]
    demo.step(
        f"{person(user)} presses '{button}'",
        lambda: demo.sim.act_in_view(user, overview, action_id),
        calls_to("views.push"),
    )
    form: dict[str, Any] = demo.last("views.push").args["view"]
    return form


def play_rota_act(demo: Demo, runtime: Runtime) -> None:
    """Act three: `/support who`, a swap agreed in Slack, leave the lead hears of at once, Monday's handover."""
    sim = demo.sim
    demo.say("\n-- The rota: weekly, Monday 09:00; 1st line @alice, @bob, @carol in turn; 2nd line @dan, @erin --")

    def minute_job() -> None:
        runtime.jobs.every_minute(runtime.clock.now())
        runtime.worker.kick()
        runtime.worker.wait_idle(10)

    demo.step(f"{person(ALICE)} types: /support who", lambda: sim.command(ALICE, "who"), calls_to("response_url"))

    swap_form = _open_rota_form(demo, BOB, "Request a swap", "rota_form_swap")
    demo.step(
        f"{person(BOB)} offers his week from Mon 30 Nov for {person(CAROL)}'s from Mon 07 Dec, and sends it",
        lambda: sim.submit(
            BOB,
            swap_form,
            {
                "shift": _option(swap_form, "shift", "|2026-11-30T09:00"),
                "their_shift": _option(swap_form, "their_shift", f"|{CAROL}|2026-12-07T09:00"),
            },
        ),
        all_of(_posted_to(CAROL, "asks to swap"), _posted_to(BOB, "I have asked")),
    )
    demo.step(
        f"{person(CAROL)} presses Accept in her DM",
        lambda: sim.act(CAROL, demo.card("D3CAROL"), "rota_request_accept", channel="D3CAROL"),
        all_of(calls_to("response_url"), _posted_to(BOB, "rota has changed")),
        here=f"DM {person(CAROL)}",
    )
    demo.step(
        f"{person(ALICE)} types: /support who 2026-11-30   (the week {person(BOB)} gave away)",
        lambda: sim.command(ALICE, "who 2026-11-30"),
        calls_to("response_url"),
    )

    leave_form = _open_rota_form(demo, ALICE, "Add leave", "rota_form_leave")
    demo.step(
        f"{person(ALICE)} is away Mon 14 Dec to Mon 21 Dec, over her next shift, and submits",
        lambda: sim.submit(ALICE, leave_form, {"first_day": "2026-12-14", "last_day": "2026-12-21"}),
        all_of(_posted_to(ALICE, "leave"), _posted_to(LEAD, "leave")),
    )

    demo.later(
        local(27, 11, 8),
        "The working day before the handover: a reminder to each member whose shift starts on Monday",
        minute_job,
        all_of(_posted_to(CAROL, "Reminder"), _posted_to(DAN, "Reminder")),
        show=_rota_only,
    )
    demo.later(
        local(30, 11, 9),
        "Handover time: the scheduler's minute job (as under `serve`) hands each line over",
        minute_job,
        all_of(
            _posted_to(ALICE, "handover"),
            _posted_to(CAROL, "shift starts now"),
            _posted_to(TRIAGE, "This week"),
            calls_to("usergroups.users.update", 2),
        ),
        show=_rota_only,
    )
    demo.step(
        f"{person(CAROL)} opens the bot's Home tab",
        lambda: sim.event({"type": "app_home_opened", "user": CAROL, "channel": "D3CAROL", "tab": "home"}),
        calls_to("views.publish"),
    )

    demo.say("\nOn the command line, against the same database (the commands run in-process at the demo's time):")
    commands: list[tuple[str, Callable[[Any, argparse.Namespace], int], dict[str, Any], int]] = [
        (
            "rota who --at 2026-12-15T12:00      # in @alice's leave",
            rota_cli.cmd_who,
            {"line": None, "at": "2026-12-15T12:00"},
            1,
        ),
        ("rota ics --line first_line --url", rota_cli.cmd_ics, {"line": "first_line", "url": True, "weeks": 8}, 1),
        ("rota ics --line first_line", rota_cli.cmd_ics, {"line": "first_line", "url": False, "weeks": 8}, 0),
    ]
    for words, command, args, shown in commands:
        demo.say(f"  $ supportbot {words}")
        lines = _cli(runtime, command, **args)
        if not shown:  # a calendar: its header and first event
            shown = next(i for i, line in enumerate(lines) if line == "END:VEVENT") + 1
        for line in lines[:shown]:
            demo.say(f"  {line}")
        if len(lines) > shown:
            demo.say(f"  ... ({len(lines) - shown} more lines)")
