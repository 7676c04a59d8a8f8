"""Small helpers shared by tests of different layers."""

from __future__ import annotations

from dataclasses import replace

from bot.community import Community
from bot.context import Actor


def met_the_welcome(community: Community, platform: str, user_id: str) -> None:
    """Register a member who has already seen the welcome notice, so a test about something
    else reads the answer to its command without the notice a first contact carries."""
    member = community.register(Actor(platform, user_id, user_id))
    members = community.members
    members.save_preferences(member.id, replace(members.preferences(member.id), welcomed=True))
