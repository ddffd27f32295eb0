"""The JSON Schema of the candidate file, derived from the attrs model (one source of
truth), every field's Chinese name and description, and the field paths that
``kuaiji change --set`` accepts.

The schema admits what the converter accepts: an enum's English values and its Chinese words
(``ZH`` in :mod:`kuaiji.model.candidate`), 是/否/有/无 beside true/false, dates in the lenient forms
(:data:`kuaiji.io.convert.DATE_PATTERN`).
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from typing import Any

import attrs

from kuaiji.errors import InputError
from kuaiji.io.convert import BOOL_WORDS, DATE_FORMS, DATE_PATTERN
from kuaiji.model.candidate import ZH, Candidate, zh_name
from kuaiji.model.fields import FIELDS, LABELS

SCHEMA_ID = "https://kuaiji.invalid/schema/candidate-v1.json"


def _enum_description(cls: type[enum.Enum]) -> str:
    """``高中（也可写 职高、技校…）、中专…；或英文 high_school、…``"""
    words = ZH.get(cls, {})
    parts = []
    for member in cls:
        name = zh_name(member)
        others = [w for w, v in words.items() if v == member.value and w != name]
        parts.append(f"{name}（也可写 {'、'.join(others)}）" if others else name)
    english = "、".join(str(m.value) for m in cls)
    return f"可写：{'、'.join(parts)}；或英文 {english}"


def _schema_for(tp: Any) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        inner = (
            _schema_for(args[0]) if len(args) == 1 else {"anyOf": [_schema_for(a) for a in args]}
        )
        return {"anyOf": [inner, {"type": "null"}]}
    if origin is tuple:
        return {"type": "array", "items": _schema_for(typing.get_args(tp)[0])}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        values = [m.value for m in tp]
        return {"type": "string", "enum": [*values, *ZH.get(tp, {})]}
    if tp is bool:
        return {"enum": [True, False, *BOOL_WORDS]}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is str:
        return {"type": "string"}
    if tp is dt.datetime:
        return {"type": "string", "format": "date-time"}
    if tp is dt.date:
        return {"type": "string", "pattern": DATE_PATTERN}
    if attrs.has(tp):
        return _object_schema(tp)
    raise TypeError(f"no schema for {tp!r}")


def _inner(tp: Any) -> Any:
    """The type a field holds: X of ``X | None``, the item type of a list."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        tp = next(a for a in typing.get_args(tp) if a is not type(None))
    if typing.get_origin(tp) is tuple:
        tp = typing.get_args(tp)[0]
    return tp


def _document(prop: dict[str, Any], path: str, tp: Any) -> dict[str, Any]:
    """``prop`` with the field's Chinese name, description and examples."""
    label, text = FIELDS[path]
    inner = _inner(tp)
    if isinstance(inner, type) and issubclass(inner, enum.Enum):
        text = f"{text}。{_enum_description(inner)}"
        prop["examples"] = [zh_name(next(iter(inner))), next(iter(inner)).value]
    elif inner is bool:
        text = f"{text}。写 true 或 false；也可写 是、否、有、无"
        prop["examples"] = [True, "是"]
    elif inner is dt.date:
        text = f"{text}。写成 {DATE_FORMS}"
        prop["examples"] = ["1992-03-05", "1992年3月5日"]
    elif inner is dt.datetime:
        text = f"{text}。ISO 8601 时间"
    return {"title": label, "description": text, **prop}


def _object_schema(cls: type, prefix: str = "") -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required = []
    for field in attrs.fields(cls):
        path = f"{prefix}{field.name}"
        tp = hints[field.name]
        inner = _inner(tp)
        if attrs.has(inner):
            sub = _object_schema(inner, f"{path}.")
            prop: dict[str, Any] = sub if inner is tp else _wrap(tp, sub)
        else:
            prop = _schema_for(tp)
        properties[field.name] = _document(prop, path, tp)
        if field.default is attrs.NOTHING:
            required.append(field.name)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return schema


def _wrap(tp: Any, item: dict[str, Any]) -> dict[str, Any]:
    """The schema of ``X | None`` or ``tuple[X, ...]`` around the object schema of X."""
    if typing.get_origin(tp) is tuple:
        return {"type": "array", "items": item}
    return {"anyOf": [item, {"type": "null"}]}


def candidate_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the candidate file, version 1."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "kuaiji candidate (v1)",
        "description": (
            "kuaiji 考生文件（第 1 版）：一个 UTF-8 编码的 JSON 对象。必填 name、id_number、phone、"
            "region；不认识的字段会被拒绝。字段名用英文，取值可用英文或所列中文（如 本科、全日制、"
            "审核通过、是/否），日期可写 1992-03-05 或 1992年3月5日。kuaiji init 可按问答生成。"
        ),
        **_object_schema(Candidate),
    }


def field_paths(cls: type = Candidate, prefix: str = "") -> list[str]:
    """Every field path of the candidate file (``work.employer``, ``education``, …)."""
    hints = typing.get_type_hints(cls)
    paths: list[str] = []
    for field in attrs.fields(cls):
        path = f"{prefix}{field.name}"
        paths.append(path)
        tp = hints[field.name]
        if typing.get_origin(tp) is tuple:
            continue  # lists are changed as a whole
        args = [a for a in typing.get_args(tp) if a is not type(None)] or [tp]
        inner = args[0]
        if attrs.has(inner):
            paths.extend(field_paths(inner, f"{path}."))
    return paths


def parse_change(item: str) -> tuple[str, str]:
    """``FIELD=VALUE`` → (field, value); the field is a candidate-file field, by its path
    (``work.employer``) or its Chinese name (``工作单位``)."""
    if "=" not in item:
        raise InputError.single(
            "--set",
            "应写成 字段=值",
            "如 --set work.employer=某某有限公司（字段名见 kuaiji schema）",
        )
    field, value = item.split("=", 1)
    field = field.strip()
    known = field_paths()
    if field not in known:
        by_label = {LABELS[p]: p for p in known if p in LABELS}
        if field in by_label:
            return by_label[field], value
        shown = field if len(field) <= 30 else field[:29] + "…"
        raise InputError.single(
            "--set", f"不认识的字段“{shown}”", f"可用的字段：{'、'.join(known)}"
        )
    return field, value
