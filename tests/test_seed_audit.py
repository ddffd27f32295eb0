"""The seed audit (docs/seed-audit.md): every fact of the five seed documents that a row
gives a check is shown to a candidate of its region.

Each row's check reads ``REGION[/HELD] LEVEL YEAR AT [path=value …] -> MARKER``: the candidate
is examples/wang-fang.json (with its photo) in REGION, its record held in HELD (default: the
same region), with the listed fields of the candidate file replaced (``value`` is JSON, else a
plain string), checked by ``precheck`` for that exam at AT (Beijing time). Rows with the same
candidate and exam share one precheck. MARKER is one of:

- ``<rule id>``: a finding of that rule;
- ``rule:<id>~<text>``: a finding of that rule whose message or action contains ``text``;
- ``step:<id>`` or ``step:<id>~<text>``: a timeline step, whose title, platform, note or
  times (``<opens> 至 <closes>``, Beijing time) contain ``text``;
- ``text:<text>``: anywhere in the human-readable report;
- ``notice.regional:<id>``: a ``notice.regional`` finding whose message is the text of the
  requirement ``<id>`` that applies to the candidate (core/kuaiji/national/data/requirements.json);
- ``change:<field>~<text>``, ``transfer:<destination>~<text>``, ``recovery:<text>``: the
  human-readable answer of ``kuaiji change``, ``kuaiji transfer`` and ``kuaiji account
  reset`` for the same candidate.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from kuaiji.commands.accounts import account_recovery
from kuaiji.commands.plans import plan_change, plan_transfer
from kuaiji.commands.precheck import load_candidate, precheck
from kuaiji.model import clock
from kuaiji.model.results import FieldChange
from kuaiji.registry.manager import get_registry
from kuaiji_cli.render import change_text, recovery_text, report_text, transfer_text

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "seed-audit.md"
REQUIREMENTS = ROOT / "core" / "kuaiji" / "national" / "data" / "requirements.json"
EXAMPLE = ROOT / "examples" / "wang-fang.json"
PHOTO = ROOT / "examples" / "wang.jpg"

CHECK = re.compile(
    r"^(?P<region>[0-9]+)(?:/(?P<held>[0-9]+))? (?P<level>junior|intermediate) (?P<year>[0-9]{4}) "
    r"(?P<at>[0-9T:-]+)(?P<overrides>(?: [^ =]+=[^ ]+)*) -> (?P<marker>.+)$"
)
CJK = re.compile(r"[\u4e00-\u9fff]")
REQUIREMENT_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
QUOTE = '"'
COLUMNS = ["#", "seed", "region", "fact", "encoded where", "shown by", "check"]


# --- the table ---


def _table() -> list[dict[str, str]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| # |"))
    header = [cell.strip() for cell in lines[start].strip().strip("|").split("|")]
    assert header == COLUMNS, header
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == len(COLUMNS), f"a cell holds '|' or is missing: {line}"
        rows.append(dict(zip(COLUMNS, cells, strict=True)))
    return rows


ROWS = _table()


def _check(row: dict[str, str]) -> dict[str, Any] | None:
    text = row["check"].strip().strip("`").strip()
    if text == "-":
        return None
    match = CHECK.match(text)
    assert match, f"row {row['#']}: check not understood: {text!r}"
    overrides = []
    for item in match["overrides"].split():
        key, _, value = item.partition("=")
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
        overrides.append((key, json.dumps(parsed, ensure_ascii=False)))
    return {
        "candidate": (
            match["region"],
            match["held"] or match["region"],
            match["level"],
            int(match["year"]),
            match["at"],
            tuple(overrides),
        ),
        "marker": match["marker"].strip(),
    }


CHECKED = [(row, check) for row in ROWS if (check := _check(row)) is not None]
GROUPS: dict[tuple[Any, ...], list[tuple[dict[str, str], str]]] = defaultdict(list)
for _row, _c in CHECKED:
    GROUPS[_c["candidate"]].append((_row, _c["marker"]))


# --- requirements ---


def _requirements() -> list[dict[str, Any]]:
    """Every requirement of requirements.json with its schedule's region, level and year."""
    data = json.loads(REQUIREMENTS.read_text(encoding="utf-8"))
    return [
        {"region": s["region"], "level": s["level"], "year": s["year"], **r}
        for s in data["schedules"]
        for r in s.get("requirements", [])
    ]


def _applies(code: str, region: str) -> bool:
    return code == "CN" or region.startswith(code)


def _applicable(requirement_id: str, region: str, level: str, year: int) -> dict[str, Any]:
    """The requirement ``requirement_id`` a candidate of ``region`` sees: the one of the
    narrowest region on its chain (a narrower region's replaces a broader one's)."""
    found = [
        r
        for r in _requirements()
        if r["id"] == requirement_id
        and r["level"] == level
        and r["year"] == year
        and _applies(r["region"], region)
    ]
    assert found, f"no requirement {requirement_id!r} for {region} {level} {year}"
    return max(found, key=lambda r: 0 if r["region"] == "CN" else len(r["region"]))


# --- the candidate and what the commands say ---


def _candidate_file(folder: Path, key: tuple[Any, ...]) -> Path:
    region, held, _level, _year, _at, overrides = key
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["region"] = region
    data["collection"]["region"] = held
    for path, value in overrides:
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = json.loads(value)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(PHOTO, folder / PHOTO.name)
    path = folder / "candidate.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _step_text(step: Any) -> str:
    times = (
        f"{clock.human(step.opens) if step.opens else ''} 至 "
        f"{clock.human(step.closes) if step.closes else ''}"
    )
    return " | ".join(
        part for part in (step.title, step.platform, step.url, step.note, times) if part
    )


class Shown:
    """What one candidate is shown for one exam at one moment (commands run on demand)."""

    def __init__(self, folder: Path, key: tuple[Any, ...]) -> None:
        self.path = _candidate_file(folder, key)
        self.folder = folder
        self.region, _held, self.level, self.year, at, _ = key
        self.at = dt.datetime.fromisoformat(at)
        self.candidate = load_candidate(self.path)
        self.report = precheck(
            self.candidate, exam=self.level, year=self.year, at=self.at, base_dir=folder
        )
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = report_text(self.report)
        return self._text

    def problem(self, marker: str) -> str | None:
        """None when the marker is shown, else what is missing."""
        kind, _, rest = marker.partition(":")
        if kind == "notice.regional" and rest:
            requirement = _applicable(rest, self.region, self.level, self.year)
            messages = [f.message for f in self.report.findings if f.rule == "notice.regional"]
            if requirement["text"] in messages:
                return None
            return f"no notice.regional with the text of {rest!r}"
        if kind == "rule" and rest:
            rule, _, part = rest.partition("~")
            for f in self.report.findings:
                if f.rule == rule and part in f"{f.message} {f.action or ''}":
                    return None
            return f"no {rule} finding containing {part!r}"
        if kind == "step" and rest:
            step_id, _, part = rest.partition("~")
            for step in self.report.steps:
                if step.id == step_id and part in _step_text(step):
                    return None
            return f"no step {step_id!r} containing {part!r}"
        if kind == "text" and rest:
            return None if rest in self.text else f"{rest!r} not in the report"
        if kind == "change" and rest:
            field, _, part = rest.partition("~")
            plan = plan_change(
                self.candidate,
                [FieldChange(field, "x")],
                exam=self.level,
                year=self.year,
                at=self.at,
            )
            return None if part in change_text(plan) else f"{part!r} not in kuaiji change {field}"
        if kind == "transfer" and rest:
            destination, _, part = rest.partition("~")
            transfer = plan_transfer(
                self.candidate,
                destination,
                exam=self.level,
                year=self.year,
                at=self.at,
                base_dir=self.folder,
            )
            shown = transfer_text(transfer)
            return None if part in shown else f"{part!r} not in kuaiji transfer --to {destination}"
        if kind == "recovery" and rest:
            plan = account_recovery(self.region, at=self.at.replace(tzinfo=clock.SHANGHAI))
            return None if rest in recovery_text(plan) else f"{rest!r} not in kuaiji account reset"
        if any(f.rule == marker for f in self.report.findings):
            return None
        return f"no {marker} finding"


# --- tests ---


def test_the_table_has_rows_from_every_seed() -> None:
    seeds = {row["seed"] for row in ROWS}
    assert seeds == {"000", "001", "002", "003", "004"}
    assert [row["#"] for row in ROWS] == [str(i) for i in range(1, len(ROWS) + 1)]
    for row in ROWS:
        assert CJK.search(row["fact"]), f"row {row['#']}: the fact is quoted in Chinese"
        if _check(row) is None:
            assert row["shown by"], f"row {row['#']}: a row without check says why"


def _group_id(key: tuple[Any, ...]) -> str:
    region, held, level, year, at, overrides = key
    where = region if held == region else f"{region}/{held}"
    changed = "".join(f"+{path}={value.strip(QUOTE)[:16]}" for path, value in overrides)
    return f"{where}-{level}-{year}-{at}{changed}"


@pytest.mark.parametrize("key", sorted(GROUPS), ids=_group_id)
def test_every_checked_row_is_shown(key: tuple[Any, ...], tmp_path: Path) -> None:
    shown = Shown(tmp_path, key)
    missing = [
        f"row {row['#']} ({marker}): {problem}"
        for row, marker in GROUPS[key]
        if (problem := shown.problem(marker)) is not None
    ]
    assert not missing, "\n".join(missing)


def test_every_requirement_is_in_the_table() -> None:
    """Each requirement (per region, level and year) is the one some row's check sees."""
    seen = set()
    for _row, check in CHECKED:
        kind, _, rest = check["marker"].partition(":")
        if kind != "notice.regional":
            continue
        region, _held, level, year, _at, _ = check["candidate"]
        r = _applicable(rest, region, level, year)
        seen.add((r["region"], r["level"], r["year"], r["id"]))
    every = {(r["region"], r["level"], r["year"], r["id"]) for r in _requirements()}
    assert not every - seen, f"requirements no row shows: {sorted(every - seen)}"


def test_requirements_are_chinese_sourced_and_well_formed() -> None:
    for r in _requirements():
        where = f"{r['region']} {r['level']} {r['year']} {r['id']}"
        assert REQUIREMENT_ID.match(r["id"]), where
        assert CJK.search(r["text"]), where
        if r.get("action") is not None:
            assert CJK.search(r["action"]), where
        assert r.get("severity", "info") in ("info", "warning"), where
        assert r["source"].startswith(("seed:", "http://", "https://")), where


def test_no_two_requirements_share_an_id_in_one_schedule() -> None:
    """Within requirements.json, and across every data file merged into one schedule."""
    counts: dict[tuple[Any, ...], int] = defaultdict(int)
    for r in _requirements():
        counts[(r["region"], r["level"], r["year"], r["id"])] += 1
    assert [key for key, n in counts.items() if n > 1] == []
    registry = get_registry()
    for (region, level, year), schedules in registry.schedules.items():
        ids = [r.id for s in schedules for r in s.requirements]
        assert len(ids) == len(set(ids)), (region, level, year, ids)


def test_the_totals_in_the_intro_match_the_table() -> None:
    intro = DOC.read_text(encoding="utf-8").split("| # |")[0]
    match = re.search(r"After:\s*(\d+) facts, (\d+) encoded, (\d+) shown", intro)
    assert match, "the intro states the totals after: 'After: N facts, E encoded, S shown'"
    facts, _encoded, shown = map(int, match.groups())
    assert facts == len(ROWS)
    assert shown == len(CHECKED)
