"""The [web] table: off by default, on with a port or an address, and bad values named."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from bot.domain.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_off_unless_a_port_or_an_address_is_set(tmp_path: Path) -> None:
    assert not load_config(write(tmp_path, "[web]\npublic = true\n"), env={}).web.enabled
    by_port = load_config(write(tmp_path, "[web]\nport = 8181\n"), env={}).web
    assert by_port.enabled and by_port.address == "http://localhost:8181"
    by_address = load_config(
        write(tmp_path, '[web]\nbase_url = "https://calendar.example.org/cop/"\n'), env={}
    ).web
    assert by_address.enabled and by_address.listen_port == 8080
    assert by_address.address == "https://calendar.example.org/cop"


def test_bad_web_values_are_all_named(tmp_path: Path) -> None:
    text = (
        '[web]\nport = 70000\nbase_url = "calendar.example.org?x=1"\n'
        'public = "yes"\nrequests_per_minute = 0\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), env={})
    problems = "\n".join(caught.value.problems)
    for key in ("web.port", "web.base_url", "web.public", "web.requests_per_minute"):
        assert f"key '{key}'" in problems


def test_check_says_whether_the_pages_are_on_and_where(tmp_path: Path) -> None:
    from bot.checkup import checkup

    off, _ = checkup(load_config(write(tmp_path, "[community]\n"), env={}))
    assert "Calendar links and pages: off" in off
    text = '[web]\nbase_url = "https://calendar.example.org"\npublic = true\n'
    on, problems = checkup(load_config(write(tmp_path, text), env={}))
    assert problems == []
    assert (
        "Calendar links and pages: https://calendar.example.org (listening on 127.0.0.1:8080" in on
    )
    assert "with the public page" in on
