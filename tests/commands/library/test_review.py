"""The planning group's review: approve, reject, retire; the suggester always hears back."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from bot.app import App
from bot.scheduling.compose import Composer
from tests.commands.library.conftest import ids, suggest
from tests.helpers import PLANNER, Run, actor, ok, rows, snapshot

GIBBS = "gibbs-reflective-cycle"


def notices_for(app: App, member: int) -> list[str]:
    found = rows(
        app,
        "SELECT payload FROM deliveries WHERE kind = 'suggestion' AND member_id = ? ORDER BY rowid",
        [member],
    )
    return [json.loads(r["payload"])["text"] for r in found]


def test_review_lists_pending_suggestions_with_approve_and_reject(app: App, run: Run) -> None:
    assert ok(run(PLANNER, "review")).text == "There are no suggestions waiting for review."
    suggest(app, run, "alice", "CONNECT", "Peer support circles")
    suggest(app, run, "bob", "INFLUENCE", "Board papers that listen")
    suggest(app, run, "carol", "DEVELOP", "Turned down already")
    ok(run(PLANNER, "reject s3"))

    reply = ok(run(PLANNER, "review"))
    assert reply.text.startswith("2 suggestion(s) waiting")
    assert ids(reply) == ["s1", "s2"]
    first = reply.items[0]
    assert first.title == "Peer support circles [s1]"
    assert first.lines == ("CONNECT · https://example.net/peer-support-circles",)
    assert [(a.label, a.command, a.style) for a in first.actions] == [
        ("Approve", "approve s1", "primary"),
        ("Reject", "reject s1", "danger"),
    ]
    assert [a.command for a in reply.items[1].actions] == ["approve s2", "reject s2"]


def test_approve_makes_it_searchable_and_tells_the_suggester(
    app: App, run: Run, member_id: Callable[[str], int]
) -> None:
    suggest(app, run, "alice", "CONNECT", "Wombat listening circles")
    assert "s1" not in ids(ok(run("bob", "resources wombat")))

    reply = ok(run(PLANNER, "approve s1"))
    assert "Approved [s1] Wombat listening circles" in reply.text
    entry = app.community.library.get("s1")
    assert entry is not None and entry.status == "approved" and entry.approved_utc
    assert ids(ok(run("bob", "resources wombat"))) == ["s1"]
    assert ids(ok(run("bob", "resources connect wombat"))) == ["s1"]
    assert ids(ok(run("bob", "resources develop wombat"))) == []
    assert notices_for(app, member_id("alice")) == [
        "Good news: your suggestion Wombat listening circles has been added to the library. "
        "Thank you for sharing it."
    ]
    assert notices_for(app, member_id("bob")) == []
    (audit,) = rows(app, "SELECT * FROM audit WHERE action = 'approve'")
    assert audit["detail"] == "s1"


def test_approve_accepts_an_id_typed_in_capitals(app: App, run: Run) -> None:
    suggest(app, run, "alice", "CONNECT", "Wombat listening circles")
    ok(run(PLANNER, "approve S1"))
    entry = app.community.library.get("s1")
    assert entry is not None and entry.status == "approved"


def test_reject_with_a_reason_tells_the_suggester_the_reason(
    app: App, run: Run, member_id: Callable[[str], int]
) -> None:
    suggest(app, run, "alice", "CONNECT", "Wombat listening circles")
    reply = ok(run(PLANNER, "reject s1 We already have   a similar guide"))
    assert "Turned down [s1] Wombat listening circles" in reply.text
    entry = app.community.library.get("s1")
    assert entry is not None and entry.status == "rejected"
    (notice,) = notices_for(app, member_id("alice"))
    assert "decided not to add it this time" in notice
    assert "Their reason: We already have a similar guide." in notice
    assert ids(ok(run("bob", "resources wombat"))) == []
    assert ok(run(PLANNER, "review")).items == ()


def test_reject_without_a_reason_says_none_was_given(
    app: App, run: Run, member_id: Callable[[str], int]
) -> None:
    suggest(app, run, "alice", "CONNECT", "Wombat listening circles")
    ok(run(PLANNER, "reject s1"))
    (notice,) = notices_for(app, member_id("alice"))
    assert "Their reason: none given." in notice


@pytest.mark.parametrize(
    ("first", "second", "status"),
    [
        ("approve", "approve", "approved"),
        ("approve", "reject", "approved"),
        ("reject", "approve", "rejected"),
        ("reject", "reject", "rejected"),
    ],
)
def test_deciding_twice_is_a_kind_error_and_tells_nobody_again(
    app: App, run: Run, member_id: Callable[[str], int], first: str, second: str, status: str
) -> None:
    suggest(app, run, "alice", "CONNECT", "Wombat listening circles")
    ok(run(PLANNER, f"{first} s1"))
    before = snapshot(app)
    again = run(PLANNER, f"{second} s1")
    assert again.error == "review.not_pending"
    assert again.text == f"[s1] isn't waiting for review (it is {status})."
    assert snapshot(app) == before
    assert len(notices_for(app, member_id("alice"))) == 1


def test_approving_a_shipped_entry_is_a_kind_error(app: App, run: Run) -> None:
    reply = run(PLANNER, f"approve {GIBBS}")
    assert reply.error == "review.not_pending"


def test_an_unknown_id_is_a_kind_error(app: App, run: Run) -> None:
    for command in ("approve", "reject", "retire"):
        reply = run(PLANNER, f"{command} s99")
        assert reply.error == "resources.unknown"
        assert 'I can\'t find a resource with the id "s99"' in reply.text


@pytest.mark.parametrize("line", ["review", "approve s1", "reject s1 no", f"retire {GIBBS}"])
def test_members_outside_the_planning_group_are_refused(app: App, run: Run, line: str) -> None:
    suggest(app, run, "alice", "CONNECT", "Wombat listening circles")
    ok(run("bob", "resources"))  # bob is registered, so only the refusal could change things
    before = snapshot(app)
    reply = run("bob", line)
    assert reply.error == "error.not_allowed"
    assert reply.text.startswith("Only the planning group can use /cop ")
    assert snapshot(app) == before
    # The suggester cannot approve their own suggestion either.
    assert run("alice", "approve s1").error == "error.not_allowed"
    assert snapshot(app) == before


def test_retire_removes_from_search_and_picks(app: App, run: Run) -> None:
    assert GIBBS in ids(ok(run("alice", "resources gibbs")))
    reply = ok(run(PLANNER, f"retire {GIBBS}"))
    assert reply.text.startswith(f"Retired [{GIBBS}] Gibbs' reflective cycle")
    assert GIBBS not in ids(ok(run("alice", "resources gibbs")))
    assert GIBBS not in ids(ok(run("alice", "resources reflect")))
    for page in (1, 2, 3):
        assert GIBBS not in ids(run("alice", f"resources develop page={page}"))
    entry = app.community.library.get(GIBBS)
    assert entry is not None and entry.status == "retired"
    for objective in entry.objectives:
        assert GIBBS not in [e.id for e in app.community.library.for_picks(objective)]
    composer = Composer(app.community)
    picked = set()
    for week in range(99):
        found = composer.pick_for((date(2026, 11, 25) + timedelta(weeks=week)).isoformat())
        assert found is not None
        picked.add(found[0].id)
    assert GIBBS not in picked
    # A whole cycle: every resource members can open had its turn (one with no confirmed
    # link waits for a planner to add one).
    library = app.community.library
    assert picked == {
        e.id for o in ("DEVELOP", "CONNECT", "INFLUENCE") for e in library.for_picks(o)
    }


def test_retire_an_approved_suggestion(app: App, run: Run) -> None:
    suggest(app, run, "alice", "CONNECT", "Wombat listening circles")
    ok(run(PLANNER, "approve s1"))
    ok(run(PLANNER, "retire s1"))
    assert ids(ok(run("bob", "resources wombat"))) == []
    assert "s1" not in [e.id for e in app.community.library.for_picks("CONNECT")]


def test_a_reason_from_a_form_is_tidied_and_kept_short(
    app: App, run: Run, member_id: Callable[[str], int]
) -> None:
    suggest(app, run, "alice", "CONNECT", "Wombat listening circles")
    reason = "We  already\thave one.  " + "x" * 400
    ok(app.dispatcher.handle(actor(PLANNER), "reject", {"resource": "s1", "reason": reason}))
    (row,) = rows(app, "SELECT reason FROM resources WHERE id = 's1'")
    assert row["reason"].startswith("We already have one. xxx")
    assert len(row["reason"]) == 300
    (notice,) = notices_for(app, member_id("alice"))
    assert row["reason"] in notice


def test_retire_is_for_the_library_not_for_suggestions_waiting(app: App, run: Run) -> None:
    ok(run("alice", "suggest https://a.example/x DEVELOP Some guide"))
    reply = run("organiser", "retire s1")
    assert reply.error == "review.not_approved" and "/cop reject" in reply.text
    entry = app.community.library.get("s1")
    assert entry is not None and entry.status == "pending"
