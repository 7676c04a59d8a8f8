"""Start-up mistakes on Discord: each is one clear line, with no traceback and nothing left
open behind it."""

# The fixtures are imported from conftest_discord by name, which ruff sees as redefinitions.
# ruff: noqa: F401, F811

from __future__ import annotations

import gc
import logging
from pathlib import Path

import pytest

from bot.adapters.discord_ import DiscordAdapter
from bot.frontend import SetupError
from tests.adapters.conftest_discord import build_app, dc
from tests.adapters.test_discord_resilience import warnings_at_start
from tests.fakes.fake_discord import FakeDiscord


async def test_a_wrong_server_id_is_one_warning_without_a_traceback(
    dc: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    warnings = await warnings_at_start(dc, tmp_path, caplog, discord_guild_id="123456789012345678")
    [warning] = warnings
    assert "123456789012345678 was not found" in warning and "guild_id" in warning
    loud = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert loud == []


async def test_a_refused_token_is_one_sentence_and_leaves_no_connection_open(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with FakeDiscord(token="the-real-one") as fake:
        app = build_app(tmp_path, fake)  # its token is "fake-token"
        adapter = DiscordAdapter(app.parts())
        try:
            with fake.patch_discord(), pytest.raises(SetupError) as refused:
                await adapter.start()
        finally:
            app.close()
        said = str(refused.value)
        del adapter, refused  # the traceback holds the adapter too
        gc.collect()
    assert "Discord refused DISCORD_TOKEN" in said
    unclosed = [r for r in caplog.records if "Unclosed" in r.getMessage()]
    assert unclosed == []
