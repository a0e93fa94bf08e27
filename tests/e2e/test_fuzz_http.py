"""Bad input over real HTTP: whatever text, payload or signature arrives, the app answers Slack without a
crash, tells the person something polite (or nothing), and leaves no half-written ticket behind."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from handlers.slack.errors import SORRY
from handlers.slack.fake_api import TEAM
from handlers.slack.simulator import Reply
from storage.models import CardRow, EventRow, OutboxRow, TicketRow
from tests.e2e.conftest import ALICE, LEAD, RIYA, TRIAGE, ZOE, Desk, dm

MASS_MENTION = re.compile(r"<!(channel|here|everyone)|<!subteam\^")


@pytest.fixture
def errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[str]]]:
    """Records logged at ERROR or above by any thread: an exception that escaped into the logs."""
    caplog.set_level(logging.WARNING)
    yield lambda: [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]


def db_state(desk: Desk) -> dict[str, int]:
    """Row counts that any write would change, checked to be consistent with each other."""
    with desk.runtime.sessions() as session:
        counts = {
            name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in (("tickets", TicketRow), ("events", EventRow), ("outbox", OutboxRow))
        }
        ticket_ids = set(session.scalars(select(TicketRow.id)))
        versions = sum(session.scalars(select(TicketRow.version)))
        assert set(session.scalars(select(EventRow.ticket_id))) <= ticket_ids, "events of a ticket that is not there"
        assert set(session.scalars(select(CardRow.ticket_id))) <= ticket_ids, "cards of a ticket that is not there"
        for payload in session.scalars(select(OutboxRow.payload)):
            for number in re.findall(rf"\b{desk.runtime.config.ticket_prefix}-(\d+)\b", json.dumps(payload)):
                assert int(number) in ticket_ids, f"outbox message about SUP-{number}, which does not exist"
        if ticket_ids:
            created = session.scalar(select(func.count()).where(EventRow.kind == "created")) or 0
            assert created == len(ticket_ids), "a ticket without its creation event (or the other way round)"
    return {**counts, "versions": versions}


def answer(desk: Desk, send: Callable[[], Reply]) -> tuple[Reply, list[str]]:
    """Send one request; wait for what the person sees: the ack's text, or the one call it led to."""
    before = len(desk.fake.calls)
    reply = send()
    assert reply.status == 200, reply
    if reply.body:
        return reply, [reply.body]
    desk.fake.wait_for(lambda calls: len(calls) > before)
    return reply, [json.dumps(call.args) for call in desk.fake.calls[before:]]


def support(desk: Desk, text: str, user: str = RIYA) -> tuple[Reply, list[str]]:
    return answer(desk, lambda: desk.sim.command(user, text))


def assert_polite(seen: list[str]) -> None:
    """No apology for a crash, and no mass mention in anything Slack would render as mrkdwn."""
    for text in seen:
        if text.startswith('{"trigger_id"'):  # views.open: a title pre-filled into a plain-text input
            continue
        assert SORRY not in text, text
        assert not MASS_MENTION.search(text), f"a mass mention went out unescaped: {text[:300]}"


NASTY = [
    ("empty", ""),
    ("whitespace", " \t\n \u3000 "),
    ("10k-chars", "x" * 10_000),
    ("10k-of-help", "help " * 2000),
    ("rtl", "\u202eSUP-1 \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627"),
    ("emoji", "\U0001f525\U0001f469\u200d\U0001f4bb printer \U0001f5a8\ufe0f"),
    ("zero-width-help", "\u200bhelp\u200b"),
    ("combining-accent", "he\u0301lp"),
    ("control-chars", "\x00\x07\x1b[31m"),
    ("status-alone", "status"),
    ("status-no-number", "status SUP-"),
    ("status-zero", "status SUP-0"),
    ("status-missing-ticket", "status SUP-999999999"),
    ("status-huge", "status SUP-99999999999999999999"),
    ("status-superscript", "status \u00b2"),
    ("status-arabic-digits", "status SUP-\u0661\u0662"),
    ("status-sql", "status '; DROP TABLE tickets; --"),
    ("status-channel", "status <!channel>"),
    ("status-user-mention", "status <@U123>"),
    ("channel-as-title", "<!channel>"),
    ("here-as-title", "<!here|here> please"),
    ("everyone-as-title", "<!everyone>"),
    ("subteam", "<!subteam^S123>"),
    ("misspelt-with-mention", "hepl<!channel>"),
    ("misspelt-status", "stauts"),
    ("mine-thrice", "mine mine mine"),
    ("who-with-mention", "who <!here>"),
    ("who-junk", "who \x00 9999-99-99"),
    ("rota-junk", "rota \u202e<!channel>"),
    ("url-encoded", "%00%0a&text=status+SUP-1"),
]


def test_any_text_after_support_gets_an_answer_and_writes_nothing(
    desk: Desk, errors_logged: Callable[[], list[str]]
) -> None:
    for name, text in NASTY:  # one desk for them all: each must leave it as it found it
        before = db_state(desk)
        _reply, seen = support(desk, text)
        try:
            assert_polite(seen)
            assert db_state(desk) == before
            assert errors_logged() == []
        except AssertionError as failure:
            raise AssertionError(f"/support {name}: {failure}") from None


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.text(max_size=300),
        st.builds(lambda w, rest: f"{w} {rest}", st.sampled_from(["status", "mine", "who", "help", "rota"]), st.text()),
    )
)
def test_fuzzed_text_through_one_desk(desk: Desk, errors_logged: Callable[[], list[str]], text: str) -> None:
    before = db_state(desk)
    _reply, seen = support(desk, text)
    assert_polite(seen)
    assert db_state(desk) == before
    assert errors_logged() == []


def test_a_mention_in_a_title_is_escaped_everywhere_it_is_shown(
    desk: Desk, errors_logged: Callable[[], list[str]]
) -> None:
    ref = desk.open_ticket(title="<!channel> VPN <@U123> & <https://evil.example|bank>")
    for call in desk.fake.calls_to("chat.postMessage"):
        assert not MASS_MENTION.search(json.dumps(call.args)), call.args
        assert "<https://evil.example" not in json.dumps(call.args)
    _reply, seen = support(desk, f"status {ref}")
    assert_polite(seen)
    assert "&lt;!channel&gt;" in seen[0]
    assert errors_logged() == []


# -- the new-ticket form -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        pytest.param(
            {"title": "t" * 10_000, "description": "d" * 100_000, "type": "support_query"},
            {"title", "description"},
            id="oversized",
        ),
        pytest.param(
            {"title": "  ", "description": "\n\t", "type": None}, {"title", "description", "type"}, id="blank"
        ),
        pytest.param(
            {"title": "\x00\x1b", "description": "ok", "type": "support_query"}, {"title"}, id="only-controls"
        ),
    ],
)
def test_a_bad_form_comes_back_with_its_errors_and_writes_nothing(
    desk: Desk, errors_logged: Callable[[], list[str]], values: dict[str, str | None], fields: set[str]
) -> None:
    view = desk.open_modal(RIYA)
    before = db_state(desk)
    reply = desk.sim.submit(RIYA, view, values)
    assert reply.status == 200
    assert reply.json()["response_action"] == "errors" and set(reply.json()["errors"]) == fields
    assert db_state(desk) == before
    assert errors_logged() == []


def test_control_characters_in_a_form_are_dropped_not_stored(
    desk: Desk, errors_logged: Callable[[], list[str]]
) -> None:
    """PostgreSQL refuses NUL in text: before payloads dropped it, this ticket failed with "Sorry"."""
    ref = desk.open_ticket(title="VPN\x00 drops\x1b[31m", description="Since 9\x00am.\nEvery\tfive minutes.")
    with desk.runtime.sessions() as session:
        row = session.scalars(select(TicketRow)).one()
    assert (row.title, row.description) == ("VPN drops[31m", "Since 9am.\nEvery\tfive minutes.")
    assert ref == "SUP-1" and errors_logged() == []


# -- requests that are not from Slack ----------------------------------------------------------------


def forged_submission(desk: Desk) -> str:
    """A complete, valid new-ticket submission: if its signature were accepted it would file a ticket."""
    state = {
        "title": {"value": {"type": "plain_text_input", "value": "Forged"}},
        "description": {"value": {"type": "plain_text_input", "value": "Not from Slack."}},
        "type": {"value": {"type": "static_select", "selected_option": {"value": "support_query"}}},
    }
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": LEAD, "team_id": TEAM},
        "api_app_id": "A0SUPPORTBOT",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "new_ticket",
            "private_metadata": "{}",
            "state": {"values": state},
        },
    }
    return urlencode({"payload": json.dumps(payload)})


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param({"signature": "v0=" + "0" * 64}, id="forged-signature"),
        pytest.param({"signature": ""}, id="unsigned"),
        pytest.param({"signature": "v1=abc"}, id="wrong-version"),
        # Offsets, not instants: parameters are built at collection, maybe minutes before the test runs.
        pytest.param({"timestamp_offset": -6 * 60}, id="replayed-6-minutes-later"),
        pytest.param({"timestamp_offset": 6 * 60}, id="from-the-future"),
        pytest.param({"headers": {"X-Slack-Request-Timestamp": "not-a-number"}}, id="junk-timestamp"),
    ],
)
def test_a_request_slack_did_not_sign_is_refused_with_401(
    desk: Desk, errors_logged: Callable[[], list[str]], tamper: dict[str, Any]
) -> None:
    body = forged_submission(desk)
    if "timestamp_offset" in tamper:
        tamper = {"timestamp": int(time.time()) + tamper["timestamp_offset"]}
    reply = desk.sim.send(body, **tamper)
    assert reply.status == 401
    assert [c for c in desk.fake.calls if c.method != "auth.test"] == [] and db_state(desk)["tickets"] == 0
    assert errors_logged() == []
    assert desk.sim.send(body).status == 200  # the same body, signed now, is accepted: the refusal was the signature


def test_a_replayed_request_is_refused_even_with_a_signature_that_was_once_valid(desk: Desk) -> None:
    stale = int(time.time()) - 5 * 60 - 30
    body = forged_submission(desk)
    from slack_sdk.signature import SignatureVerifier

    signature = SignatureVerifier(desk.sim.signing_secret).generate_signature(timestamp=str(stale), body=body)
    assert desk.sim.send(body, timestamp=stale, signature=signature).status == 401
    assert db_state(desk)["tickets"] == 0


# -- buttons and payloads that make no sense -----------------------------------------------------------


def block_action(user: str, actions: Any, **extra: Any) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0SUPPORTBOT",
        "container": {"type": "message", "message_ts": "1.0", "channel_id": TRIAGE},
        "channel": {"id": TRIAGE},
        "trigger_id": "trigger-junk",
        "actions": actions,
        **extra,
    }
    return urlencode({"payload": json.dumps(payload)})


def button(action_id: str, value: Any = "1", **extra: Any) -> list[dict[str, Any]]:
    return [
        {"action_id": action_id, "block_id": "ticket:1", "type": "button", "action_ts": "1.0", "value": value, **extra}
    ]


JUNK_ACTIONS = [
    ("ack-without-value", button("ticket_acknowledge", None)),
    ("ack-empty-value", button("ticket_acknowledge", "")),
    ("ack-words", button("ticket_acknowledge", "abc")),
    ("ack-superscript", button("ticket_acknowledge", "\u00b2")),
    ("ack-huge", button("ticket_acknowledge", "99999999999999999999")),
    ("ack-past-integer", button("ticket_acknowledge", "2147483648")),
    ("ack-negative", button("ticket_acknowledge", "-1")),
    ("ack-missing-ticket", button("ticket_acknowledge", "999")),
    ("ack-object-value", button("ticket_acknowledge", {"id": 1})),
    ("ack-list-value", button("ticket_acknowledge", ["1"])),
    ("status-huge", button("ticket_set_status", "99999999999999999999:closed")),
    ("status-unknown", button("ticket_set_status", "1:exploded")),
    ("status-missing", button("ticket_set_status", "1")),
    ("status-null-option", button("ticket_set_status", None, selected_option={"value": None})),
    ("status-option-string", button("ticket_set_status", None, selected_option="closed")),
    ("priority-huge", button("ticket_set_priority", "99999999999999999999:P1")),
    ("priority-unknown", button("ticket_set_priority", "1:P0")),
    ("snooze-huge", button("reminder_snooze:1h", "99999999999999999999:response:1:1h")),
    ("snooze-huge-cycle", button("reminder_snooze:1h", "1:response:" + "9" * 5000 + ":1h")),
    ("snooze-junk", button("reminder_snooze:1h", "1:nope:x:never")),
    ("resolve-huge", button("ticket_resolve", "99999999999999999999")),
    ("escalate-junk", button("ticket_escalate", "x")),
    ("duplicate-missing", button("ticket_mark_duplicate", "999")),
]


def test_a_malformed_button_is_answered_politely_and_changes_nothing(
    desk: Desk, errors_logged: Callable[[], list[str]]
) -> None:
    desk.open_ticket()
    for name, actions in JUNK_ACTIONS:
        before = db_state(desk)
        response_url = desk.fake.response_url(name)
        _reply, seen = answer(
            desk, lambda a=actions, u=response_url: desk.sim.send(block_action(LEAD, a, response_url=u))
        )
        try:
            assert_polite(seen)
            assert any("out of date" in text or "can't find" in text for text in seen), seen
            assert db_state(desk) == before
            assert errors_logged() == []
        except AssertionError as failure:
            raise AssertionError(f"{name}: {failure}") from None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(block_action(ALICE, button("ticket_no_such_button")), id="unknown-action-id"),
        pytest.param(block_action(ALICE, []), id="no-actions"),
        # Bolt reads these before it checks the signature; bot/server.py answers 400 instead of a 500
        pytest.param(urlencode({"payload": "{not json"}), id="payload-not-json"),
        pytest.param(urlencode({"payload": "[1, 2]"}), id="payload-a-list"),
        pytest.param(urlencode({"payload": json.dumps({"type": "block_actions"})}), id="payload-bare"),
        pytest.param(urlencode({"payload": json.dumps({"type": "view_submission", "view": None})}), id="view-null"),
        pytest.param(
            urlencode(
                {
                    "payload": json.dumps(
                        {
                            "type": "view_submission",
                            "user": {"id": RIYA},
                            "view": {"id": "V1", "type": "modal", "callback_id": "new_ticket", "state": []},
                        }
                    )
                }
            ),
            id="view-state-a-list",
        ),
        pytest.param(
            urlencode(
                {
                    "payload": json.dumps(
                        {
                            "type": "view_submission",
                            "user": {"id": RIYA},
                            "view": {
                                "id": "V1",
                                "type": "modal",
                                "callback_id": "resolve_ticket",
                                "private_metadata": '{"ticket_id": 1e400}',
                                "state": {
                                    "values": {"resolution": {"value": {"type": "plain_text_input", "value": "fixed"}}}
                                },
                            },
                        }
                    )
                }
            ),
            id="resolve-metadata-infinite",
        ),
        pytest.param("", id="empty-body"),
        pytest.param(urlencode({"command": "/nonsense", "text": "help", "user_id": ZOE}), id="unknown-command"),
    ],
)
def test_a_malformed_payload_never_crashes_and_changes_nothing(
    desk: Desk, errors_logged: Callable[[], list[str]], body: str
) -> None:
    desk.open_ticket()
    before = db_state(desk)
    reply = desk.sim.send(body)
    assert reply.status < 500, reply
    desk.settle()
    assert db_state(desk) == before
    assert not any(SORRY in call.text for call in desk.fake.calls)
    assert errors_logged() == []
    # and the desk still works for the next person
    desk.act(ALICE, dm(ALICE), "SUP-1", "ticket_acknowledge")
    desk.fake.wait_for(
        lambda calls: any(c.method == "chat.update" and "Under investigation" in str(c.args) for c in calls)
    )
    assert db_state(desk)["events"] == before["events"] + 1


def test_unsigned_garbage_is_refused_without_a_traceback(desk: Desk, errors_logged: Callable[[], list[str]]) -> None:
    """Bolt parses a body before it checks the signature; garbage must not become a 500 with a traceback."""
    reply = desk.sim.send(urlencode({"payload": "{garbage"}), signature="v0=" + "0" * 64)
    assert reply.status in (400, 401)
    assert errors_logged() == [] and db_state(desk)["tickets"] == 0
