"""What happens when Slack sends something: a /cop command, a button, the form, the Home tab.

Every listener acknowledges first (Slack gives three seconds and retries otherwise), then
asks the dispatcher, then answers: ephemerally through the `response_url` where there is
one, or by publishing the Home tab again where there is not. Member words never reach the
logs; only what failed and why.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.parts import Parts
from bot.adapters.slack.blocks import Drawn
from bot.adapters.slack.failures import SEND_ERRORS, send_failure
from bot.adapters.slack.form import Submissions, done_view, message_view, refilled
from bot.adapters.slack.home import home_view
from bot.adapters.slack.modal import CALLBACK_ID, errors_for, options_from_state, schedule_view
from bot.adapters.slack.people import People, user_of
from bot.adapters.slack.replies import Replies
from bot.adapters.slack.sending import Sender
from bot.adapters.slack.watch import ChannelWatch
from bot.adapters.slack.words import SlackWords
from bot.dispatch.dispatcher import is_planner
from bot.domain.context import Actor, Reply
from bot.frontend import AfterCommand, SendFailed

log = logging.getLogger(__name__)
BUTTON = re.compile(r"^cop:\d+$")
# Of the three seconds Slack allows for the acknowledgement, how long a command waits for
# its member lookup before acknowledging without its answer; and how long after it began an
# answer may still ride on the acknowledgement (one ready later, from a command that took
# long, goes through the response_url, so the member has it even if Slack stopped waiting).
ACK_WAIT = 1.0
ANSWER_IN_ACK_WITHIN = 2.0


class Listeners:
    """The bolt listeners, sharing the adapter's client, people, sender and watch; each one
    says through `after_command` that a command was answered."""

    def __init__(
        self,
        parts: Parts,
        client: AsyncWebClient,
        people: People,
        sender: Sender,
        replies: Replies,
        watch: ChannelWatch,
        after_command: AfterCommand,
        *,
        answers_in_ack: bool = False,
    ) -> None:
        self.dispatcher = parts.dispatcher
        self.community = parts.community
        self.client = client
        self.people = people
        self.sender = sender
        self.replies = replies
        self.watch = watch
        self.after_command = after_command
        # Over HTTP, the answer to a command goes back in the response to Slack's request
        # (Slack posts a message found there, as from the response_url): one round trip
        # fewer for every command, none of the response_url's five uses spent.
        self.answers_in_ack = answers_in_ack
        self.forms = Submissions(self.community.meta)
        self.word = SlackWords(self.community.messages)
        self.drawn = Drawn()

    def register(self, bolt: AsyncApp) -> None:
        bolt.command("/cop")(self.on_command)
        bolt.action(BUTTON)(self.on_button)
        bolt.view(CALLBACK_ID)(self.on_form)
        bolt.event("app_home_opened")(self.on_home)
        bolt.event("member_joined_channel")(self.on_channel_fixed)
        bolt.event("channel_unarchive")(self.on_channel_fixed)

    async def on_command(
        self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """Answer a /cop command. Over HTTP the answer rides on the acknowledgement itself
        where it is ready in time (see `answers_in_ack`); otherwise it is acknowledged first
        and answered through the response_url."""
        in_ack, began = self.answers_in_ack, time.monotonic()
        if not in_ack:
            await ack()
        try:
            actor = await self._command_actor(command, ack if in_ack else None)
            text = str(command.get("text") or "").strip()
            if text.lower() == "schedule" and is_planner(actor, self.community):
                await _acked(ack)
                await self._open_form(client, actor, command, respond)
            else:
                reply = self.dispatcher.handle_line(actor, f"/cop {text}")
                in_time = time.monotonic() - began < ANSWER_IN_ACK_WITHIN
                if ack.response is None and reply.attachment is None and in_time:
                    await ack(self._answer_body(reply))
                else:
                    await _acked(ack)
                    await self._answer(respond, actor, reply, command.get("channel_id", ""))
        except Exception:
            log.exception("the /cop command could not be answered")
        finally:
            await _acked(ack)
            self.after_command.ran()

    async def _command_actor(self, command: dict[str, Any], ack: AsyncAck | None) -> Actor:
        """Who typed the command. If finding out takes longer than `ACK_WAIT` (a Web API
        lookup on a slow day), `ack` is called meanwhile, so Slack hears from us in time
        and the answer goes through the response_url instead."""
        user_id, name = command["user_id"], command.get("user_name", "")
        known = self.people.at_hand(user_id, name)
        if known is not None:
            return known
        lookup = self.people.actor(user_id, name)
        if ack is None:
            return await lookup
        task = asyncio.ensure_future(lookup)
        done, _ = await asyncio.wait({task}, timeout=ACK_WAIT)
        if not done:
            await ack()
        return await task

    async def on_button(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        try:
            actor = await self.people.actor(*user_of(body))
            reply = self.dispatcher.handle_line(actor, f"/cop {action.get('value', '')}")
            if body.get("response_url"):
                await self._answer(respond, actor, reply, _channel_of(body))
            else:
                await self.publish_home(actor, await self._with_file(actor, reply))
        except Exception:
            log.exception("a button press could not be answered")
        finally:
            self.after_command.ran()

    async def on_form(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Acknowledge first, schedule once per form, then show how it went (see form.py)."""
        view_id, state = str(view.get("id") or ""), view.get("state", {}).get("values", {})
        zone = self.community.config.timezone
        if not self.forms.claim(view_id):
            await ack(
                response_action="update", view=message_view(self.word, self.word("already_sent"))
            )
            return
        await ack(response_action="update", view=message_view(self.word, self.word("working")))
        try:
            actor = await self.people.actor(*user_of(body))
            reply = self.dispatcher.handle(actor, "schedule", options_from_state(state))
            if reply.error:
                self.forms.release(view_id)
                errors = errors_for(reply)
                await self._update(
                    view_id, refilled(self.word, zone, state, self.word("fix"), errors)
                )
                return
            await self._update(view_id, done_view(self.word, reply))
            await self.sender.to_user(actor.user_id, reply)
        except SendFailed as failure:
            log.warning("could not confirm a scheduled session: %s", failure.reason)
        except Exception:
            log.exception("a schedule form could not be handled")
        finally:
            self.after_command.ran()

    async def _update(self, view_id: str, view: dict[str, Any]) -> None:
        try:
            await self.client.views_update(view_id=view_id, view=view)
        except SEND_ERRORS as err:
            log.warning("could not update the schedule form: %s", send_failure(err).reason)

    async def on_channel_fixed(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """The bot was invited to a channel, or one was unarchived: if it is the announcement
        channel, announcements that could not be posted there go out now."""
        joined = event.get("user")
        if joined is not None and joined != context.bot_user_id:
            return  # someone else joined
        try:
            await self.watch.announcements_possible(str(event.get("channel") or ""))
        except Exception:
            log.exception("could not retry the announcements")

    async def on_home(self, event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        try:
            await self.publish_home(await self.people.actor(str(event["user"])), None)
        except Exception:
            log.exception("the App Home could not be published")

    async def publish_home(self, actor: Actor, note: Reply | None) -> None:
        """Publish the Home tab for `actor`, with `note` (the answer to a click) at the top."""
        mine = self.dispatcher.handle_line(actor, "/cop mine")
        upcoming = self.dispatcher.handle_line(actor, "/cop sessions")
        settings = self.dispatcher.handle_line(actor, "/cop settings")
        view = home_view(
            self.community.config.community_name,
            mine,
            upcoming,
            self.community.messages("help.footer"),
            note,
            settings,
        )
        try:
            await self.client.views_publish(user_id=actor.user_id, view=view)
        except SEND_ERRORS as err:  # Slack's trouble, not ours: one line, no traceback
            log.warning("the App Home could not be published: %s", send_failure(err).reason)

    async def _open_form(
        self, client: AsyncWebClient, actor: Actor, command: dict[str, Any], respond: AsyncRespond
    ) -> None:
        """Open the schedule form; if Slack will not, explain the typed form instead."""
        trigger_id, channel = command.get("trigger_id", ""), command.get("channel_id", "")
        try:
            await client.views_open(
                trigger_id=trigger_id, view=schedule_view(self.word, self.community.config.timezone)
            )
        except SEND_ERRORS as err:
            log.warning("could not open the schedule form: %r", err)
            reply = self.dispatcher.handle_line(actor, "/cop schedule")
            await self._answer(respond, actor, reply, channel)

    async def _answer(
        self, respond: AsyncRespond, actor: Actor, reply: Reply, channel: str
    ) -> None:
        """Answer where the member asked: only they see it, unless the reply is public.

        If the response_url will not take it even after retries, the member still gets it:
        in the channel (only to them, if private), or else in their DM with the bot.
        """
        reply = await self._with_file(actor, reply)
        body = {**self._answer_body(reply), "replace_original": False}
        if not respond.response_url:
            await respond(**body)
        elif not await self.replies.post(respond.response_url, body):
            await self._answer_elsewhere(actor, reply, channel)

    def _answer_body(self, reply: Reply) -> dict[str, Any]:
        """A command's answer as Slack takes it, in the acknowledgement or at a response_url:
        only the member sees it unless the reply is public; links are not unfurled."""
        return {
            **self.drawn.message(reply),
            "response_type": "ephemeral" if reply.private else "in_channel",
            "unfurl_links": False,
            "unfurl_media": False,
        }

    async def _answer_elsewhere(self, actor: Actor, reply: Reply, channel: str) -> None:
        sender = self.sender
        try:
            if not channel:
                raise SendFailed("no channel to answer in", permanent=True)
            if reply.private:
                await sender.ephemeral(channel, actor.user_id, reply)
            else:
                await sender.to_channel(channel, reply)
            return
        except SendFailed as failure:
            log.warning("could not answer in the channel instead: %s", failure.reason)
        try:
            await sender.to_user(actor.user_id, reply)
        except SendFailed as failure:
            log.warning("could not answer by direct message either: %s", failure.reason)

    async def _with_file(self, actor: Actor, reply: Reply) -> Reply:
        """Send the reply's file to the member's DM and say so (or say it could not be sent)."""
        if reply.attachment is None:
            return reply
        name = reply.attachment.filename
        try:
            await self.sender.upload(actor.user_id, reply.attachment)
            note = self.word("file_sent", filename=name)
        except SendFailed as failure:
            log.warning("could not send a file: %s", failure.reason)
            note = self.word("file_failed", filename=name)
        footer = f"{reply.footer}\n{note}" if reply.footer else note
        return replace(reply, footer=footer, attachment=None)


async def _acked(ack: AsyncAck) -> None:
    """Acknowledge, unless that was done already (bolt sends only the first)."""
    if ack.response is None:
        await ack()


def _channel_of(body: dict[str, Any]) -> str:
    """The channel a button was pressed in, if it was in one."""
    channel = body.get("channel")
    found = channel.get("id") if isinstance(channel, dict) else None
    container = body.get("container") or {}
    return str(found or container.get("channel_id") or "")
