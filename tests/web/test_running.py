"""`copbot run` starts the calendar pages beside the console, in the same event loop."""

from __future__ import annotations

import argparse
import socket
from pathlib import Path

import aiohttp
import pytest

from bot import cli
from bot.app import App
from bot.config import Config, WebConfig
from bot.domain.clock import FakeClock
from tests.helpers import NOW


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_pages_answer_while_the_console_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    config = Config(database=tmp_path / "t.db", web=WebConfig(port=port, public=True))
    app = App.build(config, FakeClock(NOW))
    answers: list[tuple[int, str]] = []

    async def console(running: App, platform: str, options: object) -> None:
        """Stands in for the terminal: while it runs, a browser asks for the page."""
        async with aiohttp.ClientSession() as http:
            for path in ("/healthz", "/"):
                async with http.get(f"http://127.0.0.1:{port}{path}") as resp:
                    answers.append((resp.status, resp.headers["Content-Type"]))

    monkeypatch.setattr(App, "run", console)
    try:
        await cli._front_end(app, "console", argparse.Namespace(http=False))
    finally:
        app.close()
    assert answers == [(200, "text/plain; charset=utf-8"), (200, "text/html; charset=utf-8")]
    assert f"http://localhost:{port}" in capsys.readouterr().err
    with socket.socket() as again:  # stopped with the console: the port is free again
        again.bind(("127.0.0.1", port))
