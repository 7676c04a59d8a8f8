"""The app manifest: valid JSON, the /cop command, and only the scopes the adapter uses."""

from __future__ import annotations

import json
from pathlib import Path

from bot.adapters.slack import scopes_why, slack_manifest
from bot.config import Config, PlanningGroup
from commands import build_registry


def test_manifest_for_socket_mode() -> None:
    config = Config()
    manifest = json.loads(slack_manifest(config, build_registry()))

    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/cop" and command["should_escape"] is False
    assert all(name in command["usage_hint"] for name in ("help", "signup", "forget-me"))
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert set(scopes) == set(scopes_why(config))
    assert {"commands", "chat:write", "im:write", "mpim:write", "files:write"} <= set(scopes)
    assert "channels:read" in scopes
    assert "usergroups:read" not in scopes
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "member_joined_channel",
        "channel_unarchive",
    ]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert len(manifest["display_information"]["name"]) <= 35


def test_manifest_for_http_mode_with_a_usergroup(tmp_path: Path) -> None:
    config = Config(planning_group=PlanningGroup(slack_usergroup="S1"))
    url = "https://copbot.example.org/slack/events"
    manifest = json.loads(slack_manifest(config, build_registry(), request_url=url))

    assert "usergroups:read" in manifest["oauth_config"]["scopes"]["bot"]
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["settings"]["interactivity"]["request_url"] == url
    assert manifest["features"]["slash_commands"][0]["url"] == url
    assert all(why.endswith(".") for why in scopes_why(config).values())
