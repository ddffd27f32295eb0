"""Hunan's quirks (seed 000 湖南 row; domain notes §6 for the 2025 continuing-education gate).

- ``transfer.intra_province``: a record held in one 设区市 of Hunan by someone now working in
  another (first four digits differ, both in 43) needs an intra-province transfer, applied for
  before the cutoff and approved by the receiving county-level finance bureau.
- ``transfer.cross_province`` (replacing the national rule in Hunan): moving a record into Hunan
  takes 1–2 weeks, so the latest safe start is two weeks before the cutoff: a warning before
  that moment, an error after it.
- ``continuing_education.years`` (2025 中级): 大专 ≥4, 本科 ≥3, 第二学士/研究生班 ≥1 completed
  years, counted from the year after starting accounting work.
- ``notice.truthfulness``: false data bars the candidate and cancels results.
"""

from __future__ import annotations

import datetime as dt

from kuaiji.plugin import (
    Context,
    EducationLevel,
    ExamLevel,
    Finding,
    Move,
    Role,
    Severity,
    Step,
    TransferPhase,
    TransferStep,
    baseline_transfer_cross_province,
    human,
    lead_time,
    record_deadline,
)

SEED = "seed:000-2024-intermediate-collection-requirements-by-region.txt"
CE_SOURCE = "https://www.yuyangd.com/zjkjzc-kaoshi/news/17508156965564.html"
CE_RULE = "https://m.chinaacc.com/zhongjizhicheng/bkjy/ji20240228153856.shtml"  # 90 credits a year
CROSS_PROVINCE_DAYS = 14  # “需用较多时间（1-2 周）”: plan for the longer (data: transfer_in)
CE_YEARS = {  # 2025 中级 (domain notes §6)
    EducationLevel.ASSOCIATE: 4,
    EducationLevel.BACHELOR: 3,
    EducationLevel.SECOND_BACHELOR: 1,
    EducationLevel.POSTGRADUATE_CLASS: 1,
}
CE_GATE_YEARS = (2025,)
CE_YEAR_CREDITS = 90


def transfer_deadline(ctx: Context, event_id: str = "transfer") -> dt.datetime | None:
    """The transfer cutoff of Hunan's data for this exam, else the record deadline."""
    event = ctx.schedule.first(event_id) if ctx.schedule.known else None
    return event.closes if event is not None and event.closes else record_deadline(ctx)


def transfer_in_latest_start(ctx: Context, deadline: dt.datetime) -> dt.datetime:
    """The latest safe start of a transfer into Hunan: the core's lead-time rule on the
    data's ``transfer_in`` event, else the 2-week lead before ``deadline``."""
    event = ctx.schedule.first("transfer_in") if ctx.schedule.known else None
    lead = lead_time(event) if event is not None else None
    return lead.moment if lead else deadline - dt.timedelta(days=CROSS_PROVINCE_DAYS)


def _city(code: str) -> str:
    return code[:4]


def _needs_intra_province(ctx: Context) -> bool:
    held = ctx.record_region
    return (
        held is not None
        and held.within("43")
        and ctx.region.within("43")
        and len(held.code) >= 4
        and len(ctx.region.code) >= 4
        and _city(held.code) != _city(ctx.region.code)
    )


def _needs_transfer_in(ctx: Context) -> bool:
    held = ctx.record_region
    return held is not None and not held.within("43") and ctx.region.within("43")


def steps(ctx: Context) -> list[Step]:
    """Hunan's two transfer cutoffs, each only for the candidates it concerns."""
    if not ctx.schedule.known:
        return []
    out = []
    for event_id, needed in (
        ("transfer", _needs_intra_province(ctx)),
        ("transfer_in", _needs_transfer_in(ctx)),
    ):
        event = ctx.schedule.first(event_id)
        if event is None:
            continue
        lead = lead_time(event)
        platform = ctx.platform(Role.TRANSFER)
        out.append(
            Step(
                id=event.id,
                title=event.title or "调转申请截止",
                platform=platform.name if platform else None,
                url=platform.url if platform else None,
                closes=event.closes,
                latest_start=lead.moment if lead else None,
                note=lead.text if lead else "审核所需时间资料未给出，请尽早申请",
                source=event.source,
                applies=needed,
            )
        )
    return out


def intra_province(ctx: Context) -> list[Finding]:
    held = ctx.record_region
    if held is None or not _needs_intra_province(ctx):
        return []
    platform = ctx.platform(Role.TRANSFER)
    where = (
        f"{platform.name}（{platform.url or '网址未知'}）" if platform else "湖南省会计管理服务平台"
    )
    return [
        Finding(
            "transfer.intra_province",
            Severity.ERROR,
            f"会计档案在{held.name}，现工作地在{ctx.region.name}，跨设区市，须办理省内调转",
            action=(
                f"在{where}办理省内调转并提交申请（湖南省财政厅网站 会计管理专栏 → “会计人员信息采集/变更/调转”），"
                "由调入地县级财政局会计管理部门审核通过后方可报名"
            ),
            deadline=transfer_deadline(ctx),
            url=platform.url if platform else None,
            source=SEED,
        )
    ]


def cross_province(ctx: Context) -> list[Finding]:
    """Replaces the national rule in Hunan: warn until the latest safe start, then error."""
    found = baseline_transfer_cross_province(ctx)
    if not found:
        return []
    deadline = transfer_deadline(ctx, "transfer_in")
    base = found[0]
    if deadline is None:
        return found
    latest = transfer_in_latest_start(ctx, deadline)
    early = ctx.at < latest
    return [
        Finding(
            "transfer.cross_province",
            Severity.WARNING if early else Severity.ERROR,
            base.message + f"；档案从外省转入湖南需 1-2 周，最晚应在 {human(latest)} 前开始",
            action=(base.action or "") + "；经工作单位所在地县级财政局会计管理部门审核通过方可报名",
            deadline=deadline,
            url=base.url,
            source=f"{SEED} ; {base.source}",
        )
    ]


def ce_years(ctx: Context) -> list[Finding]:
    if ctx.level is not ExamLevel.INTERMEDIATE or ctx.year not in CE_GATE_YEARS:
        return []
    levels = [e.level for e in ctx.candidate.education if e.level in CE_YEARS]
    work = ctx.candidate.work
    if not levels or work is None or work.accounting_since is None:
        return []
    need = min(CE_YEARS[level] for level in levels)
    first = work.accounting_since.year + 1
    done = sorted(
        ce.year
        for ce in ctx.candidate.continuing_education
        if first <= ce.year < ctx.year and ce.professional + ce.public >= CE_YEAR_CREDITS
    )
    if len(done) >= need:
        return []
    return [
        Finding(
            "continuing_education.years",
            Severity.ERROR,
            f"湖南 {ctx.year} 年中级：须完成 {need} 个年度的继续教育（自开始从事会计工作的次年 {first} 年起计，每年 ≥{CE_YEAR_CREDITS} 学分），"
            f"现有 {len(done)} 个年度{('：' + '、'.join(map(str, done))) if done else ''}",
            action="补全往年继续教育并登记（2021–2023 年补学开放至 2025-09-05，自 2025 年起补学受限）",
            deadline=record_deadline(ctx),
            source=f"{CE_SOURCE} ; {CE_RULE}",
        )
    ]


def truthfulness(ctx: Context) -> list[Finding]:
    return [
        Finding(
            "notice.truthfulness",
            Severity.INFO,
            "湖南：报考人员对信息、资料的规范性、真实性和有效性负责；填写或上传虚假信息，经查实不得参加考试，已取得合格成绩的取消成绩、撤销资格证书",
            source=SEED,
        )
    ]


def transfer(ctx: Context, move: Move) -> list[TransferStep]:
    on = ctx.at.date()
    if not move.destination.within("43"):
        return []
    platform = move.destination.platform(Role.TRANSFER, on)
    name = platform.name if platform else None
    url = platform.url if platform else None
    if move.cross_province:
        return [
            TransferStep(
                "hn.transfer_in",
                TransferPhase.IN,
                "按属地原则将会计档案调转至湖南工作单位所在地，由县级财政局会计管理部门审核通过",
                platform=name,
                url=url,
                calendar_days=CROSS_PROVINCE_DAYS,
                note="从外省转入湖南需用较多时间（1-2 周），按 2 周计划",
                source=SEED,
            )
        ]
    if move.origin.within("43") and _city(move.origin.code) != _city(move.destination.code):
        return [
            TransferStep(
                "hn.transfer_intra_province",
                TransferPhase.IN,
                "办理省内调转并提交申请（会计管理专栏 → “会计人员信息采集/变更/调转”），由调入地县级财政局会计管理部门审核通过",
                platform=name,
                url=url,
                note="审核时间资料未给出",
                source=SEED,
            )
        ]
    return []
