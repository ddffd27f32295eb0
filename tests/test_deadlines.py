"""Deadlines: the table (sorted, sourced, past marked from --at), lead times as latest safe
starts, unknown years, and the iCalendar files of deadlines and of a candidate's timeline."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import icalendar
import pytest

from helpers import EXAMPLES, bj, kuaiji, kuaiji_process
from kuaiji.commands.deadlines import deadlines
from kuaiji.model.results import Event, EventKind
from kuaiji.registry.manager import Registry
from kuaiji.schedule.leads import lead_time

ALL = {"KUAIJI_NATIONAL_ONLY": "0"}


@pytest.fixture(scope="module")
def full() -> Registry:
    return Registry(strict=True)


def test_lead_time_across_national_day_counts_the_make_up_sunday() -> None:
    # To be decided by Tue 2024-10-08 10:00 after a 2-working-day review: 10-01..10-07 are
    # holidays, so the two working days are 09-30 and the make-up Sunday 09-29.
    event = Event("review", EventKind.REVIEW, "test", closes=bj("2024-10-08 10:00"), working_days=2)
    lead = lead_time(event)
    assert lead is not None and lead.moment == bj("2024-09-29 10:00")
    assert lead.text == "需 2 个工作日"


def test_lead_time_combines_calendar_and_working_days_and_flags_unknown_years() -> None:
    event = Event(
        "t",
        EventKind.TRANSFER,
        "test",
        closes=bj("2099-06-15 12:00"),
        calendar_days=7,
        working_days=1,
    )
    lead = lead_time(event)
    assert lead is not None
    assert lead.moment == bj("2099-06-05 12:00")  # 06-08 (Mon) minus one working day = Fri 06-05
    assert lead.assumed_years == (2099,) and "周一至周五" in lead.text
    assert lead_time(Event("x", EventKind.OTHER, "test", closes=bj("2024-01-01 00:00"))) is None


def test_shenzhen_2024_intermediate_is_sorted_sourced_and_marked_from_at(full: Registry) -> None:
    table = deadlines(
        regions=["4403"],
        exams=["intermediate"],
        years=[2024],
        at=bj("2024-07-02 13:00"),
        registry=full,
    )
    moments = [d.moment for d in table.deadlines]
    assert moments == sorted(moments)
    assert all(d.event.source for d in table.deadlines)
    by_id = {d.event.id: d for d in table.deadlines}
    assert by_id["registration"].past(table.at)  # closed 12:00
    assert not by_id["payment"].past(table.at)  # 18:00
    assert by_id["payment"].soon(table.at)
    assert by_id["exam"].moment == bj("2024-09-07 00:00")


def test_xinjiang_review_is_listed_at_its_latest_safe_start(full: Registry) -> None:
    table = deadlines(
        regions=["65"],
        exams=["intermediate"],
        years=[2024],
        at=bj("2024-06-20 10:00"),
        registry=full,
    )
    review = next(d for d in table.deadlines if d.event.id == "review")
    assert review.lead is not None and review.moment == bj("2024-06-28 12:00")
    assert review.event.closes == bj("2024-07-02 12:00")
    row = review.to_dict(table.at)
    assert row["latest_start"] == "2024-06-28T12:00:00+08:00" and row["plugin"] == "xinjiang"


def test_shanghai_phases_and_the_2400_end(full: Registry) -> None:
    table = deadlines(
        regions=["31"],
        exams=["intermediate"],
        years=[2024],
        at=bj("2024-06-22 08:00"),
        registry=full,
    )
    phases = [d for d in table.deadlines if d.event.id == "registration"]
    assert [p.event.closes for p in phases] == [bj("2024-06-22 00:00"), bj("2024-07-02 12:00")]
    assert phases[0].past(table.at) and not phases[1].past(table.at)  # paused, not closed


def test_unknown_year_says_so_and_shows_the_last_known_year(full: Registry) -> None:
    table = deadlines(exams=["junior"], years=[2027], at=bj("2026-11-23 10:00"), registry=full)
    assert any("2027 年初级安排尚未公布" in n and "2026" in n for n in table.notes)
    assert table.deadlines and all(not d.known and d.data_year == 2026 for d in table.deadlines)
    assert not any(d.past(table.at) for d in table.deadlines)  # a reference is never "past"


def test_all_regions_list_each_event_once(full: Registry) -> None:
    table = deadlines(
        exams=["intermediate"], years=[2024], at=bj("2024-06-01 10:00"), registry=full
    )
    keys = [(d.region, d.event.id, d.event.opens, d.event.closes) for d in table.deadlines]
    assert len(keys) == len(set(keys))
    regions = {d.region for d in table.deadlines}
    assert {"CN", "31", "65", "43"} <= regions


def test_cli_human_and_json(tmp_path: Path) -> None:
    args = ["deadlines", "--region", "4403", "--exam", "intermediate", "--year", "2024"]
    human = kuaiji(*args, "--at", "2024-07-01T10:00", env=ALL)
    assert human.returncode == 0, human.stderr
    assert "还剩 1 天 2 小时" in human.stdout and "⚠ 72h" in human.stdout
    assert human.stdout.count("来源：") >= 4
    data = json.loads(kuaiji(*args, "--at", "2024-07-01T10:00", "--json", env=ALL).stdout)
    assert data["regions"] == [{"code": "4403", "name": "广东省深圳市"}]
    assert all(row["source"] for row in data["deadlines"])
    bad = kuaiji("deadlines", "--region", "火星", env=ALL)
    assert bad.returncode == 2 and "--region" in bad.stderr


def _read(path: Path) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(path.read_bytes())


def test_ics_of_deadlines_parses_back_with_alarms_and_stable_uids(tmp_path: Path) -> None:
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    args = [
        "deadlines",
        "--region",
        "31",
        "--region",
        "65",
        "--exam",
        "intermediate",
        "--year",
        "2024",
    ]
    assert kuaiji(*args, "--at", "2024-06-01T10:00", "--ics", str(first), env=ALL).returncode == 0
    assert kuaiji(*args, "--at", "2024-06-25T10:00", "--ics", str(second), env=ALL).returncode == 0
    events = list(_read(first).walk("VEVENT"))
    data = json.loads(kuaiji(*args, "--at", "2024-06-01T10:00", "--json", env=ALL).stdout)
    assert len(events) == len(data["deadlines"])
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)  # Shanghai's two phases are two events
    assert uids == [str(e["UID"]) for e in _read(second).walk("VEVENT")]  # re-import updates
    for event in events:
        start = event.decoded("DTSTART")
        assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(hours=8)
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        triggers = sorted(a.decoded("TRIGGER") for a in event.walk("VALARM"))
        assert triggers == [dt.timedelta(days=-3), dt.timedelta(days=-1)]
        assert "来源：" in str(event["DESCRIPTION"])
    review = next(e for e in events if "资格审核" in str(e["SUMMARY"]))
    assert review.decoded("DTSTART") == bj("2024-06-28 12:00")
    phase_one = next(e for e in events if e.decoded("DTSTART") == bj("2024-06-22 00:00"))
    assert "上海" in str(phase_one["SUMMARY"])
    assert any(str(e.get("URL", "")).startswith("http") for e in events)
    assert list(_read(first).walk("VTIMEZONE"))


@pytest.mark.slow
def test_ics_is_the_same_whatever_the_machine_time_zone(tmp_path: Path) -> None:
    """A real process per time zone: the machine's zone is read once, at start."""
    args = [
        "deadlines",
        "--region",
        "65",
        "--exam",
        "intermediate",
        "--year",
        "2024",
        "--at",
        "2024-06-01T10:00",
    ]
    outputs = []
    for tz in ("UTC", "America/New_York", "Asia/Kolkata"):
        path = tmp_path / f"{tz.replace('/', '_')}.ics"
        assert kuaiji_process(*args, "--ics", str(path), env={**ALL, "TZ": tz}).returncode == 0
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_precheck_ics_holds_the_candidates_own_steps_and_no_personal_data(tmp_path: Path) -> None:
    path = tmp_path / "me.ics"
    example = EXAMPLES / "aygul-urumqi.json"
    result = kuaiji(
        "precheck",
        str(example),
        "--exam",
        "intermediate",
        "--year",
        "2024",
        "--at",
        "2024-06-21T10:00",
        "--ics",
        str(path),
        env=ALL,
    )
    assert result.returncode == 1, result.stderr
    events = list(_read(path).walk("VEVENT"))
    summaries = [str(e["SUMMARY"]) for e in events]
    assert any("报名资格审核" in s for s in summaries)
    assert not any("实名认证" in s for s in summaries)  # done in the file: not a reminder
    starts = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in events}
    assert starts[
        "2024 年中级：在新疆会计人员服务平台申请报名资格审核（上传社保证明，2 个工作日内完成）（截止）"
    ] == bj("2024-06-28 12:00")
    text = path.read_text(encoding="utf-8")
    candidate = json.loads(example.read_text(encoding="utf-8"))
    for secret in (candidate["name"], candidate["id_number"], candidate["phone"]):
        assert secret not in text
    for event in events:
        assert len(list(event.walk("VALARM"))) == 2


def test_precheck_ics_lists_latest_starts_for_steps_that_need_time(tmp_path: Path) -> None:
    data = json.loads((EXAMPLES / "aygul-urumqi.json").read_text(encoding="utf-8"))
    data["national_account"] = {"registered": True, "real_name_verified": False}
    source = tmp_path / "c.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "wang.jpg").write_bytes((EXAMPLES / "wang.jpg").read_bytes())
    path = tmp_path / "me.ics"
    kuaiji(
        "precheck",
        str(source),
        "--exam",
        "intermediate",
        "--year",
        "2024",
        "--at",
        "2024-06-21T10:00",
        "--ics",
        str(path),
        env=ALL,
    )
    starts = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in _read(path).walk("VEVENT")}
    latest = [s for s in starts if s.startswith("2024 年中级：最晚开始") and "实名认证" in s]
    assert latest and starts[latest[0]] == bj(
        "2024-06-25 12:00"
    )  # 3 working days before 06-28 12:00


def test_ics_into_a_missing_folder_is_bad_input(tmp_path: Path) -> None:
    result = kuaiji("deadlines", "--region", "65", "--ics", str(tmp_path / "no" / "x.ics"), env=ALL)
    assert result.returncode == 2 and "--ics" in result.stderr
