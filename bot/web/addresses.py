"""The addresses the bot hands out: https for copying, webcal:// to open a calendar app."""

from __future__ import annotations


def feed_address(base: str, path: str) -> tuple[str, str]:
    """The http(s) address of `path` under `base`, and its webcal:// twin."""
    url = base.rstrip("/") + path
    return url, "webcal://" + url.split("://", 1)[1]
