"""Configuration: defaults without a file, the example documents every key, problems named fully."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from bot import config as config_module
from bot.config import Config, Secrets, load_config
from bot.domain.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def leaf_keys(table: dict[str, Any], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in table.items():
        if isinstance(value, dict):
            keys |= leaf_keys(value, f"{prefix}{key}.")
        else:
            keys.add(f"{prefix}{key}")
    return keys


def uncommented(text: str) -> str:
    """The example with its commented-out settings (`# dir = "content"`) switched on."""
    return re.sub(r"(?m)^#\s*([a-z_]+\s*=)", r"\1", text)


def keys_the_loader_reads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> set[str]:
    seen: set[str] = set()
    real_get = config_module._Reader.get

    def spy(self: Any, dotted: str, default: Any, kind: Any) -> Any:
        seen.add(dotted)
        return real_get(self, dotted, default, kind)

    monkeypatch.setattr(config_module._Reader, "get", spy)
    path = tmp_path / "empty.toml"
    path.write_text("", encoding="utf-8")
    load_config(path, env={})
    monkeypatch.undo()
    return seen


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_the_built_in_defaults(tmp_path: Path) -> None:
    loaded = load_config(tmp_path / "absent.toml", env={})
    assert loaded == Config()
    assert loaded.source == "built-in defaults"
    assert loaded.timezone == "Europe/London" and loaded.chosen_platform() == "console"
    assert loaded.planning_group.console_users == ("organiser",)


def test_the_example_loads_and_documents_every_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert EXAMPLE.exists(), "config.example.toml should document every key"
    text = EXAMPLE.read_text(encoding="utf-8")
    loaded = load_config(EXAMPLE, env={})
    assert loaded.source == str(EXAMPLE)
    documented = leaf_keys(tomllib.loads(uncommented(text)))
    assert documented == keys_the_loader_reads(monkeypatch, tmp_path)
    switched_on = write(tmp_path, uncommented(text))
    assert load_config(switched_on, env={}).content_dir == tmp_path / "content"


def test_the_example_shows_the_defaults(tmp_path: Path) -> None:
    loaded = load_config(EXAMPLE, env={})
    defaults = Config()
    differing = [
        f.name
        for f in fields(Config)
        if f.name not in ("source", "database", "content_dir")
        and getattr(loaded, f.name) != getattr(defaults, f.name)
    ]
    assert differing == []
    assert loaded.database == EXAMPLE.parent / "copbot.db"


def test_a_secret_in_the_file_is_an_error_naming_file_and_key(tmp_path: Path) -> None:
    token = "xoxb-FAKE"  # shaped like a bot token, and plainly not one
    path = write(
        tmp_path,
        f'[slack]\ntoken = "{token}"\n[platform]\nannounce_channel = "xapp-1-A0-123"\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    problems = caught.value.problems
    assert len(problems) == 2
    assert any(str(path) in p and "'slack.token'" in p and "environment" in p for p in problems)
    assert any("'platform.announce_channel'" in p for p in problems)
    assert token not in str(caught.value) and "xapp-1" not in str(caught.value)


def test_bad_values_are_all_reported_together(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[community]\ntimezone = "Mars/Olympus_Mons"\n'
        '[schedule]\nprompt_day = "funday"\nprompt_time = "25:99"\n'
        '[quiet_hours]\nweekends = "yes"\n'
        '[reminders]\noffsets = ["1d", "soon"]\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    problems = caught.value.problems
    expected = {
        "community.timezone": "Mars/Olympus_Mons",
        "schedule.prompt_day": "funday",
        "schedule.prompt_time": "25:99",
        "quiet_hours.weekends": "yes",
        "reminders.offsets": "soon",
    }
    assert len(problems) == len(expected)
    for key, found in expected.items():
        [problem] = [p for p in problems if f"'{key}'" in p]
        assert str(path) in problem and found in problem and "expected" in problem


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[community\nname = 'x'\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert str(path) in caught.value.problems[0]


def test_values_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[community]\nname = "Test CoP"\ntimezone = "America/New_York"\n'
        '[storage]\ndatabase = "data/cop.db"\n'
        '[planning_group]\nconsole_users = ["pat", "sam"]\n'
        '[reminders]\noffsets = ["30m", "2d"]\n'
        '[schedule]\nprompt_day = "Friday"\nprompt_time = "7:05"\n',
    )
    loaded = load_config(path, env={})
    assert loaded.community_name == "Test CoP" and loaded.timezone == "America/New_York"
    assert loaded.database == tmp_path / "data" / "cop.db"
    assert loaded.planning_group.console_users == ("pat", "sam")
    assert [o.total_seconds() for o in loaded.reminder_offsets] == [172800, 1800]
    assert loaded.prompt_day == 4 and loaded.prompt_time.strftime("%H:%M") == "07:05"


@pytest.mark.parametrize(
    ("env", "kind", "expected"),
    [
        ({}, "auto", "console"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "auto", "slack"),
        ({"DISCORD_TOKEN": "abc"}, "auto", "discord"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "DISCORD_TOKEN": "abc"}, "auto", "slack"),
        ({"SLACK_BOT_TOKEN": "  "}, "auto", "console"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "console", "console"),
        ({}, "discord", "discord"),
    ],
)
def test_the_platform_follows_the_tokens(
    tmp_path: Path, env: dict[str, str], kind: str, expected: str
) -> None:
    path = write(tmp_path, f'[platform]\nkind = "{kind}"\n')
    loaded = load_config(path, env=env)
    assert loaded.chosen_platform() == expected
    assert loaded.secrets == Secrets.from_env(env)


def test_secrets_never_appear_in_a_printed_config() -> None:
    from bot.config import Config, Secrets

    values = ("xoxb-1-hidden", "xapp-1-hidden", "sig-hidden", "d-hidden")
    shown = repr(Config(secrets=Secrets(*values)))
    assert "hidden" not in shown
