"""The JSON Schema of a precheck's result (``kuaiji precheck --json``, ``POST /v1/precheck``):
what services build on. ``kuaiji schema --result`` prints it; the HTTP API's OpenAPI document
embeds it; ``tests/test_result_schema.py`` validates real reports against it and keeps a
snapshot of every rule and step id, so that a renamed id is a visible change.

Datetimes are RFC 3339 with seconds and an offset (``2026-07-02T12:00:00+08:00``).
"""

from __future__ import annotations

from typing import Any

SCHEMA_ID = "https://kuaiji.invalid/schema/result-v2.json"

_TEXT = {"type": "string"}
_TEXT_OR_NULL = {"type": ["string", "null"]}
_MOMENT = {
    "type": ["string", "null"],
    "format": "date-time",
    "description": "RFC 3339，北京时间（+08:00），精确到秒；null 表示没有或未知",
}
_VERDICTS = ["ready", "pending", "not_ready", "too_late"]
_SEVERITIES = ["error", "pending", "warning", "info"]


def _object(properties: dict[str, Any], *, required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


FINDING = _object(
    {
        "rule": {**_TEXT, "description": "稳定的规则 id（如 collection.required）"},
        "severity": {"enum": _SEVERITIES},
        "plugin": _TEXT,
        "message": {**_TEXT, "description": "给人看的结论（中文）"},
        "action": _TEXT_OR_NULL,
        "deadline": _MOMENT,
        "url": _TEXT_OR_NULL,
        "source": _TEXT_OR_NULL,
        "source_text": _TEXT_OR_NULL,
        "url_reliability": {"enum": ["low", None]},
    }
)

STEP = _object(
    {
        "id": {**_TEXT, "description": "稳定的步骤 id（如 collection.submit）"},
        "title": _TEXT,
        "platform": _TEXT_OR_NULL,
        "url": _TEXT_OR_NULL,
        "opens": _MOMENT,
        "closes": _MOMENT,
        "latest_start": _MOMENT,
        "done": {"type": ["boolean", "null"]},
        "note": _TEXT_OR_NULL,
        "note_zh": _TEXT_OR_NULL,
        "source": _TEXT_OR_NULL,
        "source_text": _TEXT_OR_NULL,
        "plugin": _TEXT,
        "projected": {"type": "boolean"},
        "url_reliability": {"enum": ["low", None]},
    }
)

_PRODUCED_BY: dict[str, Any] = {
    "type": "object",
    "description": "产生这个结果的 kuaiji 版本、输出格式，以及各插件的版本和规则数据的日期与来源",
    "properties": {
        "kuaiji": _TEXT,
        "format": {"type": "integer"},
        "plugins": {
            "type": "object",
            "additionalProperties": _object(
                {
                    "version": _TEXT_OR_NULL,
                    "data_updated": {"type": ["string", "null"], "format": "date"},
                    "data_origin": {"enum": ["bundled", "updated", None]},
                }
            ),
        },
    },
    "required": ["kuaiji", "format", "plugins"],
}
_RULES: dict[str, Any] = {
    "description": "已安装的签名规则源（名称、版本、发布时间）；null 表示只用随插件发布的数据",
    "type": ["object", "null"],
    "properties": {
        "feed": {"type": "string"},
        "version": {"type": "integer"},
        "created": {"type": ["string", "null"], "format": "date-time"},
        "expires": {"type": ["string", "null"], "format": "date-time"},
        "expired": {
            "type": "boolean",
            "description": "已安装的规则源已过期（仍在使用；发布者没有再签名）",
        },
        "problem": {
            "type": ["string", "null"],
            "description": "已安装的规则数据为什么没能使用（改用随插件发布的数据）",
        },
    },
}
PRODUCED_BY: dict[str, Any] = {
    **_PRODUCED_BY,
    "properties": {**_PRODUCED_BY["properties"], "rules": _RULES},
}


def result_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one precheck result."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "kuaiji 报名预检结果",
        **_object(
            {
                "verdict": {
                    "enum": _VERDICTS,
                    "description": "ready 可以报名；pending 待审核；not_ready 尚未就绪；too_late 已来不及",
                },
                "candidate": _object(
                    {"name": _TEXT, "id_number": _TEXT, "phone": _TEXT_OR_NULL},
                    required=["name", "id_number", "phone"],
                ),
                "region": _object(
                    {
                        "code": _TEXT,
                        "name": _TEXT,
                        "exam_area": _TEXT,
                        "chain": {"type": "array", "items": _TEXT},
                    }
                ),
                "exam": _object(
                    {"level": {"enum": ["junior", "intermediate"]}, "year": {"type": "integer"}}
                ),
                "schedule": _object(
                    {
                        "data_year": {"type": ["integer", "null"]},
                        "known": {"type": "boolean"},
                        "projected_from": {"type": "array", "items": {"type": "integer"}},
                        "basis": _TEXT_OR_NULL,
                    }
                ),
                "at": {**_MOMENT, "type": "string"},
                "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
                "steps": {"type": "array", "items": {"$ref": "#/$defs/step"}},
                "produced_by": {"$ref": "#/$defs/produced_by"},
            }
        ),
        "$defs": {"finding": FINDING, "step": STEP, "produced_by": PRODUCED_BY},
    }
