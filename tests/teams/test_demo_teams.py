"""`supportbot demo --platform teams` as a user runs it: the Teams desk alone plays to the end, with the real app,
signed activities and the stand-in Bot Connector; and the full demo plays the Teams act after the Slack acts."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_cli import step, supportbot


def test_the_teams_demo_plays_a_ticket_through_teams(tmp_path: Path) -> None:
    result = supportbot("demo", "--platform", "teams", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Slack Web API calls" not in out  # the Teams desk alone
    prompt = step(out, "sends: new VPN drops every few minutes")
    assert "chat @riya     supportbot: Open a support ticket" in prompt and "[New ticket]" in prompt
    dialog = step(out, "@riya presses 'New ticket' on that card")
    assert "[dialog] 'New support ticket' opens" in dialog
    assert "<Title>" in dialog and "<Description>" in dialog and "<Type>" in dialog
    submitted = step(out, "and submits")
    assert "(dialog)       supportbot: Thanks, SUP-1 is logged." in submitted
    assert "#triage        supportbot: SUP-1 VPN drops every few minutes" in submitted
    assert "chat @alice    supportbot: SUP-1 VPN drops every few minutes" in submitted
    assert "chat @riya     supportbot: Thanks, your ticket SUP-1 is logged" in submitted
    assert "[Acknowledge]  [Escalate to 2nd line]" in submitted
    refused = step(out, "@zoe (not on the rota)")
    assert "(only you)     supportbot: Sorry, only the assignee" in refused
    acknowledged = step(out, "@alice presses Acknowledge in her Teams chat")
    assert "chat @alice    (card replaced) SUP-1" in acknowledged
    assert "chat @riya     (card updated in place)" in acknowledged and "Under investigation" in acknowledged
    escalated = step(out, "presses Escalate")
    assert "chat @erin     supportbot: SUP-1 VPN drops every few minutes" in escalated
    resolved = step(out, "@erin unfolds Resolve")
    assert "Awaiting sign-off" in resolved and "by @erin" in resolved
    assert "Awaiting sign-off · with @erin (2nd line)" in step(out, "@riya sends: status SUP-1")
    assert "1st line: @alice until Mon 30 Nov 09:00" in step(out, "@alice sends: who")
    # the rest of the parity table, each step as the people in it see it in Teams
    welcome = step(out, "@bob adds the supportbot app in Teams")
    assert "chat @bob      supportbot: Support desk" in welcome
    assert "1st line: Mon 30 Nov 09:00 → Mon 07 Dec 09:00" in welcome and "[Open the rota]  [New ticket]" in welcome
    extension = step(out, "@riya picks ... > New ticket")
    assert "[dialog] 'New support ticket' opens" in extension
    logged = step(out, "is the requester)")
    assert "(dialog)       supportbot: Thanks, SUP-2 is logged." in logged
    assert "Assignee: @alice (1st line) · Requester: @zoe" in logged
    assert "chat @zoe      supportbot: Thanks, your ticket SUP-2 is logged" in logged
    assert "SUP-2 Printer on floor 3 jams · Open · assigned to you" in step(out, "@alice sends: mine")
    reminder = step(out, "the scheduler's minute job sweeps the SLA clocks")
    assert "chat @alice    supportbot: ⏳ SUP-2 Printer on floor 3 jams" in reminder
    assert "[Update the requester]  [Snooze 1h]" in reminder
    snoozed = step(out, "@alice presses 'Snooze 1h' on the reminder")
    assert "(only you)     supportbot: OK, I will remind you again Tue 24 Nov 12:12 GMT." in snoozed
    breach = step(out, "finds its response deadline passed")
    assert "The response target was breached (due Tue 24 Nov 11:18 GMT)." in breach
    assert "chat @erin     supportbot: 🔴 SUP-2" in breach and "#triage        supportbot: 🔴 SUP-2" in breach
    priority = step(out, "presses Change priority")
    assert "chat @alice    (card replaced) SUP-2" in priority and "Priority: P3 Medium" in priority
    assert "SUP-2 was updated (priority changed) by @alice" in priority
    reassigned = step(out, "picks Bob and presses it")
    assert "#triage        (card replaced) SUP-2" in reassigned and "Assignee: @bob (1st line)" in reassigned
    assert "chat @bob      supportbot: SUP-2 Printer on floor 3 jams" in reassigned
    rota = step(out, "@alice sends: rota")
    assert "chat @alice    supportbot: Support rota" in rota and "The next 8 weeks" in rota
    assert "• Mon 11 Jan 09:00 → Mon 18 Jan 09:00  @dan" in rota and "[Request a swap]" in rota
    assert "[dialog] 'Request a swap' opens" in step(out, "presses 'Request a swap' on the rota card")
    asked = step(out, "for @carol's from Mon 07 Dec, and sends the request")
    assert "(dialog)       supportbot: I have asked @carol to swap" in asked
    assert "chat @carol    supportbot: 📅 @alice asks to swap 1st line shifts" in asked and "[Accept]" in asked
    accepted = step(out, "@carol accepts the swap")
    assert "chat @carol    (card replaced) ✅ Done, the rota has changed (@carol agreed)" in accepted
    assert "chat @alice    supportbot: ✅ Done, the rota has changed" in accepted
    leave = step(out, "takes Tue 01 Dec to Wed 02 Dec off")
    assert "Your leave Tue 01 Dec to Wed 02 Dec is recorded" in leave and "the leads have been told" in leave
    assert "chat @lee      supportbot: 🌴 @bob will be on leave" in leave and "@carol covers" in leave
    digest = step(out, "posts the leads' daily digest")
    assert "#leads         supportbot: 📊 Daily support digest" in digest and "2 open now" in digest
    reminded = step(out, "reminds each member whose shift starts Monday")
    assert "chat @bob      supportbot: 📅 Reminder: your 1st line shift starts Mon 30 Nov 09:00 GMT" in reminded
    assert "chat @dan      supportbot: 📅 Reminder: your 2nd line shift starts Mon 30 Nov 09:00 GMT" in reminded
    handover = step(out, "does the week's handover")
    assert "chat @alice    supportbot: 🔄 1st line handover: your shift has ended. @bob is on duty now" in handover
    assert "chat @bob      supportbot: 👋 Your 1st line shift starts now" in handover
    assert "#triage        supportbot: 👥 This week: 1st line @bob, 2nd line @dan" in handover
    assert "Bot Connector calls, every one of them made by the real app" in out
    assert not list(tmp_path.iterdir()), "the demo leaves nothing behind"


def test_the_full_demo_plays_the_teams_act_after_the_slack_acts(tmp_path: Path) -> None:
    result = supportbot("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    slack_done = out.index("Slack Web API calls, every one of them made by the real app")
    teams_start = out.index("-- Microsoft Teams: the same desk")
    assert slack_done < teams_start < out.index("Bot Connector calls, every one of them made by the real app")
    assert "#triage        supportbot: SUP-1 VPN drops every few minutes" in out[teams_start:]
