"""`CalendarChanges`: which session each move of the calendar mark was for, or "unknown"."""

from __future__ import annotations

from bot.storage.calendar_changes import CalendarChanges


def test_the_sessions_since_a_mark_are_those_noted_after_it() -> None:
    changes = CalendarChanges()
    changes.note(4, 10)
    changes.note(5, 11)
    changes.note(6, 10)
    assert changes.since(3, 6) == {10, 11}
    assert changes.since(5, 6) == {10}
    assert changes.since(6, 6) == set()


def test_a_mark_not_noted_here_makes_the_answer_unknown() -> None:
    changes = CalendarChanges()
    changes.note(4, 10)
    changes.note(6, 10)  # mark 5 was moved by another process, or by a session's change
    assert changes.since(3, 6) is None
    assert changes.since(3, 4) == {10}
    assert changes.since(6, 5) is None  # the mark went back: nothing known


def test_a_mark_noted_twice_names_both_sessions() -> None:
    """A change rolled back after its note leaves the mark for the next change to take."""
    changes = CalendarChanges()
    changes.note(4, 10)  # rolled back
    changes.note(4, 11)
    assert changes.since(3, 4) == {10, 11}


def test_old_notes_are_forgotten_and_then_unknown() -> None:
    changes = CalendarChanges(limit=3)
    for mark in range(1, 6):
        changes.note(mark, 10)
    assert changes.since(2, 5) == {10}
    assert changes.since(1, 5) is None  # mark 2 is no longer remembered
    assert changes.since(0, 5) is None
