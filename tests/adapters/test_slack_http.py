"""HTTP mode on the wire: every signed request reaches its listener, whatever it says."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from itertools import count

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.adapters.slack import SlackAdapter
from bot.adapters.slack.http import parse_body
from bot.app import App
from tests.adapters.conftest import SIGNING_SECRET, add_session, make_adapter
from tests.fakes.fake_slack import FakeSlack, http_body

# Words that look like the framing of Slack's other request kinds, mixed with anything at all.
FRAMING = st.sampled_from(["payload", "payload=", "{", '{"type"', "&", "=", "%26", "+", "ssl"])
WORDS = st.lists(FRAMING | st.text(max_size=12), max_size=5).map(" ".join)
NAMES = st.lists(FRAMING | st.from_regex(r"[a-z0-9._-]{1,10}", fullmatch=True), min_size=1).map(
    "-".join
)
_labels = count()


@pytest.fixture
async def http_adapter(app: App, slack: FakeSlack) -> AsyncIterator[SlackAdapter]:
    started = make_adapter(app, http=True, port=0, host="127.0.0.1")
    await started.start()
    yield started
    await started.stop()


def events_url(adapter: SlackAdapter) -> str:
    return f"http://127.0.0.1:{adapter.http_port}/slack/events"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=WORDS, user_name=NAMES, channel_name=NAMES)
@example(text="payload", user_name="ann", channel_name="general")
@example(text="help", user_name="payload.person", channel_name="general")
@example(text="help", user_name="ann", channel_name="payloads")
@example(text="{help", user_name="ann", channel_name="general")
async def test_every_signed_command_is_answered_whatever_it_says(
    slack: FakeSlack, http_adapter: SlackAdapter, text: str, user_name: str, channel_name: str
) -> None:
    label = f"any-{next(_labels)}"
    payload = slack.slash_payload(
        text,
        user_name=user_name,
        channel_name=channel_name,
        response_url=slack.response_url(label),
    )

    status, _ = await slack.send_http(
        events_url(http_adapter), "slash_commands", payload, SIGNING_SECRET
    )

    assert status == 200
    [answer] = await slack.wait_for_response(label)
    assert answer["response_type"] == "ephemeral" and answer["text"]


async def test_a_signup_named_payload_books_the_place(
    slack: FakeSlack, app: App, http_adapter: SlackAdapter
) -> None:
    session = add_session(app, title="payload review")
    payload = slack.slash_payload(
        f"signup {session}", user_name="payload", response_url=slack.response_url("s")
    )

    status, _ = await slack.send_http(
        events_url(http_adapter), "slash_commands", payload, SIGNING_SECRET
    )

    assert status == 200
    await slack.wait_for_response("s")
    assert app.community.signups.counts([session])[session].confirmed == 1


async def test_a_button_and_an_event_still_arrive(
    slack: FakeSlack, app: App, http_adapter: SlackAdapter
) -> None:
    session = add_session(app)
    click = slack.block_action_payload(
        "cop:1", f"signup {session}", response_url=slack.response_url("b")
    )
    home = slack.app_home_opened_event("U2")

    url = events_url(http_adapter)
    clicked, _ = await slack.send_http(url, "interactive", click, SIGNING_SECRET)
    opened, _ = await slack.send_http(url, "events_api", home, SIGNING_SECRET)

    assert (clicked, opened) == (200, 200)
    await slack.wait_for_response("b")
    [published] = await slack.wait_for_call("views.publish")
    assert published.params["user_id"] == "U2"


async def test_unsigned_or_unreadable_bodies_run_nothing(
    slack: FakeSlack, http_adapter: SlackAdapter
) -> None:
    payload = slack.slash_payload("help", response_url=slack.response_url("u"))

    forged, _ = await slack.send_http(events_url(http_adapter), "slash_commands", payload, "nope")
    garbled, _ = await slack.send_http_raw(
        events_url(http_adapter), '{"command": "/cop", "te', "application/json", SIGNING_SECRET
    )

    assert (forged, garbled) == (401, 400)
    assert slack.responses_to("u") == []


@given(text=WORDS, user_name=NAMES)
def test_a_command_body_parses_to_its_own_fields(text: str, user_name: str) -> None:
    fields = {"command": "/cop", "text": text, "user_name": user_name, "user_id": "U1"}
    body, content_type = http_body("slash_commands", fields)

    assert parse_body(body, content_type) == fields


def test_an_interaction_body_parses_to_its_payload() -> None:
    payload = {"type": "block_actions", "actions": [{"value": "payload=1&x"}]}
    body, content_type = http_body("interactive", payload)

    assert parse_body(body, content_type) == payload
    assert parse_body(json.dumps(payload), "application/json") == payload
