"""An announcement Slack refuses: the planner is told why, and it goes out once put right."""

from __future__ import annotations

import pytest

from bot.adapters.slack import SlackAdapter
from bot.app import App
from bot.scheduling.courier import Courier
from tests.adapters.conftest import (
    PLANNER,
    buttons,
    click,
    cop,
    eventually,
    make_adapter,
    texts,
)
from tests.fakes.fake_slack import BOT_USER_ID, FakeSlack

SCHEDULE = 'schedule "Circle" 2026-12-03 14:00 90m CONNECT 20 Civic Hall'


def status(app: App, key: str = "announce:1") -> str:
    delivery = app.community.deliveries.get(key)
    assert delivery is not None
    return delivery.status


def posts_to(slack: FakeSlack, channel: str) -> list[str]:
    return [
        texts(c.params)
        for c in slack.calls_to("chat.postMessage")
        if c.params["channel"] == channel
    ]


async def schedule_and_send(slack: FakeSlack, app: App, adapter: SlackAdapter) -> str:
    """Schedule as the planner (the preview, then Schedule it), then run the courier twice:
    the post, then any notice."""
    preview = await cop(slack, SCHEDULE, user=PLANNER)
    [confirm] = [b["value"] for b in buttons(preview) if b["text"]["text"] == "Schedule it"]
    answer = await click(slack, confirm, user=PLANNER)
    courier = Courier(app.community, adapter)
    await courier.flush()
    await courier.flush()
    return texts(answer)


@pytest.mark.parametrize(
    ("error", "said"),
    [("not_in_channel", "not a member of the channel"), ("channel_not_found", "not found")],
)
async def test_the_planner_is_told_when_the_announcement_is_refused(
    slack: FakeSlack, app: App, adapter: SlackAdapter, error: str, said: str
) -> None:
    slack.refuse_channel("C1", error)

    answer = await schedule_and_send(slack, app, adapter)

    assert "has been announced" not in answer and "let you know" in answer
    assert status(app) == "failed"
    [told] = posts_to(slack, "DUPLAN")
    assert "#1 Circle" in told and "hasn't been posted" in told and said in told
    assert len(posts_to(slack, "C1")) == 1  # the one refused try, not repeated


async def test_inviting_the_bot_sends_the_announcement(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    slack.refuse_channel("C1")
    await schedule_and_send(slack, app, adapter)
    someone = {"type": "member_joined_channel", "user": "U9", "channel": "C1"}
    await slack.send_envelope("events_api", slack.event_payload(someone))
    assert status(app) == "failed"  # another member joining changes nothing

    slack.allow_channel("C1")
    joined = {"type": "member_joined_channel", "user": BOT_USER_ID, "channel": "C1"}
    await slack.send_envelope("events_api", slack.event_payload(joined))
    await eventually(lambda: status(app) == "pending")
    await Courier(app.community, adapter).flush()

    assert status(app) == "sent"
    refused, announced = posts_to(slack, "C1")
    assert "New session: Circle" in announced


async def test_a_restart_with_the_channel_fixed_sends_it(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    slack.refuse_channel("C1", "channel_not_found")
    await schedule_and_send(slack, app, adapter)
    await adapter.stop()
    slack.allow_channel("C1")

    restarted = make_adapter(app)
    await restarted.start()
    await Courier(app.community, restarted).flush()
    await restarted.stop()

    assert status(app) == "sent" and len(posts_to(slack, "C1")) == 2  # refused, then sent


async def test_an_announcement_for_a_cancelled_session_is_not_retried(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    slack.refuse_channel("C1")
    await schedule_and_send(slack, app, adapter)
    await cop(slack, "cancel-session 1 one Moved", user=PLANNER)
    slack.allow_channel("C1")

    joined = {"type": "channel_unarchive", "channel": "C1", "user": BOT_USER_ID}
    await slack.send_envelope("events_api", slack.event_payload(joined))
    await Courier(app.community, adapter).flush()

    assert status(app) == "failed" and len(posts_to(slack, "C1")) == 1


async def test_a_channel_fixed_without_an_event_is_noticed_by_looking_again(
    slack: FakeSlack, app: App
) -> None:
    outside = {"ok": True, "channel": {"id": "C1", "is_member": False}}
    slack.set_default("conversations.info", outside)
    slack.refuse_channel("C1")
    adapter = make_adapter(app, channel_recheck=0.05)
    await adapter.start()
    try:
        await schedule_and_send(slack, app, adapter)
        looked = len(slack.calls_to("conversations.info"))
        await slack.wait_for_call("conversations.info", looked + 2)
        assert status(app) == "failed"  # still outside: left alone

        slack.set_default(
            "conversations.info", {"ok": True, "channel": {"id": "C1", "is_member": True}}
        )
        slack.allow_channel("C1")
        await eventually(lambda: status(app) == "pending")
        await Courier(app.community, adapter).flush()
    finally:
        await adapter.stop()

    assert status(app) == "sent"


async def test_the_planner_is_told_once_however_often_it_is_retried(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    slack.refuse_channel("C1", "restricted_action")  # the channel looks fine, posting is not
    await schedule_and_send(slack, app, adapter)

    courier = Courier(app.community, adapter)
    for _ in range(2):
        await adapter.watch.check("copbot")
        await courier.flush()
        await courier.flush()

    assert len(posts_to(slack, "C1")) == 3 and status(app) == "failed"
    assert len(posts_to(slack, "DUPLAN")) == 1
