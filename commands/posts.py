"""The planning group's view of what the bot sends: what is planned, what went wrong, and a
way to send this week's post (or the next day's reminders) by hand."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.community import CommandContext
from bot.dispatch.registry import Option, Registry
from bot.domain.context import Item, Reply
from bot.domain.when import format_local
from bot.scheduling.connect import make_round
from bot.scheduling.keys import PeriodKey, ReminderKey
from bot.scheduling.plan import Planner
from bot.storage.deliveries import Delivery, Entry
from commands.prompts import this_week

HORIZON = timedelta(days=14)
PROBLEMS_SHOWN = 10
# Lines of a listing shown in one message.
SHOWN = 40
# How much later the community's clock can show the same minute again: when it goes back
# (an hour here, two in a few places), never more.
SAME_MINUTE_AGAIN = timedelta(hours=3)


def upcoming_posts(ctx: CommandContext) -> Reply:
    """What the bot will send in the next 14 days (the planning group's view)."""

    # Counted by group in SQL, then by time: thousands of copies share a handful of times.
    counted = Planner(ctx.community).tally(ctx.now, ctx.now + HORIZON)
    lines = _shown_lines(counted, ctx.community.zone)
    extra = tuple(item for item in (_held(ctx), _problems(ctx)) if item is not None)
    if not lines:
        return Reply(ctx.say("upcoming_posts.none"), items=extra)
    text = [
        ctx.say("upcoming_posts.line", when=when, kind=ctx.say(f"kind.{kind}"), count=n)
        for (when, kind), n in lines.items()
    ]
    return Reply(
        ctx.say("upcoming_posts.intro", count=sum(counted.values())),
        items=(Item(ctx.say("upcoming_posts.title"), tuple(text)), *extra),
    )


def _shown_lines(
    counted: Counter[tuple[datetime, str]], zone: ZoneInfo
) -> dict[tuple[str, str], int]:
    """The first SHOWN lines of the listing, soonest first: how many of each kind go at
    each minute on the community's clock (copies a few seconds apart, or an hour apart
    across a clock going back, share a line). Only the times a shown line can take are
    written out: a fortnight at 100,000 members holds a thousand of them."""
    lines: dict[tuple[str, str], int] = {}
    latest: datetime | None = None
    for (due, kind), n in sorted(counted.items()):
        if latest is not None and len(lines) >= SHOWN and due > latest + SAME_MINUTE_AGAIN:
            break  # nothing later reads as the minute of a line shown
        slot = (format_local(due, zone), kind)
        if slot in lines:
            lines[slot] += n
        elif len(lines) < SHOWN:
            lines[slot] = n
        else:
            continue
        latest = due
    return lines


def _held(ctx: CommandContext) -> Item | None:
    """Notices already written but held for quiet hours: they are coming, so say when."""
    held = ctx.community.deliveries.held(ctx.now, ctx.now + HORIZON, limit=SHOWN)
    if not held:
        return None
    names = _names(ctx, held)
    lines = tuple(
        ctx.say(
            "upcoming_posts.held",
            when=format_local(delivery.due, ctx.community.zone),
            kind=ctx.say(f"kind.{delivery.kind}"),
            who=_who(delivery, names),
        )
        for delivery in held
    )
    return Item(ctx.say("upcoming_posts.held_title"), lines)


def _names(ctx: CommandContext, deliveries: list[Delivery]) -> dict[int, str]:
    """The names of the members these deliveries are for, read in one go."""
    return ctx.community.members.names([d.member_id for d in deliveries if d.member_id])


def _who(delivery: Delivery, names: dict[int, str]) -> str:
    name = names.get(delivery.member_id) if delivery.member_id else None
    return name if name is not None else f"#{delivery.channel or '-'}"


def post_now(ctx: CommandContext, what: str) -> Reply:
    """Send this week's prompt or pick, or the reminders for the next day's sessions, now."""
    stamp = ctx.now.strftime("%Y%m%dT%H%M%S")
    if what in ("prompt", "pick"):
        return _weekly_now(ctx, what)
    if what == "connect":
        return _connect_now(ctx, stamp)
    count = _reminders_now(ctx, stamp)
    return Reply(ctx.say("post_now.reminders", count=count))


def _weekly_now(ctx: CommandContext, what: str) -> Reply:
    """Post this week's prompt or pick under the key the schedule would use, so the
    scheduled one is not sent again; one that was missed or failed can be sent by hand."""
    ledger, config = ctx.community.deliveries, ctx.community.config
    period = this_week(ctx, None if what == "prompt" else config.pick_day)
    key = PeriodKey(what, period).text()
    queued = ledger.enqueue(
        key, what, ctx.now, channel=config.announce_channel, payload={"period": period}
    )
    found = ledger.get(key)
    if not queued and found is not None and found.status in ("missed", "failed", "skipped"):
        ledger.start_over(key, ctx.now, "posted by hand")
    elif not queued:
        return Reply(ctx.say("post_now.already", what=ctx.say(f"kind.{what}")))
    return Reply(ctx.say("post_now.queued", what=ctx.say(f"kind.{what}")))


def _connect_now(ctx: CommandContext, stamp: str) -> Reply:
    """A CONNECT round made now, its introductions queued under the keys the planner uses."""
    community = ctx.community
    round_id = make_round(community, f"by-hand-{stamp}", ctx.now, ctx.now)
    people = community.connect.members_of(round_id) if round_id else []
    if round_id is None or not people:
        return Reply(ctx.say("connect.post_now_none"))
    community.deliveries.enqueue_many(
        [
            Entry(p.key, p.kind, p.due, member_id=p.member_id, payload={"period": p.detail})
            for p in Planner(community).introductions(round_id, ctx.now)
        ]
    )
    groups = community.connect.group_count(round_id)
    return Reply(ctx.say("connect.post_now", groups=groups, people=len(people)))


def _reminders_now(ctx: CommandContext, stamp: str) -> int:
    """Queue a reminder now for each confirmed place in the next day's sessions, all in one
    transaction; returns how many."""
    community = ctx.community
    entries = []
    for session in community.sessions.between(ctx.now, ctx.now + timedelta(days=1)):
        if session.cancelled:
            continue
        entries += [
            Entry(
                ReminderKey(session.id, r.member_id, "now", stamp).text(),
                "reminder",
                ctx.now,
                member_id=r.member_id,
                session_id=session.id,
            )
            for page in community.signups.confirmed_pages(session.id)
            for r in page
        ]
    community.deliveries.enqueue_many(entries)
    return len(entries)


def _problems(ctx: CommandContext) -> Item | None:
    """Deliveries that failed in the last fortnight, so nobody has to read the logs."""
    failed = ctx.community.deliveries.failed_since(ctx.now - HORIZON, PROBLEMS_SHOWN)
    if not failed:
        return None
    names = _names(ctx, failed)
    lines = []
    for delivery in failed:
        lines.append(
            ctx.say(
                "upcoming_posts.problem",
                when=format_local(delivery.due, ctx.community.zone),
                kind=ctx.say(f"kind.{delivery.kind}"),
                who=_who(delivery, names),
                reason=delivery.reason,
            )
        )
    return Item(ctx.say("upcoming_posts.problems_title"), tuple(lines))


def register(registry: Registry) -> None:
    registry.command("upcoming-posts", planners_only=True)(upcoming_posts)
    registry.command(
        "post-now",
        Option("what", "choice", choices=("prompt", "pick", "reminders", "connect")),
        planners_only=True,
    )(post_now)
