"""Fixtures for the Discord adapter tests, imported explicitly by the test modules."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.adapters.discord_ import DiscordAdapter
from bot.app import App
from bot.config import Config, PlanningGroup, Secrets
from bot.domain.clock import FakeClock
from bot.domain.context import Actor
from tests.fakes.fake_discord import FakeDiscord
from tests.helpers import scheduled

SCHEDULE = '/cop schedule "Circle" 2026-12-03 14:00 90m CONNECT 2 Civic Hall'


@pytest.fixture
async def dc() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield fake
    assert wordless(fake) == [], "every Discord message must carry its meaning in plain text"


def wordless(fake: FakeDiscord) -> list[dict[str, object]]:
    """Messages the bot made whose plain text is empty: with link previews off (an
    accessibility setting) an embed-only message shows nothing, and screen readers and
    notifications read only the text. Edits that change buttons alone are not new messages."""
    made = [
        m.payload for m in (*fake.messages, *fake.followups) if m.kind in ("channel", "followup")
    ]
    answers = [cb.data or {} for cb in fake.callbacks if cb.type == 4]
    return [body for body in (*made, *answers) if not str(body.get("content") or "").strip()]


def build_app(tmp_path: Path, dc: FakeDiscord, db: str = "t.db", **overrides: Any) -> App:
    """An app configured for the fake's server, with any config fields changed."""
    fields: dict[str, Any] = {
        "database": tmp_path / db,
        "announce_channel": str(dc.channel_id),
        "discord_guild_id": str(dc.guild_id),
        "planning_group": PlanningGroup(discord_role=str(dc.role_id)),
        "secrets": Secrets(discord_token="fake-token"),
    }
    config = Config(**{**fields, **overrides})
    return App.build(config, FakeClock(datetime(2026, 11, 25, 9, tzinfo=UTC)))


def set_bot_permissions(dc: FakeDiscord, on: bool, *names: str) -> None:
    """Grant (or take away) permissions on the role Discord made for the bot."""
    role = dc.roles[dc.bot_role_id]
    permissions = discord.Permissions(int(role["permissions"]))
    for name in names:
        setattr(permissions, name, on)
    role["permissions"] = str(permissions.value)


@pytest.fixture
def app(dc: FakeDiscord, tmp_path: Path) -> Iterator[App]:
    built = build_app(tmp_path, dc)
    yield built
    built.close()


def planner(dc: FakeDiscord) -> Actor:
    return Actor("discord", str(dc.user_id), "Planner", frozenset({str(dc.role_id)}))


def schedule(app: App, dc: FakeDiscord, line: str = SCHEDULE) -> int:
    """Schedule through the dispatcher as a planner; returns the new session's id."""
    run = app.dispatcher.handle_line
    scheduled(lambda who, typed: run(planner(dc), typed), line.removeprefix("/cop schedule "))
    return max(s.id for s in app.community.sessions.all())


@pytest.fixture
async def adapter(dc: FakeDiscord, app: App) -> AsyncIterator[DiscordAdapter]:
    built = DiscordAdapter(app.parts(), guild_ready_timeout=0.05)
    async with dc.run(built.client):
        await built.ready.wait()
        yield built
