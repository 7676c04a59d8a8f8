"""The link a server admin follows to add the bot, asking for no more than it uses."""

from __future__ import annotations

import discord

SCOPES = ("bot", "applications.commands")


def bot_permissions(events: bool) -> discord.Permissions:
    """Read and post in channels and session threads, embeds and files; events if mirrored."""
    permissions = discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        create_public_threads=True,
        embed_links=True,
        attach_files=True,
        read_message_history=True,
    )
    if events:
        permissions.manage_events = True
    return permissions


# The names Discord's own settings use, for telling an admin what to grant.
PERMISSION_NAMES = {
    "view_channel": "View Channels",
    "send_messages": "Send Messages",
    "send_messages_in_threads": "Send Messages in Threads",
    "create_public_threads": "Create Public Threads",
    "embed_links": "Embed Links",
    "attach_files": "Attach Files",
    "read_message_history": "Read Message History",
    "manage_events": "Manage Events",
}


def missing_permissions(have: discord.Permissions, events: bool) -> list[str]:
    """What the bot needs but lacks, by the names Discord's settings show."""
    return [
        PERMISSION_NAMES.get(name, name)
        for name, wanted in bot_permissions(events)
        if wanted and not getattr(have, name)
    ]


def discord_invite_url(application_id: str, events: bool) -> str:
    """OAuth2 URL with the bot and slash-command scopes and the least permissions integer."""
    if not application_id.strip().isdigit():
        raise ValueError("discord.application_id must be the numeric application id")
    return discord.utils.oauth_url(
        application_id.strip(), permissions=bot_permissions(events), scopes=SCOPES
    )
