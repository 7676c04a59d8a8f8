"""Answering a command through its `response_url`, on one kept-alive connection.

bolt's `respond()` opens a fresh HTTP connection for every answer; a community bot answers
many small commands, so reusing one session saves a connection set-up each time. Proxy
settings come from the environment (HTTPS_PROXY, NO_PROXY), worked out once per host:
aiohttp's own `trust_env` would read them, and ~/.netrc, on every request.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp

log = logging.getLogger(__name__)
TIMEOUT = aiohttp.ClientTimeout(total=10)


class Replies:
    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    async def post(self, url: str, body: dict[str, Any]) -> bool:
        """Send `body` to `url`; False (and logged) if Slack did not take it."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        try:
            async with self._session.post(url, json=body, proxy=self._proxy(url)) as response:
                if response.status == 200:
                    return True
                log.warning("Slack refused a reply (HTTP %s)", response.status)
        except (TimeoutError, aiohttp.ClientError) as err:
            log.warning("a reply could not reach Slack: %s", type(err).__name__)
        return False

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
