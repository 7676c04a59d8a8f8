"""The weekly posts: a reflective prompt and a resource pick, in the channel, and the copies
members asked for by direct message.

The same period always gets the same prompt and pick (the choice is kept), so a copy says
what the channel said, and a post sent by hand is the one the schedule would have sent.
"""

from __future__ import annotations

import re

from bot.community import Community
from bot.content.prompts import Prompt
from bot.domain.context import Action, Reply
from bot.domain.objectives import OBJECTIVES
from bot.scheduling.skip import Skip
from bot.storage.deliveries import Delivery
from bot.storage.library import Entry
from bot.storage.members import Member


def prompt_for(community: Community, period: str) -> Prompt | None:
    """This period's prompt, chosen once and kept."""
    prompts = community.prompts
    chosen = community.posted.choose(
        "prompt", period, [p.id for p in prompts], community.clock.now()
    )
    return next((p for p in prompts if p.id == chosen), None)


def prompt_reply(community: Community, prompt: Prompt) -> Reply:
    """The prompt as first seen: a prompt with a content note shows only the note and a
    button, so the reader chooses whether and when to read the prompt itself."""
    say = community.messages
    footer = say("prompt.how_to_reflect")
    if not prompt.content_note:
        text = say("prompt.text", objective=prompt.objective, theme=prompt.theme, text=prompt.text)
        return Reply(text, footer=footer, private=False)
    note = say(
        "prompt.noted", objective=prompt.objective, theme=prompt.theme, note=prompt.content_note
    )
    show = Action(say("action.show_prompt"), f"prompt {prompt.id}", "primary")
    return Reply(note, actions=(show,), footer=footer, private=False)


def pick_for(community: Community, period: str) -> tuple[Entry, str] | None:
    """This period's pick: objectives take turns, and none repeats within its objective
    until every resource of that objective has had its turn.

    Many resources serve several objectives, so among those still waiting for their turn,
    the ones never picked (in the library's order) come first, then the longest ago picked
    under any objective: the same resource is not the pick week after week."""
    posted, now = community.posted, community.clock.now()
    history = posted.history("pick")
    earlier = sum(1 for p, _ in history if p < period)
    objective = OBJECTIVES[earlier % len(OBJECTIVES)]
    pool = community.library.for_picks(objective)
    last_picked = {item: p for p, item in history if p < period}
    waiting = sorted((r.id for r in pool), key=lambda rid: last_picked.get(rid, ""))
    chosen = posted.choose(f"pick:{objective}", period, waiting, now)
    if chosen is None:
        return None
    posted.choose("pick", period, [chosen], now)
    return next((r, objective) for r in pool if r.id == chosen)


def pick_reply(community: Community, resource: Entry, objective: str) -> Reply:
    say = community.messages
    text = say(
        "pick.text",
        objective=objective,
        title=resource.title,
        summary=resource.summary,
        kind=resource.kind,
        link=resource.link or say("pick.no_link"),
    )
    # A suggestion has no summary yet: close the gap its placeholder leaves.
    return Reply(re.sub(r" {2,}", " ", text), private=False)


def prompt(community: Community, delivery: Delivery, member: Member | None) -> Reply:
    """The week's prompt in the channel."""
    found = prompt_for(community, delivery.payload.get("period", ""))
    if found is None:
        raise Skip("no prompts in the content")
    return prompt_reply(community, found)


def prompt_dm(community: Community, delivery: Delivery, member: Member | None) -> Reply:
    """A member's copy of the week's prompt, with a way to stop the copies."""
    reply = prompt(community, delivery, member)
    say = community.messages
    stop = Action(say("action.stop_prompts"), "unsubscribe prompts")
    return Reply(
        reply.text,
        actions=(*reply.actions, stop),
        footer=reply.footer + "\n" + say("prompt.why"),
        private=False,
    )


def pick(community: Community, delivery: Delivery, member: Member | None) -> Reply:
    """The week's resource pick in the channel."""
    found = pick_for(community, delivery.payload.get("period", ""))
    if found is None:
        raise Skip("no resources in the content")
    return pick_reply(community, *found)


def pick_dm(community: Community, delivery: Delivery, member: Member | None) -> Reply:
    """A member's copy of the week's pick, with a way to stop the copies."""
    reply = pick(community, delivery, member)
    stop = Action(community.messages("action.stop_picks"), "unsubscribe picks")
    return Reply(reply.text, actions=(stop,), footer=community.messages("pick.why"), private=False)
