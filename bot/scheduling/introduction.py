"""The words of a CONNECT introduction: who, why these people, a way in, and the choices.

Why they were matched is said in sectors only (never anything private), and only when the
group really does span sectors. Every choice is one tap, and none of them is a nag.
"""

from __future__ import annotations

from bot.community import Community
from bot.content.messages import Messages
from bot.domain.context import Action, Reply
from bot.scheduling.skip import Skip
from bot.storage.deliveries import Delivery
from bot.storage.members import Member

# A sector that says nothing about where someone works: paired freely, never named.
UNDECLARED = ("", "prefer-not-to-say")
STARTERS = 6


def introduce(community: Community, delivery: Delivery, member: Member | None) -> Reply:
    """An introduction to this round's CONNECT group, to one member: who, why, a starter,
    the choices. For a front end that cannot bring the group together."""
    assert member is not None
    still_in(community, delivery, member)
    round_id = int(delivery.payload.get("period", "0"))
    company = [m for m in still_to_meet(community, round_id, member.id) if m.id != member.id]
    if not company:
        raise Skip("the others in the group have paused or stopped")
    sectors = _sectors(community, member, company)
    return connect_introduction(community.messages, round_id, member, company, sectors)


def introduce_together(community: Community, delivery: Delivery) -> Reply:
    """The introduction a whole CONNECT group reads together, in one conversation."""
    round_id = int(delivery.payload.get("period", "0"))
    group = still_to_meet(community, round_id, delivery.member_id or 0)
    if len(group) < 2:
        raise Skip("the others in the group have paused or stopped")
    sectors = _sectors(community, group[0], group[1:])
    return shared_introduction(community.messages, round_id, group, sectors)


def still_in(community: Community, delivery: Delivery, member: Member) -> None:
    """Skip unless the member still asks for conversations."""
    if not community.connect.is_in(member.id):
        raise Skip("no longer asked for conversations")


def still_to_meet(community: Community, round_id: int, member_id: int) -> list[Member]:
    """The member's group that round, less anyone who has since left, stopped
    conversations or paused: nobody is introduced while they have stepped back."""
    now, store = community.clock.now(), community.connect
    found = []
    for other in store.group_of(round_id, member_id):
        person = community.members.get(other)
        prefs = community.members.preferences(other)
        if person is not None and store.is_in(other) and not prefs.paused(now):
            found.append(person)
    return found


def _sectors(community: Community, member: Member, company: list[Member]) -> str:
    """The sectors in the group, by their labels, when they differ; else empty."""
    outcomes = community.outcomes
    declared = [outcomes.sectors.get(m.id) for m in (member, *company)]
    named = [outcomes.sector_choices.label(s) for s in declared if s not in UNDECLARED]
    named = [label for label in named if label]
    return ", ".join(dict.fromkeys(named)) if len(set(named)) >= 2 else ""


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
