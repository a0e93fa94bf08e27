"""manifest.yml: valid for Slack, and declaring exactly what the code uses (no more, no less)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "manifest.yml"
HANDLERS = REPO / "handlers" / "slack"  # the Slack adapter: every listener lives here
SERVER = HANDLERS / "app.py"  # where the Slack endpoint is mounted
DEFAULT_SCHEMA = REPO.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"

# chat:write covers chat.postMessage/chat.update to channels the bot is in and DMs to user ids;
# commands registers /support. views.open/push/publish and response_url replies need no scope.
# usergroups:write/read: the rota's user-group sync (usergroups.users.update at each handover).
EXPECTED_BOT_SCOPES = {"commands", "chat:write", "usergroups:write", "usergroups:read"}
EVENT_NAME = re.compile(r"""\bapp\.event\(\s*["']([^"']+)["']""")

# Listener registrations that make Slack send events (and so need settings.event_subscriptions).
EVENT_LISTENER = re.compile(r"\bapp\.(event|message)\(")
COMMAND_LISTENER = re.compile(r"""\bapp\.command\(\s*["']([^"']+)["']""")


class UniqueKeyLoader(yaml.SafeLoader):
    """A duplicated key would silently win in PyYAML; in a manifest it is always a mistake."""


def _no_duplicate_keys(loader: UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicate_keys)


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data = yaml.load(MANIFEST.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)
    assert isinstance(data, dict), "manifest.yml must be a YAML mapping"
    return data


def schema_path() -> Path:
    override = os.environ.get("SLACK_MANIFEST_SCHEMA")
    return Path(override) if override else DEFAULT_SCHEMA


def handler_sources() -> dict[str, str]:
    files = sorted(HANDLERS.glob("*.py"))
    assert files, f"no handler modules found under {HANDLERS}"
    return {path.name: path.read_text(encoding="utf-8") for path in files}


def served_path() -> str:
    """The path bot/server.py hands to Bolt's request handler."""
    match = re.search(r"""SlackRequestHandler\([^)]*path\s*=\s*["']([^"']+)["']""", SERVER.read_text(encoding="utf-8"))
    assert match, f"could not find SlackRequestHandler(..., path=...) in {SERVER}"
    return match.group(1)


def request_urls(manifest: dict[str, Any]) -> dict[str, str]:
    urls = {f"slash command {c.get('command')}": c.get("url") for c in manifest["features"].get("slash_commands", [])}
    urls["interactivity"] = manifest["settings"]["interactivity"].get("request_url")
    events = manifest["settings"].get("event_subscriptions")
    if events:
        urls["event_subscriptions"] = events.get("request_url")
    return urls


# -- Slack's schema -----------------------------------------------------------------------


def test_manifest_is_valid_against_slacks_schema(manifest: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    path = schema_path()
    if not path.is_file():
        pytest.skip(f"Slack manifest schema not found at {path} (set SLACK_MANIFEST_SCHEMA to its location)")
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)

    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    report = "\n".join(f"  {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors)
    print(report)
    assert not errors, f"manifest.yml does not match {path}:\n{report}"

    # The validator really is checking: a broken copy must be rejected.
    broken = json.loads(json.dumps(manifest))
    broken["display_information"]["description"] = "x" * 141
    assert list(validator.iter_errors(broken)), "schema accepted a 141-character description; is it the right file?"


def test_background_color_is_a_hex_colour(manifest: dict[str, Any]) -> None:
    # The schema spells this constraint "regex", which JSON Schema ignores, so check it here.
    colour = manifest["display_information"].get("background_color", "")
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", colour), f"bad background_color {colour!r}"


def test_metadata_and_identity(manifest: dict[str, Any]) -> None:
    assert manifest["_metadata"] == {"major_version": 1, "minor_version": 1}
    assert manifest["display_information"]["name"] == "supportbot"
    assert manifest["features"]["bot_user"] == {"display_name": "supportbot", "always_online": True}


# -- the manifest declares exactly what the code uses ------------------------------------


def test_slash_commands_match_the_registered_listeners(manifest: dict[str, Any]) -> None:
    registered = {cmd for source in handler_sources().values() for cmd in COMMAND_LISTENER.findall(source)}
    assert "/support" in COMMAND_LISTENER.findall((HANDLERS / "commands.py").read_text(encoding="utf-8")), (
        'handlers/slack/commands.py no longer registers app.command("/support")'
    )
    declared = [c["command"] for c in manifest["features"].get("slash_commands", [])]
    assert len(declared) == len(set(declared)), f"slash command declared twice: {declared}"
    assert set(declared) == {"/support"}
    assert set(declared) == registered, f"manifest declares {sorted(declared)}, handlers register {sorted(registered)}"


def test_bot_scopes_are_exactly_what_the_code_needs(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]
    bot = scopes.get("bot", [])
    assert len(bot) == len(set(bot)), f"bot scope listed twice: {bot}"
    assert set(bot) == EXPECTED_BOT_SCOPES
    assert set(scopes) == {"bot"}, f"unexpected scope lists (user tokens are not used): {sorted(set(scopes) - {'bot'})}"


def test_interactivity_is_enabled_and_urls_reach_the_served_path(manifest: dict[str, Any]) -> None:
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    path = served_path()
    assert path == "/slack/events"
    urls = request_urls(manifest)
    wrong = {where: url for where, url in urls.items() if not (isinstance(url, str) and url.endswith(path))}
    assert not wrong, f"request URLs must end with {path} (the path bot/server.py serves): {wrong}"
    not_https = {where: url for where, url in urls.items() if not url.startswith("https://")}
    assert not not_https, f"Slack requires HTTPS request URLs: {not_https}"
    hosts = {url.split("/")[2] for url in urls.values()}
    assert len(hosts) == 1, f"request URLs point at different hosts: {urls}"


def test_event_subscriptions_only_when_a_handler_listens_for_events(manifest: dict[str, Any]) -> None:
    listeners = sorted(name for name, source in handler_sources().items() if EVENT_LISTENER.search(source))
    subscriptions = manifest["settings"].get("event_subscriptions")
    if listeners:
        assert subscriptions and subscriptions.get("bot_events"), (
            f"{listeners} register app.event()/app.message() listeners: declare settings.event_subscriptions "
            "(request_url .../slack/events and bot_events) and any scopes those events need"
        )
    else:
        assert subscriptions is None, "no handler uses app.event()/app.message(): remove settings.event_subscriptions"
    registered = {name for source in handler_sources().values() for name in EVENT_NAME.findall(source)}
    declared = (subscriptions or {}).get("bot_events", [])
    assert len(declared) == len(set(declared)), f"bot event declared twice: {declared}"
    assert set(declared) == registered, (
        f"manifest declares {sorted(declared)}, handlers listen for {sorted(registered)}"
    )


def test_usergroup_scopes_because_the_rota_syncs_user_groups() -> None:
    sources = "".join(p.read_text(encoding="utf-8") for p in HANDLERS.glob("*.py"))  # the Slack sender
    assert "usergroups_users_update" in sources or "usergroups.users.update" in sources, (
        "nothing calls usergroups.users.update any more: drop usergroups:write/read from the manifest and here"
    )


def test_messages_tab_shows_dms_and_takes_replies_only_if_something_reads_them(manifest: dict[str, Any]) -> None:
    # Cards, reminders and error notices are posted with chat.postMessage(channel=<user id>),
    # which delivers into the app's Messages tab: it must be shown. Replies typed there would be
    # dropped unless a handler reads DMs, so the tab stays read-only until one does.
    app_home = manifest["features"]["app_home"]
    assert app_home["messages_tab_enabled"] is True
    handlers_source = "".join(p.read_text() for p in HANDLERS.glob("*.py"))
    reads_dms = "app.message(" in handlers_source or 'app.event("message")' in handlers_source
    assert app_home["messages_tab_read_only_enabled"] is (not reads_dms)
    renders_home = bool(re.search(r"""app\.event\(\s*["']app_home_opened["']""", handlers_source))
    assert "views_publish" in handlers_source or not renders_home
    assert app_home.get("home_tab_enabled", False) is renders_home, "home_tab_enabled iff app_home_opened is handled"


def test_settings_flags(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    assert settings["org_deploy_enabled"] is False
    assert settings["socket_mode_enabled"] is False, "HTTP mode by default; Socket Mode is an operator's choice"
    assert settings["token_rotation_enabled"] is False
