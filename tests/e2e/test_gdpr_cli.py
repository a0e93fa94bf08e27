"""`supportbot gdpr export|erase` against a desk that real people used over HTTP: output, audit, refusals."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from storage.models import AuditRow, TicketRow
from tests.e2e.conftest import ALICE, RIYA, TRIAGE, Desk, dm

TITLE = "Laptop camera shows Riya's old flat"
DESCRIPTION = "The login photo is from 2019, please reset it."


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, config_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SUPPORTBOT_CONFIG", str(config_path))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["gdpr", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def audit(desk: Desk) -> list[tuple[str, str, str | None]]:
    with desk.runtime.sessions() as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.action.startswith("gdpr_")).order_by(AuditRow.id))
        return [(a.actor_id, a.action, a.subject) for a in rows]


def test_export_writes_the_persons_tickets_to_a_private_file_and_is_audited(
    desk: Desk, cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    desk.open_ticket(RIYA, TITLE, description=DESCRIPTION)
    desk.open_ticket("U6SAM", "Sam's keyboard is sticky")
    out = tmp_path / "riya.json"

    code, printed, _ = run(capsys, "export", "--user", RIYA, "--out", str(out), "--actor", "U8LEAD")

    assert code == 0 and printed.startswith(f"exported {RIYA} to {out}: 1 tickets raised")
    data = json.loads(out.read_text())
    assert [(t["ref"], t["title"], t["description"]) for t in data["tickets_raised"]] == [("SUP-1", TITLE, DESCRIPTION)]
    assert "Sam" not in out.read_text() and "U6SAM" not in out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert audit(desk) == [("U8LEAD", "gdpr_export", RIYA)]

    code, printed, _ = run(capsys, "export", "--user", RIYA)  # to standard output
    assert code == 0 and json.loads(printed)["tickets_raised"][0]["title"] == TITLE
    assert audit(desk)[-1] == ("cli", "gdpr_export", RIYA)


def test_erase_needs_yes_and_refuses_malformed_ids_and_rota_members(
    desk: Desk, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    desk.open_ticket(RIYA, TITLE, description=DESCRIPTION)

    code, out, err = run(capsys, "erase", "--user", RIYA)
    assert (code, out) == (2, "") and "cannot be undone" in err and "--yes" in err
    for bad in ("riya", "U7RIYA;DROP", "C0TRIAGE", ""):
        for command in ("erase", "export"):
            code, out, err = (
                run(capsys, command, "--user", bad, "--yes")
                if command == "erase"
                else run(capsys, command, "--user", bad)
            )
            assert (code, out) == (2, "") and "is not a Slack member id" in err, (command, bad)
    code, _, err = run(capsys, "erase", "--user", ALICE, "--yes")
    assert code == 2 and "still on the support rota" in err

    with desk.runtime.sessions() as session:
        assert session.get_one(TicketRow, 1).title == TITLE  # nothing was touched
    assert audit(desk) == []


def test_erase_anonymises_the_requester_updates_the_cards_in_slack_and_audits_the_pseudonym(
    desk: Desk, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = desk.open_ticket(RIYA, TITLE, description=DESCRIPTION)
    desk.act(ALICE, dm(ALICE), ref, "ticket_acknowledge")
    desk.fake.wait_for(lambda calls: len(desk.posts_to(RIYA)) == 2)
    desk.settle()

    code, out, _ = run(capsys, "erase", "--user", RIYA, "--yes")

    assert code == 0 and out.startswith(f"erased {RIYA} as ERASED-")
    assert "1 ticket(s) they raised anonymised" in out and "queued for `supportbot serve`" in out
    pseudonym = out.split(" as ", 1)[1].split(":", 1)[0]
    with desk.runtime.sessions() as session:
        row = session.get_one(TicketRow, 1)
        assert (row.title, row.description, row.requester_id, row.status) == (
            "[erased]",
            "[erased]",
            pseudonym,
            "under_investigation",
        )
    assert audit(desk) == [("cli", "gdpr_erase", pseudonym)]

    desk.runtime.worker.kick()  # what `serve` does every 30 s: the erased cards go out
    desk.fake.wait_for(lambda calls: "[erased]" in json.dumps(desk.card(TRIAGE, ref)))
    desk.settle()
    assert TITLE not in json.dumps(desk.card(TRIAGE, ref)) and TITLE not in json.dumps(desk.card(dm(ALICE), ref))

    again, out, _ = run(capsys, "erase", "--user", RIYA, "--yes")
    assert again == 0 and f"as {pseudonym}: 0 ticket(s) they raised anonymised, 0 event(s)" in out
    assert audit(desk) == [("cli", "gdpr_erase", pseudonym)] * 2
    code, printed, _ = run(capsys, "export", "--user", RIYA)
    assert code == 0 and json.loads(printed)["tickets_raised"] == []
