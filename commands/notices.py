"""Telling members about changes that affect them: promotions, edits and cancellations.

Each notice is rendered in the recipient's own time zone and queued in the delivery ledger,
so it is sent once, even if the bot restarts straight after the change. Like every message
the bot sends, it says why it came and offers a one-step way to stop such messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from bot.community import CommandContext
from bot.domain.context import Action, Reply
from bot.storage.members import Recipient
from bot.storage.sessions import Session
from commands.cards import when_text


def _each(
    ctx: CommandContext, member_ids: list[int]
) -> Iterator[tuple[list[int], ZoneInfo, dict[int, Recipient]]]:
    """The members grouped by time zone, read in one go: a notice's words depend only on
    the zone, so each is written once per zone and queued for the group together."""
    found = ctx.community.members.recipients(member_ids)
    groups: dict[str, list[int]] = {}
    for member_id in member_ids:
        member = found.get(member_id)
        if member is not None and member.timezone is not None:
            groups.setdefault(member.timezone, []).append(member_id)
    for zone, ids in groups.items():
        yield ids, ZoneInfo(zone), found


def _notice(ctx: CommandContext, text: str, session: Session, *, can_cancel: bool) -> Reply:
    """A notice about the member's own booking: sent even when reminders are paused or off,
    so its way out is cancelling the place, which ends every message about the session."""
    cancel = Action(ctx.say("action.cancel"), f"cancel {session.id}", "danger")
    actions = (cancel,) if can_cancel else ()
    return Reply(text, actions=actions, footer=ctx.say("notice.why"), private=False)


def tell_promoted(ctx: CommandContext, session: Session, member_ids: list[int]) -> None:
    for ids, zone, known in _each(ctx, member_ids):
        text = ctx.say(
            "notice.promoted",
            id=session.id,
            title=session.title,
            when=when_text(ctx, session, zone),
        )
        reply = _notice(ctx, text, session, can_cancel=True)
        ctx.notices.notify(ids, "promoted", reply, session_id=session.id, known=known)


def tell_cancelled(ctx: CommandContext, session: Session) -> int:
    """Queue the cancellation notice for everyone holding a place or waiting for one, before
    the places are released; returns how many were told."""
    reason = session.cancel_reason or ctx.say("notice.no_reason")

    def render(zone: ZoneInfo) -> Reply:
        text = ctx.say(
            "notice.cancelled",
            id=session.id,
            title=session.title,
            when=when_text(ctx, session, zone),
            reason=reason,
        )
        return _notice(ctx, text, session, can_cancel=False)

    return ctx.notices.notify_holders(session, "cancelled", render)


def tell_changed(
    ctx: CommandContext, session: Session, member_ids: list[int], changes: str
) -> None:
    for ids, zone, known in _each(ctx, member_ids):
        text = ctx.say(
            "notice.changed",
            id=session.id,
            title=session.title,
            changes=changes,
            when=when_text(ctx, session, zone),
            where=session.location or ctx.say("session.where_tbc"),
        )
        reply = _notice(ctx, text, session, can_cancel=True)
        ctx.notices.notify(ids, "changed", reply, session_id=session.id, known=known)
