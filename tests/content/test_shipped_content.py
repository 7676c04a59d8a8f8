"""The content files we ship must load cleanly and keep the promises made to members."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from bot.content.prompts import TEXT_LIMIT, Prompt, load_prompts
from bot.content.resources import Resource, load_resources
from bot.content.support import Support, load_support
from bot.domain.objectives import OBJECTIVES

CONTENT = Path(__file__).resolve().parents[2] / "content"
PROGRAMME_EMAIL = "itipcommunityofpractice@leeds.gov.uk"
KNOWN_NUMBERS = {"999", "111", "116 123"}
# Words that suggest a prompt touches adversity, harm or distress, and so needs a content note.
DIFFICULT = re.compile(
    r"\b(hurt|harm\w*|distress\w*|overwhelm\w*|upset|abuse|neglect|poverty|discriminat\w*|"
    r"crisis|exclusion|sanction|frighten\w*|shaming|retell)\b",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def prompts() -> list[Prompt]:
    return load_prompts(CONTENT / "prompts.toml")


@pytest.fixture(scope="module")
def resources() -> list[Resource]:
    return load_resources(CONTENT / "resources.toml")


@pytest.fixture(scope="module")
def support() -> Support:
    return load_support(CONTENT / "support.toml")


def test_there_are_enough_prompts_for_a_year(prompts: list[Prompt]) -> None:
    assert len(prompts) >= 52


def test_prompts_are_shared_fairly_between_objectives(prompts: list[Prompt]) -> None:
    counts = Counter(prompt.objective for prompt in prompts)
    for objective in OBJECTIVES:
        assert counts[objective] >= len(prompts) // 4, counts


def test_prompt_ids_are_unique(prompts: list[Prompt]) -> None:
    ids = [prompt.id for prompt in prompts]
    assert len(ids) == len(set(ids))


def test_prompts_are_short_and_varied(prompts: list[Prompt]) -> None:
    assert all(len(prompt.text) <= TEXT_LIMIT for prompt in prompts)
    assert len({prompt.text for prompt in prompts}) == len(prompts)
    assert len({prompt.theme for prompt in prompts}) >= 20


def test_prompts_touching_difficult_experiences_carry_a_note(prompts: list[Prompt]) -> None:
    missing = [p.id for p in prompts if DIFFICULT.search(p.text) and not p.content_note]
    assert missing == []


def test_each_objective_has_at_least_eight_resources(resources: list[Resource]) -> None:
    counts = Counter(objective for resource in resources for objective in resource.objectives)
    for objective in OBJECTIVES:
        assert counts[objective] >= 8, counts


def test_resource_ids_are_unique(resources: list[Resource]) -> None:
    ids = [resource.id for resource in resources]
    assert len(ids) == len(set(ids))


def test_every_link_is_empty_or_https(resources: list[Resource]) -> None:
    assert all(r.link == "" or r.link.startswith("https://") for r in resources)


def test_resource_summaries_are_two_sentences(resources: list[Resource]) -> None:
    for resource in resources:
        sentences = re.split(r"(?<=[.!?])\s+", resource.summary)
        assert len(sentences) == 2, resource.id


def test_the_hub_documents_and_strategy_are_in_the_library(resources: list[Resource]) -> None:
    ids = {resource.id for resource in resources}
    expected = {
        "compassionate-leeds-strategy",
        "an-employees-journey",
        "first-steps-to-engagement",
        "reflecting-on-the-4-rs",
        "evaluating-through-a-trauma-informed-lens",
        "trauma-informed-charter",
    }
    assert expected <= ids


def test_support_offers_routes_including_emergency_help(support: Support) -> None:
    assert support.intro
    assert len(support.routes) >= 5
    hows = " ".join(route.how for route in support.routes)
    assert "999" in hows and "116 123" in hows


@pytest.mark.parametrize("name", ["prompts.toml", "resources.toml", "support.toml"])
def test_no_invented_contact_details(name: str) -> None:
    text = (CONTENT / name).read_text(encoding="utf-8")
    emails = set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text))
    assert emails <= {PROGRAMME_EMAIL}
    if name == "support.toml":
        return  # every support number is traced to its page: see the test below
    assert _numbers(text) <= KNOWN_NUMBERS


def _numbers(text: str) -> set[str]:
    numbers = {m.strip() for m in re.findall(r"(?<![\w-])\d[\d ]{2,}\d(?![\w-])", text)}
    return {n for n in numbers if not re.fullmatch(r"(19|20)\d\d", n)}


def test_every_support_number_names_the_page_it_was_checked_against(support: Support) -> None:
    """A number that is not one everyone knows must come with the organisation's own page,
    so the next person to check it knows where to look."""
    for route in support.routes:
        unfamiliar = _numbers(route.how) - KNOWN_NUMBERS
        assert not unfamiliar or route.source.startswith("https://"), route.name
