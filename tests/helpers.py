"""Helpers shared by tests of every layer: an app on a fixed clock, typing lines as a console
member, pressing a reply's buttons, and reading the database back.

The fixtures built on them (`clock`, `app`, `run`, `member`, `scratch`) are in
`tests/conftest.py`; a folder that needs something different overrides one there.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import time_machine

from bot.app import App
from bot.community import Community
from bot.config import REPO_CONTENT, Config
from bot.domain.clock import FakeClock
from bot.domain.context import Actor, Reply

# Wednesday 25 November 2026, 09:00 UTC: GMT, so London and UTC agree; picks go out at 12:30.
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PLANNER = "organiser"  # the console's default planning group

Run = Callable[[str, str], Reply]


def build_app(
    tmp_path: Path, clock: FakeClock | None = None, name: str = "t.db", **config: Any
) -> App:
    return App.build(Config(database=tmp_path / name, **config), clock or FakeClock(NOW))


def actor(name: str) -> Actor:
    return Actor("console", name, name)


def runner(app: App) -> Run:
    """Type a line as a console user: `run("alice", "signup 1")`."""

    def run_line(name: str, line: str) -> Reply:
        return app.dispatcher.handle_line(actor(name), line)

    return run_line


def ok(reply: Reply) -> Reply:
    """Assert a reply is not an error, showing its text if it is."""
    assert not reply.error, reply.text
    return reply


def press(reply: Reply, command: str) -> str:
    """The command of the reply's button that runs `command` (as a click would send it)."""
    [found] = [a.command for a in reply.actions if a.command.split()[0] == command]
    return found


def scheduled(run: Run, line: str, who: str = PLANNER) -> Reply:
    """Type `schedule ...`, see its preview, and press "Schedule it"."""
    preview = ok(run(who, f"schedule {line}"))
    return ok(run(who, press(preview, "schedule-confirm")))


def schedule(run: Run, line: str) -> int:
    """Schedule as the planner and return the new session's id (the first of a series)."""
    reply = scheduled(run, line)
    return int(reply.items[0].key.removeprefix("session:"))


def rows(app: App, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    return app.community.db.execute_returning_dicts(sql, params or [])


def tables(conn: sqlite3.Connection | Any) -> list[str]:
    found = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    ).fetchall()
    return [row[0] for row in found]


def snapshot(app: App) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to show a command changed nothing."""
    db = app.community.db
    return {
        name: sorted(db.execute(f"SELECT * FROM [{name}]").fetchall(), key=repr)
        for name in tables(db)
    }


def statuses(app: App, session_id: int) -> dict[str, str]:
    """Display name -> signup status for a session."""
    found = rows(
        app,
        "SELECT m.display_name AS name, s.status FROM signups s"
        " JOIN members m ON m.id = s.member_id WHERE s.session_id = ?",
        [session_id],
    )
    return {row["name"]: row["status"] for row in found}


def copy_content(tmp_path: Path) -> Path:
    """A private copy of the shipped content folder, safe to edit in a test."""
    folder = tmp_path / "content"
    shutil.copytree(REPO_CONTENT, folder)
    return folder


def met_the_welcome(community: Community, platform: str, user_id: str) -> None:
    """Register a member who has already seen the welcome notice, so a test about something
    else reads the answer to its command without the notice a first contact carries."""
    member = community.register(Actor(platform, user_id, user_id))
    members = community.members
    members.save_preferences(member.id, replace(members.preferences(member.id), welcomed=True))


def wall_clock_now() -> datetime:
    """The machine's real time, even while the suite runs with its clock moved ahead
    (COPBOT_TEST_SHIFT_DAYS): what a child process started by a test will read as now."""
    if time_machine.escape_hatch.is_travelling():
        return time_machine.escape_hatch.datetime.datetime.now(UTC)
    return datetime.now(UTC)
