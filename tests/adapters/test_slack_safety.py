"""Member-written words never ping or disguise a link, whatever they contain."""

from __future__ import annotations

import json

from bot.adapters.slack import SlackAdapter
from bot.adapters.slack.blocks import reply_blocks
from bot.adapters.slack.escape import clip, escape, mention
from bot.app import App
from bot.domain.context import Action, Item, Reply
from bot.scheduling.courier import Courier
from tests.adapters.conftest import PLANNER, add_session, allow_uploads, cop, texts
from tests.fakes.fake_slack import FakeSlack

TITLE = "<!channel> @everyone <@U999> <http://evil|innocent>"
NAME = "<!here> Bob & co"
RAW = ("<!channel>", "<!here>", "<@U999>", "<http://evil", "<!everyone>")


def test_escape_turns_control_sequences_into_text() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert mention("U42") == "<@U42>"
    assert mention("<!channel>") == "&lt;!channel&gt;"
    # What a member typed as an entity is shown as typed: each `&` escaped once, first.
    assert escape("&lt;b&gt; &amp;") == "&amp;lt;b&amp;gt; &amp;amp;"
    assert escape("plain words") == "plain words"


def test_clip_never_cuts_an_entity_in_half() -> None:
    assert clip("ab&amp;cd", 5) == "ab…"
    assert clip("abc", 5) == "abc"


def test_long_replies_are_shortened_to_what_slack_accepts() -> None:
    items = tuple(Item(f"#{n}", ("x" * 4000,), (Action("Go", f"signup {n}"),)) for n in range(40))
    blocks = reply_blocks(Reply("many", items=items))

    assert len(blocks) == 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    assert "more not shown" in blocks[-1]["elements"][0]["text"]


async def test_no_payload_carries_a_live_mention_or_link(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    allow_uploads(slack)
    session = add_session(app, TITLE, capacity=1)
    await cop(slack, f"signup {session}", user="U2", name=NAME)
    await cop(slack, f"signup {session}", user="U3", name=NAME)
    sessions = await cop(slack, "sessions", user="U3", name=NAME)
    await cop(slack, f"attendees {session}", user=PLANNER)
    await cop(slack, "mydata", user="U3", name=NAME)
    await cop(slack, f"cancel {session}", user="U2", name=NAME)  # promotes U3
    await Courier(app.community, adapter).flush()  # announcement + promotion DM
    await slack.send_envelope("events_api", slack.app_home_opened_event("U3"))
    await slack.wait_for_call("views.publish")

    sent = json.dumps([c.params for c in slack.calls] + slack.responses)
    for raw in RAW:
        assert raw not in sent, raw
    assert "&lt;!channel&gt;" in texts(sessions) and "&lt;!here&gt; Bob &amp; co" in sent
    assert all(
        t.get("verbatim") is True
        for t in _text_objects(sessions["blocks"])
        if t["type"] == "mrkdwn"
    )


def _text_objects(node: object) -> list[dict[str, object]]:
    if isinstance(node, dict):
        own = [node] if node.get("type") in ("mrkdwn", "plain_text") else []
        return own + [t for v in node.values() for t in _text_objects(v)]
    if isinstance(node, list):
        return [t for v in node for t in _text_objects(v)]
    return []


FORMATTED = "*Circle* _for_ ~carers~ `now`"


async def test_member_text_is_shown_as_written_not_as_formatting(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    session = add_session(app, FORMATTED)
    sessions = await cop(slack, "sessions", user="U3")
    signed = await cop(slack, f"signup {session}", user="U3")
    await Courier(app.community, adapter).flush()  # the announcement
    [announced] = slack.calls_to("chat.postMessage")
    await slack.send_envelope("events_api", slack.app_home_opened_event("U3"))
    [home] = await slack.wait_for_call("views.publish")

    for sent in (sessions["blocks"], signed["blocks"], announced.params["blocks"], home.params):
        objects = _text_objects(sent)
        shown = [t["text"] for t in objects if t["type"] == "plain_text"]
        assert any(FORMATTED in str(text) for text in shown)
        drawn = [t["text"] for t in objects if t["type"] == "mrkdwn"]
        assert not any(mark in str(text) for text in drawn for mark in "*_~`")
