"""What a plugin's data from a rules bundle must pass before it is installed: the checks the
plugin's own data passes, and what a bundle must not do that a release could.

- every document through the core's loader (:func:`kuaiji.registry.data.validate_documents`),
  ``updated`` not after today (Beijing time);
- the plugin's whole set: the national baseline's includes the nation (``CN``), a province
  plugin's claims at least one region;
- nothing the installed release ships is left out: each section, region and (region, level,
  year) schedule of its data is in the set (a bundle adds and changes, never removes);
- ownership (:mod:`kuaiji.registry.ownership`): a province plugin's jurisdictions only within
  the regions its installed release serves, each a real GB/T 2260 region with its real parent;
  its schedules and contacts only for regions it claims;
- platform addresses: https (with a host, no user name, no spaces), or exactly an address the
  installed release already ships (a source giving only http, kept with its reason): a bundle
  cannot bring a ``javascript:`` address or a new http look-alike;
- no control, escape or bidirectional-override character anywhere (they could rewrite what a
  terminal shows);
- then the checks of ``kuaiji plugins check`` (sources, Chinese notes, GB/T 2260 codes,
  moments: :func:`kuaiji.authoring.validate.check_records`), or ``extra`` in their place.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

import attrs

from kuaiji.errors import DataError
from kuaiji.model.results import NATIONAL_CODE, Contact, Jurisdiction, Schedule
from kuaiji.registry import ownership
from kuaiji.registry.data import DataDocument, _events, load_records, validate_documents

NATIONAL = ownership.NATIONAL
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]")


def printable(text: str) -> str:
    """``text`` with every control, escape and bidirectional-override character replaced:
    what a terminal shows as it is."""
    return CONTROL.sub("\ufffd", text)


@attrs.frozen
class Records:
    """A plugin's data set, structured as the plugin will use it."""

    jurisdictions: tuple[Jurisdiction, ...]
    schedules: tuple[Schedule, ...]
    contacts: tuple[Contact, ...]


# The checks of `kuaiji plugins check` for one plugin's records: problems, in Chinese.
Extra = Callable[[str, Records], list[str]]


def records(docs: Sequence[DataDocument]) -> Records:
    """The records of ``docs`` (DataError if one does not load)."""
    validate_documents(docs)
    return Records(
        tuple(r for d in docs for r in load_records(d, "jurisdictions", Jurisdiction)),
        tuple(r for d in docs for r in load_records(d, "schedules", Schedule, _events)),
        tuple(r for d in docs for r in load_records(d, "contacts", Contact)),
    )


def problems(
    plugin: str,
    docs: Sequence[DataDocument],
    bundled: Sequence[DataDocument],
    today: dt.date,
    extra: Extra | None = None,
) -> list[str]:
    """Why ``docs`` (the whole data set of ``plugin`` in a bundle) may not replace
    ``bundled`` (the data its installed release ships); [] when they may."""
    found = loader_problems(docs, today)
    if found:
        return found
    mine = records(docs)
    try:
        shipped = records(bundled)
    except DataError:  # the installed release's own data does not load: it serves nothing
        shipped, bundled = Records((), (), ()), ()
    if plugin == NATIONAL:
        if not any(j.code == NATIONAL_CODE for j in mine.jurisdictions):
            found.append("全国基线的数据没有全国（CN）：数据不完整")
    else:
        found.extend(_ownership(plugin, mine, shipped))
    found.extend(_removed(docs, mine, bundled, shipped))
    known = {p.url for j in shipped.jurisdictions for p in j.platforms if p.url}
    for j in mine.jurisdictions:
        for platform in j.platforms:
            if platform.url and platform.url not in known and not _https(platform.url):
                found.append(
                    f"jurisdictions[{j.code}].platforms[{platform.id}]：网址 {platform.url!r} "
                    "不是 https 网址（规则包只能带 https 网址，或已安装插件中原有的网址）"
                )
    found.extend((extra or _validator)(plugin, mine))
    return found


def loader_problems(docs: Sequence[DataDocument], today: dt.date) -> list[str]:
    """What the core's loader refuses in ``docs``, a date after today, a control character."""
    found = [
        f"{doc.name}：updated 是 {doc.updated}，晚于今天（北京时间 {today}）"
        for doc in docs
        if doc.updated > today
    ]
    for doc in docs:
        where = next(_controls(doc.sections, doc.name), None)
        if where is not None:
            found.append(f"{where}：含有控制字符或转义序列")
    try:
        records(docs)
    except DataError as exc:
        found.append(str(exc))
    return found


def _ownership(plugin: str, mine: Records, shipped: Records) -> Iterator[str]:
    served = frozenset(j.code for j in shipped.jurisdictions)
    if not mine.jurisdictions:
        yield "没有声明任何地区：一个插件的数据必须完整"
    claims = ownership.settle(
        {NATIONAL: (), plugin: [attrs.evolve(j, plugin=plugin) for j in mine.jurisdictions]}
    )
    yield from (refusal.message for refusal in claims.refusals)
    for j in mine.jurisdictions:
        if not ownership.serves(served, j.code):
            yield (
                f"声明了地区 {j.code}（{j.name}），插件 {plugin} 只服务 "
                f"{'、'.join(sorted(served)) or '（无）'}：拒绝为别的地区提供数据"
            )
    owned = frozenset(c for c in claims.owned.get(plugin, ()) if ownership.serves(served, c))
    _, refused = ownership.own_schedules(plugin, mine.schedules, owned)
    yield from (refusal.message.replace("，已忽略", "") for refusal in refused)
    _, refused = ownership.own_contacts(plugin, mine.contacts, owned)
    yield from (refusal.message.replace("，已忽略", "") for refusal in refused)


def _removed(
    docs: Sequence[DataDocument],
    mine: Records,
    bundled: Sequence[DataDocument],
    shipped: Records,
) -> Iterator[str]:
    """What the installed release ships that ``docs`` leave out: a section, a region, a
    (region, level, year) schedule. A bundle may add and change, never remove."""
    sections = {name for d in bundled for name, rows in d.sections.items() if rows}
    sections -= {name for d in docs for name, rows in d.sections.items() if rows}
    regions = {j.code: j.name for j in shipped.jurisdictions}
    for j in mine.jurisdictions:
        regions.pop(j.code, None)
    exams = {(s.region, s.level, s.year) for s in shipped.schedules}
    exams -= {(s.region, s.level, s.year) for s in mine.schedules}
    lost = [
        ("部分", [str(name) for name in sorted(sections)]),
        ("地区", [f"{code}（{name}）" for code, name in sorted(regions.items())]),
        ("考试日程", [f"{r} {level.zh} {year} 年" for r, level, year in sorted(exams)]),
    ]
    for what, items in lost:
        if items:
            more = f"等（共 {len(items)} 项）" if len(items) > 5 else ""
            yield (
                f"缺少已安装版本内置数据中的{what}：{'、'.join(items[:5])}{more}："
                "规则包只能增加或修改数据，不能删去已安装版本已有的数据"
            )


def _https(url: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme == "https"
        and bool(parts.hostname)
        and parts.username is None
        and parts.password is None
        and not any(c.isspace() or c == "\\" for c in url)
    )


def _controls(value: Any, where: str) -> Iterator[str]:
    """Where in ``value`` a string holds a control character."""
    if isinstance(value, str):
        if CONTROL.search(value):
            yield where
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _controls(item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _controls(key, f"{where}.<键>")
            yield from _controls(item, f"{where}.{key if not CONTROL.search(str(key)) else '?'}")


def _validator(plugin: str, records: Records) -> list[str]:
    """What ``kuaiji plugins check`` says of these records (sources, Chinese notes, GB/T 2260
    codes and names, https URLs)."""
    from kuaiji.authoring.validate import check_records

    return check_records(plugin, records.jurisdictions, records.schedules, records.contacts)
