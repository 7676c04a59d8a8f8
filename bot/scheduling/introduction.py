"""The words of a CONNECT introduction: who, why these people, a way in, and the choices.

Why they were matched is said in sectors only (never anything private), and only when the
group really does span sectors. Every choice is one tap, and none of them is a nag.
"""

from __future__ import annotations

from bot.context import Action, Reply
from bot.messages import Messages
from bot.storage.members import Member

# A sector that says nothing about where someone works: paired freely, never named.
UNDECLARED = ("", "prefer-not-to-say")
STARTERS = 6


def connect_introduction(
    say: Messages, round_id: int, member: Member, company: list[Member], sectors: str
) -> Reply:
    """The introduction `member` reads, naming the others in their group."""
    names = (
        say(
            "connect.names",
            first=", ".join(m.display_name for m in company[:-1]),
            last=company[-1].display_name,
        )
        if len(company) > 1
        else company[0].display_name
    )
    why = say("connect.why_sectors", sectors=sectors) if sectors else say("connect.why_any")
    starter = say(f"connect.starter.{round_id % STARTERS + 1}")
    text = "\n".join(
        (say("connect.intro", names=names), why, say("connect.starter_intro", starter=starter))
    )
    return Reply(
        text,
        actions=(
            Action(say("connect.action_met"), f"connect met {round_id}", "primary"),
            Action(say("connect.action_cant"), f"connect cant {round_id}"),
            Action(say("connect.action_not_again"), f"connect not-again {round_id}"),
            Action(say("connect.action_skip"), "connect skip"),
            Action(say("connect.action_stop"), "connect off"),
        ),
        footer=say("connect.why"),
        private=False,
    )
