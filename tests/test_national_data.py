"""The national baseline's data: every fact sourced, windows ordered, key facts as the sources say."""

from __future__ import annotations

import itertools
import re

import pytest

from helpers import bj
from kuaiji.model.results import ExamLevel, Role
from kuaiji.registry.manager import Registry

SEEDS = {
    "000-2024-intermediate-collection-requirements-by-region.txt",
    "001-guangdong-collection-change-transfer-guide.txt",
    "002-2025-junior-national-collection-steps.txt",
    "003-continuing-education-collection-overview.txt",
    "004-xinjiang-2024-intermediate-registration-faq.txt",
}
PROVINCES = [
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
]


def assert_sourced(source: str | None, where: str) -> None:
    assert source, f"{where}: no source"
    for part in source.split(" ; "):
        part = re.sub(r" \(low\)$", "", part.strip())
        if part.startswith("seed:"):
            assert part[5:] in SEEDS, f"{where}: unknown seed {part}"
        else:
            assert re.match(r"^https?://\S+$", part), f"{where}: not a seed or URL: {part!r}"


def test_every_jurisdiction_and_platform_is_sourced(registry: Registry) -> None:
    for code, j in registry.jurisdictions.items():
        assert_sourced(j.source, code)
        if code != "CN":
            assert j.parent in registry.jurisdictions, code
        for p in j.platforms:
            assert_sourced(p.source, f"{code}/{p.id}")
            assert p.roles, f"{code}/{p.id}: no roles"
            if p.url is None:
                assert p.note, f"{code}/{p.id}: unknown URL without a note saying so"
            if p.effective_from and p.effective_until:
                assert p.effective_from <= p.effective_until


def test_every_event_is_sourced_and_ordered(registry: Registry) -> None:
    for (region, level, year), schedules in registry.schedules.items():
        assert region in registry.jurisdictions, region
        for schedule in schedules:
            assert_sourced(schedule.source, f"{region} {level} {year}")
            if schedule.collection_required is not None:
                assert_sourced(
                    schedule.collection_required.source, f"{region} {year} collection_required"
                )
            for event in schedule.events:
                where = f"{region} {level} {year} {event.id}"
                assert_sourced(event.source, where)
                assert event.opens or event.closes, where
                if event.opens and event.closes:
                    assert event.opens < event.closes, where
                for moment in (event.opens, event.closes):
                    assert moment is None or (
                        moment.utcoffset() is not None
                        and moment.utcoffset().total_seconds() == 8 * 3600
                    )
                if event.inferred:
                    assert event.note, f"{where}: an inference must be stated"
                for alt in event.alternatives:
                    assert_sourced(alt.source, f"{where} alternative")
            phases = sorted(
                (e for e in schedule.events if e.id == "registration"),
                key=lambda e: e.opens or e.closes,
            )
            for first, second in itertools.pairwise(phases):
                assert first.closes and second.opens and first.closes <= second.opens, (
                    f"{region} {year} phases overlap"
                )


def test_all_32_regions_have_their_2024_intermediate_window(registry: Registry) -> None:
    for code in [*PROVINCES, "66"]:
        schedules = registry.schedules.get((code, ExamLevel.INTERMEDIATE, 2024))
        assert schedules, code
        assert any(e.id == "registration" for s in schedules for e in s.events), code


def test_national_windows_2024_to_2026(registry: Registry) -> None:
    for level in ExamLevel:
        assert {2024, 2025, 2026} <= set(registry.years(level))


def _event(
    registry: Registry, region: str, level: str, year: int, event_id: str
) -> list[tuple[object, object]]:
    return [
        (e.opens, e.closes)
        for s in registry.schedules[(region, ExamLevel(level), year)]
        for e in s.events
        if e.id == event_id
    ]


@pytest.mark.parametrize(
    ("region", "level", "year", "event", "expected"),
    [
        ("CN", "intermediate", 2026, "collection", [(None, "2026-07-01 12:00")]),
        ("CN", "junior", 2026, "collection", [(None, "2026-01-26 12:00")]),
        ("CN", "junior", 2025, "registration", [("2025-01-03 00:00", "2025-01-24 12:00")]),
        (
            "31",
            "intermediate",
            2024,
            "registration",
            [("2024-06-17 10:00", "2024-06-22 00:00"), ("2024-06-28 10:00", "2024-07-02 12:00")],
        ),
        ("41", "intermediate", 2024, "registration", [("2024-06-18 00:00", "2024-07-01 23:59")]),
        ("50", "intermediate", 2024, "registration", [("2024-06-12 09:00", "2024-07-02 14:00")]),
        ("12", "junior", 2025, "collection", [(None, "2025-01-22 17:00")]),
        ("44", "junior", 2025, "collection", [(None, "2025-01-23 12:00")]),
        ("14", "junior", 2025, "collection", [(None, "2025-01-21 12:00")]),
    ],
)
def test_key_facts_as_the_sources_say(
    registry: Registry,
    region: str,
    level: str,
    year: int,
    event: str,
    expected: list[tuple[str | None, str]],
) -> None:
    want = [(bj(o) if o else None, bj(c)) for o, c in expected]
    assert _event(registry, region, level, year, event) == want


def test_no_collection_needed_regions_2025_junior(registry: Registry) -> None:
    for code in ("62", "37", "36", "41"):
        facts = [s.collection_required for s in registry.schedules[(code, ExamLevel.JUNIOR, 2025)]]
        assert any(f is not None and f.value is False for f in facts), code


def test_shenzhen_2026_conflict_is_kept_visible(registry: Registry) -> None:
    (event,) = [
        e
        for s in registry.schedules[("4403", ExamLevel.JUNIOR, 2026)]
        for e in s.events
        if e.id == "collection"
    ]
    assert event.closes == bj("2026-01-26 12:00")
    assert [a.closes for a in event.alternatives] == [bj("2026-01-23 12:00")]
    assert event.alternatives[0].reliability.value == "low"


def test_platforms_move_to_the_national_platform(registry: Registry) -> None:
    import datetime as dt

    gd = registry.resolve("440106")
    before, after = (
        gd.platform(Role.COLLECTION, dt.date(2024, 8, 14)),
        gd.platform(Role.COLLECTION, dt.date(2024, 8, 15)),
    )
    assert before is not None and before.url == "https://kj.czt.gd.gov.cn"
    assert after is not None and after.id == "ausm"
    bj_region = registry.resolve("110105")
    reg_2024 = bj_region.platform(Role.REGISTRATION, dt.date(2024, 6, 12))
    reg_2025 = bj_region.platform(Role.REGISTRATION, dt.date(2025, 1, 3))
    assert reg_2024 is not None and reg_2024.id == "kzp"
    assert reg_2025 is not None and reg_2025.id == "ausm"
