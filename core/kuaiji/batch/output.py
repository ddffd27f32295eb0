"""Writing results: JSON Lines for machines, a table (CSV, xlsx) with Chinese headers for
people."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kuaiji.batch.columns import letter
from kuaiji.batch.inputs import load_openpyxl
from kuaiji.batch.options import (
    CSV_COLUMNS,
    SEVERITY_ZH,
    TABLE_COLUMNS,
    TABLE_NOTES,
    VERDICT_ZH,
    XLSX_MAX_CELL,
    XLSX_MAX_ROWS,
    Options,
    Produced,
    Summary,
)
from kuaiji.io.masking import printable
from kuaiji.model import clock

_LINE_BREAKS = ("\x85", "\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e")
JSON_TEXT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_string = json.encoder.encode_basestring  # how JSON_TEXT writes a string
JSON_ASCII = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


def render(row: dict[str, Any], produced: Produced) -> str:
    """A JSON line, ``produced_by`` last (a constant, appended as text). Characters that some
    readers take for line ends stay escaped (one record a line); a lone surrogate (from a
    \\ud800 escape in the input; not UTF-8) makes the line ASCII. JSON escapes the control
    characters among them itself, so three searches and one encoding find the rest, at a
    fraction of a regular expression's cost on lines this long."""
    text = JSON_TEXT.encode(row)
    if not plain(text):
        if not _is_utf8(text):
            text = JSON_ASCII.encode(row)
        for char in _LINE_BREAKS:
            text = text.replace(char, f"\\u{ord(char):04x}")
    return text[:-1] + produced.json_suffix


def render_checked(
    head: dict[str, Any],
    findings: Sequence[Any],
    encoded: Callable[[Any], str | None],
    produced: Produced,
) -> str | None:
    """The JSON line of a checked record, ``head`` then its findings, each finding's text
    made by ``encoded`` (which remembers the texts of findings that recur): the same text as
    :func:`render` of the whole row, at a fraction of the cost. None when a character
    :func:`render` treats specially is found (then the caller renders the row): in the head,
    or in a finding (``encoded`` gives None for it, having looked once per finding). The
    ``produced_by`` suffix is ASCII."""
    text = _head_text(head)
    if not plain(text):
        return None
    texts = [encoded(f) for f in findings]
    if None in texts:
        return None
    return f'{text[:-1]},"findings":[{",".join(texts)}],"error":null{produced.json_suffix}'  # type: ignore[arg-type]


_HEAD = ("record", "verdict", "region", "region_name", "name", "id_number", "rules")


def _head_text(head: dict[str, Any]) -> str:
    """``JSON_TEXT.encode(head)`` for the head of a checked record (the keys of ``_HEAD`` in
    that order, strings and a list of strings), written out with the encoder's own string
    function: the same text at a third of the cost. Any other head: the encoder's."""
    if tuple(head) != _HEAD or type(head["rules"]) is not list:
        return JSON_TEXT.encode(head)
    try:
        return (
            f'{{"record":{_string(head["record"])},"verdict":{_string(head["verdict"])},'
            f'"region":{_string(head["region"])},"region_name":{_string(head["region_name"])},'
            f'"name":{_string(head["name"])},"id_number":{_string(head["id_number"])},'
            f'"rules":[{",".join([_string(rule) for rule in head["rules"]])}]}}'
        )
    except TypeError:  # a value that is not a string
        return JSON_TEXT.encode(head)


def plain(text: str) -> bool:
    """Whether a JSON line needs no more escaping: no character some readers take for a
    line end that JSON leaves as it is, no lone surrogate."""
    return not ("\u2028" in text or "\u2029" in text or "\x85" in text) and _is_utf8(text)


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_RECORD = re.compile(r"(?:line|row) ([0-9]+)")
_FILE = re.compile(r"file ([0-9]+): (.*)", re.DOTALL)


def record_zh(label: str) -> str:
    """``row 3`` → ``第 3 行``; ``file 3: 王*.json`` → ``文件 3（王*.json）``."""
    found = _RECORD.fullmatch(label)
    if found:
        return f"第 {found.group(1)} 行"
    file = _FILE.fullmatch(label)
    return f"文件 {file.group(1)}（{file.group(2)}）" if file else label


def shown_label(label: str, show_personal_data: bool = False) -> str:
    """A record's label as output shows it: a file's name (``file 3: 欧阳娜娜-4401….json``)
    masked like other personal data (``file 3: 欧***-440***********0310.json``) unless
    asked not to; a line or a row as it is."""
    file = _FILE.fullmatch(label)
    if file is None or show_personal_data:
        return label
    from kuaiji.io.masking import mask_file_name

    return f"file {file.group(1)}: {mask_file_name(file.group(2))}"


def _moment(moment: dt.datetime | None) -> str | None:
    return None if moment is None else f"{moment.astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M}"


DOUBTFUL_URL = "（来源可靠性低，请核实后再用）"  # as in the human output


# What a table row quotes from data (plugins' messages, region names, URLs, rule ids) goes
# through printable: a row is often read on a terminal, where an ANSI sequence, a carriage
# return or U+202E from data would act. Cached: the same texts recur on every row.


@functools.lru_cache(maxsize=4096)
def _readable(text: str) -> str:
    from kuaiji.model.sources import readable

    return printable(readable(text))


@functools.lru_cache(maxsize=4096)
def _source_text(source: str) -> str:
    from kuaiji.model.sources import source_text

    return printable(source_text(source))


@functools.lru_cache(maxsize=4096)
def _safe(text: str) -> str:
    return printable(text)


def table_cells(
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
    (kuaiji.model.sources), also where a message or an action quotes one."""
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
            urls.append(f"{number}. {_safe(f.url)}{low}")
        if f.source:
            sources.append(f"{number}. {_source_text(f.source)}")
    return [
        printable(record_zh(label)),
        VERDICT_ZH.get(verdict, verdict),
        verdict,
        _safe(region.name),
        _safe(region.code),
        printable(name),
        printable(id_number),
        "\n".join(problems) or None,
        "\n".join(actions) or None,
        "\n".join(deadlines) or None,
        "\n".join(urls) or None,
        "\n".join(sources) or None,
        ";".join(dict.fromkeys(_safe(f.rule) for f in findings)) or None,
        _safe(produced.short),
    ]


def table_line(cells: list[str | None], options: Options) -> str:
    """A CSV row, or (xlsx) a JSON array of the cells that the parent writes to the sheet.
    The cells come from :func:`table_cells` (or an error's), where what data put in them is
    already :func:`~kuaiji.io.masking.printable`."""
    if options.output == "xlsx":
        return JSON_ASCII.encode(cells)  # ASCII: no character splits the line
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
        openpyxl = load_openpyxl()
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
            sheet.column_dimensions[letter(number)].width = width
        self.rows = 0
        return sheet

    def write(self, text: str) -> None:
        """Write lines of JSON arrays (:func:`table_line`); the first is the header."""
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
            self.sheet.auto_filter.ref = f"A1:{letter(len(TABLE_COLUMNS) - 1)}{self.rows}"

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
        rows.append(["已中断", f"只检查到 {record_zh(summary.last or '')}，其后的记录没有结果"])
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
