"""The Discord front end: `/cop` slash commands, buttons and the schedule form in, and the
bot's own messages out (DMs, channel posts, one post per session thread, scheduled events).

Only the `guilds` intent is used (no privileged intents): interactions carry everything a
command needs, and the guild cache gives member roles for the planning-group check, which the
dispatcher makes on every call.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from typing import Any

import aiohttp
import discord
from discord import app_commands

from bot.adapters.discord_.answer import KeptAnswers, post_answer, send_answer
from bot.adapters.discord_.events import EVENT_REF, sync_event
from bot.adapters.discord_.failures import failure
from bot.adapters.discord_.held import held_command, shorten
from bot.adapters.discord_.invite import (
    STAGE_EVENTS,
    VOICE_EVENTS,
    lacking,
    missing_permissions,
)
from bot.adapters.discord_.modal import ScheduleModal
from bot.adapters.discord_.render import (
    CopButton,
    allowed_mentions,
    body,
    mention_posts,
    message_kwargs,
    plain,
    plan_group_words,
)
from bot.adapters.discord_.rooms import Placement, SessionRooms
from bot.adapters.discord_.together import Conversations, NoThread
from bot.adapters.discord_.tree import build_groups
from bot.adapters.parts import Parts
from bot.dispatch.dispatcher import is_planner
from bot.dispatch.registry import Command
from bot.domain.context import Actor, Reply
from bot.frontend import (
    AfterCommand,
    Capabilities,
    FrontEnd,
    Pacing,
    Reached,
    SendFailed,
    SetupError,
)
from bot.storage.members import Member

log = logging.getLogger(__name__)
THREAD_REF = "discord_thread"
MESSAGE_REF = "discord_message"
TITLE_REF = "discord_thread_title"  # the title the threads were last named for
DM_BLOCKED = 50007
AUTHENTICATION_FAILED = 4004  # the gateway's close code for a token it does not accept
TOKEN_REFUSED = "Discord no longer accepts DISCORD_TOKEN (was it reset?): set the new one."


def actor_for(user: discord.User | discord.Member) -> Actor:
    """The neutral actor; roles are the member's role ids (as strings) for `is_planner`."""
    roles = {str(r.id) for r in getattr(user, "roles", ())}
    roles |= {str(r) for r in getattr(user, "_roles", ())}  # ids even if the guild is uncached
    return Actor("discord", str(user.id), user.display_name, frozenset(roles))


class CopClient(discord.Client):
    """The discord.py client: registers the button class before connecting, then syncs."""

    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        # The bot never joins voice, so discord.py's warnings about voice libraries are noise.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(intents=intents, **options)
        self.adapter = adapter
        self.tree = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(CopButton)

    async def on_ready(self) -> None:
        await self.adapter.on_ready()


class DiscordAdapter(FrontEnd):
    """The Discord front end: it turns slash commands, buttons and modals into dispatcher calls
    and draws the replies, and carries the courier's messages as DMs, channel posts and
    posts in each session's private thread (where Discord discourages many DMs); sessions are
    mirrored as scheduled events."""

    platform = "discord"
    capabilities = Capabilities(
        default_via="thread",
        shares_conversations=True,
        mirrors_sessions=True,
        syncs_places=True,
        leaves_rooms=True,
    )
    # discord.py keeps to each route's bucket itself; this keeps a wave from bursting.
    pacing = Pacing(per_target=1.0, overall=0.05)

    def __init__(self, parts: Parts, **client_options: Any) -> None:
        self.config = parts.config
        registry = parts.registry
        self._plan_words = plan_group_words(c.name for c in registry.all() if c.planners_only)
        self.community = parts.community
        self.dispatcher = parts.dispatcher
        self.client = CopClient(self, **client_options)
        self.rooms = SessionRooms(self.client, self.community)
        self.conversations = Conversations(self.rooms, self.community)
        for group in build_groups(parts, self.run_command):
            self.client.tree.add_command(group)
        self.ready = asyncio.Event()
        self.after_command = AfterCommand()
        self.kept = KeptAnswers()
        self._task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Log in and connect in a background task; `ready` is set once commands are synced."""
        token = self.config.secrets.discord_token
        if not token:
            raise SetupError(
                "DISCORD_TOKEN is not set: copy the bot token from the Developer "
                "Portal (Bot → Reset Token) into the environment."
            )
        try:
            await self.client.login(token)
        except discord.LoginFailure:
            await self.client.close()  # its HTTP session, or aiohttp warns of it at exit
            raise SetupError(
                "Discord refused DISCORD_TOKEN: reset the bot token in the "
                "Developer Portal and set the new one."
            ) from None
        self._task = asyncio.create_task(self.client.connect(reconnect=True), name="discord")

    async def wait_closed(self) -> None:
        """Raises, in words an operator can act on, what ended the connection for good.
        discord.py reconnects through network trouble by itself, so this is only a refusal:
        a token reset since start, or an intent the portal does not allow."""
        if self._task is None:
            raise SetupError("the connection to Discord was never opened")
        try:
            await asyncio.shield(self._task)
        except discord.PrivilegedIntentsRequired:
            raise SetupError(
                "Discord refused an intent the bot asked for; copbot needs no privileged "
                "intents, so check that this is copbot's own application and token."
            ) from None
        except discord.LoginFailure:
            raise SetupError(TOKEN_REFUSED) from None
        except discord.ConnectionClosed as err:
            if err.code == AUTHENTICATION_FAILED:
                raise SetupError(TOKEN_REFUSED) from None
            why = err.reason or "no reason given"
            raise SetupError(
                f"Discord closed the connection for good ({err.code}: {why})."
            ) from None
        raise SetupError("the connection closed and did not reconnect")

    async def stop(self) -> None:
        await self.after_command.close()
        await self.client.close()
        if self._task is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(self._task, 5)

    async def on_ready(self) -> None:
        """Sync `/cop` to the configured guild and say clearly what is missing, once."""
        if self.ready.is_set():
            return
        try:
            await self._sync()
        except discord.HTTPException as err:
            # The setup check names the cause (a server the bot is not in, say); one line.
            log.warning(
                "could not sync the /cop commands with Discord (%s %s)", err.status, err.code
            )
        except Exception:
            log.exception("could not sync the /cop commands with Discord")
        try:
            await self._check_setup()
        except Exception:
            log.exception("could not check the Discord setup")
        finally:
            self.ready.set()

    async def _sync(self) -> None:
        """The commands to the configured server (instant), or to every server if asked."""
        config, tree = self.config, self.client.tree
        guild = (
            discord.Object(id=int(config.discord_guild_id))
            if config.discord_guild_id.isdigit()
            else None
        )
        if guild is not None and self.client.get_guild(guild.id) is None:
            return  # not a server the bot is in: the setup check says so, in one line
        if guild is not None and not config.discord_sync_globally:
            tree.copy_global_to(guild=guild)
            await tree.sync(guild=guild)
            return
        if guild is None:
            log.warning("discord.guild_id is not set; syncing /cop globally (slow to appear)")
        await tree.sync()
        if guild is not None:  # a copy synced to the server earlier would show every command twice
            tree.clear_commands(guild=guild)
            await tree.sync(guild=guild)

    async def _check_setup(self) -> None:
        """Warn, once at start, about configured ids Discord does not know, and what to change.

        The bot keeps running either way: commands still work, and what depends on the missing
        piece fails in the ledger (announcements) or is refused (planning) until it is fixed."""
        config = self.config
        guild_id = config.discord_guild_id
        guild = self.client.get_guild(int(guild_id)) if guild_id.isdigit() else None
        if guild_id.isdigit() and guild is None:
            log.warning(
                "Discord server %s was not found: set guild_id under [discord] in config.toml "
                "to the id of a server the bot has been invited to",
                guild_id,
            )
        channel = await self._channel(config.announce_channel)
        if channel is None:
            log.warning(
                "announcement channel %r was not found or the bot cannot see it: set "
                "announce_channel under [platform] in config.toml to the id of a text channel "
                "the bot can post in (announcements will fail until then)",
                config.announce_channel,
            )
        elif not isinstance(channel, discord.TextChannel):
            log.warning(
                "announcement channel %r is not a text channel: set announce_channel under "
                "[platform] in config.toml to the id of a text channel",
                config.announce_channel,
            )
        else:
            await self._check_permissions(channel)
        if guild is not None and config.discord_events and config.discord_event_channel:
            await self._check_event_channel(guild)
        role = config.planning_group.discord_role
        if not role.isdigit():
            log.warning(
                "no planning-group role is configured, so nobody can plan sessions: set "
                "discord_role under [planning_group] in config.toml to the role's id"
            )
        elif guild is not None and guild.get_role(int(role)) is None:
            log.warning(
                "planning-group role %s was not found in the server, so nobody can plan "
                "sessions: set discord_role under [planning_group] in config.toml to the id "
                "of an existing role",
                role,
            )

    async def _check_event_channel(self, guild: discord.Guild) -> None:
        """The channel events are held in must be a voice or stage channel the bot may
        create events in; otherwise sessions without a place become events 'at' the
        community's name."""
        wanted = self.config.discord_event_channel
        channel = guild.get_channel(int(wanted)) if wanted.isdigit() else None
        if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
            log.warning(
                "event channel %r is not a voice or stage channel in the server: set "
                "event_channel under [discord] in config.toml to the id of one (or leave it "
                "empty to hold events at each session's place)",
                wanted,
            )
            return
        me = await self._me(guild)
        if me is None:
            return
        stage = isinstance(channel, discord.StageChannel)
        missing = lacking(channel.permissions_for(me), STAGE_EVENTS if stage else VOICE_EVENTS)
        if missing:
            log.warning(
                "the bot lacks %s in %s channel #%s, which Discord requires to hold events "
                "there: grant them to the bot's role in Server Settings > Roles%s",
                ", ".join(missing),
                "stage" if stage else "voice",
                channel.name,
                " (or use a voice channel, which needs only Connect)" if stage else "",
            )

    async def _me(self, guild: discord.Guild) -> discord.Member | None:
        """The bot as a member of the server (cached from GUILD_CREATE, else fetched)."""
        if guild.me is not None:
            return guild.me
        if self.client.user is None:
            return None
        return await guild.fetch_member(self.client.user.id)

    async def _check_permissions(self, channel: discord.TextChannel) -> None:
        """Warn if the bot's role lacks what the invite link asks for, in the channel it
        posts to: without them announcements, threads or events fail in the ledger."""
        me = await self._me(channel.guild)
        if me is None:
            return
        missing = missing_permissions(channel.permissions_for(me), self.config.discord_events)
        if missing:
            log.warning(
                "the bot lacks %s in #%s: give the bot's role these permissions in Server "
                "Settings > Roles (and in the channel's own permissions, if it overrides them), "
                "or invite it again with the link `copbot discord-invite` prints",
                ", ".join(missing),
                channel.name,
            )

    # ------------------------------------------------------------------ interactions in

    async def run_command(
        self, interaction: discord.Interaction[Any], command: Command, values: dict[str, Any]
    ) -> None:
        """A slash command: the form for a bare `/cop schedule`, else dispatch and answer.

        What the command queued starts on its way as the answer does (`after_command` runs
        once the answer's request is written), not a round trip later, when Discord has
        acknowledged it: the loop is free meanwhile, and a member let into a session's
        thread, or told of a place, hears of it that much sooner."""
        options = {k: str(v) for k, v in values.items() if v is not None}
        actor = actor_for(interaction.user)
        if command.name == "schedule" and not options and is_planner(actor, self.community):
            await interaction.response.send_modal(
                ScheduleModal(self.community.messages, self.run_form)
            )
            return
        if command.slow:
            await interaction.response.defer(ephemeral=not command.public, thinking=True)
            reply = self._words(self.dispatcher.handle(actor, command.name, options))
            self.after_command.ran()
            await interaction.followup.send(**message_kwargs(reply), ephemeral=reply.private)
            return
        reply = self.dispatcher.handle(actor, command.name, options)
        self.after_command.ran()
        await self._answer(interaction, reply)

    async def run_line(self, interaction: discord.Interaction[Any], command: str) -> None:
        """A button: run `/cop <command>` for whoever clicked, answering only them."""
        community = self.community
        line = held_command(command, community.pending, community.clock.now())
        if line is None:
            reply = Reply(community.messages("button.expired"), error="button.expired")
        else:
            reply = self.dispatcher.handle_line(actor_for(interaction.user), "/cop " + line)
        reply = self._words(reply)
        self.after_command.ran()
        await send_answer(interaction, reply, private=True)

    async def run_form(
        self, interaction: discord.Interaction[Any], name: str, options: dict[str, str]
    ) -> None:
        """A submitted form: errors are shown only to the planner who filled it in."""
        reply = self._words(self.dispatcher.handle(actor_for(interaction.user), name, options))
        self.after_command.ran()
        await send_answer(interaction, reply, private=reply.private or bool(reply.error))

    async def _answer(self, interaction: discord.Interaction[Any], reply: Reply) -> None:
        """Answer with the reply as Discord shows it. A reply shown as the dispatcher made it
        (no words for `/cop-plan`, no button held behind a short id, no file) is drawn once
        and its payload kept: a shared listing page is the same answer for many members."""
        payload = self.kept.get(reply, private=reply.private)
        if payload is None:
            shown = self._words(reply)
            if shown is not reply or reply.attachment is not None:
                await send_answer(interaction, shown, private=shown.private)
                return
            payload = self.kept.keep(reply, private=reply.private)
        await post_answer(interaction, payload)

    def _words(self, reply: Reply) -> Reply:
        """The reply as Discord shows it: the planning group's commands under `/cop-plan`,
        and any button too long for Discord holding a short id instead."""
        reply = shorten(reply, self.community.pending, self.community.clock.now())
        return self._plan_words(reply)

    # ------------------------------------------------------------------ messages out

    async def _channel(self, channel: str) -> discord.abc.Messageable | None:
        """A channel by id (or, failing that, by name in the configured guild)."""
        if channel.isdigit():
            found = self.client.get_channel(int(channel))
            if found is None:
                try:
                    found = await self.client.fetch_channel(int(channel))
                except discord.HTTPException:
                    return None
            return found if isinstance(found, discord.abc.Messageable) else None
        for guild in self.client.guilds:
            named = discord.utils.get(guild.text_channels, name=channel.lstrip("#"))
            if named is not None:
                return named
        return None

    async def send_to_member(self, member: Member, reply: Reply) -> None:
        """A direct message; a refusal says `dms_closed`, and the courier decides what follows."""
        try:
            user_id = int(member.platform_user_id)
            user = self.client.get_user(user_id) or await self.client.fetch_user(user_id)
            dm = await user.create_dm()
            await dm.send(**message_kwargs(self._words(reply)), **once(reply))
        except discord.Forbidden as err:
            if err.code == DM_BLOCKED:
                raise SendFailed(
                    "member does not accept direct messages", permanent=True, dms_closed=True
                ) from err
            raise failure(err) from err
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as err:
            raise failure(err) from err

    async def post(self, channel: str, reply: Reply, session_id: int | None = None) -> None:
        """Post for everyone; a session's announcement gets a thread for its conversation."""
        target = await self._channel(channel)
        if target is None:
            raise SendFailed(f"channel {channel!r} not found", permanent=True)
        try:
            message = await target.send(**message_kwargs(self._words(reply)), **once(reply))
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as err:
            raise failure(err) from err
        if session_id is None or self.community.sessions.refs(session_id).get(THREAD_REF):
            return
        try:  # the post went out: a thread failure must not make the courier send it again
            await self._thread_on(message, session_id)
        except Exception:
            log.exception("could not start a thread for session %s", session_id)

    async def _thread_on(
        self, message: discord.Message | discord.PartialMessage, session_id: int
    ) -> int:
        session = self.community.sessions.get(session_id)
        name = plain(session.title if session else f"Session {session_id}")[:100]
        thread = await message.create_thread(name=name or f"Session {session_id}")
        self.community.sessions.set_ref(session_id, MESSAGE_REF, str(message.id))
        self.community.sessions.set_ref(session_id, THREAD_REF, str(thread.id))
        return thread.id

    async def send_together(
        self, members: list[Member], reply: Reply, session_id: int, report: Reached
    ) -> None:
        """Posts in the session's private thread naming exactly these members, pinging only
        them, as many as Discord's limits need; each post's members are reported as it lands."""
        reply = self._words(reply)
        try:
            placement = await self.rooms.place(session_id, members)
        except SendFailed as trouble:
            report(members, trouble, "")
            return
        await self._post_in_rooms(session_id, placement, reply, report, placement.note, True)

    async def _post_in_rooms(
        self,
        session_id: int,
        placement: Placement,
        reply: Reply,
        report: Reached,
        note: str,
        may_retry: bool,
    ) -> None:
        for member, refusal in placement.failed:
            report([member], refusal, "")
        for room_id, group in placement.rooms.items():
            rest = await self._post_in_room(room_id, group, reply, report, note)
            if rest is None:
                continue
            unreached, why = rest
            note = f"the session's private thread was {why}, so a new one was started"
            if not may_retry:
                report(unreached, SendFailed(note, permanent=False), "")
                continue
            try:  # once: the members the gone thread did not reach, through a new one
                again = await self.rooms.place(session_id, unreached)
            except SendFailed as trouble:
                report(unreached, trouble, "")
                continue
            await self._post_in_rooms(session_id, again, reply, report, note, False)
            await self._let_the_rest_in(session_id)

    async def _let_the_rest_in(self, session_id: int) -> None:
        """After a thread was replaced, those it held who were not in this post (waiting
        for a place, say) join the new one too."""
        try:
            await self.rooms.sync(session_id)
        except (SendFailed, discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError):
            log.warning("could not yet bring everyone into session %s's new thread", session_id)

    async def _post_in_room(
        self, room_id: str, group: list[Member], reply: Reply, report: Reached, note: str
    ) -> tuple[list[Member], str] | None:
        """Post to one thread, in as many parts as Discord's limits need. If the thread
        turns out to be gone, returns the members not reached yet and why."""
        by_user = {m.platform_user_id: m for m in group}
        kwargs = message_kwargs(reply)
        room = self.client.get_partial_messageable(
            int(room_id), type=discord.ChannelType.private_thread
        )
        posts = mention_posts(list(by_user), body(reply)[0])
        for n, (ids, text) in enumerate(posts):
            share = [by_user[i] for i in ids]
            post = {**kwargs, "content": text, "allowed_mentions": allowed_mentions(ids)}
            try:
                await room.send(**post, **once(reply, part=n))
            except discord.HTTPException as err:
                why = await self.rooms.gone(room_id, err)
                if why:
                    return [by_user[i] for later, _ in posts[n:] for i in later], why
                report(share, failure(err), "")
                continue
            except (aiohttp.ClientError, TimeoutError, OSError) as err:
                report(share, failure(err), "")
                continue
            report(share, None, note or "in the session's private thread")
        return None

    async def send_to_members(
        self, conversation: str, members: list[Member], reply: Reply, report: Reached
    ) -> None:
        """One private thread with the members, pinging only them (see `together.py`);
        where the bot cannot start one, a direct message each."""
        try:
            gathered = await self.conversations.gather(conversation, members)
        except NoThread as refused:
            log.warning("no private thread for an introduction (%s): a DM each instead", refused)
            await self._dm_each(members, reply, report)
            return
        for member, refusal in gathered.failed:
            report([member], refusal, "")
        if not gathered.inside:
            return
        rest = await self._post_in_room(
            gathered.room_id, gathered.inside, self._words(reply), report, "in a private thread"
        )
        if rest is not None:  # deleted between adding and posting: a new thread next time
            unreached, why = rest
            report(unreached, SendFailed(f"the private thread was {why}", permanent=False), "")

    async def _dm_each(self, members: list[Member], reply: Reply, report: Reached) -> None:
        for member in members:
            try:
                await self.send_to_member(member, reply)
            except SendFailed as failure:
                report([member], failure, "")
                continue
            report([member], None, "by direct message")

    async def sync_places(self, session_id: int, member_id: int | None = None) -> None:
        """Let those holding a place into the session's private thread; take out those who
        gave theirs up. With `member_id`, only that member's place changed."""
        if member_id is None:
            await self.rooms.sync(session_id)
        else:
            await self.rooms.sync_member(session_id, member_id)

    async def leave_room(self, room_id: str, user_id: str) -> None:
        """Take someone out of a private thread by their Discord id (after forget-me, when
        nothing else about them is left)."""
        await self.rooms.remove(room_id, user_id)

    async def sync_session(self, session_id: int) -> None:
        """Mirror the session as a scheduled event. A failure is logged and raised as
        SendFailed, so the courier records it where the planning group can see it; the
        session itself is never held up by its mirror."""
        await self._follow_title(session_id)
        action = self._event_action(session_id)
        try:
            await sync_event(self.client, self.community, session_id)
        except Exception as err:
            log.exception("could not %s the scheduled event for session %s", action, session_id)
            raise sync_failure(err, action, session_id) from err

    async def _follow_title(self, session_id: int) -> None:
        """An edited title renames the session's threads too (the public one under its
        announcement and the private ones), once for each change. A thread that cannot be
        renamed is logged in one line; the event is still brought up to date."""
        session, sessions = self.community.sessions.get(session_id), self.community.sessions
        if session is None:
            return
        named = sessions.refs(session_id).get(TITLE_REF)
        sessions.set_ref(session_id, TITLE_REF, session.title)
        if named is None or named == session.title:
            return
        name = plain(session.title)[:100] or f"Session {session_id}"
        public = sessions.refs(session_id).get(THREAD_REF, "")
        try:
            if public.isdigit():
                await self.client.http.edit_channel(int(public), name=name)
            await self.rooms.rename(session_id, session.title)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as err:
            log.warning("could not rename session %s's threads: %s", session_id, err)

    def _event_action(self, session_id: int) -> str:
        """What a sync is about to do to the session's event, in words for a failure."""
        session = self.community.sessions.get(session_id)
        if session is not None and session.cancelled:
            return "cancel"
        return "update" if self.community.sessions.refs(session_id).get(EVENT_REF) else "create"


def sync_failure(err: Exception, action: str, session_id: int) -> SendFailed:
    """A failed event sync as a readable SendFailed: refusals (4xx) are permanent, while
    server trouble, rate limits and the network are worth another try."""
    what = f"{action} the event for session {session_id}"
    if isinstance(err, discord.HTTPException):
        detail = err.text or getattr(err.response, "reason", "") or "no reason given"
        if err.code:
            detail = f"{detail} ({err.code})"
        if err.status == 429:
            retry = getattr(err, "retry_after", None)
            reason = f"Discord rate-limited the request to {what}"
            return SendFailed(reason, permanent=False, retry_after=retry)
        if 400 <= err.status < 500:
            return SendFailed(f"Discord refused to {what}: {detail}", permanent=True)
        return SendFailed(f"Discord failed to {what}: {err.status} {detail}", permanent=False)
    if isinstance(err, aiohttp.ClientError | TimeoutError | OSError):
        reason = f"could not reach Discord to {what}: {type(err).__name__}"
        return SendFailed(reason, permanent=False)
    return SendFailed(f"could not {what}: {type(err).__name__}", permanent=False)


def once(reply: Reply, part: int = 0) -> dict[str, Any]:
    """A nonce for a message the courier sends, derived from its ledger key (and, for a
    message sent in several posts, the post's number): discord.py sends it with
    `enforce_nonce`, so Discord answers a second try within a few minutes with the message
    the first created instead of posting it again."""
    if not reply.ledger_key:
        return {}
    label = reply.ledger_key if part == 0 else f"{reply.ledger_key}#{part}"
    digest = hashlib.blake2b(label.encode(), digest_size=12).hexdigest()
    return {"nonce": digest}  # 24 characters: Discord takes up to 25
