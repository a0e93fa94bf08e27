"""Where errors become words for the person who acted: once, for every listener.

Listeners are wrapped rather than left to Bolt's global error handler because, after an early ack(),
slack-bolt 1.x's thread runner can lose the ack when the listener raises within ~10 ms of it and
answer Slack with a 404. Catching here keeps the ack and still tells the person what went wrong.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.kwargs_injection.args import Args
from slack_sdk import WebClient

from core.errors import DomainError, InvalidInput
from core.people import Said

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on our side and nothing was changed. Please try again in a moment."


def tell_person(body: dict[str, Any], respond: Any, client: WebClient, message: str) -> None:
    """Something only the person who acted sees: in place when Slack gave a response_url, else by DM."""
    if respond is not None and (body.get("response_url") or body.get("response_urls")):
        respond(text=message, response_type="ephemeral", replace_original=False)
        return
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    if user:
        client.chat_postMessage(channel=user, text=message)


def slack_mention(person_id: str) -> str:
    """A person as Slack shows them in text: their name, linked."""
    return f"<@{person_id}>"


def slack_text(message: DomainError | Said) -> str:
    """A domain error's or message's words as Slack text, the people it names as mentions."""
    return message.render(slack_mention)


def modal_errors(error: DomainError, default: str) -> dict[str, str]:
    """A refusal as a modal's `errors` (block id -> Slack text): InvalidInput by field, anything else on `default`."""
    if isinstance(error, InvalidInput):
        return error.render_errors(slack_mention)
    return {default: slack_text(error)}


def explain_error(error: Exception, body: dict[str, Any]) -> str:
    if isinstance(error, DomainError):
        return slack_text(error)
    log.error(
        "unhandled %s while handling a %s request", type(error).__name__, body.get("type", "command"), exc_info=error
    )
    return SORRY


def what_they_wrote(body: dict[str, Any]) -> str:
    """The text typed into a form that closed on the ack, so a failure afterwards does not lose it."""
    if body.get("type") != "view_submission":
        return ""
    state = body.get("view", {}).get("state", {}) if isinstance(body.get("view"), dict) else {}
    blocks = state.get("values") if isinstance(state, dict) else None  # a malformed view: nothing to give back
    typed = [
        value["value"]
        for block in (blocks.values() if isinstance(blocks, dict) else ())
        for value in (block.values() if isinstance(block, dict) else ())
        if isinstance(value, dict) and value.get("type") == "plain_text_input"
        if isinstance(value.get("value"), str) and value["value"]
    ]
    return (
        "\n\nWhat you wrote, so you can try again:\n"
        + "\n".join(f"> {line}" for text in typed for line in str(text).splitlines())
        if typed
        else ""
    )


def reports_errors(listener: Callable[..., None]) -> Callable[[Args], None]:
    """Wrap a listener so a refusal or failure is told to the person and Slack always gets its ack."""
    wanted = inspect.getfullargspec(listener).args

    def run_listener(args: Args) -> None:
        try:
            listener(**{name: getattr(args, name) for name in wanted})
        except Exception as error:  # noqa: BLE001 - the single place errors turn into messages
            if args.ack.response is None:
                args.ack()
            message = explain_error(error, args.body) + what_they_wrote(args.body)
            try:
                tell_person(args.body, args.respond, args.client, message)
            except Exception:
                log.warning("could not tell %s about an error", args.body.get("user", {}), exc_info=True)

    run_listener.__name__ = listener.__name__
    run_listener.__qualname__ = listener.__qualname__
    return run_listener
