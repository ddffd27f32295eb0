"""Exercising a plugin: every check and plan hook it implements, called through
:meth:`Registry.call` as the core calls it, for each region it serves, each exam level and
year of its data and of the national data, each main state of the candidate's record (none,
submitted and pending review, approved, held in another province) and moments before, during
and after the registration window.

It reports what comes back wrong: exceptions, time-outs and bad records (``HookResult.problems``),
rule ids the plugin does not document in its ``kuaiji_rules``, and answers about regions it
does not serve (a transfer step of a side of the move it is not on, a URL of another region's
platform). An issue seen in many situations is reported once, with the number of situations
and the first of them. ``kuaiji plugins check`` and the conformance suite (:mod:`kuaiji.testing`)
both run it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import attrs

from kuaiji.authoring.issues import Issue, short
from kuaiji.commands.precheck import build_context, candidate_from_dict
from kuaiji.model import clock
from kuaiji.model.candidate import Candidate
from kuaiji.model.context import Context, Move, ScheduleView
from kuaiji.model.results import (
    AccountRecovery,
    ChangeDecision,
    ExamLevel,
    FieldChange,
    Finding,
    Step,
    TransferPhase,
    TransferStep,
)
from kuaiji.registry.manager import Registry
from kuaiji.registry.regions import gbt2260

_FACTORS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# The record's main states, as a person reads them.
STATES = {
    "none": "没有信息采集记录",
    "submitted": "记录已提交、待审核",
    "approved": "记录已审核通过",
    "elsewhere": "记录在外省",
}
LEVELS = {ExamLevel.JUNIOR: "初级", ExamLevel.INTERMEDIATE: "中级"}
# What a complete candidate adds to the required fields (no photo: no file to read).
PROFILE: dict[str, Any] = {
    "national_account": {"registered": True, "real_name_verified": True},
    "education": [{"mode": "full_time", "level": "bachelor", "graduated": "2012-07-01"}],
    "work": {"status": "accounting", "accounting_since": "2012-08-01"},
}
CHANGES = (
    FieldChange("name", "王小芳"),
    FieldChange("phone", "13900139000"),
    FieldChange("email", "wang@example.com"),
    FieldChange("work.employer", "新单位"),
)
CHECK_HOOKS = (
    ("kuaiji_registration", Finding),
    ("kuaiji_collection", Finding),
    ("kuaiji_exam_precheck", Finding),
    ("kuaiji_timeline", Step),
)
FIXES = {
    "hook.problem": "修正插件代码：钩子只返回所声明类型的记录组成的 list 或 tuple，且不抛出异常",
    "rule.undocumented": "在插件的 RULES（kuaiji_rules）中为该规则写一条 RuleDoc",
    "region.foreign": "只回答本插件服务的地区：看 ctx.region、move.origin、move.destination",
}


def county(region: str) -> str | None:
    """The first county of ``region`` in GB/T 2260 that existed in 1990 (for an ID number)."""
    return next(
        (
            code
            for code, names in sorted(gbt2260()[1].items())
            if code.startswith(region) and not code.endswith("00") and _in_use_1990(names)
        ),
        None,
    )


def minimal_candidate(region: str) -> dict[str, Any]:
    """A valid candidate with only the required fields, from a county of ``region``."""
    body = f"{county(region) or '110105'}19900307{234:03d}"  # 兵团 and others: a Beijing ID
    check = "10X98765432"[sum(int(d) * f for d, f in zip(body, _FACTORS, strict=True)) % 11]
    return {"name": "王芳", "id_number": body + check, "phone": "13800138000", "region": region}


def _in_use_1990(names: str) -> bool:
    """Whether a county entry (``"[1983-1989]A,[1990-]B"``) was in use in 1990."""
    for name in names.split(","):
        if not name.startswith("["):
            return True
        start, end = name[1:].split("]")[0].split("-")
        if (not start or int(start) <= 1990) and (not end or int(end) >= 1990):
            return True
    return False


def elsewhere(region: str) -> str:
    """A county in another province than ``region``'s."""
    return "310101" if region.startswith("11") else "110105"


def candidate(region: str, state: str) -> dict[str, Any]:
    """A complete candidate of ``region`` whose record is in ``state`` (a key of :data:`STATES`)."""
    data = minimal_candidate(region) | PROFILE
    if state in ("submitted", "approved"):
        data["collection"] = {"status": state, "region": region}
    elif state == "elsewhere":
        data["collection"] = {"status": "approved", "region": elsewhere(region)}
    return data


def moments(schedule: ScheduleView) -> list[tuple[str, dt.datetime]]:
    """Before, during and after the registration window (a mid-year moment when unknown)."""
    opens, closes = schedule.registration_opens, schedule.registration_closes
    if opens is None and closes is None:
        return [("报名时间未知", dt.datetime(schedule.year, 6, 1, 10, tzinfo=clock.SHANGHAI))]
    first = opens or closes
    last = closes or opens
    assert first is not None and last is not None
    during = first + (last - first) / 2 if opens and closes else first
    found = [
        ("报名开始前", first - dt.timedelta(days=7)),
        ("报名期间", during.replace(second=0, microsecond=0)),
        ("报名结束后", last + dt.timedelta(days=1)),
    ]
    return [(f"{label} {clock.human(at)}", at) for label, at in found]


def years(registry: Registry, plugin: str) -> dict[ExamLevel, list[int]]:
    """The exam years of each level in the national data and in the plugin's."""
    found: dict[ExamLevel, set[int]] = {level: set(registry.years(level)) for level in LEVELS}
    for (_, level, year), schedules in registry.schedules.items():
        if any(s.plugin == plugin for s in schedules):
            found.setdefault(level, set()).add(year)
    return {level: sorted(y) for level, y in found.items()}


@attrs.define
class _Seen:
    first: str
    count: int = 1


@attrs.define
class _Exercise:
    registry: Registry
    plugin: str
    implemented: frozenset[str]
    owners: dict[str, frozenset[str]]  # a platform URL -> the codes of the regions it serves
    seen: dict[tuple[str, str, str], _Seen] = attrs.Factory(dict)
    rules: dict[tuple[str, ...], frozenset[str]] = attrs.Factory(dict)

    def note(self, kind: str, hook: str, message: str, situation: str) -> None:
        key = (kind, hook, message)
        if key in self.seen:
            self.seen[key].count += 1
        else:
            self.seen[key] = _Seen(situation)

    def issues(self) -> list[Issue]:
        out = []
        for (kind, hook, message), seen in self.seen.items():
            times = f"，共 {seen.count} 种情形" if seen.count > 1 else ""
            out.append(
                Issue(
                    self.plugin,
                    hook,
                    f"{message}（{seen.first}{times}）",
                    FIXES[kind],
                    kind,
                )
            )
        return out

    def documented(self, chain: tuple[str, ...]) -> frozenset[str]:
        """The rule ids documented by the plugins of a chain: the plugin's own, and those of
        the broader plugins whose checks it may wrap (``baseline_photo_spec``)."""
        if chain not in self.rules:
            docs = self.registry.rules
            self.rules[chain] = frozenset(d.rule for p in chain for d in docs.get(p, ()))
        return self.rules[chain]

    def call(
        self, hook: str, expect: type, situation: str, chains: frozenset[str], **kwargs: Any
    ) -> tuple[Any, ...]:
        """Call ``hook`` of the plugin, note what is wrong; its records."""
        if hook not in self.implemented:
            return ()
        result = self.registry.call(hook, [self.plugin], expect, **kwargs)
        for problem in result.problems:
            self.note("hook.problem", hook, problem.message, situation)
        records = tuple(r for _, answer in result.records for r in answer)
        ctx = kwargs.get("ctx")
        documented = self.documented(ctx.region.plugins) if isinstance(ctx, Context) else None
        for record in records:
            if (
                isinstance(record, Finding)
                and documented is not None
                and record.rule not in documented
            ):
                self.note(
                    "rule.undocumented",
                    hook,
                    f"报告了规则 {record.rule}，本插件和地区链上更宽的插件都没有说明它",
                    situation,
                )
            url = getattr(record, "url", None)
            owners = self.owners.get(url) if isinstance(url, str) else None
            if owners and not owners & chains:
                where = "、".join(sorted(owners))
                self.note(
                    "region.foreign",
                    hook,
                    f"给出的网址 {url} 是 {where} 的平台，不在考生的地区链上",
                    situation,
                )
        return records

    def run(self, ctx: Context, situation: str, state: str) -> None:
        chains = _codes(ctx)
        for hook, expect in CHECK_HOOKS:
            self.call(hook, expect, situation, chains, ctx=ctx)
        self.call("kuaiji_change", ChangeDecision, situation, chains, ctx=ctx, changes=CHANGES)
        if state not in ("approved", "elsewhere"):
            return
        other = ctx.record_region or self.registry.resolve(elsewhere(ctx.candidate.region))
        move = Move(ctx.region, other) if state == "approved" else Move(other, ctx.region)
        codes = chains | {j.code for j in (*move.origin.chain, *move.destination.chain)}
        for step in self.call(
            "kuaiji_transfer", TransferStep, situation, codes, ctx=ctx, move=move
        ):
            side = move.origin if step.phase is TransferPhase.OUT else move.destination
            if self.plugin not in side.plugins:
                self.note(
                    "region.foreign",
                    "kuaiji_transfer",
                    f"给出了{_PHASES[step.phase]}的步骤 {step.id}，但本插件不服务{side.name}",
                    situation,
                )


_PHASES = {TransferPhase.OUT: "调出", TransferPhase.IN: "调入", TransferPhase.AFTER: "调入后"}


def _codes(ctx: Context) -> frozenset[str]:
    """The region codes on the candidate's chain and on their record's."""
    chain = (*ctx.region.chain, *(ctx.record_region.chain if ctx.record_region else ()))
    return frozenset(j.code for j in chain)


def _owners(registry: Registry) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for code, jurisdiction in registry.jurisdictions.items():
        for platform in jurisdiction.platforms:
            if platform.url:
                found.setdefault(platform.url, set()).add(code)
    return {url: frozenset(codes) for url, codes in found.items()}


def situations(registry: Registry, plugin: str) -> Iterator[tuple[Context | Exception, str, str]]:
    """Each context the plugin is exercised with (or the error building it), described in
    Chinese, with the record's state."""
    regions = sorted(c for c, j in registry.jurisdictions.items() if j.plugin == plugin)
    candidates: dict[tuple[str, str], Candidate] = {}
    for region in regions:
        for level, level_years in years(registry, plugin).items():
            for year in level_years:
                try:
                    base = _context(candidates, registry, region, "approved", level, year, None)
                except Exception as exc:  # the plugin's data breaks the core's reading of it
                    yield exc, f"{region} {year} 年{LEVELS[level]}", "approved"
                    continue
                for label, at in moments(base.schedule):
                    for state, state_text in STATES.items():
                        situation = f"{region} {year} 年{LEVELS[level]}，{state_text}，{label}"
                        try:
                            ctx = _context(candidates, registry, region, state, level, year, at)
                        except Exception as exc:
                            yield exc, situation, state
                            continue
                        yield ctx, situation, state


def _context(
    candidates: dict[tuple[str, str], Candidate],
    registry: Registry,
    region: str,
    state: str,
    level: ExamLevel,
    year: int,
    at: dt.datetime | None,
) -> Context:
    key = (region, state)
    if key not in candidates:
        candidates[key] = candidate_from_dict(candidate(region, state))
    moment = at or dt.datetime(year, 1, 1, tzinfo=clock.SHANGHAI)
    return build_context(
        candidates[key], exam=level, year=year, at=moment, registry=registry, read_photo=False
    )


def exercise(registry: Registry, plugin: str) -> list[Issue]:
    """Everything wrong in the plugin's answers over every situation (see the module)."""
    implemented = frozenset(
        hook for hook, names in registry.implementers.items() if plugin in names
    )
    run = _Exercise(registry, plugin, implemented, _owners(registry))
    days: set[tuple[str, dt.date]] = set()
    for ctx, situation, state in situations(registry, plugin):
        if isinstance(ctx, Exception):
            run.note(
                "hook.problem", "上下文", f"读取本插件的地区与日程时出错：{short(ctx)}", situation
            )
            continue
        run.run(ctx, situation, state)
        day = (ctx.candidate.region, ctx.at.date())
        if day not in days:
            days.add(day)
            run.call(
                "kuaiji_account_recovery",
                AccountRecovery,
                situation,
                _codes(ctx),
                region=ctx.region,
                on=ctx.at.date(),
            )
    return run.issues()
