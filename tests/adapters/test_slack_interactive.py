"""Buttons, the schedule form and the App Home, as Slack delivers them over Socket Mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.adapters.slack import SlackAdapter
from bot.app import App
from bot.domain.clock import FakeClock
from tests.adapters.conftest import (
    NOW,
    PLANNER,
    add_session,
    buttons,
    click,
    cop,
    make_adapter,
    make_config,
    texts,
)
from tests.fakes.fake_slack import FakeSlack
from tests.helpers import met_the_welcome

Json = dict[str, Any]


async def test_sign_up_and_cancel_with_buttons(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    session = add_session(app)
    met_the_welcome(app.community, "slack", "U1")
    [sign_up] = buttons((await cop(slack, "sessions"))["blocks"])

    signed = await click(slack, sign_up["value"])
    cancel, choose, _no_thanks = buttons(signed["blocks"])
    cancelled = await click(slack, cancel["value"])

    assert "signed up for" in texts(signed) and signed["response_type"] == "ephemeral"
    assert cancel["value"] == f"cancel {session}" and cancel["style"] == "danger"
    assert "has been cancelled" in texts(cancelled)
    assert app.community.signups.attendees(session) == []

    # The sector question that came with the first signup: its buttons work through Slack.
    choices = await click(slack, choose["value"])
    health = next(b for b in buttons(choices["blocks"]) if b["value"] == "sector health")
    chosen = await click(slack, health["value"])
    assert "Health" in texts(chosen)
    member = app.community.members.by_platform_id("slack", "U1")
    assert member is not None and app.community.outcomes.sectors.get(member.id) == "health"


async def test_app_home_shows_mine_and_whats_on(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    session = add_session(app)
    met_the_welcome(app.community, "slack", "U7")

    await slack.send_envelope("events_api", slack.app_home_opened_event("U7"))
    [published] = await slack.wait_for_call("views.publish")

    view = published.params["view"]
    assert published.params["user_id"] == "U7" and view["type"] == "home"
    assert "Circle" in texts(view) and "not signed up" in texts(view)
    assert [b["value"] for b in buttons(view["blocks"])] == [
        f"signup {session}",
        "subscribe prompts",  # the settings toggles: prompt and pick messages start off,
        "unsubscribe reminders",  # reminders on
        "subscribe picks",
        "sector",  # and the optional sector, changeable from settings
    ]
    assert "Your messages" in texts(view)
    [who] = slack.calls_to("users.info")  # the event has no name; asked once
    assert who.params["user"] == "U7"


async def test_a_home_click_publishes_the_home_again_with_the_answer(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    session = add_session(app)

    await click(slack, f"signup {session}", user="U7", home=True)
    [published] = await slack.wait_for_call("views.publish")

    view = published.params["view"]
    assert "signed up for" in texts(view) and "You have a place" in texts(view)
    assert f"cancel {session}" in [b["value"] for b in buttons(view["blocks"])]
    assert not slack.responses  # a Home click has no response_url


async def test_messages_tab_opening_publishes_nothing(
    slack: FakeSlack, adapter: SlackAdapter
) -> None:
    await slack.send_envelope("events_api", slack.app_home_opened_event("U7", tab="messages"))
    assert not slack.calls_to("views.publish")


# ----------------------------------------------------------------------------- the form


def form(title: str = "Circle", date: str = "2026-12-03", **fields: str) -> Json:
    """Form state as Slack submits it: {block_id: {action_id: element state}}."""
    values = {
        "title": {"type": "plain_text_input", "value": title},
        "date": {"type": "datepicker", "selected_date": date},
        "time": {"type": "timepicker", "selected_time": fields.get("time", "14:00")},
        "duration": {"type": "static_select", "selected_option": {"value": "90m"}},
        "objective": {"type": "static_select", "selected_option": {"value": "CONNECT"}},
        "capacity": {"type": "number_input", "value": fields.get("capacity", "20")},
        "where": {"type": "plain_text_input", "value": "Civic Hall"},
        "repeat": {"type": "plain_text_input", "value": fields.get("repeat")},
    }
    return {block: {"value": state} for block, state in values.items()}


async def submit(slack: FakeSlack, state: Json, user: str = PLANNER) -> Json:
    payload = slack.view_submission_payload("cop:schedule", state, user_id=user)
    return await slack.send_envelope("interactive", payload, True)


async def test_schedule_with_nothing_else_opens_the_form(
    slack: FakeSlack, adapter: SlackAdapter
) -> None:
    payload = slack.slash_payload("schedule", user_id=PLANNER)

    ack = await slack.send_envelope("slash_commands", payload)
    [opened] = await slack.wait_for_call("views.open")

    assert "payload" not in ack
    assert opened.params["trigger_id"] == payload["trigger_id"]
    view = opened.params["view"]
    assert view["callback_id"] == "cop:schedule"
    blocks = {b["block_id"]: b["element"]["type"] for b in view["blocks"]}
    assert blocks == {
        "title": "plain_text_input",
        "date": "datepicker",
        "time": "timepicker",
        "duration": "static_select",
        "objective": "static_select",
        "capacity": "number_input",
        "where": "plain_text_input",
        "repeat": "plain_text_input",
    }


async def test_the_form_speaks_in_its_own_communitys_words(
    slack: FakeSlack, app: App, adapter: SlackAdapter, tmp_path: Path
) -> None:
    """Each adapter keeps its own words: building a second one (a rehearsal, a test) in the
    same process must not reword the first one's form."""
    app.community.messages.templates["form.modal_title"] = "Ours"
    (tmp_path / "other").mkdir()
    other = App.build(make_config(tmp_path / "other", slack), FakeClock(NOW))
    other.community.messages.templates["form.modal_title"] = "Theirs"
    make_adapter(other)

    await slack.send_envelope("slash_commands", slack.slash_payload("schedule", user_id=PLANNER))
    [opened] = await slack.wait_for_call("views.open")
    other.close()

    assert opened.params["view"]["title"]["text"] == "Ours"


async def test_submitting_the_form_previews_by_dm_and_the_button_schedules(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    met_the_welcome(app.community, "slack", PLANNER)
    ack = await submit(slack, form())
    [preview] = await slack.wait_for_call("chat.postMessage")
    [updated] = await slack.wait_for_call("views.update")

    assert ack["payload"]["response_action"] == "update"  # "one moment", nothing to press
    assert "submit" not in ack["payload"]["view"]
    assert preview.params["channel"] == "DUPLAN"
    assert "exactly what will be posted" in texts(preview.params)
    assert "exactly what will be posted" in texts(updated.params["view"])
    assert buttons(updated.params["view"]) == []  # the buttons are in the DM copy
    assert "direct message" in texts(updated.params["view"])
    assert not app.community.sessions.all()  # nothing until "Schedule it"
    [confirm] = [b["value"] for b in buttons(preview.params) if b["text"]["text"] == "Schedule it"]
    answer = await click(slack, confirm, user=PLANNER)
    assert "Scheduled #1 Circle" in texts(answer)
    [session] = app.community.sessions.upcoming(app.community.clock.now(), 10)
    assert (session.title, session.capacity, session.location) == ("Circle", 20, "Civic Hall")
    assert session.objective == "CONNECT" and session.duration_minutes == 90


async def refused(slack: FakeSlack, state: Json, user: str = PLANNER) -> dict[str, str]:
    """Submit `state`; the form comes back through views.update: {block beside: the note}."""
    before = len(slack.calls_to("views.update"))
    await submit(slack, state, user=user)
    updated = (await slack.wait_for_call("views.update", before + 1))[-1]
    blocks = updated.params["view"]["blocks"]
    assert blocks[0]["block_id"] == "cop-note" and "Nothing has been scheduled" in texts(blocks[0])
    return {
        str(above.get("block_id")): texts(block)
        for above, block in zip(blocks, blocks[1:], strict=False)
        if block["type"] == "context"
    }


async def test_a_date_in_the_past_is_shown_beside_the_date(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    errors = await refused(slack, form(date="2026-11-01"))

    assert list(errors) == ["date"] and "already passed" in errors["date"]
    assert app.community.sessions.upcoming(app.community.clock.now(), 10) == []


async def test_each_mistake_lands_on_its_own_field(slack: FakeSlack, adapter: SlackAdapter) -> None:
    cases = {
        "repeat": form(repeat="sometimes"),
        "title": form(title="x" * 121),
        "capacity": form(capacity="0"),
        "time": form(date="2027-03-28", time="01:30"),  # the clocks go forward
    }
    for block, state in cases.items():
        assert list(await refused(slack, state)) == [block], block


async def test_a_refused_form_keeps_what_was_typed(slack: FakeSlack, adapter: SlackAdapter) -> None:
    await refused(slack, form(title="Circle of care", date="2026-11-01", repeat="weekly"))

    [updated] = slack.calls_to("views.update")
    elements = {
        b["block_id"]: b["element"] for b in updated.params["view"]["blocks"] if "element" in b
    }
    assert elements["title"]["initial_value"] == "Circle of care"
    assert elements["date"]["initial_date"] == "2026-11-01"
    assert elements["time"]["initial_time"] == "14:00"
    assert elements["objective"]["initial_option"]["value"] == "CONNECT"
    assert elements["capacity"]["initial_value"] == "20"
    assert elements["repeat"]["initial_value"] == "weekly"


async def test_a_member_cannot_submit_the_form(slack: FakeSlack, adapter: SlackAdapter) -> None:
    errors = await refused(slack, form(), user="U1")

    assert "Only the planning group" in errors["title"]


async def test_a_fixed_form_can_be_sent_again(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    first = slack.view_submission_payload("cop:schedule", form(date="2026-11-01"), PLANNER)
    await slack.send_envelope("interactive", first, True)
    await slack.wait_for_call("views.update")
    fixed = dict(first, view={**first["view"], "state": {"values": form()}})

    await slack.send_envelope("interactive", fixed, True)
    [preview] = await slack.wait_for_call("chat.postMessage")
    [confirm] = [b["value"] for b in buttons(preview.params) if b["text"]["text"] == "Schedule it"]
    await click(slack, confirm, user=PLANNER)

    assert len(app.community.sessions.upcoming(app.community.clock.now(), 10)) == 1


async def test_the_form_falls_back_to_words_when_slack_will_not_open_it(
    slack: FakeSlack, adapter: SlackAdapter
) -> None:
    slack.script("views.open", {"ok": False, "error": "expired_trigger_id"})

    body = await cop(slack, "schedule", user=PLANNER)

    assert len(slack.calls_to("views.open")) == 1
    assert "needs a title" in texts(body) and "/cop schedule" in texts(body)
