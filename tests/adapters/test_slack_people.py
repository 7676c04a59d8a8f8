"""Who typed a command, known without asking Slack whenever nothing is due to be asked."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.people import PLANNER_ROLE, People, PlanningGroupCache
from bot.domain.context import Actor
from tests.fakes.fake_slack import FakeSlack


async def test_a_member_is_known_at_hand_only_while_nothing_needs_asking(
    slack: FakeSlack,
) -> None:
    slack.set_default("usergroups.users.list", {"ok": True, "users": ["UPLAN"]})
    client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
    now = [0.0]
    people = People(client, PlanningGroupCache(client, "S1", ttl=300, clock=lambda: now[0]))

    before = people.at_hand("UPLAN", "pat")  # the planning group was never read
    asked = await people.actor("UPLAN", "pat")
    known = people.at_hand("UPLAN", "pat")
    nameless = people.at_hand("U2")  # no name came with it, and none was seen before
    now[0] = 300.0
    stale = people.at_hand("UPLAN", "pat")  # the group is due to be read again

    assert before is None and nameless is None and stale is None
    assert known == asked == Actor("slack", "UPLAN", "pat", frozenset({PLANNER_ROLE}))
    assert people.at_hand("U3", "sam") is None  # still due: at_hand never asks Slack itself
    assert len(slack.calls_to("usergroups.users.list")) == 1
    assert slack.calls_to("users.info") == []


async def test_without_a_planning_user_group_a_named_member_is_always_at_hand(
    slack: FakeSlack,
) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
    people = People(client, PlanningGroupCache(client, ""))

    assert people.at_hand("U1", "ann") == Actor("slack", "U1", "ann", frozenset())
    assert people.at_hand("U1") == Actor("slack", "U1", "ann", frozenset())  # name kept
    assert slack.calls == []
