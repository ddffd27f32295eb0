"""The plugin manager: the national baseline first, then the ``kuaiji`` entry points.

:func:`get_registry` builds it once, lazily (nothing is scanned at import time).
A plugin that fails to load, implements an unknown hook, or claims a region another
province plugin already claims is reported by name (:attr:`Registry.problems`), not
raised, unless ``strict=True`` (for tests and the validator).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import importlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pluggy

from kuaiji.errors import PluginError
from kuaiji.model import clock
from kuaiji.model.context import Region
from kuaiji.model.results import (
    NATIONAL_CODE,
    Contact,
    ExamLevel,
    Finding,
    Jurisdiction,
    Override,
    RuleDoc,
    Schedule,
)
from kuaiji.registry import checks, containment, hookspecs, ownership
from kuaiji.registry.regions import division_name, name_index, resolve

ENTRY_POINT_GROUP = "kuaiji"
NATIONAL = "national"
BASELINE = "kuaiji.national"  # the module of the national baseline plugin
ENV_ALLOW = "KUAIJI_PLUGINS"  # comma-separated plugin names to load (default: all)
ENV_NATIONAL_ONLY = "KUAIJI_NATIONAL_ONLY"  # "1": load no plugin but the national baseline
ENV_BUDGET = "KUAIJI_HOOK_BUDGET"  # seconds a plugin may take in one hook call (default 5)
ENV_TRACE = "KUAIJI_TRACE"  # "1": trace every hook call to stderr (plugin, hook, ms, records)


@attrs.frozen
class PluginInfo:
    name: str
    distribution: str | None = None
    version: str | None = None
    module: str | None = None


@attrs.frozen
class PluginProblem:
    """A plugin that failed: at load time, in a hook, or by its answers."""

    plugin: str
    message: str
    hook: str | None = None
    # The region codes it concerns (only their candidates see it); () for a failure of the
    # plugin as a whole, which its own regions' candidates see.
    regions: tuple[str, ...] = ()


@attrs.define  # not frozen: made for every hook call, and a frozen class costs twice as much
class HookResult:
    """The records each plugin on a chain returned, broadest first, and the failures."""

    records: tuple[tuple[str, tuple[Any, ...]], ...]
    problems: tuple[PluginProblem, ...]


@attrs.frozen
class _Installed:
    """What the installed distributions declare: the ``kuaiji`` entry points (name, value,
    distribution, version) and the core's version."""

    entry_points: tuple[tuple[str, str, str | None, str | None], ...]
    core_version: str | None


def _installed() -> _Installed:
    """Read from the distributions' metadata, or from the user cache while the metadata on
    ``sys.path`` is unchanged (see :func:`_metadata_stamps`)."""
    from kuaiji.io import cache

    key = (cache.code(), _metadata_stamps())
    found = cache.load("entry-points", key)
    if isinstance(found, _Installed):
        return found
    from importlib import metadata  # reading every distribution's metadata takes a while

    installed = _Installed(
        tuple(
            (
                ep.name,
                ep.value,
                ep.dist.name if ep.dist else None,
                ep.dist.version if ep.dist else None,
            )
            for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)
        ),
        _version("kuaiji"),
    )
    cache.store("entry-points", key, installed)
    return installed


class Registry:
    """The loaded plugins, the jurisdictions they serve and their schedules."""

    def __init__(
        self,
        plugins: Sequence[tuple[str, object]] = (),
        *,
        entry_points: bool = True,
        strict: bool = False,
    ) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.strict = strict
        self.budget = float(os.environ.get(ENV_BUDGET) or 5.0)
        # The national baseline is the core's own code: still contained, but given the
        # import's budget (60 s), so that a slow machine reading its data for the first time
        # (seconds) does not cut the core off and fail every candidate.
        self.national_budget = max(self.budget, containment.import_budget())
        # While something watches hook calls through pluggy's monitoring API, every call
        # goes through pluggy's subset callers (otherwise plain hooks are called directly).
        self.traced = False
        self._plans: dict[tuple[str, tuple[str, ...]], Any] = {}  # see _plan
        if os.environ.get(ENV_TRACE, "") not in ("", "0"):
            self.trace()
        self.info: dict[str, PluginInfo] = {}
        self.problems: list[PluginProblem] = []
        self.installed = _installed()
        # The national baseline is a plugin like the others, loaded by name (the registry
        # does not import it: it imports the registry's own modules).
        national = importlib.import_module(BASELINE)
        self._register(
            NATIONAL,
            national,
            PluginInfo(NATIONAL, "kuaiji", self.installed.core_version, BASELINE),
        )
        if entry_points:
            self._load_entry_points()
        for name, plugin in plugins:
            self._register(name, plugin, PluginInfo(name, module=getattr(plugin, "__name__", None)))
        self.pm.check_pending()
        self._callers: dict[tuple[str, str], Callable[..., Any]] = {}
        self._directs: dict[tuple[str, str], tuple[Callable[..., Any], tuple[str, ...]] | None] = {}
        self._resolved: dict[tuple[str, str], Region] = {}
        self.implementers = self._implementers = {
            name: {
                self.pm.get_name(impl.plugin)
                for impl in getattr(self.pm.hook, name).get_hookimpls()
            }
            for name in dir(hookspecs)
            if name.startswith("kuaiji_")
        }
        self.suspended: dict[str, str] = {}  # plugins cut off after a timeout, and why
        self._documented: dict[str, frozenset[str]] = {}  # rule ids each plugin documents
        self.rules = self._collect(hookspecs.kuaiji_rules.__name__, RuleDoc)
        # A plugin reports its own rules, or refines one of the national baseline's.
        baseline = {doc.rule for doc in self.rules.get(NATIONAL, ())}
        self._documented = {
            name: frozenset(baseline.union(doc.rule for doc in docs))
            for name, docs in self.rules.items()
        }
        claims = ownership.settle(
            self._collect(hookspecs.kuaiji_jurisdictions.__name__, Jurisdiction)
        )
        if NATIONAL_CODE not in claims.jurisdictions:
            raise PluginError(
                NATIONAL,
                "内置的全国规则没有给出全国（CN）的资料，无法检查；请重新安装 kuaiji"
                + "".join(f"（{p.message}）" for p in self.problems if p.plugin == NATIONAL),
            )
        self._refused(claims.refusals)
        self.jurisdictions = claims.jurisdictions
        self.owned = claims.owned
        self.conflicts = claims.conflicts
        self.names = name_index(self.jurisdictions)
        self._years: dict[ExamLevel, tuple[int, ...]] = {}
        self.views: dict[Any, Any] = {}  # schedule views (kuaiji.registry.schedules), bounded
        # chain → its plugins' ranks and the rules they override (commands.precheck), bounded
        self.chain_overrides: dict[tuple[str, ...], Any] = {}
        self.schedules = self._collect_schedules()
        self.overrides: dict[str, tuple[Override, ...]] = {}
        for name, found in self._collect(
            hookspecs.kuaiji_rule_overrides.__name__, Override
        ).items():
            kept, refused = ownership.allowed_overrides(name, found)
            self._refused(refused)
            self.overrides[name] = tuple(kept)
        contacts: list[Contact] = []
        for name, found in self._collect(hookspecs.kuaiji_contacts.__name__, Contact).items():
            kept_contacts, refused = ownership.own_contacts(
                name, found, self.owned.get(name, frozenset())
            )
            self._refused(refused)
            contacts.extend(kept_contacts)
        self.contacts: tuple[Contact, ...] = tuple(contacts)

    def trace(self, write: Callable[[str], Any] | None = None) -> None:
        """Report every hook call (plugin, hook, duration, records returned) through pluggy's
        public monitoring API; to stderr unless ``write`` is given."""
        import sys
        import time

        out = write or (lambda line: print(line, file=sys.stderr))
        started: dict[int, float] = {}

        def before(hook_name: str, hook_impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
            started[id(kwargs)] = time.perf_counter()

        def after(
            outcome: Any, hook_name: str, hook_impls: Sequence[Any], kwargs: Mapping[str, Any]
        ) -> None:
            ms = (time.perf_counter() - started.pop(id(kwargs), time.perf_counter())) * 1000
            plugins = ",".join(impl.plugin_name for impl in hook_impls) or "-"
            if outcome.exception is not None:
                result = f"raised {type(outcome.exception).__name__}"
            else:
                answers = outcome.get_result() or []
                count = sum(len(a) for a in answers if isinstance(a, list | tuple))
                result = f"{count} records"
            out(f"kuaiji trace: {plugins} {hook_name} {ms:.2f} ms {result}")

        self.pm.add_hookcall_monitoring(before, after)
        self.traced = True
        self._plans.clear()  # every call now goes through pluggy, which traces it

    # --- loading ---

    def _load_entry_points(self) -> None:
        if os.environ.get(ENV_NATIONAL_ONLY, "") not in ("", "0"):
            return
        allow = {n.strip() for n in os.environ.get(ENV_ALLOW, "").split(",") if n.strip()}
        for name, value, dist, version in self.installed.entry_points:
            if allow and name not in allow:
                continue
            info = PluginInfo(name, dist, version, value)
            plugin = self._import(name, value)
            if plugin is not None:
                self._register(name, plugin, info)

    def _import(self, name: str, value: str) -> object | None:
        """The plugin's module, imported as its hooks are called: contained (cut off after
        the budget; ``SystemExit``, ``KeyboardInterrupt`` and the like raised by its code at
        import are its failure, reported, never the end of the command). None if it fails."""
        budget = containment.import_budget()
        plugin, failed = containment.run(name, "import", budget, lambda: _load(value))
        if failed is None:
            return plugin
        if isinstance(failed, containment.HookTimeout):
            message = f"导入超过 {budget:g} 秒未完成，已中断"
        else:  # a broken plugin is reported, not fatal
            message = f"无法加载 {value!r}：{_describe(failed)}"
        self._problem(PluginProblem(name, message))
        return None

    def _register(self, name: str, plugin: object, info: PluginInfo) -> None:
        if name in self.info:
            self._problem(PluginProblem(name, "同名的插件已经注册"))
            return
        declared = getattr(plugin, "KUAIJI_API", None)
        if declared is not None and not hookspecs.supports(declared):
            self._problem(
                PluginProblem(
                    name,
                    f"声明支持的插件接口为 {declared!r}，本版 kuaiji 的插件接口为 "
                    f"{hookspecs.API_VERSION}：未加载，请升级该插件或 kuaiji",
                )
            )
            return
        try:
            self.pm.register(plugin, name=name)
        except Exception as exc:
            self._problem(PluginProblem(name, f"无法注册：{_describe(exc)}"))
            return
        unknown = [
            impl.function.__name__
            for hook_caller in self.pm.get_hookcallers(plugin) or []
            if hook_caller.spec is None
            for impl in hook_caller.get_hookimpls()
            if impl.plugin is plugin
        ]
        if unknown:
            self.pm.unregister(plugin)
            self._problem(PluginProblem(name, f"实现了不存在的 hook：{'、'.join(sorted(unknown))}"))
            return
        self.info[name] = info

    def _problem(self, problem: PluginProblem) -> None:
        if self.strict:
            raise PluginError(problem.plugin, problem.message)
        self.problems.append(problem)

    # --- calling hooks ---

    @property
    def names_in_order(self) -> tuple[str, ...]:
        """Registered plugin names: the national baseline first, then the others."""
        return tuple(self.info)

    def call(self, hook: str, plugins: Iterable[str], expect: type, **kwargs: Any) -> HookResult:
        """Call ``hook`` on each of ``plugins`` in turn (broadest first), one at a time.

        Each call is contained (:mod:`kuaiji.registry.containment`): cut off after the
        budget, whatever it raises (``SystemExit`` and ``KeyboardInterrupt`` included, unless
        the user pressed Ctrl-C) is that plugin's :class:`PluginProblem`, and every record it
        returns is checked (:mod:`kuaiji.registry.checks`, and a finding's rule id must be one
        the plugin documents). A plugin that ran out of time once is not called again in
        this process. The other plugins still answer.
        """
        records: list[tuple[str, tuple[Any, ...]]] = []
        problems: list[PluginProblem] = []
        chain = plugins if type(plugins) is tuple else tuple(plugins)
        for name, function, argnames in self._plan(hook, chain):
            if name in self.suspended:  # one message, whichever hook: shown once
                problems.append(PluginProblem(name, f"本次运行中已停用：{self.suspended[name]}"))
                continue
            national = name == NATIONAL
            budget = self.national_budget if national else self.budget
            began = containment.begin(name, hook, budget)
            try:
                try:
                    if function is None:
                        # Each subset caller has one implementation: a list of one answer.
                        result = self._caller(hook, name)(**kwargs)
                        answer = result[0] if result else ()
                    elif len(argnames) == 1:  # the usual ``ctx``
                        answer = function(kwargs[argnames[0]])
                    else:
                        answer = function(*[kwargs[a] for a in argnames])
                finally:
                    containment.end()
            except containment.HookTimeout:
                containment.end()
                self.suspended[name] = f"{hook} 超过 {budget:g} 秒未返回，已中断"
                problems.append(PluginProblem(name, self.suspended[name], hook))
                continue
            except KeyboardInterrupt as exc:
                if containment.user_interrupted(began):
                    raise
                problems.append(PluginProblem(name, f"抛出异常 {_describe(exc)}", hook))
                continue
            except BaseException as exc:  # SystemExit, GeneratorExit…: the plugin's failure
                problems.append(PluginProblem(name, f"抛出异常 {_describe(exc)}", hook))
                continue
            spent = time.monotonic() - began
            if spent > budget:
                problems.append(
                    PluginProblem(name, f"用时 {spent:.1f} 秒，超过 {budget:g} 秒的限制", hook)
                )
            wrong = self._wrong_records(name, answer, expect)
            if wrong:
                problems.append(PluginProblem(name, wrong, hook))
                continue
            records.append((name, tuple([_tagged(r, name) for r in answer]) if answer else ()))
        return HookResult(tuple(records), tuple(problems))

    def _wrong_records(self, plugin: str, answer: object, expect: type) -> str | None:
        """What is wrong with a hook's answer (None, or a list or tuple of ``expect``
        records, each valid), if anything. The national baseline is the core's own code,
        tested with it: its answers are not re-checked."""
        if answer is None:
            return None
        if not isinstance(answer, list | tuple):
            return f"返回了 {type(answer).__name__}，应为 {expect.__name__} 的列表"
        for item in answer:
            if not isinstance(item, expect):
                return f"返回了 {type(item).__name__}，应为 {expect.__name__}"
        if plugin == NATIONAL:
            return None
        documented = self._documented.get(plugin) if expect is Finding else None
        for item in answer:
            wrong = checks.problem(item)
            if wrong is not None:
                return f"返回的记录不合格：{wrong}"
            if documented is not None and item.rule not in documented:
                return f"返回的规则 {item.rule!r} 没有在 kuaiji_rules 中说明"
            url = getattr(item, "url", None)
            if url and not url.startswith("https://") and url not in self._plain_urls:
                return (
                    f"返回的记录不合格：{type(item).__name__}.url：不以 https:// 开头的网址只能是"
                    f"数据中某个平台写明原因（plain_url_reason）的地址，实际是 “{url[:40]}”"
                )
        return None

    @functools.cached_property
    def _plain_urls(self) -> frozenset[str]:
        """The platform addresses the data gives without https, each with its reason (a
        source prints a bare host name): the only such addresses a hook may repeat."""
        return frozenset(
            p.url
            for j in self.jurisdictions.values()
            for p in j.platforms
            if p.url and not p.url.startswith("https://") and p.plain_url_reason
        )

    def _plan(
        self, hook: str, plugins: tuple[str, ...]
    ) -> list[tuple[str, Callable[..., Any] | None, tuple[str, ...]]]:
        """The plugins of ``plugins`` that implement ``hook``, in order, each with its plain
        implementation and its argument names when it can be called directly (None: through
        pluggy, which traces it). Worked out once per hook and chain."""
        key = (hook, plugins)
        plan = self._plans.get(key)
        if plan is None:
            implementers = self._implementers[hook]
            plan = []
            for name in plugins:
                if name in implementers:
                    direct = None if self.traced else self._direct(hook, name)
                    plan.append((name, *(direct or (None, ()))))
            if len(self._plans) < 10_000:
                self._plans[key] = plan
        return plan

    def _direct(self, hook: str, plugin: str) -> tuple[Callable[..., Any], tuple[str, ...]] | None:
        """The plugin's one plain implementation of ``hook`` and its argument names: the hot
        path of batches calls it directly. None for a wrapper (pluggy must run it)."""
        key = (hook, plugin)
        if key not in self._directs:
            impls = [
                i for i in getattr(self.pm.hook, hook).get_hookimpls() if i.plugin_name == plugin
            ]
            plain = len(impls) == 1 and not impls[0].hookwrapper and not impls[0].wrapper
            self._directs[key] = (impls[0].function, tuple(impls[0].argnames)) if plain else None
        return self._directs[key]

    def _caller(self, hook: str, plugin: str) -> Callable[..., Any]:
        key = (hook, plugin)
        caller = self._callers.get(key)
        if caller is None:
            others = [p for n, p in self.pm.list_name_plugin() if n != plugin]
            caller = self.pm.subset_hook_caller(hook, remove_plugins=others)
            self._callers[key] = caller
        return caller

    def _collect(self, hook: str, expect: type) -> dict[str, tuple[Any, ...]]:
        result = self.call(hook, self.names_in_order, expect)
        for problem in result.problems:
            self._problem(problem)
        return dict(result.records)

    # --- what the plugins cover ---

    def _collect_schedules(self) -> dict[tuple[str, ExamLevel, int], tuple[Schedule, ...]]:
        out: dict[tuple[str, ExamLevel, int], list[Schedule]] = {}
        for name, found in self._collect(hookspecs.kuaiji_schedules.__name__, Schedule).items():
            kept, refused = ownership.own_schedules(name, found, self.owned.get(name, frozenset()))
            self._refused(refused)
            for schedule in kept:
                out.setdefault((schedule.region, schedule.level, schedule.year), []).append(
                    schedule
                )
        return {key: tuple(value) for key, value in out.items()}

    def _refused(self, refusals: Iterable[ownership.Refusal]) -> None:
        for refusal in refusals:
            self._problem(PluginProblem(refusal.plugin, refusal.message, None, refusal.regions))

    def problems_for(self, region: Region) -> tuple[PluginProblem, ...]:
        """The registry's problems that concern ``region``'s candidates: those about a
        region on its chain, and failures of a plugin serving the chain. A plugin that
        failed to load (its regions unknown) concerns everyone (the core says so as a
        warning)."""
        if not self.problems:
            return ()
        codes = {j.code for j in region.chain}
        chain = set(region.plugins)
        return tuple(
            p
            for p in self.problems
            if (
                codes.intersection(p.regions)
                if p.regions
                else p.plugin in chain or p.plugin not in self.info
            )
        )

    def years(self, level: ExamLevel) -> tuple[int, ...]:
        """The exam years the national data has a schedule for, ascending (worked out once
        per level: every precheck checks its year against them)."""
        found = self._years.get(level)
        if found is None:
            found = self._years[level] = tuple(
                sorted(y for (r, lv, y) in self.schedules if r == NATIONAL_CODE and lv is level)
            )
        return found

    def resolve(self, query: str, *, field: str = "region") -> Region:
        """Resolve a region (see :mod:`kuaiji.registry.regions`), with its nearest bureaus' contacts."""
        key = (query, field)
        region = self._resolved.get(key)
        if region is None:
            region = resolve(query, self.jurisdictions, self.names, field=field)
            region = attrs.evolve(region, contacts=self.contacts_for(region))
            if len(self._resolved) < 20_000:  # bounded: a batch may hold any number of bad codes
                self._resolved[key] = region
        return region

    def contacts_for(self, region: Region) -> tuple[Contact, ...]:
        """The offices for a region: the one serving its exact code, else its city's, else
        its province's (the most specific level that has any)."""
        code = region.code if region.code.isdigit() else region.jurisdiction.code
        for length in (6, 4, 2):
            prefix = code[:length]
            if len(prefix) < length and length != 2:
                continue
            found = self._contacts_by_code.get(prefix)
            if found:
                return found
        return ()

    @functools.cached_property
    def _contacts_by_code(self) -> dict[str, tuple[Contact, ...]]:
        index: dict[str, list[Contact]] = {}
        for contact in self.contacts:
            for code in dict.fromkeys((contact.code, *contact.serves)):
                if code is not None:
                    index.setdefault(code, []).append(contact)
        return {code: tuple(found) for code, found in index.items()}

    def contacts_within(self, code: str) -> tuple[Contact, ...]:
        """The rows with no code of their own (development zones, new districts) that lie in
        ``code``, to list after the code's own office: for a county's 6 digits, the zones
        placed in that county (:meth:`contact_place`); for a city's 4 digits, the zones of
        that city and those placed in one of its counties. None for a province."""
        if len(code) not in (4, 6) or not code.isdigit():
            return ()
        return tuple(
            contact
            for contact, place in self._zone_places
            if place.county == code
            or (len(code) == 4 and (place.city == code or (place.county or "")[:4] == code))
        )

    def find_contacts(self, text: str) -> tuple[Contact, ...]:
        """The offices whose name contains ``text`` (spaces ignored; the city's 市 may be left
        out: 南沙, 广州南沙 and 广州市南沙区 all find “广州市 南沙区”), exact names first;
        failing that, those whose address contains it (a zone's full name, e.g.
        肇庆高新技术产业开发区, is often only in its address)."""
        query = "".join(text.split())
        if not query:
            return ()
        exact, partial = [], []
        for contact in self.contacts:
            keys = _name_keys(contact.name)
            if query in keys:
                exact.append(contact)
            elif any(query in key for key in keys):
                partial.append(contact)
        if exact or partial:
            return (*exact, *partial)
        return tuple(c for c in self.contacts if c.address and query in "".join(c.address.split()))

    def contact_place(self, contact: Contact) -> ContactPlace:
        """Where a row lies. A row with a code: that code's city and county. A row without
        (a development zone, a new district): the city its name begins with (“阳江市 高新区”),
        and the county only when its name or its source's address names exactly one county of
        the province with its city (“广东省阳江市江城区平冈镇…” → 441702); else unknown,
        never guessed."""
        if contact.code is not None:
            code = contact.code
            return ContactPlace(
                city=code[:4] if len(code) >= 4 else None,
                county=code if len(code) == 6 else None,
                county_from="code" if len(code) == 6 else None,
            )
        text = "".join((contact.name + (contact.address or "")).split())
        city = county = None
        for province in self._contact_provinces.get(contact.plugin, ()):
            cities, counties = _divisions(province)
            first = contact.name.split()[0] if contact.name.split() else ""
            city = next((code for code, name in cities if first == name), city)
            named = [code for code, name in counties if name in text]
            if len(named) == 1:
                county = named[0]
        return ContactPlace(
            city=city or (county[:4] if county else None),
            county=county,
            county_from="address" if county else None,
        )

    @property
    def produced_by(self) -> dict[str, Any]:
        """The provenance of this registry's answers (:mod:`kuaiji.registry.provenance`):
        every result carries it. Worked out once, and again when the installed feed's
        expiry passes (a long-running service then says it has expired)."""
        found, until = self._produced
        if until is not None and clock.now() >= until:
            del self.__dict__["_produced"]
            found, until = self._produced
        return found

    @functools.cached_property
    def _produced(self) -> tuple[dict[str, Any], dt.datetime | None]:
        from kuaiji.registry.provenance import provenance

        found = provenance(self)
        rules = found.get("rules") or {}
        expires = rules.get("expires")
        until = None
        if isinstance(expires, str) and not rules.get("expired"):
            with contextlib.suppress(ValueError):
                until = dt.datetime.fromisoformat(expires)
        return found, until if until is not None and until.tzinfo is not None else None

    @functools.cached_property
    def _zone_places(self) -> tuple[tuple[Contact, ContactPlace], ...]:
        return tuple((c, self.contact_place(c)) for c in self.contacts if c.code is None)

    @functools.cached_property
    def _contact_provinces(self) -> dict[str, tuple[str, ...]]:
        """The GB/T 2260 provinces of each plugin's jurisdictions (兵团's 66 has none)."""
        out: dict[str, list[str]] = {}
        for jurisdiction in self.jurisdictions.values():
            code = jurisdiction.code
            if code.isdigit() and division_name(code[:2]) is not None:
                found = out.setdefault(jurisdiction.plugin, [])
                if code[:2] not in found:
                    found.append(code[:2])
        return {plugin: tuple(codes) for plugin, codes in out.items()}


@attrs.frozen
class ContactPlace:
    """Where a contact row lies: its city (4 digits) and county (6 digits), None when
    unknown; ``county_from`` says how the county is known (``code``: the row's own code;
    ``address``: the row's name or its source's address names it)."""

    city: str | None = None
    county: str | None = None
    county_from: str | None = None


def _name_keys(name: str) -> set[str]:
    """What a contact row's name may be searched by: “广州市 南沙区” → 广州市南沙区, 南沙区,
    广州南沙区."""
    parts = name.split()
    keys = {"".join(parts)}
    if len(parts) > 1:
        rest = "".join(parts[1:])
        keys.add(rest)
        if parts[0].endswith("市"):
            keys.add(parts[0][:-1] + rest)
    return keys


_CURRENT = re.compile(r"\[\d{4}-\]")


@functools.cache
def _divisions(province: str) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """The current cities (4 digits) and counties (6 digits) of a province, each with its name
    below the province (“阳江市”, “阳江市江城区”), from GB/T 2260 (python-stdnum)."""
    from kuaiji.registry.regions import gbt2260

    _, entries = gbt2260()
    prefix = division_name(province) or ""
    cities, counties = [], []
    for code, entry in entries.items():
        last = entry.split(",")[-1]
        if not code.startswith(province) or ("[" in last and not _CURRENT.match(last)):
            continue
        name = (division_name(code) or "")[len(prefix) :]
        if not name or name.endswith("市辖区"):
            continue
        if code.endswith("00"):
            cities.append((code[:4], name))
        else:
            counties.append((code, name))
    return tuple(cities), tuple(counties)


def _tagged(record: Any, plugin: str) -> Any:
    """The record with ``plugin`` filled in: a copy (frozen records are never changed)."""
    if record.plugin == plugin:
        return record
    return attrs.evolve(record, plugin=plugin)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _metadata_stamps() -> tuple[object, ...]:
    """What changes when a distribution is installed, removed or re-registered: for each
    folder on ``sys.path`` (the current one for ``""``), the names of its ``.dist-info`` and
    ``.egg-info`` entries with the stat of their ``entry_points.txt``; a zip file's own stat."""
    import sys

    from kuaiji.io import cache

    stamps: list[object] = []
    for entry in sys.path:
        folder = entry or os.getcwd()  # noqa: PTH109
        try:
            listed = os.listdir(folder)  # noqa: PTH208 (hundreds of names: no Path objects)
        except OSError:  # a zip file, or a folder that does not exist
            stamps.append(cache.stamp(folder))
            continue
        names = sorted(n for n in listed if n.endswith((".dist-info", ".egg-info")))
        stamps.append(folder)
        stamps.extend(cache.stamp(os.path.join(folder, n, "entry_points.txt")) for n in names)  # noqa: PTH118
    return tuple(stamps)


def _version(distribution: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _load(value: str) -> object:
    """What an entry point's ``module:attribute.path`` (or ``module``) names, as
    ``importlib.metadata.EntryPoint.load`` finds it (without importing importlib.metadata)."""
    import importlib

    # "module:attr [extra1, extra2]": extras (deprecated, still valid) do not name anything.
    module_name, _, path = value.split("[", 1)[0].partition(":")
    found: object = importlib.import_module(module_name.strip())
    for part in filter(None, path.strip().split(".")):
        found = getattr(found, part)
    return found


class _Current:
    """The process-wide registry: built on first use, once however many threads ask at the
    same moment (under a lock), and built again when the installed rules change —
    ``kuaiji rules update`` in this or any other process sharing the cache folder rewrites
    the folder's ``generation`` file (:func:`bump_generation`), whose stat is looked at on
    every call (one ``stat``). Readers get the old registry or the new one, never a
    half-built one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: tuple[object, Registry] | None = None

    def __call__(self) -> Registry:
        stamp = _rules_stamp()
        held = self._held
        if held is not None and held[0] == stamp:
            return held[1]
        with self._lock:
            held = self._held
            if held is None or held[0] != stamp:
                if held is not None:  # the rules changed: every plugin reads its data again
                    from kuaiji.registry.data import PluginData

                    for data in PluginData.every().values():
                        data.reload()
                held = self._held = (stamp, Registry())
            return held[1]

    def built(self) -> Registry | None:
        """The registry if one is built (never builds one)."""
        held = self._held
        return held[1] if held is not None else None

    def reload(self) -> Registry:
        """Build the registry again now (new plugins installed, data edited by hand)."""
        with self._lock:
            self._held = None
        return self()

    def cache_clear(self) -> None:
        """Forget the registry; the next call builds a new one."""
        with self._lock:
            self._held = None


GENERATION = "generation"  # in the rules cache folder: rewritten by every rules update


_GENERATION_PATH: tuple[tuple[str | None, ...], str] | None = None


def _rules_stamp() -> object:
    """The stat of the generation file: one ``stat`` per call. Its path is worked out again
    only when the environment variables that place the cache folder change (a service asks
    on every request; building the path each time cost more than the stat)."""
    global _GENERATION_PATH
    from kuaiji.io import cache

    env = os.environ
    key = (env.get(cache.ENV_CACHE), env.get("XDG_CACHE_HOME"), env.get("HOME"))
    held = _GENERATION_PATH
    if held is None or held[0] != key:
        held = _GENERATION_PATH = (key, str(cache.cache_dir() / GENERATION))
    return cache.stamp(held[1])


def generation() -> str | None:
    """The installed rules' generation (a token that changes with every rules update; None
    before the first), as a service reports it."""
    stamp = _rules_stamp()
    if not isinstance(stamp, tuple) or len(stamp) < 3 or stamp[1] is None:
        return None
    return f"{stamp[2]}-{stamp[-1]}"


def bump_generation() -> None:
    """Tell every process sharing the rules cache folder that the installed rules changed
    (a new file renamed over ``generation``: its inode and times change)."""
    import tempfile

    from kuaiji.io import cache

    folder = cache.cache_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".generation-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(f"{time.time_ns()}\n")
    Path(tmp).replace(folder / GENERATION)


get_registry = _Current()
"""``get_registry()``: the process-wide :class:`Registry`; ``get_registry.reload()`` builds it
again at once."""
