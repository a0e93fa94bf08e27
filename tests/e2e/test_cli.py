"""The `supportbot` command as a user runs it: the demo plays to the end, config errors stop it with status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def supportbot(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_demo_plays_the_whole_scenario_with_the_real_app(tmp_path: Path) -> None:
    result = supportbot("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "#triage        supportbot: SUP-1 VPN drops every few minutes" in out
    assert "only the assignee" in out  # the outsider was refused
    assert "@alice has picked up SUP-1" in out
    assert "@erin is now handling it" in out
    assert "@erin has resolved SUP-1" in out
    assert "Slack Web API calls, every one of them made by the real app" in out
    assert not list(tmp_path.iterdir()), "the demo leaves nothing behind"
    # Act three, the rota: each step's lines (their order within a step follows delivery, so is not checked).
    who = step(out, "@alice types: /support who")
    assert "• 1st line: @alice until Mon 30 Nov 09:00; next @bob from Mon 30 Nov 09:00" in who
    offer = step(out, "@bob offers his week from Mon 30 Nov")
    assert "DM @carol      supportbot: @bob asks to swap 1st line shifts" in offer and "[Accept]  [Decline]" in offer
    accepted = step(out, "@carol presses Accept")
    assert "DM @carol      (message replaced) Done, the rota has changed (@carol agreed)" in accepted
    assert "DM @bob        supportbot: Done, the rota has changed" in accepted
    assert "• 1st line: @carol (covering for @bob) until Mon 07 Dec 09:00" in step(out, "/support who 2026-11-30")
    leave = step(out, "@alice is away Mon 14 Dec to Mon 21 Dec")  # the lead hears at once, on Wednesday
    assert (
        leave.startswith("Wed ") and "DM @lead       supportbot: @alice will be on leave during their shifts" in leave
    )
    assert "• 1st line Mon 14 Dec 09:00 → Mon 21 Dec 09:00: @bob covers" in leave
    reminders = step(out, "The working day before the handover")
    assert reminders.startswith("Fri 08:00")
    assert "DM @carol      supportbot: Reminder: your 1st line shift starts Mon 30 Nov 09:00 GMT" in reminders
    handover = step(out, "Handover time")
    assert handover.startswith("Mon 09:00")
    assert "DM @alice      supportbot: 1st line handover: your shift has ended. @carol is on duty now" in handover
    assert "• SUP-2 How do I share my calendar with a contractor? · Open · moved to @carol" in handover
    assert "DM @carol      supportbot: Your 1st line shift starts now until Mon 07 Dec 09:00 GMT" in handover
    assert "• SUP-2 How do I share my calendar with a contractor? · Open · moved to you" in handover
    assert "DM @dan        supportbot: Your 2nd line shift starts now" in handover
    assert "#triage        supportbot: This week: 1st line @carol, 2nd line @dan" in handover
    assert "@support-1st   (user group) now @carol" in handover and "@support-2nd   (user group) now @dan" in handover
    assert "DAILY SUPPORT DIGEST" not in handover and "digests to #leads" in handover  # counted, not shown, here
    home = step(out, "@carol opens the bot's Home tab")
    assert "Home tab       SUPPORT DESK" in home and "[Open the rota]" in home
    assert "• SUP-2 How do I share my calendar with a contractor? · Open · assigned to you" in home
    assert "• 1st line: Mon 28 Dec 09:00 → Mon 04 Jan 09:00" in home  # her 7 Dec week went to Bob
    cli = step(out, "On the command line")
    assert '{"first_line": "U2BOB", "second_line": "U4DAN"}' in cli  # Tue 15 Dec: Alice's leave, Bob covers
    assert "https://supportbot.example.com/rota/first_line.ics?token=" in cli
    assert "BEGIN:VCALENDAR" in cli and "SUMMARY:1st line support: U3CAROL" in cli and "END:VEVENT" in cli


def step(transcript: str, narration: str) -> str:
    """One step of the demo's transcript: the paragraph whose first line contains `narration` (or, of several,
    the one whose first line ends with it)."""
    heads = {p.split("\n", 1)[0]: p for p in transcript.split("\n\n")}
    found = [head for head in heads if narration in head]
    if len(found) > 1:
        found = [head for head in found if head.endswith(narration)]
    assert len(found) == 1, f"{narration!r} starts {len(found)} steps of:\n{transcript}"
    return heads[found[0]]


def test_check_config_accepts_the_example_and_names_the_line_of_an_error(tmp_path: Path) -> None:
    ok = supportbot("check-config", str(REPO / "supportbot.example.yml"), cwd=tmp_path)
    assert ok.returncode == 0 and "ok" in ok.stdout
    bad = tmp_path / "supportbot.yml"
    bad.write_text((REPO / "supportbot.example.yml").read_text().replace('"mon 09:00"', '"mon 25:00"', 1))
    result = supportbot("check-config", cwd=tmp_path)
    assert result.returncode == 2
    assert "supportbot.yml:13: rotas.first_line.handover:" in result.stderr


def test_serve_refuses_to_start_without_its_settings(tmp_path: Path) -> None:
    clean = {k: "" for k in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN")}
    no_token = supportbot("serve", cwd=tmp_path, env=clean)
    assert no_token.returncode == 2 and "SLACK_BOT_TOKEN is not set" in no_token.stderr
    no_config = supportbot(
        "serve", cwd=tmp_path, env={**clean, "SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "s"}
    )
    assert no_config.returncode == 2 and "supportbot.yml: no such file" in no_config.stderr
    assert not (tmp_path / "supportbot.db").exists(), "nothing is created before the settings are right"
