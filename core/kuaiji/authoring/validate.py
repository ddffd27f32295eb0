"""One validator every plugin passes (in the spirit of Home Assistant's hassfest):
``kuaiji plugins check`` and :mod:`kuaiji.testing` run it.

It collects every problem instead of stopping at the first: loading and registration, data
files through the core's own loader, region codes (known to GB/T 2260, unique, under their
parent), a source on every fact and no placeholder left, https URLs (or a stated reason),
a Chinese ``note_zh`` for every note people are shown (events, facts; contacts' notes Chinese),
Beijing-time moments and ordered windows, hook implementations matching the hookspecs, the
plugin's example cases (present and passing) and its rule ids documented.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import sys
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from kuaiji.authoring.cases import load_cases, run_case
from kuaiji.errors import DataError
from kuaiji.model.results import NATIONAL_CODE, Event, Fact, Jurisdiction, Schedule
from kuaiji.registry.data import PluginData, validate_documents
from kuaiji.registry.manager import ENTRY_POINT_GROUP, NATIONAL, Registry
from kuaiji.registry.regions import BINGTUAN, division_name

PLACEHOLDERS = ("TODO", "FIXME", "TBD", "XXX", "<fill", "填写")
_BEIJING = dt.timedelta(hours=8)


@attrs.frozen
class Issue:
    """One problem of one plugin: where, what, and how to fix it."""

    plugin: str
    where: str
    message: str
    fix: str | None = None

    def __str__(self) -> str:
        fix = f" → {self.fix}" if self.fix else ""
        return f"{self.where}: {self.message}{fix}"


def check(registry: Registry, names: Iterable[str] | None = None) -> dict[str, list[Issue]]:
    """Every problem of the registry's plugins (default: all but the national baseline,
    which the test suite checks), by plugin name."""
    wanted = list(names) if names is not None else [n for n in registry.info if n != NATIONAL]
    found: dict[str, list[Issue]] = {name: [] for name in wanted}
    for problem in registry.problems:
        found.setdefault(problem.plugin, []).append(
            Issue(problem.plugin, problem.hook or "load", problem.message, "fix the plugin")
        )
    for name in wanted:
        if name in registry.info:
            found[name].extend(check_plugin(registry, name))
    return found


def check_plugin(registry: Registry, name: str) -> list[Issue]:
    issues: list[Issue] = []
    data = PluginData.every().get(name)
    if data is None:
        issues.append(
            Issue(name, "data", "no PluginData: a plugin's facts live in data files", _FIX_DATA)
        )
    else:
        try:
            validate_documents(data.documents)
        except DataError as exc:
            issues.append(Issue(name, "data", str(exc), "fix the entry named"))
    mine = [j for j in registry.jurisdictions.values() if j.plugin == name]
    if not mine:
        issues.append(Issue(name, "jurisdictions", "serves no region", "add a jurisdiction"))
    for jurisdiction in mine:
        issues.extend(_check_jurisdiction(name, jurisdiction, registry))
    for schedules in registry.schedules.values():
        for schedule in schedules:
            if schedule.plugin == name:
                issues.extend(_check_schedule(name, schedule, registry))
    for contact in (c for c in registry.contacts if c.plugin == name):
        issues.extend(_sourced(name, f"contacts[{contact.name}]", contact.source))
        if contact.note is not None and not _CJK.search(contact.note):
            issues.append(
                Issue(
                    name,
                    f"contacts[{contact.name}]",
                    "note is not Chinese (a contact's note is shown as it is)",
                    "write it in Chinese",
                )
            )
    issues.extend(_check_rules(name, registry))
    issues.extend(_check_cases(name, registry))
    return issues


_FIX_DATA = 'add DATA = PluginData("<name>", __name__) and data/<name>.json'


def _sourced(plugin: str, where: str, source: str | None) -> Iterator[Issue]:
    text = (source or "").strip()
    if not text:
        yield Issue(plugin, where, "no source", "name a seed file (seed:…) or a public URL")
        return
    for mark in PLACEHOLDERS:
        if mark.lower() in text.lower():
            yield Issue(plugin, where, f"placeholder left in the source: {text!r}", "fill it in")
            return


def _placeholder(plugin: str, where: str, text: str | None) -> Iterator[Issue]:
    for mark in PLACEHOLDERS:
        if text and mark.lower() in text.lower():
            yield Issue(plugin, where, f"placeholder left: {text!r}", "fill it in")
            return


def _check_jurisdiction(plugin: str, j: Jurisdiction, registry: Registry) -> Iterator[Issue]:
    where = f"jurisdictions[{j.code}]"
    yield from _sourced(plugin, where, j.source)
    yield from _placeholder(plugin, f"{where}.name", j.name)
    if j.code != BINGTUAN and (not j.code.isdigit() or len(j.code) not in (2, 4, 6)):
        yield Issue(
            plugin, where, f"code {j.code!r} is not a GB/T 2260 prefix", "use 2, 4 or 6 digits"
        )
    elif j.code != BINGTUAN and division_name(j.code) is None:
        yield Issue(plugin, where, f"code {j.code!r} is not in GB/T 2260", "check the code")
    parent = j.parent or NATIONAL_CODE
    if parent not in registry.jurisdictions:
        yield Issue(
            plugin, where, f"parent {parent!r} is not a known region", "use CN or a served code"
        )
    elif parent != NATIONAL_CODE and not j.code.startswith(parent):
        yield Issue(plugin, where, f"code {j.code} is not under its parent {parent}", "fix parent")
    review = j.collection_review
    if review is not None:
        yield from _sourced(plugin, f"{where}.collection_review", review.source)
        if review.working_days < 1 or (
            review.least is not None and review.least > review.working_days
        ):
            yield Issue(
                plugin,
                f"{where}.collection_review",
                "working_days must be ≥ 1 and not below least",
                "give the range the source states",
            )
        if review.note is not None and not _CJK.search(review.note):
            yield Issue(
                plugin, f"{where}.collection_review", "note is not Chinese", "write it in Chinese"
            )
    for platform in j.platforms:
        pwhere = f"{where}.platforms[{platform.id}]"
        yield from _sourced(plugin, pwhere, platform.source)
        yield from _placeholder(plugin, f"{pwhere}.url", platform.url)
        if (
            platform.url
            and not platform.url.startswith("https://")
            and not platform.plain_url_reason
        ):
            yield Issue(
                plugin,
                pwhere,
                f"URL {platform.url!r} is not https",
                "give the https address, or keep the source's address with plain_url_reason",
            )
        if (
            platform.effective_from
            and platform.effective_until
            and platform.effective_from > platform.effective_until
        ):
            yield Issue(plugin, pwhere, "effective_from is after effective_until", "swap them")


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _check_schedule(plugin: str, s: Schedule, registry: Registry) -> Iterator[Issue]:
    where = f"schedules[{s.region} {s.level.value} {s.year}]"
    yield from _sourced(plugin, where, s.source)
    if s.region not in registry.jurisdictions:
        yield Issue(plugin, where, f"region {s.region!r} is not served by any plugin", "add it")
    if s.collection_required is not None:
        yield from _sourced(plugin, f"{where}.collection_required", s.collection_required.source)
        yield from _shown_note(plugin, f"{where}.collection_required", s.collection_required)
    for requirement in s.requirements:
        rwhere = f"{where}.requirements[{requirement.id}]"
        yield from _sourced(plugin, rwhere, requirement.source)
        for text in (requirement.text, requirement.action):
            if text is not None and not _CJK.search(text):
                yield Issue(
                    plugin, rwhere, "text shown to people is not Chinese", "write it in Chinese"
                )
    for event in s.events:
        ewhere = f"{where}.events[{event.id}]"
        yield from _sourced(plugin, ewhere, event.source)
        for moment in (event.opens, event.closes):
            if moment is not None and moment.utcoffset() != _BEIJING:
                yield Issue(
                    plugin, ewhere, "a moment not in Beijing time", "write it as Beijing time"
                )
        if event.opens and event.closes and event.opens > event.closes:
            yield Issue(plugin, ewhere, "opens after it closes", "swap or fix the moments")
        if event.opens is None and event.closes is None:
            yield Issue(plugin, ewhere, "neither opens nor closes", "give at least one moment")
        yield from _shown_note(plugin, ewhere, event)
        for alt in event.alternatives:
            yield from _sourced(plugin, f"{ewhere}.alternatives", alt.source)
            if alt.opens and alt.closes and alt.opens > alt.closes:
                yield Issue(plugin, f"{ewhere}.alternatives", "opens after it closes", "fix it")


def _shown_note(plugin: str, where: str, record: Event | Fact) -> Iterator[Issue]:
    """A record whose note reaches people (an event, a fact) shows its ``note_zh``, never its
    ``note`` (for maintainers, any language): a note needs a Chinese note_zh."""
    if record.note is not None and not (record.note_zh or "").strip():
        yield Issue(
            plugin,
            where,
            "note has no note_zh: people are shown note_zh, never note",
            "add note_zh, the note in Chinese (short: what the candidate needs)",
        )
    elif record.note_zh is not None and not _CJK.search(record.note_zh):
        yield Issue(plugin, where, "note_zh is not Chinese", "write note_zh in Chinese")


def _check_rules(plugin: str, registry: Registry) -> Iterator[Issue]:
    documented = {doc.rule for docs in registry.rules.values() for doc in docs}
    for override in registry.overrides.get(plugin, ()):
        yield from _sourced(plugin, f"rule_overrides[{override.rule}]", override.source)
        if override.rule not in documented:
            yield Issue(
                plugin,
                f"rule_overrides[{override.rule}]",
                "overrides an unknown rule",
                "check the id",
            )
        if override.by and override.by not in documented:
            yield Issue(
                plugin,
                f"rule_overrides[{override.rule}]",
                f"replacement {override.by!r} is not documented",
                "document it in kuaiji_rules",
            )


def _check_cases(plugin: str, registry: Registry) -> Iterator[Issue]:
    package = (registry.info[plugin].module or "").split(":")[0]
    try:
        cases = list(load_cases(package))
    except DataError as exc:
        yield Issue(plugin, "cases", str(exc), "fix the case file")
        return
    if not cases:
        yield Issue(plugin, "cases", "no example cases", f"add {package}/cases/<name>.json")
        return
    documented = {doc.rule for docs in registry.rules.values() for doc in docs}
    for case in cases:
        expect = case.data.get("expect")
        lists = [expect.get(k, []) for k in ("rules", "absent")] if isinstance(expect, dict) else []
        if not isinstance(expect, dict) or not all(
            isinstance(x, list) and all(isinstance(r, str) for r in x) for x in lists
        ):
            yield Issue(
                plugin,
                f"cases/{case.name}",
                "'expect' must be an object; its 'rules' and 'absent' lists of rule ids",
                "see docs/writing-a-plugin.md, example cases",
            )
            continue
        try:
            problems = run_case(case, registry)
        except Exception as exc:  # a case that cannot run is a problem, not a crash
            problems = [f"{type(exc).__name__}: {exc}"]
        for problem in problems:
            yield Issue(plugin, f"cases/{case.name}", problem, "fix the plugin or the case")
        expected = [*case.data["expect"].get("rules", []), *case.data["expect"].get("absent", [])]
        for rule in expected:
            if rule not in documented:
                yield Issue(
                    plugin,
                    f"cases/{case.name}",
                    f"rule {rule!r} is not documented",
                    "document it in kuaiji_rules",
                )


# --- folders ---


@attrs.frozen
class Folder:
    """A plugin folder: its distribution and the entry points it declares."""

    path: Path
    distribution: str | None
    entry_points: dict[str, str]  # name -> "module[:attr]"


def read_folder(path: Path) -> Folder:
    pyproject = path / "pyproject.toml"
    try:
        raw = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return Folder(path, None, {})
    project = raw.get("project", {})
    points = project.get("entry-points", {}).get(ENTRY_POINT_GROUP, {})
    return Folder(path, project.get("name"), dict(points))


def check_folders(paths: Iterable[Path], registry: Registry) -> dict[str, list[Issue]]:
    """Plugin folders: each must declare a ``kuaiji`` entry point and be installed; a folder
    that is not installed is loaded from its path and checked like an installed one."""
    found: dict[str, list[Issue]] = {}
    for path in paths:
        folder = read_folder(path)
        label = folder.distribution or path.name
        if not folder.entry_points:
            found[label] = [
                Issue(
                    label,
                    str(path / "pyproject.toml"),
                    f"no [project.entry-points.{ENTRY_POINT_GROUP}] entry: kuaiji cannot find it",
                    f'add [project.entry-points.{ENTRY_POINT_GROUP}] <name> = "kuaiji_<name>"',
                )
            ]
            continue
        for name, target in folder.entry_points.items():
            if name in registry.info:
                found[name] = check(registry, [name])[name]
                continue
            issues = [
                Issue(
                    name,
                    str(path),
                    "not installed: the entry point is declared but not loaded",
                    f"pip install -e {path}",
                )
            ]
            module = _import_from(path, target, name, issues)
            if module is not None:
                local = Registry(plugins=((name, module),), entry_points=False)
                issues.extend(check(local, [name])[name])
            found[name] = issues
    return found


def _import_from(path: Path, target: str, name: str, issues: list[Issue]) -> Any:
    module_name = target.split(":")[0]
    # A module of the same name imported from elsewhere (another folder checked earlier)
    # would be used instead of this folder's: forget it first.
    for name_loaded in [
        m for m in sys.modules if m == module_name or m.startswith(module_name + ".")
    ]:
        origin = getattr(sys.modules[name_loaded], "__file__", None) or ""
        if not Path(origin).resolve().is_relative_to(path.resolve()):
            del sys.modules[name_loaded]
    sys.path.insert(0, str(path))
    try:
        return importlib.import_module(module_name)
    except Exception as exc:  # a broken plugin is reported, not fatal
        issues.append(
            Issue(
                name, module_name, f"cannot import: {type(exc).__name__}: {exc}", "fix the import"
            )
        )
        return None
    finally:
        sys.path.remove(str(path))
