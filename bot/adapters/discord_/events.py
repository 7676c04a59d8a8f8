"""Mirror a session as a Discord Guild Scheduled Event, so members see it in Discord's calendar.

The database stays the source of truth: each sync reads the session and makes the event match
(create, edit, or cancel), remembering the event id in the session's platform refs.
"""

from __future__ import annotations

import logging

import discord

from bot.adapters.discord_.render import ZWSP, neutralise, plain
from bot.community import Community
from bot.storage.sessions import Session

log = logging.getLogger(__name__)
EVENT_REF = "discord_event"


def _where(session: Session, community: Community, guild: discord.Guild) -> dict[str, object]:
    """External with the session's place; else the configured voice/stage channel."""
    if session.location:
        return {
            "entity_type": discord.EntityType.external,
            "location": event_location(session.location),
        }
    channel_id = community.config.discord_event_channel
    channel = guild.get_channel(int(channel_id)) if channel_id.isdigit() else None
    if isinstance(channel, discord.StageChannel):
        return {"entity_type": discord.EntityType.stage_instance, "channel": channel}
    if isinstance(channel, discord.VoiceChannel):
        return {"entity_type": discord.EntityType.voice, "channel": channel}
    place = community.config.community_name[:100] or "Online"
    return {"entity_type": discord.EntityType.external, "location": place}


def event_location(location: str) -> str:
    """A member-written place as an event's location, which Discord shows as plain text:
    `@everyone` and `<@…>` broken up so they never look like (or act as) mentions."""
    return plain(location).replace("<", "<" + ZWSP)[:100]


async def _existing(guild: discord.Guild, event_id: str) -> discord.ScheduledEvent | None:
    if not event_id.isdigit():
        return None
    try:
        return await guild.fetch_scheduled_event(int(event_id))
    except discord.NotFound:
        return None


async def sync_event(client: discord.Client, community: Community, session_id: int) -> None:
    """Create, edit or cancel the event for `session_id`. May raise; the adapter logs."""
    config = community.config
    if not config.discord_events or not config.discord_guild_id.isdigit():
        return
    session = community.sessions.get(session_id)
    if session is None:
        return
    guild_id = int(config.discord_guild_id)
    guild = client.get_guild(guild_id) or await client.fetch_guild(guild_id)
    refs = community.sessions.refs(session_id)
    event = await _existing(guild, refs.get(EVENT_REF, ""))
    if session.cancelled:
        if event is not None and event.status == discord.EventStatus.scheduled:
            await event.cancel()
        return
    if session.start <= community.clock.now():
        return  # Discord refuses events in the past; a started one is left to run its course
    description = neutralise(" · ".join(p for p in (session.objective, session.description) if p))
    fields: dict[str, object] = {
        "name": plain(session.title)[:100] or f"Session {session.id}",
        "description": description[:1000],
        "start_time": session.start,
        "end_time": session.end,
        "privacy_level": discord.PrivacyLevel.guild_only,
        **_where(session, community, guild),
    }
    if event is None:
        created = await guild.create_scheduled_event(**fields)  # type: ignore[call-overload]
        community.sessions.set_ref(session_id, EVENT_REF, str(created.id))
        log.info("created scheduled event %s for session %s", created.id, session_id)
    else:
        await event.edit(**fields)  # type: ignore[call-overload]
