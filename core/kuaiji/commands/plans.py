"""The change and transfer plans: what to change, where and in which order, and when a
transfer can be done before the target region's deadline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from kuaiji.commands.precheck import aware, build_context, exam_level, finding_dict, plugin_finding
from kuaiji.io.convert import unstructure
from kuaiji.model import clock
from kuaiji.model.candidate import Candidate
from kuaiji.model.context import Context, Move, Region, ScheduleView
from kuaiji.model.results import (
    ChangeDecision,
    ExamLevel,
    FieldChange,
    Finding,
    TransferPhase,
    TransferStep,
)
from kuaiji.registry.manager import Registry, get_registry
from kuaiji.registry.schedules import next_exam_year, schedule_view


def _plan_context(
    candidate: Candidate,
    exam: ExamLevel | str,
    year: int | None,
    at: dt.datetime | None,
    base_dir: Path | None,
    registry: Registry,
) -> Context:
    """The context of a plan: no photo is read; the exam year defaults to the next exam
    whose registration has not closed at the evaluation time."""
    moment = clock.now() if at is None else aware(at)
    return build_context(
        candidate,
        exam=exam,
        year=next_exam_year(registry, exam_level(exam), moment) if year is None else year,
        at=moment,
        base_dir=base_dir,
        registry=registry,
        read_photo=False,
    )


@attrs.frozen
class ChangePlan:
    region: Region
    at: dt.datetime
    decisions: tuple[ChangeDecision, ...]
    problems: tuple[Finding, ...] = ()
    produced_by: dict[str, Any] = attrs.field(factory=dict, eq=False)  # kuaiji.registry.provenance

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": {
                "code": self.region.code,
                "name": self.region.name,
                "chain": list(self.region.plugins),
            },
            "at": clock.iso(self.at),
            "changes": [unstructure(d) for d in self.decisions],
            "problems": [finding_dict(f) for f in self.problems],
            "produced_by": self.produced_by,
        }


def plan_change(
    candidate: Candidate,
    changes: Sequence[FieldChange],
    *,
    exam: ExamLevel | str = ExamLevel.INTERMEDIATE,
    year: int | None = None,
    at: dt.datetime | None = None,
    registry: Registry | None = None,
) -> ChangePlan:
    """For each requested change of the record: allowed or refused, why, where and how.
    The most specific plugin's decision on a field wins."""
    registry = registry or get_registry()
    ctx = _plan_context(candidate, exam, year, at, None, registry)
    moment = ctx.at
    result = registry.call(
        "kuaiji_change", ctx.region.plugins, ChangeDecision, ctx=ctx, changes=tuple(changes)
    )
    decided: dict[str, ChangeDecision] = {}
    for _, records in result.records:
        for decision in records:
            decided[decision.field] = decision
    ordered = tuple(decided[c.field] for c in changes if c.field in decided)
    return ChangePlan(
        ctx.region,
        moment,
        ordered,
        tuple(plugin_finding(p) for p in result.problems),
        produced_by=registry.produced_by,
    )


@attrs.frozen
class TransferPlan:
    """The ordered steps of a move, and whether it can finish before the exam's deadline
    at the destination (``deadline``: its collection cutoff, else registration close)."""

    move: Move
    at: dt.datetime
    steps: tuple[TransferStep, ...]
    problems: tuple[Finding, ...] = ()
    deadline: dt.datetime | None = None
    deadline_source: str | None = None
    latest_start: dt.datetime | None = None
    feasible: bool | None = None  # None: not known (a step's duration or the deadline is unknown)
    notes: tuple[str, ...] = ()
    projected: bool = False  # the deadline is an estimate (预计) for a year not published
    produced_by: dict[str, Any] = attrs.field(factory=dict, eq=False)  # kuaiji.registry.provenance

    def to_dict(self) -> dict[str, Any]:
        def region(r: Region) -> dict[str, Any]:
            return {"code": r.code, "name": r.name, "chain": list(r.plugins)}

        return {
            "origin": region(self.move.origin),
            "destination": region(self.move.destination),
            "cross_province": self.move.cross_province,
            "at": clock.iso(self.at),
            "deadline": clock.iso(self.deadline),
            "deadline_source": self.deadline_source,
            "latest_start": clock.iso(self.latest_start),
            "feasible": self.feasible,
            "notes": list(self.notes),
            "projected": self.projected,
            "steps": [unstructure(s) for s in self.steps],
            "problems": [finding_dict(f) for f in self.problems],
            "produced_by": self.produced_by,
        }


def plan_transfer(
    candidate: Candidate,
    destination: str,
    *,
    exam: ExamLevel | str = ExamLevel.INTERMEDIATE,
    year: int | None = None,
    at: dt.datetime | None = None,
    base_dir: Path | None = None,
    registry: Registry | None = None,
) -> TransferPlan:
    """The steps to move the candidate's record (held in ``collection.region``, else
    ``region``) to ``destination``: transfer-out steps from the origin's chain, transfer-in
    and after steps from the destination's; the most specific plugin providing a phase
    gives that phase."""
    registry = registry or get_registry()
    ctx = _plan_context(candidate, exam, year, at, base_dir, registry)
    moment = ctx.at
    origin = ctx.record_region or ctx.region
    target = registry.resolve(destination, field="--to")
    move = Move(origin, target)
    plugins = _union(origin.plugins, target.plugins)
    result = registry.call("kuaiji_transfer", plugins, TransferStep, ctx=ctx, move=move)
    by_plugin = dict(result.records)
    steps: list[TransferStep] = []
    for phase, chain in (
        (TransferPhase.OUT, origin.plugins),
        (TransferPhase.IN, target.plugins),
        (TransferPhase.AFTER, target.plugins),
    ):
        chosen: tuple[TransferStep, ...] = ()
        for name in chain:
            mine = tuple(s for s in by_plugin.get(name, ()) if s.phase is phase)
            if mine:
                chosen = mine
        steps.extend(chosen)
    schedule = schedule_view(registry, target, ctx.level, ctx.year)
    timing = _transfer_timing(tuple(steps), schedule, moment)
    return TransferPlan(
        move,
        moment,
        tuple(steps),
        tuple(plugin_finding(p) for p in result.problems),
        *timing,
        projected=not schedule.known and timing[0] is not None,
        produced_by=registry.produced_by,
    )


def _transfer_timing(
    steps: tuple[TransferStep, ...], schedule: ScheduleView, at: dt.datetime
) -> tuple[dt.datetime | None, str | None, dt.datetime | None, bool | None, tuple[str, ...]]:
    """The destination's deadline, the latest safe start and whether the move fits."""
    notes: list[str] = []
    dated = schedule.known or bool(schedule.projected_from)  # published, or projected (预计)
    cutoff = schedule.first("collection") if dated else None
    if cutoff is not None and cutoff.closes is not None:
        deadline, source = cutoff.closes, cutoff.source
    elif dated and schedule.registration_closes is not None:
        deadline, source = schedule.registration_closes, schedule.registration[-1].source
    else:
        notes.append(f"{schedule.year} 年{schedule.level.zh}考试在调入地的截止时间未知")
        return None, None, None, None, tuple(notes)
    if not schedule.known:
        notes.append(f"截止时间为预计（{schedule.basis}），公布后以公布的为准")
    timed = [s for s in steps if s.working_days is not None or s.calendar_days is not None]
    complete = len(timed) >= len([s for s in steps if s.phase is not TransferPhase.AFTER])
    calendar_days = sum(s.calendar_days or 0 for s in steps)
    working_days = sum(s.working_days or 0 for s in steps)
    latest = deadline - dt.timedelta(days=calendar_days)
    answer = clock.workdays_before(latest, working_days) if working_days else None
    if answer is not None:
        latest = answer.moment
        if answer.note:
            notes.append(answer.note)
    if complete:
        feasible: bool | None = at <= latest
    else:
        # Only some durations are known: ``latest`` is an upper bound on the start.
        feasible = False if at > latest else None
        notes.append(
            "部分步骤所需时间无资料：最晚开始时间只计入已知的审核时间，实际须更早；请尽早办理"
        )
    if feasible is False:
        notes.append(
            f"按资料所列审核时间，{clock.human(at)} 开始已无法在 {clock.human(deadline)} 前完成"
        )
    return deadline, source, latest, feasible, tuple(notes)


def _union(*chains: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for chain in chains:
        out.extend(name for name in chain if name not in out)
    return tuple(out)
