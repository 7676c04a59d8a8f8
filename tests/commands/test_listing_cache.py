"""The shared listing of sessions: one read serves everyone until the calendar changes.

Its cache must follow every change to sessions and places (from this process or another),
must not be thrown away by the scheduler's own writes to the delivery ledger, and must
never grow past its bound however long the bot runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import commands.cards
import commands.sessions
from bot.app import App
from bot.config import Config
from bot.domain.clock import FakeClock
from bot.domain.context import Actor
from bot.domain.memo import Lru
from bot.storage.db import immediate
from commands.cards import Cards
from commands.sessions import LISTING_PAGES, Listings
from tests.counting import statements
from tests.helpers import PLANNER, Run, ok, schedule


def test_a_signup_made_by_another_process_shows_in_the_listing(
    app: App, run: Run, clock: FakeClock
) -> None:
    session = schedule(run, '"Circle" 2026-12-03 14:00 capacity=5')
    assert "5 of 5 places left" in ok(run("ann", "sessions")).items[0].lines
    other = App.build(Config(database=app.config.database), clock)  # a second process
    try:
        ok(other.dispatcher.handle_line(Actor("console", "bob", "bob"), f"signup {session}"))
    finally:
        other.close()
    assert "4 of 5 places left" in ok(run("ann", "sessions")).items[0].lines


def test_the_schedulers_own_ledger_writes_leave_the_listing_cached(app: App, run: Run) -> None:
    schedule(run, '"Circle" 2026-12-03 14:00 capacity=5')
    first = ok(run("ann", "sessions"))
    ledger, now = app.community.deliveries, app.community.clock.now()
    ledger.enqueue("tick:1", "notice", now, channel="general", payload={"text": "hello"})
    ledger.mark("tick:1", "sent", now)
    again = ok(run("ann", "sessions"))
    pages = app.community.memos.of(Listings).pages
    assert pages.misses == 1
    assert again.items == first.items


def test_the_listing_and_its_cards_never_hold_more_than_their_bounds(
    app: App, run: Run, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(commands.cards, "CARD_CACHE_LIMIT", 3)
    schedule(run, '"Weekly circle" 2026-12-03 14:00 repeat="weekly x12"')
    for _ in range(LISTING_PAGES + 5):
        for name in ("ann", "bob"):
            ok(run(name, "sessions"))
            ok(run(name, "sessions page=2"))
        clock.advance(timedelta(minutes=1))
    pages = app.community.memos.of(Listings).pages
    assert pages.misses == 2 * (LISTING_PAGES + 5)  # a new minute is a new page
    assert len(pages) == LISTING_PAGES
    assert len(app.community.memos.of(Cards).drawn) == 3


def test_a_page_keeps_at_most_its_bound_of_answers(
    app: App, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(commands.sessions, "CARD_SETS", 2)
    first = schedule(run, '"Weekly circle" 2026-12-03 14:00 repeat="weekly x4"')
    for n, name in enumerate(("bob", "cat", "dan")):
        ok(run(name, f"signup {first + n}"))
    for name in ("ann", "bob", "cat", "dan"):  # four different sets of places on the page
        ok(run(name, "sessions"))
    [listing] = app.community.memos.of(Listings).pages.values()
    assert len(listing.answers) == 2
    assert listing.answers.misses == 4


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: Lru[str, int] = Lru(2)
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 2)
    cache.get("a", lambda: 0)  # "a" is used again, so "b" is now the oldest
    cache.get("c", lambda: 3)
    assert cache.get("a", lambda: -1) == 1
    assert cache.get("b", lambda: -2) == -2


def test_a_listing_read_from_its_cache_costs_two_statements(app: App, run: Run) -> None:
    """The calendar's marks (with other processes' commits) in one read, which also says
    the member who asked is as last read, and their own places: nothing that grows with
    the community, and nothing read twice."""
    schedule(run, '"Weekly circle" 2026-12-03 14:00 repeat="weekly x12"')
    for name in ("ann", "bob", "ann"):  # the first of each is welcomed (a write)
        ok(run(name, "sessions"))
    with statements(app.community.db) as traced:
        ok(run("ann", "sessions"))
    seen = [s for s in traced if not s.startswith("--")]  # "--": a pragma read inside one
    assert len(seen) == 2, "\n".join(seen)


def test_a_new_place_reads_only_the_counts_again(app: App, run: Run) -> None:
    first = schedule(run, '"Weekly circle" 2026-12-03 14:00 repeat="weekly x3" capacity=5')
    ok(run("ann", "sessions"))
    ok(run("bob", f"signup {first}"))
    with statements(app.community.db) as seen:
        shown = ok(run("ann", "sessions"))
    assert not [s for s in seen if "FROM sessions" in s], seen
    assert "4 of 5 places left" in shown.items[0].lines


def test_a_changed_session_shows_in_the_next_listing(app: App, run: Run) -> None:
    first = schedule(run, '"Weekly circle" 2026-12-03 14:00 repeat="weekly x3"')
    assert ok(run("ann", "sessions")).items[0].title.endswith("Weekly circle")
    ok(run(PLANNER, f'edit {first} title="Carers circle"'))
    assert ok(run("ann", "sessions")).items[0].title.endswith("Carers circle")
    ok(run(PLANNER, f'cancel-session {first} reason="Snow"'))
    titles = [item.title for item in ok(run("ann", "sessions")).items]
    assert not any(title.endswith("Carers circle") for title in titles[:1]), titles


def test_a_member_changed_by_another_process_is_read_again(
    app: App, run: Run, clock: FakeClock
) -> None:
    schedule(run, '"Circle" 2026-12-03 14:00 capacity=5')
    ok(run("ann", "sessions"))
    assert "Europe/London" in ok(run("ann", "sessions")).text
    other = App.build(Config(database=app.config.database), clock)  # a second process
    try:
        ok(other.dispatcher.handle_line(Actor("console", "ann", "ann"), "timezone Asia/Tokyo"))
    finally:
        other.close()
    assert "Asia/Tokyo" in ok(run("ann", "sessions")).text


def test_a_member_changed_here_is_read_again(app: App, run: Run) -> None:
    schedule(run, '"Circle" 2026-12-03 14:00 capacity=5')
    ok(run("ann", "sessions"))
    assert "Europe/London" in ok(run("ann", "sessions")).text
    ok(run("ann", "timezone Asia/Tokyo"))
    assert "Asia/Tokyo" in ok(run("ann", "sessions")).text
    ok(run("ann", "forget-me confirm"))
    assert "Europe/London" in ok(run("ann", "sessions")).text  # a newcomer again


class CountingClock(FakeClock):
    """A fake clock that counts how often it is read."""

    reads = 0

    def now(self) -> datetime:
        self.reads += 1
        return super().now()


def test_a_command_reads_the_clock_once(app: App, run: Run, clock: FakeClock) -> None:
    """Who asked and when are settled together: the member's registration and the
    command see one moment (the system clock is a syscall; a newcomer's row is stamped
    with the moment their command was answered at)."""
    counting = CountingClock(clock.now())
    app.community.clock = counting
    ok(run("ann", "help"))  # a newcomer: registered, then answered
    assert counting.reads == 1


def test_a_booking_on_another_page_leaves_this_pages_answer_as_it_was(app: App, run: Run) -> None:
    first = schedule(run, '"Weekly circle" 2026-12-03 14:00 repeat="weekly x12" capacity=5')
    ok(run("ann", "sessions"))  # a first command also brings a welcome
    before = ok(run("ann", "sessions"))
    ok(run("bob", f"signup {first + 11}"))  # the twelfth: on page 2
    after = ok(run("ann", "sessions"))
    assert after is before  # the same answer, not drawn again
    assert "4 of 5 places left" in ok(run("ann", "sessions page=2")).items[-1].lines
    ok(run("bob", f"signup {first}"))  # on page 1: its count changes
    assert "4 of 5 places left" in ok(run("ann", "sessions")).items[0].lines


def test_a_booking_on_another_page_costs_this_page_no_count(app: App, run: Run) -> None:
    """The booking was made here, for a session not on the page: the page's counts are
    known to be as they were, and are not read again."""
    first = schedule(run, '"Weekly circle" 2026-12-03 14:00 repeat="weekly x12" capacity=5')
    for name in ("ann", "bob", "ann"):  # the first of each is welcomed (a write)
        ok(run(name, "sessions"))
    ok(run("bob", f"signup {first + 11}"))  # the twelfth: on page 2
    with statements(app.community.db) as traced:
        ok(run("ann", "sessions"))
    seen = [s for s in traced if not s.startswith("--")]
    assert len(seen) == 2, "\n".join(seen)  # the marks and ann's own places: no count


def test_a_booking_rolled_back_leaves_the_listing_true(app: App, run: Run) -> None:
    first = schedule(run, '"Weekly circle" 2026-12-03 14:00 repeat="weekly x12" capacity=5')
    ok(run("ann", "sessions"))
    community = app.community
    session = community.sessions.get(first)
    bob = community.register(Actor("console", "bob", "bob"))
    with pytest.raises(RuntimeError), immediate(community.db):
        community.signups.signup(session, bob.id, community.clock.now())  # noted, then...
        raise RuntimeError("rolled back")
    assert "5 of 5 places left" in ok(run("ann", "sessions")).items[0].lines
    ok(run("cat", f"signup {first + 11}"))  # takes the mark the rolled-back booking took
    assert "5 of 5 places left" in ok(run("ann", "sessions")).items[0].lines
    ok(run("cat", f"signup {first}"))
    assert "4 of 5 places left" in ok(run("ann", "sessions")).items[0].lines


def test_a_change_of_places_not_noted_here_is_read_again(app: App, run: Run) -> None:
    """A change to the places that names no session (every place of one member, erased
    at once) leaves the listing unsure: it counts again."""
    first = schedule(run, '"Weekly circle" 2026-12-03 14:00 repeat="weekly x12" capacity=5')
    ok(run("bob", f"signup {first}"))
    assert "4 of 5 places left" in ok(run("ann", "sessions")).items[0].lines
    bob = app.community.register(Actor("console", "bob", "bob"))
    app.community.signups.delete(bob.id)
    assert "5 of 5 places left" in ok(run("ann", "sessions")).items[0].lines


def test_a_booking_on_this_page_by_another_process_shows_though_the_last_was_elsewhere(
    app: App, run: Run, clock: FakeClock
) -> None:
    first = schedule(run, '"Weekly circle" 2026-12-03 14:00 repeat="weekly x12" capacity=5')
    ok(run("ann", "sessions"))
    other = App.build(Config(database=app.config.database), clock)  # a second process
    try:
        ok(other.dispatcher.handle_line(Actor("console", "dan", "dan"), f"signup {first}"))
    finally:
        other.close()
    ok(run("bob", f"signup {first + 11}"))  # noted here: on page 2
    assert "4 of 5 places left" in ok(run("ann", "sessions")).items[0].lines


def test_one_members_change_leaves_the_others_kept(app: App, run: Run) -> None:
    """A first booking saves the member's choices: that member is read again, and nobody
    else is (a busy bot would otherwise read every member again after each)."""
    first = schedule(run, '"Weekly circle" 2026-12-03 14:00 repeat="weekly x3"')
    for name in ("ann", "bob", "ann", "bob"):
        ok(run(name, "sessions"))
    ok(run("ann", "timezone Asia/Tokyo"))
    ok(run("ann", f"signup {first}"))
    with statements(app.community.db) as traced:
        ok(run("bob", "sessions"))
    assert not [s for s in traced if "FROM members" in s], traced
    assert "Asia/Tokyo" in ok(run("ann", "sessions")).text
