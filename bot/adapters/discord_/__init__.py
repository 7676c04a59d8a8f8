"""The Discord front end (discord.py): slash commands, buttons, forms, threads and events."""

from bot.adapters.discord_.adapter import DiscordAdapter, actor_for
from bot.adapters.discord_.invite import discord_invite_url

__all__ = ["DiscordAdapter", "actor_for", "discord_invite_url"]
