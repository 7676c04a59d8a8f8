"""Answering a command through its `response_url`, on one kept-alive connection.

Slack's response_url endpoints sometimes answer 5xx, or the connection drops: such a post
is tried again a couple of times, briefly, since the member is waiting. Anything else (a
404 from a response_url that expired) is not retried: the caller finds another way.

bolt's `respond()` opens a fresh HTTP connection for every answer; a community bot answers
many small commands, so reusing one session saves a connection set-up each time. Proxy
settings come from the environment (HTTPS_PROXY, NO_PROXY), worked out once per host:
aiohttp's own `trust_env` would read them, and ~/.netrc, on every request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp

log = logging.getLogger(__name__)
TIMEOUT = aiohttp.ClientTimeout(total=10)
RETRY_DELAYS = (0.5, 1.5)  # seconds before the second and third tries


class Replies:
    def __init__(self, retry_delays: Sequence[float] = RETRY_DELAYS) -> None:
        self.retry_delays = tuple(retry_delays)
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    async def post(self, url: str, body: dict[str, Any]) -> bool:
        """Send `body` to `url`, retrying Slack's passing trouble; False if it never took it."""
        for delay in (*self.retry_delays, None):
            status = await self._post_once(url, body)
            if status == 200:
                return True
            transient = status is None or status >= 500 or status == 429
            log.warning("Slack refused a reply (%s)", f"HTTP {status}" if status else "no answer")
            if not transient or delay is None:
                return False
            await asyncio.sleep(delay)
        return False

    async def _post_once(self, url: str, body: dict[str, Any]) -> int | None:
        """The HTTP status Slack answered, or None if it could not be reached."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        try:
            async with self._session.post(url, json=body, proxy=self._proxy(url)) as response:
                return response.status
        except (TimeoutError, aiohttp.ClientError) as err:
            log.warning("a reply could not reach Slack: %s", type(err).__name__)
            return None

    def _proxy(self, url: str) -> str | None:
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            bypass = not key[1] or proxy_bypass(key[1])
            self._proxies[key] = None if bypass else getproxies().get(key[0])
        return self._proxies[key]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
