"""The result's JSON Schema (kuaiji.io.result_schema) is what real reports are, and its ids
are stable: a renamed rule or step id fails the snapshot (regenerate it on purpose with
``KUAIJI_UPDATE_SNAPSHOT=1``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from helpers import BASE, candidate, run
from kuaiji.io.result_schema import result_schema
from kuaiji.registry.manager import Registry

SNAPSHOT = Path(__file__).parent / "snapshots" / "ids.json"

CASES: list[tuple[dict[str, Any], str, int, str]] = [
    (candidate(), "intermediate", 2026, "2026-06-20 10:00"),
    (candidate(collection=None), "junior", 2026, "2025-11-01 09:00"),
    (
        candidate(collection={"status": "submitted", "region": "110105"}),
        "junior",
        2027,
        "2026-12-01 10:00",
    ),
    (
        candidate(region="440305", collection={"status": "approved", "region": "440305"}),
        "intermediate",
        2025,
        "2025-06-01 10:00",
    ),
    (
        candidate(region="650102", collection={"status": "approved", "region": "650102"}),
        "intermediate",
        2024,
        "2024-06-20 10:00",
    ),
    (
        candidate(region="120101", collection={"status": "submitted", "region": "120101"}),
        "intermediate",
        2024,
        "2024-06-20 10:00",
    ),
    (
        candidate(region="430102", collection={"status": "approved", "region": "110105"}),
        "junior",
        2026,
        "2025-12-01 10:00",
    ),
]


@pytest.fixture(scope="module")
def everyone() -> Registry:
    return Registry()


def reports(registry: Registry, folder: Path) -> list[dict[str, Any]]:
    return [
        run(data, registry, folder, exam=exam, year=year, at=at).to_dict()
        for data, exam, year, at in CASES
    ]


def test_real_reports_validate_against_the_schema(everyone: Registry, folder: Path) -> None:
    checker = jsonschema.Draft202012Validator(
        result_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    found = reports(everyone, folder)
    assert {r["verdict"] for r in found} >= {"ready", "pending", "not_ready"}
    for report in found:
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in checker.iter_errors(report)]
        assert errors == []


def test_the_schema_refuses_what_a_service_could_not_parse(
    everyone: Registry, folder: Path
) -> None:
    checker = jsonschema.Draft202012Validator(
        result_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    report = reports(everyone, folder)[0]
    assert checker.is_valid(report)
    assert not checker.is_valid({**report, "verdict": "maybe"})
    assert not checker.is_valid({**report, "at": "2026-06-20T10:00+08:00"})  # no seconds
    assert not checker.is_valid({**report, "surprise": 1})


def test_rule_and_step_ids_are_a_visible_contract(everyone: Registry, folder: Path) -> None:
    rules = sorted({doc.rule for docs in everyone.rules.values() for doc in docs})
    steps = sorted({s["id"] for r in reports(everyone, folder) for s in r["steps"]})
    current = {"rules": rules, "steps": steps}
    if os.environ.get("KUAIJI_UPDATE_SNAPSHOT"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(
            json.dumps(current, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    assert current == json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert len(rules) > 25 and len(steps) > 5
    assert BASE["region"] == "110105"


def test_kuaiji_schema_result_prints_it() -> None:
    from helpers import kuaiji

    ran = kuaiji("schema", "--result")
    assert ran.returncode == 0 and json.loads(ran.stdout) == result_schema()
