"""The schedule a candidate faces: the published years of every plugin on the region's
chain merged, narrowest first, or an unpublished year projected (预计) from the last
published ones."""

from __future__ import annotations

import datetime as dt

import attrs

from kuaiji.errors import InputError
from kuaiji.model.context import Region, ScheduleView
from kuaiji.model.results import (
    NATIONAL_CODE,
    Event,
    ExamLevel,
    Requirement,
)
from kuaiji.registry.manager import Registry
from kuaiji.schedule import projection

MAX_VIEWS = 4096  # schedule views kept per registry (chains × levels × years in use)


def data_year_for(registry: Registry, level: ExamLevel, year: int) -> int | None:
    """The year whose dates stand for ``year``: itself when published, else the last
    published year before it (a projection rests on it and the years before); None when
    there is no data at all. A year before the data, or too far after it, is an input
    error (exit 2)."""
    years = registry.years(level)
    if not years:
        return None
    check_year(registry, level, year)
    return year if year in years else max(y for y in years if y < year)


def check_year(registry: Registry, level: ExamLevel, year: object, field: str = "--year") -> int:
    """``year`` as an exam year the data can answer for, else :class:`InputError`."""
    if not isinstance(year, int) or isinstance(year, bool):
        raise InputError.single(field, f"年份应为整数，现为 {year!r}", "写成 4 位数字，如 2027")
    years = registry.years(level)
    if years and year < years[0]:
        raise InputError.single(
            field,
            f"{year} 年早于现有资料（{level.zh}最早为 {years[0]} 年）",
            f"kuaiji 只回答 {years[0]} 年及以后的考试",
        )
    if years and year > years[-1] + projection.FURTHEST:
        raise InputError.single(
            field,
            f"{year} 年太远（现有资料到 {years[-1]} 年）",
            f"最多可推算到 {years[-1] + projection.FURTHEST} 年",
        )
    return year


def next_exam_year(registry: Registry, level: ExamLevel, at: dt.datetime) -> int:
    """The exam people prepare for at ``at``: the first year whose registration (published,
    else projected) has not closed yet. In December that is next year's 初级."""
    years = registry.years(level)
    if not years:
        return at.year
    root = registry.jurisdictions[NATIONAL_CODE]
    national = Region(NATIONAL_CODE, root.name, (root,))
    for year in range(max(years[0], at.year - 1), years[-1] + projection.FURTHEST + 1):
        closes = schedule_view(registry, national, level, year).registration_closes
        if closes is None or closes > at:
            return year
    return years[-1] + projection.FURTHEST


def schedule_view(registry: Registry, region: Region, level: ExamLevel, year: int) -> ScheduleView:
    """Merge the schedules of the chain for one exam. A year not published is projected
    from the last published years (``known`` False, every event ``projected``). Built
    once per chain."""
    key = (region.chain_codes, level, year)
    view = registry.views.get(key)
    if view is None:
        view = _schedule_view(registry, region, level, year)
        if len(registry.views) >= MAX_VIEWS:  # bounded: a service may be asked any year
            registry.views.pop(next(iter(registry.views)))
        registry.views[key] = view
    return view


def _schedule_view(registry: Registry, region: Region, level: ExamLevel, year: int) -> ScheduleView:
    data_year = data_year_for(registry, level, year)
    if data_year is None:
        return ScheduleView(level, year, None)
    if data_year == year:
        return _merged(registry, region, level, year)
    basis = projection.basis_years(registry.years(level), year)
    views = {y: _merged(registry, region, level, y) for y in basis}
    latest = views[basis[-1]]
    return attrs.evolve(
        latest,
        year=year,
        events=projection.project({y: v.events for y, v in views.items()}, year),
        projected_from=basis,
    )


def _merged(registry: Registry, region: Region, level: ExamLevel, year: int) -> ScheduleView:
    """The published schedule of ``year`` merged along the chain (a narrower region's
    event group replaces a broader one's, by event id; requirements narrowest first)."""
    groups: dict[str, tuple[Event, ...]] = {}
    required = None
    notes: list[str] = []
    requirements: dict[str, Requirement] = {}  # by id: a narrower region's replaces
    for jurisdiction in region.chain:
        for schedule in registry.schedules.get((jurisdiction.code, level, year), ()):
            by_id: dict[str, list[Event]] = {}
            for event in schedule.events:
                by_id.setdefault(event.id, []).append(event)
            for event_id, group in by_id.items():
                groups[event_id] = tuple(group)
            if schedule.collection_required is not None:
                required = schedule.collection_required
            if schedule.note:
                notes.append(schedule.note)
            for requirement in schedule.requirements:
                requirements[requirement.id] = requirement
    events = tuple(event for group in groups.values() for event in group)
    narrowest_first = tuple(reversed(requirements.values()))
    return ScheduleView(level, year, year, events, required, tuple(notes), narrowest_first)


# --- the report ---
