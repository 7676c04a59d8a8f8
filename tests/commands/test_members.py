"""Members: known on first contact, their own time zone, and their data theirs to see or erase."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from bot.app import App
from bot.storage.members import Member
from tests.helpers import PLANNER, Run, ok, rows, schedule, snapshot, statuses, tables

NAME = "Annabel Zed"


def member_columns(app: App) -> dict[str, list[str]]:
    """Table -> the columns that point at a member (by name or by foreign key)."""
    db = app.community.db
    found: dict[str, list[str]] = {}
    for table in tables(db):
        columns = {row[1] for row in db.execute(f"PRAGMA table_info([{table}])").fetchall()}
        pointing = {c for c in columns if c in ("member_id", "actor_id")}
        pointing |= {fk[3] for fk in foreign_keys_to_members(app, table)}
        if pointing:
            found[table] = sorted(pointing)
    return found


def foreign_keys_to_members(app: App, table: str) -> list[tuple[Any, ...]]:
    found = app.community.db.execute(f"PRAGMA foreign_key_list([{table}])").fetchall()
    return [tuple(row) for row in found if row[2] == "members"]


def cells_mentioning(app: App, text: str) -> list[tuple[str, Any]]:
    db = app.community.db
    return [
        (table, row)
        for table in tables(db)
        for row in db.execute(f"SELECT * FROM [{table}]").fetchall()
        if any(isinstance(cell, str) and text in cell for cell in row)
    ]


def test_members_are_registered_on_first_contact(app: App, run: Run) -> None:
    assert app.community.members.count() == 0
    ok(run("ann", "help"))
    ok(run("ann", "sessions"))
    ok(run("bob", "mine"))
    found = rows(app, "SELECT platform, platform_user_id, display_name, timezone FROM members")
    assert found == [
        {
            "platform": "console",
            "platform_user_id": "ann",
            "display_name": "ann",
            "timezone": "Europe/London",
        },
        {
            "platform": "console",
            "platform_user_id": "bob",
            "display_name": "bob",
            "timezone": "Europe/London",
        },
    ]


def test_a_member_sees_times_in_their_own_zone(app: App, run: Run) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00')
    london = ok(run("ann", "sessions")).items[0].lines[0]
    assert london == "Thu 3 Dec 2026, 14:00–15:30 (Europe/London)"
    reply = ok(run("ann", "timezone America/New_York"))
    assert "America/New_York" in reply.text
    assert "America/New_York" in ok(run("ann", "timezone")).text
    card = ok(run("ann", "sessions"))
    assert card.items[0].lines[0] == "Thu 3 Dec 2026, 09:00–10:30 (America/New_York)"
    assert "09:00" in ok(run("ann", f"signup {session}")).text
    assert ok(run("bob", "sessions")).items[0].lines[0] == london


def test_an_unknown_time_zone_is_refused_kindly(app: App, run: Run) -> None:
    ok(run("ann", "timezone Europe/Paris"))
    before = snapshot(app)
    for zone in ("Mars/Olympus_Mons", "Europe/Londn", "GMT+25"):
        reply = run("ann", f"timezone {zone}")
        assert reply.error == "timezone.bad" and reply.private
        assert zone in reply.text and "Traceback" not in reply.text
    assert snapshot(app) == before
    assert rows(app, "SELECT timezone FROM members")[0]["timezone"] == "Europe/Paris"


def test_mydata_lists_signups_and_attaches_everything(app: App, run: Run) -> None:
    first = schedule(run, '"Circle" 3 Dec 14:00 capacity=1')
    second = schedule(run, '"Walk and talk" 4 Dec 11:00')
    ok(run("bob", f"signup {first}"))
    ok(run(NAME, f"signup {first}"))
    ok(run(NAME, f"signup {second}"))
    reply = ok(run(NAME, "mydata"))
    lines = [line for item in reply.items for line in item.lines]
    assert f"#{first} Circle: you're on the waitlist" in lines
    assert f"#{second} Walk and talk: you have a place" in lines
    assert any(NAME in line and "Europe/London" in line for line in lines)
    assert reply.private and reply.attachment is not None
    assert reply.attachment.mimetype == "application/json"
    held = json.loads(reply.attachment.content)
    assert held["member"][0]["display_name"] == NAME
    assert sorted(row["session_id"] for row in held["signups"]) == [first, second]
    assert "bob" not in reply.attachment.content.decode()


def test_forget_me_asks_before_erasing_anything(app: App, run: Run) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00')
    ok(run(NAME, f"signup {session}"))
    before = snapshot(app)
    reply = ok(run(NAME, "forget-me"))
    assert "Are you sure?" in reply.text
    assert [a.command for a in reply.actions] == ["forget-me confirm=yes"]
    assert snapshot(app) == before
    assert run(NAME, "forget-me please").error == "error.choice"
    assert snapshot(app) == before


def test_forget_me_confirm_erases_the_member_everywhere(
    app: App, run: Run, member: Callable[[str], Member]
) -> None:
    full = schedule(run, '"Circle" 3 Dec 14:00 capacity=1')
    other = schedule(run, '"Walk and talk" 4 Dec 11:00')
    ok(run(NAME, f"signup {full}"))
    ok(run("bob", f"signup {full}"))
    ok(run(NAME, f"signup {other}"))
    ok(run(PLANNER, f"edit {other} where=Library"))
    ann = member(NAME).id
    pointing = member_columns(app)
    assert {"signups", "deliveries", "audit"} <= set(pointing)
    assert any(
        rows(app, f"SELECT 1 FROM [{t}] WHERE [{c}] = ?", [ann])
        for t, cs in pointing.items()
        for c in cs
    )
    audit_before = rows(app, "SELECT * FROM audit ORDER BY id")

    reply = ok(run(NAME, "forget-me confirm"))
    assert "erased" in reply.text

    for table, columns in pointing.items():
        for column in columns:
            left = rows(app, f"SELECT * FROM [{table}] WHERE [{column}] = ?", [ann])
            assert left == [], f"{table}.{column} still holds the member"
    assert rows(app, "SELECT * FROM members WHERE id = ?", [ann]) == []
    assert cells_mentioning(app, NAME) == []
    assert statuses(app, full) == {"bob": "confirmed"}
    promoted = rows(app, "SELECT member_id, payload FROM deliveries WHERE kind = 'promoted'")
    assert [r["member_id"] for r in promoted] == [member("bob").id]
    assert "a place has opened up" in json.loads(promoted[0]["payload"])["text"]
    audit_after = rows(app, "SELECT * FROM audit ORDER BY id")
    assert audit_after[: len(audit_before)] == audit_before
    added = audit_after[len(audit_before) :]
    assert [(r["action"], r["actor_id"]) for r in added] == [("erasure", None)]
    assert NAME not in added[0]["detail"]


def test_a_planner_who_leaves_keeps_their_sessions_but_not_their_name(
    app: App, run: Run, member: Callable[[str], Member]
) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00')
    planner = member(PLANNER).id
    ok(run(PLANNER, "forget-me confirm"))
    for table, columns in member_columns(app).items():
        for column in columns:
            assert rows(app, f"SELECT 1 FROM [{table}] WHERE [{column}] = ?", [planner]) == []
    found = rows(app, "SELECT id, created_by FROM sessions")
    assert found == [{"id": session, "created_by": None}]
    assert {r["action"] for r in rows(app, "SELECT action FROM audit")} == {"schedule", "erasure"}


def test_every_table_holding_members_has_a_store_that_exports_and_erases_it(app: App) -> None:
    """A `member_id` or `actor_id` column is member data: some privacy store must answer for it.

    Other links to members must be let go by the database itself (ON DELETE CASCADE or SET NULL).
    """
    db = app.community.db
    sources = [
        (inspect.getsource(type(s).export), inspect.getsource(type(s).delete))
        for s in app.community.privacy.stores
    ]

    def answered(table: str) -> bool:
        return any(
            re.search(rf"\b{table}\b", export) and re.search(rf"\b{table}\b", delete)
            for export, delete in sources
        )

    holding = ["members"] + [
        table
        for table in tables(db)
        if {"member_id", "actor_id"}
        & {row[1] for row in db.execute(f"PRAGMA table_info([{table}])").fetchall()}
    ]
    assert {"members", "signups", "audit", "deliveries"} <= set(holding)
    assert [t for t in holding if not answered(t)] == [], "no privacy store answers for these"
    loose = [
        (table, fk[3], fk[6])
        for table in tables(db)
        if table not in holding
        for fk in foreign_keys_to_members(app, table)
        if fk[6] not in ("CASCADE", "SET NULL")
    ]
    assert loose == [], "links to members that would block or outlive an erasure"


def test_privacy_export_holds_every_store_and_erase_empties_it(
    app: App, run: Run, member: Callable[[str], Member]
) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00')
    ok(run(PLANNER, f"signup {session}"))
    ok(run(PLANNER, f"edit {session} where=Library"))
    planner = member(PLANNER).id
    privacy = app.community.privacy
    held = privacy.export(planner)
    assert held["member"] and held["signups"] and held["planning_actions"]
    assert held["messages_sent_or_planned"]
    assert privacy.erase(planner) >= 4
    emptied = privacy.export(planner)
    assert all(not section for section in emptied.values())


def test_an_erasure_that_fails_half_way_changes_nothing(
    app: App, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00 capacity=1')
    ok(run(NAME, f"signup {session}"))
    ok(run("bob", f"signup {session}"))
    before = snapshot(app)
    last = app.community.privacy.stores[0]  # erased last, after every other store

    def broken(member_id: int) -> int:
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(last, "delete", broken)
    reply = run(NAME, "forget-me confirm")
    assert reply.error == "error.unexpected" and "Traceback" not in reply.text
    assert snapshot(app) == before
