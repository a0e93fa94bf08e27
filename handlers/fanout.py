"""One desk on several chat platforms: a ChatAdapter whose notifiers forward every call to each platform's.

Each platform's notifier decides whom it can reach (Teams leaves Slack ids to Slack when both are on).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from rota.ports import RotaNotifier
from services.unit_of_work import ChatAdapter, TicketClocks
from storage.outbox import Outbox
from triage.ports import Notifier


class _Forward:
    """Calls the same port method on every target; port methods return nothing."""

    def __init__(self, targets: Sequence[object]) -> None:
        self._targets = tuple(targets)

    def __getattr__(self, name: str) -> Callable[..., None]:
        methods = [getattr(target, name) for target in self._targets]

        def forward(*args: Any, **kwargs: Any) -> None:
            for method in methods:
                method(*args, **kwargs)

        return forward


class FanOutChat:
    def __init__(self, adapters: Sequence[ChatAdapter]) -> None:
        self.adapters = tuple(adapters)

    def notifiers(self, outbox: Outbox, *, now: datetime, clocks: TicketClocks) -> tuple[Notifier, RotaNotifier]:
        pairs = [adapter.notifiers(outbox, now=now, clocks=clocks) for adapter in self.adapters]
        if len(pairs) == 1:
            return pairs[0]
        return cast(Notifier, _Forward([n for n, _ in pairs])), cast(RotaNotifier, _Forward([r for _, r in pairs]))
