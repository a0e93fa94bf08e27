"""Two people press Acknowledge on one ticket at the same moment: one takes it, the other is told who did.

On SQLite the database lock puts one transaction after the other; on PostgreSQL both really run at
once, the slower write is refused by the version column, and Deps.run retries it on fresh data so
its person hears "<@winner> has already picked this ticket up" rather than a generic apology.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from sqlalchemy import select

from handlers.slack import blocks
from handlers.slack.errors import SORRY, slack_text
from handlers.slack.simulator import Reply
from storage.models import EventRow, TicketRow
from tests.e2e.conftest import ALICE, BOB, LEAD, RIYA, TRIAGE, Desk, dm
from triage.errors import InvalidTransition
from triage.model import Ticket
from triage.services import TicketDraft, acknowledge_ticket, open_ticket

ROUNDS = 10


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls on their own threads, released together by a barrier; results in order."""
    barrier = threading.Barrier(len(calls))

    def released(call: Callable[[], Any]) -> Any:
        barrier.wait(timeout=10)
        try:
            return call()
        except Exception as error:  # noqa: BLE001 - a refusal is a result the test checks
            return error

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(released, calls))


def new_ticket(desk: Desk, n: int) -> Ticket:
    """A ticket opened as the modal would, without waiting for Slack to be paced through its messages."""
    draft = TicketDraft.parse(
        title=f"VPN drops, office {n}", description="Since 9am.", type="support_query", priority="P3"
    )
    return desk.runtime.deps.run(
        lambda uow: open_ticket(draft=draft, requester_id=RIYA, origin_channel_id=None, **uow.ticket_ports())
    )


def acknowledgements(desk: Desk, ticket_id: int) -> list[str]:
    with desk.runtime.sessions() as session:
        return list(
            session.scalars(
                select(EventRow.actor_id).where(EventRow.ticket_id == ticket_id, EventRow.kind == "acknowledged")
            )
        )


def assignee(desk: Desk, ticket_id: int) -> tuple[str | None, str]:
    with desk.runtime.sessions() as session:
        row = session.get_one(TicketRow, ticket_id)
        return row.assignee_id, row.status


def test_two_people_pressing_acknowledge_at_once_one_wins_the_other_is_told_who(desk: Desk) -> None:
    winners = set()
    prefix = desk.runtime.config.ticket_prefix
    for n in range(ROUNDS):
        ticket = new_ticket(desk, n)
        assert ticket.id is not None
        ref, ticket_id = f"{prefix}-{ticket.id}", ticket.id
        alice_card = blocks.assignee_card(ticket, prefix, for_user=ALICE)  # the cards as posted, buttons and all
        lead_card = blocks.triage_card(ticket, prefix)
        answered = len(desk.fake.calls_to("response_url"))
        replies: list[Reply] = at_once(
            partial(desk.sim.act, ALICE, alice_card, "ticket_acknowledge", channel=dm(ALICE)),
            partial(desk.sim.act, LEAD, lead_card, "ticket_acknowledge", channel=TRIAGE),
        )
        assert [r.status for r in replies] == [200, 200], replies
        told = desk.fake.wait_for_count("response_url", answered + 1)[answered:]

        acked = acknowledgements(desk, ticket_id)
        assert len(acked) == 1, f"{ref}: {acked}"
        winner = acked[0]
        assert assignee(desk, ticket_id) == (winner, "under_investigation")
        assert [call.text for call in told] == [
            f"<@{winner}> has already picked this ticket up (Under investigation)."
        ], f"{ref}: the loser should hear who won"
        winners.add(winner)
    assert not any(SORRY in c.text or "at the same moment" in c.text for c in desk.fake.calls_to("response_url"))


def test_racing_acknowledgements_through_the_service_never_lose_an_update(desk: Desk) -> None:
    """Straight through Deps.run (one transaction each), so nothing but the database orders the two."""
    deps = desk.runtime.deps
    for n in range(2 * ROUNDS):
        ticket_id = new_ticket(desk, n).id
        assert ticket_id is not None
        results = at_once(
            partial(
                deps.run,
                lambda uow, ticket_id=ticket_id: acknowledge_ticket(
                    ticket_id=ticket_id, actor_id=BOB, **uow.ticket_ports()
                ),
            ),
            partial(
                deps.run,
                lambda uow, ticket_id=ticket_id: acknowledge_ticket(
                    ticket_id=ticket_id, actor_id=LEAD, **uow.ticket_ports()
                ),
            ),
        )
        refused = [r for r in results if isinstance(r, Exception)]
        won = [r for r in results if not isinstance(r, Exception)]
        assert len(won) == 1 and len(refused) == 1, results
        winner = won[0].assignee_id
        assert isinstance(refused[0], InvalidTransition), repr(refused[0])
        assert slack_text(refused[0]).startswith(f"<@{winner}> has already picked this ticket up")
        assert acknowledgements(desk, ticket_id) == [winner]
        assert assignee(desk, ticket_id) == (winner, "under_investigation")
        with desk.runtime.sessions() as session:
            assert session.get_one(TicketRow, ticket_id).version == 2, "exactly one write on top of the first"
