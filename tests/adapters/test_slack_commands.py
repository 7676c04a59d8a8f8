"""Every command through `/cop` on the wire: acked empty at once, answered at the response_url."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.adapters.slack import SlackAdapter
from bot.app import App
from bot.config import PlanningGroup
from bot.domain.clock import FakeClock
from bot.domain.context import Actor, Reply
from tests.adapters.conftest import (
    NOW,
    PLANNER,
    add_session,
    allow_uploads,
    buttons,
    click,
    cop,
    make_adapter,
    make_config,
    texts,
)
from tests.fakes.fake_slack import FakeSlack
from tests.helpers import met_the_welcome


async def test_help_is_private_and_lists_member_commands(
    slack: FakeSlack, adapter: SlackAdapter
) -> None:
    body = await cop(slack, "help")

    assert body["response_type"] == "ephemeral"
    assert "/cop sessions" in texts(body) and "/cop schedule" not in texts(body)
    assert body["text"]  # a plain fallback beside the blocks


async def test_planner_help_lists_planning_commands(
    slack: FakeSlack, adapter: SlackAdapter
) -> None:
    assert "/cop schedule" in texts(await cop(slack, "help", user=PLANNER))


async def test_sessions_shows_cards_with_sign_up_buttons(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    first, second = add_session(app, "Circle"), add_session(app, "Reading group")
    met_the_welcome(app.community, "slack", "U1")

    body = await cop(slack, "sessions")

    assert "Circle" in texts(body) and "Reading group" in texts(body)
    found = buttons(body["blocks"])
    assert [b["value"] for b in found] == [f"signup {first}", f"signup {second}"]
    assert len({b["action_id"] for b in found}) == 2
    assert all(b["action_id"].startswith("cop:") for b in found)


async def test_signup_cancel_and_mine(slack: FakeSlack, app: App, adapter: SlackAdapter) -> None:
    session = add_session(app)
    met_the_welcome(app.community, "slack", "U1")

    signed = await cop(slack, f"signup {session}")
    mine = await cop(slack, "mine")
    cancelled = await cop(slack, f"cancel {session}")
    after = await cop(slack, "mine")

    assert "signed up for" in texts(signed)
    # A first signup asks, once, about the member's sector, with two buttons.
    values = [b["value"] for b in buttons(signed["blocks"])]
    assert values == [f"cancel {session}", "sector", "sector none"]
    assert "Circle" in texts(mine) and "You have a place" in texts(mine)
    assert "has been cancelled" in texts(cancelled)
    assert "not signed up" in texts(after)


async def test_timezone_shows_and_sets(slack: FakeSlack, adapter: SlackAdapter) -> None:
    assert "Europe/London" in texts(await cop(slack, "timezone"))
    assert "America/New_York" in texts(await cop(slack, "timezone america/new_york"))


async def test_calendar_file_goes_to_the_members_dm(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    allow_uploads(slack)
    add_session(app)

    body = await cop(slack, "calendar")

    [opened] = slack.calls_to("conversations.open")
    assert opened.params["users"] == "U1"
    [asked] = slack.calls_to("files.getUploadURLExternal")
    assert asked.params["filename"] == "copbot.ics" and int(asked.params["length"]) > 100
    [done] = slack.calls_to("files.completeUploadExternal")
    assert done.params["channel_id"] == "DU1"
    assert "sent you copbot.ics in our direct messages" in texts(body)


async def test_a_failed_upload_is_explained(slack: FakeSlack, adapter: SlackAdapter) -> None:
    slack.set_default("files.getUploadURLExternal", {"ok": False, "error": "missing_scope"})

    body = await cop(slack, "calendar")

    assert "couldn't send you copbot.ics" in texts(body)


async def test_mydata_sends_the_json_file(slack: FakeSlack, adapter: SlackAdapter) -> None:
    allow_uploads(slack)

    body = await cop(slack, "mydata", name="Ann")

    assert "Ann" in texts(body)
    [asked] = slack.calls_to("files.getUploadURLExternal")
    assert asked.params["filename"] == "my-copbot-data.json"


async def test_forget_me_asks_then_erases_on_the_button(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    met_the_welcome(app.community, "slack", "U1")
    asked = await cop(slack, "forget-me")
    [yes] = buttons(asked["blocks"])
    assert yes["value"] == "forget-me confirm=yes" and yes["style"] == "danger"
    assert app.community.members.by_name("slack", "user-u1") is not None

    done = await click(slack, yes["value"])

    assert "erased" in texts(done)
    assert done["replace_original"] is False and done["response_type"] == "ephemeral"
    assert app.community.members.by_name("slack", "user-u1") is None


async def test_planner_schedules_edits_lists_and_cancels(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    allow_uploads(slack)
    preview = await cop(
        slack, 'schedule "Circle" 2026-12-03 14:00 90m CONNECT 2 Civic Hall', user=PLANNER
    )
    [confirm] = [b["value"] for b in buttons(preview) if b["text"]["text"] == "Schedule it"]
    scheduled = await click(slack, confirm, user=PLANNER)
    assert "Scheduled #1 Circle" in texts(scheduled)
    await cop(slack, "signup 1", name="Ann")

    edited = await cop(slack, 'edit 1 where="Room 2"', user=PLANNER)
    listed = await cop(slack, "attendees 1", user=PLANNER)
    cancelled = await cop(slack, "cancel-session 1 one Snow", user=PLANNER)

    assert "Updated #1" in texts(edited)
    assert "1 confirmed" in texts(listed) and "Ann" in texts(listed)
    assert slack.calls_to("files.getUploadURLExternal")[0].params["filename"] == "attendees-1.csv"
    assert "Cancelled #1 Circle" in texts(cancelled)
    assert app.community.sessions.get(1).cancelled  # type: ignore[union-attr]


async def test_a_member_cannot_run_planning_commands(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    session = add_session(app)
    for line in ('schedule "Mine" 2026-12-03 14:00', f"attendees {session}", "schedule"):
        body = await cop(slack, line)
        assert "Only the planning group" in texts(body)
    assert not slack.calls_to("views.open")


async def test_a_mistake_gets_a_kind_private_answer(
    slack: FakeSlack, adapter: SlackAdapter
) -> None:
    body = await cop(slack, "signup lots")

    assert body["response_type"] == "ephemeral"
    assert "isn't a session number" in texts(body)


async def test_usergroup_membership_gives_planner_rights(tmp_path: Path, slack: FakeSlack) -> None:
    config = make_config(
        tmp_path, slack, planning_group=PlanningGroup(slack_users=(PLANNER,), slack_usergroup="S1")
    )
    slack.set_default("usergroups.users.list", {"ok": True, "users": ["U5"]})
    allow_uploads(slack)
    app = App.build(config, FakeClock(NOW))
    adapter = make_adapter(app)
    await adapter.start()
    try:
        session = add_session(app)
        first = await cop(slack, f"attendees {session}", user="U5")
        refused = await cop(slack, f"attendees {session}", user="U6")
    finally:
        await adapter.stop()
        app.close()

    assert "Circle" in texts(first)
    assert "Only the planning group" in texts(refused)
    [lookup] = slack.calls_to("usergroups.users.list")  # cached between commands
    assert lookup.params["usergroup"] == "S1"


async def test_a_public_reply_is_posted_in_channel(
    slack: FakeSlack, app: App, adapter: SlackAdapter, monkeypatch: Any
) -> None:
    original = app.dispatcher.handle_line

    def public(actor: Actor, line: str) -> Reply:
        return replace(original(actor, line), private=False)

    monkeypatch.setattr(app.dispatcher, "handle_line", public)
    body = await cop(slack, "help")

    assert body["response_type"] == "in_channel"
