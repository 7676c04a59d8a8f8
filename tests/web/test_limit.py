"""The rate limiter on its own: bursts, refill, and memory that stays bounded."""

from __future__ import annotations

from bot.web.limit import RateLimit


def test_a_burst_then_a_steady_refill() -> None:
    now = [100.0]
    limit = RateLimit(per_minute=30, burst=2, clock=lambda: now[0])
    assert [limit.allow("a") for _ in range(2)] == [0.0, 0.0]
    assert limit.allow("a") == 2.0  # one token every 2 s
    now[0] += 2.0
    assert limit.allow("a") == 0.0
    assert limit.allow("b") == 0.0  # each address has its own bucket


def test_memory_is_bounded_by_forgetting_the_least_recent() -> None:
    now = [0.0]
    limit = RateLimit(per_minute=60, burst=1, max_clients=100, clock=lambda: now[0])
    limit.allow("kept")
    for n in range(1000):
        if n % 50 == 0:
            limit.allow("kept")  # seen recently, so not dropped
        limit.allow(f"10.0.{n // 256}.{n % 256}")
    assert len(limit) == 100
    assert limit.allow("kept") > 0  # its empty bucket was remembered
