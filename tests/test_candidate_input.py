"""Bad candidate documents: one clear message naming the field and the fix."""

from __future__ import annotations

import enum
import json
from pathlib import Path

import attrs
import pytest

import kuaiji
from conftest import candidate
from kuaiji.errors import InputError


def problems(data: object) -> dict[str, str]:
    with pytest.raises(InputError) as err:
        kuaiji.candidate_from_dict(data)
    return {p.path: p.message for p in err.value.problems}


def test_valid_candidate_loads_with_defaults() -> None:
    c = kuaiji.candidate_from_dict({"name": "李四", "id_number": "x", "phone": "1", "region": "11"})
    assert c.id_type.value == "resident_id"
    assert c.education == () and c.collection is None


def test_unknown_enum_lists_the_allowed_values() -> None:
    found = problems(candidate(education=[{"mode": "full_time", "level": "phd"}]))
    assert found["education[0].level"].startswith(
        "expected one of high_school, secondary_vocational"
    )
    assert "'phd'" in found["education[0].level"]


def test_unknown_field_is_refused() -> None:
    assert problems(candidate(nickname="x")) == {"nickname": "unknown field"}
    assert "work.salary" in problems(candidate(work={"status": "accounting", "salary": 1}))


def test_missing_required_field() -> None:
    assert problems(candidate(phone=None)) == {"phone": "required field is missing"}


@pytest.mark.parametrize(
    ("change", "path", "expected"),
    [
        ({"name": 5}, "name", "expected a string, got a whole number"),
        (
            {"national_account": {"registered": "true"}},
            "national_account.registered",
            "expected true or false",
        ),
        (
            {"work": {"status": "accounting", "social_security_months": "12"}},
            "work.social_security_months",
            "expected a whole number",
        ),
        ({"birth_date": "1990-02-30"}, "birth_date", "expected a date YYYY-MM-DD"),
        ({"education": {"level": "bachelor"}}, "education", "expected"),
        (
            {"continuing_education": [{"year": 2023, "professional": True}]},
            "continuing_education[0].professional",
            "expected a number",
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
    assert problems([1, 2]) == {"": "expected a JSON object, got a list"}


def test_load_candidate_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x",', encoding="utf-8")
    with pytest.raises(InputError) as err:
        kuaiji.load_candidate(bad)
    assert err.value.source == str(bad)
    assert "invalid JSON" in str(err.value)
    with pytest.raises(InputError) as missing:
        kuaiji.load_candidate(tmp_path / "nope.json")
    assert "file not found" in str(missing.value)


def test_load_candidate_reads_utf8_json(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(candidate(), ensure_ascii=False), encoding="utf-8")
    assert kuaiji.load_candidate(path).name == "王芳"


def test_schema_matches_the_model() -> None:
    from kuaiji.schema import candidate_schema

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
    assert found == {"continuing_education[0].professional": "expected a finite number"}


class _Mode(str, enum.Enum):  # noqa: UP042 (the older spelling, on purpose)
    A = "a"


@attrs.frozen
class _Record:
    mode: _Mode


@pytest.mark.parametrize("value", ["b", ["a"], {"a": 1}, 1, None])
def test_a_str_enum_that_is_not_a_strenum_is_still_checked(value: object) -> None:
    """The converter serves other services' attrs classes too; ``class X(str, Enum)`` is as
    strict as a StrEnum."""
    from kuaiji.convert import structure

    assert structure({"mode": "a"}, _Record).mode is _Mode.A
    with pytest.raises(InputError) as err:
        structure({"mode": value}, _Record)
    assert [p.path for p in err.value.problems] == ["mode"]
    assert "expected one of a" in err.value.problems[0].message
