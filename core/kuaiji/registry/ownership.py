"""Which plugin serves which region: a plugin's claims are checked before anything it says
is used, so that a mistake in one plugin can never change another region's answer.

- The national baseline serves the nation (``CN``) and every province; nobody else may claim
  ``CN``.
- A province plugin claims regions of **one** province (a province code and the codes under
  it). A code must be GB/T 2260's and the name must be the one GB/T 2260 gives it (``14``
  named 河北省 is refused: 14 is 山西省); a ``parent`` must be the region's real parent.
- Two plugins claiming one region: both are named, neither's claim is used (the broader
  jurisdiction serves the region, and its answers say there is a conflict) until the user
  removes one — never decided by the order of the names.
- A plugin's schedules and contacts count only for regions it serves; its overrides may not
  waive or replace an identity rule (``identity.*``) or a plugin failure (``plugin.error``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from kuaiji.model.results import NATIONAL_CODE, Contact, Jurisdiction, Override, Schedule
from kuaiji.registry.regions import BINGTUAN, division_name, normal_name

NATIONAL = "national"
PROTECTED_RULES = ("identity.", "plugin.error")  # rule ids (prefixes) no plugin may override


@attrs.frozen
class Refusal:
    """A claim or a record of ``plugin`` that is not used, why (Chinese), and the region
    codes it concerns (whose answers show it)."""

    plugin: str
    message: str
    regions: tuple[str, ...] = ()


@attrs.frozen
class Claims:
    """The jurisdictions in use by code, the codes each plugin serves, the regions claimed
    by more than one plugin, and every refused claim."""

    jurisdictions: dict[str, Jurisdiction]
    owned: dict[str, frozenset[str]]
    conflicts: dict[str, tuple[str, ...]]
    refusals: tuple[Refusal, ...]


def _official_name_agrees(code: str, name: str) -> bool:
    if code == BINGTUAN:
        return "兵团" in name
    official = division_name(code)
    if official is None:
        return False
    # the full name (广东省深圳市南山区), or its end from a level's boundary on (深圳市南山区,
    # 南山区, 南山), never a cut inside a name ("西省") or a level word alone ("省")
    wanted = normal_name(name.strip())
    if not wanted:
        return False
    starts = [0, *(i + 1 for i, ch in enumerate(official[:-1]) if ch in _LEVEL_ENDS)]
    return any(normal_name(official[i:]) == wanted for i in starts)


_LEVEL_ENDS = frozenset("省市区县州盟旗位")  # the last character of a level's name (…单位)


def _real_parent(code: str) -> str:
    """The region a code belongs to: ``CN`` for a province, else the code two digits
    shorter (``4403`` → ``44``; ``440305`` → ``4403``)."""
    return NATIONAL_CODE if len(code) <= 2 else code[: len(code) - 2]


def _claim_problem(jurisdiction: Jurisdiction) -> str | None:
    code, name = jurisdiction.code, jurisdiction.name
    if code == NATIONAL_CODE:
        return "声明了全国（CN），全国只由核心的全国基线提供"
    if not (code.isdigit() and len(code) in (2, 4, 6)):
        return f"声明的地区代码 {code!r} 不是 2、4 或 6 位的 GB/T 2260 代码"
    if not _official_name_agrees(code, name):
        official = division_name(code)
        shown = f"GB/T 2260 中 {code} 是 {official}" if official else f"GB/T 2260 中没有 {code}"
        return f"声明的地区 {code}（{name}）名称与代码不符：{shown}"
    if jurisdiction.parent is not None and jurisdiction.parent != _real_parent(code):
        return (
            f"地区 {code}（{name}）的上级写成了 {jurisdiction.parent!r}，"
            f"应为 {_real_parent(code)!r}"
        )
    return None


def settle(answers: Mapping[str, Sequence[Jurisdiction]]) -> Claims:
    """The jurisdictions in use, from each plugin's answer (the national baseline first)."""
    national = {j.code: j for j in answers.get(NATIONAL, ())}
    refusals: list[Refusal] = []
    claimed: dict[str, list[tuple[str, Jurisdiction]]] = {}
    for plugin, records in answers.items():
        if plugin == NATIONAL:
            continue
        province: str | None = None
        for jurisdiction in records:
            problem = _claim_problem(jurisdiction)
            if problem is None and province is not None and jurisdiction.code[:2] != province:
                problem = (
                    f"已声明 {province} 省份的地区，不能再声明另一省份的 {jurisdiction.code}"
                    f"（{jurisdiction.name}）：一个插件只服务一个省份"
                )
            if problem is not None:
                refusals.append(Refusal(plugin, problem))
                continue
            province = province or jurisdiction.code[:2]
            claimed.setdefault(jurisdiction.code, []).append((plugin, jurisdiction))
    jurisdictions = dict(national)
    conflicts: dict[str, tuple[str, ...]] = {}
    for code, claims in claimed.items():
        plugins = tuple(sorted({plugin for plugin, _ in claims}))
        if len(plugins) > 1:
            conflicts[code] = plugins
            for plugin in plugins:
                others = "、".join(p for p in plugins if p != plugin)
                refusals.append(
                    Refusal(
                        plugin,
                        f"与插件 {others} 同时声明地区 {code}（{claims[0][1].name}）；"
                        "两者对该地区的规则都不采用，请只保留其中一个插件",
                        (code,),
                    )
                )
            continue
        jurisdictions[code] = claims[0][1]
    owned: dict[str, set[str]] = {}
    for code, jurisdiction in jurisdictions.items():
        owned.setdefault(jurisdiction.plugin, set()).add(code)
    return Claims(
        jurisdictions,
        {plugin: frozenset(codes) for plugin, codes in owned.items()},
        conflicts,
        tuple(refusals),
    )


def serves(owned: frozenset[str], code: str | None) -> bool:
    """Whether a plugin serving ``owned`` codes serves ``code`` (a code under one of them
    counts: a city plugin's district)."""
    if code is None:
        return bool(owned)
    return any(code == own or (own != NATIONAL_CODE and code.startswith(own)) for own in owned)


def own_schedules(
    plugin: str, records: Sequence[Schedule], owned: frozenset[str]
) -> tuple[list[Schedule], list[Refusal]]:
    """The schedules of regions ``plugin`` serves, and a refusal for each other one."""
    if plugin == NATIONAL:
        return list(records), []
    kept: list[Schedule] = []
    refused: list[Refusal] = []
    for schedule in records:
        if schedule.region in owned:
            kept.append(schedule)
        else:
            refused.append(
                Refusal(
                    plugin,
                    f"提供了不归它服务的地区 {schedule.region} 的 {schedule.year} 年日程，已忽略",
                )
            )
    return kept, refused


def own_contacts(
    plugin: str, records: Sequence[Contact], owned: frozenset[str]
) -> tuple[list[Contact], list[Refusal]]:
    """The contacts in regions ``plugin`` serves (a contact with no code is found by name
    only, within the plugin's province), and a refusal for each other one."""
    if plugin == NATIONAL:
        return list(records), []
    kept: list[Contact] = []
    refused: list[Refusal] = []
    for contact in records:
        codes = (contact.code, *contact.serves) if contact.code else ()
        if owned and all(serves(owned, c) for c in codes):
            kept.append(contact)
        else:
            refused.append(
                Refusal(plugin, f"提供了不归它服务的地区的联系方式（{contact.name}），已忽略")
            )
    return kept, refused


def allowed_overrides(
    plugin: str, records: Sequence[Override]
) -> tuple[list[Override], list[Refusal]]:
    """The overrides a plugin may make: none of an identity rule or of a plugin failure."""
    if plugin == NATIONAL:
        return list(records), []
    kept: list[Override] = []
    refused: list[Refusal] = []
    for override in records:
        if override.rule.startswith(PROTECTED_RULES):
            refused.append(
                Refusal(plugin, f"试图豁免或替换规则 {override.rule}：身份与插件故障规则不可覆盖")
            )
        else:
            kept.append(override)
    return kept, refused
