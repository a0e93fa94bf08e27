"""The grammar of the text after `/support`: subcommands, misspellings, and titles."""

from __future__ import annotations

import pytest

from handlers.slack.commands import SupportCommand, parse_support_command


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", SupportCommand("new"), id="empty"),
        pytest.param("   ", SupportCommand("new"), id="blank"),
        pytest.param(None, SupportCommand("new"), id="none"),
        pytest.param("help", SupportCommand("help"), id="help"),
        pytest.param("HELP", SupportCommand("help"), id="HELP"),
        pytest.param("  Help  ", SupportCommand("help"), id="padded-Help"),
        pytest.param("status SUP-3", SupportCommand("status", "SUP-3"), id="status-ref"),
        pytest.param("STATUS   sup-3", SupportCommand("status", "sup-3"), id="status-spaces-collapsed"),
        pytest.param("status", SupportCommand("status"), id="status-no-ref"),
        pytest.param("mine", SupportCommand("mine"), id="mine"),
        pytest.param("who", SupportCommand("who"), id="who"),
        pytest.param("who 2nd tomorrow", SupportCommand("who", "2nd tomorrow"), id="who-line-day"),
        pytest.param("WHO Friday first", SupportCommand("who", "Friday first"), id="who-day-line"),
        pytest.param("who 2026-12-24", SupportCommand("who", "2026-12-24"), id="who-date"),
        pytest.param("who is on call", SupportCommand("new", "who is on call"), id="who-sentence-is-a-title"),
        pytest.param("who 1st 2nd", SupportCommand("new", "who 1st 2nd"), id="who-two-lines-is-a-title"),
        pytest.param("rota", SupportCommand("rota"), id="rota"),
        pytest.param("rota please", SupportCommand("new", "rota please"), id="rota-sentence-is-a-title"),
        pytest.param("stauts", SupportCommand("unknown", "stauts", "status"), id="misspelt-status"),
        pytest.param("whoo", SupportCommand("unknown", "whoo", "who"), id="misspelt-who"),
        pytest.param("mines", SupportCommand("unknown", "mines", "mine"), id="misspelt-mine"),
        pytest.param("printer is broken", SupportCommand("new", "printer is broken"), id="title"),
        pytest.param("  printer   is\tbroken ", SupportCommand("new", "printer is broken"), id="title-normalised"),
        pytest.param("stauts of my laptop", SupportCommand("new", "stauts of my laptop"), id="misspelling-in-a-title"),
        pytest.param("vpn", SupportCommand("new", "vpn"), id="vpn"),
        pytest.param("hello", SupportCommand("new", "hello"), id="hello-is-not-help"),
        pytest.param("printer", SupportCommand("new", "printer"), id="one-word-title"),
    ],
)
def test_parse_support_command(text: str | None, expected: SupportCommand) -> None:
    assert parse_support_command(text) == expected  # type: ignore[arg-type]
