"""Announcements that could not be posted: the planner hears why, and they go out later.

A session's announcement is a promise made to the planner when they schedule it. If the
channel refuses it for good (the bot is not in the channel, the channel is gone or
archived), the planner who scheduled the session is told what happened, once, in a direct
message, and the ledger keeps the announcement as failed. Once the front end sees the
channel put right it calls `retry`, and the ledger sends every such announcement whose
session is still ahead: nothing is re-typed, and nothing stale is posted.
"""

from __future__ import annotations

from bot.community import Community
from bot.domain.context import Reply
from bot.scheduling.notices import Notices
from bot.storage.deliveries import Delivery

KIND = "announcement"


def tell_planner(community: Community, delivery: Delivery, reason: str) -> None:
    """Tell whoever scheduled the session that its announcement has not been posted."""
    if delivery.kind != KIND or delivery.member_id is not None:
        return
    session = community.sessions.get(delivery.session_id or 0)
    if session is None or session.created_by is None:
        return
    if not community.meta.claim(f"unposted-told:{delivery.key}", delivery.key):
        return  # told once is enough: a retry that fails again is not news
    text = community.messages(
        "announce.not_posted", id=session.id, title=session.title, reason=reason
    )
    Notices(community).notify([session.created_by], "notice", Reply(text), session_id=session.id)


def retry(community: Community) -> int:
    """Failed announcements of sessions still ahead go back in the ledger, due now."""
    return community.deliveries.retry_failed_posts(
        KIND, community.config.announce_channel, community.clock.now()
    )
