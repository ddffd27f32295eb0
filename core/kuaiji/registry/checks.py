"""Every record a plugin's hook returns is checked where it comes back, before the core
uses it: each field of the declared type (an enum member, not its string; an aware
datetime between 2000 and 2100; a tuple, not a list), every ``url`` https, and a source on
every dated or linked finding. A bad record is refused with a Chinese reason naming the
field; the core turns it into a ``plugin.error`` finding for the candidate at hand.

The checker of each record class is built once from its attrs fields (a few ``isinstance``
calls per field), so checking costs about a microsecond per record.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
import typing
from collections.abc import Callable
from typing import Any

import attrs

Check = Callable[[object], str | None]  # None: fine; else what is wrong (Chinese)

EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
_NAMES = {str: "文本", int: "整数", bool: "是/否（布尔值）", float: "数字"}


def _described(value: object) -> str:
    kind = type(value).__name__
    if isinstance(value, str):
        return f"{kind} “{value[:20]}”"
    return kind


def _datetime(value: object) -> str | None:
    if not isinstance(value, dt.datetime):
        return f"应为带时区的日期时间，实际是 {_described(value)}"
    if value.tzinfo is None or value.utcoffset() is None:
        return "日期时间没有时区（应带 +08:00 或 Asia/Shanghai）"
    if not EARLIEST <= value < LATEST:
        return f"日期时间 {value.isoformat()} 不在 2000–2099 年之间"
    return None


def _date(value: object) -> str | None:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        return f"应为日期，实际是 {_described(value)}"
    if not EARLIEST.date() <= value < LATEST.date():
        return f"日期 {value.isoformat()} 不在 2000–2099 年之间"
    return None


def _scalar(kind: type) -> Check:
    def check(value: object) -> str | None:
        if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
            return None
        return f"应为{_NAMES.get(kind, kind.__name__)}，实际是 {_described(value)}"

    return check


def _member(kind: type[enum.Enum]) -> Check:
    def check(value: object) -> str | None:
        if isinstance(value, kind):
            return None
        allowed = "、".join(m.value for m in kind)
        return f"应为 {kind.__name__} 的成员（{allowed}），实际是 {_described(value)}"

    return check


def _optional(inner: Check) -> Check:
    def check(value: object) -> str | None:
        return None if value is None else inner(value)

    return check


def _tuple_of(inner: Check) -> Check:
    def check(value: object) -> str | None:
        if not isinstance(value, tuple):
            return f"应为元组（tuple），实际是 {_described(value)}"
        for index, item in enumerate(value):
            wrong = inner(item)
            if wrong is not None:
                return f"[{index}] {wrong}"
        return None

    return check


def _record(kind: type) -> Check:
    def check(value: object) -> str | None:
        if not isinstance(value, kind):
            return f"应为 {kind.__name__}，实际是 {_described(value)}"
        return problem(value)

    return check


def _for_type(hint: Any) -> Check:
    """The check of one field's type hint (the types records use)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        inner = _for_type(options[0]) if len(options) == 1 else (lambda value: None)
        return _optional(inner) if type(None) in typing.get_args(hint) else inner
    if origin is tuple:
        return _tuple_of(_for_type(typing.get_args(hint)[0]))
    if hint is dt.datetime:
        return _datetime
    if hint is dt.date:
        return _date
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _member(hint)
    if isinstance(hint, type) and attrs.has(hint):
        return _record(hint)
    if hint in (str, int, bool, float):
        return _scalar(hint)
    return lambda value: None  # a type records do not use: not checked


# A host name with an optional path and no scheme, as some sources print a platform's address
# (the platform's ``plain_url_reason`` says so); anything with another scheme is refused.
_BARE_HOST = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)+(:[0-9]{1,5})?(/[^\s]*)?", re.IGNORECASE)


def _https(value: object) -> str | None:
    if not isinstance(value, str) or value.startswith("https://") or _BARE_HOST.fullmatch(value):
        return None
    return f"网址应以 https:// 开头，实际是 “{value[:40]}”"


_BUILT: dict[type[Any], tuple[tuple[str, Check], ...]] = {}  # one per record class (~12)


def _checks(kind: type[Any]) -> tuple[tuple[str, Check], ...]:
    built = _BUILT.get(kind)
    if built is not None:
        return built
    hints = typing.get_type_hints(kind)
    found: list[tuple[str, Check]] = []
    for field in attrs.fields(kind):
        found.append((field.name, _for_type(hints[field.name])))
        if field.name == "url" and not hasattr(kind, "plain_url_reason"):
            found.append((field.name, _https))
    _BUILT[kind] = tuple(found)
    return _BUILT[kind]


def problem(record: object) -> str | None:
    """What is wrong with ``record`` (an attrs record of kuaiji.model.results), in Chinese
    and naming the field; None when nothing is."""
    kind: type[Any] = type(record)
    for name, check in _checks(kind):
        wrong = check(getattr(record, name))
        if wrong is not None:
            return f"{type(record).__name__}.{name}：{wrong}"
    if getattr(record, "plain_url_reason", None) is None and hasattr(record, "plain_url_reason"):
        wrong = _https(getattr(record, "url", None))
        if wrong is not None:
            return f"{type(record).__name__}.url：{wrong}（或在 plain_url_reason 中说明原因）"
    deadline = getattr(record, "deadline", None)
    linked = deadline is not None or getattr(record, "url", None)
    if linked and hasattr(record, "source") and not getattr(record, "source", None):
        return f"{type(record).__name__}.source：有截止时间或网址的结论必须注明来源"
    return None
