"""The registration window and what the region's sources ask (exam_precheck family): ``schedule.window``, ``schedule.conflict``, ``notice.regional``."""

from __future__ import annotations

from kuaiji.model import clock
from kuaiji.model.context import Context
from kuaiji.model.results import Finding, Severity
from kuaiji.national.common import EVENT_ZH, UPDATE_HINT, finding
from kuaiji.registry.memo import reads


@reads(region=False)
def schedule_window(ctx: Context) -> list[Finding]:
    """Where the registration window stands at ``ctx.at``."""
    schedule = ctx.schedule
    exam = f"{ctx.year} 年{ctx.level.zh}"
    if schedule.data_year is None:
        return [
            finding(
                "schedule.window",
                Severity.WARNING,
                f"没有{ctx.level.zh}考试的报名时间数据",
                action="以报考地考试管理机构公告为准",
            )
        ]
    if not schedule.known:
        return _projected_window(ctx, exam)
    phases = schedule.registration
    if not phases:
        return [
            finding(
                "schedule.window",
                Severity.WARNING,
                f"现有资料没有本考区{exam}的报名时间",
                action="以报考地考试管理机构公告为准",
            )
        ]
    at = ctx.at
    for index, phase in enumerate(phases):
        opens, closes = phase.opens, phase.closes
        if opens is not None and at < opens:
            reopening = "暂停，" if index > 0 else ""
            return [
                finding(
                    "schedule.window",
                    Severity.INFO,
                    f"{exam}报名{reopening}将于 {clock.human(opens)} 开始（{clock.countdown(at, opens)}）",
                    deadline=phases[-1].closes,
                    source=phase.source,
                )
            ]
        if closes is None or at < closes:
            text = (
                f"{exam}报名进行中，{clock.human(closes)} 截止（{clock.countdown(at, closes)}）"
                if closes
                else f"{exam}报名进行中（截止时间未知）"
            )
            if len(phases) > 1:
                text += f"；共 {len(phases)} 个阶段，当前为第 {index + 1} 阶段"
            return [
                finding(
                    "schedule.window", Severity.INFO, text, deadline=closes, source=phase.source
                )
            ]
    last = phases[-1]
    return [
        finding(
            "schedule.window",
            Severity.ERROR,
            f"{exam}报名已于 {clock.human(last.closes)} 截止"
            if last.closes
            else f"{exam}报名已截止",
            action="请关注下一年度的考试通知",
            deadline=last.closes,
            source=last.source,
        )
    ]


def _projected_window(ctx: Context, exam: str) -> list[Finding]:
    """A year not yet published: the window is unknown; say when it is expected (预计, the
    earliest of the last published years), and say the data may be stale once such a
    notice has usually appeared. A window that by every past year would have closed is
    never reported as open: that is an error until the data says otherwise."""
    schedule = ctx.schedule
    phases = schedule.registration
    opens = phases[0].opens if phases else None
    closes = phases[-1].closes if phases else None
    source = phases[0].source if phases else None
    expected = (
        f"预计 {clock.human(opens)} 起报名、{clock.human(closes)} 截止（{schedule.basis}）"
        if opens and closes
        else f"（{schedule.basis}）"
    )
    published_by = schedule.first("local_details_published_by")
    stale_from = min(
        (m for m in (opens, published_by.closes if published_by else None) if m is not None),
        default=None,
    )
    if closes is not None and ctx.at >= closes:
        return [
            finding(
                "schedule.window",
                Severity.ERROR,
                f"现有资料没有{exam}考试的报名安排；按往年日期，报名应已于 {clock.human(closes)} 前后截止，"
                "无法确认是否还能报名：规则数据可能已过时",
                action=UPDATE_HINT,
                source=source,
            )
        ]
    if stale_from is not None and ctx.at >= stale_from:
        return [
            finding(
                "schedule.window",
                Severity.WARNING,
                f"{exam}考试的报名安排尚未收录，而往年此时通常已公布：规则数据可能已过时；{expected}",
                action=UPDATE_HINT,
                source=source,
            )
        ]
    return [
        finding(
            "schedule.window",
            Severity.WARNING,
            f"{exam}考试的报名安排尚未公布，报名时间未知；{expected}",
            action="现在可先把会计人员信息采集、学历和工作年限等准备好；关注财政部及报考地考试管理机构的考试通知",
            source=source,
        )
    ]


@reads(region=False)
def schedule_conflict(ctx: Context) -> list[Finding]:
    """Sources that disagree on a date the candidate depends on: keep both visible."""
    if not ctx.schedule.known:
        return []
    findings = []
    for event in ctx.schedule.events:
        if not event.alternatives or event.kind.value not in (
            "registration",
            "payment",
            "collection",
        ):
            continue
        chosen = clock.human(event.closes) if event.closes else "未知"
        others = "；".join(
            f"{clock.human(alt.closes) if alt.closes else alt.value or '另一说法'}"
            f"（{'可靠性低，' if alt.reliability.value == 'low' else ''}来源 {alt.source}）"
            for alt in event.alternatives
        )
        earliest = min(
            (m for m in (event.closes, *(a.closes for a in event.alternatives)) if m is not None),
            default=None,
        )
        findings.append(
            finding(
                "schedule.conflict",
                Severity.WARNING,
                f"{event.title or EVENT_ZH[event.kind.value]}时间来源不一致：采用 {chosen}；另有 {others}",
                action=f"稳妥起见，按较早的 {clock.human(earliest)} 完成" if earliest else None,
                deadline=earliest if earliest is not None and earliest != event.closes else None,
                source=event.source,
            )
        )
    return findings


@reads(region=False)
def notice_regional(ctx: Context) -> list[Finding]:
    """What the region's sources ask of every candidate beyond the dates (data
    ``requirements``), each a finding with its source; labelled when the year's own
    notice is not published and the requirement is the last known year's."""
    schedule = ctx.schedule
    reference = (
        f"（{schedule.data_year} 年的要求，{ctx.year} 年尚未公布，仅供参考）"
        if not schedule.known and schedule.data_year is not None
        else ""
    )
    return [
        finding(
            "notice.regional",
            requirement.severity if not reference else Severity.INFO,
            requirement.text + reference,
            action=requirement.action,
            source=requirement.source,
        )
        for requirement in schedule.requirements
    ]
