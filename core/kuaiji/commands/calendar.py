"""iCalendar (RFC 5545) files of deadlines and of a candidate's timeline.

Times carry ``TZID=Asia/Shanghai`` with its VTIMEZONE. UIDs are derived from what an
event *is* (region, exam, year, event id), never from its date, so importing a newer file
updates the events instead of duplicating them. Every event has two alarms, three days and
one day before. No personal data goes into a calendar.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import icalendar

from kuaiji.model import clock
from kuaiji.model.sources import readable, shown_note, source_text

if TYPE_CHECKING:
    from kuaiji.commands.deadlines import Deadline, DeadlineTable
    from kuaiji.commands.precheck import Report

PRODID = "-//kuaiji//kuaiji 会计考试报名截止提醒//ZH"
ALARMS = (dt.timedelta(days=3), dt.timedelta(days=1))
_URL = re.compile(r"https?://[^\s;，；]+")


def _uid(*parts: object) -> str:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:24]
    return f"{digest}@kuaiji"


def _calendar(name: str, produced_by: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    # Which kuaiji and which rules data produced it, so a calendar can be traced.
    calendar.add("x-wr-caldesc", f"由 {produced_by} 生成")
    return calendar


def _event(
    *,
    uid: str,
    summary: str,
    start: dt.datetime,
    end: dt.datetime | None,
    description: str,
    source: str | None,
    stamp: dt.datetime,
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", start.astimezone(clock.SHANGHAI))
    if end is not None and end > start:
        event.add("dtend", end.astimezone(clock.SHANGHAI))
    event.add("summary", summary)
    event.add("description", description)
    url = _URL.search(source or "")
    if url:
        event.add("url", url.group(0))
    for before in ALARMS:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", -before)
        alarm.add("description", f"{summary}（{before.days} 天后）")
        event.add_component(alarm)
    return event


def _finish(calendar: icalendar.Calendar) -> bytes:
    calendar.add_missing_timezones()
    data: bytes = calendar.to_ical()
    return data


def _lines(*parts: tuple[str, str | None]) -> str:
    """The description: Chinese, sources and notes as a person reads them (kuaiji.model.sources)."""
    return readable("\n".join(f"{label}：{value}" for label, value in parts if value))


def deadline_event(d: Deadline, index: int, stamp: dt.datetime) -> icalendar.Event:
    e = d.event
    prefix = "[预计] " if d.projected else ""
    summary = f"{prefix}{d.region_name} {d.year} 年{d.level.zh}：{d.title}"
    if d.lead is not None:
        summary += "（最晚开始）"
    marks = "；".join(
        m
        for m in (
            "推断值" if e.inferred else "",
            "来源可靠性低" if e.reliability.value == "low" else "",
        )
        if m
    )
    description = _lines(
        ("开始", clock.human(e.opens) if e.opens else None),
        ("截止", clock.human(e.closes) if e.closes else None),
        ("最晚开始", f"{clock.human(d.lead.moment)}（{d.lead.text}）" if d.lead else None),
        ("注意", marks or None),
        ("注意", "预计：该年安排尚未公布，日期是估计" if d.projected else None),
        ("说明", shown_note(e)),
        ("来源", source_text(e.source)),
    )
    is_exam = e.kind.value == "exam"
    return _event(
        uid=_uid("deadline", d.region, d.level.value, d.year, e.id, index),
        summary=summary,
        start=d.moment,
        end=e.closes if is_exam else None,
        description=description,
        source=e.source,
        stamp=stamp,
    )


def deadlines_calendar(table: DeadlineTable) -> bytes:
    """Every deadline of the table as an event (past ones too: a calendar is a record);
    estimates (预计) only while they lie ahead, never as past events."""
    names = "、".join(r.name for r in table.regions) or "全部地区"
    from kuaiji.registry.manager import get_registry
    from kuaiji.registry.provenance import provenance_text

    produced_by = provenance_text(get_registry())
    calendar = _calendar(f"kuaiji：会计资格考试截止时间（{names}）", produced_by)
    wanted = [d for d in table.deadlines if not d.projected or d.moment > table.at]
    for d, index in _indexed(wanted):
        calendar.add_component(deadline_event(d, index, table.at))
    return _finish(calendar)


def _indexed(deadlines: Iterable[Deadline]) -> Iterable[tuple[Deadline, int]]:
    """Number the events of one group (e.g. two registration phases) for their UIDs."""
    seen: dict[tuple[str, str, int, str], int] = {}
    for d in deadlines:
        key = (d.region, d.level.value, d.year, d.event.id)
        seen[key] = seen.get(key, -1) + 1
        yield d, seen[key]


def timeline_calendar(report: Report) -> bytes:
    """The candidate's steps still to do, each at its close (or opening), and a second
    event at its latest safe start when it needs time (a review, a transfer)."""
    from kuaiji.io.masking import mask_id

    region = report.region
    exam = f"{report.year} 年{report.level.zh}"
    from kuaiji.registry.provenance import describe

    calendar = _calendar(f"kuaiji：{exam} · {region.name}", describe(report.produced_by))
    who = mask_id(report.candidate.id_number)  # distinguishes candidates, reveals nothing new
    for step in report.steps:
        if step.done:
            continue
        # An exam is attended from its start; everything else is due by its close.
        attend = step.id == "exam" and step.opens is not None
        when = step.opens if attend else step.closes or step.opens
        if when is None or (step.projected and when <= report.at):
            continue  # an estimate that lies behind us is no event
        description = _lines(
            ("平台", " ".join(p for p in (step.platform, step.url) if p) or None),
            ("开始", clock.human(step.opens) if step.opens else None),
            ("截止", clock.human(step.closes) if step.closes else None),
            ("最晚开始", clock.human(step.latest_start) if step.latest_start else None),
            ("说明", step.note),
            ("来源", source_text(step.source)),
        )
        base = (who, region.code, report.level.value, report.year, step.id)
        calendar.add_component(
            _event(
                uid=_uid("step", *base),
                summary=f"{exam}：{step.title}"
                + ("（开始）" if attend or not step.closes else "（截止）"),
                start=when,
                end=None,
                description=description,
                source=step.url or step.source,
                stamp=report.at,
            )
        )
        if step.latest_start is not None and step.latest_start < when:
            calendar.add_component(
                _event(
                    uid=_uid("start", *base),
                    summary=f"{exam}：最晚开始 {step.title}",
                    start=step.latest_start,
                    end=None,
                    description=description,
                    source=step.url or step.source,
                    stamp=report.at,
                )
            )
    return _finish(calendar)
