"""Every known deadline of the exams, by region, sorted by time: what closes next.

One implementation of the time rules for every plugin: an event whose data says what it
takes to beat it (``working_days`` of a review, ``calendar_days`` of a transfer) gets a
*latest safe start*, in working days from chinesecalendar (Monday–Friday, with a visible
note, outside its years). Past or future is always measured from the evaluation time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from kuaiji.model import clock
from kuaiji.model.context import Region
from kuaiji.model.results import NATIONAL_CODE, Alternative, Event, EventKind, ExamLevel, Schedule
from kuaiji.model.sources import shown_note, source_text
from kuaiji.registry.manager import Registry, get_registry
from kuaiji.registry.schedules import data_year_for, next_exam_year, schedule_view
from kuaiji.schedule import projection
from kuaiji.schedule.leads import LeadTime, lead_time

SOON = dt.timedelta(hours=72)

TITLES = {
    EventKind.REGISTRATION: "网上报名",
    EventKind.PAYMENT: "网上缴费截止",
    EventKind.COLLECTION: "信息采集截止",
    EventKind.CHANGE: "信息变更截止",
    EventKind.TRANSFER: "调转申请截止",
    EventKind.REVIEW: "报名前资格审核",
    EventKind.ADMISSION_TICKET: "打印准考证",
    EventKind.EXAM: "考试",
    EventKind.OTHER: "其他",
}


@attrs.frozen
class Deadline:
    """One dated event of one exam, as it applies in one region."""

    region: str  # the code of the jurisdiction whose data gives the event
    region_name: str
    level: ExamLevel
    year: int  # the exam year asked for
    data_year: int  # the year the dates come from
    event: Event
    plugin: str
    lead: LeadTime | None = None

    @property
    def known(self) -> bool:
        return self.data_year == self.year

    @property
    def title(self) -> str:
        return self.event.title or TITLES[self.event.kind]

    @property
    def moment(self) -> dt.datetime:
        """When to act by: the latest safe start, else the close; an exam's first day."""
        e = self.event
        if e.kind is EventKind.EXAM and e.opens is not None:
            return e.opens
        if self.lead is not None:
            return self.lead.moment
        moment = e.closes or e.opens
        assert moment is not None  # the loader refuses an event with neither
        return moment

    @property
    def projected(self) -> bool:
        return self.event.projected

    def past(self, at: dt.datetime) -> bool:
        """Passed at ``at``. Never for a year whose dates are only estimates (预计)."""
        if not self.known:
            return False
        end = self.event.closes or self.event.opens
        return end is not None and end <= at and self.moment <= at

    def to_dict(self, at: dt.datetime) -> dict[str, Any]:
        e = self.event
        return {
            "region": self.region,
            "region_name": self.region_name,
            "exam": self.level.value,
            "year": self.year,
            "data_year": self.data_year,
            "known": self.known,
            "id": e.id,
            "kind": e.kind.value,
            "title": self.title,
            "opens": clock.iso(e.opens),
            "closes": clock.iso(e.closes),
            "latest_start": clock.iso(self.lead.moment) if self.lead else None,
            "lead": self.lead.text if self.lead else None,
            "moment": clock.iso(self.moment),
            "past": self.past(at),
            "projected": self.projected,
            "time_left": clock.countdown(at, self.moment)
            if not self.past(at) and self.moment > at
            else None,
            "soon": self.soon(at),
            "source": e.source,
            "source_text": source_text(e.source),
            "inferred": e.inferred,
            "reliability": e.reliability.value,
            "note": e.note,
            "note_zh": shown_note(e),
            "alternatives": [_alternative(a) for a in e.alternatives],
            "plugin": self.plugin,
        }

    def soon(self, at: dt.datetime) -> bool:
        """Closes (or must be started) within 72 hours of ``at``."""
        return self.known and at <= self.moment <= at + SOON


def _alternative(a: Alternative) -> dict[str, Any]:
    return {
        "opens": clock.iso(a.opens),
        "closes": clock.iso(a.closes),
        "value": a.value,
        "source": a.source,
        "source_text": source_text(a.source),
        "reliability": a.reliability.value,
        "note": a.note,
    }


@attrs.frozen
class DeadlineTable:
    """Deadlines sorted by time, with what the data does not know said in ``notes``."""

    at: dt.datetime
    deadlines: tuple[Deadline, ...]
    notes: tuple[str, ...] = ()
    regions: tuple[Region, ...] = ()  # the regions asked for; empty = all
    produced_by: dict[str, Any] = attrs.field(factory=dict, eq=False)  # kuaiji.registry.provenance

    def upcoming(self) -> tuple[Deadline, ...]:
        return tuple(d for d in self.deadlines if not d.past(self.at))

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": clock.iso(self.at),
            "regions": [{"code": r.code, "name": r.name} for r in self.regions] or "all",
            "notes": list(self.notes),
            "deadlines": [d.to_dict(self.at) for d in self.deadlines],
            "produced_by": self.produced_by,
        }


def deadlines(
    *,
    regions: Sequence[str] = (),
    exams: Iterable[ExamLevel | str] = (ExamLevel.JUNIOR, ExamLevel.INTERMEDIATE),
    years: Iterable[int] = (),
    at: dt.datetime | None = None,
    registry: Registry | None = None,
) -> DeadlineTable:
    """Every deadline of ``exams`` in ``years`` (default: for each exam, the next one whose
    registration has not closed at ``at``) for ``regions`` (codes or names; default: all,
    each event listed once for the region whose data gives it), sorted by time. A year not
    yet published is projected (预计) from the last published years."""
    registry = registry or get_registry()
    moment = at.astimezone(clock.SHANGHAI) if at is not None else clock.now()
    levels = [ExamLevel(e) for e in exams]
    wanted_years = list(years)
    resolved = tuple(registry.resolve(r, field="--region") for r in regions)
    names = {code: j.name for code, j in registry.jurisdictions.items()}
    found: list[Deadline] = []
    notes: list[str] = []
    for level in levels:
        for year in wanted_years or [next_exam_year(registry, level, moment)]:
            data_year = data_year_for(registry, level, year)
            if data_year is None:
                notes.append(f"{year} 年{level.zh}：没有任何日期资料（未知）")
                continue
            if data_year != year:
                basis = projection.basis_years(registry.years(level), year)
                notes.append(
                    f"{year} 年{level.zh}安排尚未公布：标“预计”的日期按 {basis[0]}–{basis[-1]} 年"
                    "推算，取各年最早的，不是已公布的安排"
                )
            for region_code, plugin, event in _events(registry, resolved, level, year, data_year):
                found.append(
                    Deadline(
                        region=region_code,
                        region_name=names.get(region_code, region_code),
                        level=level,
                        year=year,
                        data_year=data_year,
                        event=event,
                        plugin=plugin,
                        lead=lead_time(event),
                    )
                )
    if not resolved:
        notes.append("“全国”的日期适用于没有单独列出该项的地区")
    found.sort(key=lambda d: (d.moment, d.region, d.event.id))
    return DeadlineTable(
        moment, tuple(found), tuple(notes), resolved, produced_by=registry.produced_by
    )


def _events(
    registry: Registry,
    regions: Sequence[Region],
    level: ExamLevel,
    year: int,
    data_year: int,
) -> Iterable[tuple[str, str, Event]]:
    schedules = _schedules(registry, level, data_year)
    if not regions and data_year == year:
        for schedule in schedules:
            for event in schedule.events:
                yield schedule.region, schedule.plugin, event
        return
    if not regions:  # every region's own events, projected from its published years
        basis = projection.basis_years(registry.years(level), year)
        by_region: dict[tuple[str, str], dict[int, list[Event]]] = {}
        for y in basis:
            for schedule in _schedules(registry, level, y):
                by_year = by_region.setdefault((schedule.region, schedule.plugin), {})
                by_year.setdefault(y, []).extend(schedule.events)
        for (code, plugin), by_year in by_region.items():
            if data_year in by_year:  # only what the last published year still has
                for event in projection.project(by_year, year):
                    yield code, plugin, event
        return
    plugin_of = {id(e): s.plugin for s in schedules for e in s.events}
    seen: set[int] = set()
    for region in regions:
        for event in schedule_view(registry, region, level, year).events:
            if id(event) not in seen:
                seen.add(id(event))
                yield event.region, plugin_of.get(id(event), ""), event


def _schedules(registry: Registry, level: ExamLevel, year: int) -> list[Schedule]:
    out: list[Schedule] = []
    for (_, lv, y), schedules in registry.schedules.items():
        if lv is level and y == year:
            out.extend(schedules)
    out.sort(key=lambda s: (s.region != NATIONAL_CODE, s.region))
    return out


__all__ = ["Deadline", "DeadlineTable", "LeadTime", "deadlines", "lead_time"]
