"""A token bucket per client address, in bounded memory.

Calendar apps poll about once an hour; a person reads the page a few times. A bucket lets a
short burst through and then refills steadily, so only something hammering the server waits.
Buckets for the least recently seen addresses are dropped past `max_clients`, so a flood of
addresses cannot grow memory without limit (a dropped address simply starts full again).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class RateLimit:
    def __init__(
        self,
        per_minute: int,
        burst: int | None = None,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(per_minute // 3, 5))
        self.max_clients = max_clients
        self.clock = clock
        # address -> (tokens left, when last counted)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, address: str) -> float:
        """0 if the request may go ahead, else how many seconds until it could."""
        now = self.clock()
        tokens, then = self._buckets.pop(address, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[address] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait

    def __len__(self) -> int:
        return len(self._buckets)
