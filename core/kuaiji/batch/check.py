"""Checking records in a worker: one precheck per record, an ``error`` result for a record
that cannot be read, personal data masked."""

from __future__ import annotations

import faulthandler
import functools
import json
import os
import signal
import threading
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kuaiji.batch.columns import csv_record
from kuaiji.batch.inputs import span_items
from kuaiji.batch.options import (
    ROW_ERROR,
    UNREADABLE,
    VERDICT_ZH,
    Item,
    Options,
    Produced,
    Result,
    Span,
    Summary,
    Task,
    produced_by,
)
from kuaiji.batch.output import (
    JSON_TEXT,
    plain,
    record_zh,
    render,
    render_checked,
    shown_label,
    table_cells,
    table_line,
)
from kuaiji.errors import InputError, KuaijiError
from kuaiji.io import fastpath
from kuaiji.io.masking import mask_id, mask_name, mask_phone, printable
from kuaiji.registry import containment, memo

# --- checking (in a worker) ---

_STATE: dict[str, Any] = {}


def init_worker(plugins_env: dict[str, str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler (inherited)
    containment.die_with_parent()  # and a worker never outlives it
    containment.exit_when_stuck()  # a hook stuck in C code ends this worker, not the batch
    os.environ.update(plugins_env)
    from kuaiji.registry.manager import get_registry

    _STATE["registry"] = get_registry()
    _STATE["worker"] = True
    fewer_collections()


def fewer_collections() -> bool:
    """Make the cyclic garbage collector cheaper while records are checked: what is loaded
    so far (the registry, the data) is never scanned again (``gc.freeze``). About 1 % of a
    record's instructions. Collecting the young generation less often saved 2 % more but
    held 30–130 MB more (the tracebacks of records with errors are cycles), so the
    thresholds stay. False (nothing done) when the program froze objects itself: its
    freeze is left as it is."""
    import gc

    if gc.get_freeze_count():
        return False
    gc.freeze()
    return True


def usual_collections() -> None:
    """Undo :func:`fewer_collections`."""
    import gc

    gc.unfreeze()


def check_chunk(
    task: Task, options: Options, registry: Any = None, stop: threading.Event | None = None
) -> tuple[str, Summary]:
    """Check a chunk; return its output lines as one block and its counts (both cheap to
    send back from a worker). ``stop`` set (Ctrl-C in a one-process batch): the records
    checked so far."""
    from kuaiji.registry.manager import get_registry

    registry = registry or _STATE.get("registry") or get_registry()
    items = span_items(task) if isinstance(task, Span) else task
    ending = "\r\n" if options.output == "csv" else "\n"
    lines = []
    tally = Summary()
    produced = produced_by(registry)
    tally.produced_by = produced.to_dict()
    stuck = _StuckTimer(registry.budget) if _STATE.get("worker") else None
    try:
        with memo.remembering(_memo(registry, options)):
            for item in items:
                if stop is not None and stop.is_set():
                    break
                if stuck is not None:
                    stuck.tick()
                result = check_item(item, options, registry, produced)
                lines.append(result.line)
                tally.add(result)
    finally:
        if stuck is not None:
            faulthandler.cancel_dump_traceback_later()
    return (ending.join(lines) + ending) if lines else "", tally


LOST = (
    "检查这条记录时工作进程意外结束（某个插件结束了进程，或卡在 C 代码中），这条记录未能检查；"
    "请把这条记录报告给插件的维护者"
)


class _StuckTimer:
    """A worker's last resort against plugin code stuck where no exception reaches it (C
    code holding the GIL, which the containment watchdog needs): faulthandler's timer, which
    runs without the GIL, ends the worker when one record has taken more than half of
    ``window`` (twice the budgets after which a stuck process ends); the parent then checks
    that chunk's records one by one (:func:`kuaiji.batch.pool.run`), so only the record that
    got stuck is lost. Re-armed only once half the window has passed (arming costs ~50 µs):
    a record that ends its hooks within their budgets is never cut."""

    def __init__(self, budget: float) -> None:
        self.window = 2 * containment.STUCK_BUDGETS * budget
        self.armed = -self.window
        sink = _STATE.get("devnull")
        if sink is None:
            sink = _STATE["devnull"] = Path(os.devnull).open("w")  # noqa: SIM115 (kept open)
        self.sink = sink

    def tick(self) -> None:
        now = time.monotonic()
        if now - self.armed > self.window / 2:
            faulthandler.dump_traceback_later(self.window, exit=True, file=self.sink)
            self.armed = now


def lost_results(items: list[Item], options: Options, registry: Any = None) -> tuple[str, Summary]:
    """The ``error`` result of each record whose worker ended while checking it: records
    in = records out."""
    from kuaiji.registry.manager import get_registry

    registry = registry or get_registry()
    produced = produced_by(registry)
    ending = "\r\n" if options.output == "csv" else "\n"
    tally = Summary()
    tally.produced_by = produced.to_dict()
    lines = []
    for item in items:
        if item.label.startswith("file "):  # a file name often holds a name and an ID number
            item = item._replace(label=shown_label(item.label, options.show_personal_data))
        result = _error(item, options, LOST, None, produced)
        lines.append(result.line)
        tally.add(result)
    return (ending.join(lines) + ending) if lines else "", tally


def forget_answers() -> None:
    """Drop the rules' answers this process remembered for a batch (they hold candidates'
    data): a service's batch leaves nothing behind."""
    _STATE.pop("memo", None)
    _FINDING_TEXTS.clear()


def _memo(registry: Any, options: Options) -> dict[Any, Any]:
    """The rules' remembered answers (:mod:`kuaiji.registry.memo`) for this batch: kept
    across a worker's chunks while the registry and the options are the same."""
    held = _STATE.get("memo")
    if held is None or held[0] is not registry or held[1] != options:
        held = _STATE["memo"] = (registry, options, {})
    answers: dict[Any, Any] = held[2]
    return answers


@functools.cache
def _engine() -> types.ModuleType:
    """The engine, imported on first use (the parent of a batch never needs it)."""
    from kuaiji.commands import precheck as engine

    return engine


def _photo_file_allowed(candidate: Any, options: Options) -> None:
    """Records from someone else may not name a file of this machine as their photo."""
    if not options.photo_files and candidate.photo is not None and candidate.photo.path:
        raise InputError.single(
            "photo.path",
            "通过网络上传的表格不能指定照片文件的路径",
            "删去照片文件一列；可改给照片大小、宽度、高度和格式，或单独检查这位考生并上传照片",
        )


def check_item(
    item: Item, options: Options, registry: Any, produced: Produced | None = None
) -> Result:
    """One record's result line. Whatever goes wrong with this record (bad input, or a
    fault the core did not foresee) makes an ``error`` result for it alone: records in =
    records out."""
    produced = produced or produced_by(registry)
    if item.label.startswith("file "):  # a file name often holds a name and an ID number
        item = item._replace(label=shown_label(item.label, options.show_personal_data))
    try:
        return _check_item(item, options, registry, produced)
    except Exception as exc:  # MemoryError and RecursionError too: this record's, alone
        message = f"内部错误（{type(exc).__name__}），这条记录未能检查；请把这条记录报告给 kuaiji"
        return _error(item, options, message, None, produced)


def _check_item(item: Item, options: Options, registry: Any, produced: Produced) -> Result:
    engine = _engine()
    payload = item.payload
    if isinstance(payload, str) and not payload.startswith(UNREADABLE):
        # A line in the canonical form: decoded and structured in one pass (the same
        # candidate as below). Anything else, and any error, takes the detailed path.
        candidate = fastpath.candidate(payload)
        if candidate is not None:
            try:
                _photo_file_allowed(candidate, options)
                report = engine.precheck(
                    candidate, exam=options.exam, year=options.year, at=options.at,
                    base_dir=_path(item.base_dir), registry=registry, timeline=False,
                )  # fmt: skip
            except (KuaijiError, RecursionError):
                pass  # explained below, with the record's own values to mask
            else:
                return _row(item, options, report, produced)
    raw: Any = None
    try:
        if isinstance(item.payload, dict):
            raw = item.payload
            problem = raw.get(ROW_ERROR)
            if problem is not None:
                raise InputError.single("", problem)
            raw = csv_record(raw)
        else:
            if item.payload.startswith(UNREADABLE):
                message, _, fix = item.payload[len(UNREADABLE) :].partition("\x00")
                raise InputError.single("", message, fix or None)
            try:
                raw = json.loads(item.payload)
            except json.JSONDecodeError as exc:
                from kuaiji.io.convert import json_message

                raise InputError.single(
                    "", f"不是有效的 JSON（{json_message(exc)}）", "改正这一行的 JSON 语法"
                ) from None
            except ValueError:  # an integer of more than 4,300 digits
                from kuaiji.io.convert import HUGE_INTEGER

                raise InputError.single("", *HUGE_INTEGER) from None
            except RecursionError:
                raise InputError.single("", "JSON 嵌套太深", "减少嵌套层次") from None
        candidate = engine.candidate_from_dict(raw)
        _photo_file_allowed(candidate, options)
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
    return _row(item, options, report, produced)


def _row(item: Item, options: Options, report: Any, produced: Produced) -> Result:
    """The result line of a record that was checked."""
    engine = _engine()
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
        line = table_line(
            table_cells(item.label, verdict, region, name, id_number, findings, produced),
            options,
        )
        return Result(item.label, verdict, province, rules, line, failed)
    head = {
        "record": item.label,
        "verdict": verdict,
        "region": region.code,
        "region_name": region.name,
        "name": name,
        "id_number": id_number,
        "rules": list(rules),
    }
    text = render_checked(head, findings, _finding_text, produced)
    if text is None:  # a line break or a lone surrogate to escape: the whole row, as ever
        row = {**head, "findings": [engine.finding_row(f) for f in findings], "error": None}
        text = render(row, produced)
    return Result(item.label, verdict, province, rules, text, failed)


_FINDING_TEXTS: dict[Any, str | None] = {}  # a finding → its JSON text (findings recur)
FINDING_TEXTS_LIMIT = 20_000


def _finding_text(finding: Any) -> str | None:
    """A finding's JSON object as a result line holds it, remembered: most findings of a
    batch are the same few hundred (a rule's answer shared by candidates in the same
    situation, the same window for everyone). None when the text holds a character that
    :func:`kuaiji.batch.output.render` treats specially (the row is then rendered whole)."""
    try:
        return _FINDING_TEXTS[finding]
    except KeyError:
        pass
    except TypeError:  # a value that cannot be a key: encoded, not remembered
        return _encoded(finding)
    if len(_FINDING_TEXTS) >= FINDING_TEXTS_LIMIT:
        _FINDING_TEXTS.clear()
    text = _FINDING_TEXTS[finding] = _encoded(finding)
    return text


def _encoded(finding: Any) -> str | None:
    text = JSON_TEXT.encode(_engine().finding_row(finding))
    return text if plain(text) else None


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
            printable(record_zh(item.label)),
            VERDICT_ZH["error"],
            "error",
            None,
            None,
            None if name is None else printable(name),
            None if id_number is None else printable(id_number),
            printable(message),
            "按「问题」改正输入文件中的这一行，再重新检查",
            None,
            None,
            None,
            None,
            produced.short,
        ]
        return Result(item.label, "error", "未知", (), table_line(cells, options))
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
    return Result(item.label, "error", "未知", (), render(row, produced))


def _scrub(message: str, raw: Any, options: Options) -> str:
    """An error message with the record's own name, ID number and phone masked."""
    if options.show_personal_data:
        return message
    from kuaiji.io.masking import scrub_quoted_names, scrub_text

    message = scrub_text(scrub_quoted_names(message))
    if not isinstance(raw, dict):
        return message
    for key, mask in (("id_number", mask_id), ("phone", mask_phone), ("name", mask_name)):
        value = raw.get(key)
        if isinstance(value, str | int) and len(str(value).strip()) >= 2:
            message = message.replace(str(value).strip(), mask(str(value)))
    return message
