"""What a Discord error means for a send: worth trying again, or refused for good.

Every send the Discord front end makes (answers, direct messages, thread posts, thread
membership) is judged by this one rule, so the courier retries the same things everywhere.
"""

from __future__ import annotations

import discord

from bot.frontend import SendFailed


def failure(err: Exception) -> SendFailed:
    """A Discord error as a SendFailed: server trouble and rate limits are worth retrying."""
    if isinstance(err, discord.HTTPException):
        if err.status >= 500:
            return SendFailed(f"discord error {err.status}", permanent=False)
        if err.status == 429:
            retry = getattr(err, "retry_after", None)
            return SendFailed("rate limited", permanent=False, retry_after=retry)
        return SendFailed(f"discord refused ({err.status} {err.code})", permanent=True)
    return SendFailed(f"network error: {err!r}", permanent=False)
