"""One validator every plugin passes (in the spirit of Home Assistant's hassfest):
``kuaiji plugins check`` and :mod:`kuaiji.testing` run it.

It collects every problem instead of stopping at the first, each with a Chinese message and
fix and a stable ``kind`` (:mod:`kuaiji.authoring.issues`):

- loading: import and registration, every module-level ``kuaiji_*`` function marked
  ``@hookimpl`` (pluggy ignores one that is not);
- data files through the core's own loader, ``updated`` not in the future (Beijing time);
- regions: codes known to GB/T 2260, each under its real GB/T 2260 parent;
- every ``source`` a known seed document (``seed:…``, in the core's catalogue or the
  plugin's own ``seeds/`` folder) or an https URL; no placeholder left;
- https platform URLs (or a stated reason), Chinese text wherever people read it,
  Beijing-time moments and ordered windows;
- overrides: of known rules only, never of an identity rule (``identity.*``);
- the plugin's example cases (present and passing) and their rule ids documented;
- the plugin's hooks exercised over regions, years, record states and moments
  (:mod:`kuaiji.authoring.exercise`).

A folder is checked as it is, not an installed copy of the same name: its module is imported
from the folder and registered in a fresh registry beside the other installed plugins.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import importlib.util
import inspect
import re
import sys
import tomllib
import types
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs

from kuaiji.authoring.cases import load_cases, run_case
from kuaiji.authoring.exercise import exercise as exercise_hooks
from kuaiji.authoring.issues import Issue, grouped, short, unique
from kuaiji.errors import DataError, InputError
from kuaiji.model import clock
from kuaiji.model.results import NATIONAL_CODE, Contact, Event, Fact, Jurisdiction, Schedule
from kuaiji.model.sources import SEEDS
from kuaiji.registry import containment, hookspecs
from kuaiji.registry.data import PluginData, validate_documents
from kuaiji.registry.manager import ENTRY_POINT_GROUP, NATIONAL, Registry
from kuaiji.registry.regions import BINGTUAN, division_name

__all__ = [
    "Folder",
    "Issue",
    "check",
    "check_folders",
    "check_plugin",
    "check_targets",
    "grouped",
    "installed_entry_points",
    "read_folder",
]

PLACEHOLDERS = ("TODO", "FIXME", "TBD", "XXX", "<fill", "填写")
PROTECTED_RULES = ("identity.", "plugin.error")  # rule ids (prefixes) no plugin may override
_BEIJING = dt.timedelta(hours=8)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SPLIT = re.compile(r"\s+;\s*|\s*;\s+")  # " ; " between sources
_LOW = re.compile(r"\s*\(low\)\s*$")
_FIX_SOURCE = "写资料文件（seed:…）或公开的 https 网址"
_FIX_RULEDOC = "在插件的 RULES（kuaiji_rules）中为它写一条 RuleDoc"


def check(
    registry: Registry, names: Iterable[str] | None = None, *, exercise: bool = True
) -> dict[str, list[Issue]]:
    """Every problem of the registry's plugins (default: all but the national baseline,
    which the test suite checks), by plugin name; ``exercise=False`` leaves out calling
    the hooks over every situation."""
    wanted = list(names) if names is not None else [n for n in registry.info if n != NATIONAL]
    found: dict[str, list[Issue]] = {name: [] for name in wanted}
    for problem in registry.problems:
        name = problem.plugin
        if names is not None and name not in found:
            continue
        found.setdefault(name, []).append(
            Issue(name, problem.hook or "加载", problem.message, "修正插件", "load")
        )
    for name in wanted:
        if name in registry.info:
            own = check_plugin(registry, name, exercise=exercise)
            if any(i.kind == "data" for i in own):  # its hooks failed on that data: said once
                found[name] = [i for i in found[name] if "DataError" not in i.message]
            found[name].extend(own)
    return {name: unique(issues) for name, issues in found.items()}


def check_plugin(registry: Registry, name: str, *, exercise: bool = True) -> list[Issue]:
    """Every problem of one registered plugin."""
    module = _module_of(registry.pm.get_plugin(name))
    code_file = _module_file(module)
    seeds = _seeds(module)
    issues: list[Issue] = []
    data = _plugin_data(module, name)
    files: dict[tuple[str, object], str] = {}
    readable = True
    # What the data files say, read as the core reads them (the registry may refuse a whole
    # answer for one bad record: every record is still checked here); else what the hooks
    # gave the registry.
    jurisdictions = [j for j in registry.jurisdictions.values() if j.plugin == name]
    schedules = [s for found in registry.schedules.values() for s in found if s.plugin == name]
    contacts = [c for c in registry.contacts if c.plugin == name]
    if data is None:
        if module is not None and hasattr(module, "__path__"):
            issues.append(
                Issue(
                    name, "DATA", "没有数据文件：插件的事实写在 data/*.json 中", _FIX_DATA, "data"
                )
            )
    else:
        found, readable = _check_documents(name, data, files)
        issues.extend(found)
        if readable:
            jurisdictions, schedules, contacts = (
                list(data.jurisdictions),
                list(data.schedules),
                list(data.contacts),
            )
    if not jurisdictions and readable:
        issues.append(
            Issue(
                name,
                "jurisdictions",
                "没有服务任何地区",
                "在数据文件的 jurisdictions 中写出它服务的地区",
                "region.none",
            )
        )
    for jurisdiction in jurisdictions:
        file = files.get(("jurisdictions", jurisdiction.code), code_file)
        issues.extend(_in(file, _check_jurisdiction(name, jurisdiction, registry, seeds)))
    for schedule in schedules:
        key = (schedule.region, schedule.level.value, schedule.year)
        file = files.get(("schedules", key), code_file)
        issues.extend(_in(file, _check_schedule(name, schedule, registry, seeds)))
    for contact in contacts:
        where = f"contacts[{contact.name}]"
        file = files.get(("contacts", contact.name), code_file)
        issues.extend(_in(file, _sourced(name, where, contact.source, seeds)))
        if contact.note is not None and not _CJK.search(contact.note):
            issues.append(
                Issue(
                    name,
                    where,
                    "note 不是中文（联系方式的说明原样显示给考生）",
                    "用中文写",
                    "text",
                    file,
                )
            )
    issues.extend(_in(code_file, _check_rules(name, registry, seeds)))
    issues.extend(_in(code_file, _check_hookimpls(name, registry.pm.get_plugin(name))))
    if name != NATIONAL and getattr(registry.pm.get_plugin(name), "KUAIJI_API", None) is None:
        issues.append(
            Issue(
                name,
                "KUAIJI_API",
                "没有声明支持的插件接口版本：kuaiji 升级到新的接口大版本时，它会被当作兼容而加载",
                f'在插件包中写 KUAIJI_API = "{hookspecs.API_VERSION.split(".")[0]}"',
                "api.undeclared",
            )
        )
    if readable:  # cases and hooks run on data that could not be read only repeat that issue
        issues.extend(_check_cases(name, registry, module))
        if exercise:
            issues.extend(exercise_hooks(registry, name))
    return unique(issues)


def _in(file: str | None, issues: Iterable[Issue]) -> list[Issue]:
    """The issues, said to be in ``file``."""
    return [attrs.evolve(issue, file=file) for issue in issues]


_FIX_DATA = 'DATA = PluginData("<name>", __name__)，事实写在 data/<name>.json 中'


def _check_documents(
    name: str, data: PluginData, files: dict[tuple[str, object], str]
) -> tuple[list[Issue], bool]:
    """The data files: readable by the core's loader, ``updated`` not in the future; fills
    ``files`` with the file each jurisdiction, schedule and contact comes from. Whether
    they could be read."""
    try:
        documents = data.documents
        validate_documents(documents)
    except DataError as exc:
        return [Issue(name, "data", f"无法读取：{exc}", "改正所指的那一项", "data")], False
    issues = []
    today = clock.now().date()
    for doc in documents:
        if doc.updated > today:
            issues.append(
                Issue(
                    name,
                    "updated",
                    f"updated 是 {doc.updated}，晚于今天（北京时间 {today}）",
                    "写这些事实最后核对的日期，不晚于今天",
                    "data.updated",
                    doc.name,
                )
            )
        for raw in doc.sections.get("jurisdictions", []):
            files.setdefault(("jurisdictions", raw.get("code")), doc.name)
        for raw in doc.sections.get("schedules", []):
            key = (raw.get("region"), raw.get("level"), raw.get("year"))
            files.setdefault(("schedules", key), doc.name)
        for raw in doc.sections.get("contacts", []):
            files.setdefault(("contacts", raw.get("name")), doc.name)
    return issues, True


def _sourced(
    plugin: str, where: str, source: str | None, seeds: frozenset[str] = frozenset()
) -> Iterator[Issue]:
    """A source: each of its parts (joined by " ; ", maybe marked " (low)") a seed document
    known to the core or shipped in the plugin's ``seeds/`` folder, or an https URL."""
    text = (source or "").strip()
    if not text:
        yield Issue(plugin, where, "没有来源", _FIX_SOURCE, "source.missing")
        return
    for mark in PLACEHOLDERS:
        if mark.lower() in text.lower():
            yield Issue(
                plugin, where, f"来源仍是占位内容：{text!r}", "填上真实来源", "source.placeholder"
            )
            return
    for raw in _SPLIT.split(text):
        low = bool(_LOW.search(raw))
        part = _LOW.sub("", raw.strip())
        if part.startswith("seed:"):
            if part not in SEEDS and part not in seeds:
                yield Issue(
                    plugin,
                    where,
                    f"资料 {part} 不存在",
                    "用核心资料目录（kuaiji.model.sources.SEEDS）中的资料，"
                    "或把资料文件放进插件的 seeds/ 文件夹",
                    "source.seed",
                )
        elif part.startswith("http://"):
            # A page served only over http may back a fact as a low-reliability source:
            # marked " (low)", it is shown as 来源可靠性低 wherever it is cited.
            if low and _plain_http(part):
                continue
            yield Issue(
                plugin,
                where,
                f"来源 {part} 不是 https 网址",
                "换成该页面的 https 地址；只有 http 的页面在其后标注 (low)（显示为来源可靠性低），"
                "或把页面存成资料文件放进 seeds/ 后写 seed:文件名",
                "source.http",
            )
        elif not _https(part):
            yield Issue(
                plugin,
                where,
                f"来源 {part!r} 既不是资料文件（seed:…）也不是 https 网址",
                _FIX_SOURCE,
                "source.text",
            )


def _plain_http(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme == "http" and bool(parts.netloc) and not any(c.isspace() for c in text)


def _https(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme == "https" and bool(parts.netloc) and not any(c.isspace() for c in text)


def _placeholder(plugin: str, where: str, text: str | None) -> Iterator[Issue]:
    for mark in PLACEHOLDERS:
        if text and mark.lower() in text.lower():
            yield Issue(plugin, where, f"仍是占位内容：{text!r}", "填上真实内容", "placeholder")
            return


def real_parent(code: str) -> str:
    """The region a code belongs to in GB/T 2260: ``CN`` for a province (and 兵团), else
    the code two digits shorter (``1301`` → ``13``; ``440305`` → ``4403``)."""
    return NATIONAL_CODE if len(code) <= 2 else code[:-2]


def _check_jurisdiction(
    plugin: str, j: Jurisdiction, registry: Registry, seeds: frozenset[str] = frozenset()
) -> Iterator[Issue]:
    where = f"jurisdictions[{j.code}]"
    yield from _sourced(plugin, where, j.source, seeds)
    yield from _placeholder(plugin, f"{where}.name", j.name)
    if j.code != BINGTUAN and (not j.code.isdigit() or len(j.code) not in (2, 4, 6)):
        yield Issue(
            plugin,
            where,
            f"代码 {j.code!r} 不是 GB/T 2260 代码",
            "写 2、4 或 6 位数字",
            "region.code",
        )
    else:
        if j.code != BINGTUAN and division_name(j.code) is None:
            yield Issue(
                plugin,
                where,
                f"代码 {j.code} 不在 GB/T 2260 中",
                "核对代码（kuaiji regions 可查）",
                "region.code",
            )
        parent, real = j.parent or NATIONAL_CODE, real_parent(j.code)
        if parent != real:
            yield Issue(
                plugin,
                where,
                f"上级写成了 {parent!r}，GB/T 2260 中 {j.code} 的上级是 {real}",
                f'把 parent 改为 "{real}"',
                "region.parent",
            )
        elif parent not in registry.jurisdictions:
            yield Issue(
                plugin,
                where,
                f"上级 {parent} 不是已服务的地区",
                "同时声明上级地区，或先安装服务它的插件",
                "region.parent",
            )
    review = j.collection_review
    if review is not None:
        rwhere = f"{where}.collection_review"
        yield from _sourced(plugin, rwhere, review.source, seeds)
        if review.working_days < 1 or (
            review.least is not None and review.least > review.working_days
        ):
            yield Issue(
                plugin,
                rwhere,
                "working_days 应至少为 1，且不小于 least",
                "按来源写出工作日范围",
                "review",
            )
        if review.note is not None and not _CJK.search(review.note):
            yield Issue(plugin, rwhere, "note 不是中文", "用中文写", "text")
    for platform in j.platforms:
        pwhere = f"{where}.platforms[{platform.id}]"
        yield from _sourced(plugin, pwhere, platform.source, seeds)
        yield from _placeholder(plugin, f"{pwhere}.url", platform.url)
        if (
            platform.url
            and not platform.url.startswith("https://")
            and not platform.plain_url_reason
        ):
            yield Issue(
                plugin,
                pwhere,
                f"网址 {platform.url!r} 不是 https",
                "写 https 地址；来源只给出 http 或没有协议时，原样保留并写 plain_url_reason",
                "url.http",
            )
        if (
            platform.effective_from
            and platform.effective_until
            and platform.effective_from > platform.effective_until
        ):
            yield Issue(
                plugin,
                pwhere,
                "effective_from 晚于 effective_until",
                "交换或改正这两个日期",
                "platform.dates",
            )


def _check_schedule(
    plugin: str, s: Schedule, registry: Registry, seeds: frozenset[str] = frozenset()
) -> Iterator[Issue]:
    where = f"schedules[{s.region} {s.level.value} {s.year}]"
    yield from _sourced(plugin, where, s.source, seeds)
    if s.region not in registry.jurisdictions:
        yield Issue(
            plugin,
            where,
            f"地区 {s.region!r} 没有插件服务",
            "先在 jurisdictions 中声明它",
            "schedule.region",
        )
    if s.collection_required is not None:
        cwhere = f"{where}.collection_required"
        yield from _sourced(plugin, cwhere, s.collection_required.source, seeds)
        yield from _shown_note(plugin, cwhere, s.collection_required)
    for requirement in s.requirements:
        rwhere = f"{where}.requirements[{requirement.id}]"
        yield from _sourced(plugin, rwhere, requirement.source, seeds)
        for text in (requirement.text, requirement.action):
            if text is not None and not _CJK.search(text):
                yield Issue(
                    plugin, rwhere, "给考生看的文字（text、action）不是中文", "用中文写", "text"
                )
    for event in s.events:
        ewhere = f"{where}.events[{event.id}]"
        yield from _sourced(plugin, ewhere, event.source, seeds)
        for moment in (event.opens, event.closes):
            if moment is not None and moment.utcoffset() != _BEIJING:
                yield Issue(
                    plugin,
                    ewhere,
                    "时间不是北京时间",
                    "按北京时间写（YYYY-MM-DD HH:MM）",
                    "event.time",
                )
        if event.opens and event.closes and event.opens > event.closes:
            yield Issue(
                plugin, ewhere, "开始时间晚于结束时间", "交换或改正这两个时间", "event.order"
            )
        if event.opens is None and event.closes is None:
            yield Issue(plugin, ewhere, "既没有开始也没有结束时间", "至少写一个时间", "event.empty")
        yield from _shown_note(plugin, ewhere, event)
        for alt in event.alternatives:
            awhere = f"{ewhere}.alternatives"
            yield from _sourced(plugin, awhere, alt.source, seeds)
            if alt.opens and alt.closes and alt.opens > alt.closes:
                yield Issue(
                    plugin, awhere, "开始时间晚于结束时间", "交换或改正这两个时间", "event.order"
                )


def _shown_note(plugin: str, where: str, record: Event | Fact) -> Iterator[Issue]:
    """A record whose note reaches people (an event, a fact) shows its ``note_zh``, never its
    ``note`` (for maintainers, any language): a note needs a Chinese note_zh."""
    if record.note is not None and not (record.note_zh or "").strip():
        yield Issue(
            plugin,
            where,
            "有 note 而没有 note_zh：给考生看的是 note_zh，不是 note",
            "加 note_zh：用中文简短写出考生需要知道的",
            "note",
        )
    elif record.note_zh is not None and not _CJK.search(record.note_zh):
        yield Issue(plugin, where, "note_zh 不是中文", "用中文写 note_zh", "note")


def _check_rules(plugin: str, registry: Registry, seeds: frozenset[str]) -> Iterator[Issue]:
    documented = {doc.rule for docs in registry.rules.values() for doc in docs}
    for override in registry.overrides.get(plugin, ()):
        where = f"OVERRIDES[{override.rule}]"
        yield from _sourced(plugin, where, override.source, seeds)
        if override.rule.startswith(PROTECTED_RULES):
            yield Issue(
                plugin,
                where,
                f"豁免或替换了规则 {override.rule}：身份规则（identity.*）和插件故障不能被覆盖",
                "删去这条 Override：身份核验在每个地区都适用",
                "override.identity",
            )
        elif override.rule not in documented:
            yield Issue(
                plugin,
                where,
                f"覆盖的规则 {override.rule} 不存在",
                "核对规则 id（kuaiji_rules 中说明过的）",
                "override.unknown",
            )
        if override.by and override.by not in documented:
            yield Issue(
                plugin,
                where,
                f"替换规则 {override.by} 未说明",
                _FIX_RULEDOC,
                "override.by",
            )


def _check_hookimpls(plugin: str, registered: object) -> Iterator[Issue]:
    """Every function of the plugin named like a hook is marked ``@hookimpl``: pluggy
    silently ignores one that is not."""
    marker = f"{hookspecs.PROJECT}_impl"
    for name in sorted(dir(registered)):
        value = getattr(registered, name, None)
        if not name.startswith("kuaiji_") or not inspect.isroutine(value):
            continue
        if getattr(value, marker, None) is None:
            known = "" if hasattr(hookspecs, name) else f"（也没有叫 {name} 的钩子）"
            yield Issue(
                plugin,
                name,
                f"函数 {name} 没有 @hookimpl，kuaiji 不会调用它{known}",
                "在函数前加 @hookimpl（from kuaiji.plugin import hookimpl）",
                "hook.undecorated",
            )


def _check_cases(
    plugin: str, registry: Registry, module: types.ModuleType | None
) -> Iterator[Issue]:
    package = module.__name__ if module is not None else (registry.info[plugin].module or "")
    package = package.split(":")[0]
    folder = f"{package}/cases" if module is None or hasattr(module, "__path__") else "cases"
    try:
        cases = list(load_cases(package))
    except DataError as exc:
        yield Issue(plugin, "cases", str(exc), "改正该用例文件", "cases.invalid", folder)
        return
    if not cases:
        yield Issue(
            plugin,
            folder,
            "没有示例用例",
            f"加 {folder}/<名称>.json（见 docs/writing-a-plugin.md 的示例用例一节）",
            "cases.none",
        )
        return
    documented = {doc.rule for docs in registry.rules.values() for doc in docs}
    for case in cases:
        file = f"{folder}/{case.name}.json"
        expect = case.data.get("expect")
        lists = [expect.get(k, []) for k in ("rules", "absent")] if isinstance(expect, dict) else []
        if not isinstance(expect, dict) or not all(
            isinstance(x, list) and all(isinstance(r, str) for r in x) for x in lists
        ):
            yield Issue(
                plugin,
                "expect",
                "expect 应是对象，其中 rules 和 absent 是规则 id 的列表",
                "见 docs/writing-a-plugin.md 的示例用例一节",
                "cases.invalid",
                file,
            )
            continue
        try:
            problems = run_case(case, registry)
        except Exception as exc:  # a case that cannot run is a problem, not a crash
            problems = [f"无法运行：{short(exc)}"]
        for problem in problems:
            yield Issue(plugin, case.name, problem, "改正插件或用例", "cases.failed", file)
        for rule in [*expect.get("rules", []), *expect.get("absent", [])]:
            if rule not in documented:
                yield Issue(
                    plugin,
                    "expect",
                    f"规则 {rule} 未说明",
                    _FIX_RULEDOC,
                    "cases.rule",
                    file,
                )


# --- what a plugin is made of ---


def _module_of(registered: object) -> types.ModuleType | None:
    """The module a registered plugin is (or whose object it is)."""
    if isinstance(registered, types.ModuleType):
        return registered
    return sys.modules.get(getattr(registered, "__module__", None) or "")


def _module_file(module: types.ModuleType | None) -> str | None:
    """How a person names the plugin's main file: ``kuaiji_x/__init__.py`` or ``kuaiji_x.py``."""
    if module is None:
        return None
    name = module.__name__.replace(".", "/")
    return f"{name}/__init__.py" if hasattr(module, "__path__") else f"{name}.py"


def _home(module: types.ModuleType | None) -> Path | None:
    """The plugin's folder: its package's, or the one a single module lies in."""
    if module is None:
        return None
    paths = list(getattr(module, "__path__", []) or [])
    if paths:
        return Path(paths[0])
    file = getattr(module, "__file__", None)
    return Path(file).parent if file else None


def _seeds(module: types.ModuleType | None) -> frozenset[str]:
    """The seed documents the plugin ships in its ``seeds/`` folder, as ``seed:<file>``."""
    home = _home(module)
    folder = home / "seeds" if home is not None else None
    if folder is None or not folder.is_dir():
        return frozenset()
    return frozenset(f"seed:{p.name}" for p in folder.iterdir() if p.is_file())


def _plugin_data(module: types.ModuleType | None, name: str) -> PluginData | None:
    """The plugin's data: the PluginData its module holds, else the one made under its name."""
    for value in vars(module).values() if module is not None else ():
        if isinstance(value, PluginData):
            return value
    return PluginData.every().get(name)


# --- installed plugins, names and folders ---


def installed_entry_points() -> dict[str, str]:
    """The installed ``kuaiji`` entry points: name → ``module[:attr]``."""
    from importlib import metadata

    return {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def _import_failure(name: str) -> Issue | None:
    """The import of an installed plugin that fails, as an issue naming the exception."""
    target = installed_entry_points().get(name)
    if target is None:
        return None
    _, failed = containment.run(
        name, "import", containment.import_budget(), lambda: _resolve(target)
    )
    return None if failed is None else _cannot_import(name, target, failed)


def _cannot_import(name: str, target: str, exc: BaseException) -> Issue:
    return Issue(
        name,
        target,
        f"无法导入：{short(exc)}",
        "修正导入错误（缺少的依赖、拼错的模块名、模块顶层代码出错）",
        "import",
    )


def _resolve(target: str) -> object:
    """What an entry point's ``module[:attr.path]`` names (imported as usual)."""
    module_name, _, path = target.split("[", 1)[0].partition(":")
    found: object = importlib.import_module(module_name.strip())
    for part in filter(None, path.strip().split(".")):
        found = getattr(found, part)
    return found


def _beside(registry: Registry, name: str, plugin: object) -> Registry:
    """A fresh registry with ``plugin`` as ``name`` and the other plugins of ``registry``
    (none of the same name)."""
    others = [
        (other, registry.pm.get_plugin(other))
        for other in registry.info
        if other not in (NATIONAL, name)
    ]
    return Registry(plugins=[*others, (name, plugin)], entry_points=False)


@attrs.frozen
class Folder:
    """A plugin folder: its distribution and the entry points it declares (or, without
    any, the one ``kuaiji_*`` module or package it holds, under ``guessed``)."""

    path: Path
    distribution: str | None
    entry_points: dict[str, str]  # name -> "module[:attr]"
    guessed: dict[str, str] = attrs.Factory(dict)


def read_folder(path: Path) -> Folder:
    project: dict[str, Any] = {}
    try:
        raw = tomllib.loads((path / "pyproject.toml").read_text(encoding="utf-8"))
        project = raw.get("project", {}) if isinstance(raw, dict) else {}
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        pass
    points = project.get("entry-points", {}).get(ENTRY_POINT_GROUP, {})
    modules = sorted(
        {
            p.stem if p.is_file() else p.name
            for root in (path, path / "src")
            for p in (root.glob("kuaiji_*") if root.is_dir() else ())
            if (p.suffix == ".py" and p.is_file()) or (p / "__init__.py").is_file()
        }
    )
    guessed = {modules[0].removeprefix("kuaiji_"): modules[0]} if len(modules) == 1 else {}
    return Folder(path, project.get("name"), dict(points), guessed)


def check_folders(paths: Iterable[Path], registry: Registry) -> dict[str, list[Issue]]:
    """Plugin folders, each checked as it is (not an installed copy of the same name): its
    entry point's module imported from the folder and registered in a fresh registry beside
    the other plugins of ``registry``. A folder without a ``kuaiji`` entry point is named
    with the fix (and its one ``kuaiji_*`` module, if it holds one, checked all the same)."""
    found: dict[str, list[Issue]] = {}
    for path in paths:
        folder = read_folder(path)
        targets = folder.entry_points or folder.guessed
        if not folder.entry_points:
            label = next(iter(targets), None) or folder.distribution or path.name
            found[label] = [
                Issue(
                    label,
                    "pyproject.toml",
                    f"没有 [project.entry-points.{ENTRY_POINT_GROUP}]：kuaiji 找不到这个插件",
                    f'加上 [project.entry-points.{ENTRY_POINT_GROUP}] <name> = "kuaiji_<name>"',
                    "entry_point",
                    str(path / "pyproject.toml"),
                )
            ]
        for name, target in targets.items():
            issues = found.setdefault(name, [])
            with imported_from(path, target) as (plugin, error):
                if error is not None:
                    issues.append(_cannot_import(name, target, error))
                else:
                    issues.extend(check(_beside(registry, name, plugin), [name])[name])
    return {name: unique(issues) for name, issues in found.items()}


@contextlib.contextmanager
def imported_from(
    folder: Path, target: str
) -> Iterator[tuple[object, None] | tuple[None, BaseException]]:
    """The object an entry point names (``module[:attr]``), its module imported from
    ``folder`` (or ``folder/src``) rather than from wherever that name is installed; or the
    exception the import raised. The modules of that name loaded before, and the plugins'
    data objects by name (:meth:`PluginData.every`), are put back after."""
    module_name = target.split("[", 1)[0].partition(":")[0].strip()
    top = module_name.split(".")[0]
    ours = [n for n in sys.modules if n == top or n.startswith(top + ".")]
    saved = {n: sys.modules.pop(n) for n in ours}
    data = PluginData.every()  # the folder's module makes its own PluginData under its name
    roots = [str(r.resolve()) for r in (folder, folder / "src") if r.is_dir()]
    sys.path[:0] = roots
    importlib.invalidate_caches()
    try:

        def load() -> object:
            _load_top(top, [Path(r) for r in roots])
            return _resolve(target)

        # contained as the registry imports it: an exit, a Ctrl-C or a loop at import is
        # the plugin's failure, reported, never a silent pass
        found, failed = containment.run(top, "import", containment.import_budget(), load)
        yield (None, failed) if failed is not None else (found, None)
    finally:
        for root in roots:
            if root in sys.path:
                sys.path.remove(root)
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None) or ""
            if name == top or name.startswith(top + ".") or any(file.startswith(r) for r in roots):
                del sys.modules[name]
        sys.modules.update(saved)
        importlib.invalidate_caches()
        PluginData._all.clear()
        PluginData._all.update(data)


def _load_top(top: str, roots: Sequence[Path]) -> None:
    """Import the module ``top`` from the first of ``roots`` that holds it, whatever finder
    an installed copy of the same name registered."""
    for root in roots:
        package, single = root / top / "__init__.py", root / f"{top}.py"
        if package.is_file():
            spec = importlib.util.spec_from_file_location(
                top, package, submodule_search_locations=[str(package.parent)]
            )
        elif single.is_file():
            spec = importlib.util.spec_from_file_location(top, single)
        else:
            continue
        if spec is None or spec.loader is None:
            break
        module = importlib.util.module_from_spec(spec)
        sys.modules[top] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[top]
            raise
        return
    raise ModuleNotFoundError(f"文件夹中没有模块 {top}（应为 {top}/__init__.py 或 {top}.py）")


def check_targets(
    targets: Sequence[str], registry: Registry, in_tree: Path | None = None
) -> dict[str, list[Issue]]:
    """What ``kuaiji plugins check [FOLDER|NAME]...`` checks: each folder as it is, each name
    of an installed plugin as installed; without targets, every installed plugin and the
    folders under ``in_tree`` (a checkout's ``plugins/``) of plugins not installed.
    InputError for a target that is neither."""
    if not targets:
        found = check(registry)
        for name in [n for n in found if n not in registry.info]:
            failure = _import_failure(name)  # installed, but does not import: say why
            if failure is not None:
                found[name] = [failure]
        if in_tree is not None and in_tree.is_dir():
            folders = sorted(p for p in in_tree.iterdir() if (p / "pyproject.toml").is_file())
            for name, issues in check_folders(folders, registry).items():
                found.setdefault(name, issues)
        return found
    installed = installed_entry_points()
    for target in targets:
        if not Path(target).is_dir() and target not in installed and target not in registry.info:
            names = "、".join(sorted(installed)) or "（没有）"
            raise InputError.single(
                target,
                "既不是插件文件夹，也不是已安装插件的名字",
                f"写插件文件夹的路径，或已安装插件的名字：{names}",
            )
    found = {}
    for target in targets:
        if Path(target).is_dir():
            found.update(check_folders([Path(target)], registry))
        elif target in registry.info:
            found[target] = check(registry, [target])[target]
        else:
            failure = _import_failure(target)
            if failure is not None:
                found[target] = [failure]
            else:
                plugin = _resolve(installed[target])
                found[target] = check(_beside(registry, target, plugin), [target])[target]
    return found


def check_records(
    plugin: str,
    jurisdictions: Sequence[Jurisdiction],
    schedules: Sequence[Schedule],
    contacts: Sequence[Contact],
) -> list[str]:
    """The checks ``kuaiji plugins check`` makes of a plugin's data, on records loaded from
    a rules bundle (``kuaiji.updates`` calls it before installing anything)."""
    from kuaiji.registry.manager import get_registry

    registry = get_registry()
    seeds = _seeds(_module_of(registry.pm.get_plugin(plugin)))
    issues = []
    for j in jurisdictions:
        found = _check_jurisdiction(plugin, j, registry, seeds)
        # The nation's own code is not a GB/T 2260 one; the validator leaves the baseline out.
        issues += [i for i in found if not (plugin == NATIONAL and i.kind == "region.code")]
    for s in schedules:
        issues += _check_schedule(plugin, s, registry, seeds)
    for c in contacts:
        issues += _sourced(plugin, f"contacts[{c.name}]", c.source, seeds)
    return [f"{i.where}：{i.message}" for i in unique(issues)]
