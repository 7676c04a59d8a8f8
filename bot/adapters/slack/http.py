"""HTTP mode: Slack's signed POSTs, read correctly, handed to bolt, answered.

bolt's own aiohttp route reads a form body by looking for the letters `payload` anywhere in
it (`slack_bolt.request.internals.parse_body`): if they appear, it takes the body for an
interactive request and reads only its `payload` field. A slash command has no such field,
but its text, the member's user name, the channel's name or the workspace's domain may well
contain the word, and then bolt sees an empty request, finds no listener and answers 404
(Slack shows the member "dispatch_failed"). So the body is parsed here, by its fields: a
form whose `payload` field exists is an interaction, any other form is a command, JSON is an
event. Signature checks are untouched: bolt still verifies the raw bytes before any
listener runs.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_slack_response import AsyncSlackResponse

log = logging.getLogger(__name__)


def parse_body(raw: str, content_type: str | None) -> dict[str, Any]:
    """A Slack request body as bolt expects it: the event, the interaction or the command."""
    if not raw:
        return {}
    if content_type == "application/json":
        found = json.loads(raw)
        return found if isinstance(found, dict) else {}
    form = dict(parse_qsl(raw, keep_blank_values=True))
    if "payload" in form:  # interactivity: one form field holding JSON
        found = json.loads(form["payload"])
        return found if isinstance(found, dict) else {}
    return form


def bolt_request(raw: str, query: str, headers: Any) -> AsyncBoltRequest:
    """A bolt request for `raw`, its body parsed here rather than by bolt's guess.

    It is built empty and then filled, because bolt parses whatever body it is given at
    construction, and a malformed one would raise before the signature was checked.
    """
    request = AsyncBoltRequest(body="", query=query, headers=headers)
    request.raw_body = raw
    request.body = parse_body(raw, request.content_type)
    request.context = build_async_context(AsyncBoltContext({}), request.body)
    return request


def events_route(bolt: AsyncApp) -> Any:
    """The aiohttp handler for Slack's requests (commands, interactions and events)."""

    async def handle(request: web.Request) -> web.Response:
        raw = await request.text()
        try:
            bolt_req = bolt_request(raw, request.query_string, request.headers)
        except ValueError:  # not JSON where JSON belongs: no Slack request looks like this
            log.warning("ignored a request to the Slack endpoint whose body could not be read")
            return web.Response(status=400, text="unreadable body")
        return await to_aiohttp_response(await bolt.async_dispatch(bolt_req))

    return handle


def share_auth_test(bolt: AsyncApp, auth: AsyncSlackResponse) -> None:
    """Hand bolt the auth.test answer the adapter got at start, so bolt does not ask again.

    bolt's single-workspace authorisation calls auth.test on the first request and keeps
    the answer, but every request that arrives before that answer does the same: after a
    restart, a rush of N commands made N auth.test calls (against Slack's rate limit) and
    held each member's answer behind one. The answer describes the same token, so it is
    given to bolt before the first request can arrive. bolt keeps it in a public attribute
    of its middleware; if a later bolt has none, it simply asks once for itself, as before.
    """
    for middleware in getattr(bolt, "_async_middleware_list", ()):
        if isinstance(middleware, AsyncSingleTeamAuthorization):
            middleware.auth_test_result = auth
