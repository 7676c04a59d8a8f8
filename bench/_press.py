"""One of `bench/commands.py`'s worker processes: members pressing a button at once.

Reads one JSON line on stdin (the URL, and the requests as Slack would send them, already
signed, so no signing happens on the clock), opens its connections, prints `ready`, waits
for a `go` line, POSTs every request at once over those kept-alive connections, and prints
one JSON line: for each request its HTTP status, when it was sent and when its answer came
(time.monotonic, one clock for every process on the machine), and whether the answer was
in the acknowledgement itself. It imports nothing of copbot's, so starting eight of them is
quick and none shares anything with the bot but the wire.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import aiohttp

CONNECTIONS = 16  # per process: 8 processes keep 128 connections open to the one bot


async def send_all(url: str, requests: list[list[object]]) -> list[tuple[int, float, float, bool]]:
    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    async with aiohttp.ClientSession(connector=connector) as http:
        await _open(http, url)
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)

        async def one(body: object, headers: object) -> tuple[int, float, float, bool]:
            sent = time.monotonic()
            async with http.post(url, data=body, headers=headers) as answer:  # type: ignore[arg-type]
                text = await answer.read()
                return answer.status, sent, time.monotonic(), b'"text"' in text

        return list(await asyncio.gather(*(one(b, h) for b, h in requests)))


async def _open(http: aiohttp.ClientSession, url: str) -> None:
    """Open this process's connections before the clock starts, as Slack's own delivery
    has its connections open: unsigned requests, which the bot refuses at once."""

    async def knock() -> None:
        async with http.post(url, data=b"") as answer:
            await answer.read()

    await asyncio.gather(*(knock() for _ in range(CONNECTIONS)))


def main() -> None:
    job = json.loads(sys.stdin.readline())
    print(json.dumps(asyncio.run(send_all(job["url"], job["requests"]))), flush=True)


if __name__ == "__main__":
    main()
