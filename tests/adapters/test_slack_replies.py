"""Replies through response_url honour the environment's proxy settings, read once per host."""

from __future__ import annotations

import pytest

from bot.adapters.slack.replies import Replies


def test_a_proxy_is_used_unless_the_host_is_excluded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    replies = Replies()
    assert replies._proxy("https://hooks.slack.com/commands/T1/1/x") == "http://proxy.internal:3128"
    assert replies._proxy("http://127.0.0.1:8080/respond") is None


def test_no_proxy_when_none_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert Replies()._proxy("https://hooks.slack.com/commands/T1/1/x") is None
