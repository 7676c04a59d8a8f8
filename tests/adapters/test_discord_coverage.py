"""Every command through Discord, and the paths around them that members actually click:
the cancel button (also after a restart), forget-me's confirmation, the one-off offer of
direct messages, events in voice and stage channels, a post that meets a server error, and
member-written mentions in a suggestion. All at the wire level through FakeDiscord."""

# The fixtures are imported from conftest_discord by name, which ruff sees as redefinitions.
# ruff: noqa: F401, F811

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord_ import DiscordAdapter
from bot.adapters.discord_.render import ZWSP
from bot.app import App
from bot.config import Config, PlanningGroup, Secrets
from bot.domain.clock import FakeClock
from bot.domain.context import Actor, Reply
from bot.scheduling.courier import Courier
from bot.scheduling.notices import Notices
from bot.storage.db import select_rows
from tests.adapters.conftest_discord import adapter, app, build_app, dc, planner, schedule
from tests.fakes.fake_discord import Callback, FakeDiscord, OptionValue
from tests.helpers import met_the_welcome

EPHEMERAL = 64
VOICE, STAGE_INSTANCE = 2, 1  # Discord's scheduled-event entity types


# ---------------------------------------------------------------------------------- helpers

# What Discord's escaping touches (and the `/cop x` usages the Discord words rewrite): a
# template is compared with the answer only in the plain stretches between them.
_NOT_PLAIN = re.compile(r"\{[^}]*\}|/cop(?:-plan)? [\w-]+|[\\*_~`|>#\[\]()<@\n]")


def fragment(template: str) -> str:
    """The longest plain stretch of a template: text every rendering of it contains."""
    found = max((part.strip() for part in _NOT_PLAIN.split(template)), key=len)
    assert len(found) >= 8, f"no usable words in {template!r}"
    return found


def says(key: str) -> Callable[[App], str]:
    """What the message `key` says, whatever fills its placeholders."""
    return lambda app: fragment(app.community.messages.templates[key])


def unexpected(app: App) -> str:
    return says("error.unexpected")(app)


def shown(cb: Callback | None = None, body: Mapping[str, Any] | None = None) -> str:
    """Everything a member reads in an answer: the content, each embed, each button."""
    data: Mapping[str, Any] = body if body is not None else (cb.data if cb else None) or {}
    parts = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
    for row in data.get("components") or []:
        parts += [c.get("label") or "" for c in row.get("components") or []]
    return "\n".join(parts)


def button_ids(cb: Callback) -> list[str]:
    rows = (cb.data or {}).get("components") or []
    return [c["custom_id"] for row in rows for c in row.get("components") or []]


def member_id(app: App, user_id: int) -> int | None:
    rows = select_rows(
        app.community.db,
        "SELECT id FROM members WHERE platform = 'discord' AND platform_user_id = ?",
        [str(user_id)],
    )
    return int(rows[0]["id"]) if rows else None


def fake_clock(app: App) -> FakeClock:
    clock = app.community.clock
    assert isinstance(clock, FakeClock)
    return clock


# ------------------------------------------------------------ 1. every command, via Discord


@dataclass(frozen=True)
class World:
    """What each command case may refer to: a session, a plain member, two suggestions."""

    sid: int
    member: int
    pending: str
    approved: str
    preview: str  # the code of a schedule preview waiting for its planner's yes


@dataclass(frozen=True)
class Case:
    options: Callable[[World], dict[str, OptionValue]]
    expect: Callable[[App], str]
    signed_up: bool = False  # the member holds a place at the session first


def no_options(world: World) -> dict[str, OptionValue]:
    return {}


CASES: dict[str, Case] = {
    "help": Case(no_options, says("help.intro")),
    "sessions": Case(no_options, says("sessions.intro")),
    "mine": Case(no_options, says("mine.intro"), signed_up=True),
    "calendar": Case(no_options, says("calendar.ready")),
    "signup": Case(lambda w: {"session": w.sid}, says("signup.confirmed")),
    "cancel": Case(lambda w: {"session": w.sid}, says("cancel.done"), signed_up=True),
    "prompt": Case(no_options, says("prompt.text")),
    "reflect": Case(lambda w: {"text": "Listening helped"}, says("reflect.kept")),
    "subscribe": Case(lambda w: {"kind": "prompts"}, says("subscribe.prompts")),
    "unsubscribe": Case(lambda w: {"kind": "prompts"}, says("unsubscribe.prompts")),
    "pause": Case(lambda w: {"weeks": "2"}, says("pause.done")),
    "resume": Case(no_options, says("resume.not_paused")),
    "settings": Case(no_options, says("settings.intro")),
    "direct-messages": Case(lambda w: {"choice": "on"}, says("direct_messages.on")),
    "resources": Case(no_options, says("resources.intro")),
    "suggest": Case(
        lambda w: {"link": "https://example.org/x", "objective": "DEVELOP", "title": "Guide"},
        says("suggest.thanks"),
    ),
    "support": Case(no_options, lambda app: fragment(app.community.support.intro)),
    "privacy": Case(no_options, says("privacy.again")),
    "review": Case(no_options, says("review.intro")),
    "approve": Case(lambda w: {"resource": w.pending}, says("review.approved")),
    "reject": Case(lambda w: {"resource": w.pending}, says("review.rejected")),
    "retire": Case(lambda w: {"resource": w.approved}, says("review.retired")),
    "timezone": Case(no_options, says("timezone.current")),
    "mydata": Case(no_options, says("mydata.intro")),
    "forget-me": Case(no_options, says("forget.ask")),
    "schedule": Case(
        lambda w: {"title": "Second", "when": "2026-12-05 10:00"}, says("preview.intro")
    ),
    "schedule-confirm": Case(lambda w: {"code": w.preview}, says("schedule.done")),
    "schedule-change": Case(lambda w: {"code": w.preview}, says("preview.change")),
    "edit": Case(lambda w: {"session": w.sid, "changes": "capacity=5"}, says("edit.done")),
    "cancel-session": Case(lambda w: {"session": w.sid}, says("cancel_session.done")),
    "attendees": Case(lambda w: {"session": w.sid}, says("attendees.intro")),
    "upcoming-posts": Case(no_options, says("upcoming_posts.intro")),
    "post-now": Case(lambda w: {"what": "prompt"}, says("post_now.queued")),
    "report": Case(no_options, says("report.intro")),
    "sector": Case(lambda w: {"choose": "housing"}, says("sector.set")),
    "connect": Case(lambda w: {"choose": "on"}, says("connect.on")),
    "attended": Case(lambda w: {"session": w.sid}, says("attended.too_early"), signed_up=True),
    "attendance": Case(lambda w: {"session": w.sid}, says("attendance.intro"), signed_up=True),
    "feedback": Case(lambda w: {"session": w.sid, "answer": "yes"}, says("feedback.not_there")),
}


def world(app: App, dc: FakeDiscord, *, signed_up: bool) -> World:
    sid = schedule(app, dc)
    user = dc.add_user("member")
    member = Actor("discord", str(user), "Member")
    if signed_up:
        assert not app.dispatcher.handle(member, "signup", {"session": str(sid)}).error
    library, now = app.community.library, app.community.clock.now()
    author = app.community.register(planner(dc)).id
    pending = library.suggest("Pending guide", "https://example.org/p", "DEVELOP", author, now)
    approved = library.suggest("Kept guide", "https://example.org/k", "CONNECT", author, now)
    library.set_status(approved.id, "approved", "", now)
    waiting = app.dispatcher.handle(
        planner(dc), "schedule", {"title": "Third", "when": "6 Dec 10:00"}
    )
    code = waiting.actions[0].command.split()[1]
    return World(sid, user, pending.id, approved.id, code)


def test_every_registered_command_has_a_discord_case(app: App) -> None:
    assert sorted(CASES) == sorted(c.name for c in app.registry.all())


@pytest.mark.parametrize("name", sorted(CASES))
async def test_command_answers_through_discord(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter, name: str
) -> None:
    command = app.registry.get(name)
    assert command is not None
    case = CASES[name]
    group = "cop-plan" if command.planners_only else "cop"
    synced = {c["name"]: c for c in dc.synced_commands[dc.guild_id]}
    assert name in {o["name"] for o in synced[group]["options"]}

    w = world(app, dc, signed_up=case.signed_up)
    user = None if command.planners_only else w.member  # None: the planner the fake seeds
    followed = len(dc.followups)
    cb = await dc.invoke(dc.slash(group, name, case.options(w), user_id=user))
    assert cb.type in (4, 5)
    if cb.type == 5:  # deferred: the answer comes as a follow-up
        await dc.wait_until(lambda: len(dc.followups) > followed)
        body = dc.followups[followed].payload
    else:
        assert cb.data is not None
        body = cb.data
    text = shown(body=body)
    assert unexpected(app) not in text
    assert case.expect(app) in text, text
    assert body["allowed_mentions"] == {"parse": []}


# ------------------------------------------------------------------- 2. the cancel button


async def test_cancel_button_gives_up_the_place_even_after_restart(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc)
    first, second = dc.add_user("first"), dc.add_user("second")
    for user in (first, second):
        signed = await dc.invoke(dc.slash("cop", "signup", {"session": sid}, user_id=user))
        assert f"cop:cancel {sid}" in button_ids(signed)
    assert len(app.community.signups.attendees(sid)) == 2

    cb = await dc.invoke(dc.button(f"cop:cancel {sid}", user_id=first))
    assert cb.type == 4 and cb.flags & EPHEMERAL
    assert says("cancel.done")(app) in shown(cb)
    held = [p.member_id for p in app.community.signups.attendees(sid)]
    assert held == [member_id(app, second)]

    fresh = DiscordAdapter(app.parts(), guild_ready_timeout=0.05)
    async with dc.run(fresh.client):
        await fresh.ready.wait()
        cb = await dc.invoke(dc.button(f"cop:cancel {sid}", user_id=second))
        assert cb.type == 4 and cb.flags & EPHEMERAL
        assert says("cancel.done")(app) in shown(cb)
    assert app.community.signups.attendees(sid) == []


# ------------------------------------------------------------------------ 3. forget-me


async def test_forget_me_erases_only_after_the_confirm_button(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc)
    user = dc.add_user("leaver")
    await dc.invoke(dc.slash("cop", "signup", {"session": sid}, user_id=user))
    await dc.invoke(dc.slash("cop", "reflect", {"text": "A private thought"}, user_id=user))
    held = member_id(app, user)
    assert held is not None

    asked = await dc.invoke(dc.slash("cop", "forget-me", user_id=user))
    assert asked.type == 4 and asked.flags & EPHEMERAL
    assert says("forget.ask")(app) in shown(asked)
    assert button_ids(asked) == ["cop:forget-me confirm=yes"]
    # Asking erased nothing.
    assert app.community.members.get(held) is not None
    assert [p.member_id for p in app.community.signups.attendees(sid)] == [held]
    assert app.community.privacy.export(held)["reflections"]

    done = await dc.invoke(dc.button("cop:forget-me confirm=yes", user_id=user))
    assert done.type == 4 and done.flags & EPHEMERAL
    assert says("forget.done")(app) in shown(done)
    assert app.community.members.get(held) is None
    assert member_id(app, user) is None
    assert app.community.signups.attendees(sid) == []
    assert not any(app.community.privacy.export(held).values())


# ------------------------------------------------------------ 4. the offer of direct messages


async def test_signup_offers_direct_messages_once_and_the_button_switches_to_them(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    first = schedule(app, dc)
    second = schedule(app, dc, '/cop schedule "Other" 2026-12-10 10:00 60m DEVELOP 5 Online')
    user = dc.add_user("member")
    met_the_welcome(app.community, "discord", str(user))
    offer = "cop:direct-messages on"

    cb = await dc.invoke(dc.slash("cop", "signup", {"session": first}, user_id=user))
    assert button_ids(cb) == [f"cop:cancel {first}", offer]
    held = member_id(app, user)
    assert held is not None
    prefs = app.community.members.preferences(held)
    assert prefs.dm_offered and prefs.via_on(app.community.default_via("discord")) == "thread"

    again = await dc.invoke(dc.slash("cop", "signup", {"session": second}, user_id=user))
    assert says("signup.confirmed")(app) in shown(again)
    # The direct-message offer is not repeated; the sector question takes its turn, once.
    assert button_ids(again) == [f"cop:cancel {second}", "cop:sector", "cop:sector none"]

    clicked = await dc.invoke(dc.button(offer, user_id=user))
    assert clicked.type == 4 and clicked.flags & EPHEMERAL
    assert says("direct_messages.on")(app) in shown(clicked)
    assert (
        app.community.members.preferences(held).via_on(app.community.default_via("discord")) == "dm"
    )


# --------------------------------------------------- 5. events in a voice or stage channel


@pytest.mark.parametrize("where", ["voice", "stage"])
async def test_event_without_a_place_goes_to_the_configured_channel(
    dc: FakeDiscord, tmp_path: Path, where: str
) -> None:
    channel, entity_type = {
        "voice": (dc.voice_channel_id, VOICE),
        "stage": (dc.stage_channel_id, STAGE_INSTANCE),
    }[where]
    built = build_app(tmp_path, dc, "coverage.db", discord_event_channel=str(channel))
    try:
        started = DiscordAdapter(built.parts(), guild_ready_timeout=0.05)
        async with dc.run(started.client):
            await started.ready.wait()
            sid = schedule(built, dc, '/cop schedule "Online circle" 2026-12-03 14:00 90m CONNECT')
            assert built.community.sessions.get(sid) is not None
            await started.sync_session(sid)
        create = f"/guilds/{dc.guild_id}/scheduled-events"
        [sent] = [r for r in dc.requests if r.method == "POST" and r.path == create]
        assert sent.status == 200
        assert sent.json["entity_type"] == entity_type
        assert int(sent.json["channel_id"]) == channel
        assert not (sent.json.get("entity_metadata") or {}).get("location")
        event_id = int(built.community.sessions.refs(sid)["discord_event"])
        assert dc.events[event_id]["name"] == "Online circle"
    finally:
        built.close()


# ------------------------------------------------------- 6. a post that meets a server error


def posts_to(dc: FakeDiscord, route: str) -> list[int]:
    return [r.status for r in dc.requests if r.method == "POST" and r.path == route]


async def test_post_after_a_500_is_retried_by_discord_py_and_lands_once(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    route = f"/channels/{dc.channel_id}/messages"
    error = dc.script("POST", route, 500, {"message": "Internal Server Error", "code": 0})
    Notices(app.community).announce("news:1", "announcement", Reply("Welcome, everyone"))
    assert await Courier(app.community, adapter).flush() == 1
    assert error.hits == 1 and posts_to(dc, route) == [500, 200]
    [post] = dc.messages
    assert post.channel_id == dc.channel_id and post.content == "Welcome, everyone"
    delivery = app.community.deliveries.get("news:1")
    assert delivery is not None and delivery.status == "sent"


async def test_post_after_a_503_is_retried_by_the_courier_and_lands_once(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    # discord.py gives up on a 503 at once; the courier puts the post back for later.
    route = f"/channels/{dc.channel_id}/messages"
    error = dc.script("POST", route, 503, {"message": "Service Unavailable", "code": 0})
    Notices(app.community).announce("news:1", "announcement", Reply("Welcome, everyone"))
    courier = Courier(app.community, adapter)
    assert await courier.flush() == 0
    assert error.hits == 1 and dc.messages == []
    waiting = app.community.deliveries.get("news:1")
    assert waiting is not None and waiting.status == "pending"
    assert "503" in waiting.reason and waiting.due > app.community.clock.now()

    assert await courier.flush() == 0  # not before its time
    clock = fake_clock(app)
    clock.set(waiting.due + timedelta(seconds=1))
    assert await courier.flush() == 1
    assert await courier.flush() == 0
    assert posts_to(dc, route) == [503, 200]
    [post] = dc.messages
    assert post.content == "Welcome, everyone"
    sent = app.community.deliveries.get("news:1")
    assert sent is not None and sent.status == "sent"


# ----------------------------------------------------- 7. mentions written into a suggestion

PINGS = ("@everyone", "<@123>", "<@&456>")


async def test_suggestion_mentions_never_ping_on_any_answer_or_post(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    user = dc.add_user("suggester")
    title = "Read this @everyone <@123> <@&456>"
    options = {"link": "https://example.org/@everyone", "objective": "DEVELOP", "title": title}
    thanks = await dc.invoke(dc.slash("cop", "suggest", options, user_id=user))
    assert says("suggest.thanks")(app) in shown(thanks)
    [entry] = app.community.library.with_status("pending")
    assert entry.title == title  # kept as written; only its showing is made harmless

    review = await dc.invoke(dc.slash("cop-plan", "review"))
    assert f"cop:approve {entry.id}" in button_ids(review)
    approved = await dc.invoke(dc.slash("cop-plan", "approve", {"resource": entry.id}))
    assert says("review.approved")(app) in shown(approved)
    assert await Courier(app.community, adapter).flush() == 1  # the suggester is told
    [told] = dc.messages
    assert told.channel_id == dc.dm_channel_id(user)

    bodies = [cb.data for cb in (thanks, review, approved)] + [told.payload]
    for body in bodies:
        assert body is not None
        assert body["allowed_mentions"] == {"parse": []}
        text = shown(body=body)
        assert not any(ping in text for ping in PINGS), text
        assert f"@{ZWSP}everyone" in text and f"<{ZWSP}@123>" in text
        assert f"<{ZWSP}@&456>" in text
    assert "example.org/@" + ZWSP + "everyone" in shown(body=review.data)
