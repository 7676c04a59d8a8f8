"""Answering calendar apps politely: an ETag and Last-Modified on every feed, and 304s.

Apps poll a subscription every so often; when nothing changed, a 304 with no body is all
they need. The ETag is a hash of the bytes, so it changes exactly when the feed does; the
Last-Modified is when this process first served those bytes (a restart can only make it
newer, which costs a client one full download, never a missed change).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from datetime import datetime

from aiohttp import web


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class FirstSeen:
    """When each (feed, ETag) was first served, for the last `limit` of them."""

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self._seen: OrderedDict[tuple[object, str], datetime] = OrderedDict()

    def stamp(self, feed: object, etag: str, now: datetime) -> datetime:
        key = (feed, etag)
        when = self._seen.pop(key, now.replace(microsecond=0))
        self._seen[key] = when
        while len(self._seen) > self.limit:
            self._seen.popitem(last=False)
        return when


def not_modified(request: web.Request, etag: str, last_modified: datetime) -> bool:
    """RFC 9110: If-None-Match decides when sent; only without it does If-Modified-Since."""
    offered = request.headers.get("If-None-Match")
    if offered is not None:
        tags = {tag.strip().removeprefix("W/") for tag in offered.split(",")}
        return "*" in tags or etag in tags
    since = request.if_modified_since
    return since is not None and last_modified <= since
