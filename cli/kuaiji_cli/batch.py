"""`kuaiji precheck --batch`: streaming input and output, a progress bar on a terminal,
a summary at the end, and a clean stop on Ctrl-C."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import TextIO

import click

from kuaiji import clock
from kuaiji.batch import Options, Summary, open_input, run
from kuaiji.records import ExamLevel


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
    fmt = output_format or ("csv" if out and out.lower().endswith(".csv") else "jsonl")
    options = Options(ExamLevel(exam), year, at or clock.now(), fmt, show_personal_data)
    if (
        out
        and source != "-"
        and Path(out).exists()
        and Path(out).resolve() == Path(source).resolve()
    ):
        from kuaiji.errors import InputError

        raise InputError.single(
            "--out",
            "is the input file: it would be emptied before it is read",
            "write the results to another file",
        )
    source_input = open_input(source)
    workers = jobs or os.cpu_count() or 1
    target: TextIO = Path(out).open("w", encoding="utf-8", newline="") if out else sys.stdout  # noqa: SIM115
    bar = _Progress(source_input.fraction) if sys.stderr.isatty() else None
    try:
        summary = run(
            source_input,
            options,
            lambda text: _write(target, text),
            jobs=workers,
            progress=bar.update if bar else None,
        )
    finally:
        if bar:
            bar.clear()
        if out:
            target.close()
        else:
            target.flush()
    report = sys.stdout if out else sys.stderr
    if as_json:
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2), file=report)
    else:
        click.echo(summary_text(summary), file=report)
    return summary.exit_code


def _write(target: TextIO, text: str) -> None:
    target.write(text)


def summary_text(summary: Summary) -> str:
    lines = []
    if summary.interrupted:
        lines.append(
            f"已中断：已写出 {summary.records} 条完整结果，最后一条是 {summary.last or '（无）'}"
        )
    rate = f"，{summary.records / summary.seconds:,.0f} 条/秒" if summary.seconds else ""
    lines.append(f"共 {summary.records} 条，用时 {summary.seconds:.1f} 秒{rate}")
    names = {
        "ready": "可以报名",
        "pending": "待审核",
        "not_ready": "尚未就绪",
        "too_late": "已来不及",
        "error": "无法检查",
    }
    lines.append(
        "结论：" + "，".join(f"{names.get(k, k)} {v}" for k, v in summary.verdicts.most_common())
    )
    lines.append("地区：" + "，".join(f"{k} {v}" for k, v in summary.regions.most_common(12)))
    if summary.rules:
        lines.append("最常见的规则：")
        lines.extend(f"  {rule} {count}" for rule, count in summary.rules.most_common(10))
    if summary.plugin_failures:
        lines.append(f"插件出错影响了 {summary.plugin_failures} 条（rule plugin.error）")
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
