"""Shared fixtures: a national-only registry, a valid candidate and a valid photo."""

from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

# Never read or write the user's rules cache: every test run (and its subprocesses) gets an
# empty one of its own.
os.environ["KUAIJI_CACHE_DIR"] = tempfile.mkdtemp(prefix="kuaiji-test-cache-")

import kuaiji
from kuaiji.clock import SHANGHAI
from kuaiji.plugins import Registry

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

BASE: dict[str, Any] = {
    "name": "王芳",
    "id_number": "110105199003072346",
    "phone": "13800138000",
    "region": "110105",
    "national_account": {"registered": True, "real_name_verified": True},
    "photo": {"path": "wang.jpg"},
    "education": [{"mode": "full_time", "level": "bachelor", "graduated": "2012-07-01"}],
    "work": {"status": "accounting", "accounting_since": "2012-08-01"},
    "collection": {"status": "approved", "region": "110105"},
}


def bj(text: str) -> dt.datetime:
    """A Beijing time written 'YYYY-MM-DD HH:MM'."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The national baseline alone: tests do not depend on which plugins are installed."""
    return Registry(entry_points=False, strict=True)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A candidate folder holding a valid photo (wang.jpg)."""
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "wang.jpg")
    return tmp_path


def candidate(**changes: Any) -> dict[str, Any]:
    """A valid Beijing candidate with ``changes`` applied (None removes a key)."""
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def run(
    data: dict[str, Any],
    registry: Registry,
    folder: Path,
    *,
    exam: str = "intermediate",
    year: int = 2026,
    at: str = "2026-06-20 10:00",
) -> kuaiji.Report:
    return kuaiji.precheck(
        kuaiji.candidate_from_dict(data),
        exam=exam,
        year=year,
        at=bj(at),
        base_dir=folder,
        registry=registry,
    )


def rules(report: kuaiji.Report, severity: str | None = None) -> set[str]:
    return {f.rule for f in report.findings if severity is None or f.severity.value == severity}
