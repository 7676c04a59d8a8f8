"""The link a server admin follows to add the bot, asking for no more than it uses, and the
check at start that the bot was given it."""

from __future__ import annotations

import discord

SCOPES = ("bot", "applications.commands")

# Discord's own rules for who may create an event in a channel (Guild Scheduled Event
# permission requirements): a voice channel asks for Connect; a stage channel for three
# moderator permissions, which is why the README suggests a voice channel.
VOICE_EVENTS = discord.Permissions(view_channel=True, connect=True, manage_events=True)
STAGE_EVENTS = discord.Permissions(
    view_channel=True,
    manage_events=True,
    manage_channels=True,
    mute_members=True,
    move_members=True,
)

# The names Discord's own settings use, for telling an admin what to grant.
PERMISSION_NAMES = {
    "view_channel": "View Channels",
    "send_messages": "Send Messages",
    "send_messages_in_threads": "Send Messages in Threads",
    "create_public_threads": "Create Public Threads",
    "create_private_threads": "Create Private Threads",
    "manage_threads": "Manage Threads",
    "embed_links": "Embed Links",
    "attach_files": "Attach Files",
    "read_message_history": "Read Message History",
    "manage_events": "Manage Events",
    "connect": "Connect",
    "manage_channels": "Manage Channels",
    "mute_members": "Mute Members",
    "move_members": "Move Members",
}


def bot_permissions(events: bool, event_channel: bool = False) -> discord.Permissions:
    """Read and post in channels and session threads, embeds and files; events if mirrored
    (and Connect, if they are held in a voice channel).

    Each session's private thread, where reminders name only the members booked, needs
    Create Private Threads, and Manage Threads to add members to it: the thread is started
    with `invitable` off, so that members cannot bring others in, and Discord then leaves
    adding people to moderators."""
    permissions = discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        create_public_threads=True,
        create_private_threads=True,
        manage_threads=True,
        embed_links=True,
        attach_files=True,
        read_message_history=True,
    )
    if events:
        permissions.manage_events = True
        permissions.connect = event_channel
    return permissions


def lacking(have: discord.Permissions, wanted: discord.Permissions) -> list[str]:
    """What is wanted but not had, by the names Discord's settings show."""
    return [
        PERMISSION_NAMES.get(name, name) for name, on in wanted if on and not getattr(have, name)
    ]


def missing_permissions(have: discord.Permissions, events: bool) -> list[str]:
    """What the bot needs in the announcement channel but lacks."""
    return lacking(have, bot_permissions(events))


def discord_invite_url(application_id: str, events: bool, event_channel: bool = False) -> str:
    """OAuth2 URL with the bot and slash-command scopes and the least permissions integer."""
    if not application_id.strip().isdigit():
        raise ValueError("discord.application_id must be the numeric application id")
    permissions = bot_permissions(events, event_channel)
    return discord.utils.oauth_url(application_id.strip(), permissions=permissions, scopes=SCOPES)
