"""Time rules: data moments, --at parsing, countdowns and working days."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import bj
from kuaiji.errors import InputError
from kuaiji.model import clock


def test_date_only_end_is_2359_and_start_is_0000() -> None:
    assert clock.parse_data_moment("2024-07-02", end=True) == bj("2024-07-02 23:59")
    assert clock.parse_data_moment("2024-06-12", end=False) == bj("2024-06-12 00:00")


def test_2400_means_the_end_of_that_day() -> None:
    moment = clock.parse_data_moment("2024-06-21 24:00", end=True)
    assert moment == bj("2024-06-22 00:00")
    assert clock.format_data_moment(moment, end=True) == "2024-06-21 24:00"


@pytest.mark.parametrize(
    "text", ["2024-06-21 25:00", "2024-13-01", "2024-06-21T10:00+08:00", "June 1"]
)
def test_bad_data_moments_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        clock.parse_data_moment(text, end=True)


def test_at_without_offset_is_beijing_time() -> None:
    assert clock.parse_at("2024-06-28T10:00") == bj("2024-06-28 10:00")
    assert clock.parse_at("2024-06-28") == bj("2024-06-28 00:00")


def test_at_with_offset_is_converted_to_beijing_time() -> None:
    at = clock.parse_at("2024-06-28T02:00Z")
    assert at == bj("2024-06-28 10:00")
    assert clock.iso(at) == "2024-06-28T10:00:00+08:00"


def test_bad_at_names_the_option() -> None:
    with pytest.raises(InputError) as err:
        clock.parse_at("tomorrow")
    assert err.value.problems[0].path == "--at"


def test_countdown_in_chinese() -> None:
    assert clock.countdown(bj("2024-06-30 09:00"), bj("2024-07-02 12:00")) == "还剩 2 天 3 小时"
    assert clock.countdown(bj("2024-07-02 11:30"), bj("2024-07-02 12:00")) == "还剩 30 分钟"
    assert clock.countdown(bj("2024-07-02 13:00"), bj("2024-07-02 12:00")) == "已过 1 小时 0 分钟"


def test_review_across_national_day_2024_uses_official_holidays() -> None:
    # 2024: 10-01..10-07 holiday; 09-29 (Sun) and 10-12 (Sat) are make-up working days.
    assert clock.is_workday(dt.date(2024, 10, 12)) == (True, False)
    assert clock.is_workday(dt.date(2024, 10, 3)) == (False, False)
    done = clock.workdays_after(bj("2024-09-29 10:00"), 2)
    assert done.moment == bj("2024-10-08 10:00")  # 09-30 and 10-08 are the two working days
    assert done.note is None
    # Backwards: to be decided by 2024-10-12 10:00 (a make-up Saturday), apply by 10-10 10:00.
    assert clock.workdays_before(bj("2024-10-12 10:00"), 2).moment == bj("2024-10-10 10:00")


def test_workdays_before_a_deadline_on_a_holiday_finishes_the_previous_working_day() -> None:
    # 2024-10-05 is a holiday: the work must be done by the end of 09-30, so start 2 working days before.
    answer = clock.workdays_before(bj("2024-10-05 12:00"), 2)
    assert answer.moment == bj("2024-09-27 23:59")


def test_xinjiang_style_two_day_review_before_registration_close() -> None:
    # Registration closes Tue 2024-07-02 12:00: a 2-working-day review must start by Fri 06-28 12:00.
    assert clock.workdays_before(bj("2024-07-02 12:00"), 2).moment == bj("2024-06-28 12:00")


def test_year_outside_chinesecalendar_falls_back_to_weekdays_and_says_so() -> None:
    answer = clock.workdays_after(bj("2099-01-02 09:00"), 1)  # Friday
    assert answer.moment == bj("2099-01-05 09:00")  # Monday: the weekend is skipped
    assert answer.assumed_years == (2099,)
    assert answer.note is not None and "2099" in answer.note and "周一至周五" in answer.note
