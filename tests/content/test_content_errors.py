"""Broken content files are reported kindly and completely: file, entry, field, found, expected."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.checkup import checkup
from bot.community import Community
from bot.config import Config
from bot.content.prompts import load_prompts
from bot.content.resources import load_resources
from bot.content.support import load_support
from bot.domain.clock import FakeClock
from bot.domain.errors import BadInput, ContentError
from bot.domain.objectives import OBJECTIVES, parse_objective
from tests.helpers import NOW, copy_content

GOOD_PROMPT = """
[[prompt]]
id = "p001"
objective = "DEVELOP"
theme = "regulation"
text = "What helps you stay steady?"
"""

GOOD_RESOURCE = """
[[resource]]
id = "window-of-tolerance"
title = "Window of tolerance"
objectives = ["DEVELOP"]
summary = "One sentence. Two sentences."
kind = "model"
audience = "everyone"
link = ""
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(load: Callable[[Path], object], path: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load(path)
    return caught.value.problems


def test_good_files_load(tmp_path: Path) -> None:
    [prompt] = load_prompts(write(tmp_path, "prompts.toml", GOOD_PROMPT))
    assert prompt.id == "p001" and prompt.content_note is None
    [resource] = load_resources(write(tmp_path, "resources.toml", GOOD_RESOURCE))
    assert resource.objectives == ("DEVELOP",) and resource.link == ""


def test_bad_objective_names_file_entry_field_found_and_expected(tmp_path: Path) -> None:
    text = GOOD_PROMPT.replace('"p001"', '"p007"').replace('"DEVELOP"', '"DEVLOP"')
    problems = problems_of(load_prompts, write(tmp_path, "prompts.toml", text))
    assert problems == [
        "prompts.toml: prompt p007: field 'objective': found 'DEVLOP', "
        "expected one of DEVELOP, CONNECT, INFLUENCE"
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = """
[[prompt]]
id = "p001"
objective = "DEVLOP"
theme = "Regulation"
text = 42

[[prompt]]
id = "p002"
objectiv = "CONNECT"
theme = "relationships"
text = "Who would you like to meet?"
"""
    problems = problems_of(load_prompts, write(tmp_path, "prompts.toml", text))
    assert len(problems) == 5
    assert all(p.startswith("prompts.toml: prompt p00") for p in problems)
    joined = "\n".join(problems)
    assert "prompt p001: field 'objective'" in joined
    assert "prompt p001: field 'theme': found 'Regulation'" in joined
    assert "prompt p001: field 'text': found the number 42" in joined
    assert "prompt p002: field 'objectiv'" in joined and "did you mean 'objective'" in joined
    assert "prompt p002: field 'objective': found nothing" in joined


def test_duplicate_ids_and_bad_id_shapes(tmp_path: Path) -> None:
    text = GOOD_PROMPT + GOOD_PROMPT + GOOD_PROMPT.replace('"p001"', '"7"')
    problems = problems_of(load_prompts, write(tmp_path, "prompts.toml", text))
    assert any(
        "prompt p001: field 'id': found 'p001' twice (entries #1 and #2)" in p for p in problems
    )
    assert any("prompt 7: field 'id': found '7'" in p for p in problems)


def test_prompt_text_over_the_limit(tmp_path: Path) -> None:
    text = GOOD_PROMPT.replace("What helps you stay steady?", "x" * 281)
    [problem] = problems_of(load_prompts, write(tmp_path, "prompts.toml", text))
    assert (
        problem
        == "prompts.toml: prompt p001: field 'text': found 281 characters, expected at most 280"
    )


def test_entry_without_an_id_is_named_by_position(tmp_path: Path) -> None:
    text = GOOD_PROMPT + GOOD_PROMPT.replace('id = "p001"\n', "")
    problems = problems_of(load_prompts, write(tmp_path, "prompts.toml", text))
    assert problems == [
        "prompts.toml: prompt #2 (no usable id): field 'id': found nothing, "
        "expected some text in quotes"
    ]


def test_empty_and_mis_shaped_files(tmp_path: Path) -> None:
    [empty] = problems_of(load_prompts, write(tmp_path, "prompts.toml", "# nothing yet\n"))
    assert empty == "prompts.toml: top level: found no [[prompt]] entries, expected at least one"
    single = GOOD_PROMPT.replace("[[prompt]]", "[prompt]")
    [table] = problems_of(load_prompts, write(tmp_path, "prompts.toml", single))
    assert "field 'prompt': found a table, expected a list of [[prompt]] tables" in table


def test_toml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    text = '[[prompt]]\nid = "p001\nobjective = "DEVELOP"\n'
    [problem] = problems_of(load_prompts, write(tmp_path, "prompts.toml", text))
    assert problem.startswith("prompts.toml: TOML syntax error:")
    assert "line 2" in problem


def test_missing_file_is_reported(tmp_path: Path) -> None:
    [problem] = problems_of(load_support, tmp_path / "support.toml")
    assert problem.startswith("support.toml: file: could not be read")


def test_resource_problems_are_all_reported(tmp_path: Path) -> None:
    text = (
        GOOD_RESOURCE
        + """
[[resource]]
id = "Bad Id"
title = "T"
objectives = []
summary = "S."
kind = "book"
audience = "a"
link = "www.example.org"

[[resource]]
id = "window-of-tolerance"
title = "T"
objectives = ["DEVELOP", "DEVLOP"]
summary = "S."
kind = "tool"
audience = "a"
link = "https://"
"""
    )
    problems = problems_of(load_resources, write(tmp_path, "resources.toml", text))
    joined = "\n".join(problems)
    assert all(p.startswith("resources.toml: resource ") for p in problems)
    assert "resource Bad Id: field 'id': found 'Bad Id'" in joined
    assert "resource Bad Id: field 'objectives': found an empty list" in joined
    assert "resource Bad Id: field 'kind': found 'book', expected one of document, video" in joined
    assert "resource Bad Id: field 'link': found 'www.example.org'" in joined
    assert "resource window-of-tolerance: field 'objectives': found 'DEVLOP'" in joined
    assert "resource window-of-tolerance: field 'link': found 'https://'" in joined
    assert "found 'window-of-tolerance' twice (entries #1 and #3)" in joined
    assert len(problems) == 7


@pytest.mark.parametrize("link", ["https://example.org/page", "http://example.org", ""])
def test_acceptable_links(tmp_path: Path, link: str) -> None:
    text = GOOD_RESOURCE.replace('link = ""', f'link = "{link}"')
    [resource] = load_resources(write(tmp_path, "resources.toml", text))
    assert resource.link == link


def test_support_problems_name_the_route_and_field(tmp_path: Path) -> None:
    text = """
[support]
intro = ""
colour = "green"

[[support.route]]
name = "Your GP"
description = "Talk with your GP."
checked = 2026-01-05

[[support.route]]
name = "Your GP"
description = "Again."
how = 3
checked = 2026-01-05
"""
    problems = problems_of(load_support, write(tmp_path, "support.toml", text))
    assert problems == [
        "support.toml: [support]: field 'colour': found a field this file does not use, "
        "expected only intro, route",
        "support.toml: [support]: field 'intro': found empty text, expected some text in quotes",
        "support.toml: route 'Your GP': field 'how': found nothing, expected some text in quotes",
        "support.toml: route 'Your GP': field 'how': found the number 3, "
        "expected some text in quotes",
        "support.toml: route 'Your GP': field 'name': found 'Your GP' twice "
        "(entries #1 and #2), expected a different value for every entry",
    ]


def test_support_without_routes(tmp_path: Path) -> None:
    path = write(tmp_path, "support.toml", '[support]\nintro = "Hello."\n')
    [problem] = problems_of(load_support, path)
    assert problem == (
        "support.toml: [support]: found no [[support.route]] entries, expected at least one"
    )


@pytest.mark.parametrize("typed", ["develop", " Connect ", "INFLUENCE"])
def test_parse_objective_forgives_case_and_spaces(typed: str) -> None:
    assert parse_objective(typed) in OBJECTIVES


def test_parse_objective_refuses_unknown_words() -> None:
    with pytest.raises(BadInput) as caught:
        parse_objective("convene")
    assert caught.value.key == "objective.bad"
    assert caught.value.fields == {"text": "convene"}


def test_the_bot_and_the_check_name_every_broken_file_at_once(tmp_path: Path) -> None:
    """An operator who broke two files hears about both, from `copbot check` and at start,
    in the same words: both read the one list of content files."""
    folder = copy_content(tmp_path)
    write(folder, "prompts.toml", GOOD_PROMPT.replace("DEVELOP", "GROW"))
    write(folder, "welcome.toml", "[welcome]\n")
    config = Config(database=tmp_path / "c.db", content_dir=folder)

    with pytest.raises(ContentError) as refused:
        Community.open(config, FakeClock(NOW))
    _, checked = checkup(config)

    assert any("prompts.toml" in problem for problem in refused.value.problems)
    assert any("welcome.toml" in problem for problem in refused.value.problems)
    assert checked == refused.value.problems
