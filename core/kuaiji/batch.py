"""Batch prechecks: thousands to a million candidates, streamed, in order, in parallel.

Input: JSON Lines (one candidate a line), a spreadsheet — CSV (UTF-8 with or without a BOM,
or GBK/GB18030 as Excel saves it in China; detected) or an Excel ``.xlsx`` workbook (its
first sheet; needs openpyxl, ``pip install "kuaiji[xlsx]"``) with one candidate a row and the
columns named by field path or in Chinese (:data:`ALIASES`) — or a folder of candidate JSON
files. Output: one result per input record, in input order, as JSON Lines (stable English
keys) or as a table for people (CSV, UTF-8 with a BOM for Excel, or ``.xlsx``) with Chinese
headers and, per finding, what to do, by when and where. A record that cannot be read or
checked becomes an ``error`` result naming its line or row and the reason; the batch goes
on. Records in = records out. Every result says which kuaiji and which rule data produced it.

Work is cut into chunks that worker processes check (each builds the plugin registry once);
at most a few chunks are in flight, so memory does not grow with the input.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import csv
import datetime as dt
import functools
import io
import itertools
import json
import math
import os
import re
import signal
import sys
import threading
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from kuaiji import clock
from kuaiji.errors import InputError, KuaijiError, Problem
from kuaiji.masking import mask_id, mask_name, mask_phone
from kuaiji.records import ExamLevel

CHUNK = 500  # records per task: ~0.6 MB of results each (findings carry action, url, source)
NOT_UTF8 = "\x00unreadable: 这一行不是 UTF-8 文本"  # a JSON line or file that is not UTF-8
ROW_ERROR = "\x00error"  # in a spreadsheet row: what made it unreadable (Chinese)
FORMATS = ("jsonl", "csv", "xlsx")
PERSONAL = ("name", "id_number", "phone")
MAX_CELL = 1 << 20  # characters in one CSV cell
XLSX_MAX_CELL = 32767  # characters Excel keeps in a cell
XLSX_MAX_ROWS = 1048576  # rows of an Excel sheet
SAMPLE = 4 << 20  # bytes of a CSV read to tell its encoding

VERDICT_ZH = {
    "ready": "可以报名",
    "pending": "待审核",
    "not_ready": "尚未就绪",
    "too_late": "已来不及",
    "error": "无法检查",
}
SEVERITY_ZH = {"error": "需处理", "pending": "待审核", "warning": "注意", "info": "提示"}

# The columns of a CSV or xlsx result: a stable id and the header people read.
TABLE_COLUMNS = (
    ("record", "记录"),
    ("verdict_zh", "结论"),
    ("verdict", "结论代码"),
    ("region_name", "地区"),
    ("region", "地区代码"),
    ("name", "姓名"),
    ("id_number", "身份证号"),
    ("problems", "问题"),
    ("actions", "要做的事"),
    ("deadlines", "截止时间"),
    ("urls", "网址"),
    ("sources", "来源"),
    ("rules", "规则"),
    ("produced_by", "生成工具"),
)
CSV_COLUMNS = tuple(zh for _, zh in TABLE_COLUMNS)
TABLE_NOTES = {  # what each result column holds (the xlsx sheet 说明, the README)
    "记录": "输入中的位置：第几行（表格的行号，表头是第 1 行）或文件名",
    "结论": "可以报名 / 待审核 / 尚未就绪 / 已来不及 / 无法检查（输入有误）",
    "结论代码": "结论的英文代码：ready / pending / not_ready / too_late / error",
    "地区": "属地（报名地区）的名称",
    "地区代码": "属地的 GB/T 2260 行政区划代码",
    "姓名": "已遮盖（--show-personal-data 时显示全名）",
    "身份证号": "已遮盖（--show-personal-data 时显示全部）",
    "问题": "每条一行，带编号和轻重：需处理、待审核、注意、提示；无法检查时是原因",
    "要做的事": "与「问题」同编号：该做什么",
    "截止时间": "与「问题」同编号：最晚何时办完（北京时间）",
    "网址": "与「问题」同编号：去哪里办",
    "来源": "与「问题」同编号：依据（通知、文件）",
    "规则": "规则代码（见 README「Rule ids」），以分号分隔",
    "生成工具": "kuaiji 版本、规则数据日期和指纹；详情见汇总或 xlsx 的「说明」表",
}

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


@attrs.frozen
class Options:
    exam: ExamLevel
    year: int
    at: dt.datetime
    output: str = "jsonl"  # jsonl | csv | xlsx (xlsx: a JSON array of cells a line)
    show_personal_data: bool = False


class Item(typing.NamedTuple):
    """One input record, not yet parsed: where it is, and its text or spreadsheet row
    (field path → cell text)."""

    label: str  # "line 12", "row 3", or a file name
    payload: str | dict[str, str]
    base_dir: str


@attrs.frozen
class Result:
    """What the parent needs of a checked record: its output line and the counts."""

    label: str
    verdict: str  # ready | pending | not_ready | too_late | error
    region: str  # the province (or "未知")
    rules: tuple[str, ...]
    line: str  # the JSON line, or the CSV row, ready to write
    plugin_failed: bool = False


# --- reading ---


class Span(typing.NamedTuple):
    """A byte range of a JSON Lines file that a worker reads itself (the parent only finds
    the line boundaries, so little crosses between processes)."""

    path: str
    start: int
    end: int
    first_line: int
    base_dir: str


Task = list[Item] | Span


@attrs.frozen
class Input:
    """Where the records come from: ``tasks(size)`` cuts them into chunks of about ``size``
    records; ``fraction()`` says how much has been handed out (None when unknown).
    ``notes`` says how a spreadsheet was read (encoding, columns left out), in Chinese."""

    tasks: Callable[[int], Iterator[Task]]
    fraction: Callable[[], float | None]
    notes: tuple[str, ...] = ()


def open_input(source: str) -> Input:
    """The records of ``source``: a .jsonl (or .ndjson), .csv or .xlsx file, a folder of
    .json files, or ``-`` for stdin (JSON Lines if it starts with ``{``, else CSV). A
    spreadsheet's header is read here, so that bad columns are refused before any output."""
    if source == "-":
        return _stdin_input()
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".json" and p.is_file())
        done = [0]

        def folder() -> Iterator[Item]:
            for file in files:
                done[0] += 1
                yield Item(file.name, _read_text(file), str(path))

        return Input(
            lambda size: _chunks(folder(), size), lambda: done[0] / len(files) if files else 1.0
        )
    if not path.is_file():
        raise InputError.single(
            "--batch",
            f"找不到文件或文件夹 {source!r}",
            "给出 .jsonl、.csv 或 .xlsx 文件、装有 .json 文件的文件夹，或用 - 表示标准输入",
        )
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise InputError.single(
            "--batch",
            f"无法读取 {source!r}（{exc.strerror or type(exc).__name__}）",
            "检查文件权限",
        ) from None
    suffix = path.suffix.lower()
    base = str(path.resolve().parent)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_input(path, base)
    if suffix in (".xls", ".et", ".ods", ".numbers"):
        raise InputError.single(
            "--batch",
            f"不能直接读取 {suffix} 文件",
            "用 Excel 或 WPS 打开后另存为 .xlsx 或 CSV（逗号分隔）再试",
        )
    if suffix == ".csv":
        return _csv_input(path, base)
    if suffix == ".json":  # one candidate file (pretty-printed over many lines)
        done = [0]

        def single() -> Iterator[Item]:
            done[0] = 1
            yield Item(path.name, _read_text(path), base)

        return Input(lambda size: _chunks(single(), size), lambda: float(done[0]))
    size = path.stat().st_size or 1
    handed = [0]

    def spans(count: int) -> Iterator[Task]:
        for span in _spans(path, count, base):
            handed[0] = span.end
            yield span

    return Input(spans, lambda: min(handed[0] / size, 1.0))


def _stdin_input() -> Input:
    base = str(Path.cwd())
    raw: IO[bytes] | None = getattr(sys.stdin, "buffer", None)
    if raw is None:  # a text stream without bytes underneath (an embedding program's)
        return _stdin_text(base)
    skipped = b""
    bom = False
    while True:  # blank lines and a BOM before the first record
        byte = raw.read(1)
        if byte == b"\xef":
            rest = raw.read(2)
            if rest == b"\xbb\xbf":
                bom = True
                continue
            byte += rest  # a character, not a BOM
        if not byte or not byte.isspace():
            break
        skipped += byte
    head = skipped + byte + (raw.readline() if byte else b"")
    lines = itertools.chain(head.splitlines(keepends=True), raw)
    if byte[:1] in (b"{", b"[", b""):
        reader = _jsonl_items(_utf8_lines(lines), base)
        return Input(lambda size: _chunks(reader, size), lambda: None)
    if head.startswith(b"PK\x03\x04"):
        raise InputError.single(
            "--batch",
            "标准输入是 .xlsx 之类的压缩文件，不能从标准输入读取",
            "把 .xlsx 的文件路径直接交给 --batch",
        )
    sample = list(_sample_lines(lines))
    encoding = _detect(sample, bom=bom)
    decoded = _decoded(itertools.chain(sample, lines), encoding)
    reader = _csv_items(decoded, base, encoding)
    return Input(lambda size: _chunks(reader, size), lambda: None, reader.notes)


def _stdin_text(base: str) -> Input:
    stream = sys.stdin
    skipped = ""
    while (char := stream.read(1)) and (char.isspace() or char == "\ufeff"):
        skipped += char  # blank lines and a BOM before the first record
    head = skipped + char + (stream.readline() if char else "")
    lines = itertools.chain(head.splitlines(keepends=True), stream)
    if char in ("{", "[", ""):
        reader: Iterator[Item] = _jsonl_items(lines, base)
        return Input(lambda size: _chunks(reader, size), lambda: None)
    table = _csv_items(_without_bom(lines), base, "utf-8")
    return Input(lambda size: _chunks(table, size), lambda: None, table.notes)


def _utf8_lines(lines: Iterable[bytes]) -> Iterator[str]:
    for line in lines:
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            yield NOT_UTF8  # kept as a record that cannot be read, never guessed at


def _spans(path: Path, lines_per_span: int, base_dir: str) -> Iterator[Span]:
    """Cut a file into spans of ``lines_per_span`` lines, reading it in large blocks."""
    start = 0
    line = 1
    pending = 0  # newlines counted since ``start``
    offset = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            position = 0
            while True:
                found = block.find(b"\n", position)
                if found < 0:
                    break
                pending += 1
                position = found + 1
                if pending == lines_per_span:
                    end = offset + position
                    yield Span(str(path), start, end, line, base_dir)
                    start, line, pending = end, line + pending, 0
            offset += len(block)
    if offset > start:
        yield Span(str(path), start, offset, line, base_dir)


def _utf8(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _span_items(span: Span) -> list[Item]:
    with open(span.path, "rb") as handle:  # noqa: PTH123 - a worker reads its own range
        handle.seek(span.start)
        data = handle.read(span.end - span.start)
    try:
        lines: list[str | None] = list(data.decode("utf-8").split("\n"))
    except UnicodeDecodeError:  # line by line: only the lines that are not UTF-8 are lost
        lines = [_utf8(raw) for raw in data.split(b"\n")]
    items = []
    for number, line in enumerate(lines, span.first_line):
        if line is None:
            # Kept as a record that cannot be read (e.g. a GBK line), never guessed at.
            items.append(Item(f"line {number}", NOT_UTF8, span.base_dir))
            continue
        if number == 1:
            line = line.lstrip("\ufeff")
        if line.strip():
            items.append(Item(f"line {number}", line, span.base_dir))
    return items


def _closing(items: Iterator[Item], handle: Any) -> Iterator[Item]:
    try:
        yield from items
    finally:
        handle.close()


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return f"\x00unreadable: 无法读取（{type(exc).__name__}）"


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    for number, line in enumerate(lines):
        yield line.lstrip("\ufeff") if number == 0 else line


def _jsonl_items(lines: Iterable[str], base_dir: str) -> Iterator[Item]:
    for number, line in enumerate(lines, 1):
        if number == 1:
            line = line.lstrip("\ufeff")  # a BOM (some Windows editors write one)
        if line.strip():
            yield Item(f"line {number}", line, base_dir)


# --- CSV: the encoding ---

ENCODING_ZH = {"utf-8": "UTF-8", "gb18030": "GBK/GB18030"}
_RESAVE = "在 Excel 或 WPS 中“另存为”“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”后再试"


def _csv_input(path: Path, base: str) -> Input:
    size = path.stat().st_size or 1
    raw = path.open("rb")
    try:
        head = raw.read(SAMPLE)
        lines = head.splitlines(keepends=True)
        if len(head) == SAMPLE and lines and not lines[-1].endswith((b"\n", b"\r")):
            lines.pop()  # a line cut by the sample's end
        encoding = _detect(lines, bom=head.startswith(b"\xef\xbb\xbf"))
        raw.seek(0)
        reader = _csv_items(_decoded(raw, encoding), base, encoding)
    except BaseException:
        raw.close()
        raise

    def fraction() -> float | None:
        try:
            return min(raw.tell() / size, 1.0) if not raw.closed else 1.0
        except (OSError, ValueError):
            return None

    items = _closing(reader, raw)
    return Input(lambda count: _chunks(items, count), fraction, reader.notes)


def _sample_lines(lines: Iterator[bytes]) -> Iterator[bytes]:
    """The first lines of a stream, up to :data:`SAMPLE` bytes (the rest stays unread)."""
    size = 0
    for line in lines:
        yield line
        size += len(line)
        if size >= SAMPLE:
            return


def _detect(lines: Sequence[bytes], *, bom: bool) -> str:
    """The encoding of a CSV from its first lines: UTF-8 when it has a BOM or every line is
    UTF-8; GBK/GB18030 (GB18030 includes GBK) when most lines are not UTF-8 and all are
    GB18030; UTF-8 when most are UTF-8 (the others become error rows). Anything else — UTF-16,
    NUL bytes, neither encoding, or as many lines of each — cannot be told apart: refused."""
    first = lines[0] if lines else b""
    if first.startswith((b"\xff\xfe", b"\xfe\xff")) or any(b"\x00" in line for line in lines):
        raise InputError.single(
            "--batch",
            "这个 CSV 是 UTF-16 编码（或含有 NUL 字节），无法可靠地读取",
            _RESAVE,
        )
    if bom:
        return "utf-8"
    utf8 = other = not_gb = 0
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8 += 1
        except UnicodeDecodeError:
            other += 1
        try:
            line.decode("gb18030")
        except UnicodeDecodeError:
            not_gb += 1
    if other == 0:
        return "utf-8"
    if other > utf8 and not_gb == 0:
        return "gb18030"
    if utf8 > other:
        return "utf-8"
    raise InputError.single(
        "--batch",
        f"无法判断这个 CSV 的编码：开头有 {utf8} 行像 UTF-8、{other} 行不是 UTF-8，"
        + ("其中有的也不是 GBK/GB18030" if not_gb else "两种都说得通"),
        _RESAVE,
    )


def _decoded(lines: Iterable[bytes], encoding: str) -> Iterator[str]:
    """Text lines; bytes that are not ``encoding`` become surrogates, and their row an error
    (never a crash). A line end is a ``\\n`` byte in UTF-8 and in GB18030 alike."""
    for number, line in enumerate(lines):
        text = line.decode(encoding, "surrogateescape")
        yield text.lstrip("\ufeff") if number == 0 else text


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
    index = _header_index()
    ignored_names = {_norm(n) for n in IGNORED_COLUMNS}
    texts = tuple("" if h is None else str(h).strip() for h in headers)
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


def _letter(index: int) -> str:
    """Column letters as spreadsheets show them: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_name(path: str) -> str:
    names = ALIASES.get(path)
    return names[0] if names else path


class _RowProblem(Exception):
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


def _find_header(
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


def _header_notes(number: int, columns: Columns) -> list[str]:
    notes = [f"表头在第 {number} 行，其上的行已跳过"] if number > 1 else []
    if columns.ignored:
        notes.append("未使用的列：" + "、".join(columns.ignored))
    return notes


def _row_item(
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
            problems.append(f"{_letter(number)} 列没有表头却有内容：请给这一列加上表头，或删掉它")
            continue
        filled = True
        try:
            text = convert(path, value)
        except _RowProblem as exc:
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


def _lost_digits(path: str) -> str:
    return f"{_column_name(path)}被 Excel 存成了数字，末几位已丢失；请把该列设为文本后重新输入"


def _csv_cell(path: str, value: str) -> str:
    if path in DIGIT_COLUMNS and _E_NOTATION.fullmatch(value.strip()):
        raise _RowProblem(_lost_digits(path))  # Excel wrote 1.10105E+17
    return value


def _csv_items(lines: Iterable[str], base_dir: str, encoding: str) -> _Table:
    """The records of a CSV (its header read now, so that bad columns fail at once)."""
    csv.field_size_limit(MAX_CELL)
    reader = csv.reader(lines)

    def numbered(problem: str, fix: str) -> Iterator[tuple[int, Sequence[Any]]]:
        """Rows with the line each starts on (a cell may hold line breaks); a broken row
        stops the reading with ``problem`` (``{line}`` and ``{error}`` filled in)."""
        while True:
            number = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                message = problem.format(line=number, error=exc)
                raise InputError.single("--batch", message, fix) from None
            yield number, row

    found = _find_header(numbered("CSV 表头无法读取：{error}", "检查文件开头的几行"))
    if found is None:
        return _Table(iter(()), ())
    number, header = found
    if _SURROGATE.search("".join(header)) is not None:
        raise InputError.single(
            "--batch", f"CSV 表头里有不是 {ENCODING_ZH[encoding]} 的字节", _RESAVE
        )
    columns = map_columns(header)
    notes = [f"按 {ENCODING_ZH[encoding]} 编码读取", *_header_notes(number, columns)]
    bad = f"这一行有不是 {ENCODING_ZH[encoding]} 的字节，无法读取：请把整个文件{_RESAVE}"

    def items() -> Iterator[Item]:
        for row_number, row in numbered("第 {line} 行：{error}", "从这一行起改正这个 CSV"):
            if _SURROGATE.search("".join(row)) is not None:  # bytes of another encoding
                yield Item(f"row {row_number}", {ROW_ERROR: bad}, base_dir)
                continue
            item = _row_item(f"row {row_number}", row, columns, base_dir, _csv_cell)
            if item is not None:
                yield item

    return _Table(items(), tuple(notes))


# --- xlsx ---

XLSX_MISSING = 'pip install "kuaiji[xlsx]"'


def _openpyxl() -> types.ModuleType:
    try:
        import openpyxl  # type: ignore[import-untyped]
    except ImportError:
        raise InputError.single(
            "--batch",
            "读写 .xlsx 需要 openpyxl，当前没有安装",
            f"运行 {XLSX_MISSING}，或把表格另存为 CSV",
        ) from None
    module: types.ModuleType = openpyxl
    return module


def _xlsx_input(path: Path, base: str) -> Input:
    openpyxl = _openpyxl()
    try:
        # Read-only: the sheet is parsed as it is read; data_only: a formula's cached value.
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a zip that is not a workbook, a password, a damaged file
        raise InputError.single(
            "--batch",
            f"无法打开这个 .xlsx 文件（{type(exc).__name__}）",
            "用 Excel 或 WPS 打开后另存为 .xlsx（不要设置打开密码）再试",
        ) from None
    try:
        if not book.worksheets:
            raise InputError.single("--batch", "这个 .xlsx 文件里没有工作表", "检查文件")
        sheet = book.worksheets[0]
        try:
            total = sheet.max_row
        except Exception:
            total = None
        sheet.reset_dimensions()  # the stored size may be wrong: read every row there is
        rows = enumerate(sheet.iter_rows(), 1)
        found = _find_header((n, [c.value for c in row]) for n, row in rows)
        if found is None:
            book.close()
            return Input(lambda size: iter(()), lambda: 1.0)
        number, header = found
        columns = map_columns(header)
    except BaseException:
        book.close()
        raise
    notes = [f"读取第一个工作表「{sheet.title}」", *_header_notes(number, columns)]
    at = [0]
    types_ = _field_types()

    def items() -> Iterator[Item]:
        for number, row in rows:
            at[0] = number
            cells = []
            for cell in row:
                if getattr(cell, "data_type", None) == "e":
                    cells.append(_ExcelError(cell.value))
                else:
                    cells.append(cell.value)
            item = _row_item(
                f"row {number}", cells, columns, base, lambda p, v: _xlsx_cell(p, v, types_)
            )
            if item is not None:
                yield item

    reader = _closing(items(), book)

    def fraction() -> float | None:
        return min(at[0] / total, 1.0) if total else None

    return Input(lambda count: _chunks(reader, count), fraction, tuple(notes))


class _ExcelError(str):
    """A cell holding an Excel error value (#N/A, #REF!): a formula that failed."""


def _xlsx_cell(path: str, value: Any, types_: dict[str, Any]) -> str | None:
    """A typed cell as the text a CSV cell would hold."""
    if isinstance(value, _ExcelError):
        raise _RowProblem(
            f"{_column_name(path)}是 Excel 的错误值 {value}（公式出错）：请改正这个单元格"
        )
    if isinstance(value, str):
        return _csv_cell(path, value)
    tp = types_.get(path)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if tp is dt.datetime:
            return value.isoformat(timespec="minutes")
        if value.time() == dt.time(0) or tp is dt.date:
            return value.date().isoformat()
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        text = str(value)
        if path in DIGIT_COLUMNS and len(text) > 15 and not text[15:].strip("0"):
            raise _RowProblem(_lost_digits(path))  # Excel keeps 15 digits, then zeros
        return text
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer():
            whole = str(int(value))
            if path in DIGIT_COLUMNS and len(whole.lstrip("-")) > 15:
                raise _RowProblem(_lost_digits(path))  # a double holds 15–17 digits
            return whole
        return repr(value)
    return str(value)  # a time of day, a duration


@functools.cache
def _field_types() -> dict[str, Any]:
    return csv_fields()


# --- CSV columns ---


def csv_fields() -> dict[str, Any]:
    """Every spreadsheet column accepted by field path, and its type. Lists (education,
    continuing_education, qualifications) are JSON arrays in one cell; ``education.level``,
    ``education.mode`` (or ``education.full_time``, yes/no), ``education.graduated``,
    ``education.major`` and ``education.school`` describe a one-element ``education``."""
    return _csv_fields()


@functools.cache
def _csv_fields() -> dict[str, Any]:
    from kuaiji.models import Candidate, Education

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
            f"「{_column_name(key)}」这一格应是 JSON 数组",
            '例如 [{"mode": "full_time", "level": "bachelor"}]',
        ) from None


# --- what produced the results ---


@attrs.frozen
class Produced:
    """Which kuaiji and which rule data produced a result: the full provenance (for the
    summary and the xlsx sheet 说明), a short fingerprint of it, and the short forms written
    on every line (JSON) or row (the column 生成工具)."""

    full: dict[str, Any]
    text: str  # provenance_text: one Chinese line
    digest: str
    short: str  # 生成工具: kuaiji 0.1.0，规则数据 2026-12-01（内置）#1a2b3c4d
    json_suffix: str  # ',"produced_by":{…}}' closing a JSON line

    def to_dict(self) -> dict[str, Any]:
        return {**self.full, "digest": self.digest, "text": self.text}


_PRODUCED: dict[int, tuple[Any, Produced]] = {}


def produced_by(registry: Any) -> Produced:
    """The provenance of results made with ``registry`` (computed once per registry)."""
    found = _PRODUCED.get(id(registry))
    if found is not None and found[0] is registry:
        return found[1]
    import hashlib

    from kuaiji.provenance import provenance, provenance_text

    full = provenance(registry)
    digest = hashlib.sha256(json.dumps(full, sort_keys=True).encode()).hexdigest()[:8]
    plugins = full["plugins"].values()
    dates = sorted({p["data_updated"] for p in plugins if p["data_updated"]})
    origins = {p["data_origin"] for p in plugins if p["data_origin"]}
    when = dates[-1] if len(dates) == 1 else "～".join(dates[:: len(dates) - 1]) if dates else "无"
    origin = "已更新" if "updated" in origins else "内置" if origins else ""
    short = f"kuaiji {full['kuaiji']}，规则数据 {when}" + (f"（{origin}）" if origin else "")
    short += f" #{digest}"
    compact = {
        "kuaiji": full["kuaiji"],
        "format": full["format"],
        "data_updated": dates[-1] if dates else None,
        "digest": digest,
    }
    suffix = ',"produced_by":' + json.dumps(compact, separators=(",", ":")) + "}"
    produced = Produced(full, provenance_text(registry), digest, short, suffix)
    if len(_PRODUCED) >= 8:  # the registry is kept, so its id is not reused while cached
        _PRODUCED.clear()
    _PRODUCED[id(registry)] = (registry, produced)
    return produced


# --- checking (in a worker) ---

_STATE: dict[str, Any] = {}


def _init_worker(plugins_env: dict[str, str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    os.environ.update(plugins_env)
    from kuaiji.plugins import get_registry

    _STATE["registry"] = get_registry()


def check_chunk(task: Task, options: Options, registry: Any = None) -> tuple[str, Summary]:
    """Check a chunk; return its output lines as one block and its counts (both cheap to
    send back from a worker)."""
    from kuaiji.plugins import get_registry

    registry = registry or _STATE.get("registry") or get_registry()
    items = _span_items(task) if isinstance(task, Span) else task
    ending = "\r\n" if options.output == "csv" else "\n"
    lines = []
    tally = Summary()
    produced = produced_by(registry)
    tally.produced_by = produced.to_dict()
    for item in items:
        result = check_item(item, options, registry, produced)
        lines.append(result.line)
        tally.add(result)
    return (ending.join(lines) + ending) if lines else "", tally


@functools.cache
def _engine() -> types.ModuleType:
    """The engine, imported on first use (the parent of a batch never needs it)."""
    from kuaiji import engine

    return engine


def check_item(
    item: Item, options: Options, registry: Any, produced: Produced | None = None
) -> Result:
    engine = _engine()
    produced = produced or produced_by(registry)
    raw: Any = None
    try:
        if isinstance(item.payload, dict):
            raw = item.payload
            problem = raw.get(ROW_ERROR)
            if problem is not None:
                raise InputError.single("", problem)
            raw = csv_record(raw)
        else:
            if item.payload.startswith("\x00unreadable"):
                raise InputError.single(
                    "", item.payload.partition(": ")[2], "把文件另存为 UTF-8 编码的 JSON"
                )
            try:
                raw = json.loads(item.payload)
            except ValueError as exc:
                raise InputError.single(
                    "", f"不是有效的 JSON（{exc.args[0].split(':')[0]}）", "改正这一行的 JSON 语法"
                ) from None
            except RecursionError:
                raise InputError.single("", "JSON 嵌套太深", "减少嵌套层次") from None
        candidate = engine.candidate_from_dict(raw)
        report = engine.precheck(
            candidate,
            exam=options.exam,
            year=options.year,
            at=options.at,
            base_dir=_path(item.base_dir),
            registry=registry,
            timeline=False,
        )
    except InputError as exc:
        return _error(item, options, _scrub(exc.describe(), raw, options), raw, produced)
    except KuaijiError as exc:
        message = _scrub(f"{type(exc).__name__}: {exc}", raw, options)
        return _error(item, options, message, raw, produced)
    except RecursionError:
        return _error(item, options, "JSON 嵌套层数过多：请展平这条记录", raw, produced)
    region = report.region
    province = region.province.name if region.province else region.name
    findings = report.findings
    rules = tuple(dict.fromkeys(f.rule for f in findings))
    c = report.candidate
    show = options.show_personal_data
    failed = any(f.rule == engine.PLUGIN_ERROR for f in findings)
    verdict = report.verdict.value
    name = c.name if show else mask_name(c.name)
    id_number = c.id_number if show else mask_id(c.id_number)
    if options.output != "jsonl":
        line = _table_line(
            _table_cells(item.label, verdict, region, name, id_number, findings, produced),
            options,
        )
        return Result(item.label, verdict, province, rules, line, failed)
    row = {
        "record": item.label,
        "verdict": verdict,
        "region": region.code,
        "region_name": region.name,
        "name": name,
        "id_number": id_number,
        "rules": list(rules),
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity.value,
                "plugin": f.plugin,
                "message": f.message,
                "action": f.action,
                "deadline": clock.iso(f.deadline),
                "url": f.url,
                "source": f.source,
            }
            for f in findings
        ],
        "error": None,
    }
    return Result(item.label, verdict, province, rules, _render(row, produced), failed)


@functools.lru_cache(maxsize=64)
def _path(folder: str) -> Path:
    return Path(folder)


def _personal(raw: Any, key: str, mask: Callable[[str], str], options: Options) -> str | None:
    value = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(value, str) or not value.strip():
        return None
    return value if options.show_personal_data else mask(value)


def _error(item: Item, options: Options, message: str, raw: Any, produced: Produced) -> Result:
    name = _personal(raw, "name", mask_name, options)
    id_number = _personal(raw, "id_number", mask_id, options)
    if options.output != "jsonl":
        cells = [
            _record_zh(item.label),
            VERDICT_ZH["error"],
            "error",
            None,
            None,
            name,
            id_number,
            message,
            "按「问题」改正输入文件中的这一行，再重新检查",
            None,
            None,
            None,
            None,
            produced.short,
        ]
        return Result(item.label, "error", "未知", (), _table_line(cells, options))
    row: dict[str, Any] = {
        "record": item.label,
        "verdict": "error",
        "region": None,
        "region_name": None,
        "name": name,
        "id_number": id_number,
        "rules": [],
        "findings": [],
        "error": message,
    }
    return Result(item.label, "error", "未知", (), _render(row, produced))


def _scrub(message: str, raw: Any, options: Options) -> str:
    """An error message with the record's own name, ID number and phone masked."""
    if options.show_personal_data:
        return message
    from kuaiji.masking import scrub_text

    message = scrub_text(message)
    if not isinstance(raw, dict):
        return message
    for key, mask in (("id_number", mask_id), ("phone", mask_phone), ("name", mask_name)):
        value = raw.get(key)
        if isinstance(value, str | int) and len(str(value).strip()) >= 2:
            message = message.replace(str(value).strip(), mask(str(value)))
    return message


_LINE_BREAKS = ("\x85", "\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e")
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_JSON_ASCII = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


def _render(row: dict[str, Any], produced: Produced) -> str:
    """A JSON line, ``produced_by`` last (a constant, appended as text). Characters that some
    readers take for line ends stay escaped (one record a line); a lone surrogate (from a
    \\ud800 escape in the input; not UTF-8) makes the line ASCII. JSON escapes the control
    characters among them itself, so three searches and one encoding find the rest, at a
    fraction of a regular expression's cost on lines this long."""
    text = _JSON.encode(row)
    if "\u2028" in text or "\u2029" in text or "\x85" in text or not _is_utf8(text):
        if not _is_utf8(text):
            text = _JSON_ASCII.encode(row)
        for char in _LINE_BREAKS:
            text = text.replace(char, f"\\u{ord(char):04x}")
    return text[:-1] + produced.json_suffix


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_RECORD = re.compile(r"(?:line|row) ([0-9]+)")


def _record_zh(label: str) -> str:
    """``row 3`` → ``第 3 行``; a file name stays."""
    found = _RECORD.fullmatch(label)
    return f"第 {found.group(1)} 行" if found else label


def _moment(moment: dt.datetime | None) -> str | None:
    return None if moment is None else f"{moment.astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M}"


DOUBTFUL_URL = "（来源可靠性低，请核实后再用）"  # as in the human output


@functools.lru_cache(maxsize=4096)
def _readable(text: str) -> str:
    from kuaiji.sources import readable

    return readable(text)


@functools.lru_cache(maxsize=4096)
def _source_text(source: str) -> str:
    from kuaiji.sources import source_text

    return source_text(source)


def _table_cells(
    label: str,
    verdict: str,
    region: Any,
    name: str,
    id_number: str,
    findings: Sequence[Any],
    produced: Produced,
) -> list[str | None]:
    """One result row for people: findings numbered, one a line; 要做的事, 截止时间, 网址
    and 来源 carry the same numbers (a finding without one has no line there). Sources read
    as in the human output: a seed document's title, URLs, low reliability said in Chinese
    (kuaiji.sources), also where a message or an action quotes one."""
    doubtful = region.doubtful_urls
    problems, actions, deadlines, urls, sources = [], [], [], [], []
    for number, f in enumerate(findings, 1):
        severity = f.severity.value
        problems.append(
            f"{number}. 【{SEVERITY_ZH.get(severity, severity)}】{_readable(f.message)}"
        )
        if f.action:
            actions.append(f"{number}. {_readable(f.action)}")
        if f.deadline is not None:
            deadlines.append(f"{number}. {_moment(f.deadline)}")
        if f.url:
            low = DOUBTFUL_URL if f.url in doubtful else ""
            urls.append(f"{number}. {f.url}{low}")
        if f.source:
            sources.append(f"{number}. {_source_text(f.source)}")
    return [
        _record_zh(label),
        VERDICT_ZH.get(verdict, verdict),
        verdict,
        region.name,
        region.code,
        name,
        id_number,
        "\n".join(problems) or None,
        "\n".join(actions) or None,
        "\n".join(deadlines) or None,
        "\n".join(urls) or None,
        "\n".join(sources) or None,
        ";".join(dict.fromkeys(f.rule for f in findings)) or None,
        produced.short,
    ]


def _table_line(cells: list[str | None], options: Options) -> str:
    """A CSV row, or (xlsx) a JSON array of the cells that the parent writes to the sheet."""
    if options.output == "xlsx":
        return _JSON_ASCII.encode(cells)  # ASCII: no character splits the line
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([_cell(c) for c in cells])
    return out.getvalue().removesuffix("\r\n").encode("utf-8", "backslashreplace").decode("utf-8")


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text: never a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in _FORMULA else text


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


# --- xlsx output ---


class XlsxWriter:
    """Results as an Excel workbook, written as they come (openpyxl's write-only mode: rows
    go to a temporary file, so memory does not grow): the sheet 结果 (a frozen, filterable
    header; a new sheet after Excel's row limit) and the sheet 说明 (what produced it and what
    each column means). A cell is always text — never a formula —, control characters are
    replaced and overlong text is cut to Excel's 32,767 characters."""

    def __init__(self, path: Path) -> None:
        openpyxl = _openpyxl()
        from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]

        self._cell_type = WriteOnlyCell
        self.path = path
        self.book = openpyxl.Workbook(write_only=True)
        self.sheets = 0
        self.rows = 0
        self.header: list[Any] | None = None
        self.sheet = self._new_sheet()
        self.notes = self.book.create_sheet("说明")

    def _new_sheet(self) -> Any:
        self.sheets += 1
        title = "结果" if self.sheets == 1 else f"结果{self.sheets}"
        if self.sheets == 1:
            sheet = self.book.create_sheet(title)
        else:
            sheet = self.book.create_sheet(title, self.sheets - 1)
        sheet.freeze_panes = "A2"
        widths = (10, 10, 10, 16, 9, 8, 20, 60, 60, 18, 40, 40, 24, 34)
        for number, width in enumerate(widths):
            sheet.column_dimensions[_letter(number)].width = width
        self.rows = 0
        return sheet

    def write(self, text: str) -> None:
        """Write lines of JSON arrays (:func:`_table_line`); the first is the header."""
        for line in text.split("\n"):
            if line:
                self.append(json.loads(line))

    def append(self, cells: list[Any]) -> None:
        if self.header is None:
            self.header = cells
        elif self.rows >= XLSX_MAX_ROWS:
            self._finish_sheet()
            self.sheet = self._new_sheet()
            self.append(self.header)
        self.sheet.append([self._safe(c) for c in cells])
        self.rows += 1

    def _safe(self, value: Any) -> Any:
        if value is None or not isinstance(value, str):
            return value
        text = _ILLEGAL.sub("\ufffd", value)
        if len(text) > XLSX_MAX_CELL:
            text = text[: XLSX_MAX_CELL - len(_CUT)] + _CUT
        if text[:1] not in _FORMULA:
            return text
        cell = self._cell_type(self.sheet, value=None)
        cell.value = text
        cell.data_type = "s"  # text, never a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        return cell

    def _finish_sheet(self) -> None:
        if self.rows > 1:
            self.sheet.auto_filter.ref = f"A1:{_letter(len(TABLE_COLUMNS) - 1)}{self.rows}"

    def close(self, summary: Summary, options: Options, produced: dict[str, Any] | None) -> None:
        """Write the sheet 说明 and save (through a temporary file renamed into place)."""
        self._finish_sheet()
        for row in summary_rows(summary, options, produced):
            self.notes.append([self._safe(c) for c in row])
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        try:
            self.book.save(temporary)
            temporary.replace(self.path)
        finally:
            temporary.unlink(missing_ok=True)


_CUT = "…（已截断）"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def summary_rows(
    summary: Summary, options: Options, produced: dict[str, Any] | None
) -> list[list[Any]]:
    """The sheet 说明: what produced the results, the counts, and what each column means."""
    level = "初级" if options.exam.value == "junior" else "中级"
    rows: list[list[Any]] = [
        ["项目", "内容"],
        ["检查", f"{options.year} 年{level}会计资格考试报名前检查"],
        ["检查时间（北京时间）", _moment(options.at)],
        ["记录数", summary.records],
    ]
    for verdict, count in summary.verdicts.most_common():
        rows.append([f"结论：{VERDICT_ZH.get(verdict, verdict)}（{verdict}）", count])
    if summary.input_notes:
        rows.append(["读取", "；".join(summary.input_notes)])
    if summary.interrupted:
        rows.append(["已中断", f"只检查到 {_record_zh(summary.last or '')}，其后的记录没有结果"])
    if produced:
        rows.append(["生成工具", produced.get("text")])
        rows.append(["指纹", produced.get("digest")])
        rows.append(["kuaiji 版本", produced.get("kuaiji")])
        rows.append(["输出格式版本", produced.get("format")])
        origin_zh = {"bundled": "内置", "updated": "已更新"}
        for name, plugin in produced.get("plugins", {}).items():
            rows.append(
                [
                    f"插件 {name}",
                    f"版本 {plugin.get('version') or '未知'}，规则数据 "
                    f"{plugin.get('data_updated') or '无'}"
                    f"（{origin_zh.get(plugin.get('data_origin') or '', '未知')}）",
                ]
            )
    rows.append([])
    rows.append(["列", "含义"])
    rows.extend([f"「{zh}」列", TABLE_NOTES[zh]] for zh in CSV_COLUMNS)
    return rows


# --- running ---


@attrs.define
class Summary:
    records: int = 0
    verdicts: collections.Counter[str] = attrs.field(factory=collections.Counter)
    regions: collections.Counter[str] = attrs.field(factory=collections.Counter)
    rules: collections.Counter[str] = attrs.field(factory=collections.Counter)
    plugin_failures: int = 0
    last: str | None = None  # the label of the last record written
    interrupted: bool = False
    seconds: float = 0.0
    produced_by: dict[str, Any] | None = None  # kuaiji.provenance, its digest and text
    input_notes: tuple[str, ...] = ()  # how a spreadsheet was read (encoding, columns left out)

    def add(self, result: Result) -> None:
        """Count one checked record."""
        self.records += 1
        self.verdicts[result.verdict] += 1
        self.regions[result.region] += 1
        self.rules.update(result.rules)
        self.plugin_failures += result.plugin_failed
        self.last = result.label

    def merge(self, chunk: Summary) -> None:
        """Count the records of a chunk, checked after those counted so far."""
        self.records += chunk.records
        self.verdicts.update(chunk.verdicts)
        self.regions.update(chunk.regions)
        self.rules.update(chunk.rules)
        self.plugin_failures += chunk.plugin_failures
        self.last = chunk.last if chunk.records else self.last
        self.produced_by = self.produced_by or chunk.produced_by

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        if self.plugin_failures:
            return 3
        return 0 if self.verdicts.keys() <= {"ready"} else 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "verdicts": dict(self.verdicts.most_common()),
            "regions": dict(self.regions.most_common()),
            "top_rules": dict(self.rules.most_common(10)),
            "plugin_failures": self.plugin_failures,
            "interrupted": self.interrupted,
            "last_record": self.last,
            "seconds": round(self.seconds, 2),
            "per_second": round(self.records / self.seconds) if self.seconds else None,
            "produced_by": self.produced_by,
            "input_notes": list(self.input_notes),
        }


def header(options: Options) -> str | None:
    """What starts the output: the CSV header row (after a BOM, for Excel), or (xlsx) the
    header cells as a JSON array."""
    if options.output == "xlsx":
        return _JSON_ASCII.encode(list(CSV_COLUMNS))
    if options.output != "csv":
        return None
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(CSV_COLUMNS)
    return "\ufeff" + out.getvalue().removesuffix("\r\n")


def run(
    source: Input | Iterable[Item],
    options: Options,
    write: Callable[[str], None],
    *,
    jobs: int = 1,
    progress: Callable[[Summary], None] | None = None,
    registry: Any = None,
) -> Summary:
    """Check every item, in order, writing each result line as soon as its turn comes.
    Ctrl-C stops cleanly: the lines written so far are whole, and the summary says how far
    it got (``interrupted``)."""
    import time

    summary = Summary()
    if isinstance(source, Input):
        summary.input_notes = source.notes
    began = time.perf_counter()
    first = header(options)
    if first is not None:
        write(first + ("\r\n" if options.output == "csv" else "\n"))
    # Ctrl-C only raises a flag, checked between blocks: a block is never cut in the middle
    # of a write (a pipe write can be interrupted), and the summary always matches the output.
    stop = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        tasks = source.tasks(CHUNK) if isinstance(source, Input) else _chunks(iter(source), CHUNK)
        for block, tally in _results(tasks, options, jobs, registry):
            write(block)  # whole lines only: an interrupted run leaves a valid prefix
            summary.merge(tally)
            if progress is not None:
                summary.seconds = time.perf_counter() - began
                progress(summary)
            if stop.is_set():
                summary.interrupted = True
                break
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    summary.seconds = time.perf_counter() - began
    return summary


def _chunks(items: Iterator[Item], size: int) -> Iterator[Task]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _results(
    tasks: Iterator[Task], options: Options, jobs: int, registry: Any
) -> Iterator[tuple[str, Summary]]:
    if jobs <= 1:
        from kuaiji.plugins import get_registry

        registry = registry or get_registry()
        for task in tasks:
            yield check_chunk(task, options, registry)
        return
    env = {k: v for k, v in os.environ.items() if k.startswith("KUAIJI_")}
    pool = cf.ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(env,))
    pending: collections.deque[cf.Future[tuple[str, Summary]]] = collections.deque()
    try:
        for task in tasks:
            pending.append(pool.submit(check_chunk, task, options))
            while len(pending) >= jobs * 3:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
