"""What the validator reports: one :class:`Issue` per problem, each with a stable English
``kind`` (for machines and for grouping) and a Chinese message and fix (for people).

:func:`grouped` folds the issues of one kind in one file into a single line with their count
and the first examples, so that one wrong habit (a date written the same wrong way fourteen
times) does not bury an unrelated problem.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from kuaiji.io.masking import scrub_text

# Each kind of issue, as a person reads it in a folded line.
KINDS: dict[str, str] = {
    "load": "加载或注册失败",
    "import": "无法导入",
    "entry_point": "缺少 kuaiji 入口点",
    "data": "数据文件无法读取",
    "data.updated": "updated 日期在未来",
    "source.missing": "缺少来源",
    "source.placeholder": "来源仍是占位内容",
    "source.http": "来源网址不是 https",
    "source.text": "来源既不是资料文件也不是网址",
    "source.seed": "资料文件不存在",
    "placeholder": "仍有占位内容",
    "region.none": "没有服务任何地区",
    "region.code": "地区代码有误",
    "region.parent": "上级地区有误",
    "url.http": "平台网址不是 https",
    "platform.dates": "平台的生效日期颠倒",
    "review": "审核时间有误",
    "note": "给人看的说明不是中文",
    "schedule.region": "日程的地区没有插件服务",
    "event.time": "时间不是北京时间",
    "event.order": "开始晚于结束",
    "event.empty": "事件没有时间",
    "text": "给人看的文字不是中文",
    "override.unknown": "覆盖了不存在的规则",
    "override.by": "替换规则未在 kuaiji_rules 中说明",
    "override.identity": "豁免或替换了身份规则",
    "hook.undecorated": "钩子函数缺少 @hookimpl",
    "cases.none": "没有示例用例",
    "cases.invalid": "示例用例格式有误",
    "cases.failed": "示例用例未通过",
    "cases.rule": "用例中的规则未在 kuaiji_rules 中说明",
    "hook.problem": "钩子出错、超时或返回了不合格的记录",
    "rule.undocumented": "报告了未在 kuaiji_rules 中说明的规则",
    "region.foreign": "答复涉及不归它服务的地区",
}

EXAMPLES = 3  # examples shown in a folded line


@attrs.frozen
class Issue:
    """One problem of one plugin: where, what, and how to fix it (Chinese); ``kind`` is its
    stable id (a key of :data:`KINDS`), ``file`` the file it is in when known."""

    plugin: str
    where: str
    message: str
    fix: str | None = None
    kind: str = "load"
    file: str | None = None

    def __str__(self) -> str:
        fix = f" → {self.fix}" if self.fix else ""
        place = f"{self.file}：{self.where}" if self.file else self.where
        return f"{place}：{self.message}{fix}"


def unique(issues: Iterable[Issue]) -> list[Issue]:
    """The issues without repeats, in their first order."""
    return list(dict.fromkeys(issues))


def grouped(issues: Iterable[Issue]) -> list[str]:
    """One line per issue, except that issues of the same kind in the same file make one line
    with their count and the first :data:`EXAMPLES` of them; groups in first-seen order."""
    groups: dict[tuple[str | None, str], list[Issue]] = {}
    for issue in unique(issues):
        groups.setdefault((issue.file, issue.kind), []).append(issue)
    lines = []
    for (file, kind), members in groups.items():
        if len(members) == 1:
            lines.append(str(members[0]))
            continue
        title = KINDS.get(kind, kind)
        shown = "；".join(f"{i.where}：{i.message}" for i in members[:EXAMPLES])
        more = "；……" if len(members) > EXAMPLES else ""
        fix = f" → {members[0].fix}" if members[0].fix else ""
        place = f"{file}：" if file else ""
        lines.append(f"{place}{title}，共 {len(members)} 处。如 {shown}{more}{fix}")
    return lines


def short(exc: BaseException) -> str:
    """An exception in one short line (its type and first line), with anything like an ID
    or a phone number masked."""
    lines = str(exc).strip().splitlines()
    text = scrub_text(lines[0]) if lines else ""
    if len(text) > 160:
        text = text[:159] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
