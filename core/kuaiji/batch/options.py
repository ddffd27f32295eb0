"""What a batch is made of: its options, the records read and the results written, the
counts, and the constants every part shares (formats, Chinese column names)."""

from __future__ import annotations

import collections
import datetime as dt
import json
import typing
from typing import Any

import attrs

from kuaiji.model.results import ExamLevel

CHUNK = 500  # records per task: ~0.6 MB of results each (findings carry action, url, source)
# A record that cannot be read: UNREADABLE, the message, NUL, the fix (Chinese).
UNREADABLE = "\x00unreadable: "
NOT_UTF8 = UNREADABLE + "这一行不是 UTF-8 文本\x00把文件另存为 UTF-8 编码的 JSON"
RECORD_TOO_LONG = UNREADABLE + "这一行超过 1 MB，不像一位考生的记录，没有读取\x00改正或删去这一行"
TOO_LONG_CELL = "\x00kuaiji: line too long\x00"  # a CSV cell standing for a line over MAX_LINE
LINE_TOO_LONG = TOO_LONG_CELL + "\n"
ROW_ERROR = "\x00error"  # in a spreadsheet row: what made it unreadable (Chinese)
FORMATS = ("jsonl", "csv", "xlsx")
PERSONAL = ("name", "id_number", "phone")
MAX_CELL = 1 << 20  # characters in one CSV cell; a larger cell is its row's error
MAX_LINE = 4 << 20  # bytes of one CSV line (a cell of MAX_CELL Chinese characters fits)
MAX_RECORD = 1 << 20  # bytes of one JSON candidate: a JSON Lines line, a file of a folder
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


@attrs.frozen
class Options:
    exam: ExamLevel
    year: int
    at: dt.datetime
    output: str = "jsonl"  # jsonl | csv | xlsx (xlsx: a JSON array of cells a line)
    show_personal_data: bool = False
    # False where the records come from someone else (an upload to kuaiji serve): a record
    # naming a photo file is refused, so no file of this machine is ever read for it.
    photo_files: bool = True


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


class Span(typing.NamedTuple):
    """A byte range of a JSON Lines file that a worker reads itself (the parent only finds
    the line boundaries, so little crosses between processes)."""

    path: str
    start: int
    end: int
    first_line: int
    base_dir: str


Task = list[Item] | Span

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

    from kuaiji.registry.provenance import describe

    full = registry.produced_by
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
    produced = Produced(full, describe(full), digest, short, suffix)
    if len(_PRODUCED) >= 8:  # the registry is kept, so its id is not reused while cached
        _PRODUCED.clear()
    _PRODUCED[id(registry)] = (registry, produced)
    return produced


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
    produced_by: dict[str, Any] | None = None  # kuaiji.registry.provenance, its digest and text
    input_notes: tuple[str, ...] = ()  # how a spreadsheet was read (encoding, columns left out)

    def add(self, result: Result) -> None:
        """Count one checked record."""
        self.records += 1
        self.verdicts[result.verdict] += 1
        self.regions[result.region] += 1
        rules = self.rules
        for rule in result.rules:  # Counter.update's checks cost more than these few adds
            rules[rule] += 1
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


ENCODING_ZH = {"utf-8": "UTF-8", "gb18030": "GBK/GB18030"}
RESAVE = "在 Excel 或 WPS 中“另存为”“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”后再试"
