"""Suggesting a resource: a real web link and a title, then it waits for review."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable

import pytest

from bot.adapters.console import render
from bot.app import App
from tests.commands.library.conftest import ids
from tests.helpers import PLANNER, Run, actor, ok, rows

LINK = "https://example.net/peer-support"


def member_rows(app: App) -> list[dict[str, object]]:
    return rows(app, "SELECT * FROM resources WHERE source != 'file'")


@pytest.mark.parametrize(
    "link",
    [
        "ftp://example.net/file.pdf",
        "javascript:alert(1)",
        "javascript://example.net/%0Aalert(1)",
        "example.net/page",
        "www.example.net",
        "peer-support",
        "http://",
        "https:///no-host",
        "mailto:someone@example.net",
        "data:text/html,<b>hi</b>",
        "https://example.net/" + "a" * 500,
    ],
)
def test_a_link_must_be_a_web_address(app: App, run: Run, link: str) -> None:
    reply = run("alice", f"suggest {link} CONNECT Peer support circles")
    assert reply.error == "suggest.bad_link"
    assert "doesn't look like a web address" in reply.text
    assert "something went wrong" not in reply.text
    assert member_rows(app) == []


@pytest.mark.parametrize(
    "link", ["http://example.net", "https://example.net/a?b=c#d", "HTTPS://EXAMPLE.NET/x"]
)
def test_http_and_https_links_are_accepted(app: App, run: Run, link: str) -> None:
    ok(run("alice", f"suggest {link} CONNECT Peer support circles"))
    (row,) = member_rows(app)
    assert row["link"] == link


def test_a_link_just_under_the_limit_is_accepted(app: App, run: Run) -> None:
    link = "https://example.net/" + "a" * (500 - len("https://example.net/"))
    ok(run("alice", f"suggest {link} CONNECT Long but fine"))
    assert [r["link"] for r in member_rows(app)] == [link]


def test_a_title_is_required(app: App, run: Run) -> None:
    reply = run("alice", f"suggest {LINK} CONNECT")
    assert reply.error == "error.missing"
    assert member_rows(app) == []


def test_a_blank_title_from_a_form_is_refused(app: App) -> None:
    reply = app.dispatcher.handle(
        actor("alice"), "suggest", {"link": LINK, "objective": "CONNECT", "title": "   "}
    )
    assert reply.error and reply.error != "error.unexpected"
    assert member_rows(app) == []


def test_an_overlong_title_is_refused_kindly(app: App, run: Run) -> None:
    reply = run("alice", f"suggest {LINK} CONNECT {'word ' * 40}")
    assert reply.error == "suggest.bad_title"
    assert "150" in reply.text
    assert member_rows(app) == []


def test_an_unknown_objective_is_refused(app: App, run: Run) -> None:
    reply = run("alice", f"suggest {LINK} WELLBEING Peer support circles")
    assert reply.error == "objective.bad"
    assert member_rows(app) == []


def test_a_suggestion_waits_for_review_and_is_not_searchable(
    app: App, run: Run, member_id: Callable[[str], int]
) -> None:
    reply = ok(run("alice", f"suggest {LINK} connect   Peer   support   circles  "))
    assert "Thank you for suggesting Peer support circles [s1]" in reply.text
    entry = app.community.library.get("s1")
    assert entry is not None
    assert entry.status == "pending"
    assert entry.title == "Peer support circles"
    assert entry.objectives == ("CONNECT",)
    assert entry.link == LINK
    assert entry.suggested_by == member_id("alice")
    assert "s1" not in ids(ok(run("bob", "resources peer support circles")))
    assert "s1" not in ids(ok(run("bob", "resources connect")))
    assert "s1" not in [e.id for e in app.community.library.for_picks("CONNECT")]


def test_each_suggestion_gets_its_own_id(app: App, run: Run) -> None:
    for n in range(3):
        ok(run("alice", f"suggest {LINK}/{n} DEVELOP Idea {n}"))
    assert [r["id"] for r in member_rows(app)] == ["s1", "s2", "s3"]


PINGS = "Read this @everyone <!channel> <@U123> <!here|here> <https://evil.example|innocent>"


def test_mentions_in_a_title_are_kept_as_plain_text(app: App, run: Run) -> None:
    ok(run("alice", f"suggest {LINK} CONNECT {PINGS}"))
    entry = app.community.library.get("s1")
    assert entry is not None and entry.title == PINGS

    review = ok(run(PLANNER, "review"))
    assert review.mentions == ()
    assert PINGS in review.items[0].title
    console = render(review)
    assert PINGS in console  # the console shows it exactly as typed

    ok(run(PLANNER, "approve s1"))
    (notice,) = rows(app, "SELECT payload FROM deliveries WHERE kind = 'suggestion'")
    payload = json.loads(notice["payload"])
    assert PINGS in payload["text"]
    assert not payload.get("mentions")

    if importlib.util.find_spec("bot.adapters.slack.escape") is not None:
        from bot.adapters.slack.blocks import reply_blocks
        from bot.adapters.slack.escape import escape

        escaped = escape(PINGS)
        assert "<" not in escaped and ">" not in escaped
        assert "&lt;!channel&gt;" in escaped and "&lt;@U123&gt;" in escaped
        # The whole review card as Slack would receive it: no live control sequence left.
        blocks = json.dumps(reply_blocks(review))
        for live in ("<!channel>", "<@U123>", "<!here", "<https://evil"):
            assert live not in blocks
        assert "&lt;!channel&gt;" in blocks
        # "@everyone" is not a Slack control sequence: as plain text it pings nobody.
        assert "@everyone" in blocks


def test_a_title_with_apostrophes_and_curly_quotes_is_kept(app: App, run: Run) -> None:
    ok(run("alice", f"suggest {LINK} DEVELOP Gibbs' reflective cycle, an employee\u2019s view"))
    entry = app.community.library.get("s1")
    assert entry is not None
    assert entry.title in (
        "Gibbs' reflective cycle, an employee's view",
        "Gibbs' reflective cycle, an employee\u2019s view",
    )


def test_a_title_from_a_form_is_tidied(app: App) -> None:
    options = {"link": LINK, "objective": "connect", "title": "  Peer \t support\u00a0 circles "}
    ok(app.dispatcher.handle(actor("alice"), "suggest", options))
    entry = app.community.library.get("s1")
    assert entry is not None and entry.title == "Peer support circles"
