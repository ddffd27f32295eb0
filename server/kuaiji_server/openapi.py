"""``GET /openapi.json`` (OpenAPI 3.1, built from the same JSON Schemas as ``kuaiji schema``
and ``kuaiji schema --result``) and ``GET /docs``, a page listing the endpoints.

Every operation of :data:`kuaiji_server.app.ROUTES` that is an API (``/v1/…``, the document
itself, the health checks and the metrics) is described here with its parameters, its body,
its answer and the problem answers (``application/problem+json``) it can give;
tests/test_openapi.py checks the document against the routes and real answers against it.
Descriptions are for people (Chinese); keys, ids and codes stay English."""

from __future__ import annotations

import functools
import html
from typing import Any

from kuaiji._version import __version__

SCHEMAS = "#/components/schemas/"
NULLABLE_TEXT = {"type": ["string", "null"]}
MOMENT = {
    "type": "string",
    "format": "date-time",
    "description": "RFC 3339，北京时间（+08:00），精确到秒",
}
MAYBE_MOMENT = {
    **MOMENT,
    "type": ["string", "null"],
    "description": "RFC 3339，北京时间（+08:00），精确到秒；null 表示没有或未知",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": SCHEMAS + name}


def _obj(
    description: str, properties: dict[str, Any], required: list[str] | None = None
) -> dict[str, Any]:
    """An object schema; every property listed is required unless ``required`` says."""
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties) if required is None else required,
    }


# --- schemas shared by several operations ---

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 问题详情：code 为稳定的英文编号，title、detail 为中文；"
    "不含请求中的值（可能是个人信息）",
    "properties": {
        "type": {"type": "string", "description": "问题类型的 URI，以 code 结尾"},
        "title": {"type": "string", "description": "一句话的问题（中文）"},
        "status": {"type": "integer", "description": "HTTP 状态码"},
        "code": {
            "type": "string",
            "description": "稳定的英文编号",
            "examples": [
                "input.invalid",
                "body.too_large",
                "body.too_slow",
                "not.found",
                "method.not_allowed",
                "http.error",
                "plugin.or.data",
                "internal",
                "not.ready",
            ],
        },
        "detail": {"type": "string", "description": "详细说明与处理办法（中文）"},
        "errors": {
            "type": "array",
            "description": "输入有误时：逐个字段的问题与改法",
            "items": {
                "type": "object",
                "properties": {
                    "field": {
                        "type": "string",
                        "description": "字段路径，如 candidate.id_number、year；空表示整个请求体",
                    },
                    "message": {"type": "string", "description": "哪里不对（中文）"},
                    "fix": {**NULLABLE_TEXT, "description": "怎么改（中文）"},
                },
                "required": ["field", "message", "fix"],
            },
        },
    },
    "required": ["type", "title", "status", "code"],
}

EXAM = {
    "type": "string",
    "enum": ["junior", "intermediate", "初级", "中级"],
    "description": "考试级别：初级（junior）或中级（intermediate）",
}
YEAR = {"type": "integer", "minimum": 2000, "maximum": 2100, "description": "考试年度，如 2026"}
AT = {
    "type": "string",
    "description": "评估时间（默认：现在），如 2026-06-20T10:00:00+08:00 或 2026-06-20 10:00；"
    "不带时区的按北京时间",
    "examples": ["2026-06-20T10:00:00+08:00"],
}
REGION_REF = _obj(
    "地区",
    {
        "code": {"type": "string", "description": "行政区划代码或其前缀（CN 为全国）"},
        "name": {"type": "string", "description": "地区全称"},
    },
)
CHAIN_REGION = _obj(
    "地区与适用的插件（由全国到本地）",
    {
        **REGION_REF["properties"],
        "chain": {"type": "array", "items": {"type": "string"}, "description": "插件名"},
    },
)


def _plan_finding() -> dict[str, Any]:
    """A finding as a plan's ``problems`` hold it (``finding_dict``: no url_reliability)."""
    return _obj(
        "插件或规则数据在这个问题上出错时的说明",
        {
            "rule": {"type": "string", "description": "稳定的规则 id"},
            "severity": {"enum": ["error", "pending", "warning", "info"]},
            "plugin": {"type": "string"},
            "message": {"type": "string", "description": "给人看的结论（中文）"},
            "action": NULLABLE_TEXT,
            "deadline": MAYBE_MOMENT,
            "url": NULLABLE_TEXT,
            "source": NULLABLE_TEXT,
            "source_text": NULLABLE_TEXT,
        },
    )


def _deadline() -> dict[str, Any]:
    """One row of ``DeadlineTable.to_dict()['deadlines']`` (``Deadline.to_dict``)."""
    alternative = _obj(
        "另一来源给出的不同说法（保留可见，不采用）",
        {
            "opens": MAYBE_MOMENT,
            "closes": MAYBE_MOMENT,
            "value": NULLABLE_TEXT,
            "source": {"type": "string"},
            "source_text": NULLABLE_TEXT,
            "reliability": {"enum": ["high", "low"]},
            "note": NULLABLE_TEXT,
        },
    )
    return _obj(
        "一个截止时间",
        {
            "region": {"type": "string", "description": "资料所属地区的代码（CN 为全国）"},
            "region_name": {"type": "string", "description": "地区名称"},
            "exam": {"enum": ["junior", "intermediate"]},
            "year": {"type": "integer", "description": "考试年度"},
            "data_year": {"type": "integer", "description": "日期所依据的资料年度"},
            "known": {"type": "boolean", "description": "该年度的安排已公布"},
            "id": {"type": "string", "description": "稳定的事项 id"},
            "kind": {
                "enum": [
                    "registration",
                    "payment",
                    "collection",
                    "change",
                    "transfer",
                    "review",
                    "admission_ticket",
                    "exam",
                    "other",
                ]
            },
            "title": {"type": "string", "description": "事项名称（中文）"},
            "opens": MAYBE_MOMENT,
            "closes": MAYBE_MOMENT,
            "latest_start": {**MAYBE_MOMENT, "description": "最晚开始办理的时间；null 表示无"},
            "lead": {**NULLABLE_TEXT, "description": "提前量的说明（中文）"},
            "moment": {**MOMENT, "description": "排序所依据的时间（最晚开始或截止）"},
            "past": {"type": "boolean", "description": "在评估时间已过"},
            "projected": {"type": "boolean", "description": "预计：按往年推算，尚未公布"},
            "time_left": {**NULLABLE_TEXT, "description": "剩余时间，如 还剩 2 天 3 小时"},
            "soon": {"type": "boolean", "description": "72 小时内截止"},
            "source": {"type": "string", "description": "来源"},
            "source_text": {**NULLABLE_TEXT, "description": "来源（给人看）"},
            "inferred": {"type": "boolean", "description": "由资料推断，不是原文所写"},
            "reliability": {"enum": ["high", "low"], "description": "来源可靠性"},
            "note": {**NULLABLE_TEXT, "description": "说明（资料原文，可能是英文）"},
            "note_zh": {**NULLABLE_TEXT, "description": "说明（中文）"},
            "alternatives": {"type": "array", "items": alternative},
            "plugin": {"type": "string", "description": "给出这条资料的插件"},
        },
    )


def _schemas() -> dict[str, Any]:
    """Every schema of ``components.schemas`` but those built from kuaiji's own JSON
    Schemas (Candidate, Result and its parts), which :func:`document` adds."""
    produced_by = {
        "description": "产生这个回答的 kuaiji 版本、输出格式、插件与规则数据（同 Result 的 "
        "produced_by）",
        **_ref("ProducedBy"),
    }
    candidate = {**_ref("Candidate"), "description": "考生信息，见 kuaiji schema"}
    return {
        "Problem": PROBLEM,
        "PrecheckRequest": _obj(
            "报名预检的请求",
            {"candidate": candidate, "exam": EXAM, "year": YEAR, "at": AT},
            ["candidate", "exam", "year"],
        ),
        "PrecheckForm": _obj(
            "带证件照的报名预检（multipart/form-data）",
            {
                "request": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "description": "PrecheckRequest 的 JSON 文本",
                },
                "photo": {
                    "type": "string",
                    "contentMediaType": "application/octet-stream",
                    "description": "JPG 或 PNG 证件照；其大小、尺寸、格式由服务检查",
                },
            },
            ["request"],
        ),
        "ChangeRequest": _obj(
            "信息变更的请求",
            {
                "candidate": candidate,
                "set": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": {"type": "string"},
                    "description": "要修改的字段与新值，字段可写英文或中文名，"
                    '如 {"姓名": "王小芳"}',
                },
                "exam": {**EXAM, "default": "intermediate"},
                "year": {**YEAR, "description": "考试年度（默认：下一次报名未截止的考试）"},
                "at": AT,
            },
            ["candidate", "set"],
        ),
        "TransferRequest": _obj(
            "调转的请求",
            {
                "candidate": candidate,
                "to": {
                    "type": "string",
                    "minLength": 1,
                    "description": "调入地区：代码或名称，如 4403 或 深圳",
                },
                "exam": {**EXAM, "default": "intermediate"},
                "year": {**YEAR, "description": "考试年度（默认：下一次报名未截止的考试）"},
                "at": AT,
            },
            ["candidate", "to"],
        ),
        "BatchLine": _obj(
            "批量结果的一行（JSON Lines）：一条记录的结论；证件号码与姓名已遮盖",
            {
                "record": {"type": "string", "description": "记录位置，如 line 3、row 2"},
                "verdict": {
                    "enum": ["ready", "pending", "not_ready", "too_late", "error"],
                    "description": "结论；error 表示这条记录无法检查（见 error）",
                },
                "region": NULLABLE_TEXT,
                "region_name": NULLABLE_TEXT,
                "name": {**NULLABLE_TEXT, "description": "姓名（遮盖）"},
                "id_number": {**NULLABLE_TEXT, "description": "证件号码（遮盖）"},
                "rules": {"type": "array", "items": {"type": "string"}},
                "findings": {"type": "array", "items": {"type": "object"}},
                "error": {**NULLABLE_TEXT, "description": "无法检查的原因（中文）"},
                "produced_by": {"type": "object", "description": "版本与规则数据"},
            },
        ),
        "Deadline": _deadline(),
        "DeadlineTable": _obj(
            "截止时间表，按时间排序",
            {
                "at": {**MOMENT, "description": "评估时间"},
                "regions": {
                    "description": "所查的地区；all 表示全部地区",
                    "oneOf": [
                        {"type": "array", "items": REGION_REF},
                        {"const": "all"},
                    ],
                },
                "notes": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "资料不知道的、推算的（中文）",
                },
                "deadlines": {"type": "array", "items": _ref("Deadline")},
                "produced_by": produced_by,
            },
            ["at", "regions", "notes", "deadlines"],
        ),
        "Place": _obj(
            "找到的地区",
            {
                "code": {"type": "string", "description": "行政区划代码"},
                "name": {"type": "string", "description": "全称"},
                "level": {"type": "string", "description": "层级，如 province、city、county"},
                "current": {"type": "boolean", "description": "现行代码（false：已撤销）"},
                "served_by": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "负责它的资料地区（由全国到本地）",
                },
            },
        ),
        "Contacts": _obj(
            "地区最近的财政局会计管理部门",
            {
                "region": REGION_REF,
                "contacts": {
                    "type": "array",
                    "items": _obj(
                        "一个会计管理部门",
                        {
                            "name": {"type": "string"},
                            "phones": {"type": "array", "items": {"type": "string"}},
                            "address": NULLABLE_TEXT,
                            "source": {"type": "string", "description": "来源"},
                        },
                    ),
                },
            },
        ),
        "ChangePlan": _obj(
            "信息变更计划：每项修改能否改、为什么、在哪里、怎么改",
            {
                "region": CHAIN_REGION,
                "at": {**MOMENT, "description": "评估时间"},
                "changes": {
                    "type": "array",
                    "items": _obj(
                        "一项修改的结论",
                        {
                            "field": {"type": "string", "description": "字段（英文名）"},
                            "decision": {
                                "enum": ["allowed", "in_person", "refused", "unknown"],
                                "description": "allowed 可在平台修改；in_person 须本人到会计"
                                "管理部门；refused 不能改；unknown 资料未说明",
                            },
                            "reason": {"type": "string", "description": "原因（中文）"},
                            "platform": NULLABLE_TEXT,
                            "url": NULLABLE_TEXT,
                            "how": {**NULLABLE_TEXT, "description": "怎么办（中文）"},
                            "source": NULLABLE_TEXT,
                            "plugin": {"type": "string"},
                        },
                    ),
                },
                "problems": {"type": "array", "items": _ref("PlanFinding")},
                "produced_by": produced_by,
            },
            ["region", "at", "changes", "problems"],
        ),
        "TransferPlan": _obj(
            "调转计划：步骤，以及能否在调入地的截止时间前办完",
            {
                "origin": CHAIN_REGION,
                "destination": CHAIN_REGION,
                "cross_province": {"type": "boolean", "description": "跨省调转"},
                "at": {**MOMENT, "description": "评估时间"},
                "deadline": {**MAYBE_MOMENT, "description": "调入地的截止时间；null 表示未知"},
                "deadline_source": {**NULLABLE_TEXT, "description": "截止时间的来源"},
                "latest_start": {**MAYBE_MOMENT, "description": "最晚开始办理的时间"},
                "feasible": {
                    "type": ["boolean", "null"],
                    "description": "能否来得及；null 表示所需时间或截止时间未知",
                },
                "notes": {"type": "array", "items": {"type": "string"}},
                "projected": {"type": "boolean", "description": "截止时间为预计"},
                "steps": {
                    "type": "array",
                    "items": _obj(
                        "一个步骤",
                        {
                            "id": {"type": "string", "description": "稳定的步骤 id"},
                            "phase": {
                                "enum": ["out", "in", "after"],
                                "description": "out 调出地；in 调入地；after 调入之后",
                            },
                            "title": {"type": "string", "description": "步骤（中文）"},
                            "platform": NULLABLE_TEXT,
                            "url": NULLABLE_TEXT,
                            "documents": {
                                "type": "array",
                                "items": {"type": "string"},
                                "description": "所需材料",
                            },
                            "working_days": {
                                "type": ["integer", "null"],
                                "description": "审核所需工作日",
                            },
                            "calendar_days": {
                                "type": ["integer", "null"],
                                "description": "所需自然日",
                            },
                            "note": NULLABLE_TEXT,
                            "source": NULLABLE_TEXT,
                            "plugin": {"type": "string"},
                        },
                    ),
                },
                "problems": {"type": "array", "items": _ref("PlanFinding")},
                "produced_by": produced_by,
            },
            [
                "origin",
                "destination",
                "cross_province",
                "at",
                "deadline",
                "deadline_source",
                "latest_start",
                "feasible",
                "notes",
                "projected",
                "steps",
                "problems",
            ],
        ),
        "PlanFinding": _plan_finding(),
        "Rules": {
            "description": "回答这个请求的进程所用的版本与规则数据",
            "allOf": [
                _ref("ProducedBy"),
                _obj(
                    "规则更新的代次",
                    {
                        "rules_generation": {
                            **NULLABLE_TEXT,
                            "description": "已安装规则的代次（每次 kuaiji rules update 都变）；"
                            "null 表示从未更新",
                        }
                    },
                ),
            ],
        },
        "Status": _obj(
            "状态", {"status": {"enum": ["ok", "ready"], "description": "ok 存活；ready 就绪"}}
        ),
    }


# --- parameters and problem answers ---

PARAMETERS: dict[str, Any] = {
    "exam": {
        "name": "exam",
        "in": "query",
        "required": True,
        "description": "考试级别",
        "schema": EXAM,
    },
    "exams": {
        "name": "exam",
        "in": "query",
        "required": False,
        "description": "考试级别，可重复（默认：初级与中级）",
        "schema": {"type": "array", "items": EXAM},
        "style": "form",
        "explode": True,
    },
    "year": {
        "name": "year",
        "in": "query",
        "required": True,
        "description": "考试年度",
        "schema": YEAR,
    },
    "yearOptional": {
        "name": "year",
        "in": "query",
        "required": False,
        "description": "考试年度（默认：每个级别下一次报名未截止的考试）",
        "schema": YEAR,
    },
    "at": {
        "name": "at",
        "in": "query",
        "required": False,
        "description": AT["description"],
        "schema": {"type": "string"},
    },
    "regions": {
        "name": "region",
        "in": "query",
        "required": False,
        "description": "地区代码或名称，可重复（默认：全部地区）",
        "schema": {"type": "array", "items": {"type": "string"}},
        "style": "form",
        "explode": True,
    },
    "format": {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "输出格式：jsonl（每行一个 JSON）或 csv（中文表头）",
        "schema": {"type": "string", "enum": ["jsonl", "csv"], "default": "jsonl"},
    },
    "q": {
        "name": "q",
        "in": "query",
        "required": True,
        "description": "要查找的文字：代码或其前缀（如 440305）或地名（如 鼓楼），至多 50 字",
        "schema": {"type": "string", "minLength": 1, "maxLength": 50},
    },
    "region": {
        "name": "region",
        "in": "path",
        "required": True,
        "description": "地区代码或名称，如 440305 或 深圳市南山区",
        "schema": {"type": "string"},
    },
}

# status → (component name, code, title as the server says it, description)
PROBLEMS: dict[str, tuple[str, str, str, str]] = {
    "400": (
        "BadRequest",
        "http.error",
        "请求有误",
        "请求无法解析（如 multipart 表单的字段或文件太多）",
    ),
    "404": ("NotFound", "not.found", "没有这个地址", "没有这个地址"),
    "405": ("MethodNotAllowed", "method.not_allowed", "不支持这个方法", "这个地址不支持这个方法"),
    "408": ("RequestTimeout", "body.too_slow", "请求体发送太慢", "请求体没有在限定时间内发完"),
    "413": (
        "TooLarge",
        "body.too_large",
        "请求体太大",
        "请求体太大（JSON 1 MB、带照片 10 MB、批量 64 MB，可由 KUAIJI_MAX_JSON、"
        "KUAIJI_MAX_PHOTO、KUAIJI_MAX_BATCH 调整）",
    ),
    "422": ("Invalid", "input.invalid", "输入有误", "输入有误：errors 逐个字段说明问题与改法"),
    "500": (
        "Internal",
        "internal",
        "内部错误",
        "内部错误（code 为 internal），或插件、规则数据出错（code 为 plugin.or.data）",
    ),
    "503": ("NotReady", "not.ready", "服务尚未就绪", "服务尚未就绪：插件与规则数据正在加载"),
}


def _problem_responses() -> dict[str, Any]:
    return {
        name: {
            "description": text,
            "content": {
                "application/problem+json": {
                    "schema": _ref("Problem"),
                    "example": {
                        "type": "https://kuaiji.invalid/problems/" + code,
                        "title": title,
                        "status": int(status),
                        "code": code,
                    },
                }
            },
        }
        for status, (name, code, title, text) in PROBLEMS.items()
    }


def _errors(*statuses: str) -> dict[str, Any]:
    return {s: {"$ref": "#/components/responses/" + PROBLEMS[s][0]} for s in statuses}


def _ok(schema: dict[str, Any], description: str = "成功") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _params(*names: str) -> list[dict[str, str]]:
    return [{"$ref": "#/components/parameters/" + n} for n in names]


def _json_body(schema: str, description: str) -> dict[str, Any]:
    return {
        "required": True,
        "description": description,
        "content": {"application/json": {"schema": _ref(schema)}},
    }


BODY = ("408", "413", "422", "500")  # what every operation reading a JSON body can answer


def _paths() -> dict[str, Any]:
    precheck_body = {
        "required": True,
        "description": "JSON；要上传证件照时用 multipart/form-data（字段 request 放 JSON，"
        "字段 photo 放照片）。通过 HTTP 不能用服务器上的文件路径（candidate.photo.path）",
        "content": {
            "application/json": {"schema": _ref("PrecheckRequest")},
            "multipart/form-data": {
                "schema": _ref("PrecheckForm"),
                "encoding": {
                    "request": {"contentType": "application/json"},
                    "photo": {"contentType": "image/jpeg, image/png"},
                },
            },
        },
    }
    upload = {
        "application/x-ndjson": {"schema": {"type": "string", "description": "每行一个考生"}},
        "application/jsonl": {"schema": {"type": "string", "description": "同 x-ndjson"}},
        "text/csv": {"schema": {"type": "string", "description": "第一行为表头（中文或英文）"}},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"description": "xlsx 表格，第一行为表头"}
        },
    }
    text = {"text/plain": {"schema": {"type": "string"}}}
    return {
        "/v1/precheck": {
            "post": {
                "operationId": "precheck",
                "tags": ["precheck"],
                "summary": "报名预检：考生信息 → 结论、问题、步骤（JSON）",
                "requestBody": precheck_body,
                "responses": {
                    "200": {
                        "description": "预检结果",
                        "headers": {
                            "Cache-Control": {
                                "description": "no-store：结果含个人信息，不缓存",
                                "schema": {"type": "string"},
                            }
                        },
                        "content": {"application/json": {"schema": _ref("Result")}},
                    },
                    **_errors("400", *BODY),
                },
            }
        },
        "/v1/precheck.ics": {
            "post": {
                "operationId": "precheckCalendar",
                "tags": ["precheck"],
                "summary": "报名预检，返回考生步骤的日历（.ics）",
                "requestBody": precheck_body,
                "responses": {
                    "200": {
                        "description": "iCalendar 日历（附件）",
                        "content": {"text/calendar": {"schema": {"type": "string"}}},
                    },
                    **_errors("400", *BODY),
                },
            }
        },
        "/v1/batch": {
            "post": {
                "operationId": "batch",
                "tags": ["precheck"],
                "summary": "批量预检：上传 JSON Lines、CSV 或 xlsx，逐条流式返回结果",
                "description": "上传的记录不能引用服务器上的文件（照片文件）；"
                "一条记录的问题只写在它那一行，不影响其他记录。",
                "parameters": _params("exam", "year", "at", "format"),
                "requestBody": {
                    "required": True,
                    "description": "考生文件，类型由 Content-Type 指明",
                    "content": upload,
                },
                "responses": {
                    "200": {
                        "description": "每条记录一行，顺序同上传文件：format=jsonl 时为 "
                        "BatchLine 的 JSON Lines，format=csv 时为带中文表头的 CSV",
                        "content": {
                            "application/x-ndjson": {
                                "schema": {
                                    "type": "string",
                                    "description": "每行一个 JSON 对象，格式见 "
                                    "#/components/schemas/BatchLine",
                                }
                            },
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    },
                    **_errors("408", "413", "422", "500"),
                },
            }
        },
        "/v1/deadlines": {
            "get": {
                "operationId": "deadlines",
                "tags": ["lookup"],
                "summary": "各地区的截止时间（?exam=&year=&region=）",
                "parameters": _params("exams", "yearOptional", "regions", "at"),
                "responses": {"200": _ok(_ref("DeadlineTable")), **_errors("422", "500")},
            }
        },
        "/v1/regions": {
            "get": {
                "operationId": "regions",
                "tags": ["lookup"],
                "summary": "按代码或地名查找地区（?q=），至多 50 个",
                "parameters": _params("q"),
                "responses": {
                    "200": _ok({"type": "array", "items": _ref("Place"), "maxItems": 50}),
                    **_errors("422", "500"),
                },
            }
        },
        "/v1/contacts/{region}": {
            "parameters": _params("region"),
            "get": {
                "operationId": "contacts",
                "tags": ["lookup"],
                "summary": "地区最近的财政局会计管理部门",
                "responses": {
                    "200": _ok(_ref("Contacts")),
                    **_errors("404", "422", "500"),
                },
            },
        },
        "/v1/change": {
            "post": {
                "operationId": "change",
                "tags": ["plans"],
                "summary": "信息变更：能否修改、在哪里、怎么改",
                "requestBody": _json_body("ChangeRequest", "考生信息与要修改的字段"),
                "responses": {"200": _ok(_ref("ChangePlan"), "变更计划"), **_errors(*BODY)},
            }
        },
        "/v1/transfer": {
            "post": {
                "operationId": "transfer",
                "tags": ["plans"],
                "summary": "调转：步骤与最晚开始时间",
                "requestBody": _json_body("TransferRequest", "考生信息与调入地区"),
                "responses": {"200": _ok(_ref("TransferPlan"), "调转计划"), **_errors(*BODY)},
            }
        },
        "/v1/rules": {
            "get": {
                "operationId": "rules",
                "tags": ["operations"],
                "summary": "规则数据的版本与日期",
                "responses": {"200": _ok(_ref("Rules")), **_errors("500")},
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "tags": ["operations"],
                "summary": "本接口说明（OpenAPI 3.1）",
                "responses": {
                    "200": _ok({"type": "object"}, "OpenAPI 文档"),
                    **_errors("500"),
                },
            }
        },
        "/docs": {
            "get": {
                "operationId": "docs",
                "tags": ["operations"],
                "summary": "接口一览（网页）",
                "responses": {
                    "200": {
                        "description": "HTML 页面",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    },
                    **_errors("500"),
                },
            }
        },
        "/healthz": {
            "get": {
                "operationId": "healthz",
                "tags": ["operations"],
                "summary": "进程存活",
                "responses": {"200": _ok(_ref("Status"), "存活：status 为 ok")},
            }
        },
        "/readyz": {
            "get": {
                "operationId": "readyz",
                "tags": ["operations"],
                "summary": "插件与规则数据已加载",
                "responses": {
                    "200": _ok(_ref("Status"), "就绪：status 为 ready"),
                    **_errors("500", "503"),
                },
            }
        },
        "/metrics": {
            "get": {
                "operationId": "metrics",
                "tags": ["operations"],
                "summary": "Prometheus 指标",
                "responses": {
                    "200": {"description": "Prometheus 文本格式 0.0.4", "content": text},
                    **_errors("500"),
                },
            }
        },
    }


@functools.cache
def document() -> dict[str, Any]:
    from kuaiji.io.result_schema import result_schema
    from kuaiji.io.schema import candidate_schema

    candidate = {k: v for k, v in candidate_schema().items() if k not in ("$schema", "$id")}
    result = {k: v for k, v in result_schema().items() if k not in ("$schema", "$id")}
    defs = result.pop("$defs")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kuaiji",
            "version": __version__,
            "description": "会计专业技术资格考试报名预检。错误以 application/problem+json "
            "（RFC 9457）返回：code 为稳定的英文编号，title、detail 为中文；"
            "没有的地址答 404，地址不支持的方法答 405（均为 Problem）。",
        },
        "tags": [
            {"name": "precheck", "description": "报名预检"},
            {"name": "lookup", "description": "查询：截止时间、地区、联系方式"},
            {"name": "plans", "description": "信息变更与调转"},
            {"name": "operations", "description": "运维：版本、健康检查、指标、本说明"},
        ],
        "paths": _paths(),
        "components": {
            "schemas": {
                "Candidate": candidate,
                "Result": _rebase(result),
                "Finding": _rebase(defs["finding"]),
                "Step": _rebase(defs["step"]),
                "ProducedBy": _rebase(defs["produced_by"]),
                **_schemas(),
            },
            "parameters": PARAMETERS,
            "responses": _problem_responses(),
        },
    }


def _rebase(node: Any) -> Any:
    """``#/$defs/finding`` → ``#/components/schemas/Finding``."""
    names = {"finding": "Finding", "step": "Step", "produced_by": "ProducedBy"}
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return {"$ref": SCHEMAS + names[ref.removeprefix("#/$defs/")]}
        return {k: _rebase(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node


METHODS = ("get", "post", "put", "patch", "delete")


def docs_page() -> str:
    """The endpoints of :func:`document` as a page in the site's style (/static/kuaiji.css):
    no inline script or style; the table scrolls sideways on a narrow screen (``.scroll``)."""
    e = html.escape
    rows = []
    for path, item in document()["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            errors = "、".join(s for s in operation["responses"] if not s.startswith("2"))
            rows.append(
                f"<tr><td>{method.upper()}</td><td><code>{e(path)}</code></td>"
                f"<td>{e(operation['summary'])}</td><td>{e(errors) or '—'}</td></tr>"
            )
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>接口说明 · kuaiji {e(__version__)}</title>"
        '<link rel="stylesheet" href="/static/kuaiji.css">'
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml"></head><body>'
        '<a class="skip" href="#main">跳到正文</a>'
        '<header><a class="brand" href="/">kuaiji 会计报名预检</a>'
        '<nav><a href="/">个人预检</a><a href="/batch">批量（表格）</a></nav></header>'
        '<main id="main" tabindex="-1"><h1>接口说明</h1>'
        '<p>完整说明（参数、请求体、回答与错误的格式）：<a href="/openapi.json">/openapi.json</a>'
        "（OpenAPI 3.1）。错误以 application/problem+json 返回，code 为稳定的英文编号，"
        "title、detail 为中文。</p>"
        '<div class="scroll" role="region" aria-label="接口一览（可左右滑动）" tabindex="0">'
        '<table><caption>接口一览</caption><thead><tr><th scope="col">方法</th>'
        '<th scope="col">路径</th><th scope="col">用途</th><th scope="col">可能的错误</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div></main>"
        f"<footer>kuaiji {e(__version__)}</footer></body></html>"
    )
