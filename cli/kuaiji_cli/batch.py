"""`kuaiji precheck --batch`: streaming input and output (JSON Lines, CSV or .xlsx), a
progress bar on a terminal, a summary at the end, and a clean stop on Ctrl-C."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import click

from kuaiji.batch.inputs import open_input
from kuaiji.batch.options import VERDICT_ZH, Options, Summary
from kuaiji.batch.pool import run
from kuaiji.errors import InputError
from kuaiji.io.masking import printable
from kuaiji.model import clock
from kuaiji.model.results import ExamLevel
from kuaiji_cli.common import warn_rules

_SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def choose_format(requested: str | None, out: str | None) -> str:
    """The output format: ``--format``, else the ``--out`` file's extension, else JSON
    Lines. A format that contradicts the extension, or xlsx without a file, is refused."""
    suffix = Path(out).suffix.lower() if out else ""
    implied = _SUFFIXES.get(suffix)
    fmt = requested or implied or "jsonl"
    if requested and implied and requested != implied:
        raise InputError.single(
            "--format",
            f"--format {requested} 与 --out 文件的扩展名 {suffix} 不一致",
            f"把 --out 改成 .{requested} 文件，或去掉 --format",
        )
    if fmt == "xlsx" and not out:
        raise InputError.single(
            "--out", ".xlsx 只能写入文件", "加上 --out 结果.xlsx（或用 --format csv 输出到屏幕）"
        )
    return fmt


def run_batch(
    source: str,
    *,
    exam: str,
    year: int,
    at: dt.datetime | None,
    out: str | None,
    output_format: str | None,
    jobs: int | None,
    as_json: bool,
    show_personal_data: bool,
) -> int:
    from kuaiji.registry.manager import get_registry
    from kuaiji.registry.schedules import check_year

    fmt = choose_format(output_format, out)
    check_year(get_registry(), ExamLevel(exam), year)  # once, not once per record
    options = Options(ExamLevel(exam), year, at or clock.now(), fmt, show_personal_data)
    if out:
        _check_out(source, out)
    xlsx = None
    if fmt == "xlsx":
        from kuaiji.batch.output import XlsxWriter

        assert out is not None
        xlsx = XlsxWriter(Path(out))  # before reading: a missing openpyxl fails at once
    source_input = open_input(source)
    workers = jobs or os.cpu_count() or 1
    target: TextIO | None = None
    write: Callable[[str], None]
    if xlsx is not None:
        write = xlsx.write
    else:
        target = Path(out).open("w", encoding="utf-8", newline="") if out else sys.stdout  # noqa: SIM115
        write = _writer(target)
    bar = _Progress(source_input.fraction) if sys.stderr.isatty() else None
    try:
        summary = run(
            source_input,
            options,
            write,
            jobs=workers,
            progress=bar.update if bar else None,
        )
    finally:
        if bar:
            bar.clear()
        if target is not None and out:
            target.close()
        elif target is not None:
            target.flush()
    if summary.produced_by is None:  # no record: say what would have checked them
        from kuaiji.batch.options import produced_by
        from kuaiji.registry.manager import get_registry

        summary.produced_by = produced_by(get_registry()).to_dict()
    warn_rules(summary.produced_by)
    if xlsx is not None:
        xlsx.close(summary, options, summary.produced_by)
    if summary.records == 0 and not summary.interrupted:
        raise InputError.single(
            "--batch",
            f"{source!r} 里没有考生记录（0 条）",
            "检查文件是否为空、表头下是否有数据；Excel 文件只读第一个工作表，请把名单放在第一个工作表",
        )
    report = sys.stdout if out else sys.stderr
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2), file=report)
    else:  # it quotes column names and a record's label: control characters neutralised
        click.echo(printable(summary_text(summary)), file=report)
    return summary.exit_code


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name the same file, by device and inode (so a hard link or a
    symlink to it is the same file too); False when either does not exist."""
    try:
        first, second = Path(a).stat(), Path(b).stat()
    except (OSError, ValueError):
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def _check_out(source: str, out: str) -> None:
    """Refuse, before anything is written, an ``--out`` that is a folder, in a folder that
    does not exist, or that is the input by any path (a hard link, a symlink, the file
    standard input is redirected from, a .json file in the folder read): opening it would
    empty the input."""
    shown = printable(out)
    target = Path(out)
    folder = target.parent if str(target.parent) else Path()
    if target.is_dir():
        raise InputError.single("--out", f"“{shown}”是文件夹", "给出一个文件名，如 结果.csv")
    if not folder.is_dir():
        raise InputError.single(
            "--out", f"文件夹“{printable(str(folder))}”不存在", "先建好文件夹，或换一个路径"
        )
    if source == "-":
        try:
            stdin = os.fstat(sys.stdin.fileno())
            written = target.stat()
        except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
            same = False
        else:
            same = (stdin.st_dev, stdin.st_ino) == (written.st_dev, written.st_ino)
    elif Path(source).is_dir():
        same = target.suffix.lower() == ".json" and same_file(folder, source)
    else:
        same = same_file(target, source)
    if same:
        raise InputError.single(
            "--out",
            f"“{shown}”就是输入（同一个文件）：写结果之前它会被清空",
            "把结果写到另一个文件",
        )


def _writer(target: TextIO) -> Callable[[str], None]:
    def write(text: str) -> None:
        target.write(text)

    return write


def summary_text(summary: Summary) -> str:
    lines = []
    if summary.interrupted:
        lines.append(
            f"已中断：已写出 {summary.records} 条完整结果，最后一条是 {summary.last or '（无）'}"
        )
    rate = f"，{summary.records / summary.seconds:,.0f} 条/秒" if summary.seconds else ""
    lines.append(f"共 {summary.records} 条，用时 {summary.seconds:.1f} 秒{rate}")
    lines.append(
        "结论："
        + "，".join(f"{VERDICT_ZH.get(k, k)} {v}" for k, v in summary.verdicts.most_common())
    )
    lines.append("地区：" + "，".join(f"{k} {v}" for k, v in summary.regions.most_common(12)))
    if summary.rules:
        lines.append("最常见的规则：")
        lines.extend(f"  {rule} {count}" for rule, count in summary.rules.most_common(10))
    if summary.plugin_failures:
        lines.append(f"插件出错影响了 {summary.plugin_failures} 条（rule plugin.error）")
    if summary.input_notes:
        lines.append("读取：" + "；".join(summary.input_notes))
    produced: dict[str, Any] | None = summary.produced_by
    if produced:
        lines.append(f"生成工具：{produced['text']}（指纹 #{produced['digest']}）")
    return "\n".join(lines)


class _Progress:
    """One line on stderr, at most five updates a second: count, rate and ETA."""

    def __init__(self, fraction: object) -> None:
        self.fraction = fraction
        self.last = 0.0

    def update(self, summary: Summary) -> None:
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        rate = summary.records / summary.seconds if summary.seconds else 0.0
        done = self.fraction() if callable(self.fraction) else None
        eta = ""
        if done and 0 < done < 1 and summary.seconds:
            left = summary.seconds * (1 - done) / done
            eta = f" · 预计还需 {int(left // 60)} 分 {int(left % 60)} 秒"
        sys.stderr.write(f"\r已检查 {summary.records:,} 条 · {rate:,.0f} 条/秒{eta}   ")
        sys.stderr.flush()

    def clear(self) -> None:
        sys.stderr.write("\r" + " " * 60 + "\r")
        sys.stderr.flush()
