"""Human output (Chinese): verdicts, findings, timelines and plans.

Sources are shown as a person can open or recognise them (kuaiji.model.sources.source_text: a seed
document's title, URLs), never as internal keys; of a data record's note only its Chinese
``note_zh`` is shown (kuaiji.model.sources.shown_note). Every text goes through
kuaiji.model.sources.readable, so that a source key quoted inside a message is shown the same way,
and through kuaiji.io.masking.printable, so that control characters from data never reach the
terminal as such.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from kuaiji.io.masking import printable
from kuaiji.model.sources import readable, shown_note, source_text

if TYPE_CHECKING:
    from kuaiji.commands.accounts import PasswordCheck, RecoveryPlan
    from kuaiji.commands.deadlines import DeadlineTable
    from kuaiji.commands.plans import ChangePlan, TransferPlan
    from kuaiji.commands.precheck import Report
    from kuaiji.commands.status import StatusReport
    from kuaiji.model.results import Contact, Finding, Step

VERDICT_ZH = {
    "ready": "可以报名",
    "pending": "待审核",
    "not_ready": "尚未就绪",
    "too_late": "已来不及",
}
SEVERITY_ZH = {"error": "✗ 错误", "pending": "… 待审核", "warning": "! 警告", "info": "i 提示"}
SOON = dt.timedelta(hours=72)


def _shown(text: str) -> str:
    """Text as a person reads it (source keys made readable) and safe on a terminal: a
    control or escape character from data (a plugin's note, a bundle's step title) is
    shown as an escape, so that it cannot move the cursor or rewrite the verdict line."""
    return printable(readable(text))


def _when(moment: dt.datetime | None, at: dt.datetime, *, done: bool = False) -> str:
    """A moment with its countdown, flagged when it closes within 72 hours (unless done)."""
    from kuaiji.model import clock

    if moment is None:
        return "未知"
    text = f"{clock.human(moment)}（{clock.countdown(at, moment)}）"
    if not done and at <= moment <= at + SOON:
        text += " ⚠ 72 小时内截止"
    return text


def report_text(report: Report, *, show_personal_data: bool = False) -> str:
    from kuaiji.io.masking import mask_id, mask_name
    from kuaiji.model import clock

    c = report.candidate
    name = c.name if show_personal_data else mask_name(c.name)
    number = c.id_number if show_personal_data else mask_id(c.id_number)
    region = report.region
    verdict = f"结论：{VERDICT_ZH[report.verdict.value]} ({report.verdict.value})"
    if report.schedule.basis and report.verdict.value == "ready":
        verdict += f"：记录已就绪，{report.year} 年报名时间尚未公布"
    lines = [
        verdict,
        f"考试：{report.year} 年{report.level.zh}会计专业技术资格考试",
        f"考生：{name}（{number}）",
        f"地区：{region.name} {region.code}（考区：{region.exam_area.name}；插件：{' → '.join(region.plugins)}）",
        f"评估时间：{clock.human(report.at)}（北京时间）",
    ]
    if report.schedule.basis:
        lines.append(f"注意：{report.schedule.basis}；标“预计”的日期都是估计，不是已公布的安排")
    lines.append("")
    lines.append("检查结果：" if report.findings else "检查结果：没有发现问题")
    doubtful = region.doubtful_urls
    for finding in report.findings:
        lines.extend(finding_lines(finding, report.at, doubtful))
    lines.append("")
    lines.append("时间线：")
    for step in report.steps:
        lines.extend(step_lines(step, report.at, doubtful))
    return _shown("\n".join(lines))


DOUBTFUL = "（来源可靠性低，请核实后再用）"


def _url(url: str, doubtful: frozenset[str]) -> str:
    return f"{url}{DOUBTFUL}" if url in doubtful else url


NO_SOURCE = "未注明"


def _source(source: str | None) -> str:
    """A ``来源：`` line's text: the sources as a person reads them."""
    return source_text(source) or NO_SOURCE


def finding_lines(f: Finding, at: dt.datetime, doubtful: frozenset[str] = frozenset()) -> list[str]:
    lines = [f"  {SEVERITY_ZH[f.severity.value]} {f.rule} [{f.plugin}] {f.message}"]
    if f.action:
        lines.append(f"      → {f.action}")
    if f.deadline:
        lines.append(f"      截止：{_when(f.deadline, at)}")
    if f.url:
        lines.append(f"      网址：{_url(f.url, doubtful)}")
    if f.source:
        lines.append(f"      来源：{_source(f.source)}")
    return [_shown(line) for line in lines]


def step_lines(s: Step, at: dt.datetime, doubtful: frozenset[str] = frozenset()) -> list[str]:
    from kuaiji.model import clock

    mark = {True: "✓", False: "○", None: "•"}[s.done]
    done = s.done is True
    lines = [f"  {mark} {s.title}"]
    where = s.platform or ""
    if s.url:
        where += f" {_url(s.url, doubtful)}"
    elif s.platform:
        where += "（网址未知）"
    if where:
        lines.append(f"      平台：{where.strip()}")
    if s.opens and s.closes and at < s.opens:  # not begun: count down to its start
        lines.append(
            f"      时间：{clock.human(s.opens)}（{clock.countdown(at, s.opens).removeprefix('还剩 ')}后开始）"
            f" 至 {clock.human(s.closes)}"
        )
    elif s.opens and s.closes:
        lines.append(f"      时间：{clock.human(s.opens)} 至 {_when(s.closes, at, done=done)}")
    elif s.closes:
        lines.append(f"      截止：{_when(s.closes, at, done=done)}")
    elif s.opens:
        lines.append(f"      开始：{clock.human(s.opens)}")
    if s.latest_start and not done:  # what is done needs no start
        lines.append(f"      最晚开始：{_when(s.latest_start, at, done=done)}")
    if s.note:
        lines.append(f"      说明：{s.note}")
    lines.append(f"      来源：{_source(s.source)}")
    return [_shown(line) for line in lines]


def change_text(plan: ChangePlan) -> str:
    from kuaiji.model import clock

    zh = {
        "allowed": "可以在网上变更",
        "in_person": "不能在网上变更，须本人到会计管理部门办理",
        "refused": "不能变更",
        "unknown": "未知",
    }
    lines = [f"地区：{plan.region.name} {plan.region.code}；评估时间：{clock.human(plan.at)}", ""]
    from kuaiji.model.fields import LABELS

    for d in plan.decisions:
        label = f"{LABELS[d.field]}（{d.field}）" if d.field in LABELS else d.field
        lines.append(f"  {label}：{zh[d.decision.value]} ({d.decision.value}) [{d.plugin}]")
        lines.append(f"      原因：{d.reason}")
        if d.how:
            lines.append(f"      办理：{d.how}")
        if d.platform or d.url:
            url = _url(d.url, plan.region.doubtful_urls) if d.url else "（网址未知）"
            lines.append(f"      平台：{d.platform or ''} {url}")
        if d.source:
            lines.append(f"      来源：{_source(d.source)}")
    lines.extend(line for f in plan.problems for line in finding_lines(f, plan.at))
    return _shown("\n".join(lines))


def transfer_text(plan: TransferPlan) -> str:
    from kuaiji.model import clock

    phase_zh = {"out": "调出", "in": "调入", "after": "调入后"}
    move = plan.move
    lines = [
        f"调转：{move.origin.name} → {move.destination.name}（{'跨省' if move.cross_province else '省内'}）",
        f"评估时间：{clock.human(plan.at)}",
    ]
    if plan.deadline is not None:
        lines.append(
            f"须在此前到位：{'（预计）' if plan.projected else ''}{_when(plan.deadline, plan.at)}"
            f"（调入地的信息采集截止或报名截止；来源 {_source(plan.deadline_source)}）"
        )
    if plan.latest_start is not None:
        lines.append(f"最晚开始：{_when(plan.latest_start, plan.at)}")
    if plan.feasible is False:
        lines.append("结论：来不及在截止前完成调转")
    elif plan.feasible is True:
        lines.append("结论：按资料所列时间，现在开始可以在截止前完成")
    lines.extend(f"注意：{note}" for note in plan.notes)
    lines.append("")
    doubtful = move.origin.doubtful_urls | move.destination.doubtful_urls
    for i, s in enumerate(plan.steps, 1):
        lines.append(f"  {i}. [{phase_zh[s.phase.value]}] {s.title} [{s.plugin}]")
        if s.platform or s.url:
            url = _url(s.url, doubtful) if s.url else "（网址未知）"
            lines.append(f"      平台：{s.platform or ''} {url}")
        for document in s.documents:
            lines.append(f"      材料：{document}")
        if s.working_days:  # 0: the candidate's own action, no waiting
            lines.append(f"      审核：{s.working_days} 个工作日内")
        if s.calendar_days is not None:
            lines.append(f"      所需时间：约 {s.calendar_days} 天")
        if s.note:
            lines.append(f"      说明：{s.note}")
        if s.source:
            lines.append(f"      来源：{_source(s.source)}")
    lines.extend(line for f in plan.problems for line in finding_lines(f, plan.at))
    return _shown("\n".join(lines))


def recovery_text(plan: RecoveryPlan) -> str:
    region = plan.region
    lines = [
        f"{region.name} {region.code}：找回或重置平台账号密码（插件：{' → '.join(region.plugins)}）"
    ]
    if not plan.procedures:
        lines.append("  已安装的插件没有该地区平台的找回办法（未知）")
    for p in plan.procedures:
        lines.append("")
        lines.append(f"{p.platform}{f'（{p.url}）' if p.url else '（网址未知）'} [{p.plugin}]")
        lines.extend(f"  {i}. {step}" for i, step in enumerate(p.steps, 1))
        if p.reset_default:
            lines.append(
                f"  会计科重置后的密码为 {p.reset_default}；这个密码是公开的，请登录后立即改为自己的密码"
            )
        if p.note:
            lines.append(f"  说明：{p.note}")
        lines.append(f"  来源：{_source(p.source)}")
    lines.extend(line for f in plan.problems for line in finding_lines(f, plan.at))
    return _shown("\n".join(lines))


def password_text(result: PasswordCheck) -> str:
    from kuaiji.model import clock

    lines = []
    if result.ok:
        compared = "、".join(result.compared) or "（该地区没有已知的重置默认密码）"
        lines.append(f"可以使用：不是已知的重置默认密码（已比对：{compared}）")
        lines.append("  kuaiji 不知道各平台的其他密码规则，请以平台提示为准")
    for f in (*result.findings, *result.problems):
        lines.extend(finding_lines(f, clock.now()))  # findings here carry no deadline
    return _shown("\n".join(lines))


def deadlines_text(table: DeadlineTable) -> str:
    from kuaiji.model import clock

    at = table.at
    where = "、".join(f"{r.name} {r.code}" for r in table.regions) or "全部地区"
    lines = [f"截止时间一览：{where}（评估时间 {clock.human(at)} 北京时间）"]
    lines.extend(f"注意：{note}" for note in table.notes)
    if not table.deadlines:
        lines.append("  没有已知的截止时间")
    for d in table.deadlines:
        e = d.event
        past = d.past(at)
        if d.projected:
            mark = "  预计"
            left = f"（{clock.countdown(at, d.moment)}）" if d.moment > at else ""
        elif past:
            mark, left = "  已过", ""
        else:
            mark = "⚠ 72h" if d.soon(at) else "      "
            left = f"（{clock.countdown(at, d.moment)}）"
        window = ""
        if e.kind.value == "exam" and e.opens and e.closes:
            window = f" · 至 {clock.human(e.closes)}"
        elif e.opens and e.closes:
            window = f" · {clock.human(e.opens)} 起"
        what = d.title + (f"（最晚开始：{d.lead.text}）" if d.lead else "")
        if d.lead and e.closes:
            what += f"，截止 {clock.human(e.closes)}"
        flags = "".join(
            f
            for f in (
                " [推断]" if e.inferred and not d.projected else "",
                " [来源可靠性低]" if e.reliability.value == "low" and not d.projected else "",
            )
        )
        reference = " [预计]" if d.projected else ""
        lines.append(
            f"{mark} {clock.human(d.moment)}{left} {d.year}{d.level.zh} {d.region_name}：{what}"
            f"{window}{flags}{reference}"
        )
        for alt in e.alternatives:
            value = clock.human(alt.closes) if alt.closes else alt.value
            if value:
                low = (
                    "可靠性低，"
                    if alt.reliability.value == "low" and "(low)" not in alt.source
                    else ""
                )
                lines.append(f"          另有来源称 {value}（{low}来源 {_source(alt.source)}）")
        note = shown_note(e)
        if note:
            lines.append(f"          说明：{note}")
        lines.append(f"          来源：{_source(e.source)}")
    return _shown("\n".join(lines))


def contact_lines(registry: Any, c: Contact, *, code: bool = False) -> list[str]:
    """One office of ``kuaiji contacts``: phones, address, its code (with ``code``, or the
    county a zone without a code lies in), its note and its source."""
    from kuaiji.registry.regions import division_name

    lines = [f"  {c.name}  电话：{'、'.join(c.phones) or '未知'}"]
    if c.address:
        lines.append(f"      地址：{c.address}")
    if c.code is not None and code:
        lines.append(f"      行政区划代码：{c.code}（{division_name(c.code) or '名称未知'}）")
    if c.code is None:
        place = registry.contact_place(c)
        county = (
            f"{division_name(place.county)} {place.county}（据来源所列名称或地址）"
            if place.county
            else "来源未说明（未知）"
        )
        lines.append(f"      行政区划代码：无（功能区）；所在区县：{county}")
    note = shown_note(c)
    if note:
        lines.append(f"      说明：{note}")
    lines.append(f"      来源：{_source(c.source)} [{c.plugin}]")
    return [_shown(line) for line in lines]


STATE_ZH = {
    "up": "✓ 正常",
    "slow": "! 缓慢",
    "down": "✗ 出错",
    "unreachable": "✗ 无法连接",
    "not_probed": "- 未探测",
}


def status_text(report: StatusReport) -> str:
    from kuaiji.model import clock

    lines = [f"平台状态（{clock.human(report.at)} 北京时间，用时 {report.seconds:.1f} 秒）"]
    for p in report.probes:
        t = p.target
        detail = []
        if p.status is not None:
            detail.append(f"HTTP {p.status}")
        if p.seconds is not None:
            detail.append(f"{p.seconds * 1000:.0f} ms")
        if p.attempts:
            detail.append(f"尝试 {p.attempts} 次")
        if p.error:
            detail.append(p.error)
        retired = "" if t.in_service else "（已停用，仅供参考）"
        lines.append(f"{STATE_ZH[p.state.value]}  {'、'.join(t.platforms)}{retired}  {t.url}")
        lines.append(f"      {'；'.join(detail)}  [{', '.join(t.regions)}]")
        if t.note:
            lines.append(f"      说明：{t.note}")
    probed = [p for p in report.probes if p.state.value != "not_probed"]
    if report.ok:
        lines.append("全部正常")
    elif probed and all(p.state.value == "unreachable" for p in probed):
        lines.append("全部无法连接：更可能是本机的网络问题（或全部平台同时故障）")
    else:
        lines.append("有平台不正常：是平台的问题，不是考生的，稍后再试")
    return printable("\n".join(lines))
