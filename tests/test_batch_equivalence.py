"""The batch path gives the same answers as one precheck at a time (#21).

Batches take faster paths (decoding, structuring, remembered answers); these tests hold them
to the single precheck's answers on thousands of generated candidates — every exam region,
both levels, several moments of the year, people's own spellings — and on hostile
documents. If a fast path drifts (a verdict, a rule, a deadline, an error message), they
fail.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import candidate, counties
from helpers import EXAMPLES
from kuaiji import candidate_from_dict, precheck
from kuaiji.batch.check import check_chunk
from kuaiji.batch.options import Item, Options
from kuaiji.errors import InputError
from kuaiji.io.convert import HUGE_INTEGER
from kuaiji.io.masking import mask_id, mask_name
from kuaiji.model.clock import SHANGHAI, iso
from kuaiji.model.results import ExamLevel
from kuaiji.registry.manager import Registry

MOMENTS = [
    dt.datetime(2026, 1, 10, 9, 0, tzinfo=SHANGHAI),  # before the registration windows
    dt.datetime(2026, 3, 20, 16, 59, tzinfo=SHANGHAI),  # during some, a minute before closes
    dt.datetime(2026, 6, 20, 10, 0, tzinfo=SHANGHAI),
    dt.datetime(2026, 11, 30, 23, 59, tzinfo=SHANGHAI),  # after: too late, or next year's
]
CROWDED = ["110105", "440305", "440106", "650102", "120101", "430102", "310115"]
PROVINCES = [f"{p}0000" for p in ("11", "12", "31", "44", "65", "43", "51", "54", "71", "81")]

# What people write instead of the canonical values (every form the single path accepts).
SPELLINGS: list[tuple[tuple[str, ...], Any]] = [
    (("education", 0, "level"), "本科"),
    (("education", 0, "mode"), "全日制"),
    (("education", 0, "graduated"), "2012-7-1"),
    (("education", 0, "graduated"), "2012年7月1日"),
    (("work", "status"), "会计岗位"),
    (("work", "accounting_since"), "2013/08/01"),
    (("national_account", "registered"), "是"),
    (("national_account", "real_name_verified"), "否"),
    (("phone",), "+86 138-0013-8000"),
    (("phone",), "0086 13800138000"),
    (("phone",), "010-12345678"),
    (("collection", "status"), "审核通过"),
    (("collection", "status"), "待审核"),
    (("gender",), "女"),
    (("birth_date",), "1990-3-7"),
    (("continuing_education", 0, "professional"), 60),
    (("continuing_education", 0, "professional"), 59.5),
    (("continuing_education", 0, "in_progress"), True),
    (("id_type",), "身份证"),
    (("exemption",), "会计硕士"),
    (("foreign",), False),
    (("qualifications",), [{"kind": "会计", "level": "初级", "obtained": "2015-09-01"}]),
    (("provincial_review",), {"status": "已申请", "applied": "2026-03-01 10:00"}),
    (("provincial_review",), {"status": "applied", "applied": "2026-03-01T10:00:00+08:00"}),
    (("email",), "wang@example.com"),
    (("work", "employer"), "  某某公司  "),
    (("education", 0, "school"), None),
]


def _set(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    target: Any = data
    for key in path[:-1]:
        if isinstance(key, int):
            if not isinstance(target, list) or len(target) <= key:
                return
        elif key not in target or target[key] is None:
            return
        target = target[key]
    target[path[-1]] = value


def _people(count: int, seed: int) -> list[dict[str, Any]]:
    """Generated candidates: regions of the whole table, the provinces' own codes, and many
    in a few crowded regions (where a batch reuses answers), with a few of people's
    spellings each, some without a photo, some with an ID typed in lower case."""
    rng = random.Random(seed)
    regions = counties()
    found = []
    for number in range(count):
        data = candidate(rng, regions)
        if number % 7 == 0:  # the province code itself (a plugin's whole region)
            data["region"] = PROVINCES[number // 7 % len(PROVINCES)]
        elif number % 2 == 0:  # many in a few regions: answers a batch may reuse
            data["region"] = rng.choice(CROWDED)
        if data.get("collection") and number % 10:  # the record held where they are
            data["collection"]["region"] = data["region"]
        if number % 9 == 0:
            data.pop("photo", None)
        for path, value in rng.sample(SPELLINGS, k=rng.randrange(0, 4)):
            _set(data, path, value)
        if number % 13 == 12:  # the previous one's twin in all but one field
            field, value = TWINS[number // 13 % len(TWINS)]
            if field == "qualifications":  # where a qualification counts: below 大专
                found[-1]["education"] = [{"mode": "full_time", "level": "high_school"}]
            twin = json.loads(json.dumps(found[-1]))
            parent, _, inner = field.partition(".")
            if not inner:
                twin[field] = value
            elif isinstance(twin.get(parent), dict):  # one field of the record it holds
                twin[parent][inner] = value
            data = twin
        if number % 11 == 0:
            data["id_number"] = data["id_number"].lower() + " "
        found.append(data)
    return found


TWINS: list[tuple[str, Any]] = [  # one field that changes an answer, all else the same
    ("qualifications", [{"kind": "economics", "level": "intermediate", "obtained": "2018-11-01"}]),
    ("education", [{"mode": "full_time", "level": "high_school", "graduated": "2008-07-01"}]),
    ("collection", {"status": "submitted"}),
    ("collection.updated", "2019-01-01"),  # the same status: rules reading only it agree
    ("collection.region", "440305"),  # held elsewhere, the same status
    ("photo.receipt_code", "A1B2C3"),
    ("collection", None),
    ("national_account", {"registered": True, "real_name_verified": False}),
    ("national_account", None),
    ("photo", {"path": "missing.jpg"}),
    ("photo", None),
    ("work", {"status": "accounting", "accounting_since": "2025-09-01"}),
    ("provincial_review", {"status": "approved"}),
]


HOSTILE = [
    '{"name": NaN}',
    '{"name": "王芳", "id_number": Infinity}',
    '{"continuing_education": [{"year": 2025, "professional": 1e999}]}',
    '{"work": {"status": "accounting", "social_security_months": ' + "9" * 5000 + "}}",
    '{"work": {"status": "accounting", "social_security_months": 5000000000000000000}}',
    '{"work": {"status": "accounting", "social_security_months": 12.0}}',
    '{"name": "王芳", "name": "李四"}',
    '{"name": "\\ud800"}',
    "[" * 5000 + "]" * 5000,
    '"just a string"',
    "[]",
    "null",
    "{}",
    '{"name": 1, "id_number": true, "phone": [], "region": {}}',
    '{"unknown": 1}',
    '{"education": {"mode": "full_time"}}',
    '{"education": [null]}',
    '{"photo": {"path": "../../etc/passwd"}}',
    '{"id_type": null}',
    '{"birth_date": "1992-02-30"}',
    '{"birth_date": "2024-W10-1"}',
    '{"provincial_review": {"applied": "2026-03-01"}}',
    '{"national_account": {"registered": 1}}',
    '{"gender": "男性", "foreign": "否"}',
    "\ufeff{}",
    '{"name": "王芳"',
    '{"work": {"status": "accounting", "employer": "甲\\u2028乙", "uscc": "91\\u2029X"}}',
    '{"work": {"status": "accounting", "uscc": "\\ud800"}}',
]


def _complete(line: str) -> str:
    """A hostile line merged over a valid candidate when it is an object, so that the
    hostile part is what decides."""
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return line
    if not isinstance(data, dict) or line.count('"name"') > 1:
        return line
    base = _people(1, 3)[0]
    base.update(data)
    return json.dumps(base, ensure_ascii=False)


def _single(line: str, options: Options, registry: Registry, folder: Path) -> dict[str, Any]:
    """What one precheck (the library's own path) says of a line."""
    try:
        report = precheck(
            candidate_from_dict(json.loads(line)),
            exam=options.exam, year=options.year, at=options.at,
            base_dir=folder, registry=registry,
        )  # fmt: skip
    except InputError as exc:
        return {"verdict": "error", "error": exc.describe()}
    except (ValueError, RecursionError):  # JSON the line's own decoder refused
        return {"verdict": "error", "error": "JSON syntax"}
    return {
        "verdict": report.verdict.value,
        "region": report.region.code,
        "name": mask_name(report.candidate.name),
        "id_number": mask_id(report.candidate.id_number),
        "findings": [
            (f.rule, f.severity.value, f.plugin, f.message, f.action, iso(f.deadline), f.url)
            for f in report.findings
        ],
    }


def _batch(row: dict[str, Any]) -> dict[str, Any]:
    if row["verdict"] == "error":
        message = row["error"]
        syntax = message.startswith(("不是有效的 JSON", "JSON 嵌套", HUGE_INTEGER[0]))
        return {"verdict": "error", "error": "JSON syntax" if syntax else message}
    return {
        "verdict": row["verdict"],
        "region": row["region"],
        "name": row["name"],
        "id_number": row["id_number"],
        "findings": [
            (
                f["rule"],
                f["severity"],
                f["plugin"],
                f["message"],
                f["action"],
                f["deadline"],
                f["url"],
            )
            for f in row["findings"]
        ],
    }


def _compare(lines: list[str], registry: Registry, folder: Path) -> int:
    items = [Item(f"line {n}", line, str(folder)) for n, line in enumerate(lines, 1)]
    compared = 0
    for level in ExamLevel:
        for at in MOMENTS:
            options = Options(level, 2026, at)
            block, _ = check_chunk(items, options, registry)
            rows = [json.loads(r) for r in block.splitlines()]
            assert len(rows) == len(lines)  # records in = records out
            for line, row in zip(lines, rows, strict=True):
                expected = _single(line, options, registry, folder)
                assert _batch(row) == expected, (level, at, line[:300])
                compared += 1
    return compared


@pytest.fixture(scope="module")
def registry_all() -> Registry:
    """Every installed plugin (the five in-tree provinces), as a batch has them."""
    return Registry()


@pytest.fixture
def photo_folder(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "photo.jpg")
    return tmp_path


def test_the_batch_answers_as_one_precheck_at_a_time(
    photo_folder: Path, registry_all: Registry
) -> None:
    lines = [json.dumps(p, ensure_ascii=False) for p in _people(300, seed=21)]
    assert _compare(lines, registry_all, photo_folder) == 300 * 2 * len(MOMENTS)


@pytest.mark.slow
def test_the_batch_answers_as_one_precheck_at_a_time_on_many(
    photo_folder: Path, registry_all: Registry
) -> None:
    lines = [json.dumps(p, ensure_ascii=False) for p in _people(3000, seed=2101)]
    assert _compare(lines, registry_all, photo_folder) == 3000 * 2 * len(MOMENTS)


def test_hostile_documents_get_the_same_errors_in_a_batch(
    photo_folder: Path, registry_all: Registry
) -> None:
    lines = [_complete(line) for line in HOSTILE]
    _compare(lines, registry_all, photo_folder)


def test_a_batch_leaves_no_remembered_answers_behind(photo_folder: Path) -> None:
    """The rules' answers hold candidates' data: a batch run in a service's process (one
    process, no workers) drops them when it ends."""
    from kuaiji.batch import check
    from kuaiji.batch.pool import run

    lines = [json.dumps(p, ensure_ascii=False) for p in _people(20, seed=8)]
    items = [Item(f"line {n}", line, str(photo_folder)) for n, line in enumerate(lines, 1)]
    written: list[str] = []
    run(items, Options(ExamLevel.INTERMEDIATE, 2026, MOMENTS[2]), written.append)
    assert len("".join(written).splitlines()) == 20
    assert "memo" not in check._STATE
