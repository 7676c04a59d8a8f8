"""Safe by default: choice before a difficult prompt, support routes with dates, the welcome
and privacy notice once per member, and words everyone can read on every front end."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.console import render
from bot.adapters.discord_.answer import answer_payload
from bot.adapters.discord_.render import message_kwargs
from bot.adapters.slack.blocks import message
from bot.app import App
from bot.checkup import checkup
from bot.config import Config
from bot.content.support import load_support
from bot.domain.clock import FakeClock
from bot.domain.context import Item, Reply
from bot.domain.errors import ContentError
from tests.helpers import NOW, build_app, copy_content, runner

HIDDEN = "What stays with you from the hardest conversation this week?"
NOTE = "This prompt touches on distressing experiences at work."


@pytest.fixture
def noted(tmp_path: Path) -> Iterator[App]:
    """An app whose only prompt carries a content note."""
    folder = copy_content(tmp_path)
    (folder / "prompts.toml").write_text(
        f'[[prompt]]\nid = "p901"\nobjective = "DEVELOP"\ntheme = "staff wellbeing"\n'
        f'text = "{HIDDEN}"\ncontent_note = "{NOTE}"\n',
        encoding="utf-8",
    )
    app = build_app(tmp_path, FakeClock(NOW), content_dir=folder)
    yield app
    app.close()


def first_view(app: App) -> Reply:
    run = runner(app)
    run("alice", "privacy")  # alice has met the welcome; this is about the prompt
    return run("alice", "prompt")


def test_a_noted_prompt_shows_the_note_and_not_the_prompt_on_the_console(noted: App) -> None:
    shown = render(first_view(noted))
    assert NOTE in shown and HIDDEN not in shown
    assert "[Show the prompt: /cop prompt p901]" in shown  # the typed action


def test_a_noted_prompt_is_hidden_on_slack_and_discord_until_asked_for(noted: App) -> None:
    reply = first_view(noted)
    slack = message(reply)
    discord_sent = message_kwargs(reply)
    discord_answer = answer_payload(reply, ephemeral=True)
    for drawn in (str(slack), str(discord_sent["content"]), str(discord_answer)):
        assert NOTE in drawn and HIDDEN not in drawn
    [button] = [e for b in slack["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["value"] == "prompt p901" and button["text"]["text"] == "Show the prompt"
    assert "cop:prompt p901" in str(discord_answer["data"]["components"])


def test_the_button_shows_the_prompt_privately(noted: App) -> None:
    first_view(noted)
    shown = runner(noted)("alice", "prompt p901")
    assert HIDDEN in shown.text and shown.private and not shown.error
    unknown = runner(noted)("alice", "prompt p999")
    assert unknown.error == "prompt.unknown" and HIDDEN not in unknown.text


def test_the_weekly_post_and_dm_keep_the_prompt_behind_the_button(noted: App) -> None:
    from bot.scheduling.compose import Composer

    composer = Composer(noted.community)
    post = composer.prompt_reply(noted.community.prompts[0])
    dm = composer.direct(post)
    for reply in (post, dm):
        assert HIDDEN not in render(reply) and HIDDEN not in str(message(reply))
    assert [a.command for a in dm.actions] == ["prompt p901", "support"]


# ------------------------------------------------------------------ support routes


def support_file(tmp_path: Path, checked: str) -> Path:
    path = tmp_path / "support.toml"
    path.write_text(
        '[support]\nintro = "You matter."\n\n[[support.route]]\nname = "A friend"\n'
        f'description = "Someone who listens."\nhow = "Ask them."\n{checked}',
        encoding="utf-8",
    )
    return path


def test_a_route_needs_the_date_it_was_checked(tmp_path: Path) -> None:
    for line, found in (("", "nothing"), ('checked = "soon"\n', "'soon'")):
        with pytest.raises(ContentError) as err:
            load_support(support_file(tmp_path, line))
        assert err.value.problems == [
            f"support.toml: route 'A friend': field 'checked': found {found}, "
            "expected the date it was last checked, e.g. 2026-12-04"
        ]
    route = load_support(support_file(tmp_path, "checked = 2026-01-05\n")).routes[0]
    assert route.checked.isoformat() == "2026-01-05"


def test_check_warns_about_a_route_not_checked_for_twelve_months(tmp_path: Path) -> None:
    folder = copy_content(tmp_path)
    text = (folder / "support.toml").read_text(encoding="utf-8")
    dates = {line.split("=")[1].strip() for line in text.splitlines() if line.startswith("checked")}
    oldest = datetime.fromisoformat(min(dates)).replace(hour=12, tzinfo=UTC)
    config = Config(database=tmp_path / "c.db", content_dir=folder)

    report, problems = checkup(config, FakeClock(oldest + timedelta(days=365)))
    assert problems == [] and "Warnings:" not in report
    report, problems = checkup(config, FakeClock(oldest + timedelta(days=366)))
    assert problems == []  # a warning, not a failure: the bot still runs
    assert "more than 12 months ago" in report and "last checked " + min(dates) in report


# ---------------------------------------------------------- the welcome and privacy notice


def welcomed(reply: Reply) -> bool:
    return reply.notice is not None and reply.notice.title.startswith("Welcome")


def test_the_welcome_shows_once_and_again_only_for_a_returning_member(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    run = runner(app)
    try:
        first = run("bea", "sessions")
        assert welcomed(first) and "forget-me" in render(first)
        assert not welcomed(run("bea", "sessions"))
        assert not welcomed(run("bea", "help"))
        assert welcomed(run("bea", "privacy")) is False  # privacy is the notice itself
        assert run("bea", "privacy").items[0].title.startswith("Welcome")
        gone = run("bea", "forget-me confirm")
        assert not welcomed(gone)  # no notice on the way out
        assert app.community.members.by_name("console", "bea") is None
        assert welcomed(run("bea", "sessions"))  # she came back: new again, told once more
        assert not welcomed(run("bea", "sessions"))
    finally:
        app.close()


def test_the_welcome_offers_the_choices_that_matter(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    try:
        notice = runner(app)("cai", "help").notice
        assert notice is not None
        assert [a.command for a in notice.actions] == [
            "subscribe prompts",
            "unsubscribe prompts",
            "subscribe reminders",
            "unsubscribe reminders",
            "connect on",
        ]
    finally:
        app.close()


# ------------------------------------------------------------- words everyone can read


def test_a_discord_message_of_cards_alone_carries_them_in_its_text() -> None:
    report = Reply("", items=(Item("Sessions this month", ("Four sessions, 52 places",)),))
    sent = message_kwargs(report)
    assert "Sessions this month" in sent["content"] and "52 places" in sent["content"]
    long = Reply("Many", items=tuple(Item(f"Card {n}", ("x" * 300,)) for n in range(12)))
    sent = message_kwargs(long)
    assert len(sent["content"]) <= 2000 and "Card 0" in sent["content"]
    in_text = sum(f"Card {n}**" in sent["content"] for n in range(12))
    assert in_text + len(sent["embeds"]) == 12  # the rest follow as embeds, none lost


def test_slack_text_carries_every_card() -> None:
    reply = Reply("", items=(Item("Sessions this month", ("Four sessions, 52 places",)),))
    assert "52 places" in message(reply)["text"]


def test_the_welcome_words_are_checked_like_other_content(tmp_path: Path) -> None:
    from bot.content.welcome import load_welcome

    path = tmp_path / "welcome.toml"
    path.write_text(
        '[welcome]\ntitle = "Hello"\nintro = ""\n[welcome.where]\nslak = "x"\n', "utf-8"
    )
    with pytest.raises(ContentError) as err:
        load_welcome(path)
    problems = "\n".join(err.value.problems)
    assert "field 'intro': found empty text" in problems
    assert "field 'keeps': found nothing" in problems
    assert "[welcome.where]: field 'slak'" in problems and "did you mean 'slack'" in problems
    assert "[welcome.where]: field 'discord': found nothing" in problems


def test_on_discord_the_welcome_asks_how_reminders_should_arrive(tmp_path: Path) -> None:
    from bot.domain.context import Actor

    app = build_app(tmp_path)
    try:
        reply = app.dispatcher.handle_line(Actor("discord", "42", "Dee"), "help")
        assert reply.notice is not None
        commands = [a.command for a in reply.notice.actions]
        assert commands[2:4] == ["direct-messages on", "direct-messages off"]
        where = app.community.welcome.where_on("discord")
        assert "private thread" in where and where in reply.notice.lines
        assert where in reply.footer  # help says the same, truly for Discord
    finally:
        app.close()


def test_a_resource_without_a_confirmed_link_is_never_a_weekly_pick(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    try:
        library = app.community.library
        for objective in ("DEVELOP", "CONNECT", "INFLUENCE"):
            pool = library.for_picks(objective)
            assert pool and all(entry.link.startswith("https://") for entry in pool)
        unlinked = {e.id for e in library.search("", None, 100) if not e.link}
        assert "ambit" in unlinked  # still in the library, just not picked
    finally:
        app.close()
