"""Shared fixtures for the resource library tests: a fresh app per test on a fixed clock.

`run("alice", "resources reflect")` types a line as a console member; "organiser" is the
default planning group on the console, so `run(PLANNER, "approve s1")` acts as a planner.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.config import REPO_CONTENT, Config
from bot.content.resources import Resource
from bot.context import Actor, Reply
from bot.domain.clock import FakeClock

# Wednesday 25 November 2026, 09:00 UTC: GMT, so London and UTC agree; picks go out at 12:30.
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PLANNER = "organiser"

Run = Callable[[str, str], Reply]


def build_app(
    tmp_path: Path, clock: FakeClock | None = None, name: str = "t.db", **config: Any
) -> App:
    return App.build(Config(database=tmp_path / name, **config), clock or FakeClock(NOW))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> Iterator[App]:
    built = build_app(tmp_path, clock)
    yield built
    built.close()


def actor(name: str) -> Actor:
    return Actor("console", name, name)


def runner(app: App) -> Run:
    """Type a line as a console user: `run("alice", "suggest https://... CONNECT Title")`."""

    def run_line(name: str, line: str) -> Reply:
        return app.dispatcher.handle_line(actor(name), line)

    return run_line


@pytest.fixture
def run(app: App) -> Run:
    return runner(app)


@pytest.fixture
def member_id(app: App) -> Callable[[str], int]:
    """The stored member id for a console name (registering them if new)."""

    def find(name: str) -> int:
        return app.community.register(actor(name)).id

    return find


def ok(reply: Reply) -> Reply:
    """Assert a reply is not an error, showing its text if it is."""
    assert not reply.error, reply.text
    return reply


def ids(reply: Reply) -> list[str]:
    """The resource ids of the cards in a reply, in order."""
    return [item.key.removeprefix("resource:") for item in reply.items]


def rows(app: App, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    return app.community.db.execute_returning_dicts(sql, params or [])


def snapshot(app: App) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to show that a command changed nothing."""
    db = app.community.db
    names = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    ]
    return {n: sorted(db.execute(f"SELECT * FROM [{n}]").fetchall(), key=repr) for n in names}


def add_resources(app: App, *resources: Resource) -> None:
    """Load extra file-style entries into the library, as if they had shipped beside the rest."""
    library = app.community.library
    new = {r.id for r in resources}
    rows = library.db.execute_returning_dicts("SELECT * FROM resources WHERE source = 'file'")
    kept = [
        Resource(
            r["id"],
            r["title"],
            tuple(r["objectives"].split(",")),
            r["summary"],
            r["kind"],
            r["audience"],
            r["link"],
        )
        for r in rows
        if r["id"] not in new
    ]
    library.load(kept + list(resources), app.community.clock.now())


def resource(
    ident: str,
    title: str,
    summary: str = "",
    objectives: tuple[str, ...] = ("DEVELOP",),
    audience: str = "",
) -> Resource:
    return Resource(ident, title, objectives, summary, "document", audience, "")


def copy_content(tmp_path: Path) -> Path:
    """A private copy of the shipped content folder, safe to edit in a test."""
    folder = tmp_path / "content"
    shutil.copytree(REPO_CONTENT, folder)
    return folder


def suggest(app: App, run: Run, who: str, objective: str, title: str, link: str = "") -> str:
    """A member suggests a resource; returns the new entry's id."""
    link = link or "https://example.net/" + "-".join(title.lower().split())
    ok(run(who, f"suggest {link} {objective} {title}"))
    newest = rows(app, "SELECT id FROM resources WHERE source = 'member' ORDER BY rowid DESC")
    return str(newest[0]["id"])


def suggest_and_approve(app: App, run: Run, who: str, objective: str, title: str) -> str:
    """A member suggests, the planning group approves; returns the new entry's id."""
    entry_id = suggest(app, run, who, objective, title)
    ok(run(PLANNER, f"approve {entry_id}"))
    return entry_id


# A small library, so a year of picks goes round each objective's rota several times.
SMALL_LIBRARY = {
    "d1": ("DEVELOP",),
    "d2": ("DEVELOP",),
    "c1": ("CONNECT",),
    "c2": ("CONNECT",),
    "ci": ("CONNECT", "INFLUENCE"),
    "i1": ("INFLUENCE",),
    "i2": ("INFLUENCE",),
    "i3": ("INFLUENCE",),
}
SMALL_PROMPTS = {"p901": "DEVELOP", "p902": "CONNECT", "p903": "CONNECT", "p904": "INFLUENCE"}


def small_content(tmp_path: Path) -> Path:
    """A content folder with the shipped words and support, but a small library and prompts."""
    folder = copy_content(tmp_path)
    entries = [
        f'[[resource]]\nid = "{ident}"\ntitle = "Small resource {ident}"\n'
        f"objectives = {list(objectives)!r}\n".replace("'", '"')
        + f'summary = "A short summary of {ident}."\nkind = "tool"\n'
        f'audience = "everyone"\nlink = "https://example.org/{ident}"\n'
        for ident, objectives in SMALL_LIBRARY.items()
    ]
    (folder / "resources.toml").write_text("\n".join(entries), encoding="utf-8")
    prompts = [
        f'[[prompt]]\nid = "{ident}"\nobjective = "{objective}"\ntheme = "practice"\n'
        f'text = "What did you notice this week about {ident}?"\n'
        for ident, objective in SMALL_PROMPTS.items()
    ]
    (folder / "prompts.toml").write_text("\n".join(prompts), encoding="utf-8")
    return folder


@pytest.fixture
def small_app(tmp_path: Path, clock: FakeClock) -> Iterator[App]:
    built = build_app(tmp_path, clock, "small.db", content_dir=small_content(tmp_path))
    yield built
    built.close()
