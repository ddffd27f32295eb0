"""Resident ID numbers: the area code is where the number was issued, not where (or when)
the person was born, so a code newer than the birth year is valid (issue #14, item 1)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from stdnum.cn import ric

import kuaiji
from helpers import candidate, rules, run
from kuaiji.model.results import Severity
from kuaiji.registry.manager import Registry
from kuaiji.registry.regions import gbt2260


def number(code: str, born: dt.date, serial: int = 100) -> str:
    body = f"{code}{born:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "?")


def periods(entry: str) -> list[tuple[int | None, int | None]]:
    """``"[1983-1989]A,[1990-]B"`` → [(1983, 1989), (1990, None)]; no years → always."""
    out: list[tuple[int | None, int | None]] = []
    for name in entry.split(","):
        if not name.startswith("["):
            return [(None, None)]
        start, end = name[1:].split("]")[0].split("-")
        out.append((int(start) if start else None, int(end) if end else None))
    return out


def id_findings(report: kuaiji.Report) -> list[kuaiji.model.results.Finding]:
    return [f for f in report.findings if f.rule == "identity.id_number"]


def test_a_chongqing_number_of_someone_born_before_1997_is_valid(
    registry: Registry, folder: Path
) -> None:
    # 渝中区 500103: Chongqing's codes date from 1997; the holder was born in 1985.
    report = run(candidate(id_number="500103198506121002", gender=None), registry, folder)
    assert id_findings(report) == []
    assert report.verdict is kuaiji.Verdict.READY


def test_generated_numbers_over_many_codes_and_birth_years(registry: Registry) -> None:
    """Every county code with years, born before it existed, while it existed and after it
    was retired: valid unless retired before the birth year."""
    from kuaiji.national.identity import _resident_id_problem

    counties = gbt2260()[1]
    rng = random.Random(2260)
    today = dt.date(2026, 12, 1)
    newer_than_birth = retired_before_birth = checked = 0
    for code in rng.sample(sorted(counties), 1500):
        spans = periods(counties[code])
        starts = [s for s, _ in spans if s is not None]
        ends = [e for _, e in spans]
        retired = None if (not ends or None in ends) else max(e for e in ends if e is not None)
        for year in {1950, 1975, 1985, 1999, 2008, *(s - 3 for s in starts[:1])}:
            if year < 1900:
                continue
            problem = _resident_id_problem(number(code, dt.date(year, 3, 5)), today)
            checked += 1
            if retired is not None and retired < year:
                retired_before_birth += 1
                assert problem is not None and "停用" in problem, (code, year)
            else:
                if starts and min(starts) > year:
                    newer_than_birth += 1
                assert problem is None, (code, year, problem)
    assert checked > 6000
    assert newer_than_birth > 1000  # codes newer than the birth year are covered
    assert retired_before_birth > 100


def test_a_code_never_listed_is_a_warning_with_the_fix(registry: Registry, folder: Path) -> None:
    report = run(
        candidate(id_number=number("119999", dt.date(1990, 3, 7), 234), gender=None),
        registry,
        folder,
    )
    (found,) = id_findings(report)
    assert found.severity is Severity.WARNING
    assert "请核对前 6 位" in (found.action or "")
    assert "119999" not in found.message  # the code is personal data: only its province
    assert report.verdict is kuaiji.Verdict.READY


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"id_number": "500103198506121003"}, "校验位"),
        ({"id_number": number("110105", dt.date(2030, 1, 1))}, "晚于今天"),
    ],
)
def test_impossible_numbers_stay_errors(
    registry: Registry, folder: Path, changes: dict[str, str], why: str
) -> None:
    report = run(candidate(gender=None, **changes), registry, folder)
    (found,) = id_findings(report)
    assert found.severity is Severity.ERROR
    assert why in found.message
    assert "identity.id_number" in rules(report, "error")
