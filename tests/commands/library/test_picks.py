"""The weekly pick: objectives take turns, and within an objective nothing repeats until
every resource of that objective has had its turn; newly approved suggestions go first."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from bot.app import App
from bot.domain.clock import FakeClock
from bot.domain.objectives import OBJECTIVES
from bot.scheduling.compose import Composer
from tests.commands.library.conftest import SMALL_LIBRARY, suggest, suggest_and_approve
from tests.helpers import runner

FIRST = date(2026, 11, 25)  # a Wednesday, the default pick day


def wednesdays(count: int, start: date = FIRST) -> list[str]:
    return [(start + timedelta(weeks=n)).isoformat() for n in range(count)]


def a_year(app: App) -> list[tuple[str, str, str]]:
    """(period, objective, resource id) for 52 consecutive Wednesdays."""
    composer = Composer(app.community)
    year = []
    for period in wednesdays(52):
        found = composer.pick_for(period)
        assert found is not None, period
        entry, objective = found
        assert objective in entry.objectives
        year.append((period, objective, entry.id))
    return year


def pools(app: App) -> dict[str, set[str]]:
    library = app.community.library
    return {o: {e.id for e in library.for_picks(o)} for o in OBJECTIVES}


def assert_rota(sequence: list[str], pool: set[str]) -> None:
    """Each run of len(pool) picks uses every resource once; the last run has no repeats."""
    size = len(pool)
    for start in range(0, len(sequence), size):
        chunk = sequence[start : start + size]
        assert len(set(chunk)) == len(chunk), f"a repeat within one round: {chunk}"
        assert set(chunk) <= pool
        if len(chunk) == size:
            assert set(chunk) == pool


def per_objective(year: list[tuple[str, str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for _, objective, entry_id in year:
        grouped[objective].append(entry_id)
    return grouped


def test_a_year_of_shipped_picks_takes_turns_without_repeats(app: App) -> None:
    year = a_year(app)
    assert [o for _, o, _ in year] == [OBJECTIVES[n % 3] for n in range(52)]
    available = pools(app)
    for objective, sequence in per_objective(year).items():
        assert_rota(sequence, available[objective])
    # The rota is recorded, so a restart cannot re-roll it.
    assert [p for p, _ in app.community.posted.history("pick")] == wednesdays(52)


def test_a_year_of_a_small_library_goes_round_each_rota_several_times(small_app: App) -> None:
    year = a_year(small_app)
    assert [o for _, o, _ in year] == [OBJECTIVES[n % 3] for n in range(52)]
    expected = {o: {i for i, objs in SMALL_LIBRARY.items() if o in objs} for o in OBJECTIVES}
    assert pools(small_app) == expected
    grouped = per_objective(year)
    for objective in OBJECTIVES:
        sequence = grouped[objective]
        assert len(sequence) >= 3 * len(expected[objective])
        assert_rota(sequence, expected[objective])


def test_the_same_period_asked_twice_gives_the_same_pick(small_app: App) -> None:
    composer = Composer(small_app.community)
    year = a_year(small_app)
    for period, objective, entry_id in year:
        again = composer.pick_for(period)
        assert again is not None
        assert (again[1], again[0].id) == (objective, entry_id)
    # And straight away, before any other week is asked.
    next_week = wednesdays(1, FIRST + timedelta(weeks=52))[0]
    first, second = composer.pick_for(next_week), composer.pick_for(next_week)
    assert first is not None and second is not None
    assert (first[0].id, first[1]) == (second[0].id, second[1])


def test_a_newly_approved_suggestion_is_picked_first_on_its_objectives_next_turn(
    small_app: App, clock: FakeClock
) -> None:
    run = runner(small_app)
    composer = Composer(small_app.community)
    weeks = wednesdays(16)
    picks = [composer.pick_for(p) for p in weeks[:4]]  # DEVELOP, CONNECT, INFLUENCE, DEVELOP
    assert [p[1] for p in picks if p] == ["DEVELOP", "CONNECT", "INFLUENCE", "DEVELOP"]

    clock.advance(timedelta(days=1))
    older = suggest_and_approve(small_app, run, "alice", "CONNECT", "Older kinship idea")
    clock.advance(timedelta(hours=1))
    newer = suggest_and_approve(small_app, run, "bob", "CONNECT", "Newer kinship idea")
    waiting = suggest(small_app, run, "carol", "CONNECT", "Still waiting for review")

    later = [composer.pick_for(p) for p in weeks[4:]]
    connect = [p[0].id for p in later if p and p[1] == "CONNECT"]
    # CONNECT's next two turns go to the new suggestions, newest first; the pending one never.
    assert connect[:2] == [newer, older]
    assert waiting not in connect
    # Then the round that was under way carries on with what it had not used yet.
    assert len(connect) == 4
    assert set(connect[2:]) == {"c2", "ci"}
    develop = [p[0].id for p in later if p and p[1] == "DEVELOP"]
    assert newer not in develop and older not in develop


def test_a_new_suggestion_mid_round_still_goes_first(small_app: App) -> None:
    run = runner(small_app)
    composer = Composer(small_app.community)
    weeks = wednesdays(9)
    for period in weeks[:2]:  # DEVELOP, then CONNECT takes its first turn
        composer.pick_for(period)
    fresh = suggest_and_approve(small_app, run, "alice", "CONNECT", "Fresh kinship idea")
    connect = []
    for period in weeks[2:]:
        found = composer.pick_for(period)
        assert found is not None
        if found[1] == "CONNECT":
            connect.append(found[0].id)
    assert connect[0] == fresh


def test_an_objective_with_nothing_left_has_no_pick(small_app: App) -> None:
    run = runner(small_app)
    for ident in ("d1", "d2"):
        assert not run("organiser", f"retire {ident}").error
    assert Composer(small_app.community).pick_for(FIRST.isoformat()) is None
