"""A verdict never contradicts its findings (issue #14, item 2): a record the region
requires to be approved and that is only submitted is ``pending``, never ``ready``; where
the requirement is unknown, a record held elsewhere is no worse than no record."""

from __future__ import annotations

from pathlib import Path

import pytest

import kuaiji
from helpers import bj, candidate, run
from kuaiji.model.results import ExamLevel, Severity
from kuaiji.registry.manager import Registry
from kuaiji.registry.schedules import schedule_view

BLOCKING = {Severity.ERROR, Severity.PENDING}


def regions_where(registry: Registry, level: ExamLevel, year: int, value: bool | None) -> list[str]:
    """Province codes whose merged schedule says collection is required (True), not (False)
    or does not say (None)."""
    found = []
    for code, j in sorted(registry.jurisdictions.items()):
        if len(code) != 2 or not j.exam_area:
            continue
        region = registry.resolve(code)
        fact = schedule_view(registry, region, level, year).collection_required
        if (fact.value if fact is not None else None) is value:
            found.append(code)
    return found


@pytest.mark.parametrize(
    ("level", "year", "at"),
    [  # before every regional collection cutoff of that exam
        ("intermediate", 2024, "2024-06-01 10:00"),
        ("junior", 2025, "2025-01-04 10:00"),
        ("intermediate", 2026, "2026-06-13 10:00"),
    ],
)
def test_submitted_where_approval_is_required_is_pending_everywhere(
    registry: Registry, folder: Path, level: str, year: int, at: str
) -> None:
    codes = regions_where(registry, ExamLevel(level), year, True)
    assert codes, "no region requires collection: the test would check nothing"
    for code in codes:
        data = candidate(region=code, collection={"status": "submitted", "region": code})
        report = run(data, registry, folder, exam=level, year=year, at=at)
        assert report.verdict is kuaiji.Verdict.PENDING, (code, report.findings)
        assert report.exit_code == 4
        pending = [f for f in report.findings if f.severity is Severity.PENDING]
        assert pending and all(f.source for f in pending)


def test_pending_past_the_record_deadline_is_too_late(registry: Registry, folder: Path) -> None:
    data = candidate(collection={"status": "submitted"})
    report = run(data, registry, folder, at="2026-07-01 12:30")  # cutoff 07-01 12:00
    assert report.verdict is kuaiji.Verdict.TOO_LATE


def test_a_verdict_is_ready_only_without_blocking_findings(
    registry: Registry, folder: Path
) -> None:
    for status in ("none", "submitted", "approved", "rejected"):
        for code in ("11", "13", "14", "50", "62"):
            data = candidate(region=code, collection={"status": status, "region": code})
            for year, at in ((2024, "2024-06-20 10:00"), (2026, "2026-06-20 10:00")):
                report = run(data, registry, folder, year=year, at=at)
                blocking = [f for f in report.findings if f.severity in BLOCKING]
                assert (report.verdict is kuaiji.Verdict.READY) == (not blocking), (
                    code,
                    status,
                    year,
                    report.verdict,
                    blocking,
                )
                if report.verdict is kuaiji.Verdict.READY:
                    assert not any("才能报名" in f.message for f in report.findings)


def test_where_the_requirement_is_unknown_a_record_elsewhere_is_no_worse_than_none(
    registry: Registry, folder: Path
) -> None:
    codes = regions_where(registry, ExamLevel.INTERMEDIATE, 2024, None)
    assert len(codes) >= 5
    for code in codes:
        other = "13" if code != "13" else "11"
        none = run(
            candidate(region=code, collection=None),
            registry,
            folder,
            year=2024,
            at="2024-06-20 10:00",
        )
        elsewhere = run(
            candidate(region=code, collection={"status": "approved", "region": other}),
            registry,
            folder,
            year=2024,
            at="2024-06-20 10:00",
        )
        order = [
            kuaiji.Verdict.READY,
            kuaiji.Verdict.PENDING,
            kuaiji.Verdict.NOT_READY,
            kuaiji.Verdict.TOO_LATE,
        ]
        assert order.index(elsewhere.verdict) <= order.index(none.verdict), code
        moved = [f for f in elsewhere.findings if f.rule == "transfer.cross_province"]
        assert moved and moved[0].severity is Severity.WARNING and "未说明" in moved[0].message


def test_the_unknown_requirement_cites_what_it_rests_on(registry: Registry, folder: Path) -> None:
    report = run(candidate(collection=None), registry, folder, year=2024, at="2024-06-20 10:00")
    (f,) = [f for f in report.findings if f.rule == "collection.required"]
    assert "seed:000" in (f.source or "")  # the recommendation to collect first is seed 000's
    assert f.deadline == bj("2024-07-02 12:00")


# --- the timeline and plans agree with the findings (item 6) ---


def test_a_record_in_another_province_is_not_done_and_its_transfer_is_a_step(
    registry: Registry, folder: Path
) -> None:
    # 呼和浩特 (150102) with the record in Hebei, 2024 中级 (Inner Mongolia requires it).
    data = candidate(region="150102", collection={"status": "approved", "region": "130102"})
    report = run(data, registry, folder, year=2024, at="2024-06-20 10:00")
    assert any(
        f.rule == "transfer.cross_province" and f.severity is Severity.ERROR
        for f in report.findings
    )
    collection = next(s for s in report.steps if s.id == "collection")
    assert collection.done is False
    move = next(s for s in report.steps if s.id == "transfer.cross_province")
    assert move.done is False and move.closes == bj("2024-07-02 12:00") and move.source
    assert report.steps.index(move) < report.steps.index(collection)


def test_no_step_is_titled_with_a_raw_id(registry: Registry, folder: Path) -> None:
    for code, held in (("110105", "130102"), ("430102", "430202"), ("230102", "110105")):
        for year, at in ((2024, "2024-06-01 10:00"), (2026, "2026-06-13 10:00")):
            data = candidate(region=code, collection={"status": "approved", "region": held})
            for step in run(data, registry, folder, year=year, at=at).steps:
                assert any("\u4e00" <= ch <= "\u9fff" for ch in step.title), step
                assert step.title not in ("change", "transfer", "collection", "registration")
                assert "?" not in (step.note or "")


def test_a_change_decision_never_contradicts_its_reason(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kuaiji_cli.main import main

    result = CliRunner().invoke(
        main,
        [
            "change",
            "examples/chen-jing-guangzhou.json",
            "--set",
            "name=王小芳",
            "--at",
            "2026-12-01",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    import json

    (decision,) = json.loads(result.output)["changes"]
    assert decision["decision"] == "in_person"
    assert "不能在网上" in decision["reason"]


def test_a_transfer_that_cannot_finish_exits_1_and_the_exam_counts_to_its_start() -> None:
    from click.testing import CliRunner

    from kuaiji_cli.main import main

    late = CliRunner().invoke(
        main,
        [
            "transfer",
            "examples/chen-jing-guangzhou.json",
            "--to",
            "430102",
            "--exam",
            "intermediate",
            "--year",
            "2024",
            "--at",
            "2024-06-11T10:00",
        ],
    )
    assert "来不及" in late.output and late.exit_code == 1, late.output
    assert "审核：0 个工作日" not in late.output
    report = CliRunner().invoke(
        main,
        [
            "precheck",
            "examples/wang-fang.json",
            "--exam",
            "intermediate",
            "--year",
            "2026",
            "--at",
            "2026-06-20T10:00",
        ],
    )
    exam = report.output.split("参加考试")[1].splitlines()[1]
    # 2026-09-05 00:00 is 76 days 14 hours after 06-20 10:00; the end (09-06 23:59) is not
    assert "76 天 14 小时后开始" in exam, exam


def test_a_url_of_low_reliability_is_marked_wherever_a_report_shows_it(
    registry: Registry, folder: Path
) -> None:
    from kuaiji_cli.render import report_text

    found = 0
    for code in registry.jurisdictions:
        if code == "CN":
            continue
        region = code if len(code) == 6 or code == "66" else code + "01" * ((6 - len(code)) // 2)
        low = registry.resolve(region).doubtful_urls
        if not low:
            continue
        data = candidate(region=region, collection={"status": "none"})
        for year, at in ((2024, "2024-06-01 10:00"), (2026, "2026-06-13 10:00")):
            report = run(data, registry, folder, year=year, at=at)
            text = report_text(report)
            rows = [*report.to_dict()["findings"], *report.to_dict()["steps"]]
            for row in rows:
                if row["url"] in low:
                    found += 1
                    assert row["url_reliability"] == "low"
            for url in low:
                for line in text.splitlines():
                    if url in line:
                        assert "可靠性低" in line, line
    assert found, "no low-reliability URL reached a report: the test would check nothing"


def test_a_region_that_needs_no_collection_is_told_so(registry: Registry, folder: Path) -> None:
    # 2025 初级: no collection before registering in Gansu, Shandong, Jiangxi, Henan (seed 002).
    for code in ("620102", "370102", "360102", "410102"):
        data = candidate(region=code, collection=None)
        report = run(data, registry, folder, exam="junior", year=2025, at="2025-01-10 10:00")
        step = next(s for s in report.steps if s.id == "collection")
        assert step.done is True and "无需信息采集" in step.title and step.source
        assert "collection.required" not in {f.rule for f in report.findings}
        notices = [
            f for f in report.findings if f.rule == "notice.regional" and f.severity.value == "info"
        ]
        assert "无需" in notices[0].message  # the region's own notice comes first


def test_a_photo_not_given_with_an_approved_record_is_not_checked_not_missing(
    registry: Registry, folder: Path
) -> None:
    approved = run(candidate(photo=None), registry, folder)
    (f,) = [f for f in approved.findings if f.rule == "photo.spec"]
    assert f.severity is Severity.INFO and "未提供，未检查" in f.message
    assert approved.verdict is kuaiji.Verdict.READY
    for collection in ({"status": "submitted"}, None, {"status": "approved", "region": "130102"}):
        report = run(candidate(photo=None, collection=collection), registry, folder)
        (f,) = [f for f in report.findings if f.rule == "photo.spec"]
        assert f.severity is Severity.ERROR and "缺少证件照" in f.message


def test_a_done_step_shows_no_latest_start(registry: Registry, folder: Path) -> None:
    from kuaiji_cli.render import report_text

    report = run(candidate(), registry, folder, at="2026-06-20 10:00")
    assert any(s.done and s.latest_start for s in report.steps)  # the case exists
    blocks = report_text(report).split("时间线：")[1].split("\n  ")
    for block in blocks:
        if block.startswith("✓"):
            assert "最晚开始" not in block, block


def test_change_takes_and_shows_chinese_field_names() -> None:
    from click.testing import CliRunner

    from kuaiji_cli.main import main

    result = CliRunner().invoke(
        main,
        [
            "change",
            "examples/chen-jing-guangzhou.json",
            "--set",
            "姓名=王小芳",
            "--at",
            "2026-12-01",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "姓名（name）：不能在网上变更" in result.output
