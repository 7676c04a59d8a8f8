"""The web server: routes, the rate limit, and running beside whichever front end is up.

It runs on the bot's own event loop and reads the same database the commands write. Its
routes can join Slack's HTTP app (one port for both) or run on an aiohttp server of their
own. Access logs are off: a member's calendar address is a secret and must not land in one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from aiohttp import web

from bot.community import Community
from bot.frontend import SetupError
from bot.web import headers
from bot.web.addresses import feed_address
from bot.web.conditional import FirstSeen, etag_for, not_modified
from bot.web.feeds import Feed, community_feed, feed_ics, member_feed
from bot.web.limit import RateLimit
from bot.web.page import CSS, render_page
from bot.web.public import page_listings
from bot.web.tokens import looks_like_token, same_hash, token_hash

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CACHE_LIMIT = 2048
STYLE = headers.style_source(CSS)
FEED_TYPE = "text/calendar; charset=utf-8"
# The same UIDs as the .ics file `/cop calendar` sends, so an app sees the same sessions.
UID_HOST = "copbot"


class WebSite:
    """Feeds and pages for one community, with a rate limit per client address."""

    def __init__(self, community: Community, limit: RateLimit | None = None) -> None:
        self.community = community
        self.config = community.config.web
        self.limit = limit if limit is not None else RateLimit(self.config.requests_per_minute)
        self.first_seen = FirstSeen()
        self._cache: dict[object, tuple[object, bytes, str]] = {}
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    # -- wiring -------------------------------------------------------------------------

    def add_routes(self, app: web.Application, *, healthz: bool = True) -> None:
        """Add the routes (and the quiet 404) to `app`: ours, or Slack's HTTP app."""
        routes = [web.get("/calendar/{token}.ics", self._guard(self.member_calendar))]
        if self.config.public:
            routes += [
                web.get("/", self._guard(self.whats_on)),
                web.get("/calendar.ics", self._guard(self.community_calendar)),
            ]
        if healthz:
            routes.append(web.get("/healthz", self.healthz))
        app.add_routes(routes)
        app.middlewares.append(quiet_errors)

    def shared_routes(self, app: web.Application) -> None:
        """For Slack's HTTP app, which answers /healthz itself."""
        self.add_routes(app, healthz=False)

    def application(self) -> web.Application:
        app = web.Application()
        self.add_routes(app)
        return app

    async def start(self) -> None:
        """Listen on the configured host and port (0 picks a free one, for tests)."""
        self._runner = web.AppRunner(self.application(), access_log=None)
        await self._runner.setup()
        host, port = self.config.host, self.config.listen_port
        try:
            await web.TCPSite(self._runner, host, port).start()
        except OSError as err:
            await self.stop()
            raise SetupError(
                f"the calendar pages could not listen on {host}:{port} ({err.strerror}); "
                "choose another web.port"
            ) from err
        self.port = _bound_port(self._runner)
        log.info("calendar and pages on %s:%s", self.config.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- handlers -----------------------------------------------------------------------

    async def healthz(self, request: web.Request) -> web.Response:
        return headers.plain(200, "ok")

    async def member_calendar(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if not looks_like_token(token):
            raise web.HTTPNotFound()
        offered = token_hash(token)
        link = self.community.calendar_links.by_hash(offered)
        if link is None or not same_hash(link.token_hash, offered):
            raise web.HTTPNotFound()
        now = self.community.clock.now()
        key = ("member", link.member_id, link.scope)
        body, etag = self._feed(key, now, lambda: member_feed(self.community, link, now))
        return self._calendar(request, key, body, etag, now, "private, max-age=300")

    async def community_calendar(self, request: web.Request) -> web.StreamResponse:
        now = self.community.clock.now()
        key = ("community",)
        body, etag = self._feed(key, now, lambda: community_feed(self.community, now))
        return self._calendar(request, key, body, etag, now, "public, max-age=300")

    async def whats_on(self, request: web.Request) -> web.StreamResponse:
        community, now = self.community, self.community.clock.now()
        feed_url, webcal_url = feed_address(self.config.address, "/calendar.ics")
        html = render_page(
            community.messages,
            community.config.community_name,
            community.zone,
            page_listings(community, now),
            feed_url,
            webcal_url,
        )
        body = html.encode("utf-8")
        etag = etag_for(body)
        response = self._conditional(request, ("page",), etag, now, "public, max-age=60")
        if response is None:
            response = web.Response(body=body, content_type="text/html", charset="utf-8")
            self._validators(response, ("page",), etag, now, "public, max-age=60")
        return headers.secure(response, STYLE)

    # -- helpers ------------------------------------------------------------------------

    def _feed(self, key: object, now: datetime, build: Callable[[], Feed]) -> tuple[bytes, str]:
        """The feed's bytes and ETag, rebuilt only when the calendar (or the day) moved.

        Keyed on the calendar's change mark rather than every write to the file: the
        scheduler writes to the delivery ledger every tick, and a key that moved with those
        writes would rebuild every feed on every poll."""
        version = (self.community.sessions.calendar_mark(), now.date())
        cached = self._cache.get(key)
        if cached is not None and cached[0] == version:
            return cached[1], cached[2]
        body = feed_ics(self.community, build(), UID_HOST)
        etag = etag_for(body)
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = (version, body, etag)
        return body, etag

    def _calendar(
        self, request: web.Request, key: object, body: bytes, etag: str, now: datetime, cache: str
    ) -> web.StreamResponse:
        response = self._conditional(request, key, etag, now, cache)
        if response is None:
            response = web.Response(body=body, headers={"Content-Type": FEED_TYPE})
            response.headers["Content-Disposition"] = 'inline; filename="calendar.ics"'
            self._validators(response, key, etag, now, cache)
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return headers.secure(response)

    def _conditional(
        self, request: web.Request, key: object, etag: str, now: datetime, cache: str
    ) -> web.StreamResponse | None:
        if not not_modified(request, etag, self.first_seen.stamp(key, etag, now)):
            return None
        response = web.Response(status=304)
        self._validators(response, key, etag, now, cache)
        return response

    def _validators(
        self, response: web.StreamResponse, key: object, etag: str, now: datetime, cache: str
    ) -> None:
        response.headers["ETag"] = etag
        response.last_modified = self.first_seen.stamp(key, etag, now)
        response.headers["Cache-Control"] = cache

    def _guard(self, handler: Handler) -> Handler:
        """The rate limit, before anything touches the database."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            wait = self.limit.allow(self._client(request))
            if wait > 0:
                response = headers.plain(429, "Too many requests. Please try again shortly.")
                response.headers["Retry-After"] = str(max(1, round(wait)))
                return response
            return await handler(request)

        return guarded

    def _client(self, request: web.Request) -> str:
        """The caller's address; behind a proxy, the one the proxy itself appended."""
        if self.config.behind_proxy:
            forwarded = request.headers.get("X-Forwarded-For", "")
            last = forwarded.rsplit(",", 1)[-1].strip()
            if last:
                return last
        return request.remote or "unknown"


@web.middleware
async def quiet_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Unknown paths and wrong methods get a bare answer that says nothing more."""
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return headers.plain(404, "Not found")
    except web.HTTPMethodNotAllowed as err:
        response = headers.plain(405, "Method not allowed")
        response.headers["Allow"] = ", ".join(sorted(err.allowed_methods))
        return response


def _bound_port(runner: web.AppRunner) -> int | None:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return None
