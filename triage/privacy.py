"""GDPR erasure rules as pure functions: who becomes which pseudonym, and which words are a person's own."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from typing import Any

ERASED = "[erased]"
PSEUDONYM_PREFIX = "ERASED-"
# Free text that people typed, wherever an event's data carries it: the title at creation, handover notes,
# resolutions and updates to the requester. Everything else in event data is ids, enums and instants.
TEXT_KEYS = frozenset({"title", "description", "note", "resolution", "message"})

# Slack user ids: U (or W on Enterprise Grid) then upper-case letters and digits.
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")


def is_user_id(text: str) -> bool:
    """Whether `text` looks like a Slack member id, so a typo is refused before anything is searched."""
    return bool(_USER_ID.match(text))


def pseudonym(user_id: str, salt: bytes) -> str:
    """A stable stand-in: the same person always maps to the same one, so erasure can be re-run."""
    digest = hmac.new(salt, user_id.encode(), hashlib.sha256).hexdigest()
    return f"{PSEUDONYM_PREFIX}{digest[:10]}"


def replace_user(value: Any, user_id: str, stand_in: str) -> Any:
    """`value` with every string that is exactly `user_id` replaced, however deep in lists and dicts."""
    if isinstance(value, str):
        return stand_in if value == user_id else value
    if isinstance(value, list):
        return [replace_user(v, user_id, stand_in) for v in value]
    if isinstance(value, dict):
        return {k: replace_user(v, user_id, stand_in) for k, v in value.items()}
    return value


def scrub_text(data: dict[str, Any]) -> dict[str, Any]:
    """Event data with the typed words blanked; kinds, statuses, priorities and ids stay for the statistics."""
    return {k: (ERASED if k in TEXT_KEYS and isinstance(v, str) else v) for k, v in data.items()}


def text_fragments(texts: Iterable[str | None]) -> list[str]:
    """The pieces of `texts` worth finding in rendered messages: each non-trivial line, longest first.

    Messages quote notes line by line and escape Slack's control characters, so lines (raw and escaped)
    are what can be found again; very short lines would match ordinary words and are left alone.
    """
    found: set[str] = set()
    for text in texts:
        for line in (text or "").splitlines():
            line = line.strip()
            if len(line) >= 4:
                found.add(line)
                found.add(line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    return sorted(found, key=len, reverse=True)


def scrub_strings(value: Any, fragments: list[str], user_id: str, stand_in: str, *, replacement: str = ERASED) -> Any:
    """`value` (a message payload) with each fragment replaced and the person's id by the stand-in."""
    if isinstance(value, str):
        for fragment in fragments:
            value = value.replace(fragment, replacement)
        return value.replace(user_id, stand_in)
    if isinstance(value, list):
        return [scrub_strings(v, fragments, user_id, stand_in, replacement=replacement) for v in value]
    if isinstance(value, dict):
        return {k: scrub_strings(v, fragments, user_id, stand_in, replacement=replacement) for k, v in value.items()}
    return value
