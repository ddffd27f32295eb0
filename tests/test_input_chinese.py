"""Issue #15, values and spellings: candidate files written the way Chinese accountants write
them (本科, 审核通过, 是/否, 1992年3月5日, +86 138 0013 8000, a lower-case x, Notepad's BOM),
through the library and the CLI; Chinese errors naming the field and the fix, with no
personal data echoed; GBK and UTF-16 files refused with one message; the schema; kuaiji init.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import kuaiji
from helpers import EXAMPLES, candidate
from kuaiji.commands.precheck import candidate_from_dict, exam_level
from kuaiji.errors import InputError
from kuaiji.io import convert
from kuaiji.model.candidate import (
    ZH,
    Candidate,
    CollectionStatus,
    EducationLevel,
    EducationMode,
    Gender,
    IdType,
    WorkStatus,
)
from kuaiji.model.clock import SHANGHAI
from kuaiji.model.results import ExamLevel
from kuaiji_cli.main import main

ID = "110105199003072346"  # conftest's 王芳 (female, born 1990-03-07)
ID_X = "11010519900307128X"  # the same birth date and gender, check digit X
PHONE = "13800138000"
AT = "2026-06-20T10:00"
BJ_AT = dt.datetime(2026, 6, 20, 10, 0, tzinfo=SHANGHAI)

# conftest's candidate written with Chinese words, lenient dates and spellings.
CHINESE: dict[str, Any] = {
    "name": "王芳",
    "id_type": "居民身份证",
    "id_number": f" {ID} ",
    "phone": "+86 138-0013-8000",
    "region": "110105",
    "gender": "女",
    "birth_date": "1990年3月7日",
    "national_account": {"registered": "是", "real_name_verified": "是"},
    "photo": {"path": "wang.jpg"},
    "education": [{"mode": "全日制", "level": "本科", "graduated": "2012/07/01"}],
    "work": {"status": "会计岗位", "accounting_since": "2012.8.1"},
    "qualifications": [{"kind": "会计", "level": "初级", "method": "考试", "obtained": "2014-9-1"}],
    "collection": {"status": "审核通过", "region": "110105"},
    "continuing_education": [{"year": 2025, "professional": 60, "public": 30, "in_progress": "否"}],
    "foreign": "否",
}
ENGLISH: dict[str, Any] = {
    **CHINESE,
    "id_type": "resident_id",
    "id_number": ID,
    "phone": PHONE,
    "gender": "female",
    "birth_date": "1990-03-07",
    "national_account": {"registered": True, "real_name_verified": True},
    "education": [{"mode": "full_time", "level": "bachelor", "graduated": "2012-07-01"}],
    "work": {"status": "accounting", "accounting_since": "2012-08-01"},
    "qualifications": [
        {"kind": "accounting", "level": "junior", "method": "exam", "obtained": "2014-09-01"}
    ],
    "collection": {"status": "approved", "region": "110105"},
    "continuing_education": [
        {"year": 2025, "professional": 60, "public": 30, "in_progress": False}
    ],
    "foreign": False,
}


def refused(data: Any) -> list[tuple[str, str, str | None]]:
    with pytest.raises(InputError) as err:
        candidate_from_dict(data)
    return [(p.path, p.message, p.fix) for p in err.value.problems]


def one(data: Any) -> str:
    """The only problem of ``data``, as printed (path：message；fix)."""
    with pytest.raises(InputError) as err:
        candidate_from_dict(data)
    assert len(err.value.problems) == 1, err.value.problems
    return str(err.value.problems[0])


def write(folder: Path, data: Any, name: str = "c.json", encoding: str = "utf-8") -> Path:
    (folder / "wang.jpg").write_bytes((EXAMPLES / "wang.jpg").read_bytes())
    path = folder / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding=encoding)
    return path


def cli(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, env={"KUAIJI_NATIONAL_ONLY": "1"})


# --- enum words ---


def test_a_file_in_chinese_reads_as_the_same_candidate_as_in_english() -> None:
    chinese = candidate_from_dict(CHINESE)
    assert chinese == candidate_from_dict(ENGLISH)
    assert chinese.education[0].level is EducationLevel.BACHELOR
    assert chinese.education[0].mode is EducationMode.FULL_TIME
    assert chinese.collection is not None
    assert chinese.collection.status is CollectionStatus.APPROVED
    assert chinese.gender is Gender.FEMALE and chinese.id_type is IdType.RESIDENT_ID
    assert chinese.birth_date == dt.date(1990, 3, 7)


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("高中", "high_school"),
        ("职高", "high_school"),
        ("技校", "high_school"),
        ("中专", "secondary_vocational"),
        ("大专", "associate"),
        ("专科", "associate"),
        ("本科", "bachelor"),
        ("第二学士", "second_bachelor"),
        ("研究生班", "postgraduate_class"),
        ("硕士", "master"),
        ("博士", "doctor"),
    ],
)
def test_education_levels_in_chinese(level: str, expected: str) -> None:
    c = candidate_from_dict(candidate(education=[{"mode": "非全日制", "level": level}]))
    assert c.education[0].level.value == expected
    assert c.education[0].mode is EducationMode.PART_TIME


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("已审核", "approved"),
        ("审核通过", "approved"),
        ("已通过", "approved"),
        ("待审核", "submitted"),
        ("已提交", "submitted"),
        ("审核中", "submitted"),
        ("未采集", "none"),
        ("无", "none"),
        ("被退回", "rejected"),
        ("退回", "rejected"),
        ("未通过", "rejected"),
    ],
)
def test_collection_status_in_chinese(status: str, expected: str) -> None:
    c = candidate_from_dict(candidate(collection={"status": status, "region": "110105"}))
    assert c.collection is not None and c.collection.status.value == expected


@pytest.mark.parametrize(
    ("field", "word", "expected"),
    [
        ("id_type", "护照", IdType.PASSPORT),
        ("id_type", "港澳居民来往内地通行证", IdType.HK_MACAO_PASS),
        ("id_type", "台湾居民来往大陆通行证", IdType.TAIWAN_PASS),
        ("id_type", "身份证", IdType.RESIDENT_ID),
        ("gender", "男", Gender.MALE),
        ("gender", "女", Gender.FEMALE),
    ],
)
def test_identity_words(field: str, word: str, expected: object) -> None:
    assert getattr(candidate_from_dict(candidate(**{field: word})), field) is expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("非会计工作岗位", WorkStatus.NON_ACCOUNTING),
        ("待业", WorkStatus.UNEMPLOYED),
        ("在校生", WorkStatus.STUDENT),
    ],
)
def test_work_status_words(word: str, expected: WorkStatus) -> None:
    c = candidate_from_dict(candidate(work={"status": word}))
    assert c.work is not None and c.work.status is expected


def test_every_enum_has_chinese_words_for_every_value_and_each_word_is_accepted() -> None:
    from kuaiji.model import candidate as models

    enums = [v for v in vars(models).values() if isinstance(v, type) and v in ZH]
    assert len(enums) == 11  # every enum of the candidate file
    for cls, words in ZH.items():
        assert {m.value for m in cls} == set(words.values()), cls  # type: ignore[attr-defined]
        for word, value in words.items():
            assert convert.converter.structure(word, cls).value == value  # type: ignore[attr-defined]


def test_the_exam_level_in_chinese_for_library_users() -> None:
    assert exam_level("初级") is ExamLevel.JUNIOR
    assert exam_level("中级") is ExamLevel.INTERMEDIATE
    assert exam_level("junior") is ExamLevel.JUNIOR
    with pytest.raises(InputError) as err:
        exam_level("高级")
    assert str(err.value.problems[0]) == (
        "--exam：不认识的考试级别“高级”；写 初级 或 中级（或 junior、intermediate）"
    )
    c = candidate_from_dict(CHINESE)
    at = BJ_AT
    chinese = kuaiji.precheck(c, exam="中级", year=2026, at=at, base_dir=EXAMPLES)
    english = kuaiji.precheck(c, exam="intermediate", year=2026, at=at, base_dir=EXAMPLES)
    assert chinese.to_dict() == english.to_dict()
    assert chinese.to_dict()["exam"]["level"] == "intermediate"


# --- booleans ---


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("是", True),
        ("否", False),
        ("有", True),
        ("无", False),
        ("true", True),
        ("false", False),
        ("TRUE", True),
        ("yes", True),
        ("no", False),
        ("1", True),
        ("0", False),
        (True, True),
        (False, False),
    ],
)
def test_booleans(word: object, expected: bool) -> None:
    c = candidate_from_dict(candidate(national_account={"registered": word}, foreign=word))
    assert c.national_account is not None
    assert c.national_account.registered is expected and c.foreign is expected


@pytest.mark.parametrize("word", ["对", "maybe", "不知道", 1, 0, None])
def test_unclear_booleans_are_refused_in_chinese(word: object) -> None:
    [(path, message, fix)] = refused(candidate(national_account={"registered": word}))
    assert path == "national_account.registered"
    assert message.startswith("应为 true 或 false，现为")
    assert fix == '写 true 或 false（不带引号），也可写 "是"、"否"、"有"、"无"'


# --- dates ---


@pytest.mark.parametrize(
    "text", ["2012-07-01", "2012-7-1", "2012/07/01", "2012/7/1", "2012.7.1", "2012年7月1日"]
)
def test_dates_in_every_common_form(text: str) -> None:
    c = candidate_from_dict(
        candidate(education=[{"mode": "全日制", "level": "本科", "graduated": text}])
    )
    assert c.education[0].graduated == dt.date(2012, 7, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2012-13-01", "没有这一天：“2012-13-01”"),
        ("2012年2月30日", "没有这一天：“2012年2月30日”"),
        ("2012-7/1", "不是可识别的日期：“2012-7/1”"),
        ("去年七月", "不是可识别的日期：“去年七月”"),
        ("2012-07-01T10:00", "不是可识别的日期：“2012-07-01T10:00”"),
    ],
)
def test_unreadable_dates_name_the_field_and_the_forms(text: str, message: str) -> None:
    data = candidate(education=[{"mode": "全日制", "level": "本科", "graduated": text}])
    [(path, found, fix)] = refused(data)
    assert (path, found) == ("education[0].graduated", message)
    assert fix is not None
    assert "1992-03-05" in fix or "核对月份" in fix
    if found.startswith("不是可识别"):
        assert fix == "写成 1992-03-05（也可写 1992-3-5、1992/03/05、1992.3.5、1992年3月5日）"


# --- phones and ID numbers ---


@pytest.mark.parametrize(
    "phone",
    [
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+8613800138000",
        "86 13800138000",
        "0086-138-0013-8000",
        " 13800138000 ",
        "138\u30000013\u30008000",  # full-width spaces
    ],
)
def test_phones_are_normalised_to_11_digits(phone: str) -> None:
    assert candidate_from_dict(candidate(phone=phone)).phone == PHONE


def test_a_phone_that_is_not_a_mobile_is_kept_and_checked_as_before(folder: Path) -> None:
    c = candidate_from_dict(candidate(phone="010-6512 3456"))
    assert c.phone == "010-6512 3456"  # nothing lost: the rule says what is wrong
    report = kuaiji.precheck(c, exam="intermediate", year=2026, at=BJ_AT, base_dir=folder)
    assert "identity.phone" in {f.rule for f in report.findings}
    # the employer's phone is not a mobile number: kept as written
    work = candidate_from_dict(
        candidate(work={"status": "会计工作岗位", "phone": "010-6512 3456"})
    ).work
    assert work is not None and work.phone == "010-6512 3456"


@pytest.mark.parametrize(
    ("written", "expected"),
    [(f" {ID} ", ID), (ID_X.lower(), ID_X), (f"\t{ID_X.lower()}\u3000", ID_X)],
)
def test_id_numbers_are_stripped_and_upper_cased_then_checked(
    written: str, expected: str, folder: Path
) -> None:
    c = candidate_from_dict(candidate(id_number=written))
    assert c.id_number == expected
    report = kuaiji.precheck(c, exam="intermediate", year=2026, at=BJ_AT, base_dir=folder)
    assert "identity.id_number" not in {f.rule for f in report.findings}


def test_a_wrong_id_number_is_still_refused_by_the_rule(folder: Path) -> None:
    c = candidate_from_dict(candidate(id_number=ID[:-1] + "x"))
    report = kuaiji.precheck(c, exam="intermediate", year=2026, at=BJ_AT, base_dir=folder)
    assert "校验位" in next(f.message for f in report.findings if f.rule == "identity.id_number")


# --- messages: Chinese, the field, the fix, nothing personal ---


def test_an_unknown_word_lists_what_may_be_written_in_chinese_and_english() -> None:
    text = one(candidate(education=[{"mode": "全日制", "level": "本科生"}]))
    assert text == (
        "education[0].level：不认识“本科生”；可写 高中、中专、大专、本科、第二学士、研究生班、"
        "硕士、博士（或 high_school、secondary_vocational、associate、bachelor、second_bachelor、"
        "postgraduate_class、master、doctor）"
    )
    assert one(candidate(collection={"status": "搞定了"})) == (
        "collection.status：不认识“搞定了”；可写 未采集、已提交、审核通过、被退回"
        "（或 none、submitted、approved、rejected）"
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"name": 5}, 'name：应为文字，现为整数；写在英文双引号中，如 "……"'),
        ({"phone": None}, 'phone：缺少必填字段；请填写 "phone"（手机号码）'),
        ({"姓名": "王芳"}, '姓名：不认识的字段；字段名用英文：改为 "name"（姓名）'),
        ({"eduction": []}, 'eduction：不认识的字段；是否应为 "education"（学历）？否则删除它'),
        (
            {"work": {"status": "会计工作岗位", "工作单位名称": "某某公司"}},
            'work.工作单位名称：不认识的字段；字段名用英文：改为 "employer"（工作单位名称）',
        ),
        (
            {"work": "会计"},
            'work：应为对象 {…}，现为“会计”；用花括号写出其中的字段，如 {"status": "approved"}',
        ),
        (
            {"education": {"level": "本科"}},
            "education：应为列表 […]，现为对象 {…}；用方括号把各项括起来，如 [{…}, {…}]",
        ),
        (
            {"work": {"status": "会计工作岗位", "social_security_months": "12个月"}},
            "work.social_security_months：应为整数，现为“12个月”；写成不带引号的整数，如 12",
        ),
    ],
)
def test_messages_are_chinese_and_name_the_field_and_the_fix(
    change: dict[str, Any], expected: str
) -> None:
    assert one(candidate(**change)) == expected


def test_every_structuring_message_is_chinese() -> None:
    data = candidate(
        name=1,
        gender="unknown-ish",
        birth_date=19900307,
        education=[{"mode": "online", "level": [1]}, "本科"],
        work={"status": "会计工作岗位", "accounting_since": "last year", "x": 1},
        continuing_education=[{"year": "2024", "professional": "60"}],
        provincial_review={"status": "已申请", "applied": "明天"},
        foreign="maybe",
    )
    problems = refused(data)
    assert len(problems) == 12
    han = re.compile(r"[\u4e00-\u9fff]")
    for path, message, fix in problems:
        assert han.search(message) and fix and han.search(fix), (path, message, fix)
        assert "expected" not in message and "got" not in message


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"birth_date": ID}, "birth_date"),  # the ID number typed into the birth date
        ({"birth_date": "1990-02-30"}, "birth_date"),
        ({"gender": ID}, "gender"),
        ({"gender": PHONE}, "gender"),
        ({"education": [{"mode": "全日制", "level": "+86 138 0013 8000"}]}, "education[0].level"),
        ({"collection": {"status": f"已提交 {ID}"}}, "collection.status"),
        ({"name": 13800138000}, "name"),
        ({"phone": 13800138000}, "phone"),
        ({"id_number": 110105199003072346}, "id_number"),
        (
            {"work": {"status": "会计工作岗位", "accounting_since": "E12345678"}},
            "work.accounting_since",
        ),
        ({ID: "x"}, "110***********2346"),  # a key that is an ID number
    ],
)
def test_personal_data_is_described_never_echoed(change: dict[str, Any], path: str) -> None:
    with pytest.raises(InputError) as err:
        candidate_from_dict(candidate(**change))
    text = err.value.describe()
    [problem] = err.value.problems
    assert problem.path == path
    for secret in (ID, PHONE, "0013", "1990-02-30", "12345678", "19900307"):
        assert secret not in text, text


def test_the_documents_own_name_is_never_echoed_from_another_field() -> None:
    long_name = "爱新觉罗启星"  # no common surname, six characters: no heuristic sees a name
    with pytest.raises(InputError) as err:
        candidate_from_dict(candidate(name=long_name, gender=long_name, email="wf@example.com"))
    text = err.value.describe()
    assert long_name not in text and "爱*****" in text


def test_an_id_number_in_the_birth_date_says_what_kind_of_value_it_is() -> None:
    assert one(candidate(birth_date=ID)) == (
        "birth_date：不是可识别的日期：一串含 18 位数字的号码（像证件号码或电话号码，为保护个人"
        "信息不在此显示）；写成 1992-03-05（也可写 1992-3-5、1992/03/05、1992.3.5、1992年3月5日）"
    )
    assert one(candidate(birth_date="1990-02-30")) == (
        "birth_date：没有这一天：一段 10 个字符的文字（个人信息，不在此显示）；"
        "核对月份（1–12）和日期（不超过当月天数）"
    )


# --- encodings ---


def test_a_file_with_a_bom_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, CHINESE, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert kuaiji.load_candidate(path) == candidate_from_dict(ENGLISH)
    assert kuaiji.parse_candidate("\ufeff" + json.dumps(ENGLISH)).phone == PHONE


@pytest.mark.parametrize(
    ("encoding", "named"),
    [("gbk", "GBK"), ("gb18030", "GBK"), ("utf-16", "UTF-16"), ("utf-16-be", "")],
)
def test_other_encodings_are_one_error_naming_the_encoding(
    tmp_path: Path, encoding: str, named: str
) -> None:
    data = CHINESE
    if encoding == "utf-16-be":  # no BOM: neither UTF-8 nor GBK
        path = tmp_path / "c.json"
        path.write_bytes(b"\xfe\xff" + json.dumps(data, ensure_ascii=False).encode(encoding))
        named = "UTF-16 BE"
    else:
        path = write(tmp_path, data, encoding=encoding)
    with pytest.raises(InputError) as err:
        kuaiji.load_candidate(path)
    [problem] = err.value.problems
    assert named in problem.message and "只读 UTF-8" in problem.message
    assert problem.fix is not None and "另存为" in problem.fix and "UTF-8" in problem.fix
    assert err.value.source == str(path)


def test_bytes_in_no_known_encoding(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(b'{"name": "\xff\xfe\xff"}')
    with pytest.raises(InputError) as err:
        kuaiji.load_candidate(path)
    assert err.value.problems[0].message == "文件编码既不是 UTF-8，也不是 GBK（可能不是文本文件）"


def test_json_errors_are_chinese_and_point_at_full_width_punctuation(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text('{\n  "name"："王芳"\n}', encoding="utf-8")
    with pytest.raises(InputError) as err:
        kuaiji.load_candidate(path)
    assert str(err.value.problems[0]) == (
        '第 2 行第 9 列：JSON 格式有误：此处缺少冒号；把全角标点 ： 换成英文半角标点（" , : { } [ ]）'
    )


# --- the CLI ---


def test_cli_precheck_of_a_chinese_file_with_exam_in_chinese(tmp_path: Path) -> None:
    chinese = write(tmp_path, CHINESE, "chinese.json", encoding="utf-8-sig")
    english = write(tmp_path, ENGLISH, "english.json")
    args = ["--year", "2026", "--at", AT, "--json", "--show-personal-data"]
    by_words = cli("precheck", str(chinese), "--exam", "中级", *args)
    by_values = cli("precheck", str(english), "--exam", "intermediate", *args)
    assert by_words.exit_code == by_values.exit_code == 0, by_words.output
    assert json.loads(by_words.stdout) == json.loads(by_values.stdout)
    assert json.loads(by_words.stdout)["exam"]["level"] == "intermediate"
    junior = cli("precheck", str(chinese), "--exam", "初级", *args)
    assert json.loads(junior.stdout)["exam"]["level"] == "junior"
    human = cli("precheck", str(chinese), "--exam", "中级", "--year", "2026", "--at", AT)
    assert human.exit_code == 0 and "中级" in human.stdout


def test_cli_refuses_an_unknown_exam_level_in_chinese(tmp_path: Path) -> None:
    path = write(tmp_path, ENGLISH)
    result = cli("precheck", str(path), "--exam", "高级", "--year", "2026")
    assert result.exit_code == 2
    assert "不认识的考试级别“高级”；写 初级 或 中级" in result.output
    assert "Traceback" not in result.output


def test_cli_gbk_file_is_one_error_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path, CHINESE, encoding="gbk")
    result = cli("precheck", str(path), "--exam", "中级", "--year", "2026", "--at", AT)
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert "GBK" in line and str(path) in line and "另存为" in line
    assert "Traceback" not in result.output


def test_cli_bad_values_exit_2_naming_the_field_without_personal_data(tmp_path: Path) -> None:
    path = write(tmp_path, {**CHINESE, "birth_date": ID, "gender": "女士"})
    result = cli("precheck", str(path), "--exam", "中级", "--year", "2026", "--at", AT)
    assert result.exit_code == 2
    assert "birth_date：不是可识别的日期" in result.stderr
    assert "gender：不认识“女士”；可写 男、女、未知的性别" in result.stderr
    assert ID not in result.output and "Traceback" not in result.output


# --- the schema ---


def _properties(schema: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    """Every property of the schema by path (education.level), objects and lists walked."""
    found = {}
    for name, prop in schema["properties"].items():
        path = f"{prefix}{name}"
        found[path] = prop
        for inner in [prop, *prop.get("anyOf", [])]:
            inner = inner.get("items", inner)
            if inner.get("type") == "object":
                found |= _properties(inner, f"{path}.")
    return found


def test_schema_documents_every_field_in_chinese() -> None:
    from kuaiji.model.fields import FIELDS

    result = cli("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    props = _properties(schema)
    assert len(props) == len(FIELDS) >= 60
    han = re.compile(r"[\u4e00-\u9fff]")
    for path, prop in props.items():
        assert han.search(prop["title"]) and han.search(prop["description"]), path
    level = props["education.level"]
    assert {"本科", "bachelor", "职高", "专科"} <= set(level["enum"])
    assert "本科（也可写 大学本科、学士）" in level["description"]
    assert {"审核通过", "已审核", "待审核", "被退回"} <= set(props["collection.status"]["enum"])
    assert {"是", "否", "有", "无", True, False} <= set(
        props["national_account.registered"]["enum"]
    )
    assert "+86" in props["phone"]["description"]


def test_schema_admits_what_the_converter_accepts() -> None:
    from kuaiji.io.schema import candidate_schema

    props = _properties(candidate_schema())
    pattern = re.compile(props["birth_date"]["anyOf"][0]["pattern"])
    for text in ("1992-03-05", "1992-3-5", "1992/03/05", "1992.3.5", "1992年3月5日"):
        assert pattern.search(text) and convert._date(text, dt.date) == dt.date(1992, 3, 5)
    for text in ("1992-3/5", "19920305", "1992-03-05T10:00", "１９９２-03-05", "1992-W10-1"):
        assert not pattern.search(text)
        with pytest.raises(convert._Expected):
            convert._date(text, dt.date)
    for path, prop in props.items():
        choices = prop.get("enum") or next(
            (p["enum"] for p in prop.get("anyOf", []) if "enum" in p), None
        )
        if choices is None:
            continue
        target: Any = Candidate
        *parents, leaf = path.split(".")
        for parent in parents:
            tp = typing.get_type_hints(target)[parent]
            args = [a for a in typing.get_args(tp) if a is not type(None)] or [tp]
            target = typing.get_args(args[0])[0] if typing.get_origin(args[0]) is tuple else args[0]
        for value in choices:
            convert.structure_field(target, leaf, value)  # every listed value is accepted


# --- kuaiji init ---

ANSWERS = [
    "王芳",  # 姓名
    "",  # 证件类型: 居民身份证
    ID[:-1] + "1",  # 证件号码: wrong check digit, asked again
    ID_X.lower(),  # 证件号码
    "+86 138 0013 8000",  # 手机号码
    "火星",  # 属地: unknown, asked again
    "北京市朝阳区",  # 属地
    "是",  # 已注册
    "对",  # 已实名认证: not clear, asked again
    "是",
    "本科生",  # 学历层次: unknown, asked again
    "本科",
    "",  # 学习形式: 全日制
    "2012年7月1日",  # 毕业日期
    "会计岗位",  # 工作状态
    "2012-8-1",  # 开始从事会计工作时间
    "某某有限公司",  # 工作单位名称
    "审核通过",  # 采集状态
    "",  # 档案所在地区: as 属地
    "wang.jpg",  # 照片文件
]


def test_init_asks_in_chinese_and_writes_a_valid_file(tmp_path: Path) -> None:
    path = tmp_path / "me.json"
    result = cli("init", str(path), input="\n".join(ANSWERS) + "\n")
    assert result.exit_code == 0, result.output
    for question in ("姓名", "证件类型", "证件号码", "手机号码", "属地", "学历层次", "采集状态"):
        assert question in result.stdout
    # the bad answers were asked again, each with its Chinese message
    assert "id_number：居民身份证号码的校验位（最后一位）不对" in result.stderr
    assert "找不到地区“火星”" in result.stderr
    assert "national_account.real_name_verified：应为 true 或 false" in result.stderr
    assert "education.level：不认识“本科生”；可写 高中、中专、大专、本科" in result.stderr
    assert ID_X not in result.stderr and "0013" not in result.stderr
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    data = json.loads(raw.decode("utf-8"))
    assert data == {
        "name": "王芳",
        "id_type": "resident_id",
        "id_number": ID_X,
        "phone": PHONE,
        "region": "110105",
        "national_account": {"registered": True, "real_name_verified": True},
        "education": [{"mode": "full_time", "level": "bachelor", "graduated": "2012-07-01"}],
        "work": {
            "status": "accounting",
            "accounting_since": "2012-08-01",
            "employer": "某某有限公司",
        },
        "collection": {"status": "approved", "region": "110105"},
        "photo": {"path": "wang.jpg"},
    }
    (tmp_path / "wang.jpg").write_bytes((EXAMPLES / "wang.jpg").read_bytes())
    check = cli("precheck", str(path), "--exam", "中级", "--year", "2026", "--at", AT)
    assert check.exit_code == 0, check.output


def test_init_skips_optional_questions(tmp_path: Path) -> None:
    path = tmp_path / "me.json"
    answers = ["李雷", "护照", "E12345678", "13800138000", "4403", "否", "", "", "", ""]
    result = cli("init", str(path), input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {
        "name": "李雷",
        "id_type": "passport",
        "id_number": "E12345678",
        "phone": PHONE,
        "region": "4403",
        "national_account": {"registered": False, "real_name_verified": False},
        "collection": {"status": "none"},
    }
    assert kuaiji.load_candidate(path).id_type is IdType.PASSPORT


def test_init_does_not_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "me.json"
    path.write_text("mine", encoding="utf-8")
    result = cli("init", str(path), input="\n".join(ANSWERS) + "\n")
    assert result.exit_code == 2
    assert "已存在" in result.stderr and "--force" in result.stderr
    assert "姓名" not in result.stdout  # refused before any question
    assert path.read_text(encoding="utf-8") == "mine"
    forced = cli("init", str(path), "--force", input="\n".join(ANSWERS) + "\n")
    assert forced.exit_code == 0, forced.output
    assert json.loads(path.read_text(encoding="utf-8"))["name"] == "王芳"


def test_init_cancelled_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "me.json"
    result = cli("init", str(path), input="王芳\n\n")  # the input ends: as Ctrl-D
    assert result.exit_code == 1
    assert "已取消，没有写入任何文件" in result.stderr
    assert "Traceback" not in result.output
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_init_refuses_a_missing_folder_a_folder_and_stdout(tmp_path: Path) -> None:
    result = cli("init", str(tmp_path / "nope" / "me.json"))
    assert result.exit_code == 2 and "不存在" in result.stderr
    result = cli("init", str(tmp_path))
    assert result.exit_code == 2 and "是一个文件夹" in result.stderr
    result = cli("init", "-")
    assert result.exit_code == 2 and "init 只写入文件" in result.stderr
    assert list(tmp_path.iterdir()) == []


# --- speed: valid English documents stay on the fast converter ---


def test_valid_documents_never_reach_the_detailed_converter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Detailed:
        def structure(self, *args: Any) -> Any:
            raise AssertionError("structured twice")

    monkeypatch.setattr(convert, "converter", Detailed())
    assert candidate_from_dict(ENGLISH).phone == PHONE
    assert candidate_from_dict(CHINESE).phone == PHONE  # the words are looked up on the way
    with pytest.raises(AssertionError):
        candidate_from_dict(candidate(gender="unknown-ish"))  # errors take the detailed path
