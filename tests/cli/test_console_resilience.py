"""The console keeps going: a database error in a tick, or a line that isn't UTF-8."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from bot.adapters.console import ConsoleAdapter
from bot.app import App, run_console
from bot.domain.clock import SystemClock
from bot.scheduling.runtime import Runtime
from tests.cli.conftest import copbot


async def test_a_database_error_during_a_tick_is_one_log_line_and_the_console_goes_on(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    class WritesStopAtTheClock(io.StringIO):
        """Input whose `/clock` line first turns the database read-only, as a failing disk."""

        def readline(self, size: int | None = -1) -> str:
            line = super().readline()
            if line.startswith("/clock"):
                app.community.db.execute("PRAGMA query_only = ON")
            return line

    out = io.StringIO()
    with caplog.at_level(logging.ERROR):
        await run_console(app, WritesStopAtTheClock("/cop help\n/clock +1d\n/cop sessions\n"), out)
    text = out.getvalue()
    assert "organiser> /cop sessions" in text
    assert "There are no sessions planned just now" in text.split("/cop sessions")[-1]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors, "the failed tick was logged"
    for record in errors:
        message = record.getMessage()
        assert "\n" not in message and record.exc_info is None
        assert str(app.config.database) in message and "carries on" in message


async def test_clock_on_the_real_clock_says_why_it_cannot_move(app: App) -> None:
    out = io.StringIO()
    await run_console(app_on_real_clock(app), io.StringIO("/clock +1d\n"), out)
    assert "runs on the real clock" in out.getvalue()
    assert "--simulated-clock" in out.getvalue()


def app_on_real_clock(app: App) -> App:
    app.community.clock = SystemClock()
    return app


async def test_a_line_that_is_not_utf8_is_refused_kindly_and_the_next_is_answered(
    app: App,
) -> None:
    raw = io.BytesIO(b"/cop sessions caf\xe9\n/cop help\n")
    stream = io.TextIOWrapper(raw, encoding="utf-8")
    out = io.StringIO()
    await run_console(app, stream, out)
    text = out.getvalue()
    assert "isn't UTF-8" in text
    assert "Here is what you can ask me" in text


def test_non_utf8_bytes_piped_into_a_real_console(scratch: Path) -> None:
    done = copbot(scratch, "run", stdin=b"/as Ren\xe9e\n/cop help\n")
    assert done.returncode == 0, done.stderr.decode()
    out = done.stdout.decode()
    assert "isn't UTF-8" in out and "Here is what you can ask me" in out
    assert b"Traceback" not in done.stderr


async def test_the_scheduled_tick_on_the_real_clock_logs_a_database_error_in_one_line(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    app.community.clock = SystemClock()
    runtime = Runtime(app.community, ConsoleAdapter(app.parts()))
    await runtime.start()
    try:
        job = runtime.scheduler.get_job("tick") if runtime.scheduler else None
        assert job is not None
        app.community.db.execute("PRAGMA query_only = ON")
        with caplog.at_level(logging.ERROR):
            await job.func()  # what APScheduler runs every 30 seconds
    finally:
        runtime.stop()
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.exc_info is None and "\n" not in record.getMessage()
    assert str(app.config.database) in record.getMessage()
