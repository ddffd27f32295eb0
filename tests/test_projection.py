"""The next cycle seen in December (issue #14, item 3): a year not yet published is
projected and labelled 预计, never shown as past; the verdict judges the record; defaults
look at the next exam whose registration has not closed; a year before the data is refused."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

import kuaiji
from helpers import BASE, bj, candidate, run
from kuaiji.commands.deadlines import deadlines
from kuaiji.errors import InputError
from kuaiji.model.results import ExamLevel, Severity
from kuaiji.registry.manager import Registry
from kuaiji.registry.schedules import next_exam_year
from kuaiji_cli.main import main

DECEMBER = "2026-12-01 10:00"


def test_an_unpublished_year_is_projected_into_that_year_and_never_past(
    registry: Registry, folder: Path
) -> None:
    report = run(candidate(), registry, folder, exam="junior", year=2027, at=DECEMBER)
    assert not report.schedule.known and report.schedule.projected_from == (2024, 2025, 2026)
    dated = [s for s in report.steps if (s.opens or s.closes) and not s.done]
    assert dated
    for step in dated:
        assert step.projected and "预计" in step.title
        assert (step.closes or step.opens).year == 2027  # type: ignore[union-attr]
        assert (step.closes or step.opens) > report.at  # type: ignore[operator]
    registration = next(s for s in report.steps if s.id == "registration")
    # the earliest of 2024-01-05 / 2025-01-03 / 2026-01-05 and of 01-26 / 01-24 / 01-27 12:00
    assert registration.opens == bj("2027-01-03 08:00")
    assert registration.closes == bj("2027-01-24 12:00")


def test_a_prerequisite_keeps_its_lead_on_the_projected_close(
    registry: Registry, folder: Path
) -> None:
    # 2026 初级: collection 01-26 12:00, one day before registration closed (01-27 12:00).
    # Projected registration closes 2027-01-24 12:00, so collection by 01-23 12:00.
    report = run(candidate(), registry, folder, exam="junior", year=2027, at=DECEMBER)
    collection = report.schedule.first("collection")
    assert collection is not None and collection.closes == bj("2027-01-23 12:00")
    assert collection.closes < report.schedule.registration_closes  # type: ignore[operator]


def test_the_verdict_judges_the_record_and_says_the_window_is_unknown(
    registry: Registry, folder: Path
) -> None:
    ready = run(candidate(), registry, folder, exam="junior", year=2027, at=DECEMBER)
    assert ready.verdict is kuaiji.Verdict.READY
    window = next(f for f in ready.findings if f.rule == "schedule.window")
    assert window.severity is Severity.WARNING and "尚未公布" in window.message
    assert "预计" in window.message and window.source
    missing = run(
        candidate(collection=None), registry, folder, exam="junior", year=2027, at=DECEMBER
    )
    assert missing.verdict is kuaiji.Verdict.NOT_READY


def test_a_projected_window_that_has_passed_is_never_ready(
    registry: Registry, folder: Path
) -> None:
    report = run(candidate(), registry, folder, exam="junior", year=2027, at="2027-02-01 10:00")
    assert report.verdict is not kuaiji.Verdict.READY
    window = next(f for f in report.findings if f.rule == "schedule.window")
    assert "过时" in window.message and "rules update" in (window.action or "")


def test_stale_data_is_said_once_notices_usually_appear(registry: Registry, folder: Path) -> None:
    # 中级: provinces published local details by 04-10/04-11 in 2025 and 2026.
    report = run(candidate(), registry, folder, year=2027, at="2027-04-20 10:00")
    window = next(f for f in report.findings if f.rule == "schedule.window")
    assert "可能已过时" in window.message


def test_a_year_before_the_data_is_an_input_error(registry: Registry, folder: Path) -> None:
    with pytest.raises(InputError) as err:
        run(candidate(), registry, folder, exam="junior", year=2019)
    assert "2024" in str(err.value.describe())
    result = CliRunner().invoke(
        main, ["deadlines", "--year", "2019", "--at", "2026-12-01T10:00"], catch_exceptions=False
    )
    assert result.exit_code == 2 and "早于现有资料" in result.output
    assert "尚未公布" not in result.output


def test_defaults_look_at_the_next_exam_whose_registration_has_not_closed(
    registry: Registry,
) -> None:
    assert next_exam_year(registry, ExamLevel.JUNIOR, bj(DECEMBER)) == 2027
    assert next_exam_year(registry, ExamLevel.INTERMEDIATE, bj(DECEMBER)) == 2027
    assert next_exam_year(registry, ExamLevel.JUNIOR, bj("2026-01-10 10:00")) == 2026
    assert next_exam_year(registry, ExamLevel.INTERMEDIATE, bj("2026-06-20 10:00")) == 2026
    table = deadlines(regions=["11"], at=bj(DECEMBER), registry=registry)
    assert {d.year for d in table.deadlines} == {2027}
    assert all(d.projected and not d.past(table.at) for d in table.deadlines)
    assert all(d.moment.year in (2026, 2027) for d in table.deadlines)


def test_the_calendar_holds_only_future_labelled_estimates(tmp_path: Path) -> None:
    out = tmp_path / "d.ics"
    result = CliRunner().invoke(
        main,
        [
            "deadlines",
            "--region",
            "11",
            "--at",
            "2027-01-25T10:00",
            "--year",
            "2027",
            "--ics",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert events
    for event in events:
        assert str(event["SUMMARY"]).startswith("[预计]")
        assert event.decoded("DTSTART") > bj("2027-01-25 10:00")


def test_precheck_ics_of_an_unpublished_year_has_no_past_event(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text(
        json.dumps({**BASE, "collection": None}, ensure_ascii=False), encoding="utf-8"
    )
    (tmp_path / "wang.jpg").write_bytes(
        (Path(__file__).parent.parent / "examples/wang.jpg").read_bytes()
    )
    out = tmp_path / "me.ics"
    result = CliRunner().invoke(
        main,
        [
            "precheck",
            str(tmp_path / "c.json"),
            "--exam",
            "junior",
            "--year",
            "2027",
            "--at",
            "2027-01-10T10:00",
            "--ics",
            str(out),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "（已过" not in result.output  # no countdown into the past
    events = list(icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT"))
    assert events and all(e.decoded("DTSTART") > bj("2027-01-10 10:00") for e in events)
    assert all("预计" in str(e["SUMMARY"]) for e in events)


def test_the_candidates_calendar_puts_the_exam_at_its_start(tmp_path: Path) -> None:
    out = tmp_path / "me.ics"
    result = CliRunner().invoke(
        main,
        [
            "precheck",
            "examples/wang-fang.json",
            "--exam",
            "中级",
            "--year",
            "2026",
            "--at",
            "2026-06-20T10:00",
            "--ics",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    events = list(icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT"))
    exam = next(e for e in events if "参加考试" in str(e["SUMMARY"]))
    assert exam.decoded("DTSTART") == bj("2026-09-05 00:00")
    assert "（开始）" in str(exam["SUMMARY"])


def test_transfer_refuses_a_year_the_data_cannot_answer() -> None:
    result = CliRunner().invoke(
        main, ["transfer", "examples/chen-jing-guangzhou.json", "--to", "430102", "--year", "0"]
    )
    assert result.exit_code == 2, result.output


def test_a_transfer_for_an_unpublished_year_uses_the_projected_deadline() -> None:
    result = CliRunner().invoke(
        main,
        [
            "transfer",
            "examples/chen-jing-guangzhou.json",
            "--to",
            "430102",
            "--year",
            "2027",
            "--at",
            "2026-12-01T10:00",
            "--json",
        ],
    )
    plan = json.loads(result.output)
    assert plan["projected"] is True and plan["deadline"].startswith("2027-")
    assert any("预计" in note for note in plan["notes"])
