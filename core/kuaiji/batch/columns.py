"""Spreadsheet columns: which header names which candidate field (in Chinese or as a field
path), where the header row is, and how a row's cells become a candidate document."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import json
import re
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import attrs

from kuaiji.batch.options import (
    ENCODING_ZH,
    MAX_CELL,
    MAX_LINE,
    RESAVE,
    ROW_ERROR,
    TOO_LONG_CELL,
    Item,
)
from kuaiji.errors import InputError, Problem

# --- spreadsheet columns ---

# Chinese names accepted as column headers, besides the field paths themselves; the first is
# the one used in messages. Headers are matched without spaces (full-width ones too), a
# leading or trailing *, and case (for English).
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "考生姓名"),
    "id_number": ("身份证号", "身份证号码", "证件号码", "证件号", "身份证"),
    "phone": ("手机号码", "手机", "手机号", "移动电话"),
    "region": ("地区", "所在地区", "属地", "所属地区", "报名地区"),
    "id_type": ("证件类型",),
    "gender": ("性别",),
    "birth_date": ("出生日期",),
    "email": ("电子邮箱", "邮箱", "电子邮件"),
    "national_account.registered": ("全国平台已注册", "已注册全国平台"),
    "national_account.real_name_verified": ("已实名认证", "实名认证"),
    "photo.path": ("照片", "证件照", "照片文件"),
    "photo.receipt_code": ("照片回执码", "回执码"),
    "photo.size_bytes": ("照片大小", "照片字节数"),
    "photo.width": ("照片宽度", "照片宽"),
    "photo.height": ("照片高度", "照片高"),
    "photo.format": ("照片格式",),
    "education": ("学历列表",),
    "education.level": ("学历", "最高学历"),
    "education.mode": ("学习形式", "学习方式"),
    "education.full_time": ("全日制", "是否全日制"),
    "education.graduated": ("毕业时间", "毕业日期"),
    "education.major": ("专业", "所学专业"),
    "education.school": ("毕业院校", "毕业学校"),
    "work.status": ("工作状态", "在岗状态"),
    "work.employer": ("工作单位", "单位名称", "工作单位名称"),
    "work.uscc": ("统一社会信用代码", "单位统一社会信用代码"),
    "work.accounting_since": (
        "开始从事会计工作时间",
        "从事会计工作时间",
        "参加会计工作时间",
        "参加工作时间",
    ),
    "work.social_security_months": ("社保月数", "社保缴纳月数"),
    "work.post": ("会计工作岗位", "从事会计工作岗位"),
    "work.admin_position": ("会计行政职务", "行政职务"),
    "work.title": ("会计专业技术职务", "职称"),
    "work.title_appointed": ("职务聘任时间", "聘任时间"),
    "work.industry": ("所属行业", "行业"),
    "work.economic_type": ("单位经济类型", "经济类型"),
    "work.address": ("单位地址",),
    "work.phone": ("单位电话",),
    "work.residence_address": ("居住地址", "现居住地址"),
    "work.school": ("在读学校", "就读学校"),
    "qualifications": ("已取得资格", "资格证书"),
    "collection.status": ("信息采集状态", "采集状态"),
    "collection.region": ("档案所在地区", "信息采集地区", "采集地区"),
    "collection.updated": ("信息采集时间", "采集时间"),
    "continuing_education": ("继续教育",),
    "attachments.id_card_front": ("身份证人像面",),
    "attachments.id_card_back": ("身份证国徽面",),
    "attachments.student_card": ("学生证明",),
    "attachments.transfer_proof": ("调转证明",),
    "provincial_review.status": ("资格审核状态", "省级资格审核状态"),
    "provincial_review.applied": ("资格审核申请时间",),
    "exemption": ("免试学位", "申请免试"),
    "foreign": ("外籍人员", "外籍"),
}
# A looser name that gives way when a column with a stricter one is there too: HR sheets
# often have both 参加工作时间 (any work) and 从事会计工作时间 (what the exams count).
WEAK_ALIASES = frozenset({"参加工作时间"})
IGNORED_COLUMNS = ("序号",)  # a row counter, not candidate data
# One row per person may describe one education: these columns make a one-element
# ``education`` list (``education`` itself, a JSON array in one cell, stays accepted).
EDUCATION_COLUMNS = (
    "education.level",
    "education.mode",
    "education.full_time",
    "education.graduated",
    "education.major",
    "education.school",
)
# Text columns made of digits, which Excel turns into numbers (and rounds past 15 digits).
DIGIT_COLUMNS = frozenset(
    {"id_number", "phone", "region", "work.uscc", "work.phone", "collection.region"}
)

# --- spreadsheet columns ---


def _norm(header: str) -> str:
    """A header as matched: NFKC (full-width letters and spaces made plain), no spaces
    anywhere, no leading or trailing ``*`` (a required-field mark), lower case."""
    import unicodedata

    text = unicodedata.normalize("NFKC", header.replace("\ufeff", ""))
    return "".join(text.split()).strip("*").lower()


@functools.cache
def _header_index() -> dict[str, str]:
    index = {_norm(path): path for path in csv_fields()}
    for path, names in ALIASES.items():
        for name in names:
            index[_norm(name)] = path
    return index


def column_path(header: str) -> str | None:
    """The field path a column header names (``身份证号码`` → ``id_number``), else None."""
    return _header_index().get(_norm(header))


def accepted_columns() -> str:
    """Every accepted header, in Chinese, for messages: ``姓名、考生姓名（name）；…``."""
    return "；".join(f"{'、'.join(ALIASES.get(p, ()))}（{p}）" for p in csv_fields())


@attrs.frozen
class Columns:
    """A spreadsheet's header: the field path of each column (None: left out, "": blank)."""

    paths: tuple[str | None, ...]
    headers: tuple[str, ...]
    ignored: tuple[str, ...] = ()


def map_columns(headers: Sequence[object]) -> Columns:
    """Each header's field path; unknown or repeated columns are refused (exit 2) with the
    accepted names, in Chinese."""
    from kuaiji.io.masking import printable  # headers are quoted in messages and notes

    index = _header_index()
    ignored_names = {_norm(n) for n in IGNORED_COLUMNS}
    texts = tuple("" if h is None else printable(str(h).strip()) for h in headers)
    paths: list[str | None] = []
    unknown: list[str] = []
    ignored: list[str] = []
    seen: dict[str, int] = {}  # path → the column holding it
    twice: list[tuple[str, str, str]] = []
    for number, text in enumerate(texts):
        key = _norm(text)
        if not key:
            paths.append("")
            continue
        if key in ignored_names:
            paths.append(None)
            ignored.append(text)
            continue
        path = index.get(key)
        if path is None:
            unknown.append(text)
            paths.append(None)
            continue
        if path in seen:
            other = seen[path]
            weak, other_weak = key in _WEAK, _norm(texts[other]) in _WEAK
            if weak and not other_weak:
                paths.append(None)
                ignored.append(text)
                continue
            if other_weak and not weak:
                paths[other] = None
                ignored.append(texts[other])
            else:
                twice.append((texts[other], text, path))
        seen[path] = number
        paths.append(path)
    problems = []
    if unknown:
        import difflib  # only to suggest a name (not loaded by a batch that reads well)

        hints = []
        names = list(index)
        for text in unknown:
            close = difflib.get_close_matches(_norm(text), names, n=1, cutoff=0.6)
            if close:
                hints.append(f"「{text}」是不是「{_display(close[0])}」？")
        problems.append(
            Problem(
                "--batch",
                "不认识的列：" + "、".join(f"「{t}」" for t in unknown) + "。" + "".join(hints),
                "删除这些列，或把表头改成下列名称之一（中文名或英文字段名，不分大小写，"
                "空格不计）：" + accepted_columns(),
            )
        )
    for a, b, path in twice:
        problems.append(
            Problem(
                "--batch",
                f"「{a}」和「{b}」两列都是 {path}",
                "只保留其中一列",
            )
        )
    if problems:
        raise InputError(problems)
    return Columns(tuple(paths), texts, tuple(ignored))


_WEAK = frozenset(_norm(n) for n in WEAK_ALIASES)


def _display(key: str) -> str:
    """A normalised header as people wrote it in :data:`ALIASES` (or the field path)."""
    for names in ALIASES.values():
        for name in names:
            if _norm(name) == key:
                return name
    return key


def letter(index: int) -> str:
    """Column letters as spreadsheets show them: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_name(path: str) -> str:
    names = ALIASES.get(path)
    return names[0] if names else path


class RowProblem(Exception):
    """A cell that makes its row unreadable; the message is Chinese."""


class _Table(Iterator[Item]):
    """The records of a spreadsheet, one per non-empty row after the header; ``notes`` say
    how it was read."""

    def __init__(self, items: Iterator[Item], notes: tuple[str, ...]) -> None:
        self._items = items
        self.notes = notes

    def __next__(self) -> Item:
        return next(self._items)

    def close(self) -> None:
        close = getattr(self._items, "close", None)
        if close is not None:
            close()


HEADER_SEARCH = 20  # non-empty rows searched for the header (below a title, a date, …)


def find_header(
    rows: Iterator[tuple[int, Sequence[Any]]],
) -> tuple[int, Sequence[Any]] | None:
    """The header row and its number: the first non-empty row naming a known column (rows
    above it — a title, a date — are skipped), else the first non-empty row (whose unknown
    columns are then refused). Only the first :data:`HEADER_SEARCH` non-empty rows are
    searched; the rows after the header stay unread in ``rows``."""
    index = _header_index()
    first: tuple[int, Sequence[Any]] | None = None
    seen = 0
    for number, row in rows:
        texts = [_norm(str(v)) for v in row if v is not None and str(v).strip()]
        if not texts:
            continue
        if any(t in index for t in texts):
            return number, row
        first = first or (number, row)
        seen += 1
        if seen >= HEADER_SEARCH:
            break
    return first


def header_notes(number: int, columns: Columns) -> list[str]:
    notes = [f"表头在第 {number} 行，其上的行已跳过"] if number > 1 else []
    if columns.ignored:
        notes.append("未使用的列：" + "、".join(columns.ignored))
    return notes


def row_item(
    label: str,
    cells: Sequence[Any],
    columns: Columns,
    base_dir: str,
    convert: Callable[[str, Any], str | None],
) -> Item | None:
    """A row as an item (None when every cell is empty, or only a left-out column such as
    序号 is filled: not a record)."""
    payload: dict[str, str] = {}
    problems: list[str] = []
    filled = False
    paths = columns.paths
    for number, value in enumerate(cells):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        path = paths[number] if number < len(paths) else ""
        if path is None:  # a column left out: 序号 (alone, no record), or a looser duplicate
            continue
        if path == "":
            filled = True
            problems.append(f"{letter(number)} 列没有表头却有内容：请给这一列加上表头，或删掉它")
            continue
        filled = True
        try:
            text = convert(path, value)
        except RowProblem as exc:
            problems.append(str(exc))
            continue
        if text is not None:
            payload[path] = text
    if not filled:
        return None
    if problems:
        payload[ROW_ERROR] = "；".join(problems)
    return Item(label, payload, base_dir)


_SURROGATE = re.compile("[\udc80-\udcff]")
_E_NOTATION = re.compile(r"[0-9](\.[0-9]+)?[eE]\+?[0-9]+")


def lost_digits(path: str) -> str:
    return f"{column_name(path)}被 Excel 存成了数字，末几位已丢失；请把该列设为文本后重新输入"


def csv_cell(path: str, value: str) -> str:
    if path in DIGIT_COLUMNS and _E_NOTATION.fullmatch(value.strip()):
        raise RowProblem(lost_digits(path))  # Excel wrote 1.10105E+17
    return value


def csv_items(lines: Iterable[str], base_dir: str, encoding: str) -> _Table:
    """The records of a CSV (its header read now, so that bad columns fail at once). A row
    that cannot be read — a cell over :data:`MAX_CELL` characters, a line over
    :data:`MAX_LINE` bytes (:data:`TOO_LONG_CELL` stands for it), bytes of another
    encoding — is that row's error; the rows before and after it are read as usual."""
    csv.field_size_limit(MAX_CELL)
    reader = csv.reader(lines)

    def numbered() -> Iterator[tuple[int, Sequence[Any] | str]]:
        """Rows with the line each starts on (a cell may hold line breaks); a row the
        reader refuses is the reason, in Chinese."""
        while True:
            number = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield number, _csv_problem(exc)
                continue
            yield number, row

    def header_rows() -> Iterator[tuple[int, Sequence[Any]]]:
        for number, row in numbered():
            if isinstance(row, str):
                raise InputError.single(
                    "--batch", f"CSV 表头无法读取（第 {number} 行）：{row}", "检查文件开头的几行"
                )
            yield number, row

    found = find_header(header_rows())
    if found is None:
        return _Table(iter(()), ())
    number, header = found
    if _SURROGATE.search("".join(header)) is not None:
        raise InputError.single(
            "--batch", f"CSV 表头里有不是 {ENCODING_ZH[encoding]} 的字节", RESAVE
        )
    columns = map_columns(header)
    notes = [f"按 {ENCODING_ZH[encoding]} 编码读取", *header_notes(number, columns)]
    bad = f"这一行有不是 {ENCODING_ZH[encoding]} 的字节，无法读取：请把整个文件{RESAVE}"
    long_line = f"这一行超过 {MAX_LINE >> 20} MB，没有读取：请改正或删去这一行"

    def items() -> Iterator[Item]:
        for row_number, row in numbered():
            label = f"row {row_number}"
            if isinstance(row, str):
                yield Item(label, {ROW_ERROR: row}, base_dir)
                continue
            joined = "".join(row)
            if "\x00" in joined and TOO_LONG_CELL in joined:
                yield Item(label, {ROW_ERROR: long_line}, base_dir)
                continue
            if _SURROGATE.search(joined) is not None:  # bytes of another encoding
                yield Item(label, {ROW_ERROR: bad}, base_dir)
                continue
            item = row_item(label, row, columns, base_dir, csv_cell)
            if item is not None:
                yield item

    return _Table(items(), tuple(notes))


def _csv_problem(exc: csv.Error) -> str:
    """Why the csv module refused a row, in Chinese."""
    if "field larger than field limit" in str(exc):
        return f"这一行有一格超过 {MAX_CELL:,} 个字符，没有读取：请改正或删去这一格"
    return f"这一行不是有效的 CSV（{type(exc).__name__}），没有读取：请改正这一行"


# --- CSV columns ---


def csv_fields() -> dict[str, Any]:
    """Every spreadsheet column accepted by field path, and its type. Lists (education,
    continuing_education, qualifications) are JSON arrays in one cell; ``education.level``,
    ``education.mode`` (or ``education.full_time``, yes/no), ``education.graduated``,
    ``education.major`` and ``education.school`` describe a one-element ``education``."""
    return _csv_fields()


@functools.cache
def _csv_fields() -> dict[str, Any]:
    from kuaiji.model.candidate import Candidate, Education

    out: dict[str, Any] = {}

    def walk(cls: type, prefix: str) -> None:
        hints = typing.get_type_hints(cls)
        for field in attrs.fields(cls):
            tp = hints[field.name]
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            inner = args[0] if len(args) == 1 and typing.get_origin(tp) is not tuple else tp
            if attrs.has(inner):
                walk(inner, f"{prefix}{field.name}.")
            else:
                out[f"{prefix}{field.name}"] = inner
            if field.name == "education" and not prefix:
                hints_e = typing.get_type_hints(Education)
                for sub in ("level", "mode"):
                    out[f"education.{sub}"] = hints_e[sub]
                out["education.full_time"] = bool
                for sub in ("graduated", "major", "school"):
                    out[f"education.{sub}"] = dt.date if sub == "graduated" else str

    walk(Candidate, "")
    return out


_TRUE = {"true", "1", "yes", "y", "是", "对"}
_FALSE = {"false", "0", "no", "n", "否", "不"}
_FULL_TIME = {"true": "full_time", "false": "part_time"}


def csv_record(row: dict[str, str]) -> dict[str, Any]:
    """A spreadsheet row (field path or Chinese header → cell) as a candidate document:
    dotted paths nest, typed by the schema; empty cells are absent; a cell with a JSON array
    is a list; the ``education.*`` columns make a one-element ``education`` list."""
    fields = csv_fields()
    data: dict[str, Any] = {}
    education: dict[str, Any] = {}
    for key, cell in row.items():
        text = (cell or "").strip()
        if not text:
            continue
        if key not in fields:
            key = column_path(key) or key
        value: Any = text
        tp = fields.get(key)
        if typing.get_origin(tp) is tuple:
            value = _json_cell(key, text)
        elif tp is bool:
            if text.lower() in _TRUE:
                value = True
            elif text.lower() in _FALSE:
                value = False
        elif tp is int:
            with contextlib.suppress(ValueError):  # "²".isdigit() is True, int("²") is not
                value = int(text)
        elif tp is float:
            with contextlib.suppress(ValueError):
                value = float(text)
        if key.startswith("education."):
            leaf = key.partition(".")[2]
            if leaf == "full_time":
                if isinstance(value, bool):
                    value = _FULL_TIME[str(value).lower()]
                education.setdefault("mode", value)
            else:
                education[leaf] = value
            continue
        target = data
        *parents, leaf = key.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    if education:
        if "education" in data:
            raise InputError.single(
                "education",
                "学历写了两处：「学历列表」（JSON）和「学历」「学习形式」「毕业时间」等列",
                "只填其中一处",
            )
        data["education"] = [education]
    return data


def _json_cell(key: str, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise InputError.single(
            key,
            f"「{column_name(key)}」这一格应是 JSON 数组",
            '例如 [{"mode": "full_time", "level": "bachelor"}]',
        ) from None
