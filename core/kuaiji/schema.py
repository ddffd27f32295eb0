"""The JSON Schema of the candidate file, derived from the attrs model (one source of
truth), every field's Chinese name and description, and the field paths that
``kuaiji change --set`` accepts.

The schema admits what the converter accepts: an enum's English values and its Chinese words
(``ZH`` in :mod:`kuaiji.models`), 是/否/有/无 beside true/false, dates in the lenient forms
(:data:`kuaiji.convert.DATE_PATTERN`).
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from typing import Any

import attrs

from kuaiji.convert import BOOL_WORDS, DATE_FORMS, DATE_PATTERN
from kuaiji.errors import InputError
from kuaiji.models import ZH, Candidate, zh_name

SCHEMA_ID = "https://kuaiji.invalid/schema/candidate-v1.json"

_SAME_REGION = "写法同 region：6 位行政区划代码、2/4 位前缀或名称"

# Every field: its Chinese name and what to write. Keys are paths; a list's items have no
# index (education.level).
FIELDS: dict[str, tuple[str, str]] = {
    "name": ("姓名", "按身份证件填写的真实姓名（1–30 个字符）；在全国平台注册后不能自行修改"),
    "id_number": (
        "证件号码",
        "证件号码。居民身份证为 18 位，最后一位可为 X；首尾的空格和小写 x 读取时自动更正",
    ),
    "phone": (
        "手机号码",
        "本人的大陆手机号码（11 位，接收短信验证码）；可含空格、短横线和 +86、86、0086 前缀，"
        "读取时去掉",
    ),
    "region": (
        "属地",
        "属地：工作单位所在地；在校生为学校所在地；其他人为户籍或居住地。写 6 位行政区划代码"
        "（GB/T 2260，如 440305）、2 或 4 位前缀（如 44、4403）或名称（如 深圳市、广东、兵团）",
    ),
    "id_type": ("证件类型", "证件类型，不写即居民身份证"),
    "gender": ("性别", "不写时由居民身份证号码推出；写了须与号码一致"),
    "birth_date": ("出生日期", "不写时由居民身份证号码推出；写了须与号码一致"),
    "email": ("电子邮箱", "电子邮箱（可不写）"),
    "national_account": (
        "全国平台账号",
        "在全国会计人员统一服务管理平台的账号：是否已注册、是否已实名认证",
    ),
    "national_account.registered": ("已注册", "是否已在全国会计人员统一服务管理平台注册"),
    "national_account.real_name_verified": ("已实名认证", "是否已在全国平台完成实名认证"),
    "photo": ("证件照", "证件照：照片文件（相对考生文件的路径），或深圳的照片回执码"),
    "photo.path": ("照片文件", "照片文件的路径，相对考生文件所在的文件夹，如 wang.jpg"),
    "photo.receipt_code": ("照片回执码", "深圳：照片审核通过后取得的回执码"),
    "education": ("学历", '已取得（或在读）的学历，每个学历一项，如 [{"mode": "全日制", …}]'),
    "education.mode": ("学习形式", "学习形式"),
    "education.level": ("学历层次", "学历层次"),
    "education.graduated": ("毕业日期", "毕业（或预计毕业）日期"),
    "education.major": ("专业", "所学专业，如 会计学"),
    "education.school": ("毕业学校", "学校名称"),
    "work": ("在岗信息", "在岗信息：工作状态和工作单位；平台要填的字段随工作状态而不同"),
    "work.status": ("工作状态", "工作状态"),
    "work.employer": ("工作单位名称", "工作单位名称"),
    "work.uscc": ("统一社会信用代码", "工作单位的统一社会信用代码（18 位）"),
    "work.accounting_since": ("开始从事会计工作时间", "开始从事会计工作的日期"),
    "work.social_security_months": ("社保缴纳月数", "能证明的社会保险缴纳月数（整数）"),
    "work.post": ("会计工作岗位", "从事的会计工作岗位，如 出纳、会计机构负责人（会计主管）"),
    "work.admin_position": ("会计行政职务", "会计行政职务，如 会计主管人员"),
    "work.title": ("会计专业技术职务", "会计专业技术职务，如 会计师"),
    "work.title_appointed": ("聘任时间", "会计专业技术职务的聘任日期"),
    "work.industry": ("所属行业", "工作单位所属行业"),
    "work.economic_type": ("经济类型", "工作单位的经济类型"),
    "work.address": ("单位地址", "工作单位地址"),
    "work.phone": ("单位电话", "工作单位的电话（不是个人手机）"),
    "work.residence_address": ("居住地址", "居住地址（待业人员填写）"),
    "work.school": ("学校名称", "所在学校名称（在校生填写）"),
    "qualifications": ("专业技术资格", "已取得的专业技术资格，每项一个"),
    "qualifications.kind": ("资格类别", "资格类别"),
    "qualifications.level": ("资格级别", "资格级别"),
    "qualifications.method": ("取得方式", "取得方式，不写即考试"),
    "qualifications.obtained": ("取得日期", "取得资格的日期"),
    "collection": ("会计人员信息采集", "会计人员信息采集：采集状态和信息档案所在地区"),
    "collection.status": ("采集状态", "信息采集的状态，不写即未采集"),
    "collection.region": ("档案所在地区", f"会计人员信息档案所在的地区（{_SAME_REGION}）"),
    "collection.updated": ("最近更新日期", "采集信息最近一次提交或审核的日期"),
    "continuing_education": ("继续教育", "各年度的继续教育学分，每年一项"),
    "continuing_education.year": ("年度", "年度，如 2025"),
    "continuing_education.professional": ("专业科目学分", "专业科目学分（数字），不写即 0"),
    "continuing_education.public": ("公需科目学分", "公需科目学分（数字），不写即 0"),
    "continuing_education.in_progress": (
        "有在途数据",
        "是否有在途未完成的数据（如学分申请尚未办结）",
    ),
    "attachments": ("附件", "平台要求上传的附件，写文件路径（相对考生文件所在的文件夹）"),
    "attachments.id_card_front": ("身份证人像面", "身份证人像面的图片文件"),
    "attachments.id_card_back": ("身份证国徽面", "身份证国徽面的图片文件"),
    "attachments.student_card": ("学生证明", "学生证或学校出具的在读证明"),
    "attachments.transfer_proof": ("调转证明", "调转证明，如调入地单位出具的在职证明"),
    "provincial_review": (
        "省级报名资格审核",
        "报名前的省级资格审核（新疆：新疆会计人员服务平台的报名资格审核）：状态和申请时间",
    ),
    "provincial_review.status": ("审核状态", "省级报名资格审核的状态，不写即未申请"),
    "provincial_review.applied": (
        "申请时间",
        "提交审核申请的时间，如 2024-06-25T10:00（不写时区即北京时间）",
    ),
    "exemption": (
        "免试《财务管理》",
        "申请免试中级《财务管理》所凭的学位（新疆：报名期间现场审核）",
    ),
    "foreign": ("外籍人员", "是否为外籍人员（持护照者按外籍处理）；有的地区要求现场审核"),
}
LABELS: dict[str, str] = {path: label for path, (label, _) in FIELDS.items()}


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
