"""The one optional question after a session: answered, added to in words, or let go.

Answers are kept without the member's identity; only a marker remembers that this member
has answered or said no thanks, so they are never asked again.
"""

from __future__ import annotations

from bot.community import CommandContext
from bot.dispatch.registry import Option, Registry
from bot.domain.context import Reply
from bot.domain.errors import BadInput
from bot.storage.feedback import ANSWERS
from commands.signups import find_session

MAX_WORDS = 500
CHOICES = (*ANSWERS, "words", "no-thanks")


def feedback(ctx: CommandContext, session: int, answer: str, words: str = "") -> Reply:
    """Answer the question after a session you were at, add a line of words, or say no thanks."""
    chosen = find_session(ctx, session)
    outcomes = ctx.community.outcomes
    if not outcomes.attendance.was_there(chosen.id, ctx.member.id):
        raise BadInput("feedback.not_there", id=chosen.id, title=chosen.title)
    state = outcomes.feedback.state(chosen.id, ctx.member.id)
    if answer == "no-thanks":
        if state is None or state[0] == "asked":
            outcomes.feedback.dismiss(chosen.id, ctx.member.id)
        return Reply(ctx.say("feedback.dismissed"))
    if answer == "words":
        return _words(ctx, chosen.id, chosen.objective, words, state)
    if state is not None and state[0] == "answered":
        return Reply(ctx.say("feedback.already"))
    outcomes.feedback.answer(chosen.id, ctx.member.id, chosen.objective, answer)
    hint = "" if state and state[1] else ctx.say("feedback.words_hint", id=chosen.id)
    return Reply(ctx.say("feedback.thanks"), footer=hint)


def _words(
    ctx: CommandContext, session_id: int, objective: str, words: str, state: tuple[str, bool] | None
) -> Reply:
    line = " ".join(words.split())[:MAX_WORDS]
    if not line:
        raise BadInput("feedback.words_needed", id=session_id)
    if state is not None and state[1]:
        return Reply(ctx.say("feedback.words_already"))
    ctx.community.outcomes.feedback.words(session_id, ctx.member.id, objective, line)
    return Reply(ctx.say("feedback.words_thanks"))


def register(registry: Registry) -> None:
    registry.command(
        "feedback",
        Option("session", "session"),
        Option("answer", "choice", choices=CHOICES),
        Option("words", "text", required=False),
    )(feedback)
