"""``GET /openapi.json`` (OpenAPI 3.1, built from the same JSON Schemas as ``kuaiji schema``
and ``kuaiji schema --result``) and ``GET /docs``, a plain page listing the endpoints."""

from __future__ import annotations

import functools
import html
from typing import Any

from kuaiji._version import __version__

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details：code 为稳定的英文编号，title、detail 为中文",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "fix": {"type": ["string", "null"]},
                },
            },
        },
    },
    "required": ["type", "title", "status", "code"],
}

EXAM = {"type": "string", "enum": ["junior", "intermediate", "初级", "中级"]}
YEAR = {"type": "integer", "minimum": 2000, "maximum": 2100}
AT = {"type": "string", "description": "评估时间（默认：现在），如 2026-06-20T10:00:00+08:00"}

ENDPOINTS: list[tuple[str, str, str]] = [
    ("POST", "/v1/precheck", "报名预检：考生信息 → 结论、问题、步骤（JSON）"),
    ("POST", "/v1/precheck.ics", "报名预检，返回考生步骤的日历（.ics）"),
    ("POST", "/v1/batch", "批量预检：上传 JSON Lines、CSV 或 xlsx，逐条流式返回结果"),
    ("GET", "/v1/deadlines", "各地区的截止时间（?exam=&year=&region=）"),
    ("GET", "/v1/regions", "按代码或地名查找地区（?q=）"),
    ("GET", "/v1/contacts/{region}", "地区最近的财政局会计管理部门"),
    ("POST", "/v1/change", "信息变更：能否修改、在哪里、怎么改"),
    ("POST", "/v1/transfer", "调转：步骤与最晚开始时间"),
    ("GET", "/v1/rules", "规则数据的版本与日期"),
    ("GET", "/healthz", "进程存活"),
    ("GET", "/readyz", "插件与规则数据已加载"),
    ("GET", "/metrics", "Prometheus 指标"),
]


def _problems() -> dict[str, Any]:
    return {
        status: {
            "description": text,
            "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            },
        }
        for status, text in (
            ("413", "请求体太大"),
            ("422", "输入有误（逐个字段说明）"),
        )
    }


def _candidate_request() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "candidate": {"$ref": "#/components/schemas/Candidate"},
            "exam": EXAM,
            "year": YEAR,
            "at": AT,
        },
        "required": ["candidate", "exam", "year"],
    }


@functools.cache
def document() -> dict[str, Any]:
    from kuaiji.io.result_schema import result_schema
    from kuaiji.io.schema import candidate_schema

    candidate = {k: v for k, v in candidate_schema().items() if k not in ("$schema", "$id")}
    result = {k: v for k, v in result_schema().items() if k not in ("$schema", "$id")}
    defs = result.pop("$defs")
    result = _rebase(result)
    json_body = {"application/json": {"schema": {"$ref": "#/components/schemas/PrecheckRequest"}}}
    multipart = {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "request": {"type": "string", "description": "PrecheckRequest 的 JSON"},
                    "photo": {
                        "type": "string",
                        "format": "binary",
                        "description": "JPG 或 PNG 证件照",
                    },
                },
                "required": ["request"],
            }
        }
    }
    ok = {
        "description": "结果",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Result"}}},
    }
    paths: dict[str, Any] = {
        "/v1/precheck": {
            "post": {
                "summary": ENDPOINTS[0][2],
                "requestBody": {"required": True, "content": {**json_body, **multipart}},
                "responses": {"200": ok, **_problems()},
            }
        },
        "/v1/precheck.ics": {
            "post": {
                "summary": ENDPOINTS[1][2],
                "requestBody": {"required": True, "content": json_body},
                "responses": {
                    "200": {"description": "iCalendar", "content": {"text/calendar": {}}},
                    **_problems(),
                },
            }
        },
    }
    for method, path, summary in ENDPOINTS[2:]:
        paths.setdefault(path, {})[method.lower()] = {
            "summary": summary,
            "responses": {"200": {"description": "成功"}, **_problems()},
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kuaiji",
            "version": __version__,
            "description": "会计专业技术资格考试报名预检",
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Candidate": candidate,
                "PrecheckRequest": _candidate_request(),
                "Result": result,
                "Finding": _rebase(defs["finding"]),
                "Step": _rebase(defs["step"]),
                "ProducedBy": _rebase(defs["produced_by"]),
                "Problem": PROBLEM,
            }
        },
    }


def _rebase(node: Any) -> Any:
    """``#/$defs/finding`` → ``#/components/schemas/Finding``."""
    names = {"finding": "Finding", "step": "Step", "produced_by": "ProducedBy"}
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return {"$ref": "#/components/schemas/" + names[ref.removeprefix("#/$defs/")]}
        return {k: _rebase(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node


def docs_page() -> str:
    rows = "".join(
        f"<tr><td>{m}</td><td><code>{html.escape(p)}</code></td><td>{html.escape(s)}</td></tr>"
        for m, p, s in ENDPOINTS
    )
    return (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>kuaiji API {__version__}</title><h1>kuaiji API</h1>"
        '<p>完整说明：<a href="/openapi.json">/openapi.json</a>（OpenAPI 3.1）。'
        "错误以 application/problem+json 返回，code 为稳定的英文编号。</p>"
        f"<table><tr><th>方法</th><th>路径</th><th>用途</th></tr>{rows}</table></html>"
    )
