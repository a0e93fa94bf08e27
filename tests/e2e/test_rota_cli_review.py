"""Review findings on `supportbot rota`: leave stored by `import` warns the leads like `rota leave` does,
conflicts already over are not news, and an import file that is missing is named as such."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from freezegun import freeze_time

from storage.models import OutboxRow
from tests.e2e.test_rota_cli import LEAD, env, rows, run

__all__ = ["env"]  # the fixture, shared with test_rota_cli


@freeze_time("2026-11-24T10:00:00Z")
def test_leave_stored_by_an_import_warns_the_leads_of_its_conflicts(
    env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plan = tmp_path / "rota.yml"
    plan.write_text(
        "leave:\n  - {user: U2BOB, from: 2026-11-30, to: 2026-12-04}\n  - {user: U1ALICE, from: 2026-12-02, to: 2026-12-03}\n"
    )
    status, out, err = run(capsys, "import", str(plan))
    assert status == 0, err
    assert "conflict: first_line 2026-11-30T09:00+00:00 to 2026-12-05T00:00+00:00: U3CAROL covers" in out
    warned = [r for r in rows(env, OutboxRow) if r.channel == LEAD]
    assert len(warned) == 1 and "U2BOB" in json.dumps(warned[0].payload)  # Alice's days touch no shift of hers
    assert run(capsys, "import", str(plan))[1].endswith("nothing new\n")
    assert len([r for r in rows(env, OutboxRow) if r.channel == LEAD]) == 1  # a re-import warns nobody again


@freeze_time("2026-11-24T10:00:00Z")
def test_leave_over_shifts_already_worked_is_no_conflict(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "leave", "--user", "U2BOB", "--from", "2026-11-09", "--to", "2026-11-10")
    assert status == 0, err
    assert "conflict" not in out and "warned" not in out
    assert [r for r in rows(env, OutboxRow) if r.channel == LEAD] == []


def test_a_missing_import_file_is_not_called_the_config(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "import", "no-such-rota.yml")
    assert status == 2
    assert "no-such-rota.yml: no such file" in err and "SUPPORTBOT_CONFIG" not in err
