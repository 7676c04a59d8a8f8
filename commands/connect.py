"""CONNECT conversations: a member asks to be introduced, now and then, to people from other
parts of the partnership, and answers each introduction with one tap (or not at all).

Opt-in only. "Not again" is private: the other person never learns of it, and the planning
group only ever sees counts.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.community import CommandContext
from bot.dispatch.registry import Option, Registry
from bot.domain.context import Action, Item, Reply
from bot.domain.errors import BadInput
from bot.domain.when import format_local
from bot.scheduling.connect import next_round_moment, period_of
from bot.storage.db import from_iso

CHOICES = ("on", "off", "skip", "met", "cant", "not-again")


def connect(ctx: CommandContext, choose: str | None = None, round_number: str = "") -> Reply:
    """Ask for CONNECT conversations (on), stop them (off), skip the next round, or answer one."""
    if choose is None:
        return _status(ctx)
    if choose in ("on", "off", "skip"):
        return {"on": _on, "off": _off, "skip": _skip}[choose](ctx)
    return _answer(ctx, choose, _round(round_number))


def offer_connect_once(ctx: CommandContext) -> tuple[str, tuple[Action, ...]]:
    """After a member's first "I was there": a line and a button, once, unless they asked.

    Marked as offered when shown, so it never comes again, whatever they do with it."""
    members = ctx.community.members
    prefs = members.preferences(ctx.member.id)
    if prefs.connect_offered or ctx.community.connect.is_in(ctx.member.id):
        return "", ()
    members.save_preferences(ctx.member.id, replace(prefs, connect_offered=True))
    return ctx.say("connect.offer"), (Action(ctx.say("connect.action_on"), "connect on"),)


def _status(ctx: CommandContext) -> Reply:
    store = ctx.community.connect
    if not store.is_in(ctx.member.id):
        return Reply(
            ctx.say("connect.status_off"),
            actions=(Action(ctx.say("connect.action_on"), "connect on", "primary"),),
            footer=ctx.say("connect.how"),
        )
    return Reply(
        ctx.say("connect.status_on", next=_next_round(ctx)),
        actions=(
            Action(ctx.say("connect.action_skip"), "connect skip"),
            Action(ctx.say("connect.action_stop"), "connect off"),
        ),
        footer=ctx.say("connect.how"),
    )


def _on(ctx: CommandContext) -> Reply:
    ctx.community.connect.join(ctx.member.id, ctx.now)
    undo = Action(ctx.say("action.undo"), "connect off")
    return Reply(ctx.say("connect.on", next=_next_round(ctx)), actions=(undo,))


def _off(ctx: CommandContext) -> Reply:
    ctx.community.connect.leave(ctx.member.id)
    undo = Action(ctx.say("action.undo"), "connect on")
    return Reply(ctx.say("connect.off"), actions=(undo,))


def _skip(ctx: CommandContext) -> Reply:
    store = ctx.community.connect
    if not store.is_in(ctx.member.id):
        return Reply(ctx.say("connect.not_in"))
    moment = next_round_moment(ctx.community.config, ctx.now)
    store.skip(ctx.member.id, period_of(ctx.community.config, moment))
    return Reply(ctx.say("connect.skipped", next=format_local(moment, ctx.zone)))


def _answer(ctx: CommandContext, choose: str, round_id: int) -> Reply:
    store = ctx.community.connect
    group = store.group_of(round_id, ctx.member.id)
    if not group:
        raise BadInput("connect.unknown_round", text=str(round_id), command="connect")
    if choose == "not-again":
        store.say_not_again(ctx.member.id, group)
        return Reply(ctx.say("connect.not_again"))
    store.answer(round_id, ctx.member.id, choose)
    return Reply(ctx.say(f"connect.answered_{choose}"))


def _round(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise BadInput("connect.unknown_round", text=text, command="connect")
    return int(text)


def _next_round(ctx: CommandContext) -> str:
    return format_local(next_round_moment(ctx.community.config, ctx.now), ctx.zone)


# What `mydata` shows from the CONNECT store in its own words.
CONNECT_SECTIONS = ("connect", "connect_pairings", "connect_not_again")


def connect_cards(ctx: CommandContext, held: dict[str, Any]) -> list[Item]:
    """The member's own CONNECT choice and introductions, for `mydata`."""
    cards = []
    if held.get("connect"):
        cards.append(Item(ctx.say("connect.mydata_on")))
    pairings = held.get("connect_pairings", [])
    names = ctx.community.members.names([i for row in pairings for i in _with(row)])
    lines = tuple(_pairing_line(ctx, row, names) for row in pairings)
    if lines:
        cards.append(Item(ctx.say("connect.mydata_title"), lines))
    if held.get("connect_not_again"):
        count = len(held["connect_not_again"])
        cards.append(Item(ctx.say("connect.mydata_not_again", count=count)))
    return cards


def _with(row: dict[str, Any]) -> list[int]:
    """The others in a group the member was introduced to, by id."""
    return [int(i) for i in str(row["with_members"] or "").split(",") if i]


def _pairing_line(ctx: CommandContext, row: dict[str, Any], known: dict[int, str]) -> str:
    left = ctx.say("connect.someone_left")
    names = ", ".join(known.get(i, left) for i in _with(row))
    answer = ctx.say(f"connect.answer.{row['answer'] or 'none'}")
    when = format_local(from_iso(row["due_utc"]), ctx.zone)
    return ctx.say("connect.mydata_line", period=when, names=names, answer=answer)


def register(registry: Registry) -> None:
    registry.command(
        "connect",
        Option("choose", "choice", required=False, choices=CHOICES),
        Option("round_number", "word", required=False),
    )(connect)
