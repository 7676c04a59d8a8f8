"""The Slack front end: `/cop`, buttons, the schedule form, the App Home, and the sends."""

from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.manifest import scopes_why, slack_manifest
from bot.adapters.slack.setup import SlackSetupError

__all__ = ["SlackAdapter", "SlackSetupError", "scopes_why", "slack_manifest"]
