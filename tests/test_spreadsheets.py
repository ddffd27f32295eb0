"""Spreadsheets from Chinese HR (issue #15): CSV in UTF-8 (with or without a BOM) and GBK,
.xlsx read with openpyxl, Chinese column headers, results as CSV or .xlsx that HR can act on
(Chinese headers and verdicts, what to do, by when, where), personal data masked, and which
kuaiji and rule data produced them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from stdnum.cn import ric

from helpers import ROOT, kuaiji
from kuaiji import __version__
from kuaiji.batch.columns import ALIASES, _norm, column_path, csv_fields, csv_record, map_columns
from kuaiji.batch.inputs import open_input
from kuaiji.batch.options import CSV_COLUMNS, VERDICT_ZH, Options, Summary
from kuaiji.batch.output import XlsxWriter
from kuaiji.batch.pool import run
from kuaiji.errors import InputError
from kuaiji.model.clock import parse_at
from kuaiji.model.results import ExamLevel
from kuaiji_cli.main import main

AT = "2026-06-20T10:00"
ARGS = ["--exam", "intermediate", "--year", "2026", "--at", AT, "--jobs", "1"]
ALL = {"KUAIJI_NATIONAL_ONLY": "0"}


def resident_id(region: str, born: str, sequence: str) -> str:
    """A resident ID with a valid check digit (python-stdnum computes it)."""
    body = f"{region}{born}{sequence}"
    return body + ric.calc_check_digit(body + "0")  # the last character is a placeholder


# What an HR department keeps: Chinese headers, Chinese values, a row counter, the general
# 参加工作时间 (read as the start of accounting work), no photo.
HEADER = [
    "序号",
    "姓名",
    "身份证号码",
    "性别",
    "手机号码",
    "所在地区",
    "学历",
    "全日制",
    "毕业时间",
    "参加工作时间",
    "工作单位",
    "工作状态",
    "信息采集状态",
    "档案所在地区",
    "全国平台已注册",
    "已实名认证",
]
PEOPLE = [
    {
        "序号": "1",
        "姓名": "王芳",
        "身份证号码": resident_id("110105", "19900307", "234"),
        "性别": "女",
        "手机号码": "13800138000",
        "所在地区": "110105",
        "学历": "本科",
        "全日制": "是",
        "毕业时间": "2012-07-01",
        "参加工作时间": "2012-08-01",
        "工作单位": "北京某某会计师事务所（特殊普通合伙）",
        "工作状态": "会计工作岗位",
        "信息采集状态": "已审核",
        "档案所在地区": "110105",
        "全国平台已注册": "是",
        "已实名认证": "是",
    },
    {
        "序号": "2",
        "姓名": "李雷",
        "身份证号码": resident_id("440305", "19880202", "123"),
        "性别": "男",
        "手机号码": "13900139000",
        "所在地区": "440305",
        "学历": "本科",
        "全日制": "否",
        "毕业时间": "2010-07-01",
        "参加工作时间": "2010-08-01",
        "工作单位": "深圳市南山区“星河”科技有限公司",
        "工作状态": "会计工作岗位",
        "信息采集状态": "未采集",
        "档案所在地区": "",
        "全国平台已注册": "是",
        "已实名认证": "否",
    },
    {
        "序号": "3",
        "姓名": "赵敏",
        "身份证号码": resident_id("310104", "19920515", "128"),
        "性别": "女",
        "手机号码": "13700137000",
        "所在地区": "310104",
        "学历": "硕士",
        "全日制": "是",
        "毕业时间": "2017-06-30",
        "参加工作时间": "2017-07-15",
        "工作单位": "上海某某集团有限公司",
        "工作状态": "会计工作岗位",
        "信息采集状态": "审核通过",
        "档案所在地区": "310104",
        "全国平台已注册": "是",
        "已实名认证": "是",
    },
]
SECRETS = [p["姓名"] for p in PEOPLE] + [p["身份证号码"] for p in PEOPLE]
SECRETS += [p["手机号码"] for p in PEOPLE]


def write_csv(path: Path, encoding: str, header: list[str] = HEADER) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[person.get(h, "") for h in header] for person in PEOPLE])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[Any]] | None = None) -> Path:
    """As Excel keeps it: a title row above the header, dates as date cells, the phone and
    the region as numbers, a blank row in the middle."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "财务部名单"
    sheet.append(["2026 年会计资格考试报名名单"])
    sheet.append(HEADER)
    for person in PEOPLE:
        row: list[Any] = [person[h] for h in HEADER]
        for column in ("毕业时间", "参加工作时间"):
            row[HEADER.index(column)] = dt.datetime.fromisoformat(person[column])
        for column in ("手机号码", "所在地区", "序号"):
            row[HEADER.index(column)] = int(person[column])
        sheet.append(row)
        if person is PEOPLE[0]:
            sheet.append([])
    for row in rows or []:
        sheet.append(row)
    for number in range(4, 9):  # a template's numbered rows, not filled in: no records
        sheet.append([number])
    book.save(path)
    return path


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=ALL, input=stdin)


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel shows Chinese from a BOM
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def read_xlsx(path: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["结果", "说明"]
    rows = list(book["结果"].iter_rows(values_only=True))
    assert list(rows[0]) == list(CSV_COLUMNS)
    table = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    notes = {row[0]: row[1] for row in book["说明"].iter_rows(values_only=True) if row[0]}
    return table, notes


def check_results(table: list[dict[str, Any]], labels: list[str]) -> None:
    """What HR needs from each row, whatever the input or output format."""
    assert [r["记录"] for r in table] == labels  # records in = records out, in order
    wang, li, zhao = table
    # Approved records give `ready`: the photo is not in a spreadsheet, and with an approved
    # collection record a missing photo is "未提供，未检查", not 缺少证件照.
    assert (wang["结论"], wang["结论代码"]) == ("可以报名", "ready"), wang["问题"]
    assert (zhao["结论"], zhao["结论代码"]) == ("可以报名", "ready"), zhao["问题"]
    assert "未提供，未检查" in wang["问题"] and "缺少证件照" not in wang["问题"]
    assert wang["地区"] == "北京市朝阳区" and wang["地区代码"] == "110105"
    assert (li["结论"], li["结论代码"]) == ("尚未就绪", "not_ready")
    problems = li["问题"].split("\n")
    assert len(problems) >= 2 and all(re.match(r"\d+\. 【", line) for line in problems)
    assert any("【需处理】" in line for line in problems)
    numbers = {line.split(".")[0] for line in problems}
    for column in ("要做的事", "截止时间", "网址"):  # each line numbered like its finding
        lines = li[column].split("\n")
        assert lines and all(line.split(".")[0] in numbers for line in lines), column
    assert re.search(r"\d+\. 2026-\d\d-\d\d \d\d:\d\d", li["截止时间"])
    assert "https://" in li["网址"] and li["来源"]
    for row in table:  # sources as people read them (titles, URLs), never internal keys
        assert not [v for v in row.values() if v and "seed:" in str(v)]
    assert "account.national" in li["规则"].split(";")
    for row in table:
        assert row["姓名"].endswith("*") and "*" in row["身份证号"]
        assert row["生成工具"].startswith(f"kuaiji {__version__}，规则数据 20")
        assert re.search(r"#[0-9a-f]{8}$", row["生成工具"])


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_a_chinese_hr_csv_in_every_encoding_excel_saves(tmp_path: Path, encoding: str) -> None:
    source = write_csv(tmp_path / "名单.csv", encoding)
    out = tmp_path / "result.csv"
    result = invoke("precheck", "--batch", str(source), *ARGS, "--out", str(out))
    assert result.exit_code == 1, result.output
    table = read_csv(out)
    assert list(table[0]) == list(CSV_COLUMNS)
    check_results(table, ["第 2 行", "第 3 行", "第 4 行"])
    text = out.read_text(encoding="utf-8-sig") + result.output
    assert not [s for s in SECRETS if s in text]  # masked everywhere
    assert "共 3 条" in result.stdout and "生成工具：kuaiji" in result.stdout
    expected = "GBK/GB18030" if encoding == "gbk" else "UTF-8"
    assert f"按 {expected} 编码读取" in result.stdout
    assert "未使用的列：序号" in result.stdout


def test_a_chinese_hr_xlsx_to_xlsx_and_csv(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path / "名单.xlsx")
    out = tmp_path / "result.xlsx"
    result = invoke("precheck", "--batch", str(source), *ARGS, "--out", str(out))
    assert result.exit_code == 1, result.output
    table, notes = read_xlsx(out)
    check_results(table, ["第 3 行", "第 5 行", "第 6 行"])  # sheet rows: title, header, gap
    assert notes["记录数"] == 3 and notes["kuaiji 版本"] == __version__
    assert notes["生成工具"].startswith(f"kuaiji {__version__}；")
    assert notes["指纹"] == table[0]["生成工具"].rsplit("#", 1)[1]
    assert "插件 national" in notes and notes["检查时间（北京时间）"] == "2026-06-20 10:00"
    assert notes["「问题」列"] and notes["读取"] == (
        "读取第一个工作表「财务部名单」；表头在第 2 行，其上的行已跳过；未使用的列：序号"
    )
    cells = [str(v) for row in table for v in row.values()] + [str(v) for v in notes.values()]
    assert not [s for s in SECRETS if any(s in c for c in cells)]

    as_csv = tmp_path / "result.csv"
    invoke("precheck", "--batch", str(source), *ARGS, "--out", str(as_csv))
    assert [r["结论代码"] for r in read_csv(as_csv)] == [r["结论代码"] for r in table]

    shown = tmp_path / "shown.xlsx"
    invoke("precheck", "--batch", str(source), *ARGS, "--out", str(shown), "--show-personal-data")
    full, _ = read_xlsx(shown)
    assert [r["姓名"] for r in full] == ["王芳", "李雷", "赵敏"]
    assert full[0]["身份证号"] == PEOPLE[0]["身份证号码"]


def test_an_id_that_excel_stored_as_a_number_is_that_rows_error(tmp_path: Path) -> None:
    lost = dict(PEOPLE[0], 姓名="孙丽", 身份证号码=resident_id("110105", "19850101", "262"))
    row: list[Any] = [lost[h] for h in HEADER]
    row[HEADER.index("身份证号码")] = float(lost["身份证号码"])  # what Excel keeps: 15 digits
    source = write_xlsx(tmp_path / "名单.xlsx", [row])
    out = tmp_path / "result.csv"
    result = invoke("precheck", "--batch", str(source), *ARGS, "--out", str(out))
    assert result.exit_code == 1
    table = read_csv(out)
    assert [r["结论代码"] for r in table] == ["ready", "not_ready", "ready", "error"]
    error = table[3]
    assert error["记录"] == "第 7 行" and error["结论"] == "无法检查"
    assert error["问题"] == "身份证号被 Excel 存成了数字，末几位已丢失；请把该列设为文本后重新输入"
    assert error["要做的事"] and error["姓名"] == "孙*"

    # The same in a CSV that Excel saved from such a sheet: 1.10105E+17.
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, [*row[:2], "1.10105E+17", *row[3:]]])
    source = tmp_path / "exported.csv"
    source.write_bytes(buffer.getvalue().encode("gbk"))
    invoke("precheck", "--batch", str(source), *ARGS, "--out", str(out))
    assert read_csv(out)[0]["问题"].startswith("身份证号被 Excel 存成了数字")


def test_unknown_columns_are_listed_with_the_accepted_names(tmp_path: Path) -> None:
    header = [*HEADER, "部门", "身份证号吗"]
    source = write_csv(tmp_path / "名单.csv", "gbk", header)
    out = tmp_path / "result.csv"
    result = invoke("precheck", "--batch", str(source), *ARGS, "--out", str(out))
    assert result.exit_code == 2
    message = result.stderr
    assert "不认识的列：「部门」、「身份证号吗」" in message
    assert "是不是「身份证号」" in message  # the nearest accepted name
    for accepted in ("姓名", "身份证号码", "手机号码", "所在地区", "信息采集状态", "work.status"):
        assert accepted in message
    assert "Traceback" not in message and not out.exists()  # refused before any output


def test_two_columns_for_one_field_are_refused_but_a_looser_one_gives_way(
    tmp_path: Path,
) -> None:
    source = write_csv(tmp_path / "a.csv", "utf-8", [*HEADER, "手机"])
    result = invoke("precheck", "--batch", str(source), *ARGS)
    assert result.exit_code == 2 and "「手机号码」和「手机」两列都是 phone" in result.stderr

    columns = map_columns(["姓名", "参加工作时间", "开始从事会计工作时间", "序号"])
    assert columns.paths == ("name", None, "work.accounting_since", None)
    assert columns.ignored == ("参加工作时间", "序号")


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("姓名,身份证号码\n王芳,1\n".encode("utf-16"), "UTF-16"),
        (b"name,id_number\n\x80\x80,1\n\x81\x20,2\n", "无法判断"),
        ("姓名\n王芳\n".encode() + "赵敏\n钱多\n".encode("gbk"), "无法判断"),
    ],
)
def test_an_encoding_that_cannot_be_told_is_refused(
    tmp_path: Path, content: bytes, why: str
) -> None:
    source = tmp_path / "名单.csv"
    source.write_bytes(content)
    result = invoke("precheck", "--batch", str(source), *ARGS)
    assert result.exit_code == 2 and why in result.stderr, result.output
    assert "另存为" in result.stderr and "Traceback" not in result.output


def test_a_mostly_utf8_csv_keeps_its_odd_row_as_an_error(tmp_path: Path) -> None:
    good = write_csv(tmp_path / "a.csv", "utf-8").read_bytes()
    odd = "周杰,110105199003072346,,110105\n".encode("gbk")
    source = tmp_path / "b.csv"
    source.write_bytes(good + odd)
    result = invoke("precheck", "--batch", str(source), *ARGS, "--format", "csv")
    table = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert [r["结论代码"] for r in table] == ["ready", "not_ready", "ready", "error"]
    assert "不是 UTF-8 的字节" in table[3]["问题"]


def test_json_lines_keep_english_keys_with_action_url_source_and_provenance(
    tmp_path: Path,
) -> None:
    source = write_csv(tmp_path / "名单.csv", "utf-8-sig")
    out = tmp_path / "result.jsonl"
    result = invoke("precheck", "--batch", str(source), *ARGS, "--out", str(out), "--json")
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["record"] for r in rows] == ["row 2", "row 3", "row 4"]
    assert [r["verdict"] for r in rows] == ["ready", "not_ready", "ready"]
    summary = json.loads(result.stdout)
    produced = summary["produced_by"]
    assert produced["kuaiji"] == __version__ and "national" in produced["plugins"]
    assert produced["text"].startswith("kuaiji ")
    for row in rows:
        assert row["produced_by"] == {
            "kuaiji": __version__,
            "format": produced["format"],
            "data_updated": max(p["data_updated"] for p in produced["plugins"].values()),
            "digest": produced["digest"],
        }
        for finding in row["findings"]:
            assert {"rule", "severity", "message", "action", "deadline", "url", "source"} <= set(
                finding
            )
    actionable = [f for f in rows[1]["findings"] if f["severity"] == "error"]
    assert actionable and all(f["action"] for f in actionable)
    assert any(f["url"] and f["url"].startswith("https://") for f in actionable)
    assert summary["input_notes"] == ["按 UTF-8 编码读取", "未使用的列：序号"]


def test_headers_are_matched_loosely_and_every_field_has_a_chinese_name() -> None:
    headers = [
        " 姓\u3000名 ",
        "ID_Number",
        "*手机号码",
        "Work.Status",
        "\ufeff属地",
        "＊ＥＭＡＩＬ",
    ]
    columns = map_columns(headers)
    assert columns.paths == ("name", "id_number", "phone", "work.status", "region", "email")
    assert column_path("身份证号") == column_path("证件号码") == "id_number"
    assert column_path("手机") == column_path("手机号") == "phone"
    assert column_path("地区") == column_path("所在地区") == column_path("属地") == "region"
    assert set(csv_fields()) == set(ALIASES)  # every column has a Chinese name
    names = [_norm(n) for names in ALIASES.values() for n in names] + [_norm(p) for p in ALIASES]
    assert len(names) == len(set(names))  # and no name means two fields


def test_the_readme_table_lists_exactly_the_accepted_headers() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Batches", 1)[1].split("\n## ", 1)[0]
    documented: dict[str, list[str]] = {}
    for line in section.splitlines():
        found = re.fullmatch(r"\| `([a-z_.]+)` \| (.+) \|", line.strip())
        if found:
            documented[found.group(1)] = [n.strip() for n in found.group(2).split("、")]
    assert documented == {path: list(names) for path, names in ALIASES.items()}


def test_one_education_per_row_and_the_json_cell(tmp_path: Path) -> None:
    record = csv_record({"学历": "本科", "全日制": "否", "毕业时间": "2012-7-1", "姓名": "王芳"})
    assert record == {
        "name": "王芳",
        "education": [{"level": "本科", "mode": "part_time", "graduated": "2012-7-1"}],
    }
    assert csv_record({"education.mode": "full_time", "education.full_time": "否"}) == {
        "education": [{"mode": "full_time"}]
    }
    both = '[{"mode": "full_time", "level": "bachelor"}]'
    with pytest.raises(InputError, match="学历写了两处"):
        csv_record({"education": both, "education.level": "本科"})
    assert csv_record({"学历列表": both})["education"][0]["level"] == "bachelor"


def test_xlsx_cells_formulas_and_odd_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号码", "手机号码", "所在地区", "", "毕业时间"])
    sheet.append(["王芳", PEOPLE[0]["身份证号码"], 13800138000, 110105, None, None])
    sheet.append([None, None, None, None, "多出来的", None])  # content under no header
    sheet.append(["李雷", "110105199003072346", "13800138000", "110105", None, "=1/0"])
    sheet["F4"].value = "#DIV/0!"
    sheet["F4"].data_type = "e"  # what Excel stores for a formula that failed
    sheet.append(["", "  ", None, None, None, None])  # an empty row is not a record
    hostile = sheet.cell(row=6, column=1)
    hostile.value = '=HYPERLINK("http://x","点我")'
    hostile.data_type = "s"  # text that looks like a formula
    sheet.cell(row=6, column=2).value = "110105199003072346"
    sheet.cell(row=6, column=3).value = "13800138000"
    sheet.cell(row=6, column=4).value = "110105"
    sheet.cell(row=6, column=5).value = "+多余"
    source = tmp_path / "odd.xlsx"
    book.save(source)
    out = tmp_path / "result.xlsx"
    result = invoke(
        "precheck", "--batch", str(source), *ARGS, "--out", str(out), "--show-personal-data"
    )
    assert result.exit_code == 1, result.output
    table, _ = read_xlsx(out)
    assert [r["记录"] for r in table] == ["第 2 行", "第 3 行", "第 4 行", "第 6 行"]
    assert table[0]["结论代码"] != "error" and table[0]["姓名"] == "王芳"
    assert table[1]["问题"] == "E 列没有表头却有内容：请给这一列加上表头，或删掉它"
    assert "毕业时间是 Excel 的错误值 #DIV/0!" in table[2]["问题"]
    assert table[3]["问题"].startswith("E 列没有表头")
    result_book = openpyxl.load_workbook(out)
    cell = result_book["结果"]["F5"]  # the hostile name, kept as text
    assert cell.value == '=HYPERLINK("http://x","点我")' and cell.data_type == "s"
    assert cell.quotePrefix


def test_xlsx_cells_are_text_excel_can_hold(tmp_path: Path) -> None:
    out = tmp_path / "w.xlsx"
    writer = XlsxWriter(out)
    writer.append(list(CSV_COLUMNS))
    writer.append(["a\x07b\ud800c", "=1+1", "@x", "x" * 40000, None, 3])
    options = Options(ExamLevel.JUNIOR, 2026, parse_at(AT), "xlsx")
    writer.close(Summary(), options, None)
    row = next(openpyxl.load_workbook(out)["结果"].iter_rows(min_row=2, values_only=True))
    assert row[:3] == ("a\ufffdb\ufffdc", "=1+1", "@x")
    assert len(row[3]) == 32767 and row[3].endswith("（已截断）")
    assert row[4:6] == (None, 3)


def test_missing_openpyxl_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_xlsx(tmp_path / "名单.xlsx")
    csv_source = write_csv(tmp_path / "名单.csv", "gbk")
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl → ImportError
    for args in (
        [str(source)],
        [str(csv_source), "--out", str(tmp_path / "result.xlsx")],
    ):
        result = invoke("precheck", "--batch", *args, *ARGS)
        assert result.exit_code == 2, result.output
        assert 'pip install "kuaiji[xlsx]"' in result.stderr and "openpyxl" in result.stderr
        assert "Traceback" not in result.output


def test_output_format_and_file_name_must_agree(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "名单.csv", "utf-8")
    clash = invoke("precheck", "--batch", str(source), *ARGS, "--format", "csv", "--out", "r.xlsx")
    assert clash.exit_code == 2 and "扩展名 .xlsx" in clash.stderr
    nowhere = invoke("precheck", "--batch", str(source), *ARGS, "--out", "no/such/dir/r.csv")
    assert nowhere.exit_code == 2 and "不存在" in nowhere.stderr
    folder = invoke("precheck", "--batch", str(source), *ARGS, "--out", str(tmp_path))
    assert folder.exit_code == 2 and "是文件夹" in folder.stderr
    old = tmp_path / "名单.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    refused = invoke("precheck", "--batch", str(old), *ARGS)
    assert refused.exit_code == 2 and "另存为 .xlsx" in refused.stderr


def test_format_xlsx_is_accepted_by_the_command(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path / "名单.xlsx")
    out = tmp_path / "result.xlsx"
    result = invoke(
        "precheck", "--batch", str(source), *ARGS, "--format", "xlsx", "--out", str(out)
    )
    assert result.exit_code == 1, result.output
    table, _ = read_xlsx(out)
    assert len(table) == 3


def test_a_gbk_csv_on_stdin_and_several_workers(tmp_path: Path) -> None:
    content = write_csv(tmp_path / "名单.csv", "gbk").read_bytes()
    piped = invoke("precheck", "--batch", "-", *ARGS, "--format", "csv", stdin=content)
    table = list(csv.DictReader(io.StringIO(piped.stdout.lstrip("\ufeff"))))
    assert [r["结论代码"] for r in table] == ["ready", "not_ready", "ready"]
    zip_bytes = write_xlsx(tmp_path / "名单.xlsx").read_bytes()
    refused = invoke("precheck", "--batch", "-", *ARGS, stdin=zip_bytes)
    assert refused.exit_code == 2 and ".xlsx" in refused.stderr

    out = tmp_path / "result.csv"
    source = str(tmp_path / "名单.xlsx")
    args = [a for a in ARGS if a not in ("--jobs", "1")]
    result = invoke("precheck", "--batch", source, *args, "--jobs", "2", "--out", str(out))
    assert result.exit_code == 1, result.output
    assert [r["结论代码"] for r in read_csv(out)] == ["ready", "not_ready", "ready"]


def test_the_api_reads_and_writes_the_same_tables(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "名单.csv", "gbk")
    lines: list[str] = []
    options = Options(ExamLevel.INTERMEDIATE, 2026, parse_at(AT), "csv")
    summary = run(open_input(str(source)), options, lines.append)
    table = list(csv.DictReader(io.StringIO("".join(lines).lstrip("\ufeff"))))
    assert summary.records == len(table) == 3
    assert summary.produced_by is not None and summary.produced_by["digest"]
    assert {r["结论"] for r in table} <= set(VERDICT_ZH.values())


# --- CSV cells and encodings that used to break the batch (found in review): headers by
# field path, the default number of workers ---

WORKERS_ARGS = ["--exam", "intermediate", "--year", "2026", "--at", AT]
PATH_HEADER = ["name", "id_number", "phone", "region", "work.status", "work.social_security_months"]


def _csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def test_csv_cells_that_used_to_crash_become_error_rows(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "c.csv",
        [
            PATH_HEADER,
            ["王\n芳", "110105199003072346", "13800138000", "110105", "accounting", "²"],
            ["李雷", "110105199003072346", "13800138000", "110105", "accounting", "12"],
            [
                '=HYPERLINK("http://x")',
                "110105199003072346",
                "13800138000",
                "110105",
                "accounting",
                "24",
            ],
        ],
    )
    result = kuaiji(
        "precheck",
        "--batch",
        str(path),
        *WORKERS_ARGS,
        "--format",
        "csv",
        "--show-personal-data",
        env=ALL,
    )
    assert result.returncode == 1, result.stderr
    table = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert [r["记录"] for r in table] == ["第 2 行", "第 4 行", "第 5 行"]  # where each starts
    assert table[0]["结论代码"] == "error" and "social_security_months" in table[0]["问题"]
    assert table[2]["姓名"].startswith("'=")  # shown as text, never run as a formula


def test_a_gbk_csv_is_read_and_a_stray_gbk_row_in_utf8_is_reported(tmp_path: Path) -> None:
    person = ["王芳", "110105199003072346", "13800138000", "110105", "accounting", "12"]
    path = _csv(tmp_path / "gbk.csv", [PATH_HEADER, person], "gbk")  # what Excel saves in China
    result = kuaiji("precheck", "--batch", str(path), *WORKERS_ARGS, env=ALL)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    row = json.loads(result.stdout)
    assert row["verdict"] == "not_ready" and row["name"] == "王*"
    mixed = tmp_path / "mixed.csv"
    text = _csv(tmp_path / "u.csv", [PATH_HEADER, person, person], "utf-8").read_bytes()
    mixed.write_bytes(text + ",".join(person).encode("gbk") + b"\n")
    rows = kuaiji("precheck", "--batch", str(mixed), *WORKERS_ARGS, env=ALL).stdout.splitlines()
    last = json.loads(rows[-1])
    assert len(rows) == 3 and last["verdict"] == "error" and "UTF-8" in last["error"]
