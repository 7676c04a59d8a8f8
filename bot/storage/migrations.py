"""Forward-only schema migrations, one named function per version.

Never edit a migration that has shipped: add the next one. Each runs inside a transaction
opened by `bot.storage.db.migrate`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database


def m001_core(db: Database) -> None:
    """Members, the calendar, signups, the audit log and the delivery ledger."""
    _run(
        db,
        """
        CREATE TABLE members (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            platform_user_id TEXT NOT NULL,
            display_name TEXT NOT NULL,
            timezone TEXT NOT NULL,
            preferences TEXT NOT NULL DEFAULT '{}',
            created TEXT NOT NULL,
            UNIQUE (platform, platform_user_id)
        );
        CREATE TABLE series (
            id INTEGER PRIMARY KEY,
            rrule TEXT NOT NULL,
            timezone TEXT NOT NULL,
            created TEXT NOT NULL
        );
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            objective TEXT NOT NULL CHECK (objective IN ('DEVELOP', 'CONNECT', 'INFLUENCE')),
            start_utc TEXT NOT NULL,
            duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
            location TEXT NOT NULL DEFAULT '',
            capacity INTEGER CHECK (capacity IS NULL OR capacity > 0),
            status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
            cancel_reason TEXT NOT NULL DEFAULT '',
            series_id INTEGER REFERENCES series(id),
            created_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        );
        CREATE INDEX sessions_start ON sessions (status, start_utc);
        CREATE TABLE signups (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            status TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
            waitlist_order INTEGER,
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            UNIQUE (session_id, member_id)
        );
        CREATE INDEX signups_member ON signups (member_id, status);
        CREATE INDEX signups_session ON signups (session_id, status);
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor_id INTEGER REFERENCES members(id) ON DELETE SET NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE deliveries (
            key TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            member_id INTEGER REFERENCES members(id) ON DELETE CASCADE,
            session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
            channel TEXT NOT NULL DEFAULT '',
            due_utc TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'claimed', 'sent', 'late', 'failed', 'missed',
                                  'skipped')),
            attempts INTEGER NOT NULL DEFAULT 0,
            claimed_utc TEXT,
            done_utc TEXT,
            reason TEXT NOT NULL DEFAULT '',
            payload TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX deliveries_due ON deliveries (status, due_utc);
        """,
    )


def m002_calendar_runs_itself(db: Database) -> None:
    """Reflections, the prompt rotation, the planner's progress, and platform references."""
    _run(
        db,
        """
        CREATE TABLE reflections (
            id INTEGER PRIMARY KEY,
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            prompt_id TEXT NOT NULL,
            text TEXT NOT NULL,
            created TEXT NOT NULL
        );
        CREATE TABLE posted (
            kind TEXT NOT NULL,
            item_id TEXT NOT NULL,
            cycle INTEGER NOT NULL,
            period TEXT NOT NULL,
            posted_utc TEXT NOT NULL,
            PRIMARY KEY (kind, period)
        );
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        ALTER TABLE sessions ADD COLUMN platform_refs TEXT NOT NULL DEFAULT '{}'
        """,
    )


def m003_resource_library(db: Database) -> None:
    """The resource library, searchable in full text (FTS5, kept in step by triggers)."""
    _run(
        db,
        """
        CREATE TABLE resources (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            objectives TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT 'document',
            audience TEXT NOT NULL DEFAULT '',
            link TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL CHECK (source IN ('file', 'member', 'planner')),
            status TEXT NOT NULL
                CHECK (status IN ('approved', 'pending', 'rejected', 'retired')),
            suggested_by INTEGER REFERENCES members(id) ON DELETE SET NULL,
            reason TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL,
            approved_utc TEXT
        );
        CREATE INDEX resources_status ON resources (status);
        CREATE VIRTUAL TABLE resources_fts USING fts5(
            title, summary, audience, content='resources', content_rowid='rowid'
        );
        CREATE TRIGGER resources_ai AFTER INSERT ON resources BEGIN
            INSERT INTO resources_fts (rowid, title, summary, audience)
            VALUES (new.rowid, new.title, new.summary, new.audience);
        END;
        CREATE TRIGGER resources_ad AFTER DELETE ON resources BEGIN
            INSERT INTO resources_fts (resources_fts, rowid, title, summary, audience)
            VALUES ('delete', old.rowid, old.title, old.summary, old.audience);
        END;
        CREATE TRIGGER resources_au AFTER UPDATE ON resources BEGIN
            INSERT INTO resources_fts (resources_fts, rowid, title, summary, audience)
            VALUES ('delete', old.rowid, old.title, old.summary, old.audience);
            INSERT INTO resources_fts (rowid, title, summary, audience)
            VALUES (new.rowid, new.title, new.summary, new.audience);
        END
        """,
    )


def m004_series_kept_ahead(db: Database) -> None:
    """Series remember the dates they leave out, the latest session made (on the local wall
    clock, so a top-up carries on from it) and whether the rest was cancelled."""
    _run(
        db,
        """
        ALTER TABLE series ADD COLUMN skips TEXT NOT NULL DEFAULT '';
        ALTER TABLE series ADD COLUMN last_local TEXT NOT NULL DEFAULT '';
        ALTER TABLE series ADD COLUMN ended TEXT NOT NULL DEFAULT ''
        """,
    )
    latest = db.execute(
        "SELECT series.id, series.timezone, max(sessions.start_utc) FROM series"
        " JOIN sessions ON sessions.series_id = series.id GROUP BY series.id"
    ).fetchall()
    for series_id, zone, start in latest:
        wall = datetime.fromisoformat(start).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        db.execute("UPDATE series SET last_local = ? WHERE id = ?", [wall.isoformat(), series_id])


def m005_calendar_links(db: Database) -> None:
    """Members' private calendar subscription links, kept only as a hash of the token."""
    _run(
        db,
        """
        CREATE TABLE calendar_links (
            member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL UNIQUE,
            scope TEXT NOT NULL CHECK (scope IN ('mine', 'all')),
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        )
        """,
    )


def m006_private_rooms_and_pending_buttons(db: Database) -> None:
    """Private rooms for each session's booked members (Discord's private threads, at most
    1,000 members each), who has been added to which, and buttons too long to carry their
    command (it waits here behind a short id, for a while)."""
    _run(
        db,
        """
        CREATE TABLE session_rooms (
            room_id TEXT PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            created TEXT NOT NULL
        );
        CREATE INDEX session_rooms_session ON session_rooms (session_id);
        CREATE TABLE room_members (
            room_id TEXT NOT NULL REFERENCES session_rooms(room_id) ON DELETE CASCADE,
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            PRIMARY KEY (room_id, member_id)
        );
        CREATE TABLE pending_buttons (
            id TEXT PRIMARY KEY,
            command TEXT NOT NULL,
            expires_utc TEXT NOT NULL
        )
        """,
    )


def m007_outcomes(db: Database) -> None:
    """Self-declared sectors, attendance, and feedback kept apart from who gave it.

    `feedback` has no member column on purpose: an answer cannot be traced to a person.
    `feedback_asked` only remembers that someone was asked, so nobody is asked twice, and
    holds no time, so it cannot be lined up with the answers either.
    """
    _run(
        db,
        """
        CREATE TABLE member_sectors (
            member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
            sector TEXT,
            updated TEXT NOT NULL
        );
        CREATE TABLE attendance (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            source TEXT NOT NULL CHECK (source IN ('self', 'planner', 'walk-in')),
            updated TEXT NOT NULL,
            PRIMARY KEY (session_id, member_id)
        );
        CREATE INDEX attendance_member ON attendance (member_id);
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            objective TEXT NOT NULL,
            answer TEXT,
            words TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX feedback_session ON feedback (session_id);
        CREATE TABLE feedback_asked (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            state TEXT NOT NULL CHECK (state IN ('asked', 'answered', 'dismissed')),
            worded INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (session_id, member_id)
        )
        """,
    )


def m008_connect(db: Database) -> None:
    """CONNECT conversations: who asked for them, each round's groups, and "not again".

    `connect_not_again` is private to the member who said it: nobody else ever reads it, and
    it is only used to keep two people apart.
    """
    _run(
        db,
        """
        CREATE TABLE connect_members (
            member_id INTEGER PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
            joined TEXT NOT NULL,
            skip_period TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE connect_rounds (
            id INTEGER PRIMARY KEY,
            period TEXT NOT NULL UNIQUE,
            due_utc TEXT NOT NULL
        );
        CREATE TABLE connect_groups (
            round_id INTEGER NOT NULL REFERENCES connect_rounds(id) ON DELETE CASCADE,
            group_no INTEGER NOT NULL,
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            mixed INTEGER NOT NULL,
            answer TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (round_id, member_id)
        );
        CREATE INDEX connect_groups_member ON connect_groups (member_id);
        CREATE INDEX connect_groups_group ON connect_groups (round_id, group_no);
        CREATE TABLE connect_not_again (
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            other_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            PRIMARY KEY (member_id, other_id)
        );
        CREATE INDEX connect_not_again_other ON connect_not_again (other_id)
        """,
    )


def m009_schedule_previews(db: Database) -> None:
    """What a planner is about to schedule, held behind a short code until they confirm it.

    Kept in the database, not in memory, so "Schedule it" works after a restart and a second
    press finds the first one's result instead of scheduling twice.
    """
    _run(
        db,
        """
        CREATE TABLE schedule_previews (
            code TEXT PRIMARY KEY,
            member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            details TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'waiting'
                CHECK (status IN ('waiting', 'scheduled', 'changed')),
            first_session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
            session_count INTEGER NOT NULL DEFAULT 0,
            created TEXT NOT NULL,
            expires TEXT NOT NULL
        );
        CREATE INDEX schedule_previews_expires ON schedule_previews (expires);
        """,
    )


def m010_member_indexes(db: Database) -> None:
    """An index led by every column that points at a member.

    Forgetting a member deletes or clears their rows in every table; without these, each of
    those statements reads the whole table (the delivery ledger grows by every reminder
    sent), so a forget-me took hundreds of milliseconds and grew with the community's age.
    `deliveries_session` serves a session's cancellation the same way.
    """
    _run(
        db,
        """
        CREATE INDEX deliveries_member ON deliveries (member_id);
        CREATE INDEX deliveries_session ON deliveries (session_id);
        CREATE INDEX reflections_member ON reflections (member_id, created);
        CREATE INDEX audit_actor ON audit (actor_id);
        CREATE INDEX sessions_created_by ON sessions (created_by);
        CREATE INDEX resources_suggested_by ON resources (suggested_by);
        CREATE INDEX room_members_member ON room_members (member_id);
        CREATE INDEX feedback_asked_member ON feedback_asked (member_id);
        CREATE INDEX schedule_previews_member ON schedule_previews (member_id)
        """,
    )


def m011_delivery_counts(db: Database) -> None:
    """What the report needs from delivery rows that have been let go: counts only.

    One row per UTC day, kind and status: how many messages, how many of them were channel
    posts, and how many different members they went to. No member and no session: the
    ledger's rows are pruned after the retention period, and these counts outlive them.
    """
    _run(
        db,
        """
        CREATE TABLE delivery_counts (
            day TEXT NOT NULL,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            count INTEGER NOT NULL,
            posts INTEGER NOT NULL,
            people INTEGER NOT NULL,
            PRIMARY KEY (day, kind, status)
        ) WITHOUT ROWID
        """,
    )


def m012_claims_belong_to_a_process(db: Database) -> None:
    """Who claimed a delivery, when it was first due, and whether its last try is in doubt.

    `claimed_by` names the process (a token per start) so the one live bot can take back,
    at once, every claim a dead one left. `first_due_utc` keeps the time a delivery was
    meant for while retries move `due_utc` on, so late and missed are judged against it.
    `unsure` marks a try whose outcome is unknown (a timeout, a process that died
    mid-send): the next try looks on the platform before sending again.
    """
    _run(
        db,
        """
        ALTER TABLE deliveries ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
        ALTER TABLE deliveries ADD COLUMN first_due_utc TEXT NOT NULL DEFAULT '';
        ALTER TABLE deliveries ADD COLUMN unsure INTEGER NOT NULL DEFAULT 0;
        UPDATE deliveries SET first_due_utc = due_utc
        """,
    )


def m013_planning_indexes(db: Database) -> None:
    """Indexes the planner reads members by, so a tick does not read every member.

    The zones members keep (a skip-scan over `members_timezone` costs a step per zone) and
    who opted in to prompt or pick copies (the expressions match `MemberStore.wanting`).
    """
    _run(
        db,
        """
        CREATE INDEX members_timezone ON members (timezone);
        CREATE INDEX members_prompts ON members (json_extract(preferences, '$.prompts'));
        CREATE INDEX members_picks ON members (json_extract(preferences, '$.picks'))
        """,
    )


def m014_calendar_mark(db: Database) -> None:
    """A number that moves whenever a session or a place changes.

    The listing of upcoming sessions is shared by every member until the calendar changes;
    its cache is keyed by this mark rather than by the whole database's version, which
    every delivery the scheduler marks would move (so the cache never hit in a real run).
    The session and signup stores move it in the same transaction as their change (once a
    change, not once a row), so a change rolled back leaves it as it was.
    """
    _run(
        db,
        """
        CREATE TABLE change_marks (name TEXT PRIMARY KEY, mark INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO change_marks (name, mark) VALUES ('calendar', 0)
        """,
    )


def m015_waitlist_tail(db: Database) -> None:
    """The end of each session's waitlist, found at once.

    Joining a waitlist numbers the newcomer one after the last; without this index that
    meant reading every waiting row of the session, inside the write lock, for each
    signup. Only waiting rows carry a number, so the index holds only them.
    """
    db.execute(
        "CREATE INDEX signups_waitlist ON signups (session_id, waitlist_order)"
        " WHERE status = 'waitlisted'"
    )


def m016_counting_indexes(db: Database) -> None:
    """Indexes a planner's listings count by, so `upcoming-posts` reads no member's row.

    The choices of those who opted in to prompt or pick copies (partial, so only they are
    in it; `MemberStore.wanting_counts` counts them a set of choices at a time, reading
    no row), and the failed deliveries by when they failed (`DeliveryStore.failed_since`:
    the ledger keeps thousands of old failures, and a fortnight's were found by reading
    them all).
    """
    _run(
        db,
        """
        CREATE INDEX members_prompt_choices ON members (preferences, timezone)
            WHERE json_extract(preferences, '$.prompts') = 1;
        CREATE INDEX members_pick_choices ON members (preferences, timezone)
            WHERE json_extract(preferences, '$.picks') = 1;
        CREATE INDEX deliveries_failed ON deliveries (coalesce(done_utc, due_utc))
            WHERE status = 'failed'
        """,
    )


def m017_session_places_cover(db: Database) -> None:
    """Each session's places by status, carrying who holds each and when it last changed.

    `upcoming-posts` and the planner count a week's places by their members' zones and
    choices; with only (session, status) in the index, each of ~50,000 places at 100,000
    members was a second read of its row for the member and the time. The wider index
    replaces the old one (a place's status and time change together, so a write costs the
    same), and every query that used the old one uses its first two columns.
    """
    _run(
        db,
        """
        DROP INDEX signups_session;
        CREATE INDEX signups_session ON signups (session_id, status, member_id, updated)
        """,
    )


def m018_member_places_by_member_only(db: Database) -> None:
    """Each member's places indexed by the member alone, not also by the place's status.

    With the status in the index, every place that changed status moved in it: cancelling
    the rest of a weekly series released 12,500 places, each a delete and an insert at a
    random spot of a member-ordered index (1,270 of the 6,200 pages the cancellation wrote
    at 100,000 members, and 45 of its ~80 ms of place updates). The queries by member
    (a member's places, their erasure, their data) read a few rows each through it.
    """
    _run(
        db,
        """
        DROP INDEX signups_member;
        CREATE INDEX signups_member ON signups (member_id)
        """,
    )


def m019_shared_notice_words(db: Database) -> None:
    """Words many deliveries share, stored once.

    A cancellation tells every holder of a place the same words (one version a time zone),
    and each of its 12,500 ledger rows carried its own copy: ~450 bytes a row, a third of
    the pages the cancellation wrote and the checkpoint then copied. Such a row now points
    at its words (`words_id`); the rest keep their own payload. The partial index finds
    whether any row still points at some words, so words go when their last row goes
    (retention, forget-me) and rows without shared words cost it nothing.
    """
    _run(
        db,
        """
        CREATE TABLE delivery_words (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);
        ALTER TABLE deliveries ADD COLUMN words_id INTEGER;
        CREATE INDEX deliveries_words ON deliveries (words_id) WHERE words_id IS NOT NULL
        """,
    )


# What a place does when it is written or given to another member: name its member's set of
# zone and choices, numbering the set first if it is new (migration 20's triggers).
_TAKE_MEMBERS_SET = """BEGIN
            INSERT OR IGNORE INTO choice_sets (timezone, preferences)
                SELECT timezone, preferences FROM members WHERE id = NEW.member_id;
            UPDATE signups SET choice_set = (
                SELECT c.id FROM members m JOIN choice_sets c
                    ON c.timezone = m.timezone AND c.preferences = m.preferences
                WHERE m.id = NEW.member_id)
            WHERE id = NEW.id;
        END;"""


def m020_places_carry_choice_sets(db: Database) -> None:
    """Each place carries a number for its member's clock and choices, kept by triggers.

    `upcoming-posts` counts a fortnight's places (about 20,000 at 100,000 members) by
    their members' zone and choices: joining every place to its member's row and grouping
    by two strings took ~20 of its ~40 ms. Each distinct (zone, choices) pair is now a
    row of `choice_sets`, each place names its member's (`signups.choice_set`), and the
    session index carries it before the place's time, so the count reads the index alone,
    in its order, with nothing to sort: ~5 ms.

    Triggers keep it true whichever code writes: a new place takes its member's set, and
    a member who changes zone or choices moves their places to the new set. The index
    replaces the one it widens (a place's status and set rarely change together, so a
    write costs what it did). Sets no place names any more go at the daily upkeep.
    """
    _run(
        db,
        f"""
        CREATE TABLE choice_sets (
            id INTEGER PRIMARY KEY,
            timezone TEXT NOT NULL,
            preferences TEXT NOT NULL,
            UNIQUE (timezone, preferences)
        );
        ALTER TABLE signups ADD COLUMN choice_set INTEGER;
        INSERT INTO choice_sets (timezone, preferences)
            SELECT DISTINCT m.timezone, m.preferences FROM members m
            WHERE EXISTS (SELECT 1 FROM signups g WHERE g.member_id = m.id);
        UPDATE signups SET choice_set = (
            SELECT c.id FROM members m JOIN choice_sets c
                ON c.timezone = m.timezone AND c.preferences = m.preferences
            WHERE m.id = signups.member_id);
        CREATE TRIGGER signups_take_choice_set AFTER INSERT ON signups
        WHEN NEW.choice_set IS NULL
        {_TAKE_MEMBERS_SET}
        CREATE TRIGGER signups_change_member_choice_set AFTER UPDATE OF member_id ON signups
        {_TAKE_MEMBERS_SET}
        CREATE TRIGGER members_move_choice_set AFTER UPDATE OF timezone, preferences ON members
        WHEN OLD.timezone IS NOT NEW.timezone OR OLD.preferences IS NOT NEW.preferences
        BEGIN
            INSERT OR IGNORE INTO choice_sets (timezone, preferences)
                SELECT NEW.timezone, NEW.preferences
                WHERE EXISTS (SELECT 1 FROM signups WHERE member_id = NEW.id);
            UPDATE signups SET choice_set = (
                SELECT id FROM choice_sets
                WHERE timezone = NEW.timezone AND preferences = NEW.preferences)
            WHERE member_id = NEW.id;
        END;
        DROP INDEX signups_session;
        CREATE INDEX signups_session
            ON signups (session_id, status, choice_set, updated, member_id)
        """,
    )


def _run(db: Database, script: str) -> None:
    """Run statements one by one: sqlite3's executescript would commit our transaction."""
    for statement in statements(script):
        db.execute(statement)


def statements(script: str) -> list[str]:
    """Split a script into whole statements, as SQLite's own tokenizer judges them.

    A semicolon ends a statement only when `sqlite3.complete_statement` agrees, so a
    trigger body, a CASE ... END inside it, or a semicolon inside a string stays whole.
    """
    found: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            found.append(pending.strip().removesuffix(";").strip())
            pending = ""
    rest = pending.removesuffix(";").strip()
    return [s for s in (*found, rest) if s]


MIGRATIONS: list[Callable[[Database], None]] = [
    m001_core,
    m002_calendar_runs_itself,
    m003_resource_library,
    m004_series_kept_ahead,
    m005_calendar_links,
    m006_private_rooms_and_pending_buttons,
    m007_outcomes,
    m008_connect,
    m009_schedule_previews,
    m010_member_indexes,
    m011_delivery_counts,
    m012_claims_belong_to_a_process,
    m013_planning_indexes,
    m014_calendar_mark,
    m015_waitlist_tail,
    m016_counting_indexes,
    m017_session_places_cover,
    m018_member_places_by_member_only,
    m019_shared_notice_words,
    m020_places_carry_choice_sets,
]
