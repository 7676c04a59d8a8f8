"""A community with the web pages switched on, and an aiohttp test client talking to them
over real HTTP on 127.0.0.1; members and the planner type commands as on the console."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.config import Config, WebConfig
from bot.domain.clock import FakeClock
from bot.domain.context import Actor, Reply
from bot.web.limit import RateLimit
from bot.web.server import WebSite
from tests.helpers import Run

BASE_URL = "https://calendar.example.org"
_LINK = re.compile(r"https://calendar\.example\.org(/calendar/[A-Za-z0-9_-]+\.ics)")


def build_web_app(tmp_path: Path, clock: FakeClock, **web: Any) -> App:
    config = Config(
        database=tmp_path / "t.db",
        web=WebConfig(**{"base_url": BASE_URL, "public": True, **web}),
    )
    return App.build(config, clock)


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> Iterator[App]:
    """The suite's app with the web pages switched on."""
    built = build_web_app(tmp_path, clock)
    yield built
    built.close()


@pytest.fixture
def run(app: App) -> Run:
    """Type a line as a console user, whose display name is their name capitalised."""

    def run_line(name: str, line: str) -> Reply:
        actor = Actor("console", name, f"{name.capitalize()} Testname")
        reply = app.dispatcher.handle_line(actor, line)
        return reply

    return run_line


@pytest.fixture
def site(app: App) -> WebSite:
    return WebSite(app.community, RateLimit(per_minute=6000, burst=1000))


@pytest.fixture
async def client(site: WebSite) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(site.application(), host="127.0.0.1")) as test_client:
        yield test_client


def link_path(reply: Reply) -> str:
    """The path of the https address a `calendar link` reply gave (and check the webcal one)."""
    found = _LINK.search(reply.text)
    assert found, reply.text
    assert f"webcal://calendar.example.org{found[1]}" in reply.text
    return found[1]
