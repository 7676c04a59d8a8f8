"""Who meets whom in a CONNECT round: pure matching, no storage and no platform.

A round pairs the members who asked for conversations, preferring people from different
sectors (the point of CONNECT is that a school nurse meets a youth worker, not another school
nurse). Two things are never negotiable: a pair that met in the last few rounds does not meet
again, and two people one of whom said "not again" are never matched. With an odd number of
people, one conversation is a three.

The matching is deterministic for a given seed, so a round can be replayed and tested.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# A member who chose "prefer not to say" (or has not said) is paired freely: neither the
# same as nor different from anyone.
Sector = str | None
Group = tuple[int, ...]


@dataclass(frozen=True)
class Candidate:
    """One member who asked for conversations this round, with their self-declared sector."""

    member_id: int
    sector: Sector = None


@dataclass(frozen=True)
class Avoid:
    """Pairs that must not meet this round: recent rounds and every "not again"."""

    pairs: frozenset[frozenset[int]] = frozenset()

    @classmethod
    def build(cls, recent_rounds: Iterable[Iterable[Group]], not_again: Iterable[Group]) -> Avoid:
        """Every two people who shared a group in the recent rounds, plus each "not again"."""
        pairs: set[frozenset[int]] = set()
        for round_groups in recent_rounds:
            for group in round_groups:
                pairs.update(_pairs_in(group))
        for group in not_again:
            pairs.update(_pairs_in(group))
        return cls(frozenset(pairs))

    def allows(self, group: Iterable[int]) -> bool:
        """True when nobody in the group is barred from meeting anybody else in it."""
        return not any(pair in self.pairs for pair in _pairs_in(tuple(group)))


@dataclass
class Round:
    """The groups a round makes, and anyone it could not place without breaking a rule."""

    groups: list[Group] = field(default_factory=list)
    unmatched: list[int] = field(default_factory=list)


# A layout can leave someone out where another would not (small groups with a long memory
# bar many pairs), so several layouts are tried; fewer for big rounds, where bars are sparse.
ATTEMPT_BUDGET = 20_000
MAX_ATTEMPTS = 64


def match(candidates: Sequence[Candidate], avoid: Avoid, seed: int) -> Round:
    """Pair everyone who can be paired, cross-sector wherever the numbers allow.

    The people are laid out sector by sector and the first half is paired with the second
    half. A sector's run can hold both ends of a pair only where it is longer than half the
    people, so this alone mixes every pair that can be mixed. Pairs that break a rule are
    then mended by exchanging partners with another pair, and exchanges that mix sectors
    follow until none is left. If someone is still left out, other layouts are tried.
    """
    if len(candidates) < 2:
        return Round(unmatched=[c.member_id for c in candidates])
    sector_of = {c.member_id: c.sector for c in candidates}
    rng = random.Random(seed)
    attempts = max(1, min(MAX_ATTEMPTS, ATTEMPT_BUDGET // len(candidates)))
    best: Round | None = None
    for _ in range(attempts):
        found = _one_layout(candidates, avoid, sector_of, random.Random(rng.getrandbits(64)))
        if best is None or len(found.unmatched) < len(best.unmatched):
            best = found
        if not best.unmatched:
            break
    assert best is not None
    return best


def _one_layout(
    candidates: Sequence[Candidate],
    avoid: Avoid,
    sector_of: dict[int, Sector],
    rng: random.Random,
) -> Round:
    people = _laid_out(candidates, rng)
    half = len(people) // 2
    pairs = [[people[i], people[i + half]] for i in range(half)]
    leftover = people[2 * half :]
    _Mender(pairs, sector_of, avoid).mend()
    groups = [tuple(pair) for pair in pairs]
    unmatched = _place_leftover(groups, leftover, sector_of, avoid)
    valid = [g for g in groups if avoid.allows(g)]
    unmatched += [m for g in groups if not avoid.allows(g) for m in g]
    return Round(groups=valid, unmatched=sorted(unmatched))


def is_cross_sector(group: Iterable[int], sector_of: dict[int, Sector]) -> bool:
    """True when the group holds at least two declared sectors (what the report counts)."""
    return len({sector_of.get(m) for m in group} - {None}) >= 2


def is_same_sector(group: Sequence[int], sector_of: dict[int, Sector]) -> bool:
    """True when everyone in the group declared one and the same sector."""
    sectors = {sector_of.get(m) for m in group}
    return len(sectors) == 1 and None not in sectors


def _pairs_in(group: Sequence[int]) -> list[frozenset[int]]:
    if len(group) == 2:  # nearly every group: spared the general loop
        return [frozenset(group)]
    return [frozenset((a, b)) for i, a in enumerate(group) for b in group[i + 1 :]]


def _laid_out(candidates: Sequence[Candidate], rng: random.Random) -> list[int]:
    """Members grouped by sector, each sector in one run; the order comes from the seed.

    Members who did not declare a sector each stand alone, so they fill gaps anywhere.
    """
    by_sector: dict[object, list[int]] = {}
    for position, candidate in enumerate(sorted(candidates, key=lambda c: c.member_id)):
        key = candidate.sector if candidate.sector is not None else ("undeclared", position)
        by_sector.setdefault(key, []).append(candidate.member_id)
    blocks = list(by_sector.values())
    for block in blocks:
        rng.shuffle(block)
    rng.shuffle(blocks)
    return [member for block in blocks for member in block]


class _Mender:
    """Exchanges partners between pairs: first to keep every rule, then to mix sectors."""

    # Each mixing pass can open new exchanges for pairs it already passed; a few passes
    # settle it (usually one), and the bound keeps a pathological round from spinning.
    MIXING_PASSES = 8

    def __init__(self, pairs: list[list[int]], sector_of: dict[int, Sector], avoid: Avoid) -> None:
        self.pairs = pairs
        self.sector_of = sector_of
        self.avoid = avoid

    def mend(self) -> None:
        """Mend every barred pair, then mix same-sector pairs until no exchange helps."""
        everyone = range(len(self.pairs))
        for index in everyone:
            barred = not self.avoid.allows(self.pairs[index])
            if barred and not self._exchange(index, everyone, mixing=False):
                self._exchange(index, everyone, mixing=None)
        for _ in range(self.MIXING_PASSES):
            if not self._mixing_pass():
                break

    def _mixing_pass(self) -> bool:
        """One pass over the same-sector pairs; True if any exchange was made."""
        without = self._pairs_without_each_sector()
        changed = False
        for index in range(len(self.pairs)):
            if is_same_sector(self.pairs[index], self.sector_of):
                sector = self.sector_of[self.pairs[index][0]]
                changed |= self._exchange(index, without.get(sector, []), mixing=True)
        return changed

    def _pairs_without_each_sector(self) -> dict[Sector, list[int]]:
        """For each sector with a same-sector pair, the pairs holding nobody of it."""
        sectors = {self.sector_of[p[0]] for p in self.pairs if is_same_sector(p, self.sector_of)}
        return {
            sector: [i for i, p in enumerate(self.pairs) if self._lacks(p, sector)]
            for sector in sectors
        }

    def _lacks(self, pair: Sequence[int], sector: Sector) -> bool:
        return all(self.sector_of.get(m) != sector for m in pair)

    def _exchange(self, index: int, others: Iterable[int], *, mixing: bool | None) -> bool:
        """Swap partners with the first pair where the rule is kept and sectors gain.

        `mixing=True` asks for fewer same-sector pairs, `False` for no more of them, and
        `None` for any exchange at all: a rule outweighs a preference.
        """
        a, b = self.pairs[index]
        for other in others:
            if other == index:
                continue
            c, d = self.pairs[other]
            for first, second in (([a, c], [b, d]), ([a, d], [b, c])):
                if self._acceptable(index, other, first, second, mixing):
                    self.pairs[index], self.pairs[other] = first, second
                    return True
        return False

    def _acceptable(
        self, index: int, other: int, first: list[int], second: list[int], mixing: bool | None
    ) -> bool:
        if not (self.avoid.allows(first) and self.avoid.allows(second)):
            return False
        if mixing is None:
            return True
        before = self._same(self.pairs[index]) + self._same(self.pairs[other])
        after = self._same(first) + self._same(second)
        return after < before if mixing else after <= before

    def _same(self, pair: Sequence[int]) -> int:
        return 1 if is_same_sector(pair, self.sector_of) else 0


def _place_leftover(
    groups: list[Group], leftover: list[int], sector_of: dict[int, Sector], avoid: Avoid
) -> list[int]:
    """The odd one out joins a pair they may meet, preferably one of other sectors."""
    if not leftover:
        return []
    [person] = leftover
    allowed = [i for i, g in enumerate(groups) if avoid.allows((*g, person))]
    if not allowed:
        return [person]
    own = sector_of.get(person)
    mixing = [i for i in allowed if own is None or own not in {sector_of.get(m) for m in groups[i]}]
    chosen = (mixing or allowed)[0]
    groups[chosen] = (*groups[chosen], person)
    return []
