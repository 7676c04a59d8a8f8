"""The schedule form under a slow Slack: acknowledged at once, and one session per form."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.slack import SlackAdapter
from bot.app import App
from bot.config import PlanningGroup
from bot.domain.clock import FakeClock
from bot.scheduling.courier import Courier
from tests.adapters.conftest import (
    NOW,
    PLANNER,
    buttons,
    click,
    make_adapter,
    make_config,
    texts,
)
from tests.adapters.test_slack_interactive import form
from tests.fakes.fake_slack import FakeSlack

SLOW = 2.5  # seconds usergroups.users.list takes; the ack must not wait for it


@pytest.fixture
async def grouped(tmp_path: Path, slack: FakeSlack) -> AsyncIterator[tuple[App, SlackAdapter]]:
    """The planner is known only through a user group, whose lookup is slow."""
    group = PlanningGroup(slack_usergroup="S1")
    app = App.build(make_config(tmp_path, slack, planning_group=group), FakeClock(NOW))
    slack.set_default("usergroups.users.list", {"ok": True, "users": [PLANNER]})
    adapter = make_adapter(app)
    await adapter.start()
    slack.delay("usergroups.users.list", SLOW)
    yield app, adapter
    await adapter.stop()
    app.close()


def sessions(app: App) -> int:
    return len(app.community.sessions.upcoming(app.community.clock.now(), 10))


def previews(app: App) -> int:
    return int(app.community.db.execute("SELECT count(*) FROM schedule_previews").fetchone()[0])


async def test_the_form_is_acknowledged_before_the_planner_is_looked_up(
    slack: FakeSlack, grouped: tuple[App, SlackAdapter]
) -> None:
    app, _ = grouped
    payload = slack.view_submission_payload("cop:schedule", form(), user_id=PLANNER)

    ack = await slack.send_envelope("interactive", payload, True, timeout=SLOW - 1)
    [updated] = await slack.wait_for_call("views.update", timeout=SLOW + 3)

    assert ack["payload"]["response_action"] == "update"
    assert "one moment" in texts(ack["payload"]["view"])
    assert updated.params["view_id"] == payload["view"]["id"]
    assert "exactly what will be posted" in texts(updated.params["view"])
    assert (previews(app), sessions(app)) == (1, 0)  # nothing until Schedule it


async def test_pressing_submit_twice_schedules_one_session(
    slack: FakeSlack, grouped: tuple[App, SlackAdapter]
) -> None:
    app, adapter = grouped
    payload = slack.view_submission_payload("cop:schedule", form(), user_id=PLANNER)

    first, second = await asyncio.gather(
        slack.send_envelope("interactive", payload, True),
        slack.send_envelope("interactive", payload, True),
    )
    await slack.wait_for_call("views.update", timeout=SLOW + 3)
    again = await slack.send_envelope("interactive", payload, True)  # after it was done
    [preview] = await slack.wait_for_call("chat.postMessage")
    [confirm] = [b["value"] for b in buttons(preview.params) if b["text"]["text"] == "Schedule it"]
    await click(slack, confirm, user=PLANNER)
    await Courier(app.community, adapter).flush()

    assert (previews(app), sessions(app)) == (1, 1)
    acks = [texts(a["payload"]["view"]) for a in (first, second, again)]
    assert sum("already been sent" in a for a in acks) == 2
    assert len([c for c in slack.calls_to("chat.postMessage") if c.params["channel"] == "C1"]) == 1


async def test_a_restart_remembers_a_sent_form(
    tmp_path: Path, slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    payload = slack.view_submission_payload("cop:schedule", form(), user_id=PLANNER)
    await slack.send_envelope("interactive", payload, True)
    await slack.wait_for_call("views.update")
    await adapter.stop()

    restarted = make_adapter(app)
    await restarted.start()
    ack = await slack.send_envelope("interactive", payload, True)
    await restarted.stop()

    assert "already been sent" in texts(ack["payload"]["view"])
    assert (previews(app), sessions(app)) == (1, 0)
