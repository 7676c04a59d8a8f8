"""Which session each move of the calendar's change mark was for, as this process made it.

The calendar mark (`SessionStore.calendar_mark`) moves with every change to a place, so a
shared listing of sessions is read again after every booking anywhere in the calendar. Most
bookings are for sessions on no page anyone is reading: a listing that knows the marks since
it was read were all for other sessions can stand as it is, with no query at all.

Only this process's own changes are noted, in memory, after the mark moved in the change's
transaction. A mark with no note (a change by another process, a change to a session itself,
a note long forgotten) is unknown, and unknown means read again: a listing is never kept on a
guess. A transaction rolled back may leave a note for a mark the next change takes again;
notes for one mark add up, so the next change's note says both sessions, never fewer.
"""

from __future__ import annotations

from collections import OrderedDict

# Marks remembered: a listing read more than this many place changes ago is read again.
KEPT_MARKS = 1024


class CalendarChanges:
    """The sessions each recent calendar mark was moved for, by this process."""

    def __init__(self, limit: int = KEPT_MARKS) -> None:
        self.limit = limit
        self._sessions: OrderedDict[int, frozenset[int]] = OrderedDict()

    def note(self, mark: int, session_id: int) -> None:
        """The calendar mark became `mark` for a change to the places at `session_id`."""
        self._sessions[mark] = self._sessions.get(mark, frozenset()) | {session_id}
        self._sessions.move_to_end(mark)
        while len(self._sessions) > self.limit:
            self._sessions.popitem(last=False)

    def since(self, old: int, new: int) -> frozenset[int] | None:
        """The sessions whose places changed after mark `old` up to mark `new`, or None if
        any mark between is not known to be only a change of places here."""
        if new < old or new - old > self.limit:
            return None
        changed: frozenset[int] = frozenset()
        for mark in range(old + 1, new + 1):
            sessions = self._sessions.get(mark)
            if sessions is None:
                return None
            changed |= sessions
        return changed
