"""The shipped list is loaded on every start and kept up to date by id."""

from __future__ import annotations

from pathlib import Path

from bot.app import App
from bot.config import REPO_CONTENT
from bot.content.resources import load_resources
from bot.domain.clock import FakeClock
from tests.commands.library.conftest import ids
from tests.helpers import NOW, PLANNER, actor, build_app, copy_content, ok, rows

GIBBS = "gibbs-reflective-cycle"


def test_shipped_resources_are_loaded_on_start(tmp_path: Path) -> None:
    shipped = load_resources(REPO_CONTENT / "resources.toml")
    app = build_app(tmp_path)
    try:
        stored = rows(app, "SELECT * FROM resources ORDER BY rowid")
        assert [r["id"] for r in stored] == [r.id for r in shipped]
        for row, res in zip(stored, shipped, strict=True):
            assert row["title"] == res.title
            assert row["summary"] == res.summary
            assert row["objectives"].split(",") == list(res.objectives)
            assert (row["source"], row["status"], row["suggested_by"]) == ("file", "approved", None)
        entry = app.community.library.get(GIBBS)
        assert entry is not None and entry.objectives == ("DEVELOP", "CONNECT")
    finally:
        app.close()


def _retitle(folder: Path, ident: str, old: str, new: str) -> None:
    path = folder / "resources.toml"
    text = path.read_text(encoding="utf-8")
    block_at = text.index(f'id = "{ident}"')
    title_at = text.index(f'title = "{old}"', block_at)
    assert title_at - block_at < 60, "the title line should follow the id line"
    path.write_text(text.replace(f'title = "{old}"', f'title = "{new}"', 1), encoding="utf-8")


def test_reloading_after_a_title_change_updates_the_entry_by_id(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    first = build_app(tmp_path, content_dir=content)
    before = rows(first, "SELECT id, rowid FROM resources ORDER BY rowid")
    assert ids(ok(first.dispatcher.handle_line(actor("alice"), "resources kestrelwise"))) == []
    first.close()

    _retitle(content, GIBBS, "Gibbs' reflective cycle", "The kestrelwise reflective cycle")
    second = build_app(tmp_path, FakeClock(NOW), content_dir=content)
    try:
        assert rows(second, "SELECT id, rowid FROM resources ORDER BY rowid") == before
        entry = second.community.library.get(GIBBS)
        assert entry is not None
        assert entry.title == "The kestrelwise reflective cycle"
        assert entry.status == "approved"
        # The full-text index follows the update: new words find it.
        found = ok(second.dispatcher.handle_line(actor("alice"), "resources kestrelwise"))
        assert ids(found) == [GIBBS]
        assert "The kestrelwise reflective cycle" in found.items[0].title
    finally:
        second.close()


def test_a_retired_shipped_entry_stays_retired_after_reload(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    first = build_app(tmp_path, content_dir=content)
    ok(first.dispatcher.handle_line(actor(PLANNER), f"retire {GIBBS}"))
    first.close()

    # An edit to the file (a new title) must not bring it back.
    _retitle(content, GIBBS, "Gibbs' reflective cycle", "Gibbs' reflective cycle, revised")
    second = build_app(tmp_path, FakeClock(NOW), content_dir=content)
    try:
        entry = second.community.library.get(GIBBS)
        assert entry is not None
        assert entry.status == "retired"
        assert entry.title == "Gibbs' reflective cycle, revised"
        found = second.dispatcher.handle_line(actor("alice"), "resources gibbs")
        assert GIBBS not in ids(found)
        for objective in entry.objectives:
            assert GIBBS not in [e.id for e in second.community.library.for_picks(objective)]
    finally:
        second.close()


def test_reload_leaves_members_suggestions_alone(tmp_path: Path) -> None:
    first = build_app(tmp_path)
    ok(
        first.dispatcher.handle_line(
            actor("alice"), "suggest https://example.net/a CONNECT Otterly calm"
        )
    )
    first.close()
    second = build_app(tmp_path)
    try:
        entry = second.community.library.get("s1")
        assert entry is not None
        assert (entry.title, entry.status, entry.source) == ("Otterly calm", "pending", "member")
    finally:
        second.close()


def test_an_entry_taken_out_of_the_file_leaves_search_and_returns_when_put_back(
    app: App,
) -> None:
    library = app.community.library
    shipped = load_resources(app.config.content_dir / "resources.toml")
    gone, rest = shipped[0], shipped[1:]
    library.load(rest, app.community.clock.now())
    entry = library.get(gone.id)
    assert entry is not None and entry.status == "retired"
    assert gone.id not in {e.id for e in library.search(gone.title, None, 50)}
    library.load(shipped, app.community.clock.now())
    entry = library.get(gone.id)
    assert entry is not None and entry.status == "approved"


def test_suggestion_numbers_are_never_reused_after_an_erasure(app: App) -> None:
    library, now = app.community.library, app.community.clock.now()
    member = app.community.members.register("console", "ann", "ann", "Europe/London", now)
    first = library.suggest("One", "https://a.example", "DEVELOP", member.id, now)
    app.community.privacy.erase(member.id)
    assert library.get(first.id) is None
    other = app.community.members.register("console", "bo", "bo", "Europe/London", now)
    second = library.suggest("Two", "https://b.example", "DEVELOP", other.id, now)
    assert second.id != first.id
