"""Reading a batch: JSON Lines, CSV (its encoding detected), an Excel workbook, a folder of
JSON files or stdin, cut into tasks a worker can read."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import stat
import sys
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from kuaiji.batch.columns import (
    DIGIT_COLUMNS,
    RowProblem,
    column_name,
    csv_cell,
    csv_fields,
    csv_items,
    find_header,
    header_notes,
    lost_digits,
    map_columns,
    row_item,
)
from kuaiji.batch.options import (
    LINE_TOO_LONG,
    MAX_CELL,
    MAX_LINE,
    MAX_RECORD,
    NOT_UTF8,
    RECORD_TOO_LONG,
    RESAVE,
    ROW_ERROR,
    SAMPLE,
    Item,
    Span,
    Task,
)
from kuaiji.errors import InputError
from kuaiji.io.masking import printable


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
        # Every .json entry but a folder is a record, labelled by its place and name
        # ("file 3: 王芳.json", masked when shown); a FIFO or a device among them is that
        # record's error, never read.
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".json" and not p.is_dir())
        done = [0]

        def folder() -> Iterator[Item]:
            for number, file in enumerate(files, 1):
                done[0] += 1
                yield Item(f"file {number}: {file.name}", _read_json(file), str(path))

        return Input(
            lambda size: chunks(folder(), size), lambda: done[0] / len(files) if files else 1.0
        )
    shown = printable(source)
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        raise InputError.single(
            "--batch",
            f"找不到文件或文件夹“{shown}”",
            "给出 .jsonl、.csv 或 .xlsx 文件、装有 .json 文件的文件夹，或用 - 表示标准输入",
        ) from None
    if not stat.S_ISREG(mode):  # /dev/zero, a FIFO, a socket: refused before reading
        raise InputError.single(
            "--batch",
            f"“{shown}”不是普通文件（是设备、管道或套接字），没有读取",
            "给出 .jsonl、.csv 或 .xlsx 文件；从管道读取请用 --batch -（标准输入）",
        )
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise InputError.single(
            "--batch",
            f"无法读取“{shown}”（{exc.strerror or type(exc).__name__}）",
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
            yield Item(f"file 1: {path.name}", _read_json(path), base)

        return Input(lambda size: chunks(single(), size), lambda: float(done[0]))
    size = path.stat().st_size or 1
    handed = [0]

    def spans(count: int) -> Iterator[Task]:
        for span in _spans(path, count, base):
            handed[0] = span.end
            yield span

    return Input(spans, lambda: min(handed[0] / size, 1.0))


def _stdin_input() -> Input:
    """Standard input: JSON Lines when the first line that is not blank starts with ``{``
    or ``[``, else a CSV. Every line is bounded as it is read (a stream with no line end,
    ``< /dev/zero``, makes one record's error, never fills the memory)."""
    base = str(Path.cwd())
    raw: IO[bytes] | None = getattr(sys.stdin, "buffer", None)
    if raw is None:  # a text stream without bytes underneath (an embedding program's)
        return _stdin_text(base)
    lines = _bounded(raw, MAX_LINE)
    blank = 0
    bom = False
    first: bytes | None = b""
    for line in lines:  # blank lines (counted, not kept) and a BOM before the first record
        if line is not None and line.startswith(b"\xef\xbb\xbf"):
            bom = True
            line = line[3:]
        if line is None or line.strip():
            first = line
            break
        blank += 1
    head = itertools.chain(itertools.repeat(b"\n", blank), [] if first == b"" else [first])
    everything = itertools.chain(head, lines)
    if first is None or first.lstrip()[:1] in (b"{", b"[", b""):
        reader = _jsonl_items(_utf8_lines(everything), base)
        return Input(lambda size: chunks(reader, size), lambda: None)
    if first.startswith(b"PK\x03\x04"):
        raise InputError.single(
            "--batch",
            "标准输入是 .xlsx 之类的压缩文件，不能从标准输入读取",
            "把 .xlsx 的文件路径直接交给 --batch",
        )
    sample = list(_sample_lines(everything))
    encoding = _detect([line for line in sample if line is not None], bom=bom)
    decoded = _decoded(itertools.chain(sample, everything), encoding)
    reader = csv_items(decoded, base, encoding)
    return Input(lambda size: chunks(reader, size), lambda: None, reader.notes)


def _stdin_text(base: str) -> Input:
    stream = sys.stdin
    lines = _bounded_text(stream, MAX_LINE)
    blank = 0
    first: str | None = ""
    for line in lines:  # blank lines and a BOM before the first record
        if line is None or line.strip().lstrip("\ufeff"):
            first = line
            break
        blank += 1
    everything = itertools.chain(
        itertools.repeat("\n", blank), [first] if first is not None else [None], lines
    )
    if first is None or first.lstrip().lstrip("\ufeff")[:1] in ("{", "[", ""):
        text = (RECORD_TOO_LONG if line is None else line for line in everything)
        reader: Iterator[Item] = _jsonl_items(text, base)
        return Input(lambda size: chunks(reader, size), lambda: None)
    table = csv_items(
        _without_bom(LINE_TOO_LONG if line is None else line for line in everything),
        base,
        "utf-8",
    )
    return Input(lambda size: chunks(table, size), lambda: None, table.notes)


class _Lines(typing.Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


# A line longer than this is no record of anyone: past it the input is not read further
# (``--batch - < /dev/zero`` ends, with that line's error, instead of reading for ever).
MAX_SKIP = 256 << 20


def _bounded(stream: _Lines, limit: int) -> Iterator[bytes | None]:
    """The lines of ``stream``, each at most ``limit`` bytes (and its line end); a longer
    line is read past in pieces, never held whole, and None stands in its place. A line
    longer than :data:`MAX_SKIP` ends the input."""
    while line := stream.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            skipped = 0
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                skipped += len(rest)
                if skipped > MAX_SKIP:
                    yield None
                    return
            yield None
        else:
            yield line


def _bounded_text(stream: IO[str], limit: int) -> Iterator[str | None]:
    """:func:`_bounded` for a text stream (characters)."""
    while line := stream.readline(limit + 1):
        if len(line) > limit and not line.endswith("\n"):
            skipped = 0
            while (rest := stream.readline(1 << 20)) and not rest.endswith("\n"):
                skipped += len(rest)
                if skipped > MAX_SKIP:
                    yield None
                    return
            yield None
        else:
            yield line


def _utf8_lines(lines: Iterable[bytes | None]) -> Iterator[str]:
    """JSON Lines as text: a line that is not UTF-8 or longer than one candidate may be
    (:data:`MAX_RECORD`) is kept as that record's error, never guessed at."""
    for line in lines:
        if line is None or len(line) > MAX_RECORD + 2:  # + its line end
            yield RECORD_TOO_LONG
            continue
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            yield NOT_UTF8


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


_SPAN_READ = 64 << 20  # a span up to this size is read at once (500 lines of 128 KB)


def span_items(span: Span) -> list[Item]:
    if span.end - span.start > _SPAN_READ:  # lines over a megabyte: read one by one
        return _span_lines(span)
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
        if len(line) > MAX_RECORD // 4 and len(line.encode("utf-8")) > MAX_RECORD + 1:
            items.append(Item(f"line {number}", RECORD_TOO_LONG, span.base_dir))
            continue
        if number == 1:
            line = line.lstrip("\ufeff")
        if line.strip():
            items.append(Item(f"line {number}", line, span.base_dir))
    return items


def _span_lines(span: Span) -> list[Item]:
    """:func:`span_items` for a span with lines too long to hold: each line is read up to
    :data:`MAX_RECORD` bytes, and a longer one is that record's error."""
    items = []
    with open(span.path, "rb") as handle:  # noqa: PTH123 - a worker reads its own range
        handle.seek(span.start)
        lines = _bounded(_Range(handle, span.end - span.start), MAX_RECORD)
        for number, raw in enumerate(lines, span.first_line):
            (line,) = _utf8_lines([raw])
            if number == 1:
                line = line.lstrip("\ufeff")
            if line.strip():
                items.append(Item(f"line {number}", line, span.base_dir))
    return items


class _Range:
    """The next ``left`` bytes of a binary file, read by lines (``readline(size)`` only)."""

    def __init__(self, handle: IO[bytes], left: int) -> None:
        self.handle = handle
        self.left = left

    def readline(self, size: int = -1) -> bytes:
        line = self.handle.readline(min(size, self.left) if size >= 0 else self.left)
        self.left -= len(line)
        return line


def _closing(items: Iterator[Item], handle: Any) -> Iterator[Item]:
    try:
        yield from items
    finally:
        handle.close()


def _read_json(path: Path) -> str | dict[str, str]:
    """A candidate file of a folder: its text, or (a row error) why it is not read: a
    device or a FIFO, a file over :data:`MAX_RECORD`, bytes that are not UTF-8."""
    from kuaiji.io.convert import FileTooLarge, NotRegularFile, read_bounded

    try:
        return read_bounded(path, MAX_RECORD).decode("utf-8-sig")
    except NotRegularFile:
        problem = "这不是普通文件（是设备、管道或套接字），没有读取：请把它移出这个文件夹"
    except FileTooLarge:
        problem = "文件超过 1 MB 的上限，不像一位考生的文件，没有读取：一个文件只写一位考生"
    except UnicodeDecodeError:
        problem = "文件不是 UTF-8 文本：请把文件另存为 UTF-8 编码的 JSON"
    except (OSError, ValueError) as exc:
        problem = f"无法读取（{type(exc).__name__}）：检查这个文件的权限"
    return {ROW_ERROR: problem}


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
        reader = csv_items(_decoded(_bounded(raw, MAX_LINE), encoding), base, encoding)
    except BaseException:
        raw.close()
        raise

    def fraction() -> float | None:
        try:
            return min(raw.tell() / size, 1.0) if not raw.closed else 1.0
        except (OSError, ValueError):
            return None

    items = _closing(reader, raw)
    return Input(lambda count: chunks(items, count), fraction, reader.notes)


def _sample_lines(lines: Iterator[bytes | None]) -> Iterator[bytes | None]:
    """The first lines of a stream, up to :data:`SAMPLE` bytes (the rest stays unread)."""
    size = 0
    for line in lines:
        yield line
        size += MAX_LINE if line is None else len(line)
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
            RESAVE,
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
        RESAVE,
    )


def _decoded(lines: Iterable[bytes | None], encoding: str) -> Iterator[str]:
    """Text lines; bytes that are not ``encoding`` become surrogates, and their row an error
    (never a crash); a line too long to read (None) becomes :data:`LINE_TOO_LONG`, and its
    row an error. A line end is a ``\\n`` byte in UTF-8 and in GB18030 alike."""
    for number, line in enumerate(lines):
        if line is None:
            yield LINE_TOO_LONG
            continue
        text = line.decode(encoding, "surrogateescape")
        yield text.lstrip("\ufeff") if number == 0 else text


# --- xlsx ---

XLSX_MISSING = 'pip install "kuaiji[xlsx]"'


def load_openpyxl() -> types.ModuleType:
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
    openpyxl = load_openpyxl()
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
        found = find_header((n, [c.value for c in row]) for n, row in rows)
        if found is None:
            book.close()
            return Input(lambda size: iter(()), lambda: 1.0)
        number, header = found
        columns = map_columns(header)
    except BaseException:
        book.close()
        raise
    notes = [f"读取第一个工作表「{sheet.title}」", *header_notes(number, columns)]
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
            item = row_item(
                f"row {number}", cells, columns, base, lambda p, v: _xlsx_cell(p, v, types_)
            )
            if item is not None:
                yield item

    reader = _closing(items(), book)

    def fraction() -> float | None:
        return min(at[0] / total, 1.0) if total else None

    return Input(lambda count: chunks(reader, count), fraction, tuple(notes))


class _ExcelError(str):
    """A cell holding an Excel error value (#N/A, #REF!): a formula that failed."""


def _xlsx_cell(path: str, value: Any, types_: dict[str, Any]) -> str | None:
    """A typed cell as the text a CSV cell would hold."""
    if isinstance(value, _ExcelError):
        raise RowProblem(
            f"{column_name(path)}是 Excel 的错误值 {value}（公式出错）：请改正这个单元格"
        )
    if isinstance(value, str):
        if len(value) > MAX_CELL:  # Excel holds 32,767 characters; a crafted file more
            raise RowProblem(f"{column_name(path)}超过 {MAX_CELL:,} 个字符：请改正这个单元格")
        return csv_cell(path, value)
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
            raise RowProblem(lost_digits(path))  # Excel keeps 15 digits, then zeros
        return text
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer():
            whole = str(int(value))
            if path in DIGIT_COLUMNS and len(whole.lstrip("-")) > 15:
                raise RowProblem(lost_digits(path))  # a double holds 15–17 digits
            return whole
        return repr(value)
    return str(value)  # a time of day, a duration


@functools.cache
def _field_types() -> dict[str, Any]:
    return csv_fields()


def chunks(items: Iterator[Item], size: int) -> Iterator[Task]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
