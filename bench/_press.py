"""One of `bench/commands.py`'s worker processes: members pressing a button at once.

Reads one JSON line on stdin (the URL, and the requests as Slack would send them, already
signed), prints `ready`, waits for a `go` line, POSTs every request at once, and prints one
JSON line: each answer's HTTP status and milliseconds. It imports nothing of copbot's, so
starting eight of them is quick and none shares anything with the bot but the wire.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import aiohttp


async def send_all(url: str, requests: list[list[object]]) -> list[tuple[int, float]]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as http:

        async def one(body: object, headers: object) -> tuple[int, float]:
            began = time.perf_counter()
            async with http.post(url, data=body, headers=headers) as answer:  # type: ignore[arg-type]
                await answer.read()
                return answer.status, (time.perf_counter() - began) * 1000

        return list(await asyncio.gather(*(one(b, h) for b, h in requests)))


def main() -> None:
    job = json.loads(sys.stdin.readline())
    print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps(asyncio.run(send_all(job["url"], job["requests"]))), flush=True)


if __name__ == "__main__":
    main()
