"""Review finding: a swap or cover is checked against the rota as it is in the database when it is applied,
not against a process's cached copy, so two answers in two processes cannot double-book one shift."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Runtime, build_runtime
from bot.settings import Settings
from handlers.slack.fake_api import FakeSlack
from handlers.slack.rota_actions import run_rota
from rota.rotation import SupportLine
from rota.services import request_cover, respond_to_request
from services.clock import ManualClock
from storage.models import OverrideRow
from tests.conftest import LONDON
from triage.errors import NotAllowed

ALICE_NEXT = (datetime(2026, 12, 14, 9, tzinfo=LONDON), datetime(2026, 12, 21, 9, tzinfo=LONDON))


@pytest.fixture
def second(
    database_url: str, config_path: Path, clock: ManualClock, runtime: Runtime, fake: FakeSlack
) -> Iterator[Runtime]:
    """Another `serve` process on the same database (its rota cache checked a moment ago)."""
    other = build_runtime(Settings("xoxb-test", "secret", None, fake.api_url, database_url, config_path), clock=clock)
    yield other
    other.close()


def test_two_members_accepting_cover_of_one_shift_in_two_processes_book_it_once(
    runtime: Runtime, second: Runtime
) -> None:
    asked = [
        run_rota(
            runtime.deps,
            lambda uow, target=target: request_cover(
                requester_id="U1ALICE",
                target_id=target,
                line=SupportLine.FIRST,
                starts_at=ALICE_NEXT[0],
                ends_at=ALICE_NEXT[1],
                **uow.notifying_rota_ports(),
            ),
        )
        for target in ("U2BOB", "U3CAROL")
    ]
    assert second.deps.rota.on_duty(SupportLine.FIRST, ALICE_NEXT[0]) == "U1ALICE"  # its cache is warm
    run_rota(
        runtime.deps,
        lambda uow: respond_to_request(
            request_id=asked[0].id,
            actor_id="U2BOB",
            accept=True,
            needs_approval=runtime.deps.config.swaps_need_approval,
            **uow.notifying_rota_ports(),
        ),
    )
    with pytest.raises(NotAllowed, match="rota has changed"):
        run_rota(
            second.deps,
            lambda uow: respond_to_request(
                request_id=asked[1].id,
                actor_id="U3CAROL",
                accept=True,
                needs_approval=second.deps.config.swaps_need_approval,
                **uow.notifying_rota_ports(),
            ),
        )
    with runtime.sessions.begin() as session:
        assert [r.user_id for r in session.scalars(select(OverrideRow))] == ["U2BOB"]
