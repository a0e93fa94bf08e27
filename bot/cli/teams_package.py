"""`supportbot teams-package`: the Teams app zip (manifest + icons, app id filled in) for "Upload a custom app".

The template and icons ship inside the package (bot/teams_app/), so `pip install .` users have them.
The manifest declares the bot (personal and team scopes), its text commands, the "New ticket"
message-extension action and the bot's chat as a personal tab; see bot/teams_app/manifest.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import tempfile
import zipfile
from importlib import metadata, resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# The text commands of a 1:1 chat (or an @mention in a channel), as ../shared/PRODUCT.md lists them;
# the manifest's commandLists name exactly these, in this order, for each of COMMAND_SCOPES.
COMMAND_WORDS = ("new", "help", "status", "mine", "who", "rota")
COMMAND_SCOPES = ("personal", "team")
COMPOSE_COMMAND_ID = "newTicket"  # the message-extension action: composeExtension/fetchTask carries this commandId
MANIFEST_VERSION = "1.30"
DEFAULT_OUTPUT = "supportbot-teams.zip"
PLACEHOLDER_HOST = "supportbot.example.com"
FILES = ("manifest.json", "color.png", "outline.png")  # at the root of the zip, as Teams requires
ZIP_TIME = (2026, 1, 1, 0, 0, 0)  # fixed entry times: the same inputs give the same zip

GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
HOST_NAME = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
PLACEHOLDER = re.compile(r"\$\{\{([A-Z_]+)\}\}")


class BadInput(Exception):
    """An app id, host or version that cannot go into the manifest; the message says why."""


def resolve_app_id(value: str | None) -> str:
    """The bot's Azure app (client) id, a GUID: from --app-id, else TEAMS_APP_ID."""
    given = (value if value is not None else os.environ.get("TEAMS_APP_ID", "")).strip()
    if not given:
        raise BadInput(
            "no Teams app id: pass --app-id or set TEAMS_APP_ID to the bot's Azure app (client) id, "
            "a GUID like 00000000-0000-0000-0000-000000000000"
        )
    if not GUID.match(given):
        source = "--app-id" if value is not None else "TEAMS_APP_ID"
        raise BadInput(
            f"{source} {given!r} is not a GUID; it must be the bot's Azure app (client) id, "
            "like 00000000-0000-0000-0000-000000000000"
        )
    return given


def parse_host(value: str | None) -> tuple[str, str]:
    """(host[:port] for URLs, host name for validDomains) from --host: a host name or an https:// URL."""
    text = (value or PLACEHOLDER_HOST).strip()
    if "://" in text:
        parts = urlsplit(text)
        if parts.scheme.lower() != "https":
            raise BadInput(f"--host {text!r}: Teams needs the bot's public HTTPS host (https://...)")
        text = parts.netloc
    name, _, port = text.rstrip("/").partition(":")
    if not HOST_NAME.match(name) or (port and not (port.isdigit() and 0 < int(port) < 65536)) or "@" in text:
        raise BadInput(f"--host {value!r} is not a host name like supportbot.example.org")
    return (f"{name}:{port}" if port else name), name


def resolve_version(value: str | None) -> str:
    """The manifest's version: --app-version, else this package's version. Teams wants it raised on every update."""
    if value is None:
        try:
            value = metadata.version("supportbot")
        except metadata.PackageNotFoundError:
            value = "0.1.0"
    if not SEMVER.match(value):
        raise BadInput(f"app version {value!r} is not MAJOR.MINOR.PATCH like 1.0.3: pass --app-version")
    return value


def template() -> dict[str, Any]:
    """The manifest template as shipped, placeholders (`${{TEAMS_APP_ID}}`...) and all."""
    data = json.loads(resources.files("bot.teams_app").joinpath("manifest.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def render_manifest(app_id: str, host: str | None = None, version: str | None = None) -> dict[str, Any]:
    """The template with every placeholder filled in; the arguments are checked as the CLI checks them."""
    if not GUID.match(app_id):
        raise BadInput(f"app id {app_id!r} is not a GUID")
    netloc, name = parse_host(host)
    values = {"TEAMS_APP_ID": app_id, "HOST": netloc, "HOST_NAME": name, "APP_VERSION": resolve_version(version)}

    def fill(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: fill(item) for key, item in node.items()}
        if isinstance(node, list):
            return [fill(item) for item in node]
        if isinstance(node, str):
            return PLACEHOLDER.sub(lambda m: values[m.group(1)], node)
        return node

    manifest = fill(template())
    assert isinstance(manifest, dict)
    return manifest


def package_bytes(manifest: dict[str, Any]) -> bytes:
    """The zip: manifest.json and the two icons at its root, with fixed entry times."""
    folder = resources.files("bot.teams_app")
    contents = {
        "manifest.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
        "color.png": folder.joinpath("color.png").read_bytes(),
        "outline.png": folder.joinpath("outline.png").read_bytes(),
    }
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in FILES:
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, contents[name])
    return target.getvalue()


def _write(path: Path, data: bytes) -> None:
    """All or nothing: a temporary file beside the target, renamed over it."""
    handle, temporary = tempfile.mkstemp(prefix=".teams-package-", suffix=".zip", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def cmd_teams_package(args: argparse.Namespace) -> int:
    from bot.cli import _fail

    try:
        manifest = render_manifest(resolve_app_id(args.app_id), args.host, args.app_version)
    except BadInput as error:
        return _fail(str(error))
    output = Path(args.output or DEFAULT_OUTPUT)
    if output.is_dir():
        output = output / DEFAULT_OUTPUT
    if not output.parent.is_dir():
        return _fail(f"cannot write {output}: no such directory {output.parent}")
    try:
        _write(output, package_bytes(manifest))
    except OSError as error:
        return _fail(f"cannot write {output}: {error.strerror or error}")
    if args.host is None:
        print(
            f"note: no --host given; the developer links point at https://{PLACEHOLDER_HOST}/. "
            "Pass --host with the bot's public HTTPS host.",
            file=sys.stderr,
        )
    print(
        f"wrote {output.resolve()} (Teams app {manifest['id']}, version {manifest['version']}). "
        'Upload it in Teams: Apps -> Manage your apps -> Upload an app -> "Upload a custom app".'
    )
    return 0


def add_commands(sub: Any) -> None:
    """Add `teams-package` to the top-level parser's sub-parsers."""
    package = sub.add_parser("teams-package", help="write the Teams app zip (manifest + icons) to upload to Teams")
    package.add_argument("--app-id", help="the bot's Azure app (client) id, a GUID (default: $TEAMS_APP_ID)")
    package.add_argument(
        "--host", help=f"the bot's public HTTPS host, as in https://HOST/api/messages (default: {PLACEHOLDER_HOST})"
    )
    package.add_argument(
        "--app-version", help="the app's version, MAJOR.MINOR.PATCH; raise it for each update (default: supportbot's)"
    )
    package.add_argument("-o", "--output", help=f"zip file to write (default: ./{DEFAULT_OUTPUT})")
    package.set_defaults(func=cmd_teams_package)
