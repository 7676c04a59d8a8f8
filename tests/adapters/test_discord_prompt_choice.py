"""The prompt behind a content note, pressed for on Discord: answered ephemerally, from a
button that needs no view kept in memory (so it works on a post made before a restart)."""

# The fixtures are imported from conftest_discord by name, which ruff sees as redefinitions.
# ruff: noqa: F811

from __future__ import annotations

from bot.adapters.discord_ import DiscordAdapter
from bot.adapters.discord_.render import message_kwargs
from bot.app import App
from bot.scheduling.compose import Composer
from tests.adapters.conftest_discord import adapter, app, dc  # noqa: F401
from tests.fakes.fake_discord import FakeDiscord
from tests.helpers import met_the_welcome

EPHEMERAL = 64


async def test_the_post_hides_the_prompt_and_the_button_shows_it_privately(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    found = next(p for p in app.community.prompts if p.content_note)
    post = message_kwargs(Composer(app.community).prompt_reply(found))
    assert found.content_note in post["content"] and found.text not in post["content"]
    met_the_welcome(app.community, "discord", str(dc.user_id))
    cb = await dc.invoke(dc.button(f"cop:prompt {found.id}"))
    assert cb.flags & EPHEMERAL
    assert found.text in (cb.content or "")
