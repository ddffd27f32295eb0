"""Every national rule, on its passing and its failing side."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

import kuaiji
from helpers import bj, candidate, rules, run
from kuaiji.errors import InputError
from kuaiji.registry.manager import Registry


def finding(report: kuaiji.Report, rule: str) -> kuaiji.model.results.Finding:
    matches = [f for f in report.findings if f.rule == rule]
    assert len(matches) == 1, report.findings
    return matches[0]


def test_the_base_candidate_is_ready(registry: Registry, folder: Path) -> None:
    report = run(candidate(), registry, folder)
    assert report.verdict is kuaiji.Verdict.READY
    assert rules(report, "error") == set()
    assert rules(report, "warning") == set()


# --- identity ---


@pytest.mark.parametrize("name", ["", "   ", "王" * 31, "王\x00芳"])
def test_identity_name_fails(registry: Registry, folder: Path, name: str) -> None:
    assert "identity.name" in rules(run(candidate(name=name), registry, folder), "error")


def test_identity_name_of_30_characters_passes(registry: Registry, folder: Path) -> None:
    assert "identity.name" not in rules(run(candidate(name="王" * 30), registry, folder))


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("110105199003072345", "校验位"),
        ("11010519900307234", "18 位"),
        ("11010519901307234X", "出生日期"),  # month 13, with a valid check digit
        ("１１０１０５１９９００３０７２３４６", "全角"),
    ],
)
def test_identity_id_number_fails(registry: Registry, folder: Path, number: str, why: str) -> None:
    report = run(candidate(id_number=number), registry, folder)
    assert why in finding(report, "identity.id_number").message


def test_identity_id_number_accepts_a_lower_case_x(registry: Registry, folder: Path) -> None:
    from stdnum.cn import ric

    body = next(
        b
        for b in (f"11010519900313{i:03d}" for i in range(1000))
        if ric.calc_check_digit(b + "?") == "X"
    )
    number = body + "X"
    data = candidate(id_number=number.lower(), gender=None)
    assert "identity.id_number" not in rules(run(data, registry, folder))


def test_identity_id_number_must_agree_with_birth_date_and_gender(
    registry: Registry, folder: Path
) -> None:
    report = run(candidate(birth_date="1990-03-08", gender="male"), registry, folder)
    messages = {f.message for f in report.findings if f.rule == "identity.id_number"}
    assert messages == {"出生日期与身份证号码不一致", "性别与身份证号码不一致"}
    agreeing = candidate(birth_date="1990-03-07", gender="female")
    assert "identity.id_number" not in rules(run(agreeing, registry, folder))


def test_other_id_types_are_checked_for_format_only(registry: Registry, folder: Path) -> None:
    ok = candidate(id_type="passport", id_number="E12345678")
    assert "identity.id_number" not in rules(run(ok, registry, folder))
    bad = candidate(id_type="hk_macao_pass", id_number="H 1234-5678")
    assert "identity.id_number" in rules(run(bad, registry, folder), "error")


@pytest.mark.parametrize(
    "phone", ["1380013800", "23800138000", "138001380001", "１３８００１３８０００"]
)
def test_identity_phone_fails(registry: Registry, folder: Path, phone: str) -> None:
    assert "identity.phone" in rules(run(candidate(phone=phone), registry, folder), "error")


# --- national account ---


def test_account_national_missing_is_an_error_before_the_collection_cutoff(
    registry: Registry, folder: Path
) -> None:
    report = run(candidate(national_account=None), registry, folder)
    f = finding(report, "account.national")
    assert f.severity.value == "error"
    assert f.deadline == bj("2026-07-01 12:00")  # 2026 中级 national collection cutoff
    assert "3 个工作日" in (f.action or "")
    assert report.verdict is kuaiji.Verdict.NOT_READY


def test_account_national_unverified(registry: Registry, folder: Path) -> None:
    data = candidate(national_account={"registered": True, "real_name_verified": False})
    assert "实名认证" in finding(run(data, registry, folder), "account.national").message


def test_account_national_not_needed_in_the_kzp_era(registry: Registry, folder: Path) -> None:
    # 2024 中级: registration on kzp, collection on provincial platforms until 2024-08-14.
    report = run(
        candidate(national_account=None), registry, folder, year=2024, at="2024-06-20 10:00"
    )
    assert "account.national" not in rules(report)


# --- photo ---


def _save(
    folder: Path, name: str, size: tuple[int, int], fmt: str, mode: str = "RGB", noise: bool = True
) -> None:
    import random

    image = Image.new(mode, size)
    if noise:
        rnd = random.Random(1)
        image.putdata([tuple(rnd.randrange(256) for _ in mode) for _ in range(size[0] * size[1])])  # type: ignore[misc]
    image.save(folder / name, fmt)


def test_photo_missing_is_an_error(registry: Registry, folder: Path) -> None:
    data = candidate(photo=None, collection={"status": "none"})
    f = finding(run(data, registry, folder), "photo.spec")
    assert f.message == "缺少证件照" and f.severity.value == "error"


def test_photo_too_small_in_pixels(registry: Registry, folder: Path) -> None:
    _save(folder, "small.jpg", (200, 280), "JPEG")
    f = finding(run(candidate(photo={"path": "small.jpg"}), registry, folder), "photo.spec")
    assert "200×280" in f.message


def test_photo_under_10_kb(registry: Registry, folder: Path) -> None:
    _save(folder, "flat.jpg", (300, 420), "JPEG", noise=False)
    assert (folder / "flat.jpg").stat().st_size < 10 * 1024
    assert (
        "小于 10KB"
        in finding(
            run(candidate(photo={"path": "flat.jpg"}), registry, folder), "photo.spec"
        ).message
    )


def test_photo_png_renamed_jpg(registry: Registry, folder: Path) -> None:
    _save(folder, "renamed.jpg", (300, 420), "PNG")
    assert (
        "不符"
        in finding(
            run(candidate(photo={"path": "renamed.jpg"}), registry, folder), "photo.spec"
        ).message
    )


def test_photo_cmyk(registry: Registry, folder: Path) -> None:
    _save(folder, "cmyk.jpg", (300, 420), "JPEG", mode="CMYK")
    assert (
        "CMYK"
        in finding(
            run(candidate(photo={"path": "cmyk.jpg"}), registry, folder), "photo.spec"
        ).message
    )


def test_photo_receipt_code_outside_shenzhen(registry: Registry, folder: Path) -> None:
    f = finding(
        run(candidate(photo={"receipt_code": "12345678901"}), registry, folder), "photo.spec"
    )
    assert "回执码" in f.message


def test_photo_not_an_image_is_bad_input(registry: Registry, folder: Path) -> None:
    (folder / "notes.jpg").write_text("not a photo", encoding="utf-8")
    with pytest.raises(InputError) as err:
        run(candidate(photo={"path": "notes.jpg"}), registry, folder)
    assert err.value.problems[0].path == "photo.path"
    with pytest.raises(InputError):
        run(candidate(photo={"path": "missing.jpg"}), registry, folder)


def test_photo_outside_the_candidate_folder_is_refused(
    registry: Registry, folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    _save(outside, "p.jpg", (300, 420), "JPEG")
    (folder / "link.jpg").symlink_to(outside / "p.jpg")
    for path in ("link.jpg", str(outside / "p.jpg"), "../" + outside.name + "/p.jpg"):
        with pytest.raises(InputError) as err:
            run(candidate(photo={"path": path}), registry, folder)
        assert "文件夹之外" in str(err.value)


# --- collection ---


def test_collection_required_none_is_an_error_with_the_cutoff(
    registry: Registry, folder: Path
) -> None:
    f = finding(
        run(candidate(collection={"status": "none"}), registry, folder), "collection.required"
    )
    assert f.severity.value == "error" and f.deadline == bj("2026-07-01 12:00")
    assert f.url == "https://ausm.mof.gov.cn/index/"


def test_collection_required_submitted_is_pending(registry: Registry, folder: Path) -> None:
    report = run(candidate(collection={"status": "submitted"}), registry, folder)
    assert finding(report, "collection.required").severity.value == "pending"
    assert report.verdict is kuaiji.Verdict.PENDING and report.exit_code == 4


def test_collection_required_rejected_and_absent(registry: Registry, folder: Path) -> None:
    for data in (candidate(collection={"status": "rejected"}), candidate(collection=None)):
        assert "collection.required" in rules(run(data, registry, folder), "error")


def test_collection_requirement_unknown_is_a_warning(registry: Registry, folder: Path) -> None:
    # Beijing 2024 中级: seed 000's row says nothing; the warning says it is not known.
    report = run(candidate(collection=None), registry, folder, year=2024, at="2024-06-20 10:00")
    f = finding(report, "collection.required")
    assert f.severity.value == "warning" and "未说明" in f.message


def test_collection_not_needed_where_a_source_says_so(registry: Registry, folder: Path) -> None:
    # Gansu 2025 初级: "无需信息采集" (seed 002).
    data = candidate(region="620102", collection=None)
    report = run(data, registry, folder, exam="junior", year=2025, at="2025-01-10 10:00")
    assert "collection.required" not in rules(report)


def test_collection_deadline_passed_is_too_late(registry: Registry, folder: Path) -> None:
    report = run(
        candidate(collection={"status": "submitted"}), registry, folder, at="2026-07-01 12:00"
    )
    f = finding(report, "collection.deadline")
    assert f.deadline == bj("2026-07-01 12:00")
    assert report.verdict is kuaiji.Verdict.TOO_LATE
    approved = run(candidate(), registry, folder, at="2026-07-01 12:00")
    assert "collection.deadline" not in rules(approved)


def test_regional_cutoff_to_the_minute(registry: Registry, folder: Path) -> None:
    # Tianjin 2025 初级: collection by 2025-01-22 17:00 (seed 002).
    data = candidate(region="120101", collection={"status": "none", "region": "120101"})
    before = run(data, registry, folder, exam="junior", year=2025, at="2025-01-22 16:59")
    assert finding(before, "collection.required").deadline == bj("2025-01-22 17:00")
    assert before.verdict is kuaiji.Verdict.NOT_READY
    after = run(data, registry, folder, exam="junior", year=2025, at="2025-01-22 17:00")
    assert after.verdict is kuaiji.Verdict.TOO_LATE


def test_transfer_cross_province(registry: Registry, folder: Path) -> None:
    data = candidate(collection={"status": "approved", "region": "440305"})
    f = finding(run(data, registry, folder), "transfer.cross_province")
    assert "广东省" in f.message and "北京市" in f.message
    assert "全国会计人员统一服务管理平台" in (f.action or "")
    same_province = candidate(collection={"status": "approved", "region": "110108"})
    assert "transfer.cross_province" not in rules(run(same_province, registry, folder))


def test_unknown_record_region_is_bad_input(registry: Registry, folder: Path) -> None:
    with pytest.raises(InputError) as err:
        run(candidate(collection={"status": "approved", "region": "999999"}), registry, folder)
    assert err.value.problems[0].path == "collection.region"


def test_work_uscc(registry: Registry, folder: Path) -> None:
    good = candidate(
        work={
            "status": "accounting",
            "accounting_since": "2012-08-01",
            "uscc": "91110105MA01ABCD13",
        }
    )
    assert "work.uscc" not in rules(run(good, registry, folder))
    bad = candidate(
        work={
            "status": "accounting",
            "accounting_since": "2012-08-01",
            "uscc": "91110105MA01ABCD14",
        }
    )
    assert "校验位" in finding(run(bad, registry, folder), "work.uscc").message


# --- eligibility ---


def test_junior_needs_high_school(registry: Registry, folder: Path) -> None:
    none = run(candidate(education=None), registry, folder, exam="junior")
    assert "eligibility.education" in rules(none, "error")
    school = candidate(
        education=[
            {"mode": "full_time", "level": "secondary_vocational", "graduated": "2010-07-01"}
        ]
    )
    assert "eligibility.education" not in rules(run(school, registry, folder, exam="junior"))


def test_intermediate_needs_associate_or_a_qualification_route(
    registry: Registry, folder: Path
) -> None:
    high = candidate(
        education=[{"mode": "full_time", "level": "high_school", "graduated": "2005-07-01"}]
    )
    assert "eligibility.education" in rules(run(high, registry, folder), "error")
    route = dict(
        high, qualifications=[{"kind": "audit", "level": "intermediate", "method": "exam"}]
    )
    report = run(route, registry, folder)
    assert not {"eligibility.education", "eligibility.work_years"} & rules(report)
    review = dict(
        high, qualifications=[{"kind": "audit", "level": "intermediate", "method": "review"}]
    )
    assert "eligibility.education" in rules(run(review, registry, folder), "error")


def test_work_years_counted_from_full_time_graduation(registry: Registry, folder: Path) -> None:
    # Accounting since 2020 while studying full-time; bachelor 2023-07-01: 3 years to 2026-12-31.
    data = candidate(
        education=[{"mode": "full_time", "level": "bachelor", "graduated": "2023-07-01"}],
        work={"status": "accounting", "accounting_since": "2020-01-01"},
    )
    f = finding(run(data, registry, folder), "eligibility.work_years")
    assert "满 4 年" in f.message and "现为 3 年" in f.message
    assert "2027" in (f.action or "")


def test_work_years_boundary_is_12_31_of_the_exam_year(registry: Registry, folder: Path) -> None:
    edu = [{"mode": "full_time", "level": "bachelor", "graduated": "2022-07-01"}]
    exactly = candidate(
        education=edu, work={"status": "accounting", "accounting_since": "2022-12-31"}
    )
    assert "eligibility.work_years" not in rules(run(exactly, registry, folder))
    one_day_late = candidate(
        education=edu, work={"status": "accounting", "accounting_since": "2023-01-01"}
    )
    assert "eligibility.work_years" in rules(run(one_day_late, registry, folder), "error")


def test_work_years_by_level(registry: Registry, folder: Path) -> None:
    def short_of_years(level: str) -> bool:
        data = candidate(
            education=[{"mode": "full_time", "level": level, "graduated": "2025-06-30"}],
            work={"status": "accounting", "accounting_since": "2025-07-01"},
        )
        return "eligibility.work_years" in rules(run(data, registry, folder), "error")

    assert (
        short_of_years("associate")
        and short_of_years("bachelor")
        and short_of_years("second_bachelor")
    )
    assert not short_of_years("master")  # 1 year needed; 2025-07-01 → 2026-12-31 is 1.5
    assert not short_of_years("doctor")


def test_work_years_part_time_counts_before_and_after_with_the_conflict_visible(
    registry: Registry, folder: Path
) -> None:
    data = candidate(
        education=[{"mode": "part_time", "level": "bachelor", "graduated": "2025-01-01"}],
        work={"status": "accounting", "accounting_since": "2015-01-01"},
    )
    f = finding(run(data, registry, folder), "eligibility.work_years")
    assert f.severity.value == "info" and "8319318" in (f.source or "")


def test_work_years_without_a_start_date(registry: Registry, folder: Path) -> None:
    data = candidate(work={"status": "accounting"})
    assert (
        "accounting_since" in finding(run(data, registry, folder), "eligibility.work_years").message
    )


# --- the window ---


def test_window_before_opening(registry: Registry, folder: Path) -> None:
    f = finding(run(candidate(), registry, folder, at="2026-06-01 10:00"), "schedule.window")
    assert f.severity.value == "info" and "2026-06-12 00:00 开始" in f.message


def test_window_open_gives_time_left(registry: Registry, folder: Path) -> None:
    f = finding(run(candidate(), registry, folder, at="2026-06-30 09:00"), "schedule.window")
    assert "还剩 2 天 3 小时" in f.message and f.deadline == bj("2026-07-02 12:00")


def test_window_closed_is_too_late(registry: Registry, folder: Path) -> None:
    report = run(candidate(), registry, folder, at="2026-07-02 12:00")
    assert finding(report, "schedule.window").severity.value == "error"
    assert report.verdict is kuaiji.Verdict.TOO_LATE


def test_shanghai_two_phases_pause_between(registry: Registry, folder: Path) -> None:
    data = candidate(region="310104", collection={"status": "approved", "region": "310104"})

    def window(at: str) -> kuaiji.model.results.Finding:
        return finding(run(data, registry, folder, year=2024, at=at), "schedule.window")

    assert "第 1 阶段" in window("2024-06-21 23:59").message  # "6月21日24:00" is the end of 06-21
    paused = window("2024-06-22 00:00")
    assert (
        paused.severity.value == "info"
        and "暂停" in paused.message
        and "2024-06-28 10:00" in paused.message
    )
    assert "第 2 阶段" in window("2024-07-01 10:00").message
    assert window("2024-07-02 12:00").severity.value == "error"


def test_unpublished_year_warns_and_guesses_no_deadline(registry: Registry, folder: Path) -> None:
    report = run(
        candidate(collection={"status": "none"}), registry, folder, year=2027, at="2026-11-23 10:00"
    )
    f = finding(report, "schedule.window")
    assert f.severity.value == "warning" and "2027" in f.message and "2026" in f.message
    assert report.schedule.data_year == 2026 and not report.schedule.known
    assert all(f.deadline is None for f in report.findings)
    assert all(s.note and "2026" in s.note for s in report.steps if s.opens or s.closes)
