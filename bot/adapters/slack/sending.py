"""Carrying the bot's own messages: to a member's DM, to a channel, and files to a DM.

DM channel ids and channel ids found by name are cached, because opening a conversation
or listing channels on every message would double the calls a reminder wave makes.
Pacing is the courier's job (it reads the front end's `pacing`).
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.blocks import message
from bot.adapters.slack.failures import SEND_ERRORS, send_failure
from bot.domain.context import Attachment, Reply
from bot.frontend import SendFailed

CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]+")
MAX_PAGES = 50
DELIVERY_EVENT = "copbot_delivery"  # the metadata event type on the bot's own messages
# Messages looked through for one that timed out: a retry comes within minutes, and the
# bot's own pace puts at most one message a second in a conversation.
LOOK_BACK = 200
# Slack will not open a group DM: an app installed before it asked for mpim:write, more
# people than a group DM holds, or one of them has left the workspace. Each member is then
# sent their own DM instead, so the others are still introduced.
NO_GROUP = (
    "missing_scope",
    "too_many_users",
    "not_enough_users",
    "user_not_found",
    "user_disabled",
    "account_inactive",
)


class Sender:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._dms: dict[str, str] = {}
        self._channels: dict[str, str] = {}

    async def to_user(self, user_id: str, reply: Reply) -> None:
        """Send to the user's DM with the bot; raises SendFailed with a readable reason."""
        try:
            channel = await self.dm_channel(user_id)
            await self._post(channel, reply)
        except SlackApiError as err:
            self._dms.pop(user_id, None)  # a stale cached DM would fail every time
            raise send_failure(err) from err
        except SEND_ERRORS as err:
            raise send_failure(err) from err

    async def to_group(self, user_ids: list[str], reply: Reply) -> bool:
        """One message in a group direct message with these users and the bot (Slack's
        mpim, opened with `conversations.open`; needs mpim:write). False, with nothing
        sent, when Slack will not open one (the scope not granted yet, or too many people);
        raises SendFailed for anything else."""
        try:
            channel = await self.group_channel(user_ids)
            if channel is None:
                return False
            await self._post(channel, reply)
        except SlackApiError as err:
            if err.response.get("error") in NO_GROUP:
                return False
            raise send_failure(err) from err
        except SEND_ERRORS as err:
            raise send_failure(err) from err
        return True

    async def group_channel(self, user_ids: list[str]) -> str | None:
        """The group direct message with these users and the bot (the same one each time
        Slack is asked), or None where Slack will not open one (`NO_GROUP`)."""
        try:
            resp = await self.client.conversations_open(users=",".join(user_ids))
        except SlackApiError as err:
            if err.response.get("error") in NO_GROUP:
                return None
            raise
        return str(_channel(resp.data)["id"])

    async def to_channel(self, channel: str, reply: Reply) -> None:
        try:
            await self._post(await self.channel_id(channel), reply)
        except SlackApiError as err:
            if err.response.get("error") == "channel_not_found":
                self._channels.pop(channel.lstrip("#"), None)  # found again by name next time
            raise send_failure(err) from err
        except SEND_ERRORS as err:
            raise send_failure(err) from err

    async def ephemeral(self, channel: str, user_id: str, reply: Reply) -> None:
        """Show `reply` in `channel` to that one member only (chat.postEphemeral)."""
        try:
            await self.client.chat_postEphemeral(channel=channel, user=user_id, **message(reply))
        except SEND_ERRORS as err:
            raise send_failure(err) from err

    async def upload(self, user_id: str, attachment: Attachment) -> None:
        """Put a file in the user's DM (needs the files:write scope)."""
        try:
            await self.client.files_upload_v2(
                channel=await self.dm_channel(user_id),
                content=attachment.content,
                filename=attachment.filename,
                title=attachment.filename,
            )
        except SEND_ERRORS as err:
            raise send_failure(err) from err

    async def _post(self, channel: str, reply: Reply) -> None:
        labelled: dict[str, Any] = {}
        if reply.ledger_key:  # so a retry after a timeout can find this message (found_in)
            labelled["metadata"] = {
                "event_type": DELIVERY_EVENT,
                "event_payload": {"key": reply.ledger_key},
            }
        await self.client.chat_postMessage(
            channel=channel, unfurl_links=False, unfurl_media=False, **message(reply), **labelled
        )

    async def found_in(self, channel: str, key: str) -> bool:
        """Whether the bot's message labelled `key` is among the latest in `channel`: a post
        that timed out may have arrived all the same. Raises SendFailed if Slack cannot be
        asked, so the courier tries again later rather than sending blind."""
        try:
            resp = await self.client.conversations_history(
                channel=await self.channel_id(channel), include_all_metadata=True, limit=LOOK_BACK
            )
        except SEND_ERRORS as err:
            raise send_failure(err) from err
        for found in resp.get("messages") or []:
            label = found.get("metadata") or {}
            payload = label.get("event_payload") or {}
            if label.get("event_type") == DELIVERY_EVENT and payload.get("key") == key:
                return True
        return False

    async def dm_channel(self, user_id: str) -> str:
        if user_id not in self._dms:
            resp = await self.client.conversations_open(users=user_id)
            self._dms[user_id] = str(_channel(resp.data)["id"])
        return self._dms[user_id]

    async def channel_id(self, channel: str) -> str:
        """An id for `channel`, which may be configured as a name such as `cop-announcements`."""
        name = channel.lstrip("#")
        if CHANNEL_ID.fullmatch(name):
            return name
        if name not in self._channels:
            self._channels[name] = await self._find(name)
        return self._channels[name]

    async def _find(self, name: str) -> str:
        cursor = ""
        for _ in range(MAX_PAGES):
            resp = await self.client.conversations_list(
                types="public_channel,private_channel", limit=1000, cursor=cursor or None
            )
            for found in resp.get("channels") or []:
                if found.get("name") == name:
                    return str(found["id"])
            cursor = (resp.get("response_metadata") or {}).get("next_cursor") or ""
            if not cursor:
                break
        raise SendFailed(
            f"no channel called #{name} (check platform.announce_channel)", permanent=True
        )


def _channel(data: Any) -> dict[str, Any]:
    found = data.get("channel") if isinstance(data, dict) else None
    return found if isinstance(found, dict) else {}
