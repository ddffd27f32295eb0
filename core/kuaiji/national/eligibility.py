"""Exam eligibility (exam_precheck family): ``eligibility.education``, ``eligibility.work_years``."""

from __future__ import annotations

import datetime as dt

from kuaiji.model.candidate import (
    Education,
    EducationLevel,
    EducationMode,
    QualificationKind,
    QualificationLevel,
    QualificationMethod,
)
from kuaiji.model.context import Context
from kuaiji.model.results import ExamLevel, Finding, Severity
from kuaiji.national import sources as S
from kuaiji.national.common import finding
from kuaiji.registry.memo import reads

# 中级: years of accounting work by education (domain notes §3, national notice wording).
WORK_YEARS = {
    EducationLevel.ASSOCIATE: 5,
    EducationLevel.BACHELOR: 4,
    EducationLevel.SECOND_BACHELOR: 2,
    EducationLevel.POSTGRADUATE_CLASS: 2,
    EducationLevel.MASTER: 1,
    EducationLevel.DOCTOR: 0,
}


EDUCATION_ZH = {
    EducationLevel.HIGH_SCHOOL: "高中",
    EducationLevel.SECONDARY_VOCATIONAL: "中专",
    EducationLevel.ASSOCIATE: "大专",
    EducationLevel.BACHELOR: "本科",
    EducationLevel.SECOND_BACHELOR: "第二学士",
    EducationLevel.POSTGRADUATE_CLASS: "研究生班",
    EducationLevel.MASTER: "硕士",
    EducationLevel.DOCTOR: "博士",
}


QUALIFYING_OTHER_KINDS = (
    QualificationKind.ECONOMICS,
    QualificationKind.STATISTICS,
    QualificationKind.AUDIT,
)


def _counted_education(ctx: Context) -> list[Education]:
    """Education finished by the time registration closes (or by year end if unknown)."""
    closes = ctx.schedule.registration_closes if ctx.schedule.known else None
    limit = closes.date() if closes else dt.date(ctx.year, 12, 31)
    return [e for e in ctx.candidate.education if e.graduated is None or e.graduated <= limit]


def _qualification_route(ctx: Context) -> bool:
    return any(
        q.kind in QUALIFYING_OTHER_KINDS
        and q.level is QualificationLevel.INTERMEDIATE
        and q.method is QualificationMethod.EXAM
        for q in ctx.candidate.qualifications
    )


@reads("education", "qualifications")
def eligibility_education(ctx: Context) -> list[Finding]:
    education = _counted_education(ctx)
    if ctx.level is ExamLevel.JUNIOR:
        if education:
            return []
        return [
            finding(
                "eligibility.education",
                Severity.ERROR,
                "初级须具备高中（含中专、职高、技校）及以上学历，候选人资料中没有已毕业的学历",
                action="在 education 中填写已取得的学历",
                source=S.JUNIOR_EDUCATION,
            )
        ]
    if any(e.level in WORK_YEARS for e in education) or _qualification_route(ctx):
        return []
    return [
        finding(
            "eligibility.education",
            Severity.ERROR,
            "中级须具备大专及以上学历，或通过全国统一考试取得经济、统计、审计专业技术中级资格",
            action="不符合中级报名学历条件；可先报考初级",
            source=S.ELIGIBILITY,
        )
    ]


def _years_between(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return max(years, 0)


def required_work_years(ctx: Context) -> int | None:
    """The fewest years of accounting work the candidate's education asks for 中级, or
    None when no route is known (or a qualification route needs none)."""
    if ctx.level is not ExamLevel.INTERMEDIATE or _qualification_route(ctx):
        return None
    needs = [WORK_YEARS[e.level] for e in _counted_education(ctx) if e.level in WORK_YEARS]
    return min(needs) if needs else None


def eligibility_work_years(ctx: Context) -> list[Finding]:
    if ctx.level is not ExamLevel.INTERMEDIATE or _qualification_route(ctx):
        return []
    routes = [e for e in _counted_education(ctx) if e.level in WORK_YEARS]
    if not routes:
        return []  # eligibility.education reports it
    if any(WORK_YEARS[e.level] == 0 for e in routes):
        return []
    work = ctx.candidate.work
    since = work.accounting_since if work is not None else None
    if since is None:
        return [
            finding(
                "eligibility.work_years",
                Severity.ERROR,
                "中级须有规定年限的会计工作经历，资料未给出开始从事会计工作时间（work.accounting_since）",
                action="填写 work.accounting_since（开始从事会计工作的日期）",
                source=S.ELIGIBILITY,
            )
        ]
    end = dt.date(ctx.year, 12, 31)
    best: tuple[int, int, Education] | None = None  # (shortfall, earliest year, route)
    for route in routes:
        start = since
        if route.mode is EducationMode.FULL_TIME and route.graduated is not None:
            start = max(since, route.graduated)  # work while studying full-time does not count
        need = WORK_YEARS[route.level]
        have = _years_between(start, end)
        shortfall = need - have
        earliest = ctx.year + max(shortfall, 0)
        if best is None or shortfall < best[0]:
            best = (shortfall, earliest, route)
    assert best is not None
    shortfall, earliest, route = best
    if shortfall <= 0:
        if route.mode is EducationMode.PART_TIME:
            return [
                finding(
                    "eligibility.work_years",
                    Severity.INFO,
                    "非全日制学历的工作年限按取得学历前后合并计算；另有来源称只计取得学历后的年限，以报考地审核为准",
                    source=f"{S.WORK_YEARS_PART_TIME} ; 冲突：{S.WORK_YEARS_PART_TIME_CONFLICT}",
                )
            ]
        return []
    level = EDUCATION_ZH[route.level]
    return [
        finding(
            "eligibility.work_years",
            Severity.ERROR,
            f"{level}学历报考中级须从事会计工作满 {WORK_YEARS[route.level]} 年（计算至 {ctx.year}-12-31），"
            f"现为 {WORK_YEARS[route.level] - shortfall} 年",
            action=f"按现有资料最早可报考 {earliest} 年中级",
            source=f"{S.ELIGIBILITY} ; {S.WORK_YEARS_CUTOFF}",
        )
    ]
