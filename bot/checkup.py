"""`copbot check`: validate the configuration and content, and say what would run when."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.config import WEEKDAYS, Config
from bot.content.files import load_each
from bot.content.support import stale_routes
from bot.domain.clock import Clock, SystemClock
from bot.domain.objectives import OBJECTIVES
from bot.scheduling.kinds import unlabelled
from bot.storage.db import check_whole
from bot.storage.trouble import explain as explain_db


def checkup(config: Config, clock: Clock | None = None) -> tuple[str, list[str]]:
    """A readable report and the list of problems (empty when all is well).

    Warnings (a support route not checked for a year) are in the report but are not
    problems: the bot still runs, and the planning group is told what to look at."""
    lines = _plan(config)
    loaded, problems = load_each(config.content_dir)
    if "messages.toml" in loaded:
        problems += [
            f"messages.toml: the kind '{name}' has no label (add {name} = \"...\" under [kind])"
            for name in unlabelled(loaded["messages.toml"])
        ]
    lines += _content_counts(loaded)
    problems += database_problems(Path(config.database))
    lines += _warnings(loaded, (clock or SystemClock()).now().astimezone(config.zone))
    return "\n".join(lines), problems


def _warnings(loaded: dict[str, Any], now: datetime) -> list[str]:
    found = stale_routes(loaded["support.toml"], now.date()) if "support.toml" in loaded else []
    return ["Warnings:", *(f"  {warning}" for warning in found)] if found else []


def database_problems(path: Path) -> list[str]:
    """Whether the bot could open and write its database, without creating or changing it.

    An existing file is checked for damage (SQLite's quick check) and for a write lock taken
    and released at once; a new one needs a folder the bot may write in, as SQLite also
    keeps its journal files beside the database.
    """
    folder = path.parent
    if not folder.is_dir():
        return [
            f"copbot cannot use the database {path}: its folder {folder} does not exist; "
            "create the folder or set storage.database to a file in one that does."
        ]
    if not os.access(folder, os.W_OK | os.X_OK):
        return [explain_db(path, sqlite3.OperationalError("unable to open database file"))]
    if not path.exists():
        return []
    if not os.access(path, os.R_OK | os.W_OK):
        error = (
            "attempt to write a readonly database"
            if os.access(path, os.R_OK)
            else "unable to open database file"
        )
        return [explain_db(path, sqlite3.OperationalError(error))]
    try:
        _probe(path)
    except sqlite3.Error as err:
        return [explain_db(path, err)]
    return []


def _probe(path: Path) -> None:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None)
    try:
        check_whole(conn)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def _content_counts(loaded: dict[str, Any]) -> list[str]:
    lines = []
    if "prompts.toml" in loaded:
        prompts = loaded["prompts.toml"]
        per = ", ".join(f"{o} {sum(p.objective == o for p in prompts)}" for o in OBJECTIVES)
        lines.append(f"Reflection prompts: {len(prompts)} ({per})")
    if "resources.toml" in loaded:
        resources = loaded["resources.toml"]
        per = ", ".join(f"{o} {sum(o in r.objectives for r in resources)}" for o in OBJECTIVES)
        lines.append(f"Resources: {len(resources)} ({per})")
    if "support.toml" in loaded:
        lines.append(f"Support routes: {len(loaded['support.toml'].routes)}")
    if "sectors.toml" in loaded:
        lines.append(f"Sectors members may choose: {len(loaded['sectors.toml'].choices)}")
    return lines


def _plan(config: Config) -> list[str]:
    zone = config.timezone
    offsets = ", ".join(_length(o.total_seconds()) for o in config.reminder_offsets)
    quiet = f"{config.quiet_start:%H:%M}–{config.quiet_end:%H:%M}"
    return [
        f"Configuration: {config.source}",
        f"Community: {config.community_name} (time zone {zone})",
        f"Platform: {config.chosen_platform()}",
        f"Database: {config.database}",
        f"Content: {config.content_dir}",
        f"Weekly reflection prompt: {WEEKDAYS[config.prompt_day].title()}s at "
        f"{config.prompt_time:%H:%M} {zone}",
        f"Resource pick: {WEEKDAYS[config.pick_day].title()}s at {config.pick_time:%H:%M} {zone}",
        f"Session reminders: {offsets} before each session",
        f"Quiet hours for direct messages: {quiet}"
        + (" and at weekends" if config.quiet_weekends else ""),
        _web(config),
    ]


def _web(config: Config) -> str:
    web = config.web
    if not web.enabled:
        return "Calendar links and pages: off (set web.port or web.base_url)"
    public = "with" if web.public else "without"
    return (
        f"Calendar links and pages: {web.address} (listening on {web.host}:{web.listen_port}, "
        f"or Slack's port with --http), {public} the public page"
    )


def _length(seconds: float) -> str:
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{int(seconds)} seconds"
