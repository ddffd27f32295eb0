"""The JSON Schema of the candidate file, derived from the attrs model (one source of
truth), and the field paths that ``kuaiji change --set`` accepts."""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from typing import Any

import attrs

from kuaiji.errors import InputError
from kuaiji.models import Candidate

SCHEMA_ID = "https://kuaiji.invalid/schema/candidate-v1.json"

_DESCRIPTIONS = {
    "region": "属地: 6-digit GB/T 2260 code, a 2/4-digit prefix or a name (深圳市, 广东, 兵团)",
    "photo": "A photo file (path relative to the candidate file) or a Shenzhen receipt code",
    "collection": "The accountant record (会计人员信息采集): status and where it is held",
    "gender": "Derived from a resident ID when absent; must agree with it when present",
    "birth_date": "Derived from a resident ID when absent; must agree with it when present",
    "provincial_review": "A provincial qualification review before registering (Xinjiang's "
    "报名资格审核 on 新疆会计人员服务平台): status and when it was applied for",
    "exemption": "Asks for the 中级 《财务管理》 exemption, holding an MPAcc or DPAcc degree "
    "(Xinjiang: on-site review within the registration window)",
    "foreign": "外籍人员: registers with an on-site review where a region requires one "
    "(a passport holder is treated as foreign)",
}


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
        return {"type": "string", "enum": [m.value for m in tp]}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is str:
        return {"type": "string"}
    if tp is dt.datetime:
        return {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601; no offset = Beijing time",
        }
    if tp is dt.date:
        return {"type": "string", "format": "date"}
    if attrs.has(tp):
        return _object_schema(tp)
    raise TypeError(f"no schema for {tp!r}")


def _object_schema(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties: dict[str, Any] = {}
    required = []
    for field in attrs.fields(cls):
        prop = _schema_for(hints[field.name])
        if field.name in _DESCRIPTIONS and cls is Candidate:
            prop["description"] = _DESCRIPTIONS[field.name]
        properties[field.name] = prop
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


def candidate_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the candidate file, version 1."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "kuaiji candidate (v1)",
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
    """``FIELD=VALUE`` → (field, value); the field must be a candidate-file field."""
    if "=" not in item:
        raise InputError.single(
            "--set", f"{item!r} is not FIELD=VALUE", "write e.g. --set work.employer=某某有限公司"
        )
    field, value = item.split("=", 1)
    field = field.strip()
    known = field_paths()
    if field not in known:
        raise InputError.single(
            "--set",
            f"unknown field {field!r}",
            f"use one of: {', '.join(known)}",
        )
    return field, value
