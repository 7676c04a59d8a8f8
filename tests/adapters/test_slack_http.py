"""HTTP mode on the wire: every signed request reaches its listener, whatever it says."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from itertools import count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.adapters.slack import SlackAdapter, listeners
from bot.adapters.slack.http import parse_body
from bot.app import App
from bot.config import PlanningGroup
from bot.domain.clock import FakeClock
from tests.adapters.conftest import (
    SIGNING_SECRET,
    add_session,
    allow_uploads,
    make_adapter,
    make_config,
)
from tests.fakes.fake_slack import FakeSlack, http_body
from tests.helpers import NOW

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

    status, acknowledged = await slack.send_http(
        events_url(http_adapter), "slash_commands", payload, SIGNING_SECRET
    )

    assert status == 200
    answer = json.loads(acknowledged)
    assert answer["response_type"] == "ephemeral" and answer["text"]


async def test_a_signup_named_payload_books_the_place(
    slack: FakeSlack, app: App, http_adapter: SlackAdapter
) -> None:
    session = add_session(app, title="payload review")
    payload = slack.slash_payload(
        f"signup {session}", user_name="payload", response_url=slack.response_url("s")
    )

    status, acknowledged = await slack.send_http(
        events_url(http_adapter), "slash_commands", payload, SIGNING_SECRET
    )

    assert status == 200
    assert "payload review" in json.loads(acknowledged)["text"]
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


# --- the answer rides on the acknowledgement -------------------------------------------------


async def test_a_command_is_answered_in_its_acknowledgement_alone(
    slack: FakeSlack, app: App, http_adapter: SlackAdapter
) -> None:
    session = add_session(app, title="Ack circle")
    payload = slack.slash_payload(f"signup {session}", response_url=slack.response_url("a"))

    status, acknowledged = await slack.send_http(
        events_url(http_adapter), "slash_commands", payload, SIGNING_SECRET
    )

    answer = json.loads(acknowledged)
    assert status == 200
    assert answer["response_type"] == "ephemeral" and "Ack circle" in answer["text"]
    assert answer["blocks"] and answer["unfurl_links"] is False
    await asyncio.sleep(0.1)  # anything sent after the acknowledgement would land by now
    assert slack.responses_to("a") == []  # no second round trip, no response_url use spent


async def test_a_rush_of_signups_confirms_exactly_the_places_and_asks_slack_once(
    slack: FakeSlack, app: App, http_adapter: SlackAdapter
) -> None:
    session = add_session(app, capacity=3)
    payloads = [
        slack.slash_payload(f"signup {session}", user_id=f"U{n}", user_name=f"m{n}")
        for n in range(12)
    ]

    answers = await asyncio.gather(
        *(
            slack.send_http(events_url(http_adapter), "slash_commands", p, SIGNING_SECRET)
            for p in payloads
        )
    )

    texts = [json.loads(body)["text"] for status, body in answers if status == 200]
    assert len(texts) == 12
    counts = app.community.signups.counts([session])[session]
    assert (counts.confirmed, counts.waitlisted) == (3, 9)
    places = [re.search(r"number (\d+) on the waitlist", text) for text in texts]
    assert sorted(int(found[1]) for found in places if found) == list(range(1, 10))
    # bolt was handed the adapter's own auth.test answer: the rush made no call of its own
    assert len(slack.calls_to("auth.test")) == 1


async def test_a_slow_member_lookup_is_acknowledged_in_time_and_answered_after(
    tmp_path: Path, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listeners, "ACK_WAIT", 0.05)
    slack.delay("usergroups.users.list", 0.4)  # the planning group, read on first use
    group = PlanningGroup(slack_usergroup="S1")
    app = App.build(make_config(tmp_path, slack, planning_group=group), FakeClock(NOW))
    adapter = make_adapter(app, http=True, port=0, host="127.0.0.1")
    await adapter.start()
    try:
        payload = slack.slash_payload("help", response_url=slack.response_url("slow"))
        status, acknowledged = await slack.send_http(
            events_url(adapter), "slash_commands", payload, SIGNING_SECRET
        )
        assert (status, acknowledged) == (200, "")  # acknowledged before the lookup ended
        [answer] = await slack.wait_for_response("slow")
    finally:
        await adapter.stop()
        app.close()

    assert answer["response_type"] == "ephemeral" and "/cop sessions" in answer["text"]


async def test_a_file_is_acknowledged_first_and_answered_at_the_response_url(
    slack: FakeSlack, app: App, http_adapter: SlackAdapter
) -> None:
    allow_uploads(slack)
    add_session(app)
    payload = slack.slash_payload("calendar", response_url=slack.response_url("file"))

    status, acknowledged = await slack.send_http(
        events_url(http_adapter), "slash_commands", payload, SIGNING_SECRET
    )

    assert (status, acknowledged) == (200, "")
    [answer] = await slack.wait_for_response("file")
    assert "copbot.ics" in answer["text"]
    assert slack.calls_to("files.completeUploadExternal")


async def test_an_answer_ready_too_late_for_the_acknowledgement_goes_to_the_response_url(
    slack: FakeSlack, app: App, http_adapter: SlackAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listeners, "ANSWER_IN_ACK_WITHIN", 0.0)  # every command "took long"
    session = add_session(app, title="Late circle")
    payload = slack.slash_payload(f"signup {session}", response_url=slack.response_url("late"))

    status, acknowledged = await slack.send_http(
        events_url(http_adapter), "slash_commands", payload, SIGNING_SECRET
    )

    assert (status, acknowledged) == (200, "")
    [answer] = await slack.wait_for_response("late")
    assert "Late circle" in answer["text"] and answer["response_type"] == "ephemeral"
    assert app.community.signups.counts([session])[session].confirmed == 1
