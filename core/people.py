"""People in what the core says: a message keeps who it names as ids, and each chat platform renders them.

The core never writes a platform's mention markup (Slack's, or Teams' `at` tags): it says
`said("Only {who} can answer this request.", who=Mention(user_id))`, and the adapter renders the message
with its own `mention` function. Plain `str()` renders people neutrally as `@<id>` (logs, CLI, tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from string import Formatter


@dataclass(frozen=True)
class Mention:
    """A person named in a message, by their id (today a Slack member id; later a neutral person id)."""

    person_id: str


def plain_mention(person_id: str) -> str:
    """How people read outside any chat platform: `@U1ALICE`."""
    return f"@{person_id}"


@dataclass(frozen=True)
class Said:
    """A message for a person: literal text and the people it names, in order; rendered by the adapter."""

    parts: tuple[str | Mention, ...] = ()

    @classmethod
    def text(cls, text: str) -> Said:
        """Words naming nobody, taken as they are (braces included)."""
        return cls((text,) if text else ())

    @property
    def people(self) -> tuple[str, ...]:
        """The ids of the people it names, first mention first, each once (a platform may look them up first)."""
        return tuple(dict.fromkeys(p.person_id for p in self.parts if isinstance(p, Mention)))

    def render(self, mention: Callable[[str], str]) -> str:
        """The message as text, each person written by `mention` (Slack's own mention markup, say)."""
        return "".join(part if isinstance(part, str) else mention(part.person_id) for part in self.parts)

    def __str__(self) -> str:
        return self.render(plain_mention)


def said(template: str, /, **values: str | Mention | Said) -> Said:
    """A message from a `str.format`-style template whose `{name}` fields are text, people or other messages.

    `said("Only {who} or a lead can cancel this leave.", who=Mention(leave.user_id))`. Only plain names are
    allowed in fields (no format specs, conversions or attribute access): format anything else beforehand.
    """
    parts: list[str | Mention] = []
    for literal, name, spec, conversion in Formatter().parse(template):
        parts.append(literal)
        if name is None:
            continue
        if spec or conversion or not name.isidentifier():
            raise ValueError(f"said() takes plain {{name}} fields only: {template!r}")
        value = values[name]
        parts.extend(value.parts if isinstance(value, Said) else (value,))
    return Said(_joined(parts))


def _joined(parts: list[str | Mention]) -> tuple[str | Mention, ...]:
    """Adjacent text merged and empty text dropped, so equal messages compare equal however they were built."""
    joined: list[str | Mention] = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if joined and isinstance(joined[-1], str):
                joined[-1] += part
                continue
        joined.append(part)
    return tuple(joined)
