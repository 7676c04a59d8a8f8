"""`[storage] keep_deliveries`: a length of at least a day, or "forever"; 180 days if unset."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import load_config
from bot.domain.errors import ConfigError


def loaded(tmp_path: Path, value: str) -> timedelta | None:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\nkeep_deliveries = "{value}"\n', encoding="utf-8")
    return load_config(path, env={}).keep_deliveries


def test_the_default_is_180_days(tmp_path: Path) -> None:
    assert load_config(tmp_path / "absent.toml", env={}).keep_deliveries == timedelta(days=180)


@pytest.mark.parametrize(
    ("value", "kept"),
    [("90d", timedelta(days=90)), ("26w", timedelta(weeks=26)), ("Forever", None)],
)
def test_lengths_and_forever(tmp_path: Path, value: str, kept: timedelta | None) -> None:
    assert loaded(tmp_path, value) == kept


@pytest.mark.parametrize("value", ["12h", "0d", "six months", "-5d"])
def test_anything_else_is_named_with_what_is_expected(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError) as err:
        loaded(tmp_path, value)
    (problem,) = err.value.problems
    assert "storage.keep_deliveries" in problem and value in problem
    assert "'forever'" in problem
