"""Identity on the platforms (registration family): ``identity.name``, ``identity.id_number``, ``identity.phone``."""

from __future__ import annotations

import datetime as dt
import functools
import re
import types

from kuaiji.model.candidate import IdType
from kuaiji.model.context import Context
from kuaiji.model.results import Finding, Severity
from kuaiji.national import sources as S
from kuaiji.national.common import finding

NAME_MAX = 30  # seed 001: the registration form allows 30 characters


ID_MAX = 30  # seed 001: 证件号码 0/30


PHONE = re.compile(r"^1[0-9]{10}$")  # seed 001: 手机号码 0/11


OTHER_ID = re.compile(r"^[A-Za-z0-9]{5,30}$")


def identity_name(ctx: Context) -> list[Finding]:
    name = ctx.candidate.name.strip()
    if 1 <= len(name) <= NAME_MAX and name.isprintable():
        return []
    problem = (
        "为空"
        if not name
        else ("含不可见字符" if not name.isprintable() else f"有 {len(name)} 个字符")
    )
    return [
        finding(
            "identity.name",
            Severity.ERROR,
            f"姓名须为 1–{NAME_MAX} 个字符，现{problem}",
            action="按身份证件填写真实姓名；注册后姓名不能自行修改",
            source=S.SEED_001,
        )
    ]


def identity_id_number(ctx: Context) -> list[Finding]:
    candidate = ctx.candidate
    number = candidate.id_number.strip()
    if candidate.id_type is not IdType.RESIDENT_ID:
        if OTHER_ID.match(number):
            return []
        return [
            finding(
                "identity.id_number",
                Severity.ERROR,
                f"证件号码格式不符：应为 5–{ID_MAX} 位半角字母或数字",
                action="按证件原样填写，不含空格和全角字符",
                source=S.SEED_001,
            )
        ]
    problem = _resident_id_problem(number, ctx.at.date())
    if problem:
        return [
            finding(
                "identity.id_number",
                Severity.ERROR,
                f"居民身份证号码无效：{problem}",
                action="核对身份证号码（18 位，最后一位可为 X）",
                source="GB 11643-1999（python-stdnum cn.ric）",
            )
        ]
    findings = []
    number = number.upper()
    if number[:6] not in _counties():
        findings.append(
            finding(
                "identity.id_number",
                Severity.WARNING,
                f"身份证号码前 6 位（地区码 {number[:2]}****）不在 GB/T 2260 历年行政区划代码中",
                action="请核对前 6 位；号码确实如此（如个别地区自行编码）可继续，报名时以平台核验为准",
                source="GB/T 2260（python-stdnum cn.loc）",
            )
        )
    derived_birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    if candidate.birth_date is not None and candidate.birth_date != derived_birth:
        findings.append(
            finding(
                "identity.id_number",
                Severity.ERROR,
                "出生日期与身份证号码不一致",
                action="删除 birth_date 或按身份证号码更正",
                source="GB 11643-1999",
            )
        )
    derived_gender = "male" if int(number[16]) % 2 else "female"
    if candidate.gender is not None and candidate.gender.value not in (derived_gender, "unknown"):
        findings.append(
            finding(
                "identity.id_number",
                Severity.ERROR,
                "性别与身份证号码不一致",
                action="删除 gender 或按身份证号码更正",
                source="GB 11643-1999",
            )
        )
    return findings


def _resident_id_problem(number: str, today: dt.date) -> str | None:
    """What makes a resident ID number impossible (GB 11643-1999): the length and digits,
    the check digit (python-stdnum's), a real birth date not after ``today``, and an area
    code not retired before the birth year. The area code is where the number was first
    issued, usually years after birth, so a code newer than the birth year is fine; a code
    GB/T 2260 never listed is not an error here (the caller warns)."""
    if not number.isascii():
        return "含全角或非 ASCII 字符，请用半角数字"
    number = number.strip().upper()
    if len(number) != 18:
        return f"应为 18 位，现为 {len(number)} 位"
    if not number[:-1].isdigit():
        return "格式不正确（前 17 位须为数字，最后一位为数字或 X）"
    if number[-1] != _ric().calc_check_digit(number):
        return "校验位不正确"
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "出生日期（第 7–14 位）不是有效日期"
    if born > today:
        return "出生日期（第 7–14 位）晚于今天"
    retired = _code_retired(number[:6])
    if retired is not None and retired < born.year:
        return f"地区码（前 6 位）在 {retired} 年后已停用，不可能分配给 {born.year} 年出生的人"
    return None


@functools.cache
def _ric() -> types.ModuleType:
    """python-stdnum's cn.ric, imported on first use (an import statement per call costs)."""
    from stdnum.cn import ric

    return ric


def _code_retired(code: str) -> int | None:
    """The last year GB/T 2260 (python-stdnum's table) lists ``code``; None while it is
    still in use or when the table never listed it."""
    periods = _county_periods(code) if code in _counties() else ()
    ends = [end for _, end in periods]
    if not ends or None in ends:
        return None
    return max(end for end in ends if end is not None)


@functools.cache
def _counties() -> dict[str, str]:
    """GB/T 2260's counties by code (python-stdnum's table)."""
    from kuaiji.registry.regions import gbt2260

    return gbt2260()[1]


@functools.cache
def _county_periods(code: str) -> tuple[tuple[int | None, int | None], ...]:
    """The years each county name of ``code`` was in use: ``"[1983-1989]A,[1990-]B"`` →
    ((1983, 1989), (1990, None)); a name without years is always valid."""
    from kuaiji.registry.regions import gbt2260

    county = gbt2260()[1].get(code)
    if not county:
        return ()
    periods: list[tuple[int | None, int | None]] = []
    for name in str(county).split(","):
        if not name.startswith("["):
            return ((None, None),)
        start, end = name[1:].split("]")[0].split("-")
        periods.append((int(start) if start else None, int(end) if end else None))
    return tuple(periods)


def identity_phone(ctx: Context) -> list[Finding]:
    phone = ctx.candidate.phone.strip()
    if PHONE.match(phone):
        return []
    return [
        finding(
            "identity.phone",
            Severity.ERROR,
            "手机号码应为 11 位大陆手机号（半角数字）",
            action="填写本人可接收短信验证码的大陆手机号",
            source=S.SEED_001,
        )
    ]
