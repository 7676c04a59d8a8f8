"""Shared wiring for the Slack adapter's wire-level tests: a real bolt app against FakeSlack.

Each test gets a fresh database, a frozen clock (Wednesday 25 November 2026, 09:00 UTC),
a FakeSlack on 127.0.0.1 and, through `adapter`, a started SlackAdapter on Socket Mode.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.slack import SlackAdapter
from bot.app import App
from bot.config import Config, PlanningGroup, Secrets
from bot.domain.clock import FakeClock
from bot.domain.context import Actor, Reply
from tests.fakes.fake_slack import FakeSlack
from tests.helpers import scheduled

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PLANNER = "UPLAN"
SIGNING_SECRET = "s3cret"
# The SDK pings every ping_interval; 0.3 s notices a dropped socket quickly.
PING_INTERVAL = 0.3
Json = dict[str, Any]


@pytest.fixture(autouse=True)
def _no_tokens_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The adapters under test take their tokens from the config the test builds."""
    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(var, raising=False)


def make_config(tmp_path: Path, slack: FakeSlack, **overrides: Any) -> Config:
    fields: dict[str, Any] = {
        "database": tmp_path / "t.db",
        "slack_api_url": slack.api_url,
        "announce_channel": "C1",
        "planning_group": PlanningGroup(slack_users=(PLANNER,)),
        "secrets": Secrets(
            slack_bot_token="xoxb-test",
            slack_app_token="xapp-test",
            slack_signing_secret=SIGNING_SECRET,
        ),
    }
    return Config(**{**fields, **overrides})


@pytest.fixture
def config(tmp_path: Path, slack: FakeSlack) -> Config:
    return make_config(tmp_path, slack)


@pytest.fixture
def app(config: Config) -> Iterator[App]:
    built = App.build(config, FakeClock(NOW))
    yield built
    built.close()


def make_adapter(app: App, **options: Any) -> SlackAdapter:
    defaults = {
        "send_interval": 0.0,
        "ping_interval": PING_INTERVAL,
        "reply_retry_delays": (0.01,) * 2,
    }
    return SlackAdapter(app.parts(), **{**defaults, **options})


@pytest.fixture
async def adapter(app: App, slack: FakeSlack) -> AsyncIterator[SlackAdapter]:
    started = make_adapter(app)
    await started.start()
    await slack.wait_connected()
    yield started
    await started.stop()


def plan(app: App, line: str) -> Reply:
    """Run a line as the planner, straight through the dispatcher (no Slack involved)."""
    return app.dispatcher.handle_line(Actor("slack", PLANNER, "Planner"), line)


def add_session(app: App, title: str = "Circle", capacity: int = 2) -> int:
    line = f'"{title}" 2026-12-03 14:00 90m CONNECT {capacity} Civic Hall'
    scheduled(lambda who, typed: plan(app, typed), line)
    return app.community.sessions.upcoming(NOW, 100)[-1].id


async def cop(slack: FakeSlack, text: str, user: str = "U1", name: str | None = None) -> Json:
    """Type `/cop <text>` as `user` over Socket Mode; the body posted to its response_url."""
    label = f"slash-{len(slack.envelopes)}"
    payload = slack.slash_payload(
        text, user_id=user, response_url=slack.response_url(label), user_name=name
    )
    ack = await slack.send_envelope("slash_commands", payload)
    assert "payload" not in ack  # acknowledged empty, before any work
    [body] = await slack.wait_for_response(label)
    return body


async def click(slack: FakeSlack, value: str, user: str = "U1", *, home: bool = False) -> Json:
    """Press a button whose value is `value`; from a message unless `home`."""
    label = f"click-{len(slack.envelopes)}"
    payload = slack.block_action_payload(
        "cop:1",
        value,
        user_id=user,
        channel_id=None if home else "C1",
        response_url=None if home else slack.response_url(label),
    )
    await slack.send_envelope("interactive", payload)
    if home:
        return {}
    [body] = await slack.wait_for_response(label)
    return body


def texts(node: Any) -> str:
    """Every `text` string in a message or view, joined: what a person would read."""
    if isinstance(node, dict):
        parts = [v if k == "text" and isinstance(v, str) else texts(v) for k, v in node.items()]
        return "\n".join(p for p in parts if p)
    if isinstance(node, list):
        return "\n".join(p for p in (texts(v) for v in node) if p)
    return ""


def buttons(node: Any) -> list[Json]:
    """Every button element in blocks, in order."""
    if isinstance(node, dict):
        found = [node] if node.get("type") == "button" else []
        return found + [b for v in node.values() for b in buttons(v)]
    if isinstance(node, list):
        return [b for v in node for b in buttons(v)]
    return []


async def eventually(predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


def allow_uploads(slack: FakeSlack) -> None:
    """The two Web API methods of files_upload_v2; the bytes go to a response_url."""
    slack.set_default(
        "files.getUploadURLExternal",
        {"ok": True, "upload_url": slack.response_url("upload"), "file_id": "F1"},
    )
    slack.set_default(
        "files.completeUploadExternal", {"ok": True, "files": [{"id": "F1", "title": "file"}]}
    )
