"""The one cattrs converter for all (de)serialisation, and readable structuring errors.

Structuring is strict about kinds: a number is not a string, ``12`` in quotes is not a whole
number, an unknown field is refused. It is lenient about spellings people use: an enum's
Chinese words (``ZH`` in :mod:`kuaiji.model.candidate`: 本科, 全日制, 审核通过…), 是/否/有/无 for a
boolean, dates written ``1992-3-5``, ``1992/03/05``, ``1992.3.5`` or ``1992年3月5日``, and for a
candidate a phone with spaces, dashes or a +86 prefix and an ID number with a lower-case x or
surrounding spaces (normalised before the rules check them).

Errors are Chinese and name the JSON path, what was found and the fix, e.g.
``education[0].level：不认识“本科生”；可写 高中、中专、大专、本科…（或 high_school、…）``. A value
that may be personal (in ``name``, ``id_number``, ``phone``, ``birth_date``…, or anything that
looks like an ID or a phone number) is described, never echoed.

Speed: valid documents written with the English values and ISO dates (nearly all, in a batch)
take the first branch of every hook; only other spellings reach the slower lookups.
"""

from __future__ import annotations

import codecs
import datetime as dt
import enum
import errno
import functools
import json
import math
import os
import re
import stat
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn, override

from kuaiji.errors import InputError, Problem
from kuaiji.model.candidate import ZH, Candidate, zh_name
from kuaiji.model.clock import SHANGHAI

T = TypeVar("T")

converter = cattrs.Converter(forbid_extra_keys=True)
# The same rules without detailed validation: generated code that runs about twice as fast.
# Every document goes through it first; a failure is structured again by ``converter`` for
# its error paths.
_fast = cattrs.Converter(forbid_extra_keys=True, detailed_validation=False)

_VALUE = "{value}"  # in a message: where what was found is described


class _Expected(ValueError):
    """A value of the wrong form. ``message`` may hold ``{value}``: the value found, shown
    or only described (see :func:`_display`) once its path is known."""

    def __init__(self, message: str, fix: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.value = value

    def problem(self, path: str) -> Problem:
        message = self.message.replace(_VALUE, _display(self.value, path))
        return Problem(path, message, self.fix)


# --- what was found: shown, or described when it may be personal ---

# Fields whose values are personal data: never echoed, whatever they hold.
PERSONAL_FIELDS = frozenset(
    {"name", "id_number", "phone", "birth_date", "email", "residence_address"}
)
# Seven digits in a row, or nine in groups (spaces, dashes): an ID, a phone, a passport number.
_NUMBER_LIKE = re.compile(r"\d{7,}|(?:\d[\s\-]?){9,}")
_SHOWN_MAX = 20


def _kind(value: object) -> str:
    """What kind of JSON value ``value`` is, in Chinese."""
    if isinstance(value, bool):
        return "true/false（布尔值）"
    kinds = {int: "整数", float: "小数", str: "文字", list: "列表 […]", dict: "对象 {…}"}
    if value is None:
        return "null（空值）"
    return kinds.get(type(value), type(value).__name__)


def _display(value: object, path: str) -> str:
    """``value`` quoted when it is harmless to show; otherwise what kind of value it is.
    Never shown: the values of personal fields, and anything that looks like an ID, permit
    or phone number, an e-mail address or a name, whatever field it was given in."""
    if not isinstance(value, str):
        return _kind(value)
    leaf = re.sub(r"\[\d+\]$", "", path.rsplit(".", 1)[-1])
    digits = sum(c.isdigit() for c in value)
    if _NUMBER_LIKE.search(value):
        return f"一串含 {digits} 位数字的号码（像证件号码或电话号码，为保护个人信息不在此显示）"
    if leaf in PERSONAL_FIELDS:
        return f"一段 {len(value)} 个字符的文字（个人信息，不在此显示）"
    if "@" in value:
        return "一个像电子邮箱的地址（个人信息，不在此显示）"
    from kuaiji.io.masking import looks_like_name, printable

    if looks_like_name(value):
        return f"一段像姓名的文字（{len(value.strip())} 个字，为保护个人信息不在此显示）"
    if not value.strip():
        return "空白文字"
    shown = value if len(value) <= _SHOWN_MAX else value[: _SHOWN_MAX - 1] + "…"
    return f"“{printable(shown)}”"


# --- hooks: the common form first, other spellings after ---


def _str(value: Any, cls: Any) -> Any:
    if cls is not str and issubclass(cls, enum.Enum):  # a str enum, not a StrEnum
        return _enum(value, cls)
    if not isinstance(value, str):
        raise _Expected("应为文字，现为" + _VALUE, '写在英文双引号中，如 "……"', value)
    return value if cls is str else cls(value)


# 是/否 and the clear English words (a spreadsheet's TRUE, Yes, 1…); JSON's true/false first.
BOOL_WORDS: dict[str, bool] = {
    "是": True,
    "否": False,
    "有": True,
    "无": False,
    **{
        spelling: truth
        for word, truth in (("true", True), ("false", False), ("yes", True), ("no", False))
        for spelling in (word, word.title(), word.upper())
    },
    "1": True,
    "0": False,
}


def _bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    truth = BOOL_WORDS.get(value) if type(value) is str else None
    if truth is None:
        raise _Expected(
            "应为 true 或 false，现为" + _VALUE,
            '写 true 或 false（不带引号），也可写 "是"、"否"、"有"、"无"',
            value,
        )
    return truth


_INT_MAX = 10**18  # no field of a candidate needs more; beyond, an integer is refused


def _int(value: Any, _: type) -> int:
    if type(value) is int and -_INT_MAX < value < _INT_MAX:  # the common case first
        return value
    if isinstance(value, bool) or not isinstance(value, int):  # bool: a subclass of int
        raise _Expected("应为整数，现为" + _VALUE, "写成不带引号的整数，如 12", value)
    raise _Expected("整数太大", "写一个普通大小的整数，如 12")


_FLOAT_INT = 2**1000  # integers below this convert to a float without overflow


def _float(value: Any, _: type) -> float:
    if type(value) is float and math.isfinite(value):  # the common cases first
        return value
    if type(value) is int and -_FLOAT_INT < value < _FLOAT_INT:
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Expected("应为数字，现为" + _VALUE, "写成不带引号的数字，如 24 或 12.5", value)
    try:
        number = float(value)
    except OverflowError:  # an integer of hundreds of digits
        raise _Expected("数字太大", "写一个普通大小的数字，如 24") from None
    if not math.isfinite(number):
        raise _Expected("应为有限的数字", "写一个普通大小的数字，如 24")
    return number


# The dates a candidate file may hold: ISO, or 1992-3-5, 1992/03/05, 1992.3.5, 1992年3月5日.
# Also the JSON Schema's pattern (ASCII digits only: Python's \d would take ０-９ too).
DATE_PATTERN = (
    "^[0-9]{4}(-[0-9]{1,2}-[0-9]{1,2}|/[0-9]{1,2}/[0-9]{1,2}"
    "|[.][0-9]{1,2}[.][0-9]{1,2}|年[0-9]{1,2}月[0-9]{1,2}日)$"
)
_DATE = re.compile(DATE_PATTERN)
_DATE_PARTS = re.compile("[0-9]+")
DATE_FORMS = "1992-03-05（也可写 1992-3-5、1992/03/05、1992.3.5、1992年3月5日）"


def _date(value: Any, _: type) -> dt.date:
    if type(value) is str and len(value) == 10 and value[7] == "-":  # ISO (not 1992-W10-1)
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    return _lenient_date(value)


def _lenient_date(value: Any) -> dt.date:
    if not isinstance(value, str):
        raise _Expected("应为日期（文字），现为" + _VALUE, f'写成 "{DATE_FORMS[:10]}"', value)
    if not _DATE.fullmatch(value):
        raise _Expected("不是可识别的日期：" + _VALUE, f"写成 {DATE_FORMS}", value)
    year, month, day = (int(part) for part in _DATE_PARTS.findall(value))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _Expected(
            "没有这一天：" + _VALUE, "核对月份（1–12）和日期（不超过当月天数）", value
        ) from None


def _datetime(value: Any, _: type) -> dt.datetime:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None:
            # No offset: Beijing time, whatever the machine's time zone.
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=SHANGHAI)
    raise _Expected(
        "不是可识别的时间：" + _VALUE,
        "写成 2024-06-25T10:00 或 2024-06-25 10:00（不写时区即北京时间）",
        value,
    )


@functools.cache
def _members(cls: type[enum.Enum]) -> dict[Any, enum.Enum]:
    return {member.value: member for member in cls}


@functools.cache
def _words(cls: type[enum.Enum]) -> dict[str, enum.Enum]:
    """The Chinese words of ``cls`` (``ZH`` in kuaiji.model.candidate), word → member."""
    members = _members(cls)
    return {word: members[value] for word, value in ZH.get(cls, {}).items()}


def _enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    """A member of the enum ``cls`` by its value (a dictionary lookup: the enum's own call
    is several times slower), else by one of its Chinese words."""
    try:
        return _members(cls)[value]
    except (KeyError, TypeError):  # TypeError: an unhashable value such as a list
        pass
    member = _words(cls).get(value) if type(value) is str else None
    if member is None:
        raise _enum_error(value, cls)
    return member


def enum_choices(cls: type[enum.Enum]) -> str:
    """``高中、中专、…（或 high_school、secondary_vocational、…）``: what may be written."""
    english = "、".join(str(m.value) for m in cls)
    if cls not in ZH:
        return english
    return f"{'、'.join(zh_name(m) for m in cls)}（或 {english}）"


def _enum_error(value: Any, cls: type[enum.Enum]) -> _Expected:
    found = "不认识" if isinstance(value, str) else "应为文字，现为"
    return _Expected(found + _VALUE, f"可写 {enum_choices(cls)}", value)


# --- fields of a candidate that are normalised before the rules check them ---

_PHONE_NOISE = re.compile(r"[\s\-()（）]+")
_MOBILE = re.compile(r"(?:\+86|0086|86)?(1[0-9]{10})")


def _phone(value: Any, _: type) -> str:
    """A mobile number: spaces, dashes and a +86/86/0086 prefix dropped when what remains
    is 11 digits; anything else is kept as written (the rule ``identity.phone`` says why it
    is not a mobile number)."""
    if type(value) is not str:
        return typing.cast(str, _str(value, str))
    if len(value) == 11 and value.isdigit():  # the common case
        return value
    mobile = _MOBILE.fullmatch(_PHONE_NOISE.sub("", value))
    return mobile.group(1) if mobile else value


def _id_number(value: Any, _: type) -> str:
    """An ID number without surrounding spaces, upper-case (…123x → …123X)."""
    if type(value) is not str:
        return typing.cast(str, _str(value, str))
    return value.strip().upper()


# Per-field hooks of attrs classes (instead of the hook of the field's type).
_FIELD_HOOKS: dict[type, dict[str, Callable[[Any, Any], Any]]] = {
    Candidate: {"phone": _phone, "id_number": _id_number},
}


def _is_tuple(tp: Any) -> bool:
    return typing.get_origin(tp) is tuple


def _configure(conv: cattrs.Converter) -> None:
    # cattrs dispatches on the class (singledispatch: str(value) would accept anything). A
    # StrEnum is a str too; registered on its own, it is the closer match for every enum.
    conv.register_structure_hook(str, _str)
    conv.register_structure_hook(enum.StrEnum, _enum)
    conv.register_structure_hook(bool, _bool)
    conv.register_structure_hook(int, _int)
    conv.register_structure_hook(float, _float)
    conv.register_structure_hook(dt.date, _date)
    conv.register_structure_hook(dt.datetime, _datetime)
    conv.register_structure_hook_factory(attrs.has, _object_hook(conv))

    def list_hook(tp: Any) -> Callable[[Any, Any], Any]:
        """Lists must be JSON arrays: cattrs alone would iterate an object's keys."""
        if conv.detailed_validation:

            def structure(value: Any, cls: Any) -> Any:
                if not isinstance(value, list):
                    raise _Expected(
                        "应为列表 […]，现为" + _VALUE, "用方括号把各项括起来，如 [{…}, {…}]", value
                    )
                return conv._structure_tuple(value, cls)

            return structure
        # The fast pass: the item hook looked up once, not per item.
        inner = typing.get_args(tp)[0]
        item = conv.get_structure_hook(inner)

        def fast(value: Any, cls: Any) -> Any:
            if not isinstance(value, list):
                raise _Expected("应为列表 […]", value=value)
            return tuple([item(v, inner) for v in value])

        return fast

    conv.register_structure_hook_factory(_is_tuple, list_hook)
    if not conv.detailed_validation:
        conv.register_structure_hook_factory(_is_optional, _optional_hook(conv))


def _object_hook(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    """An attrs class from a JSON object, with its per-field hooks (``_FIELD_HOOKS``);
    with detailed validation, anything but an object is named as such."""

    def factory(cls: Any) -> Callable[[Any, Any], Any]:
        overrides = {
            name: override(struct_hook=hook) for name, hook in _FIELD_HOOKS.get(cls, {}).items()
        }
        generated = make_dict_structure_fn(cls, conv, **overrides)  # type: ignore[arg-type]
        if not conv.detailed_validation:
            return generated

        def structure(value: Any, _: Any) -> Any:
            if not isinstance(value, dict):
                raise _Expected(
                    "应为对象 {…}，现为" + _VALUE,
                    '用花括号写出其中的字段，如 {"status": "approved"}',
                    value,
                )
            return generated(value, cls)

        return structure

    return factory


def _is_optional(tp: Any) -> bool:
    args = typing.get_args(tp)
    return (
        typing.get_origin(tp) in (typing.Union, types.UnionType)
        and len(args) == 2
        and type(None) in args
    )


def _optional_hook(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    """``X | None`` with X's hook looked up once (cattrs looks it up on every value)."""

    def factory(tp: Any) -> Callable[[Any, Any], Any]:
        inner = next(a for a in typing.get_args(tp) if a is not type(None))
        if inner is str:  # the commonest optional field: checked here, without a second call

            def optional_str(value: Any, _: Any) -> Any:
                return value if value is None or type(value) is str else _str(value, str)

            return optional_str
        hook = conv.get_structure_hook(inner)

        def structure(value: Any, _: Any) -> Any:
            return None if value is None else hook(value, inner)

        return structure

    return factory


_configure(converter)
_configure(_fast)
converter.register_unstructure_hook(dt.date, lambda d: d.isoformat())
converter.register_unstructure_hook(dt.datetime, lambda d: d.isoformat(timespec="minutes"))


# --- errors ---


def _generic(path: str) -> str:
    """``education[0].level`` → ``education.level`` (the key of a field's label)."""
    return re.sub(r"\[\d+\]", "", path)


def _named(name: str, path: str, labels: Mapping[str, str]) -> str:
    label = labels.get(_generic(path))
    return f'"{name}"（{label}）' if label else f'"{name}"'


def _unknown_field(key: str, path: str, cls: type | None, labels: Mapping[str, str]) -> Problem:
    import difflib  # only on this error (7 ms to import)

    from kuaiji.io.masking import printable, scrub_text

    shown = printable(scrub_text(key))
    child = f"{path}.{shown}" if path else shown
    fields = [f.name for f in attrs.fields(cls)] if cls is not None and attrs.has(cls) else []
    prefix = f"{_generic(path)}." if path else ""
    by_label = {labels.get(prefix + name): name for name in fields}
    by_label.pop(None, None)
    if key.strip() in by_label:
        name = by_label[key.strip()]
        fix = f"字段名用英文：改为 {_named(name, prefix + name, labels)}"
    elif close := difflib.get_close_matches(key, fields, n=1, cutoff=0.7):
        fix = f"是否应为 {_named(close[0], prefix + close[0], labels)}？否则删除它"
    elif fields:
        fix = f"删除它，或改为这些字段之一：{'、'.join(fields)}（见 kuaiji schema）"
    else:
        fix = "删除它，或检查拼写"
    return Problem(child, "不认识的字段", fix)


def _problems(exc: BaseException, path: str, labels: Mapping[str, str]) -> Iterator[Problem]:
    """Walk a cattrs exception group and yield one Problem per leaf, with its JSON path."""
    if isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, without_notes = exc.group_exceptions()
        for inner, note in with_notes:
            name = getattr(note, "name", None)
            index = getattr(note, "index", None)
            if name is not None:
                child = f"{path}.{name}" if path else str(name)
            else:
                child = f"{path}[{index}]"
            if isinstance(inner, KeyError):
                yield Problem(child, "缺少必填字段", f"请填写 {_named(str(name), child, labels)}")
            else:
                yield from _problems(inner, child, labels)
        for inner in without_notes:
            yield from _problems(inner, path, labels)
    elif isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            yield _unknown_field(key, path, getattr(exc, "cl", None), labels)
    elif isinstance(exc, _Expected):
        yield exc.problem(path)
    elif isinstance(exc, TypeError) and path:
        # cattrs raises TypeError when an object is expected and something else is given.
        yield Problem(path, "应为对象 {…} 或列表 […]", "按 kuaiji schema 的结构填写")
    elif isinstance(exc, ValueError | TypeError | AttributeError):
        yield Problem(path, f"无法识别的值（{type(exc).__name__}）", "按 kuaiji schema 的说明填写")
    else:
        raise exc


def _labels(cls: type) -> Mapping[str, str]:
    if cls is not Candidate:
        return {}
    from kuaiji.model.fields import LABELS

    return LABELS


def structure(data: Any, cls: type[T], *, source: str | None = None) -> T:
    """Structure ``data`` into ``cls``; raise :class:`InputError` naming every bad field."""
    if not isinstance(data, dict):
        raise InputError.single(
            "",
            f"应为一个 JSON 对象 {{…}}，现为{_kind(data)}",
            "整个文档写成一个 {…}，其中是各字段，如 examples/wang-fang.json",
            source=source,
        )
    try:
        return _fast.structure(data, cls)
    except Exception:
        pass
    try:
        return converter.structure(data, cls)
    except (ClassValidationError, IterableValidationError, ForbiddenExtraKeysError) as exc:
        problems = [_own_masked(p, data) for p in _problems(exc, "", _labels(cls))]
        raise InputError(problems, source=source) from None


def _own_masked(problem: Problem, data: dict[str, Any]) -> Problem:
    """A problem whose message quotes the document's own name, ID number, phone or e-mail
    (typed into another field) with those masked: messages are shown and kept."""
    from kuaiji.io.masking import mask_email, mask_id, mask_name, mask_phone, own_data_masked

    own = tuple(
        (value.strip(), mask(value))
        for key, mask in (
            ("id_number", mask_id),
            ("phone", mask_phone),
            ("email", mask_email),
            ("name", mask_name),
        )
        if isinstance(value := data.get(key), str) and len(value.strip()) >= 2
    )
    message = own_data_masked(problem.message, own)
    return problem if message == problem.message else attrs.evolve(problem, message=message)


def structure_field(cls: type, name: str, value: Any, *, path: str | None = None) -> Any:
    """One field of ``cls`` from ``value``, as a whole document would have it (the same
    hooks, words and normalisation); :class:`InputError` names ``path`` (default: ``name``)."""
    hook = _FIELD_HOOKS.get(cls, {}).get(name)
    tp = typing.get_type_hints(cls)[name]
    where = name if path is None else path
    try:
        return hook(value, tp) if hook else converter.structure(value, tp)
    except _Expected as exc:
        raise InputError([exc.problem(where)]) from None
    except (ClassValidationError, IterableValidationError, ForbiddenExtraKeysError) as exc:
        raise InputError(list(_problems(exc, where, _labels(cls)))) from None


def unstructure(value: object) -> Any:
    return converter.unstructure(value)


# --- reading JSON text (candidate files) ---

_RESAVE = "用记事本（或其他编辑器）打开，“另存为”时编码选 UTF-8，再试"
_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",  # before UTF-16 LE: the same first two bytes
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16（记事本的“Unicode”）",
    codecs.BOM_UTF16_BE: "UTF-16 BE（记事本的“Unicode big endian”）",
}


def decode_text(raw: bytes, *, source: str | None = None) -> str:
    """The text of a JSON file: UTF-8, a BOM (Windows Notepad) dropped. Any other encoding
    is one :class:`InputError` naming it: UTF-16/32 by their BOM, GBK (GB18030) when the
    bytes decode as GB18030 but not as UTF-8."""
    for bom, name in _BOMS.items():
        if raw.startswith(bom):
            raise InputError.single(
                "", f"文件编码是 {name}，kuaiji 只读 UTF-8", _RESAVE, source=source
            )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        found = "既不是 UTF-8，也不是 GBK（可能不是文本文件）"
    else:
        found = "是 GBK（GB18030），kuaiji 只读 UTF-8"
    raise InputError.single("", f"文件编码{found}", _RESAVE, source=source)


# json's messages in Chinese (the line and column are the problem's path).
_JSON_MESSAGES = {
    "Expecting value": "此处缺少一个值（或有多余的逗号）",
    "Expecting ',' delimiter": "此处缺少逗号（或缺少收尾的 } 或 ]）",
    "Expecting ':' delimiter": "此处缺少冒号",
    "Expecting property name enclosed in double quotes": "字段名须用英文双引号括起来（或有多余的逗号）",
    "Unterminated string starting at": "文字没有结束（缺少右边的英文双引号）",
    "Invalid control character at": "文字中有换行或控制字符",
    "Invalid \\escape": "文字中的反斜杠 \\ 用法不对（写成 \\\\ 或 /）",
    "Extra data": "JSON 已经结束，后面还有多余内容",
}
_FULL_WIDTH = "“”‘’，：｛｝［］"


def json_message(exc: json.JSONDecodeError) -> str:
    """What json says is wrong, in Chinese."""
    return _JSON_MESSAGES.get(exc.msg, exc.msg)


def parse_json(text: str, *, source: str | None = None) -> Any:
    """JSON text (a leading BOM dropped) as Python values; :class:`InputError` in Chinese
    names the line and column, and a full-width mark (，：“”) where one stands."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = json_message(exc)
        at = text[exc.pos] if exc.pos < len(text) else ""
        if at and at in _FULL_WIDTH:
            fix = f'把全角标点 {at} 换成英文半角标点（" , : {{ }} [ ]）'
        else:
            fix = "修正 JSON 语法（python -m json.tool 文件名 可显示出错的位置）"
        where = f"第 {exc.lineno} 行第 {exc.colno} 列"
        raise InputError.single(where, f"JSON 格式有误：{message}", fix, source=source) from None
    except RecursionError:
        raise InputError.single("", "JSON 嵌套太深", "减少嵌套的层数", source=source) from None
    except ValueError:  # not a JSONDecodeError: an integer beyond Python's 4,300 digits
        raise InputError.single("", *HUGE_INTEGER, source=source) from None


# An integer of more than 4,300 digits (what Python converts from text): refused by json.
HUGE_INTEGER = (
    "JSON 中有一个位数过多的整数（超过 4300 位）",
    "改正这个数：任何字段都用不到这么长的数",
)


# --- reading files: regular files only, of bounded size ---

MAX_CANDIDATE_BYTES = 1 << 20  # a candidate file (the examples are ~1 KB): 1 MB at most


class NotRegularFile(OSError):
    """A device (``/dev/zero``), a FIFO or a socket: never read."""


class FileTooLarge(OSError):
    """A file larger than the bound; ``size`` is its size, or the bytes read past it."""

    def __init__(self, size: int) -> None:
        super().__init__(f"larger than allowed: {size} bytes")
        self.size = size


def read_bounded(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them. A folder
    (:class:`IsADirectoryError`), a device, a FIFO or a socket (:class:`NotRegularFile`) is
    refused before reading, and so is a larger file (:class:`FileTooLarge`): opened without
    blocking or following a terminal, so that ``/dev/zero`` or a FIFO with no writer never
    holds the process; read up to ``limit`` + 1 bytes, so that a file still growing cannot
    pass either. Other errors are the :class:`OSError` of opening or reading."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file", str(path))
        if st.st_size > limit:
            raise FileTooLarge(st.st_size)
        parts = []
        size = 0
        while size <= limit:
            part = os.read(fd, min(limit + 1 - size, 1 << 20))
            if not part:
                break
            parts.append(part)
            size += len(part)
        if size > limit:
            raise FileTooLarge(size)
        return b"".join(parts)
    finally:
        os.close(fd)
