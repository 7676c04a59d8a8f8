"""Starting on Slack: wrong tokens stop the bot with one sentence; the logs stay one line each."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import pytest

from bot.adapters.slack import SlackAdapter, SlackSetupError
from bot.app import App
from bot.cli import main
from tests.adapters.conftest import make_adapter
from tests.fakes.fake_slack import FakeSlack

SLACK_LOGGERS = ("slack_bolt", "slack_sdk", "bot.adapters.slack")


async def run_cli(tmp_path: Path, slack: FakeSlack, env: dict[str, str]) -> int | None:
    """`copbot run` against the fake, in a thread (the fake serves on this loop meanwhile).

    A daemon thread, given 10 seconds: a start that hangs fails the test instead of the run.
    """
    config = tmp_path / "config.toml"
    config.write_text(
        f'[platform]\nkind = "slack"\nannounce_channel = "C1"\n'
        f'[storage]\ndatabase = "cop.db"\n[slack]\napi_url = "{slack.api_url}"\n',
        encoding="utf-8",
    )
    result: list[int] = []
    thread = threading.Thread(
        target=lambda: result.append(main(["run", "--config", str(config)])), daemon=True
    )
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        thread.start()
        for _ in range(1000):
            if not thread.is_alive():
                break
            await asyncio.sleep(0.01)
    return result[0] if result else None


def problem_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("  - ")]


async def test_a_refused_app_token_stops_the_start(slack: FakeSlack, app: App) -> None:
    slack.refuse_token("xapp-test")

    with pytest.raises(SlackSetupError, match="SLACK_APP_TOKEN") as refused:
        await asyncio.wait_for(make_adapter(app).start(), 5)

    assert "invalid_auth" in str(refused.value) and "App-Level Tokens" in str(refused.value)
    assert slack.connections == 0


async def test_copbot_run_exits_1_with_one_sentence_for_a_wrong_app_token(
    tmp_path: Path, slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    slack.refuse_token("xapp-revoked")
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-revoked"}

    code = await run_cli(tmp_path, slack, env)

    err = capsys.readouterr().err
    assert code == 1
    [problem] = problem_lines(err)
    assert "SLACK_APP_TOKEN" in problem and "Traceback" not in err


@pytest.mark.parametrize(
    ("bot_token", "app_token", "named", "kind"),
    [
        ("xapp-1-A1-2", "xapp-test", "SLACK_BOT_TOKEN", "app-level token (xapp-…)"),
        ("xoxb-test", "xoxb-again", "SLACK_APP_TOKEN", "bot token (xoxb-…)"),
        ("xoxp-user", "xapp-test", "SLACK_BOT_TOKEN", "user token (xoxp-…)"),
    ],
)
async def test_a_token_of_the_wrong_kind_is_named_before_slack_is_asked(
    tmp_path: Path,
    slack: FakeSlack,
    capsys: pytest.CaptureFixture[str],
    bot_token: str,
    app_token: str,
    named: str,
    kind: str,
) -> None:
    env = {"SLACK_BOT_TOKEN": bot_token, "SLACK_APP_TOKEN": app_token}

    code = await run_cli(tmp_path, slack, env)

    err = capsys.readouterr().err
    assert code == 1
    [problem] = problem_lines(err)
    assert named in problem and kind in problem
    assert bot_token not in err and app_token not in err  # secrets never printed
    assert slack.calls == []


async def test_start_logs_no_warning_about_the_environments_token(
    slack: FakeSlack, app: App, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    with caplog.at_level(logging.INFO):
        adapter = make_adapter(app)
        await adapter.start()
    await adapter.stop()

    assert "will be unused" not in caplog.text
    assert slack.calls_to("apps.connections.open")


async def test_a_failing_views_publish_logs_one_line(
    slack: FakeSlack, adapter: SlackAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    slack.script("views.publish", {"ok": False, "error": "fatal_error"}, status=500)

    with caplog.at_level(logging.WARNING):
        await slack.send_envelope("events_api", slack.app_home_opened_event("U1"))
        await slack.wait_for_call("views.publish")
        await asyncio.sleep(0.05)

    [record] = [r for r in caplog.records if r.name.startswith(SLACK_LOGGERS)]
    assert record.exc_info is None and "Traceback" not in caplog.text
    assert "App Home" in record.getMessage() and "500" in record.getMessage()


async def test_a_dropped_socket_and_a_failed_reconnect_log_a_line_each(
    slack: FakeSlack, adapter: SlackAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    slack.script("apps.connections.open", {"ok": False, "error": "internal_error"}, status=500)

    with caplog.at_level(logging.INFO):
        await slack.drop_socket()
        await slack.wait_connected(min_connections=2)

    logged = [r for r in caplog.records if r.name.startswith(SLACK_LOGGERS)]
    assert any("Failed" in r.getMessage() for r in logged)  # the trouble is still said
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in logged)
    assert "Traceback" not in caplog.text
