"""Batch prechecks: thousands to a million candidates, streamed, in order, in parallel.

Input: JSON Lines (one candidate a line), CSV (one a row; see :func:`csv_record`), or a
folder of candidate JSON files. Output: one result per input record, in input order, as
JSON Lines or CSV (UTF-8 with a BOM, for Excel). A record that cannot be read or checked
becomes an ``error`` result naming its line and the reason; the batch goes on. Records in
= records out.

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
import os
import re
import signal
import sys
import threading
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import attrs

from kuaiji import clock
from kuaiji.errors import InputError, KuaijiError
from kuaiji.masking import mask_id, mask_name, mask_phone
from kuaiji.records import ExamLevel

CHUNK = 1000  # records per task
NOT_UTF8 = "\x00unreadable: not UTF-8 text"  # the payload of a line or file that is not UTF-8
FORMATS = ("jsonl", "csv")
CSV_COLUMNS = (
    "record",
    "verdict",
    "region",
    "region_name",
    "name",
    "id_number",
    "rules",
    "findings",
    "error",
)
PERSONAL = ("name", "id_number", "phone")
MAX_CELL = 1 << 20  # characters in one CSV cell


@attrs.frozen
class Options:
    exam: ExamLevel
    year: int
    at: dt.datetime
    output: str = "jsonl"  # jsonl | csv
    show_personal_data: bool = False


class Item(typing.NamedTuple):
    """One input record, not yet parsed: where it is, and its text or CSV row."""

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
    records; ``fraction()`` says how much has been handed out (None when unknown)."""

    tasks: Callable[[int], Iterator[Task]]
    fraction: Callable[[], float | None]


def open_input(source: str) -> Input:
    """The records of ``source``: a .jsonl (or .ndjson) or .csv file, a folder of .json
    files, or ``-`` for stdin (JSON Lines if it starts with ``{``, else CSV)."""
    if source == "-":
        stream = sys.stdin
        skipped = ""
        while (char := stream.read(1)) and (char.isspace() or char == "\ufeff"):
            skipped += char  # blank lines and a BOM before the first record
        head = skipped + char + (stream.readline() if char else "")
        lines = itertools.chain(head.splitlines(keepends=True), stream)
        base = str(Path.cwd())
        jsonl = char in ("{", "[", "")
        reader = _jsonl_items(lines, base) if jsonl else _csv_items(lines, base)
        return Input(lambda size: _chunks(reader, size), lambda: None)
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
            f"{source!r} is not a file or folder",
            "give a .jsonl or .csv file, a folder of .json files, or - for stdin",
        )
    size = path.stat().st_size or 1
    base = str(path.resolve().parent)
    if path.suffix.lower() != ".csv":
        handed = [0]

        def spans(count: int) -> Iterator[Task]:
            for span in _spans(path, count, base):
                handed[0] = span.end
                yield span

        return Input(spans, lambda: min(handed[0] / size, 1.0))
    raw = path.open("rb")
    # Bytes that are not UTF-8 become surrogates, and their row an error, not a crash.
    handle = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")
    reader = _closing(_csv_items(handle, base), handle)

    def fraction() -> float | None:
        try:
            return min(raw.tell() / size, 1.0) if not handle.closed else 1.0
        except (OSError, ValueError):
            return None

    return Input(lambda count: _chunks(reader, count), fraction)


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


def _closing(items: Iterator[Item], handle: TextIO) -> Iterator[Item]:
    try:
        yield from items
    finally:
        handle.close()


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return f"\x00unreadable: {type(exc).__name__}"


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    for number, line in enumerate(lines):
        yield line.lstrip("\ufeff") if number == 0 else line


def _jsonl_items(lines: Iterable[str], base_dir: str) -> Iterator[Item]:
    for number, line in enumerate(lines, 1):
        if number == 1:
            line = line.lstrip("\ufeff")  # a BOM (some Windows editors write one)
        if line.strip():
            yield Item(f"line {number}", line, base_dir)


def _csv_items(lines: Iterable[str], base_dir: str) -> Iterator[Item]:
    csv.field_size_limit(MAX_CELL)
    reader = csv.DictReader(_without_bom(lines))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise InputError.single("--batch", f"CSV header: {exc}", "check the first line") from None
    if fieldnames is None:
        return
    unknown = [f for f in fieldnames if f not in csv_fields()]
    if unknown:
        raise InputError.single(
            "--batch",
            f"unknown CSV column(s): {', '.join(unknown)}",
            f"use the candidate file's field paths as headers: {', '.join(csv_fields())}",
        )
    while True:
        # The header is row 1; a record's row is where it starts (a cell may hold line breaks).
        row_number = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError.single(
                "--batch", f"row {row_number}: {exc}", "fix the CSV from this row on"
            ) from None
        cells = {k: v for k, v in row.items() if k is not None}
        if any("\udc80" <= c <= "\udcff" for v in cells.values() if v for c in v):
            yield Item(f"row {row_number}", NOT_UTF8, base_dir)  # bytes that are not UTF-8
        else:
            yield Item(f"row {row_number}", cells, base_dir)


# --- CSV columns ---


def csv_fields() -> dict[str, type]:
    """Every CSV header accepted: a field path of the candidate file and its type. Lists
    (education, continuing_education, qualifications) are JSON arrays in one cell."""
    return _csv_fields()


@functools.cache
def _csv_fields() -> dict[str, type]:
    from kuaiji.models import Candidate

    out: dict[str, type] = {}

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

    walk(Candidate, "")
    return out


_TRUE = {"true", "1", "yes", "y", "是", "对"}
_FALSE = {"false", "0", "no", "n", "否", "不"}


def csv_record(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row as a candidate document: dotted headers nest, typed by the schema; empty
    cells are absent; a cell with a JSON array is a list."""
    fields = csv_fields()
    data: dict[str, Any] = {}
    for key, cell in row.items():
        text = (cell or "").strip()
        if not text:
            continue
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
        target = data
        *parents, leaf = key.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return data


def _json_cell(key: str, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise InputError.single(
            key,
            "expected a JSON array in this cell",
            'write e.g. [{"mode": "full_time", "level": "bachelor"}]',
        ) from None


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
    for item in items:
        result = check_item(item, options, registry)
        lines.append(result.line)
        tally.add(result)
    return (ending.join(lines) + ending) if lines else "", tally


@functools.cache
def _engine() -> types.ModuleType:
    """The engine, imported on first use (the parent of a batch never needs it)."""
    from kuaiji import engine

    return engine


def check_item(item: Item, options: Options, registry: Any) -> Result:
    engine = _engine()
    raw: Any = None
    try:
        if isinstance(item.payload, dict):
            raw = csv_record(item.payload)
        else:
            if item.payload.startswith("\x00unreadable"):
                raise InputError.single("", item.payload[1:], "save it as UTF-8 JSON")
            try:
                raw = json.loads(item.payload)
            except ValueError as exc:
                raise InputError.single(
                    "", f"invalid JSON ({exc.args[0].split(':')[0]})", "fix the JSON syntax"
                ) from None
            except RecursionError:
                raise InputError.single(
                    "", "JSON nested too deeply", "flatten the document"
                ) from None
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
        return _error(item, options, _scrub(exc.describe(), raw, options))
    except KuaijiError as exc:
        return _error(item, options, _scrub(f"{type(exc).__name__}: {exc}", raw, options))
    except RecursionError:
        return _error(item, options, "document nested too deeply")
    region = report.region
    province = region.province.name if region.province else region.name
    findings = report.findings
    rules = tuple(dict.fromkeys(f.rule for f in findings))
    c = report.candidate
    show = options.show_personal_data
    row = {
        "record": item.label,
        "verdict": report.verdict.value,
        "region": region.code,
        "region_name": region.name,
        "name": c.name if show else mask_name(c.name),
        "id_number": c.id_number if show else mask_id(c.id_number),
        "rules": list(rules),
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity.value,
                "plugin": f.plugin,
                "message": f.message,
                "deadline": clock.iso(f.deadline),
            }
            for f in findings
        ],
        "error": None,
    }
    failed = any(f.rule == engine.PLUGIN_ERROR for f in findings)
    return Result(item.label, report.verdict.value, province, rules, _render(row, options), failed)


@functools.lru_cache(maxsize=64)
def _path(folder: str) -> Path:
    return Path(folder)


def _error(item: Item, options: Options, message: str) -> Result:
    row: dict[str, Any] = {
        "record": item.label,
        "verdict": "error",
        "region": None,
        "region_name": None,
        "name": None,
        "id_number": None,
        "rules": [],
        "findings": [],
        "error": message,
    }
    return Result(item.label, "error", "未知", (), _render(row, options))


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
# One scan finds both: a lone surrogate (from a \ud800 escape in the input; not UTF-8) and
# a character that some readers take for a line end.
_SPECIAL = re.compile("[\ud800-\udfff" + "".join(_LINE_BREAKS) + "]")
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_JSON_ASCII = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


def _render(row: dict[str, Any], options: Options) -> str:
    if options.output == "jsonl":
        text = _JSON.encode(row)
        if _SPECIAL.search(text) is None:
            return text
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            text = _JSON_ASCII.encode(row)
        # Characters that some readers take for line ends stay escaped: one record a line.
        for char in _LINE_BREAKS:
            text = text.replace(char, f"\\u{ord(char):04x}")
        return text
    findings = "\n".join(
        f"[{f['severity']}] {f['rule']}: {f['message']}"
        + (f"（截止 {f['deadline']}）" if f["deadline"] else "")
        for f in row["findings"]
    )
    cells = [
        row["record"],
        row["verdict"],
        row["region"],
        row["region_name"],
        row["name"],
        row["id_number"],
        ";".join(row["rules"]),
        findings,
        row["error"],
    ]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([_cell(c) for c in cells])
    return out.getvalue().removesuffix("\r\n").encode("utf-8", "backslashreplace").decode("utf-8")


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text: never a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


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
        }


def header(options: Options) -> str | None:
    """What starts the output: the CSV header row (after a BOM, for Excel)."""
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
