"""The domain core (core/, rota/, triage/) stays pure: no Slack, database or scheduler imports, no clock reads,
no chat markup; and its imports point one way: triage -> rota -> core."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORE_PACKAGES = ("core", "rota", "triage")
# Every module of the core, so a new one (calendar, SLA clocks, reminders, digest) is checked too.
CORE_MODULES = tuple(
    sorted(
        ".".join(path.relative_to(REPO).with_suffix("").parts)
        for package in CORE_PACKAGES
        for path in (REPO / package).glob("*.py")
        if path.name != "__init__.py"
    )
)
BLOCKED = ("slack_bolt", "slack_sdk", "sqlalchemy", "apscheduler")

BLOCKER = textwrap.dedent(
    f"""
    import importlib.abc, sys

    BLOCKED = {BLOCKED!r}

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"blocked import of {{name}}")
            return None

    sys.meta_path.insert(0, Blocker())
    """
)


def run_with_blocker(imports: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    body = "".join(f"import {module}\n" for module in imports)
    check = "leaked = sorted(m for m in sys.modules if m.split('.')[0] in BLOCKED)\nassert not leaked, leaked\nprint('pure')\n"
    return subprocess.run(
        [sys.executable, "-c", BLOCKER + body + check],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_core_imports_without_slack_database_or_scheduler() -> None:
    assert {"rota.calendar", "triage.sla", "triage.reminders", "triage.digest"} <= set(CORE_MODULES)
    result = run_with_blocker(CORE_MODULES)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "pure"


def test_the_blocker_really_blocks() -> None:
    """Control: an adapter module that needs slack_bolt fails under the same blocker."""
    result = run_with_blocker(("handlers.slack.commands",))
    assert result.returncode != 0
    assert "blocked import of slack_bolt" in result.stderr


# --- no clock reads ---------------------------------------------------------------------------

CLOCK_READS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"), ("time", "time")}


def clock_reads(source: str, filename: str = "<source>") -> list[str]:
    """Calls like datetime.now(), datetime.datetime.utcnow(), date.today(), time.time(); and `from time import time`."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = (
                owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else None
            )
            if (owner_name, node.func.attr) in CLOCK_READS:
                found.append(f"{filename}:{node.lineno}: {owner_name}.{node.func.attr}()")
        elif isinstance(node, ast.ImportFrom) and node.module == "time":
            for alias in node.names:
                if alias.name in ("time", "monotonic", "perf_counter"):
                    found.append(f"{filename}:{node.lineno}: from time import {alias.name}")
    return found


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("from datetime import datetime\nx = datetime.now()", 1),
        ("import datetime\nx = datetime.datetime.utcnow()", 1),
        ("import time\nx = time.time()", 1),
        ("from datetime import date\nx = date.today()", 1),
        ("from time import time", 1),
        ("def f(now): return now", 0),
        ("from datetime import datetime\nx = datetime.fromisoformat('2026-11-02')", 0),
        ("x = clock.now()", 0),
    ],
)
def test_clock_read_scanner(snippet: str, expected: int) -> None:
    """Control: the scanner finds what it is meant to find, and only that."""
    assert len(clock_reads(snippet)) == expected


def core_sources() -> list[Path]:
    return sorted(path for package in CORE_PACKAGES for path in (REPO / package).rglob("*.py"))


def test_core_sources_are_found() -> None:
    names = {path.relative_to(REPO).as_posix() for path in core_sources()}
    assert {"rota/rotation.py", "triage/model.py", "triage/services.py", "triage/workflow.py"} <= names


def test_core_never_reads_the_clock() -> None:
    offences = [hit for path in core_sources() for hit in clock_reads(path.read_text(encoding="utf-8"), str(path))]
    assert offences == []


# --- imports point one way: triage may use rota and core, rota only core, core neither --------------------

MAY_NOT_IMPORT = {"core": {"rota", "triage"}, "rota": {"triage"}, "triage": set()}


def imported_packages(source: str) -> set[str]:
    """Top-level packages a module imports (`import a.b`, `from a.b import c`), at any depth of the code."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("import triage.errors", {"triage"}),
        ("from triage.errors import NotAllowed", {"triage"}),
        ("def f():\n    from rota import roster", {"rota"}),
        ("from . import roster", set()),
        ("# triage.errors\nx = 'from triage import errors'", set()),
    ],
)
def test_import_scanner(snippet: str, expected: set[str]) -> None:
    """Control: the scanner sees imports wherever they are, and nothing else."""
    assert imported_packages(snippet) == expected


@pytest.mark.parametrize("package", sorted(MAY_NOT_IMPORT))
def test_core_packages_import_one_way(package: str) -> None:
    offences = [
        f"{path.relative_to(REPO)} imports {name}"
        for path in sorted((REPO / package).rglob("*.py"))
        for name in imported_packages(path.read_text(encoding="utf-8")) & MAY_NOT_IMPORT[package]
    ]
    assert offences == []


# --- no chat markup: people are Mentions, rendered by each platform's adapter ---------------------------


def chat_markup(source: str) -> list[str]:
    """String constants holding Slack's mention or broadcast markup (docstrings included)."""
    return [
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and ("<@" in node.value or "<!" in node.value)
    ]


def test_chat_markup_scanner() -> None:
    """Control: an f-string's literal part counts as well as a plain string."""
    assert sorted(chat_markup('x = f"<@{user}> has it"\ny = "<!here>"\nz = "a < b"')) == ["<!here>", "<@"]


def test_core_writes_no_chat_markup() -> None:
    offences = {str(path.relative_to(REPO)): chat_markup(path.read_text(encoding="utf-8")) for path in core_sources()}
    assert {path: found for path, found in offences.items() if found} == {}
