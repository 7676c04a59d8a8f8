"""The bot's configuration: one frozen object, read from TOML, secrets from the environment.

A missing file means built-in defaults, so `make run` works on a fresh clone. Every problem
names the file, the key, what was found and what was expected, and all are reported at once.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.errors import ConfigError

DEFAULT_CONFIG = "config.toml"
REPO_CONTENT = Path(__file__).resolve().parent.parent / "content"
SECRET_ENV = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN")
PLATFORMS = ("auto", "console", "slack", "discord")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SECRET_KEY = re.compile(r"token|secret|password", re.IGNORECASE)
_SECRET_VALUE = re.compile(r"^(xox[abpr]-|xapp-)|^[MN][A-Za-z0-9_-]{23,}\.")
_OFFSET = re.compile(r"^(\d+)\s*([mhdw])$")
DEFAULT_WEB_PORT = 8080
_BASE_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~/-]*)?$")


@dataclass(frozen=True)
class Secrets:
    """Tokens, only ever from the environment."""

    # Never shown in a repr, so a config printed while debugging cannot leak them.
    slack_bot_token: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    discord_token: str = field(default="", repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Secrets:
        return cls(*(env.get(name, "").strip() for name in SECRET_ENV))


@dataclass(frozen=True)
class PlanningGroup:
    console_users: tuple[str, ...] = ("organiser",)
    slack_users: tuple[str, ...] = ()
    slack_usergroup: str = ""
    discord_role: str = ""

    def includes(self, platform: str, user_id: str, roles: frozenset[str]) -> bool:
        """Whether someone is in the planning group, in their platform's own terms: a named
        console user, a Slack user or usergroup member (the front end adds the role
        "planning-group"), or a holder of the Discord role."""
        if platform == "console":
            return user_id in self.console_users
        if platform == "slack":
            return user_id in self.slack_users or "planning-group" in roles
        if platform == "discord":
            return bool(self.discord_role) and self.discord_role in roles
        return False


@dataclass(frozen=True)
class WebConfig:
    """The calendar feeds and the "what's on" page: off unless a port or an address is set."""

    port: int = 0
    host: str = "127.0.0.1"
    base_url: str = ""
    public: bool = False
    behind_proxy: bool = False
    requests_per_minute: int = 60

    @property
    def enabled(self) -> bool:
        return bool(self.port or self.base_url)

    @property
    def listen_port(self) -> int:
        return self.port or DEFAULT_WEB_PORT

    @property
    def address(self) -> str:
        """Where people reach it: the configured address, else this machine's port."""
        return self.base_url or f"http://localhost:{self.listen_port}"


@dataclass(frozen=True)
class ConnectConfig:
    """When CONNECT rounds pair the members who asked, and how long a pair is remembered."""

    every_weeks: int = 2
    day: int = 3  # Thursday
    at: time = time(10, 0)
    remember_rounds: int = 6


@dataclass(frozen=True)
class Config:
    """Everything the bot needs to know, with defaults that suit a first try on the console."""

    source: str = "built-in defaults"
    community_name: str = "Compassionate Leeds Community of Practice"
    timezone: str = "Europe/London"
    database: Path = Path("copbot.db")
    platform: str = "auto"
    announce_channel: str = "cop-announcements"
    planning_group: PlanningGroup = field(default_factory=PlanningGroup)
    reminder_offsets: tuple[timedelta, ...] = (
        timedelta(days=7),
        timedelta(days=1),
        timedelta(hours=1),
    )
    grace: timedelta = timedelta(hours=2)
    quiet_start: time = time(18, 0)
    quiet_end: time = time(8, 0)
    quiet_weekends: bool = True
    prompt_day: int = 0
    prompt_time: time = time(9, 30)
    pick_day: int = 2
    pick_time: time = time(12, 30)
    content_dir: Path = REPO_CONTENT
    slack_api_url: str = "https://slack.com/api/"
    discord_guild_id: str = ""
    discord_application_id: str = ""
    discord_events: bool = True
    discord_event_channel: str = ""
    discord_sync_globally: bool = False
    web: WebConfig = field(default_factory=WebConfig)
    # How long finished deliveries stay in the ledger (None: for ever); see README.
    keep_deliveries: timedelta | None = timedelta(days=180)
    connect: ConnectConfig = field(default_factory=ConnectConfig)
    secrets: Secrets = field(default_factory=Secrets)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def chosen_platform(self) -> str:
        """The platform to run: the configured one, or the one whose token is set."""
        if self.platform != "auto":
            return self.platform
        if self.secrets.slack_bot_token:
            return "slack"
        if self.secrets.discord_token:
            return "discord"
        return "console"


def load_config(
    path: Path, env: Mapping[str, str] | None = None, *, must_exist: bool = False
) -> Config:
    """Read `path` and the secrets in `env`.

    A missing file means built-in defaults, unless it was named on purpose (`must_exist`):
    then the operator meant a file that is not there, and running on defaults would hide it.
    """
    env = os.environ if env is None else env
    secrets = Secrets.from_env(env)
    if not path.exists():
        if must_exist:
            raise ConfigError([f"{path}: there is no such file; check the name given to --config"])
        return Config(secrets=secrets)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML ({exc})"]) from exc
    reader = _Reader(path, raw)
    config = reader.build(secrets)
    reader.unknown_keys()
    if reader.problems:
        raise ConfigError(reader.problems)
    return config


class _Reader:
    """Walks the TOML tables, converting each key and collecting every problem on the way."""

    def __init__(self, path: Path, raw: dict[str, Any]) -> None:
        self.path = path
        self.raw = raw
        self.problems: list[str] = []
        self.asked: set[str] = set()
        self.secrets_found: set[str] = set()
        self._find_secrets(raw, "")

    def _find_secrets(self, table: Mapping[str, Any], prefix: str) -> None:
        for key, value in table.items():
            name = f"{prefix}{key}"
            if isinstance(value, Mapping):
                self._find_secrets(value, f"{name}.")
            elif _SECRET_KEY.search(key) or (
                isinstance(value, str) and _SECRET_VALUE.search(value)
            ):
                self.secrets_found.add(name)
                self._problem(name, "a secret", "no secrets here: set it in the environment")

    def _problem(self, key: str, found: object, expected: str) -> None:
        self.problems.append(f"{self.path}: key '{key}': found {found!r}, expected {expected}")

    def get(self, dotted: str, default: Any, kind: type | tuple[type, ...]) -> Any:
        self.asked.add(dotted)
        table: Any = self.raw
        *parents, last = dotted.split(".")
        for part in parents:
            table = table.get(part, {}) if isinstance(table, Mapping) else {}
        if not isinstance(table, Mapping) or last not in table:
            return default
        value = table[last]
        if not isinstance(value, kind) or isinstance(value, bool) != (kind is bool):
            self._problem(dotted, value, f"a {_kind_name(kind)}")
            return default
        return value

    def zone(self, dotted: str, default: str) -> str:
        name = self.get(dotted, default, str)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self._problem(dotted, name, "a time zone name such as 'Europe/London'")
            return default
        return str(name)

    def clock(self, dotted: str, default: time) -> time:
        text = self.get(dotted, default.strftime("%H:%M"), str)
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            self._problem(dotted, text, "a 24-hour time such as '09:30'")
            return default
        return time(int(match[1]), int(match[2]))

    def weekday(self, dotted: str, default: int) -> int:
        text = self.get(dotted, WEEKDAYS[default], str).lower()
        if text not in WEEKDAYS:
            self._problem(dotted, text, "a day of the week such as 'monday'")
            return default
        return WEEKDAYS.index(text)

    def offset(self, dotted: str, text: str) -> timedelta | None:
        match = _OFFSET.match(text.strip().lower())
        if not match or int(match[1]) == 0:
            self._problem(dotted, text, "a positive length such as '30m', '1h', '1d' or '1w'")
            return None
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[match[2]]
        return timedelta(**{unit: int(match[1])})

    def offsets(self, dotted: str, default: tuple[timedelta, ...]) -> tuple[timedelta, ...]:
        items = self.get(dotted, None, list)
        if items is None:
            return default
        found = [self.offset(dotted, str(item)) for item in items]
        return tuple(sorted((o for o in found if o), reverse=True))

    def choice(self, dotted: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.get(dotted, default, str)
        if value not in choices:
            self._problem(dotted, value, "one of " + ", ".join(choices))
            return default
        return str(value)

    def strings(self, dotted: str, default: tuple[str, ...]) -> tuple[str, ...]:
        items = self.get(dotted, list(default), list)
        if not all(isinstance(item, str) for item in items):
            self._problem(dotted, items, "a list of strings")
            return default
        return tuple(items)

    def web(self) -> WebConfig:
        """The [web] table: a real port, an http(s) address with no query, a sane rate."""
        d = WebConfig()
        port = self.get("web.port", 0, int)
        if not 0 <= port <= 65535:
            self._problem("web.port", port, "a port number from 1 to 65535 (or leave it unset)")
            port = 0
        base_url = self.get("web.base_url", "", str).strip()
        if base_url and not _BASE_URL.match(base_url):
            self._problem(
                "web.base_url", base_url, "an address such as 'https://calendar.example.org'"
            )
            base_url = ""
        rate = self.get("web.requests_per_minute", d.requests_per_minute, int)
        if not 1 <= rate <= 100_000:
            self._problem("web.requests_per_minute", rate, "a whole number from 1 to 100000")
            rate = d.requests_per_minute
        return WebConfig(
            port=port,
            host=self.get("web.host", d.host, str),
            base_url=base_url.rstrip("/"),
            public=self.get("web.public", False, bool),
            behind_proxy=self.get("web.behind_proxy", False, bool),
            requests_per_minute=rate,
        )

    def connect(self) -> ConnectConfig:
        """The [connect] table: how often rounds come, when, and how long pairs are kept apart."""
        d = ConnectConfig()
        return ConnectConfig(
            every_weeks=self.whole("connect.every_weeks", d.every_weeks, 1, 12),
            day=self.weekday("connect.day", d.day),
            at=self.clock("connect.time", d.at),
            remember_rounds=self.whole("connect.remember_rounds", d.remember_rounds, 1, 52),
        )

    def retention(self, dotted: str, default: timedelta | None) -> timedelta | None:
        """A length of at least a day, such as "180d" or "26w", or "forever"."""
        text = self.get(dotted, None, str)
        if text is None:
            return default
        if text.strip().lower() == "forever":
            return None
        match = _OFFSET.match(text.strip().lower())
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[match[2]] if match else ""
        kept = timedelta(**{unit: int(match[1])}) if match else timedelta(0)
        if kept < timedelta(days=1):
            self._problem(dotted, text, "at least a day, such as '180d' or '26w', or 'forever'")
            return default
        return kept

    def whole(self, dotted: str, default: int, low: int, high: int) -> int:
        value = self.get(dotted, default, int)
        if not low <= value <= high:
            self._problem(dotted, value, f"a whole number from {low} to {high}")
            return default
        return int(value)

    def name(self, dotted: str, default: str) -> str:
        value = str(self.get(dotted, default, str))
        if not value.strip():
            self._problem(
                dotted,
                value,
                "the community's name, such as 'Compassionate Leeds Community of Practice'",
            )
            return default
        return value.strip()

    def unknown_keys(self) -> None:
        """Name every section and key the bot does not read, with the likeliest meant one.

        The known keys are exactly those `build` asked for, so a key added there is known
        here without a second list to keep in step.
        """
        sections = {dotted.split(".")[0] for dotted in self.asked}
        for section, table in self.raw.items():
            if section in self.secrets_found:
                continue
            if section not in sections:
                kind = "section" if isinstance(table, Mapping) else "key"
                hint = _did_you_mean(section, sections)
                self.problems.append(f"{self.path}: unknown {kind} '{section}'{hint}")
            elif isinstance(table, Mapping):
                self._unknown_in(table, section)

    def _unknown_in(self, table: Mapping[str, Any], prefix: str) -> None:
        siblings = {d for d in self.asked if d.startswith(f"{prefix}.")}
        for key, value in table.items():
            dotted = f"{prefix}.{key}"
            if dotted in self.secrets_found:
                continue
            if any(d == dotted or d.startswith(f"{dotted}.") for d in siblings):
                if isinstance(value, Mapping) and dotted not in self.asked:
                    self._unknown_in(value, dotted)
                continue
            self.problems.append(
                f"{self.path}: unknown key '{dotted}'{_did_you_mean(dotted, siblings)}"
            )

    def build(self, secrets: Secrets) -> Config:
        d = Config()
        base = self.path.parent
        single_offset = self.offset("reminders.grace", self.get("reminders.grace", "2h", str))
        return Config(
            source=str(self.path),
            community_name=self.name("community.name", d.community_name),
            timezone=self.zone("community.timezone", d.timezone),
            database=base / self.get("storage.database", str(d.database), str),
            platform=self.choice("platform.kind", d.platform, PLATFORMS),
            announce_channel=self.get("platform.announce_channel", d.announce_channel, str),
            planning_group=PlanningGroup(
                console_users=self.strings("planning_group.console_users", ("organiser",)),
                slack_users=self.strings("planning_group.slack_users", ()),
                slack_usergroup=self.get("planning_group.slack_usergroup", "", str),
                discord_role=self.get("planning_group.discord_role", "", str),
            ),
            reminder_offsets=self.offsets("reminders.offsets", d.reminder_offsets),
            grace=single_offset or d.grace,
            quiet_start=self.clock("quiet_hours.start", d.quiet_start),
            quiet_end=self.clock("quiet_hours.end", d.quiet_end),
            quiet_weekends=self.get("quiet_hours.weekends", d.quiet_weekends, bool),
            prompt_day=self.weekday("schedule.prompt_day", d.prompt_day),
            prompt_time=self.clock("schedule.prompt_time", d.prompt_time),
            pick_day=self.weekday("schedule.pick_day", d.pick_day),
            pick_time=self.clock("schedule.pick_time", d.pick_time),
            content_dir=base / self.get("content.dir", str(d.content_dir), str),
            slack_api_url=self.get("slack.api_url", d.slack_api_url, str),
            discord_guild_id=self.get("discord.guild_id", "", str),
            discord_application_id=self.get("discord.application_id", "", str),
            discord_events=self.get("discord.scheduled_events", True, bool),
            discord_event_channel=self.get("discord.event_channel", "", str),
            discord_sync_globally=self.get("discord.sync_globally", False, bool),
            web=self.web(),
            keep_deliveries=self.retention("storage.keep_deliveries", d.keep_deliveries),
            connect=self.connect(),
            secrets=secrets,
        )


def _did_you_mean(found: str, known: set[str]) -> str:
    close = difflib.get_close_matches(found, sorted(known), n=1, cutoff=0.6)
    if not close:
        return ""
    return f"; did you mean '{close[0]}'?"


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "string", int: "whole number", bool: "true or false", list: "list"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)
