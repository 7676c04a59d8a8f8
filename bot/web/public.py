"""What the public page lists: upcoming sessions, counts of places, how to join. No names."""

from __future__ import annotations

from datetime import datetime

from bot.community import Community
from bot.storage.signups import Counts
from bot.web.feeds import join_text, places_text
from bot.web.page import Listing

PAGE_LIMIT = 50


def page_listings(community: Community, now: datetime) -> list[Listing]:
    found = community.sessions.upcoming(now, PAGE_LIMIT, include_cancelled=True)
    counts = community.signups.counts([s.id for s in found])
    messages = community.messages
    return [
        Listing(
            s,
            places_text(messages, s, counts.get(s.id, Counts())),
            "" if s.cancelled else join_text(messages, community, s),
        )
        for s in found
    ]
