"""The Discord front end driven at the wire level through FakeDiscord: slash commands,
autocomplete, buttons (also after a restart) and the schedule form."""

# The fixtures are imported from conftest_discord by name, which ruff sees as redefinitions.
# ruff: noqa: F401, F811

from __future__ import annotations

import discord

from bot.adapters.discord_ import DiscordAdapter
from bot.app import App
from tests.adapters.conftest_discord import adapter, app, dc, schedule
from tests.fakes.fake_discord import Callback, FakeDiscord

EPHEMERAL = 64


def buttons(cb: Callback) -> dict[str, str]:
    """The buttons on an answer: label -> custom_id."""
    rows = (cb.data or {}).get("components") or []
    return {b["label"]: b["custom_id"] for row in rows for b in row["components"]}


async def test_sync_puts_cop_with_typed_options_in_the_guild(
    dc: FakeDiscord, adapter: DiscordAdapter
) -> None:
    cop, plan = dc.synced_commands[dc.guild_id]
    assert (cop["name"], plan["name"]) == ("cop", "cop-plan")
    assert int(plan["default_member_permissions"]) == discord.Permissions(manage_events=True).value
    assert cop.get("default_member_permissions") is None
    subs = {o["name"]: o for o in cop["options"] + plan["options"]}
    assert {"sessions", "signup", "forget-me"} <= {o["name"] for o in cop["options"]}
    assert {"cancel-session", "schedule"} <= {o["name"] for o in plan["options"]}
    [session] = subs["signup"]["options"]
    assert session["type"] == 4 and session["autocomplete"] is True and session["required"]
    objective = next(o for o in subs["schedule"]["options"] if o["name"] == "objective")
    assert [c["value"] for c in objective["choices"]] == ["DEVELOP", "CONNECT", "INFLUENCE"]
    assert all(len(o["description"]) <= 100 for o in subs.values())


async def test_only_the_guilds_intent_is_asked_for(
    dc: FakeDiscord, adapter: DiscordAdapter
) -> None:
    """No privileged intents: slash commands and buttons bring everything the bot reads."""
    [identify] = dc.identify_payloads
    assert identify["intents"] == discord.Intents(guilds=True).value


async def test_sessions_answers_ephemerally_with_an_embed(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    schedule(app, dc)
    cb = await dc.invoke(dc.slash("cop", "sessions"))
    assert cb.type == 4 and cb.flags & EPHEMERAL
    assert cb.data is not None
    # The card is in the message's own words (read with link previews off); no embed repeats it.
    assert "Circle" in cb.data["content"] and cb.data["embeds"] == []
    button = cb.data["components"][0]["components"][0]
    assert button["custom_id"] == "cop:signup 1"
    assert cb.data["allowed_mentions"] == {"parse": []}


async def test_signup_with_int_option(dc: FakeDiscord, app: App, adapter: DiscordAdapter) -> None:
    sid = schedule(app, dc)
    member = dc.add_user("member")
    cb = await dc.invoke(dc.slash("cop", "signup", {"session": sid}, user_id=member))
    assert cb.flags & EPHEMERAL
    signed = app.community.signups.attendees(sid)
    assert len(signed) == 1


async def test_schedule_refused_for_member_and_allowed_for_planner(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    options = {"title": "Circle", "when": "2026-12-03 14:00", "objective": "CONNECT"}
    member = dc.add_user("member")
    cb = await dc.invoke(dc.slash("cop-plan", "schedule", options, user_id=member))
    assert cb.flags & EPHEMERAL and "planning group" in (cb.content or "")
    assert app.community.sessions.count() == 0
    preview = await dc.invoke(dc.slash("cop-plan", "schedule", options))
    assert preview.flags & EPHEMERAL and "exactly what will be posted" in (preview.content or "")
    assert app.community.sessions.count() == 0
    confirm = buttons(preview)["Schedule it"]
    assert confirm.startswith("cop:schedule-confirm ")
    assert buttons(preview)["Change"].startswith("cop:schedule-change ")
    cb = await dc.invoke(dc.button(confirm))
    assert "Scheduled #1" in (cb.content or "")
    assert app.community.sessions.count() == 1


async def test_the_preview_buttons_work_once_and_after_a_restart(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    options = {"title": "Circle", "when": "2026-12-03 14:00", "repeat": "weekly x3"}
    preview = await dc.invoke(dc.slash("cop-plan", "schedule", options))
    data = preview.data or {}
    shown = " ".join(
        [data.get("content") or ""] + [e.get("description", "") for e in data["embeds"]]
    )
    assert "3 sessions: 3 Dec 2026, 10 Dec 2026, 17 Dec 2026" in shown
    fresh = DiscordAdapter(app.parts(), guild_ready_timeout=0.05)
    await adapter.stop()
    async with dc.run(fresh.client):
        await fresh.ready.wait()
        first = await dc.invoke(dc.button(buttons(preview)["Schedule it"]))
        again = await dc.invoke(dc.button(buttons(preview)["Schedule it"]))
    assert "Scheduled #1" in (first.content or "")
    assert "already scheduled" in (again.content or "")
    assert app.community.sessions.count() == 3


async def test_change_gives_the_command_back_and_schedules_nothing(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    options = {"title": "Circle", "when": "2026-12-03 14:00", "where": "Civic Hall"}
    preview = await dc.invoke(dc.slash("cop-plan", "schedule", options))
    cb = await dc.invoke(dc.button(buttons(preview)["Change"]))
    assert cb.flags & EPHEMERAL
    assert '/cop-plan schedule "Circle" 2026-12-03 14:00 90m DEVELOP where="Civic Hall"' in (
        cb.content or ""
    )
    later = await dc.invoke(dc.button(buttons(preview)["Schedule it"]))
    assert "change this one" in (later.content or "")
    assert app.community.sessions.count() == 0


async def test_slash_options_with_hidden_characters_are_refused(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    options = {"title": "Circle\u202e", "when": "2026-12-03 14:00"}
    cb = await dc.invoke(dc.slash("cop-plan", "schedule", options))
    assert cb.flags & EPHEMERAL and "hidden" in (cb.content or "")
    assert not buttons(cb)
    assert app.community.sessions.count() == 0


async def test_session_autocomplete_lists_upcoming(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    schedule(app, dc)
    schedule(app, dc, '/cop schedule "Other" 2026-12-10 10:00 60m DEVELOP 5 Online')
    cb = await dc.invoke(dc.autocomplete("cop", "signup", {"session": "circ"}, focused="session"))
    assert cb.type == 8
    assert [(c["name"], c["value"]) for c in cb.choices] == [("#1 Circle — Thu 3 Dec 14:00", 1)]


async def test_session_autocomplete_finds_by_date_and_shows_titles_as_written(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    schedule(app, dc, '/cop schedule "Parents_and_carers *circle*" 2026-12-03 14:00 60m CONNECT')
    schedule(app, dc, '/cop schedule "Other" 2026-12-10 10:00 60m DEVELOP 5 Online')
    for typed in ("3 dec", "THU 3", "#1", "carers"):
        cb = await dc.invoke(
            dc.autocomplete("cop", "signup", {"session": typed}, focused="session")
        )
        assert [c["value"] for c in cb.choices] == [1], typed
    # Autocomplete labels are plain text: escaping markdown there would show backslashes.
    assert cb.choices[0]["name"] == "#1 Parents_and_carers *circle* — Thu 3 Dec 14:00"


async def test_zone_autocomplete(dc: FakeDiscord, adapter: DiscordAdapter) -> None:
    cb = await dc.invoke(dc.autocomplete("cop", "timezone", {"zone": "london"}, focused="zone"))
    assert [c["value"] for c in cb.choices] == ["Europe/London"]


async def test_button_click_signs_up_even_after_restart(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    sid = schedule(app, dc)
    member = dc.add_user("member")
    cb = await dc.invoke(dc.button(f"cop:signup {sid}", user_id=member))
    assert cb.type == 4 and cb.flags & EPHEMERAL
    assert cb.data is not None and cb.data["allowed_mentions"] == {"parse": []}
    assert len(app.community.signups.attendees(sid)) == 1

    fresh = DiscordAdapter(app.parts(), guild_ready_timeout=0.05)
    async with dc.run(fresh.client):
        await fresh.ready.wait()
        other = dc.add_user("other")
        cb = await dc.invoke(dc.button(f"cop:signup {sid}", user_id=other))
        assert cb.flags & EPHEMERAL
    assert len(app.community.signups.attendees(sid)) == 2


async def test_bare_schedule_opens_form_and_submit_schedules(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    shown = await dc.invoke(dc.slash("cop-plan", "schedule"))
    assert shown.type == 9 and shown.data is not None
    inputs = [c["components"][0]["custom_id"] for c in shown.data["components"]]
    assert inputs == ["title", "when", "duration", "objective", "place"]
    fields = {
        "title": "Form circle",
        "when": "2026-12-03 14:00",
        "duration": "90m",
        "objective": "connect",
        "place": "12 Civic Hall",
    }
    preview = await dc.invoke(dc.modal_submit(shown.data["custom_id"], fields))
    assert preview.type == 4 and preview.flags & EPHEMERAL
    assert app.community.sessions.count() == 0
    cb = await dc.invoke(dc.button(buttons(preview)["Schedule it"]))
    assert "Scheduled" in (cb.content or "")
    [session] = app.community.sessions.all()
    assert (session.title, session.capacity, session.location) == ("Form circle", 12, "Civic Hall")


async def test_form_places_out_of_range_or_hidden_characters_are_refused(
    dc: FakeDiscord, app: App, adapter: DiscordAdapter
) -> None:
    base = {"title": "X", "when": "2026-12-03 14:00", "duration": "", "objective": ""}
    for place, says in (("-5 Hall", "1 to 10000"), ("Civic\u2066 Hall", "hidden")):
        shown = await dc.invoke(dc.slash("cop-plan", "schedule"))  # a form answers once
        assert shown.data is not None
        cb = await dc.invoke(dc.modal_submit(shown.data["custom_id"], {**base, "place": place}))
        assert cb.flags & EPHEMERAL and says in (cb.content or ""), cb.content
        assert not buttons(cb)
    assert app.community.sessions.count() == 0


async def test_form_error_is_ephemeral(dc: FakeDiscord, app: App, adapter: DiscordAdapter) -> None:
    shown = await dc.invoke(dc.slash("cop-plan", "schedule"))
    assert shown.data is not None
    bad = {"title": "X", "when": "someday", "duration": "", "objective": "", "place": ""}
    cb = await dc.invoke(dc.modal_submit(shown.data["custom_id"], bad))
    assert cb.flags & EPHEMERAL
    assert app.community.sessions.count() == 0
