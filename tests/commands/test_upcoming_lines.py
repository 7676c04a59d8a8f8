"""`upcoming-posts` writes out only the lines it shows, and each still counts every copy
that shares its minute on the community's clock, even one a clock change later."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from commands.posts import SHOWN, _shown_lines

LONDON = ZoneInfo("Europe/London")
# The clocks go back at 02:00 BST on 25 October 2026: 01:30 comes twice, an hour apart.
FIRST_ONE_THIRTY = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_minute_that_comes_twice_is_one_line_even_at_the_end_of_the_listing() -> None:
    counted: Counter[tuple[datetime, str]] = Counter()
    for n in range(SHOWN - 1):  # the lines before, one a minute up to 01:29 BST
        counted[(FIRST_ONE_THIRTY - timedelta(minutes=SHOWN - 1 - n), "reminder")] = 1
    counted[(FIRST_ONE_THIRTY, "reminder")] = 5  # the last line shown: 01:30
    counted[(FIRST_ONE_THIRTY + timedelta(minutes=10), "soon")] = 1  # not shown
    counted[(FIRST_ONE_THIRTY + timedelta(hours=1, seconds=20), "reminder")] = 7  # 01:30 again
    counted[(FIRST_ONE_THIRTY + timedelta(days=2), "reminder")] = 9  # not shown
    lines = _shown_lines(counted, LONDON)
    assert len(lines) == SHOWN
    assert list(lines.items())[-1] == (("Sun 25 Oct 2026, 01:30", "reminder"), 12)
    assert sum(lines.values()) == SHOWN - 1 + 12


def test_fewer_times_than_a_listing_holds_are_all_shown_in_order() -> None:
    soon = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    counted = Counter(
        {
            (soon + timedelta(days=1), "prompt"): 1,
            (soon, "reminder"): 3,
            (soon + timedelta(seconds=30), "reminder"): 2,
            (soon, "soon"): 1,
        }
    )
    assert list(_shown_lines(counted, LONDON).items()) == [
        (("Tue 24 Nov 2026, 09:00", "reminder"), 5),
        (("Tue 24 Nov 2026, 09:00", "soon"), 1),
        (("Wed 25 Nov 2026, 09:00", "prompt"), 1),
    ]
