"""Bounded caches, and one place per community to keep them between commands.

A cache that only grows is a leak in a bot that runs for months, so each cache here has a
limit and forgets the entry used least recently first. Each is kept under the type of the
code that owns it, so the owner reads back exactly what it stored, typed.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar, cast

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


class Lru(Generic[K, V]):
    """At most `limit` entries; asking for one that is missing makes it and may evict the
    least recently used. `misses` counts the makes, so a benchmark can see the hit rate."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a cache holds at least one entry")
        self.limit = limit
        self.misses = 0
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K, make: Callable[[], V]) -> V:
        """The entry for `key`, made by `make()` when it is not held."""
        try:
            found = self._entries[key]
        except KeyError:
            self.misses += 1
            found = self._entries[key] = make()
            if len(self._entries) > self.limit:
                self._entries.popitem(last=False)
            return found
        self._entries.move_to_end(key)
        return found

    def peek(self, key: K) -> V | None:
        """The entry for `key` if held (now the most recently used), else None; a miss is
        not counted and nothing is made."""
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: K, value: V) -> None:
        """Hold `value` for `key`, evicting the least recently used past the limit."""
        self._entries[key] = value
        self._entries.move_to_end(key)
        if len(self._entries) > self.limit:
            self._entries.popitem(last=False)

    def discard(self, key: K) -> None:
        """Forget the entry for `key`, if held."""
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()

    def values(self) -> list[V]:
        """What is held, least recently used first."""
        return list(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)


class Memos:
    """What code keeps for one community while the bot runs (its caches), one object per
    owning type, made on first use. Two communities (two databases) never share one."""

    def __init__(self) -> None:
        self._kept: dict[type, object] = {}

    def of(self, owner: type[T]) -> T:
        """The kept object of type `owner`, made with `owner()` the first time."""
        found = self._kept.get(owner)
        if found is None:
            found = self._kept[owner] = owner()
        return cast(T, found)
