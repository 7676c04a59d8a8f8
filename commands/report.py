"""The planning group's engagement report: how the community is doing, in numbers only.

It helps the CoP show its reach (the INFLUENCE objective, and the wish to evaluate impact)
without ever showing what a particular member did or wrote.
"""

from __future__ import annotations

from datetime import timedelta

from bot.community import CommandContext
from bot.context import Item, Reply
from bot.domain.objectives import OBJECTIVES
from bot.domain.when import format_local
from bot.registry import Option, Registry
from bot.storage.report import engagement

DEFAULT_WEEKS = 12


def report(ctx: CommandContext, weeks: int = DEFAULT_WEEKS) -> Reply:
    """Sessions, places, members, reflections and suggestions over the last few weeks."""
    start = ctx.now - timedelta(weeks=weeks)
    found = engagement(ctx.community.db, start, ctx.now)
    say = ctx.say
    mix = ", ".join(f"{o} {found.by_objective.get(o, 0)}" for o in OBJECTIVES)
    sessions = Item(
        say("report.sessions_title"),
        (
            say("report.sessions", held=found.sessions_held, cancelled=found.sessions_cancelled),
            say(
                "report.places",
                places=found.places_taken,
                people=found.people_with_a_place,
                full=found.sessions_full,
            ),
            say("report.mix", mix=mix),
        ),
    )
    people = Item(
        say("report.people_title"),
        (
            say("report.members", members=found.members, new=found.new_members),
            say(
                "report.reflections", reflections=found.reflections, people=found.reflecting_members
            ),
            say("report.suggestions", suggestions=found.suggestions, approved=found.approved),
        ),
    )
    sent = found.deliveries
    delivery = Item(
        say("report.delivery_title"),
        (
            say(
                "report.delivery",
                sent=sent.get("sent", 0) + sent.get("late", 0),
                late=sent.get("late", 0),
                missed=sent.get("missed", 0),
                failed=sent.get("failed", 0),
            ),
        ),
    )
    return Reply(
        say("report.intro", weeks=weeks, start=format_local(start, ctx.community.zone)),
        items=(sessions, people, delivery),
        footer=say("report.privacy"),
    )


def register(registry: Registry) -> None:
    registry.command("report", Option("weeks", "weeks", required=False), planners_only=True)(report)
