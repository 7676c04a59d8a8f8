"""The one optional question after a session, asked of those who were there.

Asked once: by the scheduled message a while after the session, or straight away when a
member taps "I was there" after it has ended. Either way the marker is set first, so the other
route finds it and stays quiet. It never chases.

This module is the whole of the "feedback" kind apart from its row in the kinds table and
its words: when it is due (`plan`) and what it says (`ask`). A new scheduled kind can be
added the same way.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.community import Community
from bot.content.messages import Messages
from bot.domain.context import Action, Reply
from bot.scheduling.planned import LOOKBACK, MAX_HOLD, Planned, Planning
from bot.scheduling.reminders import live_session
from bot.scheduling.skip import Skip
from bot.storage.deliveries import Delivery
from bot.storage.feedback import ANSWERS
from bot.storage.members import Member
from bot.storage.sessions import Session

# Long enough after the session for the planning group to mark who came.
FEEDBACK_AFTER = timedelta(hours=3)


def plan(planning: Planning, start: datetime, end: datetime) -> list[Planned]:
    """The question to each member marked as there, a while after the session, held out
    of their quiet hours."""
    due = [
        (session, session.end + FEEDBACK_AFTER)
        for session in planning.starting(start - MAX_HOLD - LOOKBACK - FEEDBACK_AFTER, end)
        if planning.comes(session.end + FEEDBACK_AFTER, start, end)
    ]
    # Everyone marked at these sessions in one read: a fortnight's listing covers ~140.
    present = planning.community.outcomes.attendance.present_ids([s.id for s, _ in due])
    found = []
    for session, nominal in due:
        if there := present.get(session.id):
            found += planning.to_each(session, "feedback", nominal, there)
    return found


def ask(community: Community, delivery: Delivery, member: Member | None) -> Reply:
    """The question as sent: only to someone marked as there, and only once."""
    assert member is not None
    session = live_session(community, delivery)
    outcomes = community.outcomes
    if not outcomes.attendance.was_there(session.id, member.id):
        raise Skip("not marked as there")
    if not outcomes.feedback.mark_asked(session.id, member.id):
        raise Skip("already asked")
    return feedback_question(community.messages, session)


def feedback_question(say: Messages, session: Session) -> Reply:
    """The question for the session's objective, an answer button each, and "No thanks"."""
    answers = tuple(
        Action(say(f"feedback.answer.{a}"), f"feedback {session.id} {a}") for a in ANSWERS
    )
    no_thanks = Action(say("feedback.action_no_thanks"), f"feedback {session.id} no-thanks")
    text = "\n".join(
        (
            say("feedback.intro", id=session.id, title=session.title),
            say(f"feedback.question.{session.objective}", title=session.title),
        )
    )
    return Reply(
        text,
        actions=(*answers, no_thanks),
        footer="\n".join((say("feedback.words_hint", id=session.id), say("feedback.why"))),
        private=False,
    )
