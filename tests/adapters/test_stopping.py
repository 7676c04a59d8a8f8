"""Stopping mid-wave, as systemd and containers stop a service: the real `copbot run` on
Slack (against FakeSlack, in a process of its own) gets a real SIGTERM or SIGKILL while a
wave of direct messages is on its way.

SIGTERM: the bot stops claiming, lets the sends in flight finish, marks them, exits 0, and
leaves the rest waiting. SIGKILL: nothing can be finished, but the next start takes the
dead process's claims back at once, as unsure, and looks for each on Slack before sending
it. Either way, a restart sends the rest within seconds, each exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from bot.config import SECRET_ENV, load_config
from bot.domain.clock import FakeClock
from bot.domain.context import Actor, Reply
from bot.storage.db import open_db
from bot.storage.deliveries import reply_to_payload
from tests.fakes.fake_slack import FakeSlack
from tests.helpers import wall_clock_now

REPO = Path(__file__).resolve().parents[2]
WAVE = 12
POST_SECONDS = 0.4  # each chat.postMessage answers after this: a wave takes seconds


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.delay("chat.postMessage", POST_SECONDS)
        yield fake


def a_wave(folder: Path, slack: FakeSlack) -> Path:
    """A community of WAVE Slack members, each with a notice due now; returns the config."""
    config = folder / "config.toml"
    config.write_text(
        f'[platform]\nkind = "slack"\nannounce_channel = "C1"\n'
        f'[storage]\ndatabase = "cop.db"\n[slack]\napi_url = "{slack.api_url}"\n',
        encoding="utf-8",
    )
    # Due now by the clock the bot's own process reads (the suite's may be moved ahead).
    app = App.build(load_config(config), FakeClock(wall_clock_now()))
    community, now = app.community, app.community.clock.now()
    for n in range(WAVE):
        member = community.register(Actor("slack", f"U{n:02d}", f"member {n}"))
        community.deliveries.enqueue(
            f"notice:-:{member.id}:wave",
            "notice",
            now,
            member_id=member.id,
            payload=reply_to_payload(Reply(f"Hello member {n}")),
        )
    app.close()
    return config


async def start_bot(config: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV and "PROXY" not in k}
    env |= {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test"}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        cwd=REPO,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def dm_posts(slack: FakeSlack) -> list[str]:
    """Who each direct message went to, in order (the fake's DM channel is D + the user)."""
    posts = [c.params["channel"] for c in slack.calls_to("chat.postMessage")]
    return [p.removeprefix("D") for p in posts if p.startswith("D")]


def ledger(config: Path) -> dict[str, str]:
    """Each wave delivery's status, by the member's Slack id."""
    db = open_db(config.parent / "cop.db")
    try:
        rows = db.execute(
            "SELECT m.platform_user_id, d.status FROM deliveries d"
            " JOIN members m ON m.id = d.member_id WHERE d.kind = 'notice'"
        ).fetchall()
    finally:
        db.close()
    return {str(user): str(status) for user, status in rows}


async def wait_for_posts(slack: FakeSlack, count: int, bot: asyncio.subprocess.Process) -> None:
    """Until `count` different members have had their message (or fail after 30 s)."""
    deadline = time.monotonic() + 30
    while len(set(dm_posts(slack))) < count:
        if bot.returncode is not None or time.monotonic() > deadline:
            if bot.returncode is None:
                bot.kill()
            _, err = await bot.communicate()
            raise AssertionError(f"the bot sent {len(dm_posts(slack))}: {err.decode()}")
        await asyncio.sleep(0.02)


async def the_rest_after_a_restart(config: Path, slack: FakeSlack) -> None:
    """A new bot on the same file sends what is left within seconds; then it is stopped."""
    bot = await start_bot(config)
    try:
        await wait_for_posts(slack, WAVE, bot)
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.communicate(), 30)
    assert bot.returncode == 0


async def test_sigterm_mid_wave_finishes_what_is_in_flight_and_exits_0(
    tmp_path: Path, slack: FakeSlack
) -> None:
    config = a_wave(tmp_path, slack)
    bot = await start_bot(config)
    await wait_for_posts(slack, 3, bot)

    bot.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(bot.communicate(), 30)

    assert bot.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
    posted = dm_posts(slack)
    assert 3 <= len(posted) < WAVE, "the wave was stopped part way"
    statuses = ledger(config)
    # Every post that had reached Slack was seen through and marked; nothing was left
    # claimed, nothing was counted a failure, and the rest wait for the next start.
    assert {u for u, s in statuses.items() if s == "sent"} == set(posted)
    assert Counter(statuses.values()) == {"sent": len(posted), "pending": WAVE - len(posted)}

    await the_rest_after_a_restart(config, slack)

    assert Counter(dm_posts(slack)) == {f"U{n:02d}": 1 for n in range(WAVE)}
    assert set(ledger(config).values()) == {"sent"}


async def test_sigkill_mid_wave_then_a_restart_sends_the_rest_once_each(
    tmp_path: Path, slack: FakeSlack
) -> None:
    config = a_wave(tmp_path, slack)
    bot = await start_bot(config)
    await wait_for_posts(slack, 3, bot)

    bot.kill()
    await bot.communicate()
    assert bot.returncode == -signal.SIGKILL
    in_flight = {user for user, status in ledger(config).items() if status == "claimed"}
    assert in_flight, "the kill came mid-wave"

    await the_rest_after_a_restart(config, slack)

    # The post Slack had taken in but not answered when the process died was taken back as
    # unsure: the new bot looked in the member's DM, found it, and did not post it again.
    assert Counter(dm_posts(slack)) == {f"U{n:02d}": 1 for n in range(WAVE)}
    assert set(ledger(config).values()) == {"sent"}
    looked = {c.params["channel"] for c in slack.calls_to("conversations.history")}
    assert looked == {f"D{user}" for user in in_flight}
