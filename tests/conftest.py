"""Suite-wide settings.

`COPBOT_TEST_SHIFT_DAYS=N` runs the whole suite with the process's wall clock moved N days
ahead (time-machine patches `time.time` and `datetime.now`; monotonic time is untouched, so
asyncio's timers behave). CI runs the suite once as it is and once shifted 540 days: a test
that quietly depends on today's date fails the second pass.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

_SHIFT_VARIABLE = "COPBOT_TEST_SHIFT_DAYS"


def pytest_configure(config: pytest.Config) -> None:
    days = os.environ.get(_SHIFT_VARIABLE, "").strip()
    if not days:
        return
    import time_machine

    traveller = time_machine.travel(datetime.now(UTC) + timedelta(days=int(days)), tick=True)
    traveller.start()
    config.stash[_traveller_key] = traveller


def pytest_report_header(config: pytest.Config) -> str | None:
    days = os.environ.get(_SHIFT_VARIABLE, "").strip()
    return f"wall clock moved {days} days ahead ({_SHIFT_VARIABLE})" if days else None


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_traveller_key, None)
    if traveller is not None:
        traveller.stop()


_traveller_key = pytest.StashKey["time_machine.travel"]()
