"""`copbot check` counts prompts and resources per objective; `support` lists every route."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import REPO_CONTENT
from bot.domain.objectives import OBJECTIVES
from tests.commands.library.conftest import small_content
from tests.helpers import Run, build_app, ok, runner

pytestmark = pytest.mark.usefixtures("scratch")  # as an operator runs copbot


def test_check_counts_the_shipped_content_per_objective(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    prompts = tomllib.loads((REPO_CONTENT / "prompts.toml").read_text("utf-8"))["prompt"]
    resources = tomllib.loads((REPO_CONTENT / "resources.toml").read_text("utf-8"))["resource"]
    per_prompt = ", ".join(f"{o} {sum(p['objective'] == o for p in prompts)}" for o in OBJECTIVES)
    per_resource = ", ".join(
        f"{o} {sum(o in r['objectives'] for r in resources)}" for o in OBJECTIVES
    )
    assert f"Reflection prompts: {len(prompts)} ({per_prompt})" in out.splitlines()
    assert f"Resources: {len(resources)} ({per_resource})" in out.splitlines()


def test_check_counts_another_content_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    small_content(tmp_path)
    (tmp_path / "config.toml").write_text('[content]\ndir = "content"\n', encoding="utf-8")
    assert main(["check"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "Reflection prompts: 4 (DEVELOP 1, CONNECT 2, INFLUENCE 1)" in lines
    # "ci" serves CONNECT and INFLUENCE, so it counts for both.
    assert "Resources: 8 (DEVELOP 2, CONNECT 3, INFLUENCE 4)" in lines


def test_support_shows_the_intro_and_every_route_in_order(run: Run) -> None:
    table = tomllib.loads((REPO_CONTENT / "support.toml").read_text("utf-8"))["support"]
    reply = ok(run("alice", "support"))
    assert reply.text == table["intro"]
    assert len(table["route"]) >= 5
    assert [(i.title, i.lines) for i in reply.items] == [
        (r["name"], (r["description"], r["how"])) for r in table["route"]
    ]
    assert reply.private


def test_support_follows_an_edited_file(tmp_path: Path) -> None:
    folder = small_content(tmp_path)
    (folder / "support.toml").write_text(
        '[support]\nintro = "You matter."\n\n'
        '[[support.route]]\nname = "A friend"\ndescription = "Someone who listens."\n'
        'how = "Ask them for a walk."\nchecked = 2026-01-05\n',
        encoding="utf-8",
    )
    app = build_app(tmp_path, content_dir=folder)
    try:
        reply = ok(runner(app)("alice", "support"))
        assert reply.text == "You matter."
        assert [(i.title, i.lines) for i in reply.items] == [
            ("A friend", ("Someone who listens.", "Ask them for a walk."))
        ]
    finally:
        app.close()
