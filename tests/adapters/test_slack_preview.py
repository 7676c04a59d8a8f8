"""The schedule preview on Slack, over Socket Mode: typed and from the form, its buttons
schedule once (pressed twice, or after a restart), Change gives the command back, and the
form refuses hidden characters as the typed command does."""

from __future__ import annotations

from typing import Any

from bot.adapters.slack import SlackAdapter
from bot.app import App
from tests.adapters.conftest import PLANNER, buttons, click, cop, make_adapter, texts
from tests.fakes.fake_slack import FakeSlack

Json = dict[str, Any]
LINE = 'schedule "Circle" 2026-12-03 14:00 90m CONNECT 12 weekly x3 Civic Hall'


def pressed(message: Json, label: str) -> str:
    """The command a button with `label` sends when clicked."""
    [value] = [b["value"] for b in buttons(message) if b["text"]["text"] == label]
    return str(value)


async def test_typed_schedule_shows_a_preview_and_posts_nothing(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    preview = await cop(slack, LINE, user=PLANNER)
    shown = texts(preview)
    for part in (
        "exactly what will be posted",
        "New session: Circle (CONNECT)",
        "Thu 3 Dec 2026, 14:00",
        "1 hour and 30 minutes",
        "Civic Hall",
        "12 of 12 places left",
        "3 sessions: 3 Dec 2026, 10 Dec 2026, 17 Dec 2026",
    ):
        assert part in shown, part
    assert preview["response_type"] == "ephemeral"
    assert pressed(preview, "Schedule it").startswith("schedule-confirm ")
    assert pressed(preview, "Change").startswith("schedule-change ")
    assert not app.community.sessions.all()
    assert not [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == "C1"]


async def test_schedule_it_pressed_twice_schedules_once(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    preview = await cop(slack, LINE, user=PLANNER)
    first = await click(slack, pressed(preview, "Schedule it"), user=PLANNER)
    second = await click(slack, pressed(preview, "Schedule it"), user=PLANNER)
    assert "Scheduled #1 Circle (3 session(s))" in texts(first)
    assert "already scheduled" in texts(second)
    assert len(app.community.sessions.all()) == 3
    announced = app.community.db.execute(
        "SELECT count(*) FROM deliveries WHERE kind = 'announcement'"
    ).fetchone()[0]
    assert announced == 1


async def test_schedule_it_works_after_a_restart(slack: FakeSlack, app: App) -> None:
    before = make_adapter(app)
    await before.start()
    await slack.wait_connected()
    preview = await cop(slack, LINE, user=PLANNER)
    await before.stop()

    after = make_adapter(app)
    await after.start()
    try:
        await slack.wait_connected()
        answer = await click(slack, pressed(preview, "Schedule it"), user=PLANNER)
    finally:
        await after.stop()
    assert "Scheduled #1 Circle" in texts(answer)
    assert len(app.community.sessions.all()) == 3


async def test_change_gives_the_command_back(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    preview = await cop(slack, LINE, user=PLANNER)
    answer = await click(slack, pressed(preview, "Change"), user=PLANNER)
    assert (
        '/cop schedule "Circle" 2026-12-03 14:00 90m CONNECT 12 repeat="weekly x3"'
        ' where="Civic Hall"'
    ) in texts(answer)
    later = await click(slack, pressed(preview, "Schedule it"), user=PLANNER)
    assert "change this one" in texts(later)
    assert not app.community.sessions.all()


async def test_another_person_cannot_press_the_planners_preview(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    preview = await cop(slack, LINE, user=PLANNER)
    answer = await click(slack, pressed(preview, "Schedule it"), user="U1")
    assert "Only the planning group" in texts(answer)
    assert not app.community.sessions.all()


def form_state(title: str, where: str) -> Json:
    values = {
        "title": {"type": "plain_text_input", "value": title},
        "date": {"type": "datepicker", "selected_date": "2026-12-03"},
        "time": {"type": "timepicker", "selected_time": "14:00"},
        "duration": {"type": "static_select", "selected_option": {"value": "90m"}},
        "objective": {"type": "static_select", "selected_option": {"value": "CONNECT"}},
        "capacity": {"type": "number_input", "value": "12"},
        "where": {"type": "plain_text_input", "value": where},
        "repeat": {"type": "plain_text_input", "value": None},
    }
    return {block: {"value": state} for block, state in values.items()}


async def test_the_form_refuses_text_direction_characters(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    for title, where in (("Circle\u202e", "Civic Hall"), ("Circle", "Civic \u2067Hall")):
        before = len(slack.calls_to("views.update"))
        payload = slack.view_submission_payload(
            "cop:schedule", form_state(title, where), user_id=PLANNER
        )
        await slack.send_envelope("interactive", payload, True)
        updated = (await slack.wait_for_call("views.update", before + 1))[-1]
        assert "hidden" in texts(updated.params["view"])
        assert "Nothing has been scheduled" in texts(updated.params["view"])
    assert not slack.calls_to("chat.postMessage")
    assert not app.community.sessions.all()
