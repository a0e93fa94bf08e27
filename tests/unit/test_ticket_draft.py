"""Validation of what a requester types (TicketDraft.parse) and of ticket references (parse_ref)."""

from __future__ import annotations

import pytest

from triage.errors import InvalidInput, TriageError
from triage.model import Priority, TicketType, parse_ref
from triage.services import TicketDraft

VALID = {
    "title": "Printer is broken",
    "description": "It jams on every page.",
    "type": "technical_support",
    "priority": "P2",
}


def parse(**changes: str | None) -> TicketDraft:
    return TicketDraft.parse(**{**VALID, **changes})


def errors_of(**changes: str | None) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        parse(**changes)
    return caught.value.errors


def test_valid_draft() -> None:
    draft = parse()
    assert draft == TicketDraft(
        "Printer is broken", "It jams on every page.", TicketType.TECHNICAL_SUPPORT, Priority.P2
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"title": "  Printer  "}, {"title": "Printer"}, id="title-trimmed"),
        pytest.param({"title": "t" * 150}, {"title": "t" * 150}, id="title-150-chars"),
        pytest.param({"title": " " + "t" * 150 + " "}, {"title": "t" * 150}, id="title-150-after-trim"),
        pytest.param({"description": "d" * 3000}, {"description": "d" * 3000}, id="description-3000-chars"),
        pytest.param({"description": "\n  jams  \n"}, {"description": "jams"}, id="description-trimmed"),
        pytest.param({"priority": "unsure"}, {"priority": None}, id="unsure"),
        pytest.param({"priority": None}, {"priority": None}, id="no-priority"),
        pytest.param({"priority": ""}, {"priority": None}, id="empty-priority"),
        pytest.param({"priority": "P1"}, {"priority": Priority.P1}, id="P1"),
        pytest.param({"priority": "P4"}, {"priority": Priority.P4}, id="P4"),
        pytest.param({"type": "gdpr_request"}, {"type": TicketType.GDPR_REQUEST}, id="gdpr"),
        pytest.param({"type": "feature_request"}, {"type": TicketType.FEATURE_REQUEST}, id="feature"),
    ],
)
def test_accepted_drafts(changes: dict[str, str | None], expected: dict[str, object]) -> None:
    draft = parse(**changes)
    for field, value in expected.items():
        assert getattr(draft, field) == value


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        pytest.param({"title": ""}, "title", "short title", id="empty-title"),
        pytest.param({"title": None}, "title", "short title", id="missing-title"),
        pytest.param({"title": " \t\n "}, "title", "short title", id="whitespace-title"),
        pytest.param({"title": "t" * 151}, "title", "(it has 151)", id="title-151-chars"),
        pytest.param({"description": ""}, "description", "describe", id="empty-description"),
        pytest.param({"description": "   "}, "description", "describe", id="whitespace-description"),
        pytest.param({"description": "d" * 3001}, "description", "(it has 3001)", id="description-3001-chars"),
        pytest.param({"type": None}, "type", "what kind", id="missing-type"),
        pytest.param({"type": ""}, "type", "what kind", id="empty-type"),
        pytest.param({"type": "hardware"}, "type", "what kind", id="unknown-type"),
        pytest.param({"type": "Technical support"}, "type", "what kind", id="label-not-value"),
        pytest.param({"priority": "P5"}, "priority", "Not sure", id="unknown-priority"),
        pytest.param({"priority": "urgent"}, "priority", "Not sure", id="word-priority"),
    ],
)
def test_single_errors_are_keyed_by_field(changes: dict[str, str | None], field: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse(**changes)
    assert list(caught.value.errors) == [field]
    assert fragment in caught.value.errors[field]
    assert str(caught.value) == caught.value.errors[field]


def test_all_errors_are_reported_at_once() -> None:
    errors = errors_of(title="   ", description="d" * 3001, type=None, priority="P9")
    assert set(errors) == {"title", "description", "type", "priority"}
    assert "3001" in errors["description"]


def test_two_errors_leave_valid_fields_alone() -> None:
    errors = errors_of(title="t" * 151, type="nope")
    assert set(errors) == {"title", "type"}


def test_invalid_input_is_a_triage_error() -> None:
    assert issubclass(InvalidInput, TriageError)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SUP-42", 42),
        ("sup-42", 42),
        ("Sup-42", 42),
        (" SUP-42 ", 42),
        ("42", 42),
        ("#42", 42),
        ("#SUP-42", 42),
        ("SUP-123456789", 123456789),
        ("123456789", 123456789),
        ("ABC-42", None),
        ("SUP-", None),
        ("SUP-1234567890", None),
        ("1234567890", None),
        ("", None),
        ("   ", None),
        ("SUP42", None),
        ("SUP--42", None),
        ("SUP-4 2", None),
        ("SUP-42x", None),
        ("-42", None),
        ("SUP-42-1", None),
        ("²", None),  # a digit to str.isdigit() but not to int()
        ("SUP-²", None),
    ],
)
def test_parse_ref(text: str, expected: int | None) -> None:
    assert parse_ref(text, "SUP") == expected


@pytest.mark.parametrize(("text", "prefix", "expected"), [("HD-7", "HD", 7), ("hd-7", "HD", 7), ("SUP-7", "HD", None)])
def test_parse_ref_uses_the_configured_prefix(text: str, prefix: str, expected: int | None) -> None:
    assert parse_ref(text, prefix) == expected
