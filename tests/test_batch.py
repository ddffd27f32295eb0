"""Batch prechecks: order with several workers, records in = records out, CSV round trip,
summary counts, Ctrl-C, folders and stdin, masking, bad arguments."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import records
from helpers import EXAMPLES, KUAIJI, candidate, kuaiji
from kuaiji.batch.inputs import open_input
from kuaiji.batch.options import Options
from kuaiji.batch.pool import run
from kuaiji.model.clock import parse_at
from kuaiji.model.results import ExamLevel

AT = "2026-06-20T10:00"
ARGS = ["--exam", "intermediate", "--year", "2026", "--at", AT]
ALL = {"KUAIJI_NATIONAL_ONLY": "0"}


def write_jsonl(folder: Path, count: int, extra: list[str] = (), seed: int = 3) -> Path:
    shutil.copy(EXAMPLES / "wang.jpg", folder / "photo.jpg")
    lines = list(records(count, seed=seed))
    for i, line in enumerate(extra):
        lines.insert(min(len(lines), 7 * (i + 1)), line)
    path = folder / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow
def test_order_is_kept_with_several_workers(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path, 2500)
    one, three = tmp_path / "one.jsonl", tmp_path / "three.jsonl"
    assert (
        kuaiji(
            "precheck", "--batch", str(source), *ARGS, "--jobs", "1", "--out", str(one), env=ALL
        ).returncode
        == 1
    )
    assert (
        kuaiji(
            "precheck", "--batch", str(source), *ARGS, "--jobs", "3", "--out", str(three), env=ALL
        ).returncode
        == 1
    )
    assert one.read_bytes() == three.read_bytes()
    labels = [r["record"] for r in rows(three)]
    assert labels == [f"line {n}" for n in range(1, 2501)]


def test_records_in_equal_records_out_with_corrupt_lines(tmp_path: Path) -> None:
    garbage = [
        "not json at all",
        "[]",
        "{}",
        '{"name": 3}',
        '{"region": "110105"',
        "null",
        "\u0000\u0001",
    ]
    source = write_jsonl(tmp_path, 300, garbage)
    out = tmp_path / "out.jsonl"
    result = kuaiji(
        "precheck",
        "--batch",
        str(source),
        *ARGS,
        "--jobs",
        "2",
        "--out",
        str(out),
        "--json",
        env=ALL,
    )
    assert result.returncode == 1, result.stderr
    given = [line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    got = rows(out)
    assert len(got) == len(given) == 307
    errors = [r for r in got if r["verdict"] == "error"]
    assert len(errors) >= len(garbage)
    for row in errors:
        assert row["record"].startswith("line ") and row["error"]
    by_line = {r["record"]: r for r in got}
    assert "不是有效的 JSON" in by_line["line 8"]["error"]  # "not json at all", inserted at index 7
    summary = json.loads(result.stdout)
    assert summary["records"] == 307 and summary["verdicts"]["error"] == len(errors)


def test_summary_counts_match_the_rows(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path, 800)
    out = tmp_path / "out.jsonl"
    result = kuaiji("precheck", "--batch", str(source), *ARGS, "--out", str(out), "--json", env=ALL)
    summary = json.loads(result.stdout)
    got = rows(out)
    verdicts: dict[str, int] = {}
    rules: dict[str, int] = {}
    for row in got:
        verdicts[row["verdict"]] = verdicts.get(row["verdict"], 0) + 1
        for rule in row["rules"]:
            rules[rule] = rules.get(rule, 0) + 1
    assert summary["records"] == len(got) == 800
    assert (
        summary["verdicts"] == dict(sorted(verdicts.items(), key=lambda kv: -kv[1]))
        or summary["verdicts"] == verdicts
    )
    assert sum(summary["regions"].values()) == 800
    top = summary["top_rules"]
    assert len(top) <= 10 and all(rules[rule] == count for rule, count in top.items())
    assert list(top.values()) == sorted(top.values(), reverse=True)
    human = kuaiji("precheck", "--batch", str(source), *ARGS, "--out", str(out), env=ALL)
    assert "共 800 条" in human.stdout and "最常见的规则" in human.stdout


def test_csv_round_trip_with_chinese_text(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "wang.jpg")
    header = [
        "name",
        "id_number",
        "phone",
        "region",
        "photo.path",
        "collection.status",
        "collection.region",
        "national_account.registered",
        "national_account.real_name_verified",
        "work.status",
        "work.accounting_since",
        "work.employer",
        "education",
    ]
    education = json.dumps(
        [{"mode": "full_time", "level": "bachelor", "graduated": "2012-07-01"}], ensure_ascii=False
    )
    people = [
        [
            "王芳",
            "110105199003072346",
            "13800138000",
            "110105",
            "wang.jpg",
            "approved",
            "110105",
            "是",
            "是",
            "accounting",
            "2012-08-01",
            "北京某某会计师事务所（特殊普通合伙）",
            education,
        ],
        [
            "李雷",
            "440305198802021234",
            "13900139000",
            "440305",
            "",
            "none",
            "",
            "yes",
            "no",
            "accounting",
            "2010-08-01",
            "深圳市南山区“星河”科技有限公司",
            education,
        ],
        ["错误行", "110105", "abc", "火星", "", "maybe", "", "", "", "", "", "", "[not json"],
    ]
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(people)
    out = tmp_path / "out.csv"
    result = kuaiji(
        "precheck",
        "--batch",
        str(source),
        *ARGS,
        "--out",
        str(out),
        "--show-personal-data",
        env=ALL,
    )
    assert result.returncode == 1, result.stderr
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8 with a BOM
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["记录"] for r in table] == ["第 2 行", "第 3 行", "第 4 行"]
    assert [r["姓名"] for r in table[:2]] == ["王芳", "李雷"]
    assert table[0]["结论代码"] == "ready" and table[0]["地区"] == "北京市朝阳区"
    assert table[1]["结论代码"] == "not_ready" and table[1]["结论"] == "尚未就绪"
    rules = set(table[1]["规则"].split(";"))
    assert "account.national" in rules and "photo.spec" in rules  # 2026: no photo file given
    assert "1. 【需处理】" in table[1]["问题"]
    assert len(table[1]["问题"].splitlines()) >= 2  # one finding a line in the cell
    assert table[2]["结论代码"] == "error" and "education" in table[2]["问题"]


def test_unknown_csv_column_is_bad_input(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("name,id_number,phone,region,shoe_size\n王芳,1,2,3,42\n", encoding="utf-8")
    result = kuaiji("precheck", "--batch", str(source), *ARGS, env=ALL)
    assert (
        result.returncode == 2 and "shoe_size" in result.stderr and "Traceback" not in result.stderr
    )


def test_a_folder_of_files_and_stdin(tmp_path: Path) -> None:
    folder = tmp_path / "people"
    folder.mkdir()
    shutil.copy(EXAMPLES / "wang.jpg", folder / "wang.jpg")
    for name in ("b-second.json", "a-first.json"):
        (folder / name).write_text(json.dumps(candidate(), ensure_ascii=False), encoding="utf-8")
    (folder / "c-broken.json").write_text("{", encoding="utf-8")
    result = kuaiji("precheck", "--batch", str(folder), *ARGS, env=ALL)
    got = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["record"] for r in got] == [
        "file 1: a-first.json",
        "file 2: b-second.json",
        "file 3: c-broken.json",
    ]
    assert [r["verdict"] for r in got] == ["ready", "ready", "error"]
    assert "共 3 条" in result.stderr  # the summary goes to stderr when results go to stdout

    lines = "\n".join(json.dumps(candidate(), ensure_ascii=False) for _ in range(3))
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "wang.jpg")
    piped = kuaiji("precheck", "--batch", "-", *ARGS, stdin=lines, env=ALL, cwd=tmp_path)
    assert [json.loads(x)["verdict"] for x in piped.stdout.splitlines()] == ["ready"] * 3
    assert piped.returncode == 0


def test_personal_data_is_masked_even_in_errors(tmp_path: Path) -> None:
    good = candidate()
    bad = dict(candidate(), id_number=110105199003072346, phone="13812345678")
    source = tmp_path / "in.jsonl"
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "wang.jpg")
    source.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in (good, bad)), encoding="utf-8"
    )
    result = kuaiji("precheck", "--batch", str(source), *ARGS, env=ALL)
    text = result.stdout + result.stderr
    for secret in (
        good["id_number"],
        good["phone"],
        good["name"],
        "110105199003072346",
        "13812345678",
    ):
        assert secret not in text
    shown = kuaiji("precheck", "--batch", str(source), *ARGS, "--show-personal-data", env=ALL)
    assert good["id_number"] in shown.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["precheck", "x.json", "--batch", "y.jsonl", *ARGS],
        ["precheck", *ARGS],
        ["precheck", "--batch", "no/such/file.jsonl", *ARGS],
        ["precheck", "--batch", "-", "--ics", "x.ics", *ARGS],
        ["precheck", "--batch", "-", "--jobs", "0", *ARGS],
    ],
)
def test_unusable_arguments_exit_2(args: list[str]) -> None:
    result = kuaiji(*args, stdin="")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_no_progress_bar_when_not_a_terminal(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path, 50)
    result = kuaiji(
        "precheck", "--batch", str(source), *ARGS, "--out", str(tmp_path / "o.jsonl"), env=ALL
    )
    assert result.stderr == ""  # summary on stdout, no bar on stderr


@pytest.mark.slow
def test_ctrl_c_leaves_a_valid_prefix_and_says_how_far(tmp_path: Path) -> None:
    """A real process and a real SIGINT."""
    source = write_jsonl(tmp_path, 60000, seed=11)
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "KUAIJI_NATIONAL_ONLY": "0"}
    process = subprocess.Popen(
        [
            KUAIJI,
            "precheck",
            "--batch",
            str(source),
            *ARGS,
            "--jobs",
            "2",
            "--out",
            str(out),
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size < 200_000):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    summary = json.loads(stdout)
    assert summary["interrupted"] is True
    got = rows(out)  # every line is whole JSON
    assert 0 < len(got) < 60000
    assert len(got) == summary["records"]
    assert got[-1]["record"] == summary["last_record"]
    assert [r["record"] for r in got] == [f"line {n}" for n in range(1, len(got) + 1)]
    assert "Traceback" not in stderr


def test_api_batch_in_process() -> None:
    items = [json.dumps(candidate(), ensure_ascii=False), "{oops"]
    from kuaiji.batch.options import Item

    lines: list[str] = []
    options = Options(ExamLevel.INTERMEDIATE, 2026, parse_at(AT))
    summary = run(
        [Item(f"line {i + 1}", text, str(EXAMPLES)) for i, text in enumerate(items)],
        options,
        lines.append,
    )
    assert summary.records == 2 and summary.verdicts["error"] == 1 and summary.exit_code == 1
    assert len("".join(lines).splitlines()) == 2
    assert open_input  # the reader is public too
    assert sys.version_info >= (3, 11)


def test_a_one_process_batch_freezes_what_was_loaded_and_restores_the_collector() -> None:
    """While a batch runs in the command's process what was loaded before is frozen (never
    scanned by the collector again); afterwards the process is as it was. In a thread (a
    service's batch) the collector is left alone."""
    import gc
    import threading

    from kuaiji.batch.options import Item

    before = gc.get_threshold()
    seen: list[tuple[tuple[int, ...], int]] = []
    items = [Item(f"line {i}", json.dumps(candidate(), ensure_ascii=False), str(EXAMPLES))
             for i in range(1, 4)]  # fmt: skip
    options = Options(ExamLevel.INTERMEDIATE, 2026, parse_at(AT))

    def batch() -> None:
        run(items, options, lambda _: seen.append((gc.get_threshold(), gc.get_freeze_count())))

    batch()
    assert seen and all(t == before and frozen > 0 for t, frozen in seen)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    seen.clear()
    thread = threading.Thread(target=batch)
    thread.start()
    thread.join()
    assert seen and all(frozen == 0 for _, frozen in seen)


# --- inputs that used to break the batch (found in review) ---


def folder_with_photo(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "wang.jpg")
    return tmp_path


def test_out_equal_to_the_input_is_refused_and_the_input_kept(tmp_path: Path) -> None:
    path = folder_with_photo(tmp_path) / "same.jsonl"
    path.write_text(json.dumps(candidate(), ensure_ascii=False) + "\n", encoding="utf-8")
    before = path.read_bytes()
    result = kuaiji("precheck", "--batch", str(path), *ARGS, "--out", str(path), env=ALL)
    assert result.returncode == 2 and "--out" in result.stderr
    assert path.read_bytes() == before


def test_a_line_that_is_not_utf8_is_an_error_record(tmp_path: Path) -> None:
    path = folder_with_photo(tmp_path) / "mixed.jsonl"
    good = json.dumps(candidate(), ensure_ascii=False).encode("utf-8")
    gbk = json.dumps(candidate(), ensure_ascii=False).encode("gbk")
    path.write_bytes(good + b"\n" + gbk + b"\n" + good)  # no newline at the end
    rows = [
        json.loads(x)
        for x in kuaiji("precheck", "--batch", str(path), *ARGS, env=ALL).stdout.splitlines()
    ]
    assert [r["verdict"] for r in rows] == ["ready", "error", "ready"]
    assert "UTF-8" in rows[1]["error"] and rows[1]["record"] == "line 2"


def test_blank_lines_after_a_full_chunk_add_no_output_line(tmp_path: Path) -> None:
    path = folder_with_photo(tmp_path) / "t.jsonl"
    line = json.dumps(candidate(), ensure_ascii=False)
    path.write_text("\n".join([line] * 1000) + "\n\n\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    kuaiji("precheck", "--batch", str(path), *ARGS, "--out", str(out), "--jobs", "1", env=ALL)
    assert out.read_text(encoding="utf-8").count("\n") == 1000
    assert "" not in out.read_text(encoding="utf-8").split("\n")[:-1]


def test_stdin_json_lines_after_a_blank_line(tmp_path: Path) -> None:
    folder_with_photo(tmp_path)
    text = "\n \n" + json.dumps(candidate(), ensure_ascii=False) + "\n"
    result = kuaiji("precheck", "--batch", "-", *ARGS, stdin=text, env=ALL, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["record"] == "line 3"


def test_a_lone_surrogate_does_not_stop_the_batch(tmp_path: Path) -> None:
    path = folder_with_photo(tmp_path) / "s.jsonl"
    good = json.dumps(candidate(), ensure_ascii=False)
    odd = good.replace('"王芳"', '"\\ud800芳"')
    path.write_text(f"{odd}\n{good}\n", encoding="utf-8")
    for extra in ((), ("--show-personal-data",)):
        result = kuaiji("precheck", "--batch", str(path), *ARGS, *extra, env=ALL)
        assert result.returncode in (0, 1) and len(result.stdout.splitlines()) == 2, result.stderr


def test_an_input_with_no_record_is_an_error_not_a_success(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kuaiji_cli.main import main

    args = ["--exam", "中级", "--year", "2026", "--at", "2026-06-20T10:00"]
    header_only = tmp_path / "名单.csv"
    header_only.write_text("姓名,身份证号码,手机号码,所在地区\n", encoding="utf-8")
    empty = tmp_path / "空.jsonl"
    empty.write_text("", encoding="utf-8")
    for source in (header_only, empty):
        result = CliRunner().invoke(main, ["precheck", "--batch", str(source), *args])
        assert result.exit_code == 2, result.output
        assert "没有考生记录" in result.output


def test_a_year_the_data_cannot_answer_is_refused_once_up_front(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kuaiji_cli.main import main

    source = tmp_path / "c.jsonl"
    source.write_text('{"name": "王芳"}\n' * 3, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["precheck", "--batch", str(source), "--exam", "中级", "--year", "2019"]
    )
    assert result.exit_code == 2 and "早于现有资料" in result.output
    assert "row" not in result.output and "line" not in result.output


@pytest.mark.parametrize(
    "message",
    ["材料齐全", "甲\u2028乙", "甲\u2029乙", "甲\x85乙", "坏\ud800字", 'a "quote" \\ and \x07'],
)
@pytest.mark.parametrize("where", ["finding", "head"])
def test_result_line_from_remembered_finding_texts_is_the_whole_rows_text(
    message: str, where: str
) -> None:
    """A result line is put together from the head's JSON text and each finding's
    remembered JSON text; it must be the very text of encoding the whole row, and a
    character the line escapes (a line break some readers take for a line end, a lone
    surrogate) in a finding or in the head makes the whole row encoded."""
    import datetime as dt

    from kuaiji.batch import check
    from kuaiji.batch.options import produced_by
    from kuaiji.batch.output import render, render_checked
    from kuaiji.commands.precheck import finding_row
    from kuaiji.model.clock import SHANGHAI
    from kuaiji.model.results import Finding, Severity
    from kuaiji.registry.manager import get_registry

    produced = produced_by(get_registry())
    findings = [
        Finding(
            "collection.required",
            Severity.ERROR,
            message if where == "finding" else "材料齐全",
            action="去办",
            plugin="national",
        ),
        Finding(
            "schedule.window",
            Severity.INFO,
            "报名进行中",
            plugin="national",
            deadline=dt.datetime(2026, 7, 2, 12, 0, tzinfo=SHANGHAI),
            source="https://a.example/",
        ),
    ]
    name = message if where == "head" else "王*"
    head = {"record": "line 1", "verdict": "not_ready", "name": name, "rules": ["x"]}
    whole = render(
        {**head, "findings": [finding_row(f) for f in findings], "error": None}, produced
    )
    line = render_checked(head, findings, check._finding_text, produced)
    if line is None:
        assert message != "材料齐全" and not message.startswith("a ")
    else:
        assert line == whole
        assert check._FINDING_TEXTS  # remembered …
        check.forget_answers()
        assert not check._FINDING_TEXTS  # … and forgotten with the batch's other answers
    json.loads(whole)


@settings(max_examples=300, deadline=None)
@given(
    st.text(),
    st.one_of(st.text(), st.none()),
    st.lists(st.text(max_size=5), max_size=3),
)
def test_result_head_is_written_as_the_json_encoder_writes_it(
    text: str, name: str | None, rules: list[str]
) -> None:
    """The head of a result line is written out by hand: it must be the very text of the
    JSON encoder for any string (quotes, control characters, lone surrogates), and a value
    that is not a string is left to the encoder."""
    from kuaiji.batch.output import JSON_TEXT, _head_text

    head = {
        "record": text,
        "verdict": "not_ready",
        "region": "110101",
        "region_name": text,
        "name": name,
        "id_number": text,
        "rules": rules,
    }
    assert _head_text(head) == JSON_TEXT.encode(head)
    assert _head_text({"record": text}) == JSON_TEXT.encode({"record": text})
    odd = {**head, "rules": text}  # not a list: the encoder's text, not one per character
    assert _head_text(odd) == JSON_TEXT.encode(odd)
