"""The Slack app manifest: paste it at api.slack.com/apps to create copbot in one step.

It asks for only the scopes the adapter uses; `scopes_why` says what each one is for, so
the README (and the operator approving the install) can see why it is needed.
"""

from __future__ import annotations

import json
from typing import Any

from bot.config import Config
from bot.dispatch.registry import Registry

APP_NAME = "copbot"
BOT_EVENTS = ("app_home_opened", "member_joined_channel", "channel_unarchive")
USAGE_LIMIT = 1000
DESCRIPTION_LIMIT = 140


def scopes_why(config: Config) -> dict[str, str]:
    """Each bot scope the adapter uses, with the reason; the user-group one only if configured."""
    why = {
        "commands": "Receive the /cop slash command.",
        "chat:write": "Send replies, reminders and notices, and post announcements.",
        "im:write": "Open a direct message with a member to send reminders and files.",
        "mpim:write": "Open one group direct message with the members of a CONNECT "
        "introduction, so they meet in one conversation.",
        "users:read": "Learn the name of a member who opens the App Home before using a command.",
        "files:write": "Put files a member asked for (.ics calendar, attendee CSV, their data as "
        "JSON) in their direct messages.",
        "channels:read": "Check the announcement channel exists and the bot is in it, and find a "
        "channel configured by name.",
        "groups:read": "The same check when the announcement channel is private.",
        "im:history": "After a message timed out, look in the member's direct messages for it "
        "before sending it again, so nobody gets it twice.",
        "mpim:history": "The same look in a CONNECT introduction's group direct message.",
        "channels:history": "The same look in the announcement channel.",
        "groups:history": "The same look when the announcement channel is private.",
    }
    if config.planning_group.slack_usergroup:
        why["usergroups:read"] = "Know who is in the planning group's Slack user group."
    return why


def usage_hint(registry: Registry) -> str:
    return " | ".join(command.name for command in registry.all())[:USAGE_LIMIT]


def manifest(config: Config, registry: Registry, request_url: str = "") -> dict[str, Any]:
    """The manifest as data. With `request_url`, HTTP mode; without it, Socket Mode."""
    command: dict[str, Any] = {
        "command": "/cop",
        "description": "Sessions, sign-ups and reminders for the community",
        "usage_hint": usage_hint(registry),
        "should_escape": False,
    }
    settings: dict[str, Any] = {
        # the two channel events tell the bot its announcement channel was put right
        "event_subscriptions": {"bot_events": list(BOT_EVENTS)},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": not request_url,
        "token_rotation_enabled": False,
    }
    if request_url:
        command["url"] = request_url
        settings["event_subscriptions"]["request_url"] = request_url
        settings["interactivity"]["request_url"] = request_url
    return {
        "display_information": {
            "name": APP_NAME,
            "description": f"Runs the {config.community_name}"[:DESCRIPTION_LIMIT],
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": APP_NAME, "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": sorted(scopes_why(config))}},
        "settings": settings,
    }


def slack_manifest(config: Config, registry: Registry, request_url: str = "") -> str:
    """The manifest as JSON text, which Slack's "create from manifest" page accepts."""
    return json.dumps(manifest(config, registry, request_url), indent=2)
