"""The minute job forgets inbound event ids older than a day (Slack retries for minutes), in its own transaction."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.conftest import Desk
from tests.e2e.test_home import HOME_OPENED, claims_become, statuses


def test_the_minute_job_forgets_event_ids_older_than_a_day(desk: Desk) -> None:
    desk.sim.event(HOME_OPENED, event_id="Ev0OLD")
    claims_become(desk, {"Ev0OLD": "done"})
    desk.clock.advance(timedelta(hours=23))
    desk.sim.event(HOME_OPENED, event_id="Ev0NEW")
    claims_become(desk, {"Ev0OLD": "done", "Ev0NEW": "done"})

    desk.runtime.jobs.every_minute(desk.clock.now())
    assert statuses(desk) == {"Ev0OLD": "done", "Ev0NEW": "done"}  # 23 hours old: kept

    desk.clock.advance(timedelta(hours=1, seconds=1))
    desk.runtime.jobs.every_minute(desk.clock.now())
    assert statuses(desk) == {"Ev0NEW": "done"}
    assert desk.runtime.jobs.forget_old_events(desk.clock.now()) == 0  # nothing left to forget: a read only

    # A retry of the kept event within the day is still recognised.
    assert desk.sim.event(HOME_OPENED, event_id="Ev0NEW", retry_num=1).status == 200
    desk.sim.event(HOME_OPENED, event_id="Ev0LAST")  # a new event after it: published
    desk.fake.wait_for_count("views.publish", 3)
    claims_become(desk, {"Ev0NEW": "done", "Ev0LAST": "done"})
    assert len(desk.fake.calls_to("views.publish")) == 3  # Ev0OLD, Ev0NEW, Ev0LAST: the retry did nothing
