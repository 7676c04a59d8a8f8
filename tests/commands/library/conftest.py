"""The resource library's own helpers: resources to add, members suggesting them, and a
small library so a year of picks goes round each objective's rota several times.

The app, clock and console `run` are the suite's (`tests/conftest.py`, `tests/helpers.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.app import App
from bot.content.resources import Resource
from bot.domain.clock import FakeClock
from bot.domain.context import Reply
from tests.helpers import PLANNER, Run, actor, build_app, copy_content, ok, rows


@pytest.fixture
def member_id(app: App) -> Callable[[str], int]:
    """The stored member id for a console name (registering them if new)."""

    def find(name: str) -> int:
        return app.community.register(actor(name)).id

    return find


def ids(reply: Reply) -> list[str]:
    """The resource ids of the cards in a reply, in order."""
    return [item.key.removeprefix("resource:") for item in reply.items]


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
