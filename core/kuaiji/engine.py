"""The precheck: resolve the region, merge the schedule, call the hooks on the chain,
apply overrides, merge the timeline and decide the verdict."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from kuaiji import clock, projection
from kuaiji.context import Context, Move, Region, ScheduleView
from kuaiji.convert import structure, unstructure
from kuaiji.errors import InputError
from kuaiji.masking import mask_id, mask_name, mask_phone, scrub_text
from kuaiji.models import Candidate
from kuaiji.photo import inspect as inspect_photo
from kuaiji.plugins import HookResult, PluginProblem, Registry, get_registry
from kuaiji.records import (
    NATIONAL_CODE,
    ChangeDecision,
    Event,
    ExamLevel,
    FieldChange,
    Finding,
    Requirement,
    Severity,
    Step,
    TransferPhase,
    TransferStep,
)

CHECK_HOOKS = ("kuaiji_registration", "kuaiji_collection", "kuaiji_exam_precheck")
PLUGIN_ERROR = "plugin.error"


class Verdict(enum.StrEnum):
    """The answer services key on (README, "The contract")."""

    READY = "ready"  # nothing blocks registration (exit code 0)
    PENDING = "pending"  # only a review of what was submitted remains (exit code 4)
    NOT_READY = "not_ready"  # the candidate must still act (exit code 1)
    TOO_LATE = "too_late"  # a blocking deadline has passed (exit code 1)


EXIT_CODES = {Verdict.READY: 0, Verdict.NOT_READY: 1, Verdict.TOO_LATE: 1, Verdict.PENDING: 4}


# --- loading candidates ---


def load_candidate(path: str | Path) -> Candidate:
    """Read a candidate JSON file; :class:`InputError` names the file and every bad field.

    UTF-8, with or without the BOM Windows Notepad writes. Any other encoding (UTF-16, GBK /
    GB18030) is one error naming it and how to save the file as UTF-8."""
    where = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError.single(
            "", "找不到这个文件", "检查路径和文件名（可用 kuaiji init 新建考生文件）", source=where
        ) from None
    except IsADirectoryError:
        raise InputError.single(
            "", "这是一个文件夹，不是文件", "给出考生文件（.json）的路径", source=where
        ) from None
    except PermissionError:
        raise InputError.single(
            "", "没有读取这个文件的权限", "检查文件权限", source=where
        ) from None
    except OSError as exc:
        raise InputError.single(
            "", f"无法读取文件（{type(exc).__name__}）", "检查路径和磁盘", source=where
        ) from None
    from kuaiji.convert import decode_text

    return parse_candidate(decode_text(raw, source=where), source=where)


def parse_candidate(text: str, *, source: str = "<stdin>") -> Candidate:
    """A candidate from JSON text (a leading BOM is dropped); JSON errors in Chinese."""
    from kuaiji.convert import parse_json

    return candidate_from_dict(parse_json(text, source=source), source=source)


def candidate_from_dict(data: Any, *, source: str | None = None) -> Candidate:
    """A candidate from a JSON-like dict (English values, or their Chinese words; lenient
    dates, phones and ID numbers): :class:`InputError` in Chinese names every bad field."""
    return structure(data, Candidate, source=source)


# --- the schedule along a chain ---


def data_year_for(registry: Registry, level: ExamLevel, year: int) -> int | None:
    """The year whose dates stand for ``year``: itself when published, else the last
    published year before it (a projection rests on it and the years before); None when
    there is no data at all. A year before the data, or too far after it, is an input
    error (exit 2)."""
    years = registry.years(level)
    if not years:
        return None
    check_year(registry, level, year)
    return year if year in years else max(y for y in years if y < year)


def check_year(registry: Registry, level: ExamLevel, year: object, field: str = "--year") -> int:
    """``year`` as an exam year the data can answer for, else :class:`InputError`."""
    if not isinstance(year, int) or isinstance(year, bool):
        raise InputError.single(field, f"年份应为整数，现为 {year!r}", "写成 4 位数字，如 2027")
    years = registry.years(level)
    if years and year < years[0]:
        raise InputError.single(
            field,
            f"{year} 年早于现有资料（{level.zh}最早为 {years[0]} 年）",
            f"kuaiji 只回答 {years[0]} 年及以后的考试",
        )
    if years and year > years[-1] + projection.FURTHEST:
        raise InputError.single(
            field,
            f"{year} 年太远（现有资料到 {years[-1]} 年）",
            f"最多可推算到 {years[-1] + projection.FURTHEST} 年",
        )
    return year


def next_exam_year(registry: Registry, level: ExamLevel, at: dt.datetime) -> int:
    """The exam people prepare for at ``at``: the first year whose registration (published,
    else projected) has not closed yet. In December that is next year's 初级."""
    years = registry.years(level)
    if not years:
        return at.year
    root = registry.jurisdictions[NATIONAL_CODE]
    national = Region(NATIONAL_CODE, root.name, (root,))
    for year in range(max(years[0], at.year - 1), years[-1] + projection.FURTHEST + 1):
        closes = schedule_view(registry, national, level, year).registration_closes
        if closes is None or closes > at:
            return year
    return years[-1] + projection.FURTHEST


def schedule_view(registry: Registry, region: Region, level: ExamLevel, year: int) -> ScheduleView:
    """Merge the schedules of the chain for one exam. A year not published is projected
    from the last published years (``known`` False, every event ``projected``). Built
    once per chain."""
    key = (tuple(j.code for j in region.chain), level, year)
    view = registry.views.get(key)
    if view is None:
        view = registry.views[key] = _schedule_view(registry, region, level, year)
    return view


def _schedule_view(registry: Registry, region: Region, level: ExamLevel, year: int) -> ScheduleView:
    data_year = data_year_for(registry, level, year)
    if data_year is None:
        return ScheduleView(level, year, None)
    if data_year == year:
        return _merged(registry, region, level, year)
    basis = projection.basis_years(registry.years(level), year)
    views = {y: _merged(registry, region, level, y) for y in basis}
    latest = views[basis[-1]]
    return attrs.evolve(
        latest,
        year=year,
        events=projection.project({y: v.events for y, v in views.items()}, year),
        projected_from=basis,
    )


def _merged(registry: Registry, region: Region, level: ExamLevel, year: int) -> ScheduleView:
    """The published schedule of ``year`` merged along the chain (a narrower region's
    event group replaces a broader one's, by event id; requirements narrowest first)."""
    groups: dict[str, tuple[Event, ...]] = {}
    required = None
    notes: list[str] = []
    requirements: dict[str, Requirement] = {}  # by id: a narrower region's replaces
    for jurisdiction in region.chain:
        for schedule in registry.schedules.get((jurisdiction.code, level, year), ()):
            by_id: dict[str, list[Event]] = {}
            for event in schedule.events:
                by_id.setdefault(event.id, []).append(event)
            for event_id, group in by_id.items():
                groups[event_id] = tuple(group)
            if schedule.collection_required is not None:
                required = schedule.collection_required
            if schedule.note:
                notes.append(schedule.note)
            for requirement in schedule.requirements:
                requirements[requirement.id] = requirement
    events = tuple(event for group in groups.values() for event in group)
    narrowest_first = tuple(reversed(requirements.values()))
    return ScheduleView(level, year, year, events, required, tuple(notes), narrowest_first)


# --- the report ---


@attrs.frozen
class Report:
    verdict: Verdict
    candidate: Candidate
    region: Region
    level: ExamLevel
    year: int
    at: dt.datetime
    findings: tuple[Finding, ...]
    steps: tuple[Step, ...]
    schedule: ScheduleView
    produced_by: dict[str, Any] = attrs.field(factory=dict, eq=False)  # kuaiji.provenance

    @property
    def plugin_failed(self) -> bool:
        return any(f.rule == PLUGIN_ERROR for f in self.findings)

    @property
    def exit_code(self) -> int:
        if self.plugin_failed:
            return 3
        return EXIT_CODES[self.verdict]

    def to_dict(self, *, show_personal_data: bool = False) -> dict[str, Any]:
        """The JSON form (``kuaiji precheck --json``); personal data masked by default."""
        c = self.candidate
        doubtful = self.region.doubtful_urls
        return {
            "verdict": self.verdict.value,
            "candidate": {
                "name": c.name if show_personal_data else mask_name(c.name),
                "id_number": c.id_number if show_personal_data else mask_id(c.id_number),
                "phone": c.phone if show_personal_data else mask_phone(c.phone),
            },
            "region": {
                "code": self.region.code,
                "name": self.region.name,
                "exam_area": self.region.exam_area.name,
                "chain": list(self.region.plugins),
            },
            "exam": {"level": self.level.value, "year": self.year},
            "schedule": {
                "data_year": self.schedule.data_year,
                "known": self.schedule.known,
                "projected_from": list(self.schedule.projected_from),
                "basis": self.schedule.basis,
            },
            "at": clock.iso(self.at),
            "findings": [_marked(finding_dict(f), doubtful) for f in self.findings],
            "steps": [_marked(step_dict(s), doubtful) for s in self.steps],
            "produced_by": self.produced_by,
        }


def _marked(row: dict[str, Any], doubtful: frozenset[str]) -> dict[str, Any]:
    """``url_reliability``: "low" when the URL comes from a source of low reliability."""
    row["url_reliability"] = "low" if row.get("url") in doubtful else None
    return row


def finding_dict(f: Finding) -> dict[str, Any]:
    from kuaiji.sources import source_text

    return {
        "rule": f.rule,
        "severity": f.severity.value,
        "plugin": f.plugin,
        "message": f.message,
        "action": f.action,
        "deadline": clock.iso(f.deadline),
        "url": f.url,
        "source": f.source,
        "source_text": source_text(f.source) or None,
    }


def step_dict(s: Step) -> dict[str, Any]:
    from kuaiji.sources import source_text

    return {
        "id": s.id,
        "title": s.title,
        "platform": s.platform,
        "url": s.url,
        "opens": clock.iso(s.opens),
        "closes": clock.iso(s.closes),
        "latest_start": clock.iso(s.latest_start),
        "done": s.done,
        "note": s.note,
        "note_zh": s.note,  # a step's note is already what a person reads (Chinese)
        "source": s.source,
        "source_text": source_text(s.source) or None,
        "plugin": s.plugin,
        "projected": s.projected,
    }


# --- the precheck ---


def build_context(
    candidate: Candidate,
    *,
    exam: ExamLevel | str,
    year: int,
    at: dt.datetime | None = None,
    base_dir: Path | None = None,
    registry: Registry | None = None,
    read_photo: bool = True,
) -> Context:
    """Resolve the regions, merge the schedule and (unless ``read_photo`` is False) read
    the photo: the context every hook receives."""
    registry = registry or get_registry()
    level = _level(exam)
    moment = clock.now() if at is None else _aware(at)
    region = registry.resolve(candidate.region)
    record_region = None
    if candidate.collection is not None and candidate.collection.region:
        record_region = registry.resolve(candidate.collection.region, field="collection.region")
    schedule = schedule_view(registry, region, level, year)
    photo = None
    if read_photo and candidate.photo is not None and candidate.photo.path is not None:
        photo = inspect_photo(candidate.photo.path, base_dir or Path.cwd())
    return Context(candidate, level, year, moment, region, schedule, base_dir, record_region, photo)


def precheck(
    candidate: Candidate,
    *,
    exam: ExamLevel | str,
    year: int,
    at: dt.datetime | None = None,
    base_dir: Path | None = None,
    registry: Registry | None = None,
    timeline: bool = True,
) -> Report:
    """Is ``candidate`` ready to register for ``exam`` (junior | intermediate) of ``year``,
    evaluated at ``at`` (default: now, Asia/Shanghai)? ``timeline=False`` skips the
    candidate's steps (batches report verdicts and findings only)."""
    registry = registry or get_registry()
    ctx = build_context(
        candidate, exam=exam, year=year, at=at, base_dir=base_dir, registry=registry
    )
    plugins = ctx.region.plugins
    findings: list[Finding] = [plugin_finding(p) for p in registry.problems]
    for hook in CHECK_HOOKS:
        result = registry.call(hook, plugins, Finding, ctx=ctx)
        for _, records in result.records:
            findings += records
        if result.problems:
            findings.extend(plugin_finding(p) for p in result.problems)
    findings = apply_overrides(findings, plugins, registry)
    steps: tuple[Step, ...] = ()
    if timeline:
        answers = registry.call("kuaiji_timeline", plugins, Step, ctx=ctx)
        findings.extend(plugin_finding(p) for p in answers.problems)
        steps = merge_steps(answers)
        if not ctx.schedule.known:
            steps = tuple(_estimated(s) for s in steps)
    findings.sort(key=lambda f: _SEVERITY_ORDER[f.severity])
    return Report(
        verdict=decide(findings, ctx.at),
        candidate=candidate,
        region=ctx.region,
        level=ctx.level,
        year=year,
        at=ctx.at,
        findings=tuple(findings),
        steps=steps,
        schedule=ctx.schedule,
        produced_by=_produced_by(registry) if timeline else {},
    )


def _produced_by(registry: Registry) -> dict[str, Any]:
    """The provenance of this registry's answers, computed once per registry."""
    found: dict[str, Any] | None = getattr(registry, "_provenance", None)
    if found is None:
        from kuaiji.provenance import provenance

        found = provenance(registry)
        registry._provenance = found  # type: ignore[attr-defined]
    return found


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.PENDING: 1, Severity.WARNING: 2, Severity.INFO: 3}


def decide(findings: Iterable[Finding], at: dt.datetime) -> Verdict:
    """``too_late`` when a blocking finding's deadline has passed (an error, or a review
    still pending at its deadline); else ``not_ready`` when an error remains; else
    ``pending`` when only reviews remain; else ``ready``. The verdict follows from the
    findings alone, so it can never contradict them."""
    findings = list(findings)
    blocking = [
        f
        for f in findings
        if f.severity in (Severity.ERROR, Severity.PENDING) and f.rule != PLUGIN_ERROR
    ]
    if any(f.deadline is not None and f.deadline <= at for f in blocking):
        return Verdict.TOO_LATE
    if any(f.severity is Severity.ERROR for f in findings):
        return Verdict.NOT_READY
    if blocking:
        return Verdict.PENDING
    return Verdict.READY


def apply_overrides(
    findings: Sequence[Finding], plugins: Sequence[str], registry: Registry
) -> list[Finding]:
    """Drop the findings that a more specific plugin on the chain replaces or waives."""
    rank = {name: i for i, name in enumerate(plugins)}
    dropped: dict[str, int] = {}  # rule id -> rank of the most specific overriding plugin
    for name in plugins:
        for override in registry.overrides.get(name, ()):
            dropped[override.rule] = max(dropped.get(override.rule, -1), rank[name])
    return [
        f
        for f in findings
        if f.rule not in dropped or rank.get(f.plugin, len(plugins)) >= dropped[f.rule]
    ]


def merge_steps(result: HookResult) -> tuple[Step, ...]:
    """Broadest plugin's steps first, in its order. A more specific plugin's step replaces
    the one with the same id in place; its new steps keep their own order and go before the
    first earlier step that closes at the same time or later (extra steps are usually
    prerequisites). A step whose final version has ``applies=False`` is dropped."""
    steps: list[Step] = []
    for _, records in result.records:
        earlier = list(steps)  # steps of broader plugins: new steps are placed among these
        last = -1  # keep this plugin's own order
        for step in records:
            index = next((i for i, s in enumerate(steps) if s.id == step.id), None)
            if index is not None:
                steps[index] = step
                last = max(last, index)
                continue
            when = step.closes or step.opens
            anchor = None
            if when is not None:
                anchor = next(
                    (s for s in earlier if _when(s) is not None and _when(s) >= when), None
                )
            # The anchor may have been replaced by this plugin: find its place by id.
            position = next(
                (i for i, s in enumerate(steps) if anchor is not None and s.id == anchor.id),
                len(steps),
            )
            position = max(position, last + 1)
            steps.insert(position, step)
            last = position
    return tuple(s for s in steps if s.applies)


def _estimated(step: Step) -> Step:
    """A dated step of a year not yet published: its dates are estimates (预计)."""
    if step.done or (step.opens is None and step.closes is None and step.latest_start is None):
        return step
    title = step.title if "预计" in step.title else f"{step.title}（预计）"
    return attrs.evolve(step, title=title, projected=True)


def _when(step: Step) -> dt.datetime | None:
    return step.closes or step.opens


def plugin_finding(problem: PluginProblem) -> Finding:
    where = f" in {problem.hook}" if problem.hook else ""
    return Finding(
        rule=PLUGIN_ERROR,
        severity=Severity.ERROR,
        message=scrub_text(f"插件 {problem.plugin!r} 出错{where}: {problem.message}"),
        action="结果可能不完整：请联系该插件的维护者，或用 KUAIJI_PLUGINS 排除该插件后重试",
        plugin=problem.plugin,
    )


def _level(exam: ExamLevel | str) -> ExamLevel:
    """``junior``/``intermediate`` or 初级/中级 as an ExamLevel."""
    if isinstance(exam, ExamLevel):
        return exam
    words = {"初级": ExamLevel.JUNIOR, "中级": ExamLevel.INTERMEDIATE}
    found = words.get(exam.strip()) if isinstance(exam, str) else None
    if found is not None:
        return found
    try:
        return ExamLevel(exam)
    except ValueError:
        shown = f"“{exam}”" if isinstance(exam, str) and len(exam) <= 20 else "这个值"
        raise InputError.single(
            "--exam", f"不认识的考试级别{shown}", "写 初级 或 中级（或 junior、intermediate）"
        ) from None


def _aware(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None:
        at = at.replace(tzinfo=clock.SHANGHAI)
    return at.astimezone(clock.SHANGHAI)


# --- plans ---


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
    moment = clock.now() if at is None else _aware(at)
    return build_context(
        candidate,
        exam=exam,
        year=next_exam_year(registry, _level(exam), moment) if year is None else year,
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
        ctx.region, moment, ordered, tuple(plugin_finding(p) for p in result.problems)
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


__all__ = [
    "NATIONAL_CODE",
    "ChangePlan",
    "Report",
    "TransferPlan",
    "Verdict",
    "build_context",
    "candidate_from_dict",
    "load_candidate",
    "parse_candidate",
    "plan_change",
    "plan_transfer",
    "precheck",
    "schedule_view",
]
