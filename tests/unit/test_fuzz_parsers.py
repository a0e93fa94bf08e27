"""Property tests over everything that reads what people type or what Slack sends: whatever arrives, a
parser returns a well-formed value or raises a TriageError (a message for the person), never a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from handlers.slack import payloads
from handlers.slack.actions import parse_priority_choice, parse_snooze_choice, parse_status_choice
from handlers.slack.commands import parse_support_command
from handlers.slack.errors import what_they_wrote
from triage.errors import InvalidInput, TriageError
from triage.model import DESCRIPTION_MAX, TITLE_MAX, Priority, Status, TicketType, parse_ref
from triage.reminders import SnoozeFor
from triage.services import TicketDraft

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Kinds the grammar knows today, plus the rota subcommands being added beside it: a new subcommand adds
# a kind, but free text must still come back as one of these, never as an exception.
KNOWN_KINDS = {"new", "help", "status", "mine", "who", "unknown", "rota"}
LARGEST_ID = 2**31 - 1  # PostgreSQL `integer`: a bigger id must never reach a query

# Text as people type it, and as it arrives when something upstream mangles it.
nasty_text = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8")),
    st.sampled_from(
        [
            "\x00",
            "status \x00SUP-1",
            "\u202eSUP-1",
            "status SUP-\u0661\u0662",  # Arabic-Indic digits are isdigit() but not a reference
            "status \u00b2",  # superscript two: isdigit() is True, int() refuses it
            "<!channel>",
            "<!here|here> <@U123>",
            "status <!everyone>",
            "\u200b\u200bhelp",
            "help\u00a0me",
            "\U0001f525" * 500,
            "x" * 10_000,
            "9" * 5000,
        ]
    ),
)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), nasty_text)
json_like = st.recursive(
    json_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
)


def maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Either the shape Slack sends or anything at all in its place."""
    return st.one_of(value, json_like)


action_values = st.one_of(
    nasty_text,
    st.from_regex(r"\A[0-9]{1,25}(:[a-z_0-9]{0,30}){0,4}\Z"),
    st.builds(lambda n, rest: f"{n}:{rest}", st.integers(), st.text(max_size=20)),
)
option = st.fixed_dictionaries({}, optional={"value": maybe(action_values), "text": json_like})
action = st.fixed_dictionaries(
    {}, optional={"action_id": json_like, "value": maybe(action_values), "selected_option": maybe(option)}
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "type": maybe(st.sampled_from(["block_actions", "view_submission", "shortcut"])),
        "user": maybe(st.fixed_dictionaries({}, optional={"id": maybe(st.text(max_size=12))})),
        "user_id": maybe(st.text(max_size=12)),
        "actions": maybe(st.lists(maybe(action), max_size=3)),
        "response_url": json_like,
    },
)
element = st.fixed_dictionaries(
    {},
    optional={
        "type": maybe(st.sampled_from(["static_select", "plain_text_input", "datepicker"])),
        "value": maybe(nasty_text),
        "selected_option": maybe(option),
    },
)
metadata = st.one_of(
    json_like,
    st.builds(json.dumps, json_like),
    st.builds(lambda n: json.dumps({"ticket_id": n, "channel_id": "C1"}), json_scalars),
    st.just("[" * 5000),  # deep enough to make json.loads recurse out
    st.just('{"ticket_id": ' + "9" * 5000 + "}"),  # past Python's int-from-string digit limit
)
views = st.fixed_dictionaries(
    {},
    optional={
        "state": maybe(
            st.fixed_dictionaries(
                {},
                optional={
                    "values": maybe(
                        st.dictionaries(
                            st.text(max_size=10), maybe(st.dictionaries(st.text(max_size=6), maybe(element)))
                        )
                    )
                },
            )
        ),
        "private_metadata": metadata,
        "callback_id": json_like,
    },
)


def check_ticket_id(ticket_id: int) -> None:
    assert type(ticket_id) is int and 1 <= ticket_id <= LARGEST_ID


# -- the command grammar ----------------------------------------------------------------------


@FUZZ
@given(nasty_text)
@example("")
@example("help " * 3000)
def test_any_text_after_support_parses_to_a_known_kind(text: str) -> None:
    parsed = parse_support_command(text)
    assert parsed.kind in KNOWN_KINDS
    folded = " ".join(text.split())
    if parsed.kind == "new":
        assert parsed.argument == folded, "a title is what they typed, with its whitespace folded"
    else:
        assert parsed.argument in folded


words = st.text(alphabet=st.characters(exclude_categories=("Z", "Cc", "Cs")), min_size=1, max_size=15)
# Subcommands are ASCII words; a first word with a digit, symbol or accent in it can never become one.
not_a_keyword = words.filter(lambda w: not (w.isascii() and w.isalpha()))


@FUZZ
@given(not_a_keyword, st.lists(words, min_size=1, max_size=8), st.sampled_from([" ", "  ", "\t", "\n", "\u3000"]))
def test_text_that_cannot_start_a_subcommand_is_a_title(first: str, rest: list[str], gap: str) -> None:
    parsed = parse_support_command(gap.join([first, *rest]))
    assert (parsed.kind, parsed.argument) == ("new", " ".join([first, *rest]))


@FUZZ
@given(nasty_text, st.sampled_from(["SUP", "sup", "HELP", "X1"]))
def test_parse_ref_never_raises_and_gives_a_storable_number(text: str, prefix: str) -> None:
    number = parse_ref(text, prefix)
    assert number is None or (type(number) is int and 0 <= number <= LARGEST_ID)


@FUZZ
@given(st.integers(min_value=0, max_value=999_999_999), st.sampled_from(["SUP-{}", "sup-{}", " #{} ", "{}"]))
def test_parse_ref_reads_back_what_format_ref_writes(number: int, shape: str) -> None:
    assert parse_ref(shape.format(number), "SUP") == number


# -- Slack payloads -----------------------------------------------------------------------------


def only_triage_errors(call: Any) -> Any:
    """Run a parser; a TriageError is an answer for the person, anything else fails the test."""
    try:
        return call()
    except TriageError:
        return None


@FUZZ
@given(bodies)
def test_body_parsers_return_plain_values_or_refuse(body: dict[str, Any]) -> None:
    assert isinstance(payloads.user_id(body), str)
    value = only_triage_errors(lambda: payloads.action_value(body))
    assert value is None or (isinstance(value, str) and value)
    ticket_id = only_triage_errors(lambda: payloads.action_ticket_id(body))
    if ticket_id is not None:
        check_ticket_id(ticket_id)


@FUZZ
@given(views)
def test_view_parsers_return_plain_values_or_refuse(view: dict[str, Any]) -> None:
    values = payloads.form_values(view)
    assert all(isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in values.items())
    assert all("\x00" not in v for v in values.values() if v), "NUL cannot be stored in PostgreSQL text"
    assert isinstance(payloads.private_metadata(view), dict)
    ticket_id = only_triage_errors(lambda: payloads.metadata_ticket_id(view))
    if ticket_id is not None:
        check_ticket_id(ticket_id)


@FUZZ
@given(json_like)
def test_parsers_take_anything_in_place_of_a_body_or_view(junk: Any) -> None:
    body = {"actions": junk, "user": junk, "view": junk}
    view = {"state": junk, "private_metadata": junk}
    assert isinstance(payloads.user_id(body), str)
    only_triage_errors(lambda: payloads.action_ticket_id(body))
    payloads.form_values(view)
    payloads.private_metadata(view)
    only_triage_errors(lambda: payloads.metadata_ticket_id(view))
    assert isinstance(what_they_wrote({"type": "view_submission", "view": junk}), str)


@FUZZ
@given(views)
def test_what_they_wrote_never_fails_while_reporting_another_failure(view: dict[str, Any]) -> None:
    assert isinstance(what_they_wrote({"type": "view_submission", "view": view}), str)


@pytest.mark.parametrize(
    "value",
    ["\u00b2", "\u0661\u0662", "99999999999999999999", "2147483648", "0", "-3", " 7", "+7", "1_000", "", "SUP-3"],
)
def test_a_button_value_that_is_not_a_stored_ticket_number_is_stale(value: str) -> None:
    with pytest.raises(payloads.StaleAction):
        payloads.action_ticket_id({"actions": [{"value": f"{value}:x"}]})


@pytest.mark.parametrize("ticket_id", [True, 0, -1, 2**31, 10**30, 1.0, "3", None])
def test_form_metadata_that_is_not_a_stored_ticket_number_is_stale(ticket_id: Any) -> None:
    with pytest.raises(payloads.StaleAction):
        payloads.metadata_ticket_id({"private_metadata": json.dumps({"ticket_id": ticket_id})})


def test_the_largest_storable_ticket_number_is_accepted() -> None:
    assert payloads.action_ticket_id({"actions": [{"value": f"{LARGEST_ID}:x"}]}) == LARGEST_ID
    assert payloads.metadata_ticket_id({"private_metadata": json.dumps({"ticket_id": LARGEST_ID})}) == LARGEST_ID


def test_form_values_drop_control_characters_but_keep_lines_and_tabs() -> None:
    view = {"state": {"values": {"title": {"value": {"type": "plain_text_input", "value": "a\x00b\x1bc\td\ne\u202e"}}}}}
    assert payloads.form_values(view) == {"title": "abc\td\ne\u202e"}


# -- the menus on ticket cards ------------------------------------------------------------------


@FUZZ
@given(action_values)
@example("99999999999999999999:closed")
@example("\u00b2:closed")
@example("-1:P1")
def test_menu_choices_parse_to_a_storable_ticket_or_are_stale(value: str) -> None:
    status = only_triage_errors(lambda: parse_status_choice(value))
    if status is not None:
        check_ticket_id(status[0])
        assert isinstance(status[1], Status)
    priority = only_triage_errors(lambda: parse_priority_choice(value))
    if priority is not None:
        check_ticket_id(priority[0])
        assert isinstance(priority[1], Priority)
    snooze = only_triage_errors(lambda: parse_snooze_choice(value))
    if snooze is not None:
        check_ticket_id(snooze[0])
        assert isinstance(snooze[1], str) and isinstance(snooze[2], int) and isinstance(snooze[3], SnoozeFor)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12:closed", (12, Status.CLOSED)), ("7:in_progress", (7, Status.IN_PROGRESS))],
)
def test_well_formed_status_choices_still_parse(value: str, expected: tuple[int, Status]) -> None:
    assert parse_status_choice(value) == expected


# -- the new-ticket form -------------------------------------------------------------------------

field_text = st.one_of(st.none(), nasty_text, st.text(min_size=TITLE_MAX - 2, max_size=DESCRIPTION_MAX + 5))


@FUZZ
@given(
    field_text,
    field_text,
    st.one_of(st.none(), st.sampled_from([t.value for t in TicketType]), nasty_text),
    st.one_of(st.none(), st.sampled_from([*[p.value for p in Priority], "unsure", ""]), nasty_text),
)
def test_a_draft_is_valid_or_every_problem_is_named_by_field(
    title: str | None, description: str | None, type: str | None, priority: str | None
) -> None:
    try:
        draft = TicketDraft.parse(title=title, description=description, type=type, priority=priority)
    except InvalidInput as invalid:
        assert invalid.errors and set(invalid.errors) <= {"title", "description", "type", "priority"}
        assert all(isinstance(m, str) and m for m in invalid.errors.values())
        if len((title or "").strip()) > TITLE_MAX:
            assert "title" in invalid.errors
        if len((description or "").strip()) > DESCRIPTION_MAX:
            assert "description" in invalid.errors
        return
    assert 0 < len(draft.title) <= TITLE_MAX and 0 < len(draft.description) <= DESCRIPTION_MAX
    assert isinstance(draft.type, TicketType)


def test_oversized_fields_are_all_reported_together() -> None:
    with pytest.raises(InvalidInput) as raised:
        TicketDraft.parse(title="t" * 10_000, description="d" * 100_000, type="nonsense", priority="P9")
    assert set(raised.value.errors) == {"title", "description", "type", "priority"}
