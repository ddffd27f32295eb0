"""Resolving what a user calls a region to a chain of jurisdictions, by code.

A region is a 6-digit GB/T 2260 code (``440305``), a 2- or 4-digit prefix (``44``,
``4403``), or a jurisdiction's name or alias (``深圳市``, ``广东``, ``兵团``). The chain
runs from ``CN`` to the most specific jurisdiction whose code is a prefix of the region's
code: plugin registration order plays no part.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from kuaiji.context import Region
from kuaiji.errors import InputError
from kuaiji.records import NATIONAL_CODE, Jurisdiction

BINGTUAN = "66"  # kuaiji's code for 新疆生产建设兵团 (no GB/T 2260 province code)
_NAME_SUFFIXES = ("省", "市", "自治区", "特别行政区")


@functools.cache
def gbt2260() -> tuple[dict[str, str], dict[str, str]]:
    """python-stdnum's GB/T 2260 table (``cn/loc``) as two maps: province code → name and
    6-digit code → county entry (names with their years, e.g. ``"[1983-1989]A,[1990-]B"``).

    Parsing stdnum's database takes ~50 ms, so the two maps are kept in the user cache
    (:mod:`kuaiji.cache`), keyed by the stat of stdnum's data file.
    """
    import importlib.util

    from kuaiji import cache

    spec = importlib.util.find_spec("stdnum")  # finds the package without importing it
    source = Path(spec.origin).parent / "cn" / "loc.dat" if spec and spec.origin else None
    key = (cache.code(__file__), cache.stamp(source)) if source else None
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


@functools.lru_cache(maxsize=16384)  # bounded: a batch may hold any number of bad codes
def division_name(code: str) -> str | None:
    """The name of a GB/T 2260 code (2, 4 or 6 digits), from python-stdnum's database;
    None when unknown."""
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
    if six.endswith("00"):
        return f"{province}{county}"
    city = division_name(six[:4]) if six[2:4] != "00" else None
    city_part = city[len(province) :] if city and city.startswith(province) else ""
    if city_part in (county, "市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
        city_part = ""
    return f"{province}{city_part}{county}"


def _normal(name: str) -> str:
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
            index.setdefault(_normal(name), code)
    return index


def resolve(
    query: str,
    jurisdictions: Mapping[str, Jurisdiction],
    names: Mapping[str, str],
    *,
    field: str = "region",
) -> Region:
    """Resolve ``query`` to a :class:`Region`, or raise :class:`InputError` on ``field``."""
    text = query.strip()
    fix = "give a 6-digit administrative division code (e.g. 440305), a prefix (44, 4403) or a name (深圳市, 广东, 兵团); `kuaiji regions` lists them"
    if not text:
        raise InputError.single(field, "empty region", fix)
    if text.isascii() and text.isdigit():
        code = text
        if len(code) not in (2, 4, 6):
            raise InputError.single(field, f"{text!r} is not 2, 4 or 6 digits", fix)
        if code[:2] == BINGTUAN and BINGTUAN in jurisdictions and code in ("66", "6600", "660000"):
            return _chain(BINGTUAN, jurisdictions[BINGTUAN].name, jurisdictions)
        name = division_name(code)
        if name is None:
            raise InputError.single(field, f"unknown administrative division code {text!r}", fix)
        return _chain(code, name, jurisdictions, field=field, fix=fix)
    code_for_name = names.get(text) or names.get(_normal(text))
    if code_for_name is None or code_for_name == NATIONAL_CODE:
        raise InputError.single(field, f"unknown region {text!r}", fix)
    return _chain(code_for_name, jurisdictions[code_for_name].name, jurisdictions)


def _chain(
    code: str,
    name: str,
    jurisdictions: Mapping[str, Jurisdiction],
    *,
    field: str = "region",
    fix: str | None = None,
) -> Region:
    chain = [jurisdictions[NATIONAL_CODE]]
    for length in (2, 4, 6):
        prefix = code[:length]
        if len(prefix) == length and prefix in jurisdictions and prefix != NATIONAL_CODE:
            chain.append(jurisdictions[prefix])
    if len(chain) < 2:
        raise InputError.single(field, f"no exam region serves {code!r} ({name})", fix)
    return Region(code=code, name=name, chain=tuple(chain))
