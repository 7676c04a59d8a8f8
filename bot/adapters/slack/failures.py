"""What a failed Slack call means for the delivery ledger, in words an operator can act on.

Some errors will never go away by retrying (the member left, the bot is not in the channel):
those are permanent, recorded once with a readable reason. Rate limits that outlasted the
SDK's own retries, Slack's 5xx answers and network trouble are transient: the courier puts
the delivery back and tries again later.
"""

from __future__ import annotations

from typing import Any

from aiohttp import ClientConnectorError, ClientError
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.frontend import SendFailed

# what a Web API call can raise: Slack's own answer, or trouble on the way there
SEND_ERRORS = (SlackApiError, SlackRequestError, ClientError, OSError, TimeoutError)

PERMANENT = {
    "channel_not_found": "the channel or direct message was not found",
    "not_in_channel": "the bot is not a member of the channel (invite it with /invite @copbot)",
    "cannot_dm_bot": "that account is a bot, which cannot receive direct messages",
    "user_not_found": "the member's Slack account was not found",
    "account_inactive": "the member's Slack account is deactivated",
    "is_archived": "the channel is archived",
    "user_disabled": "the member's Slack account is disabled",
    "restricted_action": "the workspace does not let the bot post there",
    "invalid_blocks": "Slack refused the message layout",
    "msg_too_long": "the message is too long for Slack",
}


def send_failure(err: Exception) -> SendFailed:
    """The `SendFailed` for any exception raised while sending one message."""
    if isinstance(err, SlackApiError):
        return _api_failure(err)
    # Only a connection that never opened certainly carried nothing; after a timeout or a
    # dropped connection Slack may have posted the message, so the next try looks first.
    unknown = not isinstance(err, ClientConnectorError | SlackRequestError)
    return SendFailed(
        f"could not reach Slack ({type(err).__name__})", permanent=False, unknown=unknown
    )


def _api_failure(err: SlackApiError) -> SendFailed:
    code = str(err.response.get("error") or "")
    status = int(err.response.status_code or 0)
    if code in PERMANENT:
        return SendFailed(f"{PERMANENT[code]} ({code})", permanent=True)
    if code == "missing_scope":
        needed = err.response.get("needed")
        scope = f"the {needed} scope" if needed else "a scope"
        return SendFailed(f"the Slack app lacks {scope} (missing_scope)", permanent=True)
    if status == 429 or code == "ratelimited":
        wait = retry_after(err.response.headers)
        return SendFailed("Slack rate limit (ratelimited)", permanent=False, retry_after=wait)
    if status >= 500:
        return SendFailed(f"Slack is having trouble (HTTP {status})", permanent=False)
    return SendFailed(f"Slack refused the message ({code or status})", permanent=False)


def retry_after(headers: Any) -> float | None:
    """Seconds from a Retry-After header, whichever shape the SDK gives its headers in."""
    if not headers:
        return None
    found = next((v for k, v in dict(headers).items() if k.lower() == "retry-after"), None)
    if isinstance(found, list):
        found = found[0] if found else None
    try:
        return float(found) if found is not None else None
    except ValueError:
        return None
