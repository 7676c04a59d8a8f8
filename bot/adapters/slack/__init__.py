"""The Slack front end: `/cop`, buttons, the schedule form, the App Home, and the sends."""

from bot.adapters.slack.adapter import SlackAdapter
from bot.adapters.slack.manifest import scopes_why, slack_manifest
from bot.adapters.slack.runner import run_slack
from bot.adapters.slack.setup import SlackSetupError

__all__ = ["SlackAdapter", "SlackSetupError", "run_slack", "scopes_why", "slack_manifest"]
