"""The one optional question after a session, asked of those who were there.

Asked once: by the scheduled message a while after the session, or straight away when a
member taps "I was there" after it has ended. Either way the marker is set first, so the other
route finds it and stays quiet. It never chases.
"""

from __future__ import annotations

from datetime import timedelta

from bot.content.messages import Messages
from bot.domain.context import Action, Reply
from bot.storage.feedback import ANSWERS
from bot.storage.sessions import Session

# Long enough after the session for the planning group to mark who came.
FEEDBACK_AFTER = timedelta(hours=3)


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
