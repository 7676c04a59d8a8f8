"""A real discord.py 2.x client against FakeDiscord: proves the fake is faithful enough to test
copbot's Discord front end (commands, components, modals, REST errors, reconnects) offline."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.http import Route

from tests.fakes.fake_discord import FakeDiscord


class SignupView(discord.ui.View):
    """Persistent: no timeout and an explicit custom_id, registered with ``client.add_view``."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Sign up", style=discord.ButtonStyle.primary, custom_id="signup:42")
    async def signup(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        interaction.client.seen.append(("button", button.custom_id, interaction.user.id))  # type: ignore[attr-defined]
        await interaction.response.send_message("Signed up for session 42", ephemeral=True)

    @discord.ui.button(label="Close", custom_id="signup:close")
    async def close(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="Sign-ups closed", view=None)


class FeedbackModal(discord.ui.Modal, title="Session feedback"):
    topic: discord.ui.TextInput = discord.ui.TextInput(label="Topic", custom_id="topic")
    details: discord.ui.TextInput = discord.ui.TextInput(
        label="Details", style=discord.TextStyle.paragraph, custom_id="details", required=False
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        seen = interaction.client.seen  # type: ignore[attr-defined]
        seen.append(("modal", self.topic.value, self.details.value))
        await interaction.response.send_message(f"Thanks: {self.topic.value}", ephemeral=True)


class Cop(app_commands.Group):
    def __init__(self) -> None:
        super().__init__(name="cop", description="Community of practice")

    @app_commands.command(name="sessions", description="List upcoming sessions")
    async def sessions(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("No sessions yet", ephemeral=True)

    @app_commands.command(name="signup", description="Sign up for a session")
    @app_commands.describe(session="Session number")
    async def signup(self, interaction: discord.Interaction, session: int) -> None:
        interaction.client.seen.append(("signup", session))  # type: ignore[attr-defined]
        await interaction.response.send_message(f"Signed up for {session}", ephemeral=True)

    @signup.autocomplete("session")
    async def signup_session(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        return [
            app_commands.Choice(name=f"Session {n}", value=n)
            for n in (41, 42, 43, 57)
            if current in str(n)
        ]

    @app_commands.command(name="feedback", description="Give feedback")
    async def feedback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal())

    @app_commands.command(name="slow", description="Deferred reply plus a follow-up")
    async def slow(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("step 1 done", ephemeral=True)
        await interaction.edit_original_response(content="all done")


class CopClient(discord.Client):
    def __init__(self) -> None:
        intents = discord.Intents.none()
        intents.guilds = True  # without it Discord sends no GUILD_CREATE and the cache is empty
        # guild_ready_timeout: on_ready otherwise waits 2 s after the last GUILD_CREATE.
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(Cop())
        self.seen: list[tuple[Any, ...]] = []
        self.ready_guilds: list[discord.Guild] = []

    async def setup_hook(self) -> None:
        self.add_view(SignupView())

    async def on_ready(self) -> None:
        self.ready_guilds = list(self.guilds)


@pytest.fixture
async def dc() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield fake


@pytest.fixture
async def bot(dc: FakeDiscord) -> AsyncIterator[CopClient]:
    client = CopClient()
    async with dc.run(client):
        yield client


async def test_ready_and_guild_create_reach_the_client(dc: FakeDiscord, bot: CopClient) -> None:
    assert [g.id for g in bot.ready_guilds] == [dc.guild_id]
    guild = bot.get_guild(dc.guild_id)
    assert guild is not None and guild.name == "Community of Practice"
    assert [c.name for c in guild.text_channels] == ["cop"]
    assert {c.id for c in guild.voice_channels} == {dc.voice_channel_id}
    assert {c.id for c in guild.stage_channels} == {dc.stage_channel_id}
    role = guild.get_role(dc.role_id)
    assert role is not None and role.name == "planning group"
    assert guild.default_role.id == dc.guild_id
    assert guild.me is not None and guild.me.id == dc.bot_user_id
    assert bot.user is not None and bot.user.id == dc.bot_user_id and bot.user.bot
    assert bot.application_id == dc.app_id
    assert dc.identifies == 1 and dc.resumes == 0
    query = dc.gateway_connects[0]["query"]
    assert query["v"] == "10" and query["encoding"] == "json"
    assert dc.identify_payloads[0]["token"] == "fake-token"


async def test_tree_sync_lands_in_the_fake(dc: FakeDiscord, bot: CopClient) -> None:
    guild = discord.Object(id=dc.guild_id)
    bot.tree.copy_global_to(guild=guild)
    synced = await bot.tree.sync(guild=guild)
    [cop] = dc.synced_commands[dc.guild_id]
    assert cop["name"] == "cop"
    subs = {o["name"]: o for o in cop["options"]}
    assert set(subs) == {"sessions", "signup", "feedback", "slow"}
    [session_opt] = subs["signup"]["options"]
    assert session_opt["type"] == 4 and session_opt["autocomplete"] is True
    assert [c.id for c in synced] == [int(cop["id"])]
    req = await dc.wait_for(rf"/applications/{dc.app_id}/guilds/{dc.guild_id}/commands")
    assert req.method == "PUT"


async def test_slash_command_ephemeral_reply(dc: FakeDiscord, bot: CopClient) -> None:
    cb = await dc.invoke(dc.slash("cop", "sessions"))
    assert cb.type == 4
    assert cb.flags == 64
    assert cb.content == "No sessions yet"


async def test_slash_command_int_option(dc: FakeDiscord, bot: CopClient) -> None:
    cb = await dc.invoke(dc.slash("cop", "signup", {"session": 42}))
    assert cb.content == "Signed up for 42"
    assert bot.seen == [("signup", 42)]
    assert isinstance(bot.seen[0][1], int)


async def test_autocomplete_returns_choices(dc: FakeDiscord, bot: CopClient) -> None:
    await bot.tree.sync()  # global sync; the fake then knows the option is an integer
    payload = dc.autocomplete("cop", "signup", {"session": "4"}, focused="session")
    opt = payload["data"]["options"][0]["options"][0]
    assert opt == {"type": 4, "name": "session", "value": "4", "focused": True}
    cb = await dc.invoke(payload)
    assert cb.type == 8
    assert [c["value"] for c in cb.choices] == [41, 42, 43]


async def test_button_reaches_persistent_view(dc: FakeDiscord, bot: CopClient) -> None:
    cb = await dc.invoke(dc.button("signup:42"))
    assert cb.type == 4 and cb.flags == 64
    assert bot.seen == [("button", "signup:42", dc.user_id)]

    # Also works for a click on a message the bot really posted with the view attached.
    channel = bot.get_channel(dc.channel_id)
    assert isinstance(channel, discord.TextChannel)
    msg = await channel.send("Sign up below", view=SignupView())
    assert dc.messages[-1].components[0]["components"][0]["custom_id"] == "signup:42"
    cb = await dc.invoke(dc.button("signup:42", message=msg.id))
    assert cb.content == "Signed up for session 42"

    # edit_message answers with type 7 (UPDATE_MESSAGE) carrying the new content.
    cb = await dc.invoke(dc.button("signup:close", message=msg.id))
    assert cb.type == 7 and cb.data is not None
    assert cb.content == "Sign-ups closed" and cb.data["components"] == []


async def test_modal_submit_reaches_modal(dc: FakeDiscord, bot: CopClient) -> None:
    shown = await dc.invoke(dc.slash("cop", "feedback"))
    assert shown.type == 9 and shown.data is not None
    assert shown.data["title"] == "Session feedback"
    inputs = [c["components"][0]["custom_id"] for c in shown.data["components"]]
    assert inputs == ["topic", "details"]
    submit = dc.modal_submit(shown.data["custom_id"], {"topic": "Async standups", "details": ""})
    cb = await dc.invoke(submit)
    assert cb.type == 4 and cb.content == "Thanks: Async standups"
    assert bot.seen == [("modal", "Async standups", "")]

    # A modal nobody sent is only dispatched if registered: add_view with timeout=None and a
    # fixed custom_id.  It is one-shot: a successful on_submit stops it and unregisters it.
    bot.add_view(FeedbackModal(custom_id="feedback:persistent", timeout=None))
    cb = await dc.invoke(dc.modal_submit("feedback:persistent", {"topic": "Pairing"}, labels=True))
    assert cb.content == "Thanks: Pairing"
    again = dc.modal_submit("feedback:persistent", {"topic": "Again"})
    await dc.send_interaction(again)
    with pytest.raises(TimeoutError):
        await dc.wait_for_callback(again, timeout=0.3)


async def test_defer_followup_and_edit_original(dc: FakeDiscord, bot: CopClient) -> None:
    payload = dc.slash("cop", "slow")
    cb = await dc.invoke(payload)
    assert cb.type == 5 and cb.flags == 64
    await dc.wait_until(lambda: any(f.kind == "webhook_edit" for f in dc.followups))
    followup, edit = dc.followups
    assert followup.kind == "followup" and followup.content == "step 1 done"
    assert followup.flags == 64
    assert edit.content == "all done"
    assert edit.channel_id == dc.channel_id


async def test_channel_send_records_allowed_mentions(dc: FakeDiscord, bot: CopClient) -> None:
    channel = bot.get_channel(dc.channel_id)
    assert isinstance(channel, discord.TextChannel)
    msg = await channel.send("Hello @everyone", allowed_mentions=discord.AllowedMentions.none())
    [posted] = dc.messages
    assert posted.id == msg.id and posted.channel_id == dc.channel_id
    assert posted.content == "Hello @everyone"
    assert posted.allowed_mentions == {"parse": []}
    assert msg.author.id == dc.bot_user_id

    thread = await msg.create_thread(name="Session 42")
    assert thread.id == msg.id and thread.parent_id == dc.channel_id
    assert dc.threads[thread.id]["name"] == "Session 42"
    await thread.send("in the thread")
    assert dc.messages[-1].channel_id == thread.id

    # Files go multipart with the JSON in payload_json; the fake unpacks both.
    ics = discord.File(io.BytesIO(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"), "session-42.ics")
    sent = await channel.send("Add it to your calendar", file=ics)
    assert dc.messages[-1].files == ["session-42.ics"]
    assert dc.messages[-1].content == "Add it to your calendar"
    assert sent.attachments[0].filename == "session-42.ics"


async def test_rate_limit_is_retried_by_discord_py(dc: FakeDiscord, bot: CopClient) -> None:
    path = rf"/channels/{dc.channel_id}/messages"
    limit = dc.rate_limit("POST", path, retry_after=0.1)
    channel = bot.get_channel(dc.channel_id)
    assert isinstance(channel, discord.TextChannel)
    msg = await channel.send("after the 429")
    assert limit.hits == 1
    statuses = [r.status for r in dc.requests if r.method == "POST" and r.path == path]
    assert statuses == [429, 200]
    assert [m.id for m in dc.messages] == [msg.id]


async def test_dm_refused_raises_forbidden_50007(dc: FakeDiscord, bot: CopClient) -> None:
    dc.refuse_dms(dc.user_id)
    user = await bot.fetch_user(dc.user_id)
    dm = await user.create_dm()
    assert dm.id == dc.dm_channel_id(dc.user_id)
    with pytest.raises(discord.Forbidden) as err:
        await dm.send("Your session starts soon")
    assert err.value.code == 50007 and err.value.status == 403
    assert dc.messages == []


async def test_dropped_gateway_resumes_and_keeps_handling(dc: FakeDiscord, bot: CopClient) -> None:
    resumed = asyncio.ensure_future(bot.wait_for("resumed", timeout=2))
    await dc.drop_gateway()
    cb = await dc.invoke(dc.slash("cop", "sessions"))  # waits for the session to be live again
    assert cb.type == 4
    assert dc.resumes == 1 and dc.identifies == 1
    assert dc.gateway_connects[-1]["path"] == "/resume/"
    await resumed  # discord.py itself saw RESUMED

    await dc.request_reconnect()  # op 7: discord.py closes and RESUMEs on its own
    await dc.wait_until(lambda: dc.resumes == 2)
    cb = await dc.invoke(dc.slash("cop", "signup", {"session": 42}))
    assert cb.content == "Signed up for 42"


class QuickReidentifyClient(CopClient):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every non-initial IDENTIFY; skip that in tests."""


async def test_invalidated_session_reidentifies(dc: FakeDiscord) -> None:
    async with dc.run(QuickReidentifyClient()):
        await dc.drop_gateway(code=4000, invalidate=True)
        cb = await dc.invoke(dc.slash("cop", "signup", {"session": 7}))
        assert cb.content == "Signed up for 7"
        assert dc.identifies == 2 and dc.resumes == 0
        # RESUME was tried first (on resume_gateway_url) and answered with op 9.
        assert [f["op"] for f in dc.gateway_received if f["op"] in (2, 6)] == [2, 6, 2]


async def test_scheduled_event_create_edit_delete(dc: FakeDiscord, bot: CopClient) -> None:
    guild = bot.get_guild(dc.guild_id)
    assert guild is not None
    start = discord.utils.utcnow() + dt.timedelta(days=1)
    event = await guild.create_scheduled_event(
        name="CoP session 42",
        description="Async standups",
        start_time=start,
        end_time=start + dt.timedelta(hours=1),
        entity_type=discord.EntityType.external,
        location="https://meet.example/cop",
        privacy_level=discord.PrivacyLevel.guild_only,
    )
    stored = dc.events[event.id]
    assert stored["name"] == "CoP session 42"
    assert stored["entity_metadata"] == {"location": "https://meet.example/cop"}
    assert event.location == "https://meet.example/cop" and event.start_time == start

    edited = await event.edit(name="CoP session 42 (moved)")
    assert edited.name == "CoP session 42 (moved)"
    assert dc.events[event.id]["name"] == "CoP session 42 (moved)"

    await event.delete()
    assert event.id not in dc.events
    assert [action for action, _, _ in dc.event_actions] == ["create", "edit", "delete"]


async def test_unknown_route_is_404_and_recorded(dc: FakeDiscord, bot: CopClient) -> None:
    with pytest.raises(discord.NotFound):
        await bot.http.request(Route("GET", "/no/such/route"))
    assert (dc.requests[-1].path, dc.requests[-1].status) == ("/no/such/route", 404)


async def test_zlib_stream_transport_compression() -> None:
    async with FakeDiscord(compression=True) as fake:
        client = CopClient()
        async with fake.run(client):
            # With `zstandard` installed discord.py would ask for zstd-stream, which the fake
            # does not speak; the project does not install it, so zlib is what is negotiated.
            assert fake.gateway_connects[0]["query"].get("compress") == "zlib-stream"
            cb = await fake.invoke(fake.slash("cop", "sessions"))
            assert cb.type == 4
