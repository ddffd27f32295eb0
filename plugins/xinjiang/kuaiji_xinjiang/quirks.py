"""Xinjiang's quirks (seed 004: 新疆考区 2024 年中级资格考试报名问答).

- ``review.provincial``: after collecting on 新疆会计人员服务平台 and registering with real
  name on the national platform, the candidate applies on the Xinjiang platform for the
  qualification review (报名资格审核), decided within 2 working days; only then can they
  register and pay on the national platform. Not applied (or rejected) is an error whose
  deadline is the latest moment that still leaves 2 working days before registration closes.
- ``continuing_education.credits``: 2024 中级 needs the 2023 continuing education: 90
  credits, of which ≥60 专业 and ≥30 公需.
- ``work.social_security``: the review counts work years by social-security proof and flags
  candidates born after 1998-07-02.
- Password reset: a reset by the local 会计科 sets the Xinjiang platform password to
  ``Asc*6500`` (``kuaiji account reset``; ``check-password`` refuses it as a new password).
- Exemption from 《财务管理》 (MPAcc / DPAcc) and foreign candidates: on-site review at the
  registration office within the window.
"""

from __future__ import annotations

import datetime as dt

from kuaiji.plugin import (
    AccountRecovery,
    CollectionStatus,
    Context,
    Event,
    ExamLevel,
    Exemption,
    Finding,
    IdType,
    LeadTime,
    Region,
    ReviewStatus,
    Role,
    Severity,
    Step,
    account_step,
    human,
    lead_time,
    required_work_years,
    workdays_after,
)

SEED = "seed:004-xinjiang-2024-intermediate-registration-faq.txt"
RETRIEVAL = "http://canet.com.cn/cj/835366.html"  # the platform's own 密码找回 first
CODE = "65"
PLATFORM_ID = "xj-kjgl"

RESET_DEFAULT = "Asc*6500"  # FAQ 4: 重置后的密码为Asc*6500
FLAGGED_BORN_AFTER = dt.date(1998, 7, 2)  # FAQ 12: 1998年7月2日以后出生的考生
SOCIAL_SECURITY_APP = "“新疆智慧人社”小程序"  # FAQ 12: where the proof is exported as PDF


class Credits:
    """FAQ 2: 2024 中级 needs the previous year's continuing education."""

    TOTAL = 90
    PROFESSIONAL = 60
    PUBLIC = 30
    EXAMS = ((ExamLevel.INTERMEDIATE, 2024),)  # the exams a source states it for


EXEMPTION_DOCUMENTS = (  # FAQ 19
    "身份证原件及复印件",
    "学位证书原件及复印件",
    "学信网下载的教育部学历证书电子注册备案表（2002 年以后毕业的专科及以上考生）",
    "会计专业技术中级资格考试免试科目申请表",
)
DEGREE_ZH = {Exemption.MPACC: "会计硕士专业学位", Exemption.DPACC: "会计博士专业学位"}


def _in_xinjiang(ctx: Context) -> bool:
    return ctx.region.within(CODE)


def review_event(ctx: Context) -> Event | None:
    """The qualification review of this exam, when Xinjiang's data gives one."""
    if not _in_xinjiang(ctx) or not ctx.schedule.known:
        return None
    return ctx.schedule.first("review")


def review_deadline(ctx: Context, event: Event) -> LeadTime | None:
    """The latest moment to apply that still leaves the review's working days (data:
    ``working_days``) before it closes: the core's one rule of lead times."""
    return lead_time(event)


def _review_platform(ctx: Context, event: Event) -> tuple[str, str | None]:
    platform = ctx.platform(Role.REVIEW, event.opens.date() if event.opens else None)
    if platform is None:
        return "新疆会计人员服务平台", None
    return platform.name, platform.url


def _missing_prerequisites(ctx: Context) -> list[str]:
    c = ctx.candidate
    missing = []
    if c.collection is None or c.collection.status is not CollectionStatus.APPROVED:
        missing.append("在新疆会计人员服务平台完成信息采集")
    account = c.national_account
    if account is None or not (account.registered and account.real_name_verified):
        missing.append("在全国会计人员统一服务管理平台注册并实名认证")
    return missing


def review(ctx: Context) -> list[Finding]:
    event = review_event(ctx)
    if event is None:
        return _review_unknown(ctx)
    answer = review_deadline(ctx, event)
    deadline = answer.moment if answer else event.closes
    name, url = _review_platform(ctx, event)
    state = ctx.candidate.provincial_review
    status = state.status if state is not None else ReviewStatus.NONE
    if status is ReviewStatus.APPROVED:
        return []
    if status is ReviewStatus.APPLIED:
        expected = None
        if state is not None and state.applied is not None:
            expected = workdays_after(state.applied, event.working_days or 0).moment
        when = f"，最晚约 {human(expected)} 出结果" if event.working_days and expected else ""
        closes = ctx.schedule.registration_closes
        if expected is not None and closes is not None and expected > closes:
            when += "，晚于报名截止，请联系会计科"
        return [
            Finding(
                "review.provincial",
                Severity.PENDING,
                f"已在{name}申请报名资格审核，等待结果（2 个工作日内完成{when}）；审核通过后才能在全国平台报名缴费",
                action="留意审核结果；通过后在全国会计人员统一服务管理平台报名并缴费，未通过则按意见修改后重新提交",
                deadline=ctx.schedule.registration_closes,
                url=url,
                source=SEED,
            )
        ]
    before = _missing_prerequisites(ctx)
    first = f"先{'、'.join(before)}，再" if before else ""
    rejected = status is ReviewStatus.REJECTED
    return [
        Finding(
            "review.provincial",
            Severity.ERROR,
            (
                "新疆的报名资格审核未通过，须修改后重新提交"
                if rejected
                else "新疆考区须先在新疆会计人员服务平台通过报名资格审核，才能在全国平台报名缴费；尚未申请"
            )
            + (
                f"。审核{answer.text}，最晚 {human(answer.moment)} 前提交"
                if answer
                else f"。审核所需时间资料未给出，请在 {human(event.closes) if event.closes else '截止'} 前尽早提交"
            ),
            action=(
                f"{first}在{name}点击中级资格考试报名，完善考试人员信息、上传社保缴费证明"
                f"（{SOCIAL_SECURITY_APP}导出 PDF），提交报名资格审核"
            ),
            deadline=deadline,
            url=url,
            source=SEED,
        )
    ]


def _review_unknown(ctx: Context) -> list[Finding]:
    if not _in_xinjiang(ctx) or ctx.level is not ExamLevel.INTERMEDIATE:
        return []
    return [
        Finding(
            "review.provincial",
            Severity.INFO,
            f"2024 年新疆中级须先在新疆会计人员服务平台通过报名资格审核（2 个工作日内）再报名；"
            f"{ctx.year} 年是否仍需要，现有资料未说明",
            action="查看新疆会计人员服务平台发布的当年报名公告",
            url="https://kjgl.xjcz.gov.cn/accNet/",
            source=SEED,
        )
    ]


def credits(ctx: Context) -> list[Finding]:
    if not _in_xinjiang(ctx):
        return []
    year = ctx.year - 1
    if (ctx.level, ctx.year) not in Credits.EXAMS:
        if ctx.level is not ExamLevel.INTERMEDIATE:
            return []  # no source gives a continuing-education gate for 初级
        return [
            Finding(
                "continuing_education.credits",
                Severity.INFO,
                f"2024 年新疆中级要求完成上一年度继续教育（{Credits.TOTAL} 学分，专业课 ≥{Credits.PROFESSIONAL}、"
                f"公需课 ≥{Credits.PUBLIC}）；{ctx.year} 年的要求现有资料未说明，建议完成 {year} 年度继续教育",
                source=SEED,
            )
        ]
    record = next((ce for ce in ctx.candidate.continuing_education if ce.year == year), None)
    shortfalls = []
    if record is None:
        shortfalls.append(f"没有 {year} 年度继续教育记录")
    else:
        total = record.professional + record.public
        if total < Credits.TOTAL:
            shortfalls.append(f"总学分 {total:g}，须 ≥{Credits.TOTAL}")
        if record.professional < Credits.PROFESSIONAL:
            shortfalls.append(f"专业课 {record.professional:g}，须 ≥{Credits.PROFESSIONAL}")
        if record.public < Credits.PUBLIC:
            shortfalls.append(f"公需课 {record.public:g}，须 ≥{Credits.PUBLIC}")
    if not shortfalls:
        if record is not None and record.in_progress:
            return [
                Finding(
                    "continuing_education.credits",
                    Severity.WARNING,
                    f"{year} 年度继续教育学分够数，但有在途未完成的数据，可能尚未计入",
                    action="在继续教育平台确认学分已登记",
                    source=SEED,
                )
            ]
        return []
    return [
        Finding(
            "continuing_education.credits",
            Severity.ERROR,
            f"报考 {ctx.year} 年新疆中级须完成 {year} 年度继续教育（{Credits.TOTAL} 学分，其中专业课 ≥{Credits.PROFESSIONAL}、"
            f"公需课 ≥{Credits.PUBLIC}）：" + "；".join(shortfalls),
            action=f"补足 {year} 年度继续教育学分并完成登记，建议在申请报名资格审核之前",
            deadline=ctx.schedule.registration_closes if ctx.schedule.known else None,
            source=SEED,
        )
    ]


def social_security(ctx: Context) -> list[Finding]:
    event = review_event(ctx)
    if event is None:
        return []
    need = required_work_years(ctx)
    if not need:
        return []
    months = ctx.candidate.work.social_security_months if ctx.candidate.work else None
    born = ctx.birth_date
    flagged = born is not None and born > FLAGGED_BORN_AFTER
    answer = review_deadline(ctx, event)
    deadline = answer.moment if answer else event.closes
    if months is not None and months < need * 12:
        return [
            Finding(
                "work.social_security",
                Severity.ERROR,
                f"新疆的报名资格审核以社保证明核定工作年限：须 {need} 年（{need * 12} 个月），现有社保证明 {months} 个月",
                action=f"准备足够年限的社保缴费证明（{SOCIAL_SECURITY_APP}导出 PDF）；年限不足则本年不能通过审核",
                deadline=deadline,
                source=SEED,
            )
        ]
    if months is None and flagged:
        return [
            Finding(
                "work.social_security",
                Severity.WARNING,
                f"1998-07-02 以后出生的考生在新疆审核中被重点核查：须按学历提交 {need} 年（{need * 12} 个月）社保证明；"
                "考生文件没有 work.social_security_months",
                action=f"从{SOCIAL_SECURITY_APP}导出社保缴费证明 PDF，核对月数，并填写 work.social_security_months",
                deadline=deadline,
                source=SEED,
            )
        ]
    return []


def steps(ctx: Context) -> list[Step]:
    """The Xinjiang flow: collect and real-name before the review, the review, and the
    on-site review for exemption or foreign candidates."""
    out: list[Step] = []
    event = review_event(ctx)
    if event is not None:
        answer = review_deadline(ctx, event)
        deadline = answer.moment if answer else event.closes
        note = (
            f"新疆：申请报名资格审核之前须完成；审核最晚 {human(deadline)} 前提交"
            if deadline
            else None
        )
        platform = ctx.platform(Role.COLLECTION, event.opens.date() if event.opens else None)
        record = ctx.candidate.collection
        out.append(
            Step(
                id="collection",
                title="在新疆会计人员服务平台完成信息采集",
                platform=platform.name if platform else None,
                url=platform.url if platform else None,
                closes=deadline,
                done=record is not None and record.status is CollectionStatus.APPROVED,
                note=note,
                source=SEED,
            )
        )
        out.append(
            account_step(
                ctx,
                deadline,
                title="在全国会计人员统一服务管理平台注册并实名认证（财政部会计资格评价网的账号不能代替）",
                before=note,
                source=SEED,
            )
        )
        name, url = _review_platform(ctx, event)
        state = ctx.candidate.provincial_review
        out.append(
            Step(
                id=event.id,
                title="在新疆会计人员服务平台申请报名资格审核（上传社保证明，2 个工作日内完成）",
                platform=name,
                url=url,
                opens=event.opens,
                closes=deadline,
                done=state is not None and state.status is ReviewStatus.APPROVED,
                note=_join(
                    "审核通过后才能在全国平台报名缴费",
                    answer.text if answer else None,
                ),
                source=event.source,
            )
        )
    out.extend(_on_site(ctx))
    return out


def _on_site(ctx: Context) -> list[Step]:
    event = ctx.schedule.first("on_site") if _in_xinjiang(ctx) and ctx.schedule.known else None
    c = ctx.candidate
    foreign = c.foreign or c.id_type is IdType.PASSPORT
    exemption = c.exemption if ctx.level is ExamLevel.INTERMEDIATE else None
    if event is None or not (foreign or exemption):
        return []
    out = []
    if exemption is not None:
        out.append(
            Step(
                id="xj.exemption",
                title=f"申请免试《财务管理》（{DEGREE_ZH[exemption]}）：本人携材料到报名地会计专业技术资格考试管理机构现场审核确认",
                opens=event.opens,
                closes=event.closes,
                note="须带："
                + "；".join(EXEMPTION_DOCUMENTS)
                + "。逾期不予受理；仅限报名期间的工作日",
                source=event.source,
            )
        )
    if foreign:
        out.append(
            Step(
                id="xj.foreign",
                title="外籍考生：按就近方便原则，携相关材料原件及复印件到报名地会计专业技术资格考试管理机构现场审核报名",
                opens=event.opens,
                closes=event.closes,
                note="逾期不予受理；仅限报名期间的工作日",
                source=event.source,
            )
        )
    return out


def account_recovery(region: Region, on: dt.date) -> list[AccountRecovery]:
    if not region.within(CODE):
        return []
    platform = next((p for j in region.chain for p in j.platforms if p.id == PLATFORM_ID), None)
    return [
        AccountRecovery(
            platform=platform.name if platform else "新疆会计人员服务平台",
            platform_id=PLATFORM_ID,
            url=platform.url if platform else None,
            steps=(
                "先用平台的“密码找回”功能自行找回",
                "找不回：联系会计关系所在地会计管理部门（会计科），提供身份证号码和相关信息，由其重置密码",
                "用重置后的密码登录，立即改为自己的密码（重置密码是公开的）",
            ),
            reset_default=RESET_DEFAULT,
            note="会计科的联系电话和地址见新疆会计人员服务平台 12 月 21 日发布的《新疆考区2024年度全国会计专业技术资格考试报名公告》："
            "https://kjgl.xjcz.gov.cn/accNet/noticeC/toNoticeDetail.htm?noticeId=ff8080818b460129018c8c22335d57a8",
            source=f"{RETRIEVAL} ; {SEED}",
        )
    ]


def _join(*parts: str | None) -> str | None:
    return "；".join(p for p in parts if p) or None
