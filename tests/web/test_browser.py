"""The "what's on" page in a real headless Chromium (Debian's package; CI installs it).

Two launches: one takes a 320 px wide screenshot, one dumps the DOM as rendered. Both log
the page's console to stderr, where any error (a script, a CSP refusal) would show, and the
server records every request the browser made, so a missing resource fails the test too.
"""

from __future__ import annotations

import asyncio
import shutil
import struct
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.app import App
from bot.web.server import WebSite
from tests.helpers import PLANNER, Run, ok, schedule

CHROMIUM = ("chromium", "/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
)
WIDTH, HEIGHT = 320, 800


def chromium() -> str:
    found = next((p for p in map(shutil.which, CHROMIUM) if p), None)
    if found is None:
        pytest.fail(
            "Chromium is not installed, so the page cannot be checked in a browser. "
            "Install it with: apt-get update && apt-get install -y chromium "
            "(.ci/run does this when /usr/bin/chromium is missing)."
        )
    return found


async def launch(tmp: Path, *args: str) -> tuple[bytes, str]:
    """Run Chromium without blocking the loop the server answers on; (stdout, stderr)."""
    process = await asyncio.create_subprocess_exec(
        chromium(),
        *FLAGS,
        f"--user-data-dir={tmp / 'profile'}",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode(errors="replace")[-2000:]
    return out, err.decode(errors="replace")


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def recorded(app: web.Application, log: list[tuple[str, int]]) -> web.Application:
    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        response = await handler(request)
        log.append((request.path, response.status))
        return response

    app.middlewares.insert(0, record)
    return app


async def test_the_page_renders_in_chromium_at_phone_width(
    app: App, run: Run, tmp_path: Path
) -> None:
    first = schedule(run, '"Reflective practice circle" 3 Dec 14:00 capacity=12 where="Civic Hall"')
    schedule(run, '"Walk & talk <b>" 4 Dec 11:00 CONNECT where=Park')
    ok(run("ann", f"signup {first}"))
    ok(run(PLANNER, "cancel-session 2 Rain"))
    requests: list[tuple[str, int]] = []
    server = TestServer(recorded(WebSite(app.community).application(), requests), host="127.0.0.1")
    await server.start_server()
    try:
        url = str(server.make_url("/"))
        shot = tmp_path / "page.png"
        _, shot_log = await launch(
            tmp_path, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", url
        )
        dom, dom_log = await launch(tmp_path, "--dump-dom", url)
    finally:
        await server.close()

    assert png_size(shot) == (WIDTH, HEIGHT)
    assert console_lines(shot_log) == [] and console_lines(dom_log) == []
    assert requests and all(status == 200 for _, status in requests), requests
    rendered = dom.decode()
    for landmark in ("<header>", "<main>", "<footer>", "<h1>What's on</h1>"):
        assert landmark in rendered
    assert "Reflective practice circle" in rendered and "Walk &amp; talk &lt;b&gt;" in rendered
    assert "Ann" not in rendered and "<script" not in rendered
