"""Example cases that every plugin ships (yt-dlp style), and the one runner for them all.

A plugin keeps its cases in ``<package>/cases/*.json``, one case a file::

    {
      "description": "Guangzhou, no collection, after the 2025 初级 cutoff",
      "command": "precheck",                      # or "transfer" / "change"
      "exam": "junior", "year": 2025, "at": "2025-01-23T12:00",
      "candidate": { ... the candidate file ... },  # paths are relative to the cases folder
      "to": "430102",                             # transfer only
      "set": {"work.employer": "新公司"},          # change only
      "expect": {
        "verdict": "too_late",                    # precheck
        "rules": ["collection.deadline"],         # present (any severity)
        "absent": ["photo.spec"],                 # not present
        "deadlines": {"collection.deadline": "2025-01-23 12:00"},
        "severities": {"work.social_security": "warning"},
        "steps": ["gd.transfer_out.apply", "..."],# transfer: the step ids, exactly;
                                                  # precheck: these timeline steps, in order
        "absent_steps": ["transfer_in"],          # precheck: timeline steps not shown
        "feasible": false,                        # transfer
        "decisions": {"work.employer": "allowed"} # change
      }
    }

:func:`run_case` returns the list of mismatches (empty when the case passes).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

import attrs

from kuaiji.commands.plans import plan_change, plan_transfer
from kuaiji.commands.precheck import candidate_from_dict, precheck
from kuaiji.errors import DataError
from kuaiji.model import clock
from kuaiji.model.results import FieldChange
from kuaiji.registry.manager import Registry


@attrs.frozen
class Case:
    name: str
    folder: Path
    data: dict[str, Any]

    @property
    def description(self) -> str:
        return str(self.data.get("description", self.name))


def cases_folder(package: str) -> Traversable | None:
    """The ``cases/`` folder of a plugin package, if it has one; for a plugin that is a
    single module (``kuaiji_x.py``), the ``cases/`` folder beside it. The module already
    imported under that name is the one asked about (the validator imports a plugin from
    the folder it checks)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations is None:
        beside = Path(spec.origin).parent / "cases" if spec.origin else None
        return beside if beside is not None and beside.is_dir() else None
    folder = resources.files(package).joinpath("cases")
    return folder if folder.is_dir() else None


def load_cases(package: str) -> Iterator[Case]:
    folder = cases_folder(package)
    if folder is None:
        return
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise DataError(f"{package}/cases/{entry.name}：不是有效的 JSON（{exc}）") from None
        if not isinstance(data, dict) or "candidate" not in data or "expect" not in data:
            raise DataError(f"{package}/cases/{entry.name}：需要 candidate 和 expect 两项")
        yield Case(entry.name.removesuffix(".json"), Path(str(folder)), data)


def run_case(case: Case, registry: Registry) -> list[str]:
    """Run one case; return what differs from its expectations."""
    data, expect = case.data, case.data["expect"]
    candidate = candidate_from_dict(data["candidate"], source=case.name)
    at = clock.parse_at(data["at"]) if "at" in data else None
    command = data.get("command", "precheck")
    exam = data.get("exam", "intermediate")
    year = int(data["year"]) if "year" in data else None
    problems: list[str] = []
    if command == "precheck":
        if year is None:
            raise DataError(f"{case.name}：precheck 用例需要 year")
        report = precheck(
            candidate, exam=exam, year=year, at=at, base_dir=case.folder, registry=registry
        )
        found = {f.rule for f in report.findings}
        if "verdict" in expect and report.verdict.value != expect["verdict"]:
            problems.append(f"结论是 {report.verdict.value}，应为 {expect['verdict']}")
        problems += [f"缺少规则 {r}" for r in expect.get("rules", []) if r not in found]
        problems += [f"不应出现规则 {r}" for r in expect.get("absent", []) if r in found]
        for rule, when in expect.get("deadlines", {}).items():
            deadlines = {f.deadline for f in report.findings if f.rule == rule}
            if clock.parse_at(when) not in deadlines:
                shown = sorted(clock.human(d) for d in deadlines if d is not None)
                problems.append(f"{rule} 的截止时间是 {shown}，应为 {when}")
        for rule, severity in expect.get("severities", {}).items():
            got_severities = sorted({f.severity.value for f in report.findings if f.rule == rule})
            if severity not in got_severities:
                problems.append(f"{rule} 的级别是 {got_severities}，应为 {severity}")
        if "steps" in expect:
            timeline = [s.id for s in report.steps]
            if not _in_order(expect["steps"], timeline):
                problems.append(f"时间线是 {timeline}，应依次包含 {expect['steps']}")
        step_ids = {s.id for s in report.steps}
        problems += [f"不应出现步骤 {i}" for i in expect.get("absent_steps", []) if i in step_ids]
    elif command == "transfer":
        plan = plan_transfer(candidate, data["to"], exam=exam, year=year, at=at, registry=registry)
        ids = [s.id for s in plan.steps]
        if "steps" in expect and ids != expect["steps"]:
            problems.append(f"调转步骤是 {ids}，应为 {expect['steps']}")
        if "feasible" in expect and plan.feasible != expect["feasible"]:
            problems.append(f"feasible 是 {plan.feasible}，应为 {expect['feasible']}")
        if "latest_start" in expect and plan.latest_start != clock.parse_at(expect["latest_start"]):
            problems.append(
                f"最晚开始时间是 {clock.iso(plan.latest_start)}，应为 {expect['latest_start']}"
            )
        problems += [p.message for p in plan.problems]
    elif command == "change":
        changes = [FieldChange(k, str(v)) for k, v in data["set"].items()]
        plan_c = plan_change(candidate, changes, exam=exam, year=year, at=at, registry=registry)
        got = {d.field: d.decision.value for d in plan_c.decisions}
        for field, decision in expect.get("decisions", {}).items():
            if got.get(field) != decision:
                problems.append(f"{field} 的决定是 {got.get(field)}，应为 {decision}")
        problems += [p.message for p in plan_c.problems]
    else:
        problems.append(f"不认识的 command {command!r}：写 precheck、transfer 或 change")
    return problems


def _in_order(wanted: list[str], ids: list[str]) -> bool:
    """Whether ``wanted`` appear in ``ids`` in this order (others may come between)."""
    rest = iter(ids)
    return all(any(i == w for i in rest) for w in wanted)
