"""Bad candidate documents: one clear message naming the field and the fix."""

from __future__ import annotations

import datetime as dt
import enum
import json
from pathlib import Path

import attrs
import pytest

import kuaiji
from helpers import candidate
from kuaiji.errors import InputError


def problems(data: object) -> dict[str, str]:
    with pytest.raises(InputError) as err:
        kuaiji.candidate_from_dict(data)
    return {p.path: p.message for p in err.value.problems}


def fixes(data: object) -> dict[str, str | None]:
    with pytest.raises(InputError) as err:
        kuaiji.candidate_from_dict(data)
    return {p.path: p.fix for p in err.value.problems}


def test_valid_candidate_loads_with_defaults() -> None:
    c = kuaiji.candidate_from_dict({"name": "李四", "id_number": "x", "phone": "1", "region": "11"})
    assert c.id_type.value == "resident_id"
    assert c.education == () and c.collection is None


def test_unknown_enum_lists_the_allowed_values() -> None:
    data = candidate(education=[{"mode": "full_time", "level": "phd"}])
    assert problems(data)["education[0].level"] == "不认识“phd”"
    fix = fixes(data)["education[0].level"]
    assert fix is not None
    assert fix.startswith("可写 高中、中专、大专、本科")
    assert "（或 high_school、secondary_vocational" in fix


def test_unknown_field_is_refused() -> None:
    assert problems(candidate(nickname="x")) == {"nickname": "不认识的字段"}
    assert "work.salary" in problems(candidate(work={"status": "accounting", "salary": 1}))


def test_missing_required_field() -> None:
    assert problems(candidate(phone=None)) == {"phone": "缺少必填字段"}
    assert fixes(candidate(phone=None)) == {"phone": '请填写 "phone"（手机号码）'}


@pytest.mark.parametrize(
    ("change", "path", "expected"),
    [
        ({"name": 5}, "name", "应为文字，现为整数"),
        (
            {"national_account": {"registered": "maybe"}},
            "national_account.registered",
            "应为 true 或 false",
        ),
        (
            {"work": {"status": "accounting", "social_security_months": "12"}},
            "work.social_security_months",
            "应为整数",
        ),
        ({"birth_date": "1990-02-30"}, "birth_date", "没有这一天"),
        ({"education": {"level": "bachelor"}}, "education", "应为列表"),
        (
            {"continuing_education": [{"year": 2023, "professional": True}]},
            "continuing_education[0].professional",
            "应为数字",
        ),
    ],
)
def test_wrong_types_name_the_path(change: dict[str, object], path: str, expected: str) -> None:
    found = problems(candidate(**change))
    assert path in found, found
    assert found[path].startswith(expected)


def test_every_problem_is_reported_at_once() -> None:
    found = problems(candidate(name=1, phone=2, extra=3))
    assert set(found) == {"name", "phone", "extra"}


def test_a_non_object_document() -> None:
    assert problems([1, 2]) == {"": "应为一个 JSON 对象 {…}，现为列表 […]"}


def test_load_candidate_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x",', encoding="utf-8")
    with pytest.raises(InputError) as err:
        kuaiji.load_candidate(bad)
    assert err.value.source == str(bad)
    assert "JSON 格式有误" in str(err.value)
    with pytest.raises(InputError) as missing:
        kuaiji.load_candidate(tmp_path / "nope.json")
    assert "找不到这个文件" in str(missing.value)


def test_load_candidate_reads_utf8_json(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(candidate(), ensure_ascii=False), encoding="utf-8")
    assert kuaiji.load_candidate(path).name == "王芳"


def test_schema_matches_the_model() -> None:
    from kuaiji.io.schema import candidate_schema

    schema = candidate_schema()
    assert schema["required"] == ["name", "id_number", "phone", "region"]
    assert schema["additionalProperties"] is False
    level = schema["properties"]["education"]["items"]["properties"]["level"]
    assert "second_bachelor" in level["enum"]
    assert set(schema["properties"]) == {a for a in candidate()} | {
        "id_type",
        "gender",
        "birth_date",
        "email",
        "qualifications",
        "continuing_education",
        "attachments",
        "provincial_review",
        "exemption",
        "foreign",
    }
    review = schema["properties"]["provincial_review"]["anyOf"][0]
    assert review["properties"]["applied"]["anyOf"][0]["format"] == "date-time"
    assert "财务管理" in schema["properties"]["exemption"]["description"]


def test_a_number_too_large_for_a_float_is_a_problem_not_a_crash() -> None:
    found = problems(candidate(continuing_education=[{"year": 2025, "professional": 10**400}]))
    assert found == {"continuing_education[0].professional": "数字太大"}


class _Mode(str, enum.Enum):  # noqa: UP042 (the older spelling, on purpose)
    A = "a"


@attrs.frozen
class _Record:
    mode: _Mode


@pytest.mark.parametrize("value", ["b", ["a"], {"a": 1}, 1, None])
def test_a_str_enum_that_is_not_a_strenum_is_still_checked(value: object) -> None:
    """The converter serves other services' attrs classes too; ``class X(str, Enum)`` is as
    strict as a StrEnum."""
    from kuaiji.io.convert import structure

    assert structure({"mode": "a"}, _Record).mode is _Mode.A
    with pytest.raises(InputError) as err:
        structure({"mode": value}, _Record)
    assert [p.path for p in err.value.problems] == ["mode"]
    assert err.value.problems[0].fix == "可写 a"


def test_a_loaded_candidate_reads_its_photo_beside_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import kuaiji
    from helpers import EXAMPLES

    folder = tmp_path / "people"
    folder.mkdir()
    shutil.copy(EXAMPLES / "wang-fang.json", folder / "wang-fang.json")
    shutil.copy(EXAMPLES / "wang.jpg", folder / "wang.jpg")
    monkeypatch.chdir(tmp_path)  # not where the file is
    report = kuaiji.precheck(
        kuaiji.load_candidate(folder / "wang-fang.json"), exam="中级", year=2026,
        at=dt.datetime(2026, 6, 20, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    )  # fmt: skip
    assert "photo.spec" not in {f.rule for f in report.findings if f.severity.value == "error"}


@pytest.mark.parametrize(
    ("facts", "error"),
    [
        ({"size_bytes": 34567, "width": 358, "height": 441, "format": "jpeg"}, None),
        ({"size_bytes": 34567, "width": 358, "height": 441, "format": "JPG"}, None),
        ({"size_bytes": 5000, "width": 200, "height": 300, "format": "png"}, "小于 10KB"),
        ({"size_bytes": 34567, "width": 358, "height": 441, "format": "gif"}, "须为 JPG 或 PNG"),
        ({"size_bytes": 34567, "width": 358}, "照片信息不全"),  # not all four: said, not ignored
    ],
)
def test_a_photo_can_be_given_as_facts_instead_of_a_file(
    facts: dict[str, object], error: str | None
) -> None:
    data = candidate(photo=facts, collection={"status": "none"})
    report = kuaiji.precheck(
        kuaiji.candidate_from_dict(data), exam="中级", year=2026,
        at=dt.datetime(2026, 6, 20, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    )  # fmt: skip
    found = [
        f.message for f in report.findings if f.rule == "photo.spec" and f.severity.value == "error"
    ]
    if error is None:
        assert found == []
    else:
        assert len(found) == 1 and error in found[0]
        assert "未读取文件" in found[0] or error == "照片信息不全"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"year": -5}, "--year"),
        ({"year": 2026.0}, "--year"),
        ({"year": True}, "--year"),
        ({"year": 2026, "at": 20260620}, "at"),
        ({"year": 2026, "at": "明天"}, "--at"),
        ({"year": 2026, "exam": 3}, "--exam"),
    ],
)
def test_the_library_refuses_bad_arguments_as_input_errors(
    arguments: dict[str, object], field: str
) -> None:
    data = kuaiji.candidate_from_dict(candidate(photo=None))
    with pytest.raises(InputError) as raised:
        kuaiji.precheck(data, **{"exam": "中级", **arguments})  # type: ignore[arg-type]
    assert raised.value.problems[0].path == field


def test_the_library_reads_a_time_written_as_text() -> None:
    data = kuaiji.candidate_from_dict(candidate(photo=None))
    report = kuaiji.precheck(data, exam="中级", year=2026, at="2026-06-20 10:00")
    assert report.at.isoformat() == "2026-06-20T10:00:00+08:00"
