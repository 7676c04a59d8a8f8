"""Checks at start, so a setup mistake is named plainly instead of failing silently later.

A bad token stops the bot (nothing could work); an announcement channel the bot cannot
post in is reported with what to do, and the bot carries on, because commands, the App
Home and DMs still work and failed announcements are recorded in the ledger.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.adapters.slack.failures import SEND_ERRORS
from bot.adapters.slack.sending import Sender
from bot.config import Config
from bot.frontend import SendFailed, SetupError

log = logging.getLogger(__name__)


class SlackSetupError(SetupError):
    """The Slack front end cannot start; the message says what to change."""


def check_secrets(config: Config, http: bool) -> None:
    secrets = config.secrets
    if not secrets.slack_bot_token:
        raise SlackSetupError("SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…).")
    if not secrets.slack_bot_token.startswith("xoxb-"):
        raise SlackSetupError(
            f"SLACK_BOT_TOKEN holds {_kind(secrets.slack_bot_token)}, not a bot token: copy the "
            "Bot User OAuth Token (xoxb-…) from OAuth & Permissions."
        )
    if http and not secrets.slack_signing_secret:
        raise SlackSetupError(
            "SLACK_SIGNING_SECRET is not set: HTTP mode verifies every request with it "
            "(Basic Information → App Credentials)."
        )
    if not http and not secrets.slack_app_token:
        raise SlackSetupError(
            "SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-…) with "
            "connections:write (Basic Information → App-Level Tokens), or run with --http."
        )
    if not http and not secrets.slack_app_token.startswith("xapp-"):
        raise SlackSetupError(
            f"SLACK_APP_TOKEN holds {_kind(secrets.slack_app_token)}, not an app-level token: "
            "create one (xapp-…) with connections:write under Basic Information → App-Level Tokens."
        )


def _kind(token: str) -> str:
    """What sort of Slack token `token` looks like, for a message that never shows it."""
    kinds = {"xapp-": "an app-level token (xapp-…)", "xoxb-": "a bot token (xoxb-…)"}
    kinds |= {"xoxp-": "a user token (xoxp-…)", "xoxe": "a refresh token (xoxe…)"}
    found = next((kind for prefix, kind in kinds.items() if token.startswith(prefix)), "")
    return found or "something that is not a Slack token"


async def check_app_token(client: AsyncWebClient, token: str) -> None:
    """Ask Slack for a Socket Mode connection with `token`; SlackSetupError if refused.

    The Socket Mode client would otherwise retry a refused token forever, logging every
    few seconds, while nothing else starts. The address Slack gives is simply not used.
    """
    try:
        await client.apps_connections_open(app_token=token)
    except SlackApiError as err:
        code = err.response.get("error")
        raise SlackSetupError(
            f"Slack did not accept SLACK_APP_TOKEN ({code}): create an app-level token with "
            "connections:write under Basic Information → App-Level Tokens, with Socket Mode on."
        ) from err
    except SEND_ERRORS as err:
        raise SlackSetupError(f"could not reach Slack at {client.base_url} ({err!r}).") from err


def scope_advice(scope: str, why: dict[str, str]) -> str:
    reason = f" ({why[scope]})" if scope in why else ""
    return (
        f"the Slack app lacks the {scope} scope{reason}: add it under OAuth & Permissions "
        "(or recreate the app from `copbot slack-manifest`) and reinstall the app"
    )


async def check_auth(
    client: AsyncWebClient, why: dict[str, str]
) -> tuple[str, list[str], AsyncSlackResponse]:
    """The bot's own name, any scope it lacks, and Slack's whole answer (bolt needs it too);
    SlackSetupError if the token is refused.

    auth.test also lists the scopes the token was granted, so a scope the manifest asks for
    but the installed app lacks is named now, not when a member first needs it.
    """
    try:
        resp = await client.auth_test()
    except SlackApiError as err:
        code = err.response.get("error")
        raise SlackSetupError(f"Slack did not accept SLACK_BOT_TOKEN ({code}).") from err
    except SEND_ERRORS as err:
        raise SlackSetupError(f"could not reach Slack at {client.base_url} ({err!r}).") from err
    granted = _header(resp.headers, "x-oauth-scopes")
    missing = [s for s in why if granted and s not in granted.replace(" ", "").split(",")]
    advice = _logged([scope_advice(s, why) for s in missing])
    return str(resp.get("user") or "copbot"), advice, resp


def _header(headers: Any, name: str) -> str:
    found = next((v for k, v in dict(headers or {}).items() if k.lower() == name), "")
    return ",".join(found) if isinstance(found, list) else str(found)


def _logged(problems: list[str]) -> list[str]:
    for problem in problems:
        log.warning("Slack setup: %s", problem)
    return problems


async def check_channel(
    sender: Sender, channel: str, bot: str, why: dict[str, str], *, quiet: bool = False
) -> list[str]:
    """Problems with the announcement channel, each saying what to do; logged as warnings
    unless `quiet` (a look repeated while waiting for the channel to be put right)."""
    try:
        channel_id = await sender.channel_id(channel)
        resp = await sender.client.conversations_info(channel=channel_id)
        problems = _channel_problems(resp.get("channel") or {}, channel, bot)
    except SlackApiError as err:
        problems = [_channel_error(err, channel, bot, why)]
    except SendFailed as err:
        problems = [f"announcement channel: {err.reason}"]
    except SEND_ERRORS as err:
        problems = [f"could not check the announcement channel ({err!r})"]
    return problems if quiet else _logged(problems)


def _channel_problems(info: dict[str, Any], channel: str, bot: str) -> list[str]:
    if info.get("is_archived"):
        return [f"the announcement channel {channel} is archived: choose another one"]
    if not info.get("is_member"):
        return [
            f"the bot is not in the announcement channel {channel}: invite it there with "
            f"/invite @{bot}"
        ]
    return []


def _channel_error(err: SlackApiError, channel: str, bot: str, why: dict[str, str]) -> str:
    code = err.response.get("error")
    if code == "missing_scope":
        return scope_advice(str(err.response.get("needed") or ""), why)
    if code == "channel_not_found":
        return (
            f"the announcement channel {channel} was not found: check platform.announce_channel "
            f"(a private channel must invite the bot first, with /invite @{bot})"
        )
    return f"could not check the announcement channel {channel} ({code})"
