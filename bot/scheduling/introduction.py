"""The words of a CONNECT introduction: who, why these people, a way in, and the choices.

Why they were matched is said in sectors only (never anything private), and only when the
group really does span sectors. Every choice is one tap, and none of them is a nag.
"""

from __future__ import annotations

from bot.content.messages import Messages
from bot.domain.context import Action, Reply
from bot.storage.members import Member

# A sector that says nothing about where someone works: paired freely, never named.
UNDECLARED = ("", "prefer-not-to-say")
STARTERS = 6


def connect_introduction(
    say: Messages, round_id: int, member: Member, company: list[Member], sectors: str
) -> Reply:
    """The introduction `member` reads on their own, naming the others in their group."""
    names = _names(say, [m.display_name for m in company])
    intro = say("connect.intro", names=names)
    return _introduction(say, round_id, intro, sectors, say("connect.why"))


def shared_introduction(say: Messages, round_id: int, group: list[Member], sectors: str) -> Reply:
    """The introduction a whole group reads together. Each button answers only for the
    person who presses it, and only they see the answer: the footer says so."""
    intro = say("connect.intro_together", names=_names(say, [m.display_name for m in group]))
    return _introduction(say, round_id, intro, sectors, say("connect.why_together"))


def _names(say: Messages, names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return say("connect.names", first=", ".join(names[:-1]), last=names[-1])


def _introduction(say: Messages, round_id: int, intro: str, sectors: str, footer: str) -> Reply:
    why = say("connect.why_sectors", sectors=sectors) if sectors else say("connect.why_any")
    starter = say(f"connect.starter.{round_id % STARTERS + 1}")
    text = "\n".join((intro, why, say("connect.starter_intro", starter=starter)))
    return Reply(
        text,
        actions=(
            Action(say("connect.action_met"), f"connect met {round_id}", "primary"),
            Action(say("connect.action_cant"), f"connect cant {round_id}"),
            Action(say("connect.action_not_again"), f"connect not-again {round_id}"),
            Action(say("connect.action_skip"), "connect skip"),
            Action(say("connect.action_stop"), "connect off"),
        ),
        footer=footer,
        private=False,
    )
