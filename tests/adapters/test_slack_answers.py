"""A member's answer survives a failing response_url: retried, then shown another way."""

from __future__ import annotations

from bot.adapters.slack import SlackAdapter
from bot.app import App
from tests.adapters.conftest import add_session
from tests.fakes.fake_slack import FakeSlack


async def type_cop(slack: FakeSlack, text: str, label: str, channel: str = "C1") -> None:
    payload = slack.slash_payload(
        text, user_id="U1", channel_id=channel, response_url=slack.response_url(label)
    )
    await slack.send_envelope("slash_commands", payload)


async def test_a_500_is_retried_and_the_answer_arrives(
    slack: FakeSlack, adapter: SlackAdapter
) -> None:
    slack.fail_response_url("r", 500, times=2)

    await type_cop(slack, "help", "r")

    [answer] = await slack.wait_for_response("r")
    assert "/cop sessions" in answer["text"]
    assert slack.response_attempts.count("r") == 3
    assert slack.calls_to("chat.postEphemeral") == []


async def test_a_response_url_that_keeps_failing_falls_back_to_an_ephemeral(
    slack: FakeSlack, adapter: SlackAdapter
) -> None:
    slack.fail_response_url("r", 500, times=3)

    await type_cop(slack, "help", "r")

    [shown] = await slack.wait_for_call("chat.postEphemeral")
    assert shown.params["channel"] == "C1" and shown.params["user"] == "U1"
    assert "/cop sessions" in shown.params["text"] and shown.params["blocks"]
    assert slack.response_attempts.count("r") == 3 and slack.responses_to("r") == []


async def test_an_expired_response_url_is_not_retried(
    slack: FakeSlack, adapter: SlackAdapter
) -> None:
    slack.fail_response_url("r", 404)

    await type_cop(slack, "help", "r")

    await slack.wait_for_call("chat.postEphemeral")
    assert slack.response_attempts.count("r") == 1


async def test_when_the_channel_refuses_too_the_answer_goes_to_a_dm(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    session = add_session(app)
    slack.fail_response_url("r", 503, times=3)
    slack.set_default("chat.postEphemeral", {"ok": False, "error": "channel_not_found"})

    await type_cop(slack, f"signup {session}", "r", channel="GPRIVATE")

    [dm] = await slack.wait_for_call("chat.postMessage")
    assert dm.params["channel"] == "DU1" and "signed up" in dm.params["text"]
    assert slack.calls_to("chat.postEphemeral")[0].params["channel"] == "GPRIVATE"


async def test_a_button_answer_falls_back_in_the_buttons_channel(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    session = add_session(app)
    slack.fail_response_url("b", 500, times=3)
    click = slack.block_action_payload(
        "cop:1", f"signup {session}", channel_id="C7", response_url=slack.response_url("b")
    )

    await slack.send_envelope("interactive", click)

    [shown] = await slack.wait_for_call("chat.postEphemeral")
    assert shown.params["channel"] == "C7" and "signed up" in shown.params["text"]
