"""The sector list is content: checked at load and by `copbot check`, every problem at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import REPO_CONTENT
from bot.content.sectors import load_sectors
from bot.domain.errors import ContentError
from tests.helpers import copy_content


def test_the_shipped_list_offers_the_sectors_the_cop_spans() -> None:
    sectors = load_sectors(REPO_CONTENT / "sectors.toml")
    ids = [s.id for s in sectors.choices]
    assert ids[:4] == ["health", "education", "social-care", "voluntary"]
    assert "prefer-not-to-say" in ids


def test_bad_entries_are_all_named(tmp_path: Path) -> None:
    path = tmp_path / "sectors.toml"
    path.write_text(
        '[[sector]]\nid = "Health Care"\nlabel = "Health"\n\n'
        '[[sector]]\nid = "housing"\n\n'
        '[[sector]]\nid = "housing"\nlabel = "Housing"\ncolour = "red"\n',
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as caught:
        load_sectors(path)
    problems = "\n".join(caught.value.problems)
    assert "sector Health Care: field 'id'" in problems
    assert "sector housing: field 'label': found nothing" in problems
    assert "field 'colour'" in problems
    assert "'housing' twice" in problems


def test_copbot_check_reports_a_broken_sector_list(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tmp_path = scratch
    copy_content(tmp_path)
    (tmp_path / "content" / "sectors.toml").write_text('[[sector]]\nid = "x"\n', "utf-8")
    (tmp_path / "config.toml").write_text('[content]\ndir = "content"\n', encoding="utf-8")
    assert main(["check"]) == 1
    assert "sectors.toml: sector x: field 'label'" in capsys.readouterr().err
