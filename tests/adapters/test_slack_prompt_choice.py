"""The prompt behind a content note, pressed for on Slack: answered to whoever pressed,
ephemerally, so the channel post (or the DM) still shows only the note."""

from __future__ import annotations

from bot.adapters.slack import SlackAdapter
from bot.adapters.slack.blocks import message
from bot.app import App
from bot.scheduling.compose import Composer
from tests.adapters.conftest import click
from tests.fakes.fake_slack import FakeSlack
from tests.helpers import met_the_welcome


async def test_the_post_hides_the_prompt_and_the_button_shows_it_to_the_presser(
    slack: FakeSlack, app: App, adapter: SlackAdapter
) -> None:
    found = next(p for p in app.community.prompts if p.content_note)
    post = message(Composer(app.community).prompt_reply(found))
    assert found.content_note in post["text"] and found.text not in str(post)
    met_the_welcome(app.community, "slack", "U1")
    body = await click(slack, f"prompt {found.id}")
    assert body["response_type"] == "ephemeral"
    assert found.text in body["text"]
