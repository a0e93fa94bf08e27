"""The Teams app package: a manifest valid against Microsoft's schema, the commands PRODUCT.md lists, the CLI's zip.

Offline: the schema is vendored beside this file (v1.30/, with its provenance); nothing here reads the clock.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import struct
import tomllib
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from bot.cli import main
from bot.cli import teams_package as tp
from bot.teams_app import icons

REPO = Path(__file__).resolve().parents[2]
SCHEMA_DIR = Path(__file__).resolve().parent / "v1.30"
SCHEMA_PATH = SCHEMA_DIR / "MicrosoftTeams.schema.json"
APP_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
HOST = "desk.example.org"

# ../shared/PRODUCT.md, "Teams (contract)": "these texts work like the `/support` subcommands:
# `new [title]`, `help`, `status SUP-n`, `mine`, `who [line] [day]`, `rota`".
PRODUCT_COMMAND_WORDS = ["new", "help", "status", "mine", "who", "rota"]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    # A well-formed draft-04 schema; without the regex format check, as one of its patterns (in a part of the
    # schema this manifest does not use) is written with ECMAScript's \p{L}, which Python's re lacks.
    Draft4Validator.check_schema(data, format_checker=None)
    return data


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return tp.render_manifest(APP_ID, HOST, "1.2.3")


def schema_errors(schema: dict[str, Any], manifest: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in Draft4Validator(schema).iter_errors(manifest)
    ]


def png_size(data: bytes) -> tuple[int, int, int]:
    """(width, height, colour type) from the IHDR chunk, which must come first."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert depth == 8
    return width, height, colour


def png_rgba(data: bytes) -> list[tuple[int, int, int, int]]:
    """Every pixel of an 8-bit RGB or RGBA PNG (all five filter types), checking each chunk's CRC."""
    width, height, colour = png_size(data)
    channels = {2: 3, 6: 4}[colour]
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, f"bad CRC in {kind!r}"
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    raw, stride, previous = zlib.decompress(idat), width * channels, bytearray(width * channels)
    pixels: list[tuple[int, int, int, int]] = []
    for y in range(height):
        filter_type, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            p = a + b - c
            nearest = min((abs(p - a), 0, a), (abs(p - b), 1, b), (abs(p - c), 2, c))[2]
            line[i] = (line[i] + (0, a, b, (a + b) // 2, nearest)[filter_type]) & 0xFF
        for x in range(0, stride, channels):
            pixels.append((line[x], line[x + 1], line[x + 2], line[x + 3] if channels == 4 else 255))
        previous = line
    return pixels


# -- the manifest --------------------------------------------------------------------------------------------


def test_the_vendored_schema_is_the_one_its_provenance_names() -> None:
    provenance = (SCHEMA_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    recorded = re.search(r"sha256 `([0-9a-f]{64})`", provenance)
    assert recorded, "PROVENANCE.md must record the schema's sha256"
    assert hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest() == recorded.group(1)


def test_the_rendered_manifest_is_valid_for_its_manifest_version(
    schema: dict[str, Any], manifest: dict[str, Any]
) -> None:
    assert schema_errors(schema, manifest) == []
    # draft-04 ignores `const`, so the version the schema is for is compared here.
    assert manifest["manifestVersion"] == schema["properties"]["manifestVersion"]["const"] == tp.MANIFEST_VERSION
    assert SCHEMA_DIR.name == f"v{tp.MANIFEST_VERSION}"
    assert manifest["$schema"].endswith(f"/v{tp.MANIFEST_VERSION}/MicrosoftTeams.schema.json")


def test_the_schema_check_bites(schema: dict[str, Any], manifest: dict[str, Any]) -> None:
    broken = copy.deepcopy(manifest)
    broken["bots"][0]["botId"] = "not-a-guid"
    broken["composeExtensions"][0]["commands"][0]["type"] = "dialog"
    del broken["developer"]["privacyUrl"]
    errors = schema_errors(schema, broken)
    assert any("bots/0/botId" in e for e in errors)
    assert any("composeExtensions/0/commands/0/type" in e for e in errors)
    assert any("privacyUrl" in e for e in errors)
    # The raw template (placeholders in place of GUIDs) is not a valid manifest either.
    assert schema_errors(schema, tp.template())


def test_every_placeholder_is_filled(manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest)
    assert "${{" not in text
    assert manifest["id"] == manifest["bots"][0]["botId"] == manifest["composeExtensions"][0]["botId"] == APP_ID
    assert manifest["version"] == "1.2.3"
    assert HOST in manifest["validDomains"]
    assert all(url.startswith(f"https://{HOST}/") for key, url in manifest["developer"].items() if key.endswith("Url"))


def test_the_bot_is_conversational_in_personal_chat_and_teams(manifest: dict[str, Any]) -> None:
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert sorted(bot["scopes"]) == ["personal", "team"]
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False


def test_the_command_lists_name_exactly_the_commands_product_md_lists(manifest: dict[str, Any]) -> None:
    assert list(tp.COMMAND_WORDS) == PRODUCT_COMMAND_WORDS
    lists = manifest["bots"][0]["commandLists"]
    assert sorted(scope for entry in lists for scope in entry["scopes"]) == sorted(tp.COMMAND_SCOPES)
    assert sorted(tp.COMMAND_SCOPES) == ["personal", "team"]
    for entry in lists:
        assert [c["title"] for c in entry["commands"]] == PRODUCT_COMMAND_WORDS, entry["scopes"]
        for command in entry["commands"]:
            assert command.get("description", "").strip(), f"{command['title']} has no description"


def test_the_new_ticket_action_fetches_its_dialog(manifest: dict[str, Any]) -> None:
    (extension,) = manifest["composeExtensions"]
    assert extension["botId"] == APP_ID
    (command,) = [c for c in extension["commands"] if c["id"] == tp.COMPOSE_COMMAND_ID]
    assert command["title"] == "New ticket"
    assert command["type"] == "action"
    assert command["fetchTask"] is True
    assert sorted(command["context"]) == ["commandBox", "compose", "message"]


def test_the_only_tabs_are_the_bots_chat_and_about(manifest: dict[str, Any]) -> None:
    # Reserved entity ids: no URL to host, nothing outside the bot's conversation.
    for tab in manifest.get("staticTabs", []):
        assert tab["entityId"] in {"conversations", "about"}
        assert tab["scopes"] == ["personal"]
        assert "contentUrl" not in tab


@pytest.mark.parametrize(
    ("given", "netloc", "name"),
    [
        ("desk.example.org", "desk.example.org", "desk.example.org"),
        ("https://desk.example.org/api/messages", "desk.example.org", "desk.example.org"),
        ("desk.example.org:8443", "desk.example.org:8443", "desk.example.org"),
        (None, tp.PLACEHOLDER_HOST, tp.PLACEHOLDER_HOST),
    ],
)
def test_the_host_may_be_a_name_or_the_endpoint_url(given: str | None, netloc: str, name: str) -> None:
    assert tp.parse_host(given) == (netloc, name)


@pytest.mark.parametrize("bad", ["http://desk.example.org", "desk example.org", "desk.example.org:99999", "-desk.org"])
def test_a_host_that_is_not_a_public_https_host_is_refused(bad: str) -> None:
    with pytest.raises(tp.BadInput):
        tp.parse_host(bad)


# -- the icons -----------------------------------------------------------------------------------------------


def test_the_shipped_icons_have_teams_sizes_and_outline_is_white_on_transparent() -> None:
    folder = REPO / "bot" / "teams_app"
    color, outline = (folder / "color.png").read_bytes(), (folder / "outline.png").read_bytes()
    assert png_size(color)[:2] == (192, 192)
    assert png_size(outline) == (32, 32, 6)  # RGBA
    pixels = png_rgba(outline)
    assert all(a == 0 or (r, g, b) == (255, 255, 255) for r, g, b, a in pixels), "outline must be white only"
    assert any(a == 0 for *_, a in pixels) and any(a == 255 for *_, a in pixels)
    assert len({p for p in png_rgba(color)}) > 2  # a drawing, not a blank square


def test_the_shipped_icons_are_what_the_generator_draws() -> None:
    folder = REPO / "bot" / "teams_app"
    for name, draw in icons.ICONS.items():
        assert (folder / name).read_bytes() == draw(), f"{name} is stale: run python -m bot.teams_app.icons"


def test_pip_install_ships_the_template_and_icons() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = project["tool"]["setuptools"]
    assert "bot.teams_app" in setuptools["packages"]
    shipped = setuptools["package-data"]["bot.teams_app"]
    for name in tp.FILES:
        assert any(Path(name).match(pattern) for pattern in shipped), f"{name} is not package data"


# -- the command ---------------------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["teams-package", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_teams_package_writes_a_zip_teams_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], schema: dict[str, Any]
) -> None:
    target = tmp_path / "app.zip"
    code, out, err = run(capsys, "--app-id", APP_ID, "--host", HOST, "--app-version", "2.0.1", "-o", str(target))
    assert code == 0, err
    assert str(target.resolve()) in out
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]  # at the root
        written = json.loads(archive.read("manifest.json"))
        color, outline = archive.read("color.png"), archive.read("outline.png")
    assert schema_errors(schema, written) == []
    assert written["id"] == written["bots"][0]["botId"] == APP_ID
    assert written["version"] == "2.0.1"
    assert HOST in written["validDomains"]
    assert written["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert png_size(color)[:2] == (192, 192)
    assert png_size(outline)[:2] == (32, 32)


def test_the_app_id_comes_from_teams_app_id_and_the_zip_lands_in_the_working_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID.upper())
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys)
    assert code == 0, err
    assert "--host" in err  # told that the placeholder host was used
    with zipfile.ZipFile(tmp_path / "supportbot-teams.zip") as archive:
        written = json.loads(archive.read("manifest.json"))
    assert written["id"] == APP_ID.upper()
    assert re.fullmatch(r"\d+\.\d+\.\d+", written["version"])
    assert "supportbot-teams.zip" in out


def test_the_zip_is_the_same_every_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fixed entry times: no clock is read, and a rebuild of the same inputs is byte-identical."""
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    for target in (first, second):
        assert run(capsys, "--app-id", APP_ID, "--host", HOST, "--app-version", "1.0.0", "-o", str(target))[0] == 0
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(io.BytesIO(first.read_bytes())) as archive:
        assert {info.date_time for info in archive.infolist()} == {tp.ZIP_TIME}


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        ([], None, "no Teams app id: pass --app-id or set TEAMS_APP_ID"),
        ([], "  ", "no Teams app id: pass --app-id or set TEAMS_APP_ID"),
        ([], "my-bot", "TEAMS_APP_ID 'my-bot' is not a GUID"),
        (
            ["--app-id", "3f2504e0-4f89-41d3-9a0c-0305e82c330"],
            APP_ID,
            "--app-id '3f2504e0-4f89-41d3-9a0c-0305e82c330' is not a GUID",
        ),
        (["--app-id", APP_ID, "--host", "http://desk.example.org"], None, "public HTTPS host"),
        (["--app-id", APP_ID, "--app-version", "1.0"], None, "is not MAJOR.MINOR.PATCH"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: str | None,
    message: str,
) -> None:
    if env is None:
        monkeypatch.delenv("TEAMS_APP_ID", raising=False)
    else:
        monkeypatch.setenv("TEAMS_APP_ID", env)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *args)
    assert code == 2
    assert err.startswith("supportbot: error: ")
    assert message in err
    assert out == ""
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_output_exits_2_and_leaves_no_partial_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--app-id", APP_ID, "-o", str(tmp_path / "missing" / "app.zip"))
    assert code == 2
    assert "no such directory" in err
    assert list(tmp_path.iterdir()) == []
