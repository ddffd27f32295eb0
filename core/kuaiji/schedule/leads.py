"""Lead times: what it takes to beat a deadline (a review "within N working days", a
transfer of "1–2 weeks"), turned into the latest safe start. One rule for every plugin."""

from __future__ import annotations

import datetime as dt

import attrs

from kuaiji.model import clock
from kuaiji.model.results import Event


@attrs.frozen
class LeadTime:
    """The latest moment to start something that must be done by an event's close."""

    moment: dt.datetime
    working_days: int = 0
    calendar_days: int = 0
    assumed_years: tuple[int, ...] = ()

    @property
    def text(self) -> str:
        parts = []
        if self.calendar_days:
            parts.append(f"需 {self.calendar_days} 天")
        if self.working_days:
            parts.append(f"需 {self.working_days} 个工作日")
        text = "、".join(parts)
        if self.assumed_years:
            years = "、".join(str(y) for y in self.assumed_years)
            text += f"（{years} 年的法定节假日未知，按周一至周五计）"
        return text


def lead_time(event: Event) -> LeadTime | None:
    """The latest safe start of ``event``, when its data gives what it takes."""
    if event.closes is None or not (event.working_days or event.calendar_days):
        return None
    moment = event.closes - dt.timedelta(days=event.calendar_days or 0)
    assumed: tuple[int, ...] = ()
    if event.working_days:
        answer = clock.workdays_before(moment, event.working_days)
        moment, assumed = answer.moment, answer.assumed_years
    return LeadTime(moment, event.working_days or 0, event.calendar_days or 0, assumed)
