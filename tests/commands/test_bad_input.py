"""Bad input: a clear, kind, private reply, and nothing changed; odd text never crashes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.console import render
from bot.app import App
from bot.domain.context import Actor, Reply
from commands import build_registry
from tests.helpers import NOW, PLANNER, Run, build_app, ok, rows, schedule, scheduled, snapshot

LONG_TITLE = "x" * 5000
CASES = [
    ("ann", "frobnicate", "error.unknown_command"),
    ("ann", "signup", "error.missing"),
    ("ann", "cancel", "error.missing"),
    (PLANNER, "schedule", "error.missing"),
    (PLANNER, 'schedule "Circle"', "error.missing"),
    (PLANNER, "edit 1", "error.missing"),
    (PLANNER, "attendees", "error.missing"),
    ("ann", "signup abc", "error.session_id"),
    ("ann", "signup 1.5", "error.session_id"),
    ("ann", "signup -1", "error.session_id"),
    ("ann", "signup 0", "error.session_id"),
    ("ann", "signup 99999999999", "error.session_id"),
    (PLANNER, "attendees one", "error.session_id"),
    ("ann", "signup 999", "error.unknown_session"),
    ("ann", "cancel 999", "error.unknown_session"),
    (PLANNER, "attendees 999", "error.unknown_session"),
    (PLANNER, "edit 999 title=New", "error.unknown_session"),
    (PLANNER, "cancel-session 999", "error.unknown_session"),
    (PLANNER, 'schedule "Circle" 2026-11-24 14:00', "when.past"),
    (PLANNER, 'schedule "Circle" today 8am', "when.past"),
    (PLANNER, 'schedule "Circle" 31 Feb 14:00', "when.impossible"),
    (PLANNER, 'schedule "Circle" 2027-02-29 14:00', "when.impossible"),
    (PLANNER, 'schedule "Circle" 3 Dec 25:00', "when.impossible"),
    (PLANNER, 'schedule "Circle" 2027-03-28 01:30', "when.nonexistent"),
    (PLANNER, 'schedule "Circle" someday', "when.unreadable"),
    (PLANNER, 'schedule "Circle" 3 Dec 14:00 capacity=0', "error.capacity"),
    (PLANNER, 'schedule "Circle" 3 Dec 14:00 capacity=-3', "error.capacity"),
    (PLANNER, 'schedule "Circle" 3 Dec 14:00 capacity=lots', "error.capacity"),
    (PLANNER, "edit 1 capacity=0", "error.capacity"),
    (PLANNER, "edit 1 capacity=-1", "error.capacity"),
    (PLANNER, 'schedule "Circle" 3 Dec 14:00 duration=5m', "duration.bad"),
    (PLANNER, 'schedule "Circle" 3 Dec 14:00 objective=HEALING', "objective.bad"),
    (PLANNER, 'schedule "Circle" 3 Dec 14:00 repeat="every blue moon"', "repeat.bad"),
    (PLANNER, 'schedule "Circle" 3 Dec 14:00 repeat="every monday"', "repeat.mismatch"),
    (PLANNER, f'schedule "{LONG_TITLE}" 3 Dec 14:00', "error.too_long"),
    (PLANNER, f'schedule "{"y" * 500}" 3 Dec 14:00', "schedule.title_long"),
    (PLANNER, 'schedule "   " 3 Dec 14:00', "error.missing"),
    (PLANNER, 'schedule "Circle\x1b[2J" 3 Dec 14:00', "error.control"),
    (PLANNER, 'schedule "Circle\x00" 3 Dec 14:00', "error.control"),
    ("ann", "signup \x07 1", "error.control"),
    (PLANNER, 'schedule "Circle 3 Dec 14:00', "error.quotes"),
    (PLANNER, 'edit 1 title="it', "error.quotes"),
    (PLANNER, "edit 1 colour=red", "edit.unknown_field"),
    (PLANNER, "edit 1 nonsense", "edit.bad_pair"),
    (PLANNER, "edit 1 scope=all title=x", "error.choice"),
    (PLANNER, 'edit 1 when="31 Feb 14:00"', "when.impossible"),
    (PLANNER, "cancel-session 2", "cancel_session.already"),
    ("ann", "timezone Nowhere/Special", "timezone.bad"),
    ("ann", "calendar everything", "error.choice"),
    ("ann", "mine please", "error.extra"),
    ("bob", "cancel 1", "cancel.not_signed_up"),
    ("ann", "signup 1", "signup.already"),
    ("ann", "signup 2", "error.session_closed"),
    ("ann", "help teleport", "error.unknown_command"),
]


@pytest.fixture
def world(app: App, run: Run) -> App:
    """Session 1 (capacity 2, ann signed up) and session 2 (cancelled); ann and bob known."""
    assert schedule(run, '"Circle" 3 Dec 14:00 capacity=2') == 1
    assert schedule(run, '"Walk" 4 Dec 11:00') == 2
    ok(run(PLANNER, "cancel-session 2"))
    ok(run("ann", "signup 1"))
    ok(run("bob", "help"))
    return app


@pytest.mark.parametrize(("who", "line", "key"), CASES, ids=[c[1][:40] for c in CASES])
def test_bad_input_is_refused_kindly_and_changes_nothing(
    world: App, run: Run, who: str, line: str, key: str
) -> None:
    before = snapshot(world)
    reply = run(who, line)
    assert reply.error == key, reply.text
    assert reply.private
    assert reply.text.strip() and "Traceback" not in reply.text and "{" not in reply.text
    assert reply.attachment is None
    assert snapshot(world) == before


def test_mentions_in_a_title_are_kept_as_plain_text(app: App, run: Run) -> None:
    title = "@everyone <!channel> <@U123> & friends"
    preview = ok(run(PLANNER, f'schedule "{title}" 3 Dec 14:00 where="<!here> room"'))
    assert preview.mentions == () and title in render(preview)
    reply = scheduled(run, f'"{title}" 3 Dec 14:00 where="<!here> room"')
    assert rows(app, "SELECT title, location FROM sessions") == [
        {"title": title, "location": "<!here> room"}
    ]
    assert reply.mentions == ()
    shown = render(reply)
    assert f"#1 {title}" in shown and "<!here> room" in shown
    listing = render(ok(run("ann", "sessions")))
    assert f"#1 {title}" in listing
    payload = rows(app, "SELECT payload FROM deliveries WHERE kind = 'announcement'")[0]["payload"]
    assert '"mentions": []' in payload


NAMES = [c.name for c in build_registry().all()]
ARGS = st.sampled_from(
    [
        "1",
        "2",
        "0",
        "-1",
        "999",
        "#1",
        "rest",
        "one",
        "all",
        "mine",
        "confirm",
        "x3",
        "weekly",
        "monthly",
        "first thursday",
        "capacity=3",
        "capacity=none",
        'where="a b"',
        "scope=rest",
        "when=3 Dec 14:00",
        '"3 Dec 14:00"',
        "3 Dec",
        "14:00",
        "2pm",
        "90m",
        "next",
        "thursday",
        "title=",
        "duration=2h",
        "objective=connect",
        "Europe/London",
        "prompts",
        "picks",
        "reminders",
        "prompt",
        "4",
        "'",
        '"',
        "=",
        "==",
        "\\",
        "\u201cquoted\u201d",
        "@everyone",
        "<!channel>",
    ]
)
WORDS = st.one_of(ARGS, ARGS, ARGS, st.text(max_size=12))
LINES = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda name, words: " ".join([name, *words]),
        st.sampled_from(NAMES),
        st.lists(WORDS, min_size=1, max_size=5),
    ),
    st.builds(
        lambda name, words: " ".join([name, *words]),
        st.sampled_from(NAMES),
        st.lists(ARGS, max_size=3),
    ),
)


def test_any_text_gets_a_reply_and_never_crashes_a_handler(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    planner = Actor("console", PLANNER, PLANNER)
    member = Actor("console", "ann", "ann")
    ok(app.dispatcher.handle_line(planner, 'schedule "Circle" 3 Dec 14:00 capacity=2'))

    @settings(
        max_examples=400,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(line=LINES, as_planner=st.booleans())
    def answer(line: str, as_planner: bool) -> None:
        reply = app.dispatcher.handle_line(planner if as_planner else member, line)
        assert isinstance(reply, Reply)
        assert reply.error != "error.unexpected", f"{line!r} crashed a handler: {reply.text}"
        assert reply.text.strip()
        assert "Traceback" not in reply.text

    try:
        answer()
        over = rows(
            app,
            "SELECT s.id FROM sessions s WHERE s.capacity IS NOT NULL AND s.capacity <"
            " (SELECT count(*) FROM signups g"
            " WHERE g.session_id = s.id AND g.status = 'confirmed')",
        )
        assert over == []
        assert app.community.clock.now() == NOW
    finally:
        app.close()
