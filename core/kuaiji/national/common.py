"""What the national baseline's check families share: the national platform's id, the record deadline, the wording of platforms and contacts."""

from __future__ import annotations

import datetime as dt

from kuaiji.model.context import Context
from kuaiji.model.results import Finding, Role, Severity, Step

AUSM = "ausm"  # the national platform's id in data/jurisdictions.json


REAL_NAME_REVIEW_WORKDAYS = 3  # seed 004 FAQ 8: 线上实名认证 至少提前 3 个工作日


NATIONAL = "national"  # this plugin's name (its records say so from the start)


def finding(rule: str, severity: Severity, message: str, **kwargs: object) -> Finding:
    kwargs.setdefault("plugin", NATIONAL)
    return Finding(rule, severity, message, **kwargs)  # type: ignore[arg-type]


def step(*args: object, **kwargs: object) -> Step:
    """A step of the national timeline, its ``plugin`` filled in."""
    kwargs.setdefault("plugin", NATIONAL)
    return Step(*args, **kwargs)  # type: ignore[arg-type]


def record_deadline(ctx: Context) -> dt.datetime | None:
    """When the record must be in order (:attr:`ScheduleView.record_deadline`)."""
    return ctx.schedule.record_deadline


def uses_national_platform(ctx: Context) -> bool:
    """Whether this exam's registration, or the record's collection now, is on ausm."""
    registration = ctx.registration_platform
    collection = ctx.platform(Role.COLLECTION)
    return any(p is not None and p.id == AUSM for p in (registration, collection))


UPDATE_HINT = "运行 `kuaiji rules update` 更新规则数据，并查看财政部和报考地考试管理机构的通知"


EVENT_ZH = {
    "registration": "报名",
    "payment": "缴费截止",
    "collection": "信息采集截止",
    "change": "信息变更截止",
    "transfer": "调转截止",
    "review": "资格审核",
    "admission_ticket": "准考证打印",
    "exam": "考试",
    "other": "其他",
}


def ask(contact: str | None, whose: str = "") -> str:
    """``；咨询…：<bureau>`` when a plugin gives the bureau's contact, else nothing."""
    return f"；{whose}咨询：{contact}" if contact else ""


def platform_text(platform: object, doubtful: frozenset[str] = frozenset()) -> str:
    if platform is None:
        return "报考地规定的平台（现有资料未给出）"
    name = getattr(platform, "name", "")
    url = getattr(platform, "url", None)
    if url in doubtful:
        return f"{name}（{url}，来源可靠性低，请核实后再用）"
    return f"{name}（{url}）" if url else f"{name}（网址未知）"
