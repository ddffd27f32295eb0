"""The Guangdong and Shenzhen plugins' quirks, beyond their example cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import helpers
import kuaiji
import kuaiji_guangdong
import kuaiji_shenzhen
from helpers import EXAMPLES, bj, candidate, rules
from kuaiji.model.results import FieldChange
from kuaiji.registry.manager import Registry


@pytest.fixture(scope="module")
def province() -> Registry:
    return Registry(
        [("guangdong", kuaiji_guangdong), ("shenzhen", kuaiji_shenzhen)],
        entry_points=False,
        strict=True,
    )


def gz(**changes: Any) -> dict[str, Any]:
    data = candidate(region="440106", collection={"status": "none", "region": "440106"}, **changes)
    data["attachments"] = {"id_card_front": "a.jpg", "id_card_back": "b.jpg"}
    return data


def check(
    data: dict[str, Any],
    registry: Registry,
    folder: Path,
    at: str = "2024-06-20 10:00",
    exam: str = "intermediate",
    year: int = 2024,
) -> kuaiji.Report:
    return kuaiji.precheck(
        kuaiji.candidate_from_dict(data),
        exam=exam,
        year=year,
        at=bj(at),
        base_dir=folder,
        registry=registry,
    )


def message(report: kuaiji.Report, rule: str) -> str:
    return " ".join(f.message for f in report.findings if f.rule == rule)


@pytest.mark.parametrize(
    ("work", "missing", "not_asked"),
    [
        (
            {"status": "accounting", "accounting_since": "2012-08-01"},
            ["work.post", "work.admin_position", "work.employer", "work.uscc", "work.phone"],
            ["work.residence_address", "work.school"],
        ),
        (
            {"status": "non_accounting"},
            ["work.employer", "work.industry", "work.address"],
            ["work.post", "work.accounting_since"],
        ),
        ({"status": "unemployed"}, ["work.residence_address"], ["work.employer", "work.post"]),
        ({"status": "student"}, ["work.school", "attachments.student_card"], ["work.employer"]),
    ],
)
def test_the_work_matrix_asks_only_what_applies(
    province: Registry, folder: Path, work: dict[str, Any], missing: list[str], not_asked: list[str]
) -> None:
    quals = [
        {"kind": "accounting", "level": "junior", "method": "exam"}
    ]  # in scope whatever the status
    report = check(gz(work=work, qualifications=quals), province, folder)
    text = message(report, "collection.work_fields") + message(report, "collection.uploads")
    for field in missing:
        assert field in text, (field, text)
    for field in not_asked:
        assert field not in text, (field, text)


def test_appointment_needs_a_date_once_a_title_is_given(province: Registry, folder: Path) -> None:
    full = {
        "status": "accounting",
        "accounting_since": "2012-08-01",
        "post": "出纳",
        "admin_position": "无",
        "employer": "某公司",
        "uscc": "91110105MA01ABCD13",
        "industry": "制造业",
        "economic_type": "私营",
        "address": "某路",
        "phone": "020-1",
    }
    assert "collection.work_fields" not in rules(check(gz(work=full), province, folder))
    titled = check(gz(work=dict(full, title="会计师")), province, folder)
    assert "work.title_appointed" in message(titled, "collection.work_fields")
    early = check(
        gz(work=dict(full, title="会计师", title_appointed="2010-01-01")), province, folder
    )
    assert "collection.appointment_date" in rules(early, "error")


def test_field_lengths(province: Registry, folder: Path) -> None:
    data = gz(
        email="a" * 45 + "@x.com",
        education=[
            {
                "mode": "full_time",
                "level": "bachelor",
                "graduated": "2012-07-01",
                "school": "校" * 31,
            }
        ],
    )
    text = message(check(data, province, folder), "collection.field_length")
    assert "email" in text and "education[0].school" in text


def test_the_guangdong_quirks_stop_when_the_national_platform_takes_over(
    province: Registry, folder: Path
) -> None:
    data = gz(work={"status": "accounting", "accounting_since": "2012-08-01"})
    before = check(data, province, folder, at="2024-08-14 10:00", year=2025, exam="junior")
    after = check(data, province, folder, at="2024-08-15 10:00", year=2025, exam="junior")
    assert "collection.work_fields" in rules(before) and "collection.work_fields" not in rules(
        after
    )
    required = [f for f in after.findings if f.rule == "collection.required"]
    assert required and required[0].url == "https://ausm.mof.gov.cn/index/"


def test_submitted_means_archived_only_on_the_guangdong_platform(
    province: Registry, folder: Path
) -> None:
    data = candidate(region="440106", collection={"status": "submitted", "region": "440106"})
    assert "collection.required" not in rules(check(data, province, folder))
    later = check(data, province, folder, at="2026-06-20 10:00", year=2026)
    assert [f.severity.value for f in later.findings if f.rule == "collection.required"] == [
        "pending"  # on the national platform a submitted record awaits its review
    ]


def test_change_on_the_guangdong_platform(province: Registry) -> None:
    data = kuaiji.candidate_from_dict(candidate(region="440106"))
    changes = [FieldChange(f, "x") for f in ("id_type", "gender", "name", "email", "region")]
    plan = kuaiji.plan_change(data, changes, at=bj("2024-05-20 10:00"), registry=province)
    assert {d.field: d.decision.value for d in plan.decisions} == {
        "id_type": "refused",
        "gender": "refused",
        "name": "refused",
        "email": "allowed",
        "region": "allowed",
    }
    assert all(d.plugin == "guangdong" for d in plan.decisions)
    national = kuaiji.plan_change(data, changes, at=bj("2025-05-20 10:00"), registry=province)
    assert {d.plugin for d in national.decisions} == {"national"}


def test_transfer_out_attachment_is_checked(province: Registry, tmp_path: Path) -> None:
    (tmp_path / "proof.png").write_bytes(b"x" * 10)
    data = candidate(
        region="440106",
        collection={"status": "approved", "region": "440106"},
        attachments={"transfer_proof": "proof.png"},
    )
    plan = kuaiji.plan_transfer(
        kuaiji.candidate_from_dict(data),
        "430102",
        at=bj("2024-05-20 10:00"),
        base_dir=tmp_path,
        registry=province,
    )
    assert "jpeg/jpg" in (plan.steps[0].note or "")


def test_shenzhen_receipt_code_replaces_the_photo_rule(province: Registry, folder: Path) -> None:
    base = candidate(region="440305", collection={"status": "approved", "region": "440305"})
    ok = check(dict(base, photo={"receipt_code": "12345678901"}), province, folder)
    assert ok.verdict is kuaiji.Verdict.READY and not {"photo.spec", "photo.receipt_code"} & rules(
        ok
    )
    for photo in (
        {"receipt_code": "1234567890"},
        {"receipt_code": "1234567890a"},
        {"path": "wang.jpg"},
        None,
    ):
        # no photo at all with an approved record is "not given, not checked" (see below)
        missing = dict(base, photo=None, collection={"status": "none", "region": "440305"})
        report = check(dict(base, photo=photo) if photo else missing, province, folder)
        found = [f for f in report.findings if f.rule == "photo.receipt_code"]
        assert (
            found and found[0].severity.value == "error" and "支付宝" in (found[0].action or "")
        ), photo
        assert "photo.spec" not in rules(report)


def test_shenzhen_receipt_code_not_given_with_an_approved_record_is_not_checked(
    province: Registry, folder: Path
) -> None:
    data = candidate(region="440305", collection={"status": "approved", "region": "440305"})
    report = check(dict(data, photo=None), province, folder)
    (found,) = [f for f in report.findings if f.rule == "photo.receipt_code"]
    assert found.severity.value == "info" and "未提供，未检查" in found.message
    assert report.verdict is kuaiji.Verdict.READY


def test_shenzhen_on_the_national_platform_checks_the_photo_file(
    province: Registry, folder: Path
) -> None:
    base = candidate(region="440305", collection={"status": "approved", "region": "440305"})
    code_only = check(
        dict(base, photo={"receipt_code": "12345678901"}),
        province,
        folder,
        at="2026-06-20 10:00",
        year=2026,
    )
    assert [f.severity.value for f in code_only.findings if f.rule == "photo.receipt_code"] == [
        "warning"
    ]
    missing = check(dict(base, photo=None), province, folder, at="2026-06-20 10:00", year=2026)
    assert [(f.rule, f.plugin) for f in missing.findings if f.rule.startswith("photo")] == [
        ("photo.spec", "shenzhen")
    ]


def test_shenzhen_timeline_has_the_receipt_step_before_collection(
    province: Registry, folder: Path
) -> None:
    data = candidate(region="440305", photo=None, collection={"status": "none", "region": "440305"})
    ids = [s.id for s in check(data, province, folder).steps]
    assert ids.index("photo.receipt_code") < ids.index("collection") < ids.index("registration")


def test_contacts_fall_back_from_district_to_city_to_province(province: Registry) -> None:
    assert [c.phones for c in province.resolve("440103").contacts] == [("020-81899453",)]
    assert (
        province.resolve("440402").contacts[0].code == "4404"
    )  # 香洲区 has no row: the city's office
    assert province.resolve("440305").contacts[0].plugin == "shenzhen"
    assert province.resolve("44").contacts[0].name == "省本级"
    assert province.resolve("110105").contacts == ()
    codes = [c.code for c in province.contacts if c.code]
    assert len(codes) == len(set(codes))
    from kuaiji.registry.regions import division_name

    assert all(division_name(code) for code in codes), "every contact code is a GB/T 2260 code"


def test_contacts_command() -> None:
    env = {"KUAIJI_NATIONAL_ONLY": None, "KUAIJI_PLUGINS": "guangdong,shenzhen"}
    out = helpers.kuaiji("contacts", "440305", "--json", env=env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["contacts"][0]["phones"] == ["0755-26662570"]
    bad = helpers.kuaiji("contacts", "火星", env=env)
    assert bad.returncode == 2 and "REGION" in bad.stderr


def test_examples_are_valid_candidate_files() -> None:
    for path in EXAMPLES.glob("*.json"):
        kuaiji.load_candidate(path)
