"""Messages that name people (core.people) and the domain errors that carry them (core.errors)."""

from __future__ import annotations

import pytest

from core.errors import DomainError, InvalidInput, NotAllowed
from core.people import Mention, Said, plain_mention, said


def slack(person_id: str) -> str:
    return f"<@{person_id}>"


def teams(person_id: str) -> str:
    return f"<at>{person_id.lower()}</at>"


@pytest.mark.parametrize(
    ("message", "rendered_slack", "rendered_teams", "plain", "people"),
    [
        pytest.param(said("No one named."), "No one named.", "No one named.", "No one named.", (), id="no-people"),
        pytest.param(
            said("Only {who} can answer.", who=Mention("U2BOB")),
            "Only <@U2BOB> can answer.",
            "Only <at>u2bob</at> can answer.",
            "Only @U2BOB can answer.",
            ("U2BOB",),
            id="one-person",
        ),
        pytest.param(
            said("{a} swaps with {b}; {a} asked.", a=Mention("U1"), b=Mention("U2")),
            "<@U1> swaps with <@U2>; <@U1> asked.",
            "<at>u1</at> swaps with <at>u2</at>; <at>u1</at> asked.",
            "@U1 swaps with @U2; @U1 asked.",
            ("U1", "U2"),
            id="people-once-each-in-order",
        ),
        pytest.param(
            said("Not {whose} shift on {line}.", whose=said("{who}'s", who=Mention("U2")), line="1st line"),
            "Not <@U2>'s shift on 1st line.",
            "Not <at>u2</at>'s shift on 1st line.",
            "Not @U2's shift on 1st line.",
            ("U2",),
            id="nested-message-and-text",
        ),
        pytest.param(
            Said.text("Use {braces} and <@U9> as typed"),
            "Use {braces} and <@U9> as typed",
            "Use {braces} and <@U9> as typed",
            "Use {braces} and <@U9> as typed",
            (),
            id="plain-text-is-not-a-template",
        ),
        pytest.param(said("{{literal}} {x}", x="text"), "{literal} text", "{literal} text", "{literal} text", ()),
    ],
)
def test_rendering(
    message: Said, rendered_slack: str, rendered_teams: str, plain: str, people: tuple[str, ...]
) -> None:
    assert (message.render(slack), message.render(teams), str(message)) == (rendered_slack, rendered_teams, plain)
    assert message.render(plain_mention) == plain
    assert message.people == people


def test_messages_built_differently_but_saying_the_same_are_equal() -> None:
    assert said("{a}{b}!", a="Hi ", b=said("{w}", w=Mention("U1"))) == said("Hi {w}!", w=Mention("U1"))
    assert said("Hi {w}!", w=Mention("U1")) != said("Hi {w}!", w=Mention("U2"))


@pytest.mark.parametrize("template", ["{who!r}", "{who:>5}", "{who.id}", "{0}", "{}"])
def test_only_plain_fields_are_allowed(template: str) -> None:
    with pytest.raises(ValueError, match="plain"):
        said(template, who=Mention("U1"))


def test_a_missing_field_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        said("Only {who}.")


def test_domain_errors_render_neutrally_as_str_and_per_platform_on_request() -> None:
    error = NotAllowed(said("Only {who} or a lead can cancel this leave.", who=Mention("U1ALICE")))
    assert isinstance(error, DomainError)
    assert str(error) == "Only @U1ALICE or a lead can cancel this leave."
    assert error.render(slack) == "Only <@U1ALICE> or a lead can cancel this leave."
    assert str(NotAllowed("Words {as} typed")) == "Words {as} typed"


def test_invalid_input_keeps_its_messages_by_field() -> None:
    error = InvalidInput(
        "target", said("{who} is not on the rota.", who=Mention("U9")), more={"shift": "Pick a shift.", "x": "y"}
    )
    assert str(error) == "@U9 is not on the rota."
    assert error.errors == {"target": "@U9 is not on the rota.", "shift": "Pick a shift.", "x": "y"}
    assert error.render_errors(slack) == {"target": "<@U9> is not on the rota.", "shift": "Pick a shift.", "x": "y"}
    assert InvalidInput("a", "first", more={"a": "overridden"}).errors == {"a": "overridden"}
