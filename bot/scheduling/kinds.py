"""Every kind of delivery the bot sends on its own, in one table.

A row says all the wing needs to know about a kind: the shape of its ledger key, where it
goes (a member directly, the session's group, the channel, or work for the platform), the
preference that turns it off, whether quiet hours hold it, whether it is a notice about the
member's own booking, whether it is planned from the calendar, and what writes its words.
The planner, composer, courier and notices read the row; none of them keeps a list of kinds.

Adding a scheduled kind: a row here, its plan and words in a module of its own (see
`feedback.py`), and its sentences in `content/messages.toml` with their placeholders in
`bot/content/message_fields.py`. The label `kind.<name>` is checked against this table.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.community import Community
from bot.content.messages import Messages
from bot.domain.context import Reply
from bot.domain.preferences import Preferences, Subscription
from bot.domain.quiet import QuietHours
from bot.scheduling import feedback, introduction, reminders, weekly
from bot.scheduling.keys import (
    AnnouncementKey,
    ConnectKey,
    LedgerKey,
    NoticeKey,
    PeriodKey,
    ReminderKey,
    SessionMemberKey,
    SessionPostKey,
    SyncKey,
)
from bot.scheduling.planned import Planned, Planning
from bot.scheduling.retries import Until
from bot.storage.deliveries import Delivery
from bot.storage.members import Member

# dm: to the member directly. group: to the member, or with others in the session's group
# (a thread) where the platform or the member prefers that. conversation: to the member's
# group in one private conversation where the front end can open one, else directly.
# channel: the community's announcement channel. platform: no message, work for the front
# end (mirror an event).
Route = Literal["dm", "group", "conversation", "channel", "platform"]
Builder = Callable[[Community, Delivery, Member | None], Reply]
Check = Callable[[Community, Delivery, Member], object]
Plan = Callable[[Planning, datetime, datetime], list[Planned]]


@dataclass(frozen=True)
class Kind:
    """One kind of delivery, and every rule that follows from it."""

    name: str
    route: Route
    # The key's shape: `key(...).text()` writes it, `key.parse(text)` reads it back.
    key: type[LedgerKey]
    # Writes the message at send time. None: its words were written when it was queued.
    build: Builder | None = None
    # Planned from the calendar: missed past the grace window, marked late when late.
    scheduled: bool = False
    # Plans itself (beside its words); otherwise the Planner plans it.
    plan: Plan | None = None
    # The member's switch that turns it off, and whether a pause holds it back.
    preference: Subscription | None = None
    heeds_pause: bool = False
    # Whether quiet hours hold it when it goes to a member directly.
    quiet_hours: bool = True
    # News about the member's own place: one post for everyone in the session's thread who
    # is due the same words.
    booking_notice: bool = False
    # Only worth sending while the session is on and the member still holds a place (any,
    # or a confirmed one): a notice held by quiet hours may have stopped being true.
    still_true: Literal["", "place", "confirmed place"] = ""
    # Missed, not sent late, once its session has started.
    before_session: bool = False
    # Checked for each member of a shared post before the post is written.
    check: Check | None = None
    # How long it is worth retrying: until it stops meaning anything (`retries.py`).
    retry: Until = Until.A_DAY

    def holds_for(self, prefs: Preferences, default_via: str) -> bool:
        """Whether quiet hours hold this kind to a member with `prefs` (on a platform whose
        default way is `default_via`): direct messages only. A post in a session's thread
        waits for nobody; a member reads it when they choose, and the platform notifies as
        they have set it to."""
        if not self.quiet_hours:
            return False
        return prefs.quiet_hours_hold(self.route == "group", default_via)

    def shared_post(self, delivery: Delivery) -> str:
        """What members must share to be told in one post in the session's thread: a
        reminder's lead, or a notice's very words (in their zone). Empty: never shared."""
        if self.route != "group":
            return ""
        if self.booking_notice:
            return f"{self.name}:{json.dumps(delivery.payload, sort_keys=True)}"
        return ReminderKey.parse(delivery.key).label

    def conversation(self, delivery: Delivery) -> str:
        """The private conversation a group's introduction shares (its keys share their
        start). Empty for a kind that never travels that way."""
        if self.route != "conversation":
            return ""
        return ConnectKey.parse(delivery.key).conversation()


def _table(*kinds: Kind) -> dict[str, Kind]:
    return {kind.name: kind for kind in kinds}


KINDS = _table(
    Kind(
        "reminder",
        "group",
        ReminderKey,
        reminders.reminder,
        scheduled=True,
        preference="reminders",
        heeds_pause=True,
        before_session=True,
        check=reminders.has_place,
        retry=Until.SESSION_START,
    ),
    Kind(
        "soon",
        "channel",
        SessionPostKey,
        reminders.soon,
        scheduled=True,
        quiet_hours=False,
        before_session=True,
        retry=Until.SESSION_START,
    ),
    Kind(
        "followup",
        "dm",
        SessionMemberKey,
        reminders.followup,
        scheduled=True,
        preference="reminders",
        heeds_pause=True,
    ),
    Kind(
        "feedback",
        "dm",
        SessionMemberKey,
        feedback.ask,
        scheduled=True,
        plan=feedback.plan,
        preference="reminders",
        heeds_pause=True,
    ),
    Kind(
        "prompt",
        "channel",
        PeriodKey,
        weekly.prompt,
        scheduled=True,
        quiet_hours=False,
        retry=Until.DAY_END,
    ),
    Kind(
        "prompt-dm",
        "dm",
        PeriodKey,
        weekly.prompt_dm,
        scheduled=True,
        preference="prompts",
        heeds_pause=True,
        retry=Until.DAY_END,
    ),
    Kind(
        "pick",
        "channel",
        PeriodKey,
        weekly.pick,
        scheduled=True,
        quiet_hours=False,
        retry=Until.DAY_END,
    ),
    Kind(
        "pick-dm",
        "dm",
        PeriodKey,
        weekly.pick_dm,
        scheduled=True,
        preference="picks",
        heeds_pause=True,
        retry=Until.DAY_END,
    ),
    Kind(
        "connect",
        "conversation",
        ConnectKey,
        introduction.introduce,
        scheduled=True,
        heeds_pause=True,
        check=introduction.still_in,
    ),
    # Notices about a member's own booking honour no switch and no pause: a member who
    # stopped reminders still needs to know, and can stop them by cancelling the place.
    Kind(
        "promoted",
        "group",
        NoticeKey,
        booking_notice=True,
        still_true="confirmed place",
        retry=Until.SESSION_START,
    ),
    Kind(
        "changed",
        "group",
        NoticeKey,
        booking_notice=True,
        still_true="place",
        retry=Until.SESSION_START,
    ),
    # A cancellation is news about a session that is gone: it must not be skipped for that.
    Kind("cancelled", "group", NoticeKey, booking_notice=True, retry=Until.SESSION_START),
    Kind("suggestion", "dm", NoticeKey),
    Kind("notice", "dm", NoticeKey),
    Kind("announcement", "channel", AnnouncementKey, quiet_hours=False),
    Kind("sync", "platform", SyncKey, quiet_hours=False),
)
SCHEDULED = tuple(kind.name for kind in KINDS.values() if kind.scheduled)
# Work for the platform (no message): doing it twice changes nothing, so it is not claimed.
PLATFORM_WORK = frozenset(kind.name for kind in KINDS.values() if kind.route == "platform")


def kind_of(name: str) -> Kind:
    """The row for `name`; a kind no longer in the table (an old ledger row) is treated
    as a plain notice whose words were written when it was queued."""
    return KINDS.get(name) or Kind(name, "dm", NoticeKey)


def quiet_hours(community: Community) -> QuietHours:
    """The community's quiet hours, as configured."""
    c = community.config
    return QuietHours(c.quiet_start, c.quiet_end, c.quiet_weekends, c.zone)


def deliver_at(
    community: Community,
    quiet: QuietHours,
    kind: str,
    prefs: Preferences,
    nominal: datetime,
    latest: datetime | None,
) -> datetime:
    """When a message of `kind` due at `nominal` goes to a member with `prefs`: held out
    of quiet hours if it is held at all, never past `latest` (its session's start). The
    one rule for planned messages and for the notices a command queues."""
    default_via = community.default_via(community.config.chosen_platform())
    if not kind_of(kind).holds_for(prefs, default_via):
        return nominal
    return quiet.deliver_at(nominal, latest)


def unlabelled(messages: Messages) -> list[str]:
    """Kinds with no `kind.<name>` label in the words (a planner reads them in lists)."""
    return [name for name in KINDS if not messages.has(f"kind.{name}")]
