"""Who is pressing the buttons: Slack users as neutral `Actor`s, with planning-group rights.

The planning group may be a configured Slack user group; its members are fetched with
`usergroups.users.list` and kept for a few minutes, because asking on every command would
cost a Web API call inside the three seconds Slack allows. A failed lookup keeps the last
good list (or none): nobody gains planner rights because Slack was unreachable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.failures import SEND_ERRORS
from bot.domain.context import Actor

log = logging.getLogger(__name__)
PLANNER_ROLE = "planning-group"
GROUP_TTL = 300.0


class PlanningGroupCache:
    """The members of one Slack user group, refreshed at most every `ttl` seconds."""

    def __init__(
        self,
        client: AsyncWebClient,
        usergroup: str,
        ttl: float = GROUP_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.usergroup = usergroup
        self.ttl = ttl
        self.clock = clock
        self._users: frozenset[str] = frozenset()
        self._fetched: float | None = None

    async def users(self) -> frozenset[str]:
        known = self.users_at_hand()
        if known is not None:
            return known
        await self._refresh()
        return self._users

    def users_at_hand(self) -> frozenset[str] | None:
        """The members, if no call to Slack is due for them (None when one is)."""
        if not self.usergroup:
            return frozenset()
        if self._fetched is None or self.clock() - self._fetched >= self.ttl:
            return None
        return self._users

    async def _refresh(self) -> None:
        self._fetched = self.clock()
        try:
            resp = await self.client.usergroups_users_list(usergroup=self.usergroup)
        except SEND_ERRORS as err:
            log.warning("could not read the planning user group %s: %s", self.usergroup, _why(err))
            return
        self._users = frozenset(str(u) for u in resp.get("users") or [])


def _why(err: Exception) -> str:
    """A short reason for the log: Slack's error code and any scope it says is missing."""
    if not isinstance(err, SlackApiError):
        return repr(err)
    needed = err.response.get("needed")
    scope = f" (the app needs the {needed} scope; reinstall it from the manifest)" if needed else ""
    return f"{err.response.get('error')}{scope}"


class People:
    """Turns the user in a Slack payload into an `Actor`, remembering names it has seen."""

    def __init__(self, client: AsyncWebClient, group: PlanningGroupCache) -> None:
        self.client = client
        self.group = group
        self._names: dict[str, str] = {}

    async def actor(self, user_id: str, name: str = "") -> Actor:
        """The actor for `user_id`; the name is looked up (users.info) only when unknown."""
        name = name or self._names.get(user_id) or await self._lookup(user_id)
        self._names[user_id] = name
        roles = frozenset({PLANNER_ROLE}) if user_id in await self.group.users() else frozenset()
        return Actor("slack", user_id, name, roles)

    def at_hand(self, user_id: str, name: str = "") -> Actor | None:
        """The actor for `user_id` if nothing needs asking Slack (the usual case: the name
        came with the request and the planning group was read lately); None otherwise."""
        name = name or self._names.get(user_id, "")
        planners = self.group.users_at_hand()
        if not name or planners is None:
            return None
        self._names[user_id] = name
        roles = frozenset({PLANNER_ROLE}) if user_id in planners else frozenset()
        return Actor("slack", user_id, name, roles)

    async def _lookup(self, user_id: str) -> str:
        try:
            resp = await self.client.users_info(user=user_id)
        except SEND_ERRORS as err:
            log.warning("users.info failed: %s", _why(err))
            return user_id
        user = resp.get("user") or {}
        return str(user.get("name") or user_id)


def user_of(body: dict[str, object]) -> tuple[str, str]:
    """(user id, name) from an interaction payload, whose `user` holds both."""
    user = body.get("user")
    if not isinstance(user, dict):
        return "", ""
    return str(user.get("id", "")), str(user.get("username") or user.get("name") or "")
