"""The copbot command line, run in a scratch folder as an operator would."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.app import App
from bot.cli import main
from bot.config import REPO_CONTENT, Config
from bot.domain.clock import FakeClock
from bot.domain.context import Actor
from tests.helpers import PLANNER, scheduled

pytestmark = pytest.mark.usefixtures("scratch")  # as an operator runs copbot


def with_a_session(tmp_path: Path) -> int:
    """A database in the scratch folder with one session next week (on the real clock)."""
    now = datetime.now(UTC).replace(microsecond=0)
    app = App.build(Config(database=tmp_path / "copbot.db"), FakeClock(now))
    when = (now + timedelta(days=7)).astimezone(app.community.zone).strftime("%Y-%m-%d 14:00")
    try:
        planner = Actor("console", PLANNER, PLANNER)
        scheduled(
            lambda who, line: app.dispatcher.handle_line(planner, line),
            f'"Circle" {when} capacity=1 where="Civic Hall"',
        )
        for name in ("=SUM(A1)", "bob"):
            app.dispatcher.handle_line(Actor("console", name, name), "signup 1")
    finally:
        app.close()
    return 1


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "check", "calendar", "export"):
        assert f"    {command} " in out
    assert main([]) == 0
    assert "check" in capsys.readouterr().out


def test_check_prints_the_schedule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "Configuration: built-in defaults" in out
    assert "Weekly reflection prompt: Mondays at 09:30 Europe/London" in out
    assert "Session reminders: 1 week, 1 day, 1 hour before each session" in out
    assert "Platform: console" in out


def test_check_names_a_broken_message_template(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(REPO_CONTENT, scratch / "content")
    messages = scratch / "content" / "messages.toml"
    text = messages.read_text(encoding="utf-8")
    assert "You're signed up for #{id}" in text
    messages.write_text(text.replace("You're signed up for #{id}", "You're in #{idd}"), "utf-8")
    (scratch / "config.toml").write_text('[content]\ndir = "content"\n', encoding="utf-8")
    assert main(["check"]) == 1
    captured = capsys.readouterr()
    assert "signup.confirmed" in captured.err and "{idd}" in captured.err
    assert "Traceback" not in captured.err


def test_a_bad_config_is_reported_not_raised(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (scratch / "config.toml").write_text('[schedule]\nprompt_day = "funday"\n', "utf-8")
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "config.toml" in err and "schedule.prompt_day" in err and "funday" in err


def test_calendar_writes_an_ics_file(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with_a_session(scratch)
    assert main(["calendar", "--out", "cop.ics"]) == 0
    assert "1 session" in capsys.readouterr().out
    calendar = Calendar.from_ical((scratch / "cop.ics").read_bytes())
    [event] = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert "Circle" in str(event["SUMMARY"]) and str(event["LOCATION"]) == "Civic Hall"


def test_export_attendees_prints_csv(scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session = with_a_session(scratch)
    assert main(["export", "attendees", str(session)]) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert table[0][:4] == ["session", "title", "starts", "status"]
    assert [(row[3], row[5]) for row in table[1:]] == [
        ("confirmed", "'=SUM(A1)"),
        ("waitlisted", "bob"),
    ]
    assert main(["export", "attendees", str(session), "--out", "list.csv"]) == 0
    assert (scratch / "list.csv").read_text(encoding="utf-8").startswith("session,title")


def test_export_of_an_unknown_session_is_a_kind_refusal(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_a_session(scratch)
    assert main(["export", "attendees", "42"]) == 1
    captured = capsys.readouterr()
    assert "no session 42" in captured.err and "Traceback" not in captured.err
    assert captured.out == ""


def test_run_on_a_platform_without_its_token_says_what_to_set(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for kind, secret in (("slack", "SLACK_BOT_TOKEN"), ("discord", "DISCORD_TOKEN")):
        (scratch / "config.toml").write_text(f'[platform]\nkind = "{kind}"\n', encoding="utf-8")
        assert main(["run"]) == 1
        err = capsys.readouterr().err
        assert f"could not start on {kind}" in err and secret in err
        assert "Traceback" not in err


def test_discord_invite_takes_the_id_from_flag_config_or_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "elsewhere.toml"  # not the config.toml found in the folder
    config.write_text('[discord]\napplication_id = "222"\n', encoding="utf-8")
    monkeypatch.setenv("DISCORD_APPLICATION_ID", "333")
    assert main(["discord-invite", "--application-id", "111", "--config", str(config)]) == 0
    assert "client_id=111" in capsys.readouterr().out
    assert main(["discord-invite", "--config", str(config)]) == 0
    assert "client_id=222" in capsys.readouterr().out
    assert main(["discord-invite"]) == 0
    assert "client_id=333" in capsys.readouterr().out
    monkeypatch.delenv("DISCORD_APPLICATION_ID")
    assert main(["discord-invite"]) == 1
    assert "application id" in capsys.readouterr().err


def test_the_rehearsal_help_says_it_runs_on_the_console_with_console_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    words = " ".join(capsys.readouterr().out.split())
    assert "always uses the console" in words
    assert "Discord's /cop-plan commands work too" in words


def test_a_rehearsal_takes_discords_plan_group_words(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    line = '/cop-plan schedule "Circle" 2026-12-03 14:00 90m CONNECT 20 Civic Hall\n'
    monkeypatch.setattr("sys.stdin", io.StringIO(line + "/cop-plan schedule-confirm\n"))
    assert main(["run", "--simulated-clock", "2026-11-30T09:00"]) == 0
    assert "Scheduled #1 Circle" in capsys.readouterr().out
