"""A member's suggestions are part of their data: shown by mydata, handled by forget-me."""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.app import App
from tests.commands.library.conftest import ids, suggest, suggest_and_approve
from tests.helpers import PLANNER, Run, ok, rows


def test_mydata_includes_the_members_suggestions(
    app: App, run: Run, member_id: Callable[[str], int]
) -> None:
    kept = suggest_and_approve(app, run, "alice", "CONNECT", "Quokka kinship circles")
    waiting = suggest(app, run, "alice", "DEVELOP", "Numbat notes on supervision")
    turned_down = suggest(app, run, "alice", "INFLUENCE", "Wallaby board paper")
    ok(run(PLANNER, f"reject {turned_down} Out of date"))
    suggest(app, run, "bob", "CONNECT", "Bob's own idea")

    reply = ok(run("alice", "mydata"))
    held = json.loads(reply.attachment.content) if reply.attachment else {}
    mine = {s["id"]: s for s in held["suggestions"]}
    assert set(mine) == {kept, waiting, turned_down}
    assert mine[kept]["title"] == "Quokka kinship circles"
    assert mine[kept]["status"] == "approved"
    assert mine[waiting]["link"] == "https://example.net/numbat-notes-on-supervision"
    assert mine[turned_down]["reason"] == "Out of date"
    assert "Bob's own idea" not in reply.attachment.content.decode()
    card = next(i for i in reply.items if i.title == "Resources you suggested")
    assert card.lines == ("3 record(s) — see the attached file.",)

    bob = ok(run("bob", "mydata"))
    assert bob.attachment is not None
    assert [s["title"] for s in json.loads(bob.attachment.content)["suggestions"]] == [
        "Bob's own idea"
    ]
    assert member_id("alice") != member_id("bob")


def test_mydata_without_suggestions_has_no_suggestions_card(run: Run) -> None:
    reply = ok(run("carol", "mydata"))
    assert "Resources you suggested" not in [i.title for i in reply.items]


def test_forget_me_deletes_pending_and_unlinks_approved_suggestions(
    app: App, run: Run, member_id: Callable[[str], int]
) -> None:
    kept = suggest_and_approve(app, run, "alice", "CONNECT", "Quokka kinship circles")
    waiting = suggest(app, run, "alice", "DEVELOP", "Numbat notes on supervision")
    bobs = suggest(app, run, "bob", "CONNECT", "Bob's own idea")
    alice = member_id("alice")

    asked = ok(run("alice", "forget-me"))
    assert [a.command for a in asked.actions] == ["forget-me confirm=yes"]
    assert app.community.library.get(waiting) is not None  # nothing happens until confirmed

    ok(run("alice", "forget-me confirm"))
    assert app.community.library.get(waiting) is None
    entry = app.community.library.get(kept)
    assert entry is not None
    assert (entry.status, entry.suggested_by, entry.title) == (
        "approved",
        None,
        "Quokka kinship circles",
    )
    assert rows(app, "SELECT id FROM resources WHERE suggested_by = ?", [alice]) == []
    # The approved one stays in the library: searchable and in the picks.
    assert ids(ok(run("carol", "resources quokka"))) == [kept]
    assert kept in [e.id for e in app.community.library.for_picks("CONNECT")]
    # Someone else's suggestion is untouched, and the review queue no longer shows alice's.
    other = app.community.library.get(bobs)
    assert other is not None and other.suggested_by == member_id("bob")
    assert ids(ok(run(PLANNER, "review"))) == [bobs]
    # Coming back, alice starts afresh with nothing suggested.
    again = ok(run("alice", "mydata"))
    assert again.attachment is not None
    assert json.loads(again.attachment.content)["suggestions"] == []


def test_after_forget_me_a_new_suggestion_gets_an_unused_id(app: App, run: Run) -> None:
    suggest(app, run, "alice", "DEVELOP", "Numbat notes")
    kept = suggest_and_approve(app, run, "bob", "CONNECT", "Quokka kinship circles")
    ok(run("alice", "forget-me confirm"))
    newer = suggest(app, run, "carol", "INFLUENCE", "Wallaby board paper")
    assert newer != kept
    entry = app.community.library.get(kept)
    assert entry is not None and entry.title == "Quokka kinship circles"
