"""The bot's own messages: DMs and channel posts through the courier, and what failures mean."""

from __future__ import annotations

import asyncio
import socket
import time
from datetime import timedelta

import pytest

from bot.adapters.slack import SlackAdapter
from bot.app import App
from bot.domain.context import Actor, Reply
from bot.frontend import SendFailed
from bot.scheduling.courier import FOUND_ALREADY, Courier
from bot.scheduling.notices import Notices
from tests.adapters.conftest import add_session, cop, make_adapter, texts
from tests.fakes.fake_slack import FakeSlack


def member(app: App, user: str) -> int:
    return app.community.register(Actor("slack", user, f"user-{user.lower()}")).id


def notify(app: App, user: str, text: str = "Hello") -> str:
    """Queue one notice for `user`; returns its ledger key."""
    member_id = member(app, user)
    Notices(app.community).notify([member_id], "notice", Reply(text))
    [delivery] = [d for d in app.community.deliveries.with_status("pending") if d.member_id]
    return delivery.key


async def test_a_promotion_and_an_announcement_go_out(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    session = add_session(app, capacity=1)
    await cop(slack, f"signup {session}", user="U1")
    await cop(slack, f"signup {session}", user="U2")  # waitlisted
    await cop(slack, f"cancel {session}", user="U1")  # U2 is promoted

    sent = await Courier(app.community, adapter).flush()

    assert sent == 2
    [opened] = slack.calls_to("conversations.open")
    assert opened.params["users"] == "U2"
    announce, promoted = sorted(
        slack.calls_to("chat.postMessage"), key=lambda c: c.params["channel"]
    )
    assert announce.params["channel"] == "C1" and "New session: Circle" in announce.params["text"]
    assert promoted.params["channel"] == "DU2"
    assert "a place has opened up" in promoted.params["text"]
    assert "a place has opened up" in texts(promoted.params["blocks"])
    assert promoted.params["unfurl_links"] is False
    assert not app.community.deliveries.with_status("pending")


async def test_the_dm_channel_is_opened_once_per_member(slack: FakeSlack, app: App) -> None:
    adapter = make_adapter(app)
    found = app.community.members.get(member(app, "U3"))
    assert found is not None

    await adapter.send_to_member(found, Reply("one"))
    await adapter.send_to_member(found, Reply("two"))

    assert len(slack.calls_to("conversations.open")) == 1
    assert len(slack.calls_to("chat.postMessage")) == 2


async def test_a_rate_limit_is_waited_out_then_sent(slack: FakeSlack, app: App) -> None:
    key = notify(app, "U4")
    slack.script(
        "chat.postMessage",
        {"ok": False, "error": "ratelimited"},
        status=429,
        headers={"Retry-After": "0"},
    )

    await Courier(app.community, make_adapter(app)).flush()

    assert len(slack.calls_to("chat.postMessage")) == 2
    assert app.community.deliveries.get(key).status == "sent"  # type: ignore[union-attr]


async def test_a_rate_limit_that_outlasts_the_retries_is_tried_later(
    slack: FakeSlack, app: App
) -> None:
    key = notify(app, "U4")
    slack.script(
        "chat.postMessage",
        {"ok": False, "error": "ratelimited"},
        status=429,
        headers={"Retry-After": "30"},
    )

    await Courier(app.community, make_adapter(app, rate_limit_retries=0)).flush()

    delivery = app.community.deliveries.get(key)
    assert delivery is not None and delivery.status == "pending"
    assert "rate limit" in delivery.reason
    assert (delivery.due - app.community.clock.now()).total_seconds() == 30


async def test_not_in_channel_is_recorded_as_failed(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    add_session(app)
    slack.set_default("chat.postMessage", {"ok": False, "error": "not_in_channel"})

    await Courier(app.community, adapter).flush()

    delivery = app.community.deliveries.get("announce:1")
    assert delivery is not None and delivery.status == "failed"
    assert "not a member of the channel" in delivery.reason and "/invite" in delivery.reason


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("cannot_dm_bot", "bot"),
        ("user_not_found", "not found"),
        ("account_inactive", "deactivated"),
        ("user_disabled", "disabled"),
        ("channel_not_found", "not found"),
        ("is_archived", "archived"),
    ],
)
async def test_permanent_errors_are_readable(
    slack: FakeSlack, app: App, error: str, words: str
) -> None:
    key = notify(app, "U5")
    slack.set_default("chat.postMessage", {"ok": False, "error": error})

    await Courier(app.community, make_adapter(app)).flush()

    delivery = app.community.deliveries.get(key)
    assert delivery is not None and delivery.status == "failed"
    assert words in delivery.reason and error in delivery.reason


async def test_a_server_error_is_transient(slack: FakeSlack, app: App) -> None:
    found = app.community.members.get(member(app, "U5"))
    assert found is not None
    slack.script("chat.postMessage", {"ok": False, "error": "fatal_error"}, status=500)

    with pytest.raises(SendFailed) as failed:
        await make_adapter(app).send_to_member(found, Reply("hi"))

    assert not failed.value.permanent


async def test_no_connection_is_transient(app: App) -> None:
    found = app.community.members.get(member(app, "U5"))
    assert found is not None
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there

    with pytest.raises(SendFailed) as failed:
        await make_adapter(app, base_url=f"http://127.0.0.1:{port}/api/").send_to_member(
            found, Reply("hi")
        )

    assert not failed.value.permanent and "could not reach Slack" in failed.value.reason


async def test_a_member_of_another_platform_is_refused(app: App) -> None:
    console = app.community.register(Actor("console", "ann", "ann"))

    with pytest.raises(SendFailed) as failed:
        await make_adapter(app).send_to_member(console, Reply("hi"))

    assert failed.value.permanent


async def test_only_the_replys_own_mentions_ping(slack: FakeSlack, app: App) -> None:
    found = app.community.members.get(member(app, "U6"))
    assert found is not None

    await make_adapter(app).send_to_member(
        found, Reply("See <@U999> and <!channel>", mentions=("U42",))
    )

    [posted] = slack.calls_to("chat.postMessage")
    text = posted.params["text"]
    assert text.startswith("<@U42> ")
    assert "&lt;@U999&gt;" in text and "&lt;!channel&gt;" in text and "<!channel>" not in text


async def test_an_announcement_channel_given_by_name_is_found(slack: FakeSlack, app: App) -> None:
    slack.set_default(
        "conversations.list",
        {
            "ok": True,
            "channels": [{"id": "C5", "name": "general"}, {"id": "C9", "name": "cop-news"}],
            "response_metadata": {"next_cursor": ""},
        },
    )
    adapter = make_adapter(app)

    await adapter.post("#cop-news", Reply("one"))
    await adapter.post("cop-news", Reply("two"))

    assert [c.params["channel"] for c in slack.calls_to("chat.postMessage")] == ["C9", "C9"]
    assert len(slack.calls_to("conversations.list")) == 1


async def test_commands_are_answered_while_a_wave_waits_out_a_rate_limit(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    key = notify(app, "U4")
    slack.script(
        "chat.postMessage",
        {"ok": False, "error": "ratelimited"},
        status=429,
        headers={"Retry-After": "1"},
    )
    wave = asyncio.create_task(Courier(app.community, adapter).flush())
    await slack.wait_for_call("chat.postMessage")  # the wave is now waiting out Retry-After

    started = time.monotonic()
    body = await cop(slack, "help")
    answered = time.monotonic() - started
    await wave

    assert "/cop sessions" in body["text"] and answered < 0.9
    assert app.community.deliveries.get(key).status == "sent"  # type: ignore[union-attr]


async def a_post_that_times_out(slack: FakeSlack, app: App, *, lands: bool) -> tuple[str, Courier]:
    """One notice whose chat.postMessage gets no answer before the courier's timeout; it
    reaches the conversation or not (`lands`). Returns its key and the courier, whose next
    flush is the retry, with Slack answering promptly again."""
    key = notify(app, "U7")
    courier = Courier(app.community, make_adapter(app))
    courier.send_timeout = 0.3
    slack.delay("chat.postMessage", 1.5)
    if not lands:  # taken in, then lost: Slack answers an error the courier never hears
        slack.refuse_channel("DU7", "internal_error")

    assert await courier.flush() == 0

    row = app.community.deliveries.get(key)
    assert row is not None and (row.status, row.unsure) == ("pending", True)
    assert "may have arrived" in row.reason
    slack.delay("chat.postMessage", 0)
    slack.allow_channel("DU7")
    app.community.clock.advance(timedelta(minutes=2))  # type: ignore[attr-defined]
    return key, courier


async def test_a_post_that_timed_out_but_landed_is_found_and_not_sent_again(
    slack: FakeSlack, app: App
) -> None:
    key, courier = await a_post_that_times_out(slack, app, lands=True)

    assert await courier.flush() == 1

    assert len(slack.calls_to("chat.postMessage")) == 1
    assert [m["text"] for m in slack.history["DU7"]] == ["Hello"]
    [looked] = slack.calls_to("conversations.history")
    assert looked.params["channel"] == "DU7"
    assert str(looked.params["include_all_metadata"]).lower() in ("1", "true")
    row = app.community.deliveries.get(key)
    assert row is not None and (row.status, row.reason) == ("sent", FOUND_ALREADY)


async def test_a_post_that_timed_out_and_was_lost_is_sent_once_more(
    slack: FakeSlack, app: App
) -> None:
    key, courier = await a_post_that_times_out(slack, app, lands=False)

    assert await courier.flush() == 1

    assert len(slack.calls_to("chat.postMessage")) == 2
    [message] = slack.history["DU7"]  # exactly one message in the member's DM
    assert message["metadata"] == {"event_type": "copbot_delivery", "event_payload": {"key": key}}
    row = app.community.deliveries.get(key)
    assert row is not None and (row.status, row.reason) == ("sent", "")
