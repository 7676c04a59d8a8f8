"""A member's calendar feed over HTTP: what it holds, how it changes, and when it refuses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from icalendar import Calendar

from bot.app import App
from bot.domain.clock import FakeClock
from tests.helpers import PLANNER, Run, ok, schedule
from tests.web.conftest import link_path

Client = TestClient[Any, Any]


def events(body: bytes) -> dict[str, Any]:
    """VEVENTs by SUMMARY."""
    found = Calendar.from_ical(body).walk("VEVENT")
    return {str(e["SUMMARY"]): e for e in found}


async def fetch(client: Client, path: str, **headers: str) -> tuple[int, bytes, Any]:
    async with client.get(path, headers=headers) as resp:
        return resp.status, await resp.read(), resp.headers


async def test_the_feed_follows_an_edit_and_a_cancellation(
    app: App, run: Run, client: Client, clock: FakeClock
) -> None:
    circle = schedule(run, '"Circle" 3 Dec 14:00 capacity=5 where="Civic Hall"')
    walk = schedule(run, '"Walk and talk" 2027-06-10 11:00 2h where=Park')
    schedule(run, '"Not mine" 4 Dec 10:00')
    ok(run("ann", f"signup {circle}"))
    ok(run("ann", f"signup {walk}"))
    path = link_path(ok(run("ann", "calendar link")))

    status, body, headers = await fetch(client, path)
    assert status == 200
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(body)
    assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == ["Europe/London"]
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body and b"X-PUBLISHED-TTL:PT1H" in body
    found = events(body)
    assert set(found) == {"Circle (DEVELOP)", "Walk and talk (DEVELOP)"}
    first = found["Circle (DEVELOP)"]
    assert first["DTSTART"].params["TZID"] == "Europe/London"
    assert first["DTSTART"].dt.strftime("%d %b %H:%M") == "03 Dec 14:00"
    assert str(first["LOCATION"]) == "Civic Hall" and str(first["STATUS"]) == "CONFIRMED"
    assert "4 of 5 places left" in str(first["DESCRIPTION"])
    second = found["Walk and talk (DEVELOP)"]
    assert second["DTSTART"].dt.strftime("%H:%M %Z") == "11:00 BST"

    clock.advance(timedelta(hours=1))
    ok(run(PLANNER, f'edit {circle} where="Room 2" when="3 Dec 15:00"'))
    ok(run(PLANNER, f"cancel-session {walk} Rain forecast"))
    status, after, _ = await fetch(client, path)
    assert status == 200
    found = events(after)
    moved, dropped = found["Circle (DEVELOP)"], found["Walk and talk (DEVELOP)"]
    assert str(moved["LOCATION"]) == "Room 2"
    assert moved["DTSTART"].dt.strftime("%d %b %H:%M") == "03 Dec 15:00"
    assert moved["DTSTAMP"].dt > first["DTSTAMP"].dt  # apps see which copy is newer
    assert str(dropped["STATUS"]) == "CANCELLED"
    assert "Rain forecast" in str(dropped["DESCRIPTION"])


async def test_an_unchanged_feed_answers_304_and_a_change_answers_in_full(
    app: App, run: Run, client: Client
) -> None:
    circle = schedule(run, '"Circle" 3 Dec 14:00 capacity=5')
    ok(run("ann", f"signup {circle}"))
    path = link_path(ok(run("ann", "calendar link")))
    status, body, headers = await fetch(client, path)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert status == 200 and etag and modified
    status, again, repeat = await fetch(client, path, **{"If-None-Match": etag})
    assert (status, again, repeat["ETag"]) == (304, b"", etag)
    status, again, _ = await fetch(client, path, **{"If-Modified-Since": modified})
    assert (status, again) == (304, b"")
    status, again, _ = await fetch(client, path, **{"If-None-Match": '"something-else"'})
    assert (status, again) == (200, body)

    ok(run("bob", f"signup {circle}"))  # places left change: the feed says so
    status, changed, headers = await fetch(client, path, **{"If-None-Match": etag})
    assert status == 200 and headers["ETag"] != etag
    assert b"3 of 5 places left" in changed


async def test_mine_or_all_is_the_members_choice(app: App, run: Run, client: Client) -> None:
    circle = schedule(run, '"Circle" 3 Dec 14:00')
    schedule(run, '"Walk and talk" 4 Dec 11:00')
    ok(run("ann", f"signup {circle}"))
    path = link_path(ok(run("ann", "calendar link")))
    assert set(events((await fetch(client, path))[1])) == {"Circle (DEVELOP)"}
    assert "every session" in ok(run("ann", "calendar link all")).text
    assert len(events((await fetch(client, path))[1])) == 2
    ok(run("ann", "calendar link mine"))
    assert set(events((await fetch(client, path))[1])) == {"Circle (DEVELOP)"}


async def test_a_reset_token_is_refused_and_the_new_one_works(
    app: App, run: Run, client: Client
) -> None:
    schedule(run, '"Circle" 3 Dec 14:00')
    old = link_path(ok(run("ann", "calendar link")))
    assert (await fetch(client, old))[0] == 200
    again = ok(run("ann", "calendar link"))
    assert "/calendar/" not in again.text  # only a hash is kept: it cannot be shown again
    new = link_path(ok(run("ann", "calendar link reset")))
    assert new != old
    status, body, _ = await fetch(client, old)
    assert (status, body) == (404, b"Not found")
    assert (await fetch(client, new))[0] == 200


async def test_a_forgotten_members_token_is_refused(app: App, run: Run, client: Client) -> None:
    circle = schedule(run, '"Circle" 3 Dec 14:00')
    ok(run("ann", f"signup {circle}"))
    path = link_path(ok(run("ann", "calendar link")))
    assert (await fetch(client, path))[0] == 200
    mydata = ok(run("ann", "mydata"))
    assert mydata.attachment is not None and b'"calendar_link"' in mydata.attachment.content
    assert path.split("/")[-1].removesuffix(".ics").encode() not in mydata.attachment.content
    ok(run("ann", "forget-me confirm"))
    status, body, _ = await fetch(client, path)
    assert (status, body) == (404, b"Not found")
    rows = app.community.db.execute("SELECT count(*) FROM calendar_links").fetchone()
    assert rows[0] == 0


async def test_only_the_hash_of_a_token_is_stored(app: App, run: Run) -> None:
    path = link_path(ok(run("ann", "calendar link")))
    token = path.split("/")[-1].removesuffix(".ics")
    dump = "\n".join(app.community.db.conn.iterdump())
    assert token not in dump
    assert len(token) >= 43  # 32 random bytes


async def test_links_are_off_unless_configured(tmp_path: Any, clock: FakeClock) -> None:
    from bot.app import App as AppType
    from bot.config import Config
    from bot.domain.context import Actor

    app = AppType.build(Config(database=tmp_path / "off.db"), clock)
    try:
        reply = app.dispatcher.handle_line(Actor("console", "ann", "Ann"), "calendar link")
        assert not reply.error and "/calendar/" not in reply.text
        assert "aren't switched on" in reply.text
        assert app.community.db.execute("SELECT count(*) FROM calendar_links").fetchone()[0] == 0
    finally:
        app.close()


async def test_a_link_word_without_link_is_refused_kindly_and_changes_nothing(
    app: App, run: Run
) -> None:
    reply = run("ann", "calendar mine reset")
    assert reply.error == "calendar.link.only" and reply.private
    assert "/cop calendar link reset" in reply.text
    assert app.community.db.execute("SELECT count(*) FROM calendar_links").fetchone()[0] == 0


async def test_a_feed_is_rebuilt_for_a_calendar_change_not_for_the_ledgers_writes(
    app: App, run: Run, client: Client, clock: FakeClock, monkeypatch: Any
) -> None:
    import bot.web.server as server

    builds: list[object] = []
    real = server.feed_ics

    def counted(*args: Any) -> bytes:
        builds.append(args)
        return real(*args)

    monkeypatch.setattr(server, "feed_ics", counted)
    circle = schedule(run, '"Circle" 3 Dec 14:00 capacity=5')
    ok(run("ann", f"signup {circle}"))
    path = link_path(ok(run("ann", "calendar link")))
    first = await fetch(client, path)
    # What a scheduler tick writes: a delivery queued, claimed and marked sent.
    now = clock.now()
    app.community.deliveries.enqueue("prompt:test:1", "prompt", now)
    for claimed in app.community.deliveries.claim_due(now, 10):
        app.community.deliveries.mark(claimed.key, "sent", now)
    again = await fetch(client, path)
    assert (len(builds), again[1]) == (1, first[1])

    ok(run("bob", f"signup {circle}"))
    changed = await fetch(client, path)
    assert len(builds) == 2 and b"3 of 5 places left" in changed[1]
