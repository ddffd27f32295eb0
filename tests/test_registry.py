"""The process-wide registry (kuaiji.registry.manager.get_registry): built once however many
threads ask, rebuilt when the installed rules change in any process, swapped whole."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kuaiji.registry import manager


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir(mode=0o700)
    monkeypatch.setenv("KUAIJI_CACHE_DIR", str(rules))
    monkeypatch.setenv("KUAIJI_NATIONAL_ONLY", "1")
    manager.get_registry.cache_clear()
    yield rules
    manager.get_registry.cache_clear()


def test_racing_threads_build_it_once(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    real = manager.Registry

    class Counted(real):  # type: ignore[misc,valid-type]
        def __init__(self) -> None:
            built.append(1)
            super().__init__()

    monkeypatch.setattr(manager, "Registry", Counted)
    start = threading.Barrier(8)
    got: list[object] = []

    def ask() -> None:
        start.wait()
        got.append(manager.get_registry())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1 and len({id(r) for r in got}) == 1


def test_a_rules_update_in_any_process_is_picked_up(fresh: Path) -> None:
    first = manager.get_registry()
    assert manager.get_registry() is first
    manager.bump_generation()  # what `kuaiji rules update` does, in whichever process
    second = manager.get_registry()
    assert second is not first and manager.get_registry() is second


def test_reload_builds_it_again_now(fresh: Path) -> None:
    first = manager.get_registry()
    assert manager.get_registry.reload() is not first


def test_schedule_views_stay_bounded_whatever_is_asked(
    fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kuaiji.model.results import ExamLevel
    from kuaiji.registry import schedules

    monkeypatch.setattr(schedules, "MAX_VIEWS", 5)
    registry = manager.get_registry()
    asked = 0
    for code in ("110105", "310104", "440106", "120101", "650102"):
        for year in (2024, 2025, 2026):
            for level in ExamLevel:
                schedules.schedule_view(registry, registry.resolve(code), level, year)
                asked += 1
    assert asked == 30 and len(registry.views) == 5


def test_what_a_region_works_out_once_follows_the_day_and_role_asked() -> None:
    """A resolved region remembers its platforms by role and day: asked in turns about days
    either side of the move to the national platform, it answers as a region made afresh."""
    import datetime as dt

    import attrs

    from kuaiji.model.results import Role
    from kuaiji.registry.manager import get_registry

    registry = get_registry()
    days = [dt.date(2023, 6, 1), dt.date(2026, 6, 1), dt.date(2023, 6, 1), dt.date(2025, 3, 1)]
    changed = 0
    for code in ("440106", "440305", "650102", "120101", "430102", "110105"):
        region = registry.resolve(code)
        for role in Role:
            answers = []
            for day in days:
                fresh = attrs.evolve(region)  # nothing remembered yet
                assert region.platform(role, day) == fresh.platform(role, day)
                answers.append(region.platform(role, day))
            changed += len({None if a is None else a.url for a in answers}) > 1
        fresh = attrs.evolve(region)
        assert (region.plugins, region.doubtful_urls, region.contact_text) == (
            fresh.plugins, fresh.doubtful_urls, fresh.contact_text,
        )  # fmt: skip
        assert region.collection_review == fresh.collection_review
    assert changed  # some platform did move between the days asked


def test_a_reloaded_registry_is_let_go(fresh: Path) -> None:
    """What a precheck works out per registry lives on that registry: after a reload (a
    service after `rules update`) nothing keeps the old one, and its data, alive."""
    import gc
    import weakref

    from helpers import EXAMPLES, candidate
    from kuaiji import candidate_from_dict, precheck

    def check(registry: manager.Registry) -> None:
        precheck(
            candidate_from_dict(candidate()), exam="intermediate", year=2026,
            at="2026-06-20T10:00:00+08:00", registry=registry, base_dir=EXAMPLES,
        )  # fmt: skip

    check(manager.get_registry())
    old = weakref.ref(manager.get_registry())
    check(manager.get_registry.reload())
    gc.collect()
    assert old() is None


def test_a_schedule_works_out_the_latest_start_before_its_record_deadline_once() -> None:
    """Asked in turns for several review lengths, a view answers as the clock does."""
    from kuaiji.model.clock import workdays_before
    from kuaiji.model.results import ExamLevel
    from kuaiji.registry.manager import get_registry
    from kuaiji.registry.schedules import schedule_view

    registry = get_registry()
    asked = 0
    for code in ("110105", "440305", "650102", "120101"):
        for year in (2025, 2026, 2027):
            view = schedule_view(registry, registry.resolve(code), ExamLevel.INTERMEDIATE, year)
            for days in (10, 3, 10, 5, 0):
                expected = (
                    None
                    if view.record_deadline is None
                    else workdays_before(view.record_deadline, days)
                )
                assert view.before_record_deadline(days) == expected
                asked += expected is not None
    assert asked
