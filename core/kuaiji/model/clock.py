"""Time rules, one implementation for the core and every plugin.

- Every moment is an aware datetime in Asia/Shanghai, to the minute.
- In data files a moment is written ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM`` (Beijing time).
  A date-only *end* means 23:59 of that day; a date-only *start* means 00:00.
  ``24:00`` means the end of that day (the next day at 00:00).
- Working days come from chinesecalendar (official holidays and make-up workdays);
  for a year it does not cover, Monday to Friday, and the result says so.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from zoneinfo import ZoneInfo

import attrs

from kuaiji.errors import InputError

SHANGHAI = ZoneInfo("Asia/Shanghai")

_DATA_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2}))?$")


def now() -> dt.datetime:
    """The current time in Asia/Shanghai, to the minute."""
    return dt.datetime.now(SHANGHAI).replace(second=0, microsecond=0)


def parse_data_moment(text: str, *, end: bool) -> dt.datetime:
    """Parse a moment written in a data file (see the module docstring).

    Raises ValueError with a readable message.
    """
    match = _DATA_MOMENT.match(text)
    if not match:
        raise ValueError(
            f"expected 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM' (Beijing time), got {text!r}"
        )
    day = dt.date.fromisoformat(match.group(1))
    if match.group(2) is None:
        clock = dt.time(23, 59) if end else dt.time(0, 0)
        return dt.datetime.combine(day, clock, SHANGHAI)
    hour, minute = int(match.group(2)), int(match.group(3))
    if hour == 24 and minute == 0:
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), SHANGHAI)
    if hour > 23 or minute > 59:
        raise ValueError(f"no such time of day in {text!r}")
    return dt.datetime.combine(day, dt.time(hour, minute), SHANGHAI)


def format_data_moment(moment: dt.datetime, *, end: bool) -> str:
    """The inverse of :func:`parse_data_moment`, for writing data files."""
    local = moment.astimezone(SHANGHAI)
    if end and local.time() == dt.time(0, 0):
        return f"{(local.date() - dt.timedelta(days=1)).isoformat()} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def parse_at(text: str) -> dt.datetime:
    """Parse an evaluation time given by a user (``--at``).

    ISO 8601; a date alone means 00:00; without an offset it means Asia/Shanghai.
    The result is converted to Asia/Shanghai and kept to the minute.
    """
    cleaned = text.strip()
    try:
        if len(cleaned) == 10:
            parsed = dt.datetime.combine(dt.date.fromisoformat(cleaned), dt.time(0, 0))
        else:
            parsed = dt.datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
    except ValueError:
        raise InputError.single(
            "--at",
            f"不是日期或时间：{text[:40]!r}",
            "写成 2024-06-28T10:00（北京时间）或 2024-06-28；也可带时区，如 2024-06-28T02:00+00:00",
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    return parsed.astimezone(SHANGHAI).replace(second=0, microsecond=0)


def iso(moment: dt.datetime | None) -> str | None:
    """RFC 3339 in Beijing time (``2026-07-02T12:00:00+08:00``: with seconds, as Go's
    ``time.RFC3339`` and Java's ``Instant.parse`` require); None stays None."""
    if moment is None:
        return None
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


def human(moment: dt.datetime) -> str:
    """``2024-07-02 12:00`` in Beijing time."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def countdown(start: dt.datetime, end: dt.datetime) -> str:
    """Time left from ``start`` to ``end`` in Chinese: ``还剩 2 天 3 小时``, or ``已过 …``."""
    delta = end - start
    past = delta < dt.timedelta(0)
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        text = f"{days} 天 {hours} 小时"
    elif hours:
        text = f"{hours} 小时 {mins} 分钟"
    else:
        text = f"{mins} 分钟"
    return f"已过 {text}" if past else f"还剩 {text}"


@attrs.frozen
class WorkdayAnswer:
    """A working-day computation and whether it had to assume Monday to Friday."""

    moment: dt.datetime
    assumed_years: tuple[int, ...] = ()

    @property
    def note(self) -> str | None:
        if not self.assumed_years:
            return None
        years = ", ".join(str(y) for y in self.assumed_years)
        return (
            f"{years} 年的法定节假日与调休数据未收录（chinesecalendar），按周一至周五计算工作日，"
            "请以官方公布为准"
        )


@functools.lru_cache(maxsize=8192)  # bounded: about 22 years of days
def is_workday(day: dt.date) -> tuple[bool, bool]:
    """Whether ``day`` is a working day in mainland China, and whether that was assumed.

    Returns ``(workday, assumed)``; ``assumed`` is True when chinesecalendar has no data
    for that year and Monday to Friday was used instead.
    """
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day)), False
    except NotImplementedError:
        return day.weekday() < 5, True


def workdays_before(deadline: dt.datetime, count: int) -> WorkdayAnswer:
    """The latest moment to start something that takes ``count`` working days and must
    be finished by ``deadline``.

    A review "within N working days" started at moment T on a working day is done by the
    same time of day N working days later. So step back over N working days counted
    from the deadline: the answer is the same time of day, on the working day that
    leaves N whole working days before the deadline's day (a deadline on a non-working
    day first moves back to the end of the previous working day).
    """
    assumed: set[int] = set()
    local = deadline.astimezone(SHANGHAI)
    day = local.date()
    workday, was_assumed = is_workday(day)
    if was_assumed:
        assumed.add(day.year)
    moment_time = local.timetz()
    if not workday:
        # Finish by the end of the last working day before the deadline.
        while True:
            day -= dt.timedelta(days=1)
            workday, was_assumed = is_workday(day)
            if was_assumed:
                assumed.add(day.year)
            if workday:
                break
        moment_time = dt.time(23, 59, tzinfo=SHANGHAI)
    remaining = count
    while remaining > 0:
        day -= dt.timedelta(days=1)
        workday, was_assumed = is_workday(day)
        if was_assumed:
            assumed.add(day.year)
        if workday:
            remaining -= 1
    moment = dt.datetime.combine(day, moment_time.replace(tzinfo=None), SHANGHAI)
    return WorkdayAnswer(moment, tuple(sorted(assumed)))


def workdays_after(start: dt.datetime, count: int) -> WorkdayAnswer:
    """When something that takes ``count`` working days, started at ``start``, is done."""
    assumed: set[int] = set()
    local = start.astimezone(SHANGHAI)
    day = local.date()
    remaining = count
    while remaining > 0:
        day += dt.timedelta(days=1)
        workday, was_assumed = is_workday(day)
        if was_assumed:
            assumed.add(day.year)
        if workday:
            remaining -= 1
    moment = dt.datetime.combine(day, local.time(), SHANGHAI)
    return WorkdayAnswer(moment, tuple(sorted(assumed)))
