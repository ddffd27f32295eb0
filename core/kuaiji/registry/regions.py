"""Resolving what a user calls a region to a chain of jurisdictions, by code.

A region is a 6-digit GB/T 2260 code (``440305``), a 2- or 4-digit prefix (``44``,
``4403``), a jurisdiction's name or alias (``深圳市``, ``广东``, ``兵团``), or a GB/T 2260
name at any level, with or without its suffix and with or without the names above it
(``石家庄市长安区``, ``河北石家庄长安区``, ``南京鼓楼``, ``长安区`` when only one place has
that name). A name that fits several places is refused with the list of them; a name a
place used to have (``栾城县``, now ``栾城区``) still finds it, under its current name and code.
The chain runs from ``CN`` to the most specific jurisdiction whose code is a prefix of the
region's code: plugin registration order plays no part.

Codes are resolved without the name index: it is built (:func:`name_table`) only when a
name is given.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from kuaiji.errors import InputError
from kuaiji.model.context import Region
from kuaiji.model.results import NATIONAL_CODE, Jurisdiction

BINGTUAN = "66"  # kuaiji's code for 新疆生产建设兵团 (no GB/T 2260 province code)
_NAME_SUFFIXES = ("省", "市", "自治区", "特别行政区")

# What GB/T 2260 calls the groupings that are not places (never part of a name).
_PLACEHOLDERS = frozenset(
    {
        "市辖区",
        "县",
        "林区",  # 422900, the grouping of 神农架林区 before 1986
        "省直辖县级行政区划",
        "自治区直辖县级行政区划",
        "省直辖县级行政单位",
        "自治区直辖县级行政单位",
        "省直辖行政单位",
    }
)

PROVINCE, PREFECTURE, COUNTY, JURISDICTION = "province", "prefecture", "county", "jurisdiction"
LEVEL_NAMES = {PROVINCE: "省级", PREFECTURE: "地级", COUNTY: "县级", JURISDICTION: "考区"}

FIX = (
    "请写 6 位行政区划代码（如 440305）、代码前缀（44、4403）或地名（深圳市、广东、兵团、"
    "石家庄市长安区）；kuaiji regions 文字 可以查找"
)
_MAX_NAME = 40  # longer text is no name (and would cost the split search time)
_MAX_LISTED = 20  # places listed in the message about an ambiguous name


@functools.cache
def gbt2260() -> tuple[dict[str, str], dict[str, str]]:
    """python-stdnum's GB/T 2260 table (``cn/loc``) as two maps: province code → name and
    6-digit code → county entry (names with their years, e.g. ``"[1983-1989]A,[1990-]B"``).

    Parsing stdnum's database takes ~50 ms, so the two maps are kept in the user cache
    (:mod:`kuaiji.io.cache`), keyed by the stat of stdnum's data file.
    """
    from kuaiji.io import cache

    key = _stdnum_key()
    if key is not None:
        found = cache.load("gbt2260", key)
        if found is not None:
            return found  # type: ignore[no-any-return]
    from stdnum import numdb

    provinces: dict[str, str] = {}
    counties: dict[str, str] = {}
    for _, lo, hi, props, children in numdb.get("cn/loc").prefixes:
        if lo == hi and props.get("province"):
            provinces[lo] = str(props["province"])
        for _, clo, chi, cprops, _ in children:
            if clo == chi and cprops.get("county"):
                counties[lo + clo] = str(cprops["county"])
    if key is not None:
        cache.store("gbt2260", key, (provinces, counties))
    return provinces, counties


def _stdnum_key() -> tuple[object, ...] | None:
    """What the cached tables are kept under: this module and stdnum's data file."""
    import importlib.util

    from kuaiji.io import cache

    spec = importlib.util.find_spec("stdnum")  # finds the package without importing it
    source = Path(spec.origin).parent / "cn" / "loc.dat" if spec and spec.origin else None
    return (cache.code(), cache.stamp(source)) if source else None


@functools.lru_cache(maxsize=16384)  # bounded: a batch may hold any number of bad codes
def division_name(code: str) -> str | None:
    """The name of a GB/T 2260 code (2, 4 or 6 digits), from python-stdnum's database;
    None when unknown. A retired code has the last name it had."""
    six = code.ljust(6, "0")
    provinces, counties = gbt2260()
    province = provinces.get(six[:2])
    if not province:
        return None
    if six.endswith("0000"):
        return province
    county = counties.get(six)
    if not county:
        return None
    county = str(county).split("]")[-1].split(",")[-1]  # "[1983-1989]南头区办事处,[1990-]南山区"
    return _full_name(six, county)


def _full_name(six: str, name: str) -> str:
    """``name`` (of the 6-digit code ``six``) with its province and city before it."""
    province = gbt2260()[0].get(six[:2], "")
    if six.endswith("00"):
        return f"{province}{name}"
    city = division_name(six[:4]) if six[2:4] != "00" else None
    city_part = city[len(province) :] if city and city.startswith(province) else ""
    if city_part == name or city_part in _PLACEHOLDERS:
        city_part = ""
    return f"{province}{city_part}{name}"


def normal_name(name: str) -> str:
    """A place name without its administrative suffix (广东省 → 广东)."""
    text = name.strip()
    for suffix in _NAME_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            return text[: -len(suffix)]
    return text


def name_index(jurisdictions: Mapping[str, Jurisdiction]) -> dict[str, str]:
    """Map every name, alias and suffix-less form to a jurisdiction code."""
    index: dict[str, str] = {}
    for code, jurisdiction in jurisdictions.items():
        for name in (jurisdiction.name, *jurisdiction.aliases):
            index.setdefault(name, code)
            index.setdefault(normal_name(name), code)
    return index


# --- GB/T 2260 names ---

# Suffixes a name may be written without, longest first (one is taken off: 浦东新区 → 浦东).
_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "特区",
    "新区",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
)
_SUFFIXES_BY_LAST = {
    last: tuple(s for s in _SUFFIXES if s.endswith(last)) for last in {s[-1] for s in _SUFFIXES}
}
# The 55 minority peoples, as autonomous areas name them (延边朝鲜族自治州 → 延边), and 各族.
_PEOPLES = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 "
    "水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 "
    "乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各"
)
_PEOPLES_BARE = ("蒙古", "哈萨克", "柯尔克孜", "塔吉克", "锡伯", "维吾尔")  # written without 族
_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})


class _Value:
    """A small value, equal by its fields. Plain classes, not attrs: creating an attrs class
    costs every command about a millisecond at import, names or not."""

    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._fields() == self._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({inner})"


class Period(_Value):
    """One name a code had, and the years it had it (None: open, or not said)."""

    __slots__ = ("end", "name", "start")

    def __init__(self, name: str, start: int | None = None, end: int | None = None) -> None:
        self.name, self.start, self.end = name, start, end

    @property
    def years(self) -> str:
        """``1986–2014``, ``–2010``, ``2014–``; empty when the table gives none."""
        if self.start is None and self.end is None:
            return ""
        return f"{self.start or ''}–{self.end or ''}"


class OldName(_Value):
    """A name a place used to have (``栾城县``), the code it had (``130124``, not always the
    place's code today) and the years (``1986–2014``)."""

    __slots__ = ("code", "name", "years")

    def __init__(self, name: str, code: str, years: str) -> None:
        self.name, self.code, self.years = name, code, years


class Place(_Value):
    """A GB/T 2260 division that a name or a code finds.

    ``code`` is a region code: 2 digits for a province, 4 for a prefecture, 6 for a county
    (or a jurisdiction's own code, e.g. ``66``, at level ``jurisdiction``). ``name`` is the
    full current name (a retired code's last one). ``current`` is False for a retired code
    that no current division carries on. ``old_names`` are the former names that matched."""

    __slots__ = ("code", "current", "level", "name", "old_names")

    def __init__(
        self,
        code: str,
        name: str,
        level: str,
        current: bool = True,
        old_names: tuple[OldName, ...] = (),
    ) -> None:
        self.code, self.name, self.level = code, name, level
        self.current, self.old_names = current, old_names

    def with_old_names(self, more: Iterable[OldName]) -> Place:
        extra = tuple(o for o in dict.fromkeys(more) if o not in self.old_names)
        return Place(self.code, self.name, self.level, self.current, self.old_names + extra)

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]

    @property
    def label(self) -> str:
        """``江苏省南京市鼓楼区 320106``, with any former name that matched."""
        old = "、".join(dict.fromkeys(o.name for o in self.old_names))
        note = f"（曾用名{old}）" if old else ("（已撤销的代码）" if not self.current else "")
        return f"{self.name} {self.code}{note}"


class NameTable:
    """GB/T 2260 for names: each 6-digit code's entry (read into its names and years when
    needed) and, for each level, every name and suffix-less form → the codes it names,
    packed as code + name index + full form (8 characters each: the table loads from the
    user cache in a few milliseconds)."""

    __slots__ = ("_read", "entries", "forms")

    def __init__(self, entries: dict[str, str], forms: dict[str, dict[str, str]]) -> None:
        self.entries, self.forms = entries, forms
        self._read: dict[str, tuple[Period, ...]] = {}

    def periods(self, six: str) -> tuple[Period, ...]:
        """The names ``six`` had, oldest first."""
        found = self._read.get(six)
        if found is None:
            found = self._read[six] = _periods(self.entries[six])
        return found

    def named(self, level: str, form: str) -> list[tuple[str, int, bool]]:
        """(code, name index, full form) of every division of ``level`` that ``form`` names."""
        packed = self.forms[level].get(form, "")
        return [
            (packed[i : i + 6], int(packed[i + 6]), packed[i + 7] == "1")
            for i in range(0, len(packed), 8)
        ]

    def is_current(self, six: str, index: int) -> bool:
        """Is the ``index``-th name of ``six`` its name today?"""
        periods = self.periods(six)
        return index == len(periods) - 1 and periods[-1].end is None


def level_of(six: str) -> str:
    if six.endswith("0000"):
        return PROVINCE
    return PREFECTURE if six.endswith("00") else COUNTY


def region_code(six: str) -> str:
    """The region code of a 6-digit GB/T code: ``440000`` → 44, ``440300`` → 4403."""
    if six.endswith("0000"):
        return six[:2]
    return six[:4] if six.endswith("00") else six


def _periods(entry: str) -> tuple[Period, ...]:
    if "[" not in entry:
        return (Period(entry),)
    out = []
    period = _period_pattern()
    for part in entry.split(","):
        found = period.fullmatch(part)
        if found is None:
            out.append(Period(part))
        else:
            start, end, name = found.groups()
            out.append(Period(name, int(start) if start else None, int(end) if end else None))
    return tuple(out)


def _without_peoples(stem: str) -> str:
    """``延边朝鲜族`` → ``延边``, ``巴音郭楞蒙古`` → ``巴音郭楞``; at least 2 characters stay."""
    found = _peoples_tail().fullmatch(stem)
    return found.group(1) if found else stem


@functools.cache
def _period_pattern() -> re.Pattern[str]:
    return re.compile(r"\[(\d{4})?-(\d{4})?\](.*)")  # "[1983-1989]南头区办事处"


@functools.cache
def _peoples_tail() -> re.Pattern[str]:
    peoples = "|".join(sorted(_PEOPLES.split(), key=len, reverse=True))
    return re.compile(f"(.{{2,}}?)((?:(?:{peoples})族|{'|'.join(_PEOPLES_BARE)})+)")


def name_forms(name: str) -> list[tuple[str, bool]]:
    """The ways ``name`` may be written: itself (full: True) and without its suffix (and the
    peoples of an autonomous area), keeping at least 2 characters: 石家庄市 → 石家庄;
    广西壮族自治区 → 广西壮族, 广西; 郊区 → only 郊区."""
    out = [(name, True)]
    for suffix in _SUFFIXES_BY_LAST.get(name[-1:], ()):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            out.append((stem, False))
            if suffix.startswith("自治") or stem.endswith("族"):
                short = _without_peoples(stem)
                if short != stem:
                    out.append((short, False))
            break
    return out


@functools.cache
def name_table() -> NameTable:
    """The name index of GB/T 2260, built on the first name resolved (never for a code) and
    kept in the user cache beside the table itself."""
    from kuaiji.io import cache

    provinces, counties = gbt2260()
    entries = dict(counties)
    for two, name in provinces.items():
        entries.setdefault(f"{two}0000", name)
    key = _stdnum_key()
    forms = cache.load("gbt2260-names", key) if key is not None else None
    if isinstance(forms, dict):
        return NameTable(entries, forms)
    table = NameTable(entries, {})
    packed: dict[str, dict[str, list[str]]] = {PROVINCE: {}, PREFECTURE: {}, COUNTY: {}}
    for six in entries:
        by_form = packed[level_of(six)]
        for index, period in enumerate(table.periods(six)[:10]):
            if period.name in _PLACEHOLDERS or not period.name:
                continue
            for form, full in name_forms(period.name):
                by_form.setdefault(form, []).append(f"{six}{index}{int(full)}")
    table.forms = {
        level: {form: "".join(codes) for form, codes in by_form.items()}
        for level, by_form in packed.items()
    }
    if key is not None:
        cache.store("gbt2260-names", key, table.forms)
    return table


class _Match:
    __slots__ = ("level", "six", "used")

    def __init__(self, six: str, level: str, used: tuple[tuple[str, int, bool], ...]) -> None:
        self.six, self.level = six, level
        self.used = used  # (code, name index, full form) of each part

    def tier(self, table: NameTable) -> tuple[bool, bool]:
        """Current names before former ones, full names before suffix-less forms."""
        old = any(not table.is_current(six, index) for six, index, _ in self.used)
        return (old, not all(full for _, _, full in self.used))


def _plain(text: str) -> str:
    """The text without spaces, full-width digits and letters made plain (NFKC)."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text).split())


def _matches(text: str) -> list[_Match]:
    """Every way ``text`` reads as [province][prefecture][county], each part a name (or a
    form of it) of a division inside the part before it."""
    if not text or len(text) > _MAX_NAME:
        return []
    table = name_table()
    provinces, prefectures, counties = (table.forms[lv] for lv in (PROVINCE, PREFECTURE, COUNTY))
    named = table.named
    found: list[_Match] = []
    size = len(text)
    for i in range(size + 1):
        province_part = named(PROVINCE, text[:i]) if i and text[:i] in provinces else []
        if i and not province_part:
            continue
        for j in range(i, size + 1):
            city_part = named(PREFECTURE, text[i:j]) if text[i:j] in prefectures else []
            if j > i and not city_part:
                continue
            if j < size:
                level = COUNTY
                targets = named(COUNTY, text[j:]) if text[j:] in counties else []
                parents = [(city_part, 4), (province_part, 2)] if j > i else [(province_part, 2)]
            elif j > i:
                level, targets, parents = PREFECTURE, city_part, [(province_part, 2)]
            elif i:
                level, targets, parents = PROVINCE, province_part, []
            else:
                continue
            for target in targets:
                used = [target]
                for entries, length in parents:
                    if not entries and not (length == 2 and i):
                        continue  # no such part written
                    within = _best(
                        table, [e for e in entries if e[0] == target[0][:length].ljust(6, "0")]
                    )
                    if within is None:
                        break
                    used.append(within)
                else:
                    found.append(_Match(target[0], level, tuple(used)))
    return found


def _best(
    table: NameTable, entries: Iterable[tuple[str, int, bool]]
) -> tuple[str, int, bool] | None:
    """The entry naming its code by its current name if there is one, else any."""
    listed = list(entries)
    for entry in listed:
        if table.is_current(entry[0], entry[1]):
            return entry
    return listed[0] if listed else None


def _successor(table: NameTable, six: str, level: str, depth: int = 0) -> str | None:
    """The current division that carries on the retired code ``six``: the one of the same
    level named the same, with or without suffixes (栾城县 → 栾城区, 鹿泉市 → 鹿泉区), in the
    same city (in the province, for a prefecture, a municipality's county or a county whose
    city is gone), whose name began when ``six`` ended (within a year or two); followed from
    code to code (石家庄地区栾城县 → 石家庄市栾城县 → 栾城区) as far as it goes (获鹿县: the
    last code it had, retired). None if no code carries it on."""
    periods = table.periods(six)
    if periods[-1].end is None:
        return six
    ended = periods[-1].end
    if depth > 8:
        return None
    city = table.periods(f"{six[:4]}00") if f"{six[:4]}00" in table.entries else None
    wide = (
        level == PREFECTURE
        or six[:2] in _MUNICIPALITIES
        or city is None
        or city[-1].end is not None
        or city[-1].name in _PLACEHOLDERS
    )
    scope = 2 if wide else 4
    found = set()
    for form in {form for period in periods for form, _ in name_forms(period.name)}:
        for code, index, _ in table.named(level, form):
            if code == six or code[:scope] != six[:scope]:
                continue
            began = table.periods(code)[index].start
            if began is not None and ended - 1 <= began <= ended + 2:
                found.add(code)
    if len(found) != 1:
        return None
    later = found.pop()
    return _successor(table, later, level, depth + 1) or later


def _places(table: NameTable, matches: Iterable[_Match]) -> list[Place]:
    """One place per division the matches find (a retired code's successor, when known),
    with the former names used. Two current codes of one full name (GB/T 2260 leaves a few
    old codes open: 随州市 429001 beside 421300) count as one: the one with a start year,
    else the later code."""
    merged: dict[str, tuple[str, list[OldName]]] = {}
    for match in matches:
        target = _successor(table, match.six, match.level) or match.six
        old = [
            OldName(
                table.periods(six)[index].name,
                region_code(six),
                table.periods(six)[index].years,
            )
            for six, index, _ in match.used
            if not table.is_current(six, index)
        ]
        _, names = merged.setdefault(target, (match.level, []))
        names.extend(o for o in old if o not in names)
    places: dict[str, tuple[str, Place]] = {}
    for six in sorted(merged, key=lambda c: (table.periods(c)[-1].start is not None, c)):
        level, names = merged[six]
        code = region_code(six)
        place = Place(
            code,
            division_name(code) or "",
            level,
            table.periods(six)[-1].end is None,
            tuple(names),
        )
        known = places.get(place.name)
        if known is not None and known[1].current and place.current:
            place = Place(
                place.code, place.name, place.level, True, known[1].old_names
            ).with_old_names(place.old_names)
        places[place.name if place.current else six] = (six, place)
    return [place for _, place in places.values()]


def lookup(text: str) -> tuple[Place, ...]:
    """The divisions GB/T 2260 names ``text`` (see the module's docstring): those found by
    current names if any, else by former ones; full names before suffix-less forms. Several
    places: the name is ambiguous."""
    table = name_table()
    matches = _matches(_plain(text))
    if not matches:
        return ()
    tiers = {id(m): m.tier(table) for m in matches}
    best = min(tiers.values())
    return tuple(_places(table, [m for m in matches if tiers[id(m)] == best]))


def serving(code: str, jurisdictions: Mapping[str, Jurisdiction]) -> tuple[Jurisdiction, ...]:
    """The jurisdictions serving ``code``, ``CN`` first, then each whose code is a prefix of
    it (only ``CN``: no exam region serves it)."""
    chain = [jurisdictions[NATIONAL_CODE]]
    for length in (2, 4, 6):
        prefix = code[:length]
        if len(prefix) == length and prefix in jurisdictions and prefix != NATIONAL_CODE:
            chain.append(jurisdictions[prefix])
    return tuple(chain)


def search(text: str, jurisdictions: Mapping[str, Jurisdiction]) -> tuple[Place, ...]:
    """Every division matching ``text``, current ones first, by code: for digits, the codes
    beginning with them (a retired code only when given whole); for a name, what
    :func:`lookup` finds at any tier, every current division whose full name contains the
    text, every division one of whose former names does (under its successor, if any), and
    the jurisdictions (兵团) whose name or alias does."""
    query = _plain(text)
    table = name_table()
    found: dict[str, Place] = {}

    def add(place: Place) -> None:
        known = found.get(place.code)
        found[place.code] = place if known is None else known.with_old_names(place.old_names)

    if query.isascii() and query.isdigit():
        for six in table.entries:
            periods, code = table.periods(six), region_code(six)
            if not code.startswith(query) or periods[-1].name in _PLACEHOLDERS:
                continue
            if periods[-1].end is None or code == query:
                add(Place(code, division_name(code) or "", level_of(six), periods[-1].end is None))
        for code, jurisdiction in jurisdictions.items():
            if code.startswith(query) and code not in found and division_name(code) is None:
                add(Place(code, jurisdiction.name, JURISDICTION))
    elif query:
        for place in _places(table, _matches(query)):
            add(place)
        hits = []
        for six in table.entries:
            periods = table.periods(six)
            last = len(periods) - 1
            if (
                table.is_current(six, last)
                and periods[last].name not in _PLACEHOLDERS
                and query in (division_name(region_code(six)) or "")
            ):
                hits.append(_Match(six, level_of(six), ((six, last, True),)))
                continue
            for index, period in enumerate(periods):  # a former name: its own, not its parents'
                if query in period.name and period.name not in _PLACEHOLDERS:
                    hits.append(_Match(six, level_of(six), ((six, index, True),)))
        for place in _places(table, hits):
            add(place)
        for code, jurisdiction in jurisdictions.items():
            if code == NATIONAL_CODE or code in found:
                continue
            if any(query in name for name in (jurisdiction.name, *jurisdiction.aliases)):
                level = level_of(code.ljust(6, "0")) if division_name(code) else JURISDICTION
                name = division_name(code) or jurisdiction.name
                add(Place(code, name, level))
    return tuple(sorted(found.values(), key=lambda p: (not p.current, p.code)))


# --- resolving ---


def _shown(text: str) -> str:
    """A region the user typed, as an error quotes it: an ID or a phone number typed in the
    wrong field masked, a name-like value masked, control characters shown as escapes, and
    never more than 30 characters."""
    from kuaiji.io.masking import looks_like_name, printable, scrub_text

    shown = "*" * len(text) if looks_like_name(text) else scrub_text(text)
    shown = printable(shown)
    return shown if len(shown) <= 30 else shown[:30] + "…"


def resolve(
    query: str,
    jurisdictions: Mapping[str, Jurisdiction],
    names: Mapping[str, str],
    *,
    field: str = "region",
) -> Region:
    """Resolve ``query`` to a :class:`Region`, or raise :class:`InputError` on ``field``."""
    text = query.strip()
    if not text:
        raise InputError.single(field, "地区为空", FIX)
    if not text.isascii():
        text = _plain(text)
    if text.isascii() and text.isdigit():
        code = text
        if len(code) not in (2, 4, 6):
            raise InputError.single(field, f"“{_shown(text)}”不是 2、4 或 6 位数字", FIX)
        if code[:2] == BINGTUAN and BINGTUAN in jurisdictions and code in ("66", "6600", "660000"):
            return _chain(BINGTUAN, jurisdictions[BINGTUAN].name, jurisdictions)
        name = division_name(code)
        if name is None:
            raise InputError.single(field, f"找不到行政区划代码“{_shown(text)}”", FIX)
        return _chain(code, name, jurisdictions, field=field)
    code_for_name = names.get(text)
    if code_for_name is None:
        places = lookup(text)
        if len(places) > 1:
            raise _ambiguous(field, text, places)
        if places:
            return _chain(places[0].code, places[0].name, jurisdictions, field=field)
        code_for_name = names.get(normal_name(text))
    if code_for_name is None or code_for_name == NATIONAL_CODE:
        raise InputError.single(field, f"找不到地区“{_shown(text)}”", FIX)
    return _chain(code_for_name, jurisdictions[code_for_name].name, jurisdictions)


def _ambiguous(field: str, text: str, places: tuple[Place, ...]) -> InputError:
    ordered = sorted(places, key=lambda p: (not p.current, p.code))
    listed = "、".join(p.label for p in ordered[:_MAX_LISTED])
    more = f"等 {len(ordered)} 处" if len(ordered) > _MAX_LISTED else ""
    first = ordered[0]
    return InputError.single(
        field,
        f"“{_shown(text)}”不止一处（{len(ordered)} 处），不知是哪一处：{listed}{more}",
        f"请写明上级地名（如“{first.name}”）或写 6 位代码（如 {first.code}）；"
        f"kuaiji regions {text} 可以查看全部",
    )


def _chain(
    code: str,
    name: str,
    jurisdictions: Mapping[str, Jurisdiction],
    *,
    field: str = "region",
) -> Region:
    chain = serving(code, jurisdictions)
    if len(chain) < 2:
        raise InputError.single(
            field,
            f"没有考区负责 {code}（{name}）",
            "kuaiji 覆盖内地 31 个省（区、市）和兵团；kuaiji regions 列出全部考区",
        )
    return Region(code=code, name=name, chain=chain)
