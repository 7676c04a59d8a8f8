"""CONNECT introductions on Slack's wire (Socket Mode): one group DM per group, and every
button in it answered for the person who pressed it and seen only by them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.adapters.slack import SlackAdapter
from bot.app import App
from bot.domain.context import Reply
from bot.scheduling.courier import FOUND_ALREADY, Courier
from bot.storage.members import Member
from tests.adapters.conftest import buttons, cop, plan, texts
from tests.fakes.fake_slack import FakeSlack

INTRO = "invited to a CONNECT conversation"
CHOICES = ("connect met", "connect cant", "connect not-again", "connect skip", "connect off")
Json = dict[str, Any]


def answers(app: App, round_id: int) -> dict[int, str]:
    rows = app.community.db.execute(
        "SELECT member_id, answer FROM connect_groups WHERE round_id = ?", [round_id]
    )
    return {int(member): str(answer) for member, answer in rows}


def round_of(values: list[str]) -> int:
    return int(values[0].split()[-1])


# ---------------------------------------------------------------------------------- Slack


async def slack_pair(slack: FakeSlack, app: App, adapter: SlackAdapter) -> tuple[Json, str]:
    """U1 (health) and U2 (education) ask, a round is made and sent: the one introduction
    posted, and the conversation it went to."""
    for user, sector in (("U1", "health"), ("U2", "education")):
        await cop(slack, f"sector {sector}", user=user)
        await cop(slack, "connect on", user=user)
    assert "1 introduction(s)" in plan(app, "/cop post-now connect").text
    await Courier(app.community, adapter).flush()
    [post] = [c for c in slack.calls_to("chat.postMessage") if INTRO in c.params["text"]]
    return post.params, str(post.params["channel"])


async def press(slack: FakeSlack, value: str, user: str, channel: str) -> Json:
    """Press a button on the message in `channel`; the body posted to its response_url."""
    label = f"press-{len(slack.envelopes)}"
    payload = slack.block_action_payload(
        "cop:1", value, user_id=user, channel_id=channel, response_url=slack.response_url(label)
    )
    await slack.send_envelope("interactive", payload)
    [body] = await slack.wait_for_response(label)
    return body


def member(app: App, user: str) -> Member:
    found = app.community.members.by_platform_id("slack", user)
    assert found is not None
    return found


async def test_slack_introduces_a_pair_in_one_group_dm(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    post, channel = await slack_pair(slack, app, adapter)

    opened = [c.params["users"] for c in slack.calls_to("conversations.open")]
    assert "U1,U2" in opened or "U2,U1" in opened
    assert channel.startswith("G")  # the group DM, not either member's own DM
    assert "user-u1 and user-u2" in post["text"] or "user-u2 and user-u1" in post["text"]
    assert "Health, Education" in texts(post["blocks"])
    values = [b["value"] for b in buttons(post["blocks"])]
    assert [v.rsplit(" ", 1)[0] if v[-1].isdigit() else v for v in values[:5]] == list(CHOICES)
    rows = app.community.db.execute_returning_dicts(
        "SELECT * FROM deliveries WHERE kind = ?", ["connect"]
    )
    assert len(rows) == 2 and {r["status"] for r in rows} == {"sent"}


async def test_slack_each_button_in_the_group_dm_answers_only_the_presser(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    post, channel = await slack_pair(slack, app, adapter)
    values = [b["value"] for b in buttons(post["blocks"])]
    round_id, u1, u2 = round_of(values), member(app, "U1"), member(app, "U2")
    posts_before = len(slack.calls_to("chat.postMessage"))

    met = await press(slack, values[0], "U1", channel)
    assert answers(app, round_id) == {u1.id: "met", u2.id: ""}
    cant = await press(slack, values[1], "U2", channel)
    assert answers(app, round_id) == {u1.id: "met", u2.id: "cant"}
    not_again = await press(slack, values[2], "U1", channel)
    assert app.community.connect.not_again() == [(u1.id, u2.id)]
    skip = await press(slack, values[3], "U1", channel)
    assert app.community.connect.skipping(u1.id) != ""
    assert app.community.connect.skipping(u2.id) == ""
    stop = await press(slack, values[4], "U2", channel)
    assert not app.community.connect.is_in(u2.id) and app.community.connect.is_in(u1.id)

    bodies = (met, cant, not_again, skip, stop)
    assert "Lovely, thank you" in texts(met) and "another round" in texts(cant)
    assert "won't be introduced to them again" in texts(not_again)
    assert "No introduction for you" in texts(skip) and "are off" in texts(stop)
    for body in bodies:  # seen only by whoever pressed, under the introduction, not over it
        assert body["response_type"] == "ephemeral" and body["replace_original"] is False
    assert len(slack.calls_to("chat.postMessage")) == posts_before  # nothing in the group DM


async def test_slack_without_the_group_dm_scope_sends_a_dm_each(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    slack.set_default(
        "conversations.open",
        lambda call: (
            {"ok": False, "error": "missing_scope", "needed": "mpim:write"}
            if "," in str(call.params.get("users"))
            else {"ok": True, "channel": {"id": f"D{call.params['users']}"}}
        ),
    )
    for user, sector in (("U1", "health"), ("U2", "education")):
        await cop(slack, f"sector {sector}", user=user)
        await cop(slack, "connect on", user=user)
    plan(app, "/cop post-now connect")

    await Courier(app.community, adapter).flush()

    posts = [c for c in slack.calls_to("chat.postMessage") if INTRO in c.params["text"]]
    assert sorted(c.params["channel"] for c in posts) == ["DU1", "DU2"]
    rows = app.community.db.execute_returning_dicts(
        "SELECT * FROM deliveries WHERE kind = ?", ["connect"]
    )
    assert {r["status"] for r in rows} == {"sent"} and len(rows) == 2


async def test_slack_a_member_who_left_the_workspace_does_not_stop_the_others(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    slack.set_default(
        "conversations.open",
        lambda call: (
            {"ok": False, "error": "user_disabled"}
            if "U2" in str(call.params.get("users"))
            else {"ok": True, "channel": {"id": f"D{call.params['users']}"}}
        ),
    )
    for user, sector in (("U1", "health"), ("U2", "education")):
        await cop(slack, f"sector {sector}", user=user)
        await cop(slack, "connect on", user=user)
    plan(app, "/cop post-now connect")

    await Courier(app.community, adapter).flush()

    posts = [c for c in slack.calls_to("chat.postMessage") if INTRO in c.params["text"]]
    assert [c.params["channel"] for c in posts] == ["DU1"]
    rows = app.community.db.execute_returning_dicts(
        "SELECT member_id, status FROM deliveries WHERE kind = 'connect'"
    )
    status = {r["member_id"]: r["status"] for r in rows}
    assert status == {member(app, "U1").id: "sent", member(app, "U2").id: "failed"}


async def an_introduction_that_times_out(
    slack: FakeSlack, app: App, adapter: SlackAdapter, *, lands: bool
) -> tuple[Courier, str]:
    """U1 and U2's introduction gets no answer from Slack before the courier's timeout; it
    reaches their group DM or not (`lands`). Returns the courier, whose next flush is the
    retry with Slack answering promptly again, and the group DM."""
    for user, sector in (("U1", "health"), ("U2", "education")):
        await cop(slack, f"sector {sector}", user=user)
        await cop(slack, "connect on", user=user)
    assert "1 introduction(s)" in plan(app, "/cop post-now connect").text
    courier = Courier(app.community, adapter)
    courier.send_timeout = 0.3
    group = "GU1U2"
    slack.delay("chat.postMessage", 1.5)
    if not lands:  # taken in, then lost: Slack answers an error the courier never hears
        slack.refuse_channel(group, "internal_error")

    assert await courier.flush() == 0

    rows = app.community.db.execute_returning_dicts(
        "SELECT status, unsure FROM deliveries WHERE kind = 'connect'"
    )
    assert rows == [{"status": "pending", "unsure": 1}] * 2
    slack.delay("chat.postMessage", 0)
    slack.allow_channel(group)
    app.community.clock.advance(timedelta(minutes=10))  # type: ignore[attr-defined]
    return courier, group


async def test_slack_an_introduction_that_timed_out_but_landed_is_not_posted_again(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    courier, group = await an_introduction_that_times_out(slack, app, adapter, lands=True)

    assert await courier.flush() == 2

    assert len([c for c in slack.calls_to("chat.postMessage") if INTRO in c.params["text"]]) == 1
    assert [c.params["channel"] for c in slack.calls_to("conversations.history")] == [group]
    rows = app.community.db.execute_returning_dicts(
        "SELECT status, reason FROM deliveries WHERE kind = 'connect'"
    )
    assert rows == [{"status": "sent", "reason": FOUND_ALREADY}] * 2


async def test_slack_an_introduction_that_timed_out_and_was_lost_is_posted_once_more(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    courier, group = await an_introduction_that_times_out(slack, app, adapter, lands=False)

    assert await courier.flush() == 2

    posts = [c for c in slack.calls_to("chat.postMessage") if INTRO in c.params["text"]]
    assert [c.params["channel"] for c in posts] == [group, group]
    assert [INTRO in m["text"] for m in slack.history[group]] == [True]  # exactly one
    rows = app.community.db.execute_returning_dicts(
        "SELECT status FROM deliveries WHERE kind = 'connect'"
    )
    assert rows == [{"status": "sent"}] * 2


async def test_slack_looks_in_each_dm_where_it_could_not_bring_a_group_together(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    now = app.community.clock.now()
    people = [
        app.community.members.register("slack", f"U{n}", f"user {n}", "Europe/London", now)
        for n in range(1, 11)
    ]
    reached: list[str] = []
    labelled = Reply("Hello, all of you", ledger_key="connect:9:9:")
    # Ten people: more than a group DM holds, so each but the last gets their own DM.
    await adapter.send_to_members(
        "connect:9:9:",
        people[:9],
        labelled,
        lambda ms, *_: reached.extend(m.display_name for m in ms),
    )
    assert len(reached) == 9

    found = await adapter.find_shared("connect:9:9:", people)

    assert found == {p.id for p in people[:9]}
    looked = {c.params["channel"] for c in slack.calls_to("conversations.history")}
    assert looked == {f"DU{n}" for n in range(1, 11)}
