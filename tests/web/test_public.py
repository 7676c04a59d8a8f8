"""The public page and community feed: no names, the right headers, quiet 404s, a rate limit."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.domain.clock import FakeClock
from bot.web.limit import RateLimit
from bot.web.server import WebSite
from tests.helpers import PLANNER, Run, ok, schedule
from tests.web.conftest import build_web_app, link_path

Client = TestClient[Any, Any]
SECURITY = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


class Outline(HTMLParser):
    """The tags a page uses and its text, to check landmarks and that nothing runs."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def member_names(app: App) -> list[str]:
    rows = app.community.db.execute("SELECT display_name FROM members").fetchall()
    return [row[0] for row in rows]


def busy_community(run: Run) -> list[int]:
    """Sessions with members booked, one with a title that tries to inject markup."""
    ids = [
        schedule(run, '"Circle <script>alert(1)</script>" 3 Dec 14:00 capacity=3 where="Hall"'),
        schedule(run, '"Walk & talk" 4 Dec 11:00 where=Park'),
        schedule(run, '"Rained off" 5 Dec 11:00'),
    ]
    for name in ("ann", "bob"):
        ok(run(name, f"signup {ids[0]}"))
    ok(run(PLANNER, f"cancel-session {ids[2]} Rain"))
    return ids


async def test_the_page_lists_sessions_accessibly_without_a_single_name(
    app: App, run: Run, client: Client
) -> None:
    ids = busy_community(run)
    async with client.get("/") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
        html = await resp.text()
    outline = Outline()
    outline.feed(html)
    assert {"header", "main", "footer", "h1", "h2", "h3"} <= set(outline.tags)
    assert "script" not in outline.tags and outline.handlers == []
    assert outline.tags.count("h3") == 3 and outline.tags.count("h1") == 1
    text = " ".join(outline.text)
    assert app.config.community_name in text
    assert "Circle <script>alert(1)</script>" in text  # shown as words, never run
    assert "<script>" not in html and "&lt;script&gt;" in html and "Walk &amp; talk" in html
    assert "1 of 3 places left" in text and "Cancelled: Rain" in text
    assert f"/cop signup {ids[0]}" in text
    assert 'href="webcal://calendar.example.org/calendar.ics"' in html
    names = member_names(app)
    assert len(names) >= 3
    for name in names:
        assert name not in html


async def test_the_community_feed_names_no_one(app: App, run: Run, client: Client) -> None:
    busy_community(run)
    async with client.get("/calendar.ics") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert resp.headers["Cache-Control"].startswith("public")
        body = (await resp.read()).decode()
    assert body.count("BEGIN:VEVENT") == 3 and "STATUS:CANCELLED" in body
    for name in member_names(app):
        assert name not in body


async def test_every_answer_carries_the_security_headers(
    app: App, run: Run, client: Client
) -> None:
    path = link_path(ok(run("ann", "calendar link")))
    for url in ("/", "/calendar.ics", path, "/nothing-here"):
        async with client.get(url) as resp:
            for name, value in SECURITY.items():
                assert resp.headers[name] == value, (url, name)
            policy = resp.headers["Content-Security-Policy"]
            assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
            assert "script-src" not in policy and "unsafe-inline" not in policy
    async with client.get(path) as resp:
        assert resp.headers["Cache-Control"] == "private, max-age=300"
        assert resp.headers["X-Robots-Tag"] == "noindex, nofollow"


async def test_bad_paths_are_404_and_say_nothing_more(app: App, run: Run, client: Client) -> None:
    real = link_path(ok(run("ann", "calendar link")))
    guesses = [
        "/nothing-here",
        "/calendar/short.ics",
        "/calendar/" + "A" * 43 + ".ics",  # the right shape, but no such link
        real.removesuffix(".ics"),
        real + "/../../etc/passwd",
        "/calendar/%00.ics",
    ]
    for url in guesses:
        async with client.get(url) as resp:
            assert (resp.status, await resp.text()) == (404, "Not found"), url
    async with client.post(real) as resp:
        assert resp.status == 405 and "calendar" not in await resp.text()


async def test_health_check(client: Client) -> None:
    async with client.get("/healthz") as resp:
        assert (resp.status, await resp.text()) == (200, "ok")


async def test_the_public_pages_are_opt_in(tmp_path: Path, clock: FakeClock) -> None:
    app = build_web_app(tmp_path, clock, public=False)
    try:
        site = WebSite(app.community)
        async with TestClient(TestServer(site.application(), host="127.0.0.1")) as client:
            for url in ("/", "/calendar.ics"):
                async with client.get(url) as resp:
                    assert (resp.status, await resp.text()) == (404, "Not found")
            async with client.get("/healthz") as resp:
                assert resp.status == 200
    finally:
        app.close()


async def test_one_address_is_slowed_and_others_are_not(app: App) -> None:
    now = [0.0]
    site = WebSite(app.community, RateLimit(per_minute=60, burst=3, clock=lambda: now[0]))
    async with TestClient(TestServer(site.application(), host="127.0.0.1")) as client:
        statuses = []
        for _ in range(4):
            async with client.get("/") as resp:
                statuses.append(resp.status)
                retry = resp.headers.get("Retry-After")
        assert statuses == [200, 200, 200, 429] and retry == "1"
        other = {"X-Forwarded-For": "203.0.113.9"}
        async with client.get("/", headers=other) as resp:
            assert resp.status == 429  # not behind a proxy: the header is not believed
        now[0] += 1.0
        async with client.get("/") as resp:
            assert resp.status == 200


async def test_behind_a_proxy_each_visitor_has_their_own_limit(
    tmp_path: Path, clock: FakeClock
) -> None:
    app = build_web_app(tmp_path, clock, behind_proxy=True)
    try:
        limit = RateLimit(per_minute=60, burst=1, clock=lambda: 0.0)
        site = WebSite(app.community, limit)
        async with TestClient(TestServer(site.application(), host="127.0.0.1")) as client:

            async def status(forwarded: str) -> int:
                async with client.get("/", headers={"X-Forwarded-For": forwarded}) as resp:
                    return resp.status

            # The proxy appends the address it saw: only that last entry is believed.
            assert await status("198.51.100.7, 203.0.113.1") == 200
            assert await status("198.51.100.99, 203.0.113.1") == 429
            assert await status("203.0.113.2") == 200
    finally:
        app.close()
