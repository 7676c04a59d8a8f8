"""The kinds table: one row per kind, keys that read back what users' databases hold, the
labels a planner reads, and the rules each kind's row gives the wing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

import pytest

from bot.config import Config
from bot.content.messages import load_messages
from bot.domain.preferences import Preferences, Subscription
from bot.scheduling.keys import (
    AnnouncementKey,
    ConnectKey,
    LeaveKey,
    NoticeKey,
    PeriodKey,
    ReminderKey,
    SessionMemberKey,
    SessionPostKey,
    SyncKey,
)
from bot.scheduling.kinds import KINDS, kind_of, unlabelled
from bot.storage.deliveries import Delivery

# Keys as earlier releases wrote them into members' databases, one of each shape.
STORED = [
    (ReminderKey, "reminder:12:34:1w:20261203T1400Z"),
    (ReminderKey, "reminder:12:34:now:20261125T090000"),
    (SessionPostKey, "soon:12:20261203T1400Z"),
    (SessionMemberKey, "followup:12:34"),
    (SessionMemberKey, "feedback:12:34"),
    (PeriodKey, "prompt:2026-11-26"),
    (PeriodKey, "pick:2026-11-27:34"),
    (ConnectKey, "connect:5:34"),
    (ConnectKey, "connect:5:2:34"),
    (NoticeKey, "promoted:12:34:2026-11-25T09:00:00+00:00:0a1b2c3d"),
    (NoticeKey, "suggestion:-:34:2026-11-25T09:00:00+00:00:0a1b2c3d"),
    (SyncKey, "sync:12:2026-11-25T09:00:00+00:00:0a1b2c3d"),
    (LeaveKey, "sync:leave:1234567890:0a1b2c3d4e5f"),
    (AnnouncementKey, "announce:12"),
]


@pytest.mark.parametrize(("shape", "text"), STORED, ids=[text for _, text in STORED])
def test_a_stored_key_reads_back_and_writes_the_same_text(shape: type, text: str) -> None:
    assert shape.parse(text).text() == text


def test_a_key_is_read_by_its_parts_not_by_position() -> None:
    assert ReminderKey.parse("reminder:12:34:1d:20261203T1400Z").label == "1d"
    notice = NoticeKey.parse("changed:-:34:2026-11-25T09:00:00+00:00:0a1b2c3d")
    assert (notice.session_id, notice.member_id, notice.tag) == (None, 34, "0a1b2c3d")
    assert notice.at == datetime(2026, 11, 25, 9, tzinfo=UTC)
    with pytest.raises(ValueError):
        ReminderKey.parse("followup:12:34")
    older, grouped = ConnectKey.parse("connect:5:34"), ConnectKey.parse("connect:5:2:34")
    assert (older.round_id, older.group, older.member_id) == (5, None, 34)
    assert (grouped.round_id, grouped.group, grouped.member_id) == (5, 2, 34)
    assert grouped.conversation() == "connect:5:2:" and older.conversation() == "connect:5:"


def test_every_kind_has_a_label_and_every_label_a_kind() -> None:
    messages = load_messages(Config().content_dir / "messages.toml")
    assert unlabelled(messages) == []
    labels = {key.removeprefix("kind.") for key in messages.templates if key.startswith("kind.")}
    assert labels == set(KINDS)


def test_a_missing_label_is_a_problem_copbot_check_names(tmp_path: Path) -> None:
    from bot.checkup import checkup

    content = tmp_path / "content"
    content.mkdir()
    for source in Config().content_dir.iterdir():
        text = source.read_text(encoding="utf-8")
        if source.name == "messages.toml":
            text = text.replace('feedback = "question after a session"\n', "")
        (content / source.name).write_text(text, encoding="utf-8")
    _, problems = checkup(Config(content_dir=content, database=tmp_path / "t.db"))
    assert [p for p in problems if "feedback" in p] == [
        "messages.toml: the kind 'feedback' has no label (add feedback = \"...\" under [kind])"
    ]


def test_every_preference_a_kind_honours_is_a_members_switch() -> None:
    honoured = {kind.preference for kind in KINDS.values() if kind.preference}
    assert honoured == set(get_args(Subscription))
    assert all(kind.heeds_pause for kind in KINDS.values() if kind.preference)


def _delivery(kind: str, key: str, payload: dict[str, str]) -> Delivery:
    due = datetime(2026, 11, 25, 9, tzinfo=UTC)
    return Delivery(key, kind, 34, 12, "", due, "pending", 0, "", payload)


def test_reminders_and_booking_notices_share_a_post_in_the_thread_the_rest_do_not() -> None:
    words = {"text": "Circle moved"}
    reminder = _delivery("reminder", "reminder:12:34:1d:20261203T1400Z", {})
    assert kind_of("reminder").shared_post(reminder) == "1d"
    for name in ("promoted", "changed", "cancelled"):
        notice = _delivery(name, f"{name}:12:34:2026-11-25T09:00:00+00:00:0a1b2c3d", words)
        assert kind_of(name).shared_post(notice) == f'{name}:{{"text": "Circle moved"}}'
    followup = _delivery("followup", "followup:12:34", {})
    assert kind_of("followup").shared_post(followup) == ""


def test_a_cancellation_notice_is_not_dropped_because_its_session_is_cancelled() -> None:
    assert kind_of("cancelled").booking_notice and not kind_of("cancelled").still_true
    assert kind_of("promoted").still_true == "confirmed place"
    assert kind_of("changed").still_true == "place"


def test_quiet_hours_hold_direct_messages_not_thread_posts_nor_channel_posts() -> None:
    threads = Preferences(via="thread")
    assert kind_of("reminder").holds_for(Preferences(), "slack")
    assert not kind_of("reminder").holds_for(threads, "slack")
    assert kind_of("feedback").holds_for(threads, "slack")
    assert not kind_of("soon").holds_for(Preferences(), "slack")
    assert not kind_of("reminder").holds_for(Preferences(quiet_hours=False), "slack")


def test_a_kind_no_longer_in_the_table_reads_as_a_plain_notice() -> None:
    old = kind_of("retired-kind")
    assert (old.route, old.scheduled, old.build, old.preference) == ("dm", False, None, None)


def test_each_kind_is_retried_as_long_as_it_means_something() -> None:
    from bot.scheduling.retries import Until

    until_start = {n for n, k in KINDS.items() if k.retry is Until.SESSION_START}
    assert until_start == {"reminder", "soon", "promoted", "changed", "cancelled"}
    until_day_end = {n for n, k in KINDS.items() if k.retry is Until.DAY_END}
    assert until_day_end == {"prompt", "prompt-dm", "pick", "pick-dm"}
    assert kind_of("connect").retry is Until.A_DAY
