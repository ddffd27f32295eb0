"""Projected dates for an exam year whose notice is not published yet (预计).

In December people prepare for next year's 初级, whose dates are not out. kuaiji then shows
each event of the last published years moved to the year asked for, taking the earliest
of those years' dates (an estimate must never make a deadline look later than it has ever
been), each marked ``projected`` with its basis stated in Chinese. Nothing here is a fact:
the verdict never rests on a projected deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import attrs

from kuaiji.model import clock
from kuaiji.model.results import Event, EventKind, Reliability

BASIS_YEARS = 3  # the last three published years stand for the next one
FURTHEST = 10  # years after the last published one that may still be projected
# What a candidate must finish before registration closes: its projected cutoff keeps at
# least the lead it had on the registration close in any basis year.
PREREQUISITES = (EventKind.COLLECTION, EventKind.CHANGE, EventKind.TRANSFER, EventKind.REVIEW)


def basis_years(published: Sequence[int], year: int) -> tuple[int, ...]:
    """The published years a projection of ``year`` rests on (the last few before it)."""
    return tuple(sorted(y for y in published if y < year)[-BASIS_YEARS:])


def shift(moment: dt.datetime, years: int) -> dt.datetime:
    """The same month, day and time ``years`` later (29 February becomes the 28th)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def project(by_year: Mapping[int, Sequence[Event]], year: int) -> tuple[Event, ...]:
    """The events of the latest basis year, each moved to ``year`` at the earliest date any
    basis year had for it (matched by id and phase), labelled 预计 with the years it
    rests on."""
    if not by_year:
        return ()
    latest = max(by_year)
    closes = {y: _registration_closes(events) for y, events in by_year.items()}
    shifted = [shift(m, year - y) for y, m in closes.items() if m is not None]
    registration = min(shifted, default=None)
    out = []
    for event_id, phases in _groups(by_year[latest]).items():
        for index, event in enumerate(phases):
            seen = {
                y: group[index]
                for y, events in sorted(by_year.items())
                if len(group := _groups(events).get(event_id, ())) > index
            }
            # What had to be done before registration closed (a collection cutoff) keeps
            # at least its lead on the projected close, even if only one year gave it.
            leads = [
                registration - (c - e.closes)
                for y, e in seen.items()
                if event.kind in PREREQUISITES
                and registration is not None
                and e.closes is not None
                and (c := closes[y]) is not None
                and e.closes <= c
            ]
            out.append(_projected(event, seen, year, leads))
    return tuple(out)


def _registration_closes(events: Sequence[Event]) -> dt.datetime | None:
    phases = _groups(events).get("registration", [])
    return phases[-1].closes if phases else None


def _groups(events: Sequence[Event]) -> dict[str, list[Event]]:
    groups: dict[str, list[Event]] = {}
    for event in events:
        groups.setdefault(event.id, []).append(event)
    for phases in groups.values():
        phases.sort(key=lambda e: e.opens or e.closes or dt.datetime.max.replace(tzinfo=dt.UTC))
    return groups


def _projected(
    latest: Event, seen: Mapping[int, Event], year: int, leads: Sequence[dt.datetime]
) -> Event:
    def earliest(pick: str, also: Sequence[dt.datetime] = ()) -> dt.datetime | None:
        moments = [
            shift(m, year - y) for y, e in seen.items() if (m := getattr(e, pick)) is not None
        ]
        return min([*moments, *also], default=None) if getattr(latest, pick) else None

    past = "；".join(f"{y} 年 {_span(e)}" for y, e in seen.items())
    years = "、".join(str(y) for y in seen)
    sources = " ; ".join(dict.fromkeys(e.source for e in seen.values()))
    return attrs.evolve(
        latest,
        opens=earliest("opens"),
        closes=earliest("closes", leads),
        source=sources,
        inferred=True,
        reliability=Reliability.LOW,
        alternatives=(),
        note=f"预计：{year} 年安排尚未公布，按 {years} 年的日期推算，取其中最早的（{past}）",
        projected=True,
    )


def _span(event: Event) -> str:
    def short(moment: dt.datetime, whole_day: str) -> str:
        text = clock.human(moment)[5:]  # MM-DD HH:MM
        return text.removesuffix(whole_day)  # a day's start or end needs no time

    opens = short(event.opens, " 00:00") if event.opens else None
    closes = short(event.closes, " 23:59") if event.closes else None
    if opens and closes:
        return f"{opens} 至 {closes}"
    return opens or closes or "日期未知"
