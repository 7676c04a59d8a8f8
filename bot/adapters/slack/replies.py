"""Answering a command through its `response_url`, on one kept-alive connection.

bolt's `respond()` opens a fresh HTTP connection for every answer; a community bot answers
many small commands, so reusing one session saves a connection set-up each time. Proxy
settings come from the environment, as they do for the Web API client.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

log = logging.getLogger(__name__)
TIMEOUT = aiohttp.ClientTimeout(total=10)


class Replies:
    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def post(self, url: str, body: dict[str, Any]) -> bool:
        """Send `body` to `url`; False (and logged) if Slack did not take it."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(trust_env=True, timeout=TIMEOUT)
        try:
            async with self._session.post(url, json=body) as response:
                if response.status == 200:
                    return True
                log.warning("Slack refused a reply (HTTP %s)", response.status)
        except (TimeoutError, aiohttp.ClientError) as err:
            log.warning("a reply could not reach Slack: %s", type(err).__name__)
        return False

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
