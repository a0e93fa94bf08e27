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
