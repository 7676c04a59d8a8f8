"""The command tree: help for each command, words for every template, docs kept honest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.app import App
from bot.config import Config, PlanningGroup
from bot.content import message_fields
from bot.content.message_fields import FIELDS
from bot.dispatch.dispatcher import is_planner
from bot.domain.context import Actor
from bot.scheduling.kinds import KINDS
from commands import build_registry
from tests.helpers import PLANNER, Run, ok, schedule, snapshot

README = Path(__file__).resolve().parents[2] / "README.md"
REGISTRY = build_registry()
ALL = [c.name for c in REGISTRY.all()]
PLANNERS_ONLY = [c.name for c in REGISTRY.all() if c.planners_only]
# The least a planning-group command needs to get past its argument parsing.
ARGS = {
    "schedule": '"Circle" 3 Dec 14:00',
    "edit": "1 title=Changed",
    "cancel-session": "1",
    "attendees": "1",
    "post-now": "prompt",
}


def listed(reply_items: tuple) -> list[str]:
    return [item.title.removeprefix("/cop ") for item in reply_items]


def test_help_lists_member_commands_for_members_and_all_for_planners(run: Run) -> None:
    member_view = ok(run("ann", "help"))
    planner_view = ok(run(PLANNER, "help"))
    assert listed(member_view.items) == [n for n in ALL if n not in PLANNERS_ONLY]
    assert listed(planner_view.items) == ALL
    assert {"schedule", "edit", "cancel-session", "attendees"} <= set(PLANNERS_ONLY)
    assert member_view.private and "/cop help" in member_view.footer
    assert ok(run("ann", "")).items == member_view.items
    assert ok(run("ann", "/cop")).items == member_view.items


@pytest.mark.parametrize("name", ALL)
def test_help_for_each_command_shows_usage_and_example(app: App, run: Run, name: str) -> None:
    say = app.community.messages
    reply = ok(run("ann", f"help {name}"))
    assert reply.text == say(f"help.{name}.summary")
    lines = reply.items[0].lines
    assert lines[0] == say(f"help.{name}.usage") and lines[0].startswith(f"/cop {name}")
    assert lines[1] == "Example: " + say(f"help.{name}.example")
    assert say(f"help.{name}.example").startswith(f"/cop {name}")
    assert (say("help.planners_only") in lines) == (name in PLANNERS_ONLY)
    assert ok(run("ann", f'help "/cop {name.upper()}"')).text == reply.text


def test_help_for_an_unknown_command_says_so(run: Run) -> None:
    reply = run("ann", "help teleport")
    assert reply.error == "error.unknown_command" and "teleport" in reply.text


# Errors that mean an example is written wrongly, rather than that its subject is in some state.
MALFORMED = {
    "error.unexpected", "error.unknown_command", "error.missing", "error.extra", "error.quotes",
    "error.control", "error.unknown_option", "error.session_id", "error.capacity", "error.weeks",
    "error.choice", "error.too_long", "edit.bad_pair", "edit.unknown_field", "edit.nothing",
}  # fmt: skip
MALFORMED_PREFIXES = ("when.", "duration.", "repeat.", "objective.", "timezone.")
# With session 12 in place, these commands' examples must simply work.
MUST_WORK = {
    "help", "sessions", "mine", "calendar", "signup", "cancel", "timezone", "mydata",
    "forget-me", "schedule", "edit", "cancel-session", "attendees",
}  # fmt: skip


def test_every_help_example_runs_as_written(app: App, run: Run) -> None:
    """The examples reuse session 12; make one, then run each example as the planning group."""
    first = schedule(run, '"Weekly circle" 2026-12-01 10:00 repeat="weekly x12"')
    assert first + 11 == 12
    assert set(ALL) >= MUST_WORK
    for name in ALL:
        example = app.community.messages(f"help.{name}.example")
        reply = run(PLANNER, example)
        malformed = reply.error in MALFORMED or reply.error.startswith(MALFORMED_PREFIXES)
        assert not malformed, f"{example!r}: {reply.text}"
        if name in MUST_WORK:
            assert reply.error == "", f"{example!r}: {reply.text}"


@pytest.mark.parametrize("name", ALL)
def test_every_command_has_help_words(app: App, name: str) -> None:
    for part in ("summary", "usage", "example"):
        assert app.community.messages.has(f"help.{name}.{part}")
        assert app.community.messages(f"help.{name}.{part}").strip()


def test_command_names_in_the_words_contract_match_the_registry() -> None:
    names = message_fields.COMMAND_NAMES
    assert sorted(names) == sorted(ALL)
    assert len(set(names)) == len(names)


def test_every_template_renders_with_its_fields(app: App) -> None:
    messages = app.community.messages
    for key, fields in FIELDS.items():
        values = {name: f"<{name}>" for name in fields}
        text = messages(key, **values)
        assert text, key
        assert not re.search(r"(?<!\{)\{[a-z_]+\}(?!\})", text), f"{key} left a placeholder"
    labels = {f"kind.{name}" for name in KINDS}
    assert set(messages.templates) == set(FIELDS) | labels


def test_the_readme_lists_every_command() -> None:
    assert README.exists(), "README.md is missing: it should list every /cop command"
    text = README.read_text(encoding="utf-8")
    missing = [n for n in ALL if not re.search(rf"/cop {re.escape(n)}(?![\w-])", text)]
    assert missing == [], f"README.md does not mention: {missing}"


@pytest.mark.parametrize("name", PLANNERS_ONLY)
def test_planning_commands_are_refused_kindly_for_members(app: App, run: Run, name: str) -> None:
    session = schedule(run, '"Circle" 3 Dec 14:00')
    assert session == 1
    ok(run("ann", f"signup {session}"))
    before = snapshot(app)
    reply = run("ann", f"{name} {ARGS.get(name, '')}")
    assert reply.error == "error.not_allowed"
    assert reply.private and f"/cop {name}" in reply.text and "planning group" in reply.text
    assert snapshot(app) == before
    assert run(PLANNER, f"{name} {ARGS.get(name, '')}").error != "error.not_allowed"


def test_who_is_in_the_planning_group(tmp_path: Path) -> None:
    config = Config(
        database=tmp_path / "t.db",
        planning_group=PlanningGroup(console_users=("pat",), slack_users=("U1",), discord_role=""),
    )
    app = App.build(config)
    try:
        community = app.community
        assert is_planner(Actor("console", "pat", "Pat"), community)
        assert not is_planner(Actor("console", "organiser", "organiser"), community)
        assert is_planner(Actor("slack", "U1", "Una"), community)
        assert not is_planner(Actor("slack", "U2", "Uri"), community)
        assert not is_planner(Actor("discord", "9", "Dee", frozenset({""})), community)
    finally:
        app.close()


def test_every_option_has_a_friendly_label_for_error_messages(app: App) -> None:
    from bot.content.message_fields import OPTION_NAMES

    names = {o.name for c in app.registry.all() for o in c.options}
    assert names == set(OPTION_NAMES)
    assert all(app.community.messages.has(f"option.{n}") for n in names)


def test_a_missing_option_is_named_in_plain_words(run: Run) -> None:
    reply = run("ann", "signup")
    assert reply.error == "error.missing" and "needs a session number" in reply.text
