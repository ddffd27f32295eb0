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
    """The ``cases/`` folder of a plugin package, if it has one."""
    try:
        folder = resources.files(package).joinpath("cases")
    except ModuleNotFoundError:
        return None
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
            raise DataError(f"{package}/cases/{entry.name}: not valid JSON ({exc})") from None
        if not isinstance(data, dict) or "candidate" not in data or "expect" not in data:
            raise DataError(f"{package}/cases/{entry.name}: needs 'candidate' and 'expect'")
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
            raise DataError(f"{case.name}: a precheck case needs 'year'")
        report = precheck(
            candidate, exam=exam, year=year, at=at, base_dir=case.folder, registry=registry
        )
        found = {f.rule for f in report.findings}
        if "verdict" in expect and report.verdict.value != expect["verdict"]:
            problems.append(f"verdict {report.verdict.value}, expected {expect['verdict']}")
        problems += [f"missing rule {r}" for r in expect.get("rules", []) if r not in found]
        problems += [f"unexpected rule {r}" for r in expect.get("absent", []) if r in found]
        for rule, when in expect.get("deadlines", {}).items():
            deadlines = {f.deadline for f in report.findings if f.rule == rule}
            if clock.parse_at(when) not in deadlines:
                shown = sorted(clock.human(d) for d in deadlines if d is not None)
                problems.append(f"{rule} deadline {shown}, expected {when}")
        for rule, severity in expect.get("severities", {}).items():
            got_severities = sorted({f.severity.value for f in report.findings if f.rule == rule})
            if severity not in got_severities:
                problems.append(f"{rule} severity {got_severities}, expected {severity}")
        if "steps" in expect:
            timeline = [s.id for s in report.steps]
            if not _in_order(expect["steps"], timeline):
                problems.append(f"timeline {timeline}, expected {expect['steps']} in this order")
        step_ids = {s.id for s in report.steps}
        problems += [
            f"unexpected step {i}" for i in expect.get("absent_steps", []) if i in step_ids
        ]
    elif command == "transfer":
        plan = plan_transfer(candidate, data["to"], exam=exam, year=year, at=at, registry=registry)
        ids = [s.id for s in plan.steps]
        if "steps" in expect and ids != expect["steps"]:
            problems.append(f"steps {ids}, expected {expect['steps']}")
        if "feasible" in expect and plan.feasible != expect["feasible"]:
            problems.append(f"feasible {plan.feasible}, expected {expect['feasible']}")
        if "latest_start" in expect and plan.latest_start != clock.parse_at(expect["latest_start"]):
            problems.append(
                f"latest_start {clock.iso(plan.latest_start)}, expected {expect['latest_start']}"
            )
        problems += [p.message for p in plan.problems]
    elif command == "change":
        changes = [FieldChange(k, str(v)) for k, v in data["set"].items()]
        plan_c = plan_change(candidate, changes, exam=exam, year=year, at=at, registry=registry)
        got = {d.field: d.decision.value for d in plan_c.decisions}
        for field, decision in expect.get("decisions", {}).items():
            if got.get(field) != decision:
                problems.append(f"{field}: {got.get(field)}, expected {decision}")
        problems += [p.message for p in plan_c.problems]
    else:
        problems.append(f"unknown command {command!r}")
    return problems


def _in_order(wanted: list[str], ids: list[str]) -> bool:
    """Whether ``wanted`` appear in ``ids`` in this order (others may come between)."""
    rest = iter(ids)
    return all(any(i == w for i in rest) for w in wanted)
