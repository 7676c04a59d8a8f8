"""Suite-wide settings, and the fixtures most folders share (built from `tests/helpers.py`).

Tests mirror the packages they test, one folder a part of the house: `adapters/`, `cli/`,
`commands/`, `content/`, `domain/`, `report/`, `scheduling/`, `storage/`, `web/`; the
architecture test and the benchmark smoke test stand at the top.

`COPBOT_TEST_SHIFT_DAYS=N` runs the whole suite with the process's wall clock moved N days
ahead (time-machine patches `time.time` and `datetime.now`; monotonic time is untouched, so
asyncio's timers behave). CI runs the suite once as it is and once shifted 540 days: a test
that quietly depends on today's date fails the second pass.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.config import SECRET_ENV
from bot.domain.clock import FakeClock
from bot.storage.members import Member
from tests.fakes.fake_slack import FakeSlack
from tests.helpers import NOW, Run, actor, build_app, runner

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
_PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk reads *_PROXY env vars and ignores NO_PROXY, so 127.0.0.1 would be proxied;
    no test reaches beyond this machine, so none needs a proxy."""
    for var in _PROXY_VARS:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    """Slack's Web API and Socket Mode, faked on 127.0.0.1."""
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> Iterator[App]:
    """A fresh community on its own database and the test's clock."""
    built = build_app(tmp_path, clock)
    yield built
    built.close()


@pytest.fixture
def run(app: App) -> Run:
    """Type a line as a console user: `run("alice", "signup 1")`."""
    return runner(app)


@pytest.fixture
def member(app: App) -> Callable[[str], Member]:
    """The stored member for a console name (registered if new)."""

    def find(name: str) -> Member:
        return app.community.register(actor(name))

    return find


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run `copbot` as an operator would: in an empty folder, with no tokens set."""
    monkeypatch.chdir(tmp_path)
    for name in SECRET_ENV:
        monkeypatch.delenv(name, raising=False)
    return tmp_path
