"""supportbot.yml: parsed once at start-up into typed settings; errors name file, line and key."""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass, field
from datetime import date, time
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from rota.calendar import WorkingCalendar
from rota.roster import Rota
from rota.rotation import WEEKDAYS, RotaError, Rotation, SupportLine, parse_handover, parse_rotation_period
from triage.model import Priority, TicketType
from triage.reminders import SlaContext
from triage.sla import Duration, SlaPolicy

log = logging.getLogger(__name__)

KNOWN_KEYS = (
    "ticket_prefix",
    "timezone",
    "working_hours",
    "holidays",
    "channels",
    "leads",
    "rotas",
    "sla",
    "digest",
    "swaps_need_approval",
    "public_url",
    "teams",
)
TEAMS_KEYS = ("service_url", "team", "channels")
DEFAULT_TEAMS_SERVICE_URL = "https://smba.trafficmanager.net/teams/"
ROTA_KEYS = ("members", "rotation", "handover", "start", "timezone", "usergroup")
CLOCKS = ("response", "review", "resolution")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_AAD_OBJECT_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TEAMS_CONVERSATION = re.compile(r"^19:\S+$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_USERGROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
_PUBLIC_URL = re.compile(r"^https?://[^\s/]+(/[^\s]*)?$")
_DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_PREFIX = re.compile(r"^[A-Z][A-Z0-9]{0,9}$")


class ConfigError(Exception):
    """A configuration that cannot work, located precisely enough to fix."""

    def __init__(self, path: Path | str, line: int | None, key: str, message: str) -> None:
        location = f"{path}:{line}" if line else str(path)
        super().__init__(f"{location}: {key}: {message}" if key else f"{location}: {message}")


@dataclass(frozen=True)
class WorkingHours:
    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: time = time(8, 0)
    end: time = time(16, 0)


@dataclass(frozen=True)
class Holidays:
    country: str | None = None
    subdivision: str | None = None
    dates: tuple[date, ...] = ()


@dataclass(frozen=True)
class DigestSchedule:
    """When the leads' digests go out: daily on working days at `time`, weekly on `weekly_on`."""

    time: time = time(9, 0)
    weekly_on: int = 0  # Monday


@dataclass(frozen=True)
class TeamsConfig:
    """The `teams:` section: where proactive messages go, the team the bot is installed in, its channels."""

    service_url: str = DEFAULT_TEAMS_SERVICE_URL
    team: str | None = None
    triage_channel: str | None = None
    digest_channel: str | None = None


def is_slack_user_id(person: str) -> bool:
    """A person named by Slack user id (U.../W...), as opposed to an AAD object id or an email."""
    return bool(_USER_ID.match(person))


@dataclass(frozen=True)
class AppConfig:
    path: Path
    ticket_prefix: str
    timezone: ZoneInfo
    working_hours: WorkingHours
    holidays: Holidays
    triage_channel: str
    digest_channel: str | None
    rota: Rota
    sla_overrides: dict[str, dict[str, dict[str, Duration | None]]] = field(default_factory=dict)
    digest: DigestSchedule = field(default_factory=DigestSchedule)
    usergroups: dict[SupportLine, str] = field(default_factory=dict)  # Slack user group kept = who is on duty
    swaps_need_approval: bool = False  # a lead approves a swap or cover after the other member accepts
    public_url: str | None = None  # where `serve` is reachable, for calendar subscription links
    teams: TeamsConfig | None = None  # the `teams:` section, when there is one

    @cached_property
    def sla_settings(self) -> SlaSettings:
        return SlaSettings(self.path, self.timezone, self.working_hours, self.holidays, self.sla_overrides)

    @property
    def calendar(self) -> WorkingCalendar:
        return self.sla_settings.calendar

    @property
    def sla(self) -> SlaContext:
        return self.sla_settings.sla


@dataclass(frozen=True)
class SlaSettings:
    """The part of the config that SLA deadlines depend on; `sla due` needs nothing else."""

    path: Path | None
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    holidays: Holidays = field(default_factory=Holidays)
    sla_overrides: dict[str, dict[str, dict[str, Duration | None]]] = field(default_factory=dict)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        return build_calendar(self.timezone, self.working_hours, self.holidays)

    @cached_property
    def sla(self) -> SlaContext:
        return SlaContext(policy=SlaPolicy(self.sla_overrides), calendar=self.calendar)

    @property
    def fingerprint(self) -> str:
        return self.sla.policy.fingerprint(f"{self.timezone.key}|{self.working_hours}|{self.holidays}")


def build_calendar(zone: ZoneInfo, hours: WorkingHours, closed: Holidays) -> WorkingCalendar:
    """The working-time calendar: configured days and hours, minus public holidays and closure dates."""
    closed_for_year = None
    if closed.country:
        import holidays as holiday_calendars

        country, subdivision = closed.country, closed.subdivision

        def closed_for_year(year: int) -> list[date]:
            return list(holiday_calendars.country_holidays(country, subdiv=subdivision, years=year).keys())

    return WorkingCalendar.weekdays(
        zone=zone,
        days=hours.days,
        start=hours.start,
        end=hours.end,
        closed_dates=closed.dates,
        closed_for_year=closed_for_year,
    )


class _TextDatesLoader(yaml.SafeLoader):
    """Leaves dates as text, so an impossible one (2026-02-30) is reported with its line and key."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _unquoted_time_hint(value: Any) -> str:
    """YAML 1.1 reads an unquoted 10:00 as the number 600: say so in the user's own terms."""
    return f'; write the time in quotes, e.g. "{value // 60:02d}:{value % 60:02d}"' if isinstance(value, int) else ""


class _Document:
    """The parsed YAML plus the line of every key path, for error messages."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines: dict[tuple[str | int, ...], int] = {}
        loader = _TextDatesLoader(text)
        try:
            node = loader.get_single_node()
            self.data: Any = loader.construct_document(node) if node is not None else {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            raise ConfigError(path, mark.line + 1 if mark else None, "", f"not valid YAML: {error}") from None
        finally:
            loader.dispose()
        if node is not None:
            self._index(node, ())

    def _index(self, node: yaml.Node, path: tuple[str | int, ...]) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self.lines[(*path, str(key.value))] = key.start_mark.line + 1
                self._index(value, (*path, str(key.value)))
                self.lines[(*path, str(key.value))] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._index(item, (*path, i))

    def error(self, path: tuple[str | int, ...], message: str) -> ConfigError:
        line = None
        probe = path
        while probe and line is None:
            line = self.lines.get(probe)
            probe = probe[:-1]
        key = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")
        return ConfigError(self.path, line, key, message)


def _suggest(word: str, options: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _mapping(doc: _Document, value: Any, path: tuple[str | int, ...]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise doc.error(path, f"expected a mapping of keys to values, got {value!r}")
    return value


def _clock_time(doc: _Document, value: Any, path: tuple[str | int, ...]) -> time:
    if isinstance(value, int):
        raise doc.error(path, f"{value} is not a time of day{_unquoted_time_hint(value)}")
    match = re.match(r"^(\d{1,2}):(\d{2})$", str(value).strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise doc.error(path, f'{value!r} is not a time of day like "08:00"')
    return time(int(match[1]), int(match[2]))


def _date(doc: _Document, value: Any, path: tuple[str | int, ...]) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise doc.error(path, f"{value!r} is not a date like 2026-11-02") from None


def _zone(doc: _Document, value: Any, path: tuple[str | int, ...]) -> ZoneInfo:
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise doc.error(path, f"{value!r} is not an IANA time zone such as Europe/London") from None


def _user_ids(doc: _Document, value: Any, path: tuple[str | int, ...]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise doc.error(path, "expected a list of Slack user ids like [U012ABCDEF]")
    people: list[str] = []
    for i, user in enumerate(value):
        if not isinstance(user, str) or not (_USER_ID.match(user) or _AAD_OBJECT_ID.match(user) or _EMAIL.match(user)):
            raise doc.error(
                (*path, i), f"{user!r} is not a Slack user id (U... or W...), an AAD object id (GUID) or an email"
            )
        # AAD object ids and emails compare case-insensitively; Slack ids are kept exactly as written.
        people.append(user if _USER_ID.match(user) else user.lower())
    if len(set(people)) != len(people):
        raise doc.error(path, "lists someone twice")
    return tuple(people)


def _teams(doc: _Document, raw: Any) -> TeamsConfig | None:
    if raw is None:
        return None
    path: tuple[str | int, ...] = ("teams",)
    section = _mapping(doc, raw, path)
    for key in section:
        if key not in TEAMS_KEYS:
            log.warning("%s", doc.error((*path, str(key)), f"unknown key, ignored{_suggest(str(key), TEAMS_KEYS)}"))
    service_url = str(section.get("service_url") or DEFAULT_TEAMS_SERVICE_URL)
    if not _PUBLIC_URL.match(service_url):
        raise doc.error((*path, "service_url"), f"{service_url!r} is not a URL like {DEFAULT_TEAMS_SERVICE_URL}")
    team = section.get("team")
    channels = _mapping(doc, section.get("channels"), (*path, "channels"))
    for name, value in (("team", team), *((f"channels.{n}", channels.get(n)) for n in ("triage", "digest"))):
        if value is not None and not _TEAMS_CONVERSATION.match(str(value)):
            key_path = (*path, *name.split("."))
            raise doc.error(key_path, f"{value!r} is not a Teams conversation id (19:...@thread.tacv2)")
    return TeamsConfig(
        service_url=service_url,
        team=str(team) if team else None,
        triage_channel=str(channels["triage"]) if channels.get("triage") else None,
        digest_channel=str(channels["digest"]) if channels.get("digest") else None,
    )


def _working_hours(doc: _Document, raw: Any) -> WorkingHours:
    path: tuple[str | int, ...] = ("working_hours",)
    section = _mapping(doc, raw, path)
    days = section.get("days", ["mon", "tue", "wed", "thu", "fri"])
    if not isinstance(days, list) or not days:
        raise doc.error((*path, "days"), "expected a list of weekdays like [mon, tue, wed, thu, fri]")
    numbers = []
    for i, day in enumerate(days):
        if str(day).lower()[:3] not in WEEKDAYS:
            raise doc.error((*path, "days", i), f"{day!r} is not a weekday ({', '.join(WEEKDAYS)})")
        numbers.append(WEEKDAYS.index(str(day).lower()[:3]))
    start = _clock_time(doc, section.get("start", "08:00"), (*path, "start"))
    end = _clock_time(doc, section.get("end", "16:00"), (*path, "end"))
    if end <= start:
        raise doc.error((*path, "end"), f"the working day ends ({end:%H:%M}) before it starts ({start:%H:%M})")
    return WorkingHours(days=tuple(sorted(set(numbers))), start=start, end=end)


def _holidays(doc: _Document, raw: Any) -> Holidays:
    import holidays as holiday_calendars

    path: tuple[str | int, ...] = ("holidays",)
    section = _mapping(doc, raw, path)
    country = section.get("country")
    subdivision = section.get("subdivision")
    if country is not None:
        try:
            holiday_calendars.country_holidays(str(country), subdiv=subdivision)
        except NotImplementedError as error:
            raise doc.error(
                (*path, "country"), f"{country!r} is not a country the holidays package knows ({error})"
            ) from None
    dates_raw = section.get("dates") or []
    if not isinstance(dates_raw, list):
        raise doc.error((*path, "dates"), "expected a list of dates like [2026-12-24]")
    dates = tuple(_date(doc, d, (*path, "dates", i)) for i, d in enumerate(dates_raw))
    return Holidays(country=str(country) if country else None, subdivision=subdivision, dates=dates)


def _usergroups(doc: _Document, raw: Any) -> dict[SupportLine, str]:
    """Each line's optional `usergroup`: the Slack user group (S...) that always points at who is on duty."""
    groups: dict[SupportLine, str] = {}
    for name, spec in _mapping(doc, raw, ("rotas",)).items():
        value = spec.get("usergroup") if isinstance(spec, dict) else None
        if value is None:
            continue
        if not _USERGROUP_ID.match(str(value)):
            raise doc.error(("rotas", str(name), "usergroup"), f"{value!r} is not a Slack user group id (S...)")
        groups[SupportLine(name)] = str(value)
    return groups


def _rota(doc: _Document, raw: Any, default_zone: ZoneInfo, leads: tuple[str, ...]) -> Rota:
    path: tuple[str | int, ...] = ("rotas",)
    section = _mapping(doc, raw, path)
    rotations: dict[SupportLine, Rotation] = {}
    for name, spec in section.items():
        line_path = (*path, str(name))
        try:
            line = SupportLine(name)
        except ValueError:
            lines = tuple(str(v) for v in SupportLine)
            raise doc.error(
                line_path, f"unknown support line; use {' or '.join(lines)}{_suggest(str(name), lines)}"
            ) from None
        spec = _mapping(doc, spec, line_path)
        for key in spec:
            if key not in ROTA_KEYS:
                log.warning(
                    "%s", doc.error((*line_path, str(key)), f"unknown key, ignored{_suggest(str(key), ROTA_KEYS)}")
                )
        members = _user_ids(doc, spec.get("members"), (*line_path, "members"))
        if not members:
            raise doc.error((*line_path, "members"), "a rota needs at least one member")
        zone = _zone(doc, spec["timezone"], (*line_path, "timezone")) if "timezone" in spec else default_zone
        try:
            period = parse_rotation_period(spec.get("rotation", "weekly"))
        except RotaError as error:
            raise doc.error((*line_path, "rotation"), str(error)) from None
        raw_handover = spec.get("handover", "mon 09:00" if period % 7 == 0 else "09:00")
        try:
            handover = parse_handover(raw_handover)
        except RotaError as error:
            raise doc.error((*line_path, "handover"), f"{error}{_unquoted_time_hint(raw_handover)}") from None
        if "start" not in spec:
            raise doc.error((*line_path, "start"), "missing: the date the first member's first shift starts")
        start = _date(doc, spec["start"], (*line_path, "start"))
        try:
            rotations[line] = Rotation(line, members, period, handover, start, zone)
        except RotaError as error:
            raise doc.error(line_path, str(error)) from None
    if SupportLine.FIRST not in rotations:
        raise doc.error(path, "missing first_line: new tickets are routed to it")
    return Rota(rotations=rotations, leads=frozenset(leads))


def _sla(doc: _Document, raw: Any) -> dict[str, dict[str, dict[str, Duration | None]]]:
    path: tuple[str | int, ...] = ("sla",)
    section = _mapping(doc, raw, path)
    types = tuple(t.value for t in TicketType)
    out: dict[str, dict[str, dict[str, Duration | None]]] = {}
    for type_name, by_priority in section.items():
        type_path = (*path, str(type_name))
        if type_name not in types:
            raise doc.error(
                type_path, f"unknown ticket type{_suggest(str(type_name), types)}; use one of {', '.join(types)}"
            )
        by_priority = _mapping(doc, by_priority, type_path)
        # A type without priorities may give the clocks directly.
        if set(by_priority) <= set(CLOCKS):
            by_priority = {"any": by_priority}
        for priority, clocks in by_priority.items():
            priority_path = (*type_path, str(priority))
            if priority != "any" and priority not in tuple(p.value for p in Priority):
                raise doc.error(priority_path, "unknown priority; use P1, P2, P3 or P4")
            clocks = _mapping(doc, clocks, priority_path)
            targets: dict[str, Duration | None] = {}
            for clock, value in clocks.items():
                clock_path = (*priority_path, str(clock))
                if clock not in CLOCKS:
                    raise doc.error(
                        clock_path, f"unknown clock{_suggest(str(clock), CLOCKS)}; use response, review or resolution"
                    )
                if value is None or str(value).lower() in ("none", "null", "-"):
                    targets[clock] = None
                    continue
                match = _DURATION.match(str(value))
                if not match or int(match[1]) == 0:
                    raise doc.error(clock_path, f"{value!r} is not a duration like 30m, 4h or 2d (working time)")
                targets[clock] = Duration(int(match[1]), match[2])
            out.setdefault(str(type_name), {})[str(priority)] = targets
    return out


def _digest(doc: _Document, raw: Any) -> DigestSchedule:
    path: tuple[str | int, ...] = ("digest",)
    section = _mapping(doc, raw, path)
    at = _clock_time(doc, section.get("time", "09:00"), (*path, "time"))
    weekly = str(section.get("weekly_on", "mon")).lower()[:3]
    if weekly not in WEEKDAYS:
        raise doc.error((*path, "weekly_on"), f"{section.get('weekly_on')!r} is not a weekday ({', '.join(WEEKDAYS)})")
    return DigestSchedule(time=at, weekly_on=WEEKDAYS.index(weekly))


def _read(path: Path) -> tuple[_Document, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            path, None, "", "no such file; copy supportbot.example.yml and edit it, or set SUPPORTBOT_CONFIG"
        ) from None
    except OSError as error:
        raise ConfigError(path, None, "", f"cannot read it: {error.strerror}") from None
    doc = _Document(path, text)
    return doc, _mapping(doc, doc.data, ())


def load_sla_settings(path: Path | str) -> SlaSettings:
    """Only the time zone, working hours, holidays and SLA targets: enough for `supportbot sla due`."""
    path = Path(path)
    doc, data = _read(path)
    return SlaSettings(
        path=path,
        timezone=_zone(doc, data.get("timezone", "Europe/London"), ("timezone",)),
        working_hours=_working_hours(doc, data.get("working_hours")),
        holidays=_holidays(doc, data.get("holidays")),
        sla_overrides=_sla(doc, data.get("sla")),
    )


def load_config(path: Path | str) -> AppConfig:
    """Read and check supportbot.yml; raises ConfigError naming the file, line and key."""
    path = Path(path)
    doc, data = _read(path)
    for key in data:
        if key not in KNOWN_KEYS:
            log.warning("%s", doc.error((str(key),), f"unknown key, ignored{_suggest(str(key), KNOWN_KEYS)}"))
    prefix = str(data.get("ticket_prefix", "SUP"))
    if not _PREFIX.match(prefix):
        raise doc.error(
            ("ticket_prefix",), f"{prefix!r} should be 1-10 capital letters or digits, starting with a letter"
        )
    zone = _zone(doc, data.get("timezone", "Europe/London"), ("timezone",))
    channels = _mapping(doc, data.get("channels"), ("channels",))
    triage = channels.get("triage")
    teams = _teams(doc, data.get("teams"))
    if not triage and teams is not None and teams.triage_channel:
        triage = ""  # a Teams-only desk: its triage channel is teams.channels.triage
    elif not triage:
        raise doc.error(("channels", "triage"), "missing: the channel id where new tickets are announced")
    for name in ("triage", "digest"):
        value = channels.get(name)
        if value is not None and not _CHANNEL_ID.match(str(value)):
            raise doc.error(("channels", name), f"{value!r} is not a Slack channel id (C..., G...)")
    leads = _user_ids(doc, data.get("leads"), ("leads",))
    approval = data.get("swaps_need_approval", False)
    if not isinstance(approval, bool):
        raise doc.error(("swaps_need_approval",), f"{approval!r} is not true or false")
    public_url = data.get("public_url")
    if public_url is not None and not _PUBLIC_URL.match(str(public_url)):
        raise doc.error(("public_url",), f"{public_url!r} is not a URL like https://supportbot.example.com")
    rota = _rota(doc, data.get("rotas"), zone, leads)
    return AppConfig(
        path=path,
        ticket_prefix=prefix,
        timezone=zone,
        working_hours=_working_hours(doc, data.get("working_hours")),
        holidays=_holidays(doc, data.get("holidays")),
        triage_channel=str(triage),
        digest_channel=str(channels["digest"]) if channels.get("digest") else None,
        rota=rota,
        sla_overrides=_sla(doc, data.get("sla")),
        digest=_digest(doc, data.get("digest")),
        usergroups=_usergroups(doc, data.get("rotas")),
        swaps_need_approval=approval,
        public_url=str(public_url).rstrip("/") if public_url else None,
        teams=teams,
    )
