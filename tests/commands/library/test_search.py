"""Finding resources: by title and summary words, as prefixes, by objective, best first."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App
from bot.config import REPO_CONTENT
from bot.content.resources import load_resources
from bot.domain.context import Reply
from tests.commands.library.conftest import add_resources, ids, resource
from tests.helpers import Run, actor, ok

GIBBS = "gibbs-reflective-cycle"
PAGE = 10


def shipped_matching(prefix: str, objective: str | None = None) -> set[str]:
    """Shipped ids with a word starting with `prefix`, worked out without the database."""
    pattern = re.compile(rf"(?<![^\W_]){re.escape(prefix)}", re.IGNORECASE)
    return {
        r.id
        for r in load_resources(REPO_CONTENT / "resources.toml")
        if pattern.search(" ".join((r.title, r.summary, r.audience)))
        and (objective is None or objective in r.objectives)
    }


def test_finds_by_a_title_word(app: App, run: Run) -> None:
    add_resources(app, resource("quokka-guide", "The quokka guide to supervision"))
    assert ids(ok(run("alice", "resources quokka"))) == ["quokka-guide"]


def test_finds_by_a_summary_word(app: App, run: Run) -> None:
    add_resources(
        app, resource("plain-title", "A plain title", summary="All about the axolotl method.")
    )
    reply = ok(run("alice", "resources axolotl"))
    assert ids(reply) == ["plain-title"]
    assert "All about the axolotl method." in reply.items[0].lines


def test_finds_shipped_words_in_title_and_summary(run: Run) -> None:
    assert GIBBS in ids(ok(run("alice", "resources gibbs")))
    # "midwifery" appears only in one shipped summary.
    assert ids(ok(run("alice", "resources midwifery"))) == ["west-yorkshire-atr-programme"]


def test_a_word_matches_as_a_prefix(run: Run) -> None:
    found = ids(ok(run("alice", "resources reflect")))
    assert GIBBS in found  # "Gibbs' reflective cycle"
    assert set(found) == shipped_matching("reflect")


def test_every_word_must_match_when_some_entry_has_them_all(app: App, run: Run) -> None:
    add_resources(
        app,
        resource("only-zebra", "Zebrafinch notes"),
        resource("both", "Zebrafinch and wallaby notes"),
    )
    assert ids(ok(run("alice", "resources zebrafinch wallaby"))) == ["both"]


def test_any_word_may_match_when_no_entry_has_them_all(app: App, run: Run) -> None:
    add_resources(app, resource("only-zebra", "Zebrafinch notes"))
    assert ids(ok(run("alice", "resources zebrafinch nosuchwordanywhere"))) == ["only-zebra"]


def test_objective_filter(app: App, run: Run) -> None:
    add_resources(
        app,
        resource("pangolin-develop", "Pangolin practice", objectives=("DEVELOP",)),
        resource("pangolin-connect", "Pangolin partners", objectives=("CONNECT", "INFLUENCE")),
    )
    assert ids(ok(run("alice", "resources connect pangolin"))) == ["pangolin-connect"]
    assert ids(ok(run("alice", "resources INFLUENCE pangolin"))) == ["pangolin-connect"]
    assert ids(ok(run("alice", "resources develop pangolin"))) == ["pangolin-develop"]
    assert set(ids(ok(run("alice", "resources pangolin")))) == {
        "pangolin-develop",
        "pangolin-connect",
    }


def test_objective_filter_on_shipped_words(run: Run) -> None:
    reply = ok(run("alice", "resources influence reflect"))
    assert set(ids(reply)) == shipped_matching("reflect", "INFLUENCE")
    for item in reply.items:
        assert "INFLUENCE" in item.lines[0]


def test_browsing_one_objective_lists_only_its_resources(app: App, run: Run) -> None:
    reply = ok(run("alice", "resources develop"))
    assert len(reply.items) == PAGE
    for entry_id in ids(reply):
        entry = app.community.library.get(entry_id)
        assert entry is not None and "DEVELOP" in entry.objectives


def test_best_matches_come_first(app: App, run: Run) -> None:
    # The weaker match goes in first, so insertion order alone would put it on top.
    weak = resource(
        "weak",
        "Notes from a long afternoon",
        summary="A long summary about many things in practice, and once about the capybara, "
        "among a great many other words about teams, supervision and families.",
    )
    strong = resource("strong", "Capybara capybara", summary="The capybara approach.")
    add_resources(app, weak)
    add_resources(app, strong)
    assert ids(ok(run("alice", "resources capybara"))) == ["strong", "weak"]


def test_at_most_ten_with_more_results_that_page_through_everything(run: Run) -> None:
    expected = shipped_matching("trauma")
    assert len(expected) > PAGE, "the shipped content should need a second page"
    seen: list[str] = []
    reply = ok(run("alice", "resources trauma"))
    pages = 0
    while True:
        pages += 1
        assert 0 < len(reply.items) <= PAGE
        seen += ids(reply)
        if not reply.actions:
            break
        (more,) = reply.actions
        assert more.label == "More results"
        assert f"page={pages + 1}" in more.command
        reply = ok(run("alice", more.command))
    assert pages == -(-len(expected) // PAGE)
    assert len(seen) == len(set(seen)), "no resource should appear on two pages"
    assert set(seen) == expected


def test_more_results_keeps_the_objective(run: Run) -> None:
    first = ok(run("alice", "resources develop"))
    (more,) = first.actions
    second = ok(run("alice", more.command))
    assert not set(ids(first)) & set(ids(second))


@pytest.mark.parametrize("line", ["resources trauma's", 'resources "trauma\'s"'])
def test_more_results_works_for_words_with_an_apostrophe(run: Run, line: str) -> None:
    # "children's" is how people write; the button must run the same search, not complain.
    first = ok(run("alice", line))
    assert first.actions, "enough matches for a second page"
    seen, page = set(ids(first)), first
    for _ in range(5):  # page through to the end; no page repeats another's results
        if not page.actions:
            break
        page = ok(run("alice", page.actions[0].command))
        assert page.items and not seen & set(ids(page))
        seen |= set(ids(page))
    assert not page.actions and len(seen) > 10


def test_more_results_works_for_words_with_double_quotes(app: App) -> None:
    words = 'the "trauma" word'
    first = ok(app.dispatcher.handle(actor("alice"), "resources", {"words": words}))
    assert first.actions
    second = ok(app.dispatcher.handle_line(actor("alice"), first.actions[0].command))
    assert second.items and not set(ids(first)) & set(ids(second))


def test_more_results_keeps_words_that_look_like_an_objective(app: App) -> None:
    # Discord sends the words as a named option; the button must search the same words.
    add_resources(
        app,
        *(
            resource(f"connect-{n}", f"Connect kinkajou {n}", objectives=("DEVELOP",))
            for n in range(12)
        ),
    )
    first = ok(app.dispatcher.handle(actor("alice"), "resources", {"words": "connect kinkajou"}))
    assert len(first.items) == PAGE and first.actions
    second = ok(app.dispatcher.handle_line(actor("alice"), first.actions[0].command))
    assert len(second.items) == 2
    assert set(ids(first)) | set(ids(second)) == {f"connect-{n}" for n in range(12)}


def test_nothing_found_is_a_kind_message(run: Run) -> None:
    reply = run("alice", "resources xylophonic quasar")
    assert not reply.error
    assert reply.items == () and reply.actions == ()
    assert 'I couldn\'t find a resource matching "xylophonic quasar"' in reply.text


def test_pending_and_rejected_suggestions_are_not_found(app: App, run: Run) -> None:
    ok(run("alice", "suggest https://example.net/a CONNECT Numbat circles"))
    ok(run("bob", "suggest https://example.net/b CONNECT Numbat gatherings"))
    ok(run("organiser", "reject s2"))
    assert ids(ok(run("carol", "resources numbat"))) == []
    assert "s1" not in ids(ok(run("carol", "resources connect")))


FTS_BITS = ['"', "*", "NEAR", "NEAR(", "-", "(", ")", ":", "^", "AND", "OR", "NOT", "'", "+", "{"]
# Real words too, so that "More results" often appears and its button gets pressed.
REAL = ["trauma", "connect", "develop", "children's", "the", "Leeds", "page=2", "words=x"]
words = st.lists(
    st.one_of(st.sampled_from(FTS_BITS), st.sampled_from(REAL), st.text(min_size=1, max_size=12)),
    max_size=8,
).map(" ".join)


def _never_unexpected(reply: Reply) -> None:
    assert isinstance(reply, Reply)
    assert reply.error != "error.unexpected", reply.text
    assert "something went wrong" not in reply.text


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=words)
def test_search_words_never_crash(app: App, run: Run, text: str) -> None:
    # Typed on Slack or the console ...
    typed = run("alice", f"resources {text}")
    _never_unexpected(typed)
    for action in typed.actions:
        _never_unexpected(run("alice", action.command))
    # ... and sent as a named option by Discord, which skips the tokenizer.
    if text.strip():
        named = app.dispatcher.handle(actor("alice"), "resources", {"words": text})
        _never_unexpected(named)
        for action in named.actions:
            # The button must ask for page 2 of exactly the same search.
            second = run("alice", action.command)
            _never_unexpected(second)
            expected = app.community.library.search(text, None, PAGE + 1, PAGE)[:PAGE]
            assert ids(second) == [e.id for e in expected], action.command
    # The store itself, below the dispatcher.
    for objective in (None, "CONNECT"):
        app.community.library.search(text, objective, PAGE + 1, 0)


@pytest.mark.parametrize(
    "text", ['"', '"unbalanced', "NEAR(a b)", "a* -b", "(c", "^title", "title:trauma", "_", "²"]
)
def test_fts_syntax_is_treated_as_words(app: App, text: str) -> None:
    reply = app.dispatcher.handle(actor("alice"), "resources", {"words": text})
    _never_unexpected(reply)


def test_an_apostrophe_s_does_not_widen_the_search(run: Run) -> None:
    with_s = ids(ok(run("alice", "resources children's wellbeing")))
    without = ids(ok(run("alice", "resources children wellbeing")))
    assert with_s == without
