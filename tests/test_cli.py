"""The `kuaiji` command: exit codes, JSON, time zones, masking, README. In this process
(helpers.kuaiji) but for what only a real process shows: the machine's time zone, a closed
pipe, ``python -m kuaiji_cli``."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import EXAMPLES, KUAIJI, ROOT, candidate, kuaiji, kuaiji_process

EXAMPLE = EXAMPLES / "wang-fang.json"
AT = "2026-06-20T10:00"


def write(folder: Path, data: dict[str, object], name: str = "c.json") -> Path:
    shutil.copy(EXAMPLES / "wang.jpg", folder / "wang.jpg")
    path = folder / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_ready_exits_0() -> None:
    result = kuaiji(
        "precheck", str(EXAMPLE), "--exam", "intermediate", "--year", "2026", "--at", AT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("结论：可以报名 (ready)")
    assert "时间线：" in result.stdout


def test_not_ready_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, candidate(collection={"status": "none"}))
    result = kuaiji(
        "precheck", str(path), "--exam", "intermediate", "--year", "2026", "--at", AT, "--json"
    )
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["verdict"] == "not_ready"
    assert "collection.required" in {f["rule"] for f in report["findings"]}


def test_too_late_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, candidate())
    result = kuaiji(
        "precheck",
        str(path),
        "--exam",
        "intermediate",
        "--year",
        "2026",
        "--at",
        "2026-07-03T09:00",
        "--json",
    )
    assert result.returncode == 1 and json.loads(result.stdout)["verdict"] == "too_late"


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [
        ("{not json", (), "JSON 格式有误"),
        (json.dumps(candidate(region="999999")), (), "region"),
        (
            json.dumps(candidate(education=[{"mode": "full_time", "level": "phd"}])),
            (),
            "education[0].level：不认识“phd”；可写 高中、中专、大专、本科",
        ),
        (json.dumps(candidate(extra=1)), (), "extra：不认识的字段"),
        (json.dumps(candidate()), ("--at", "yesterday"), "--at"),
        (json.dumps(candidate(photo={"path": "nope.jpg"})), (), "photo.path"),
    ],
)
def test_bad_input_exits_2_with_the_field_and_no_traceback(
    tmp_path: Path, content: str, args: tuple[str, ...], expected: str
) -> None:
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "wang.jpg")
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    result = kuaiji("precheck", str(path), "--exam", "intermediate", "--year", "2026", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stderr
    assert str(path) in result.stderr or "--at" in expected
    assert "Traceback" not in result.stderr + result.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert kuaiji("precheck", str(EXAMPLE), "--exam", "senior", "--year", "2026").returncode == 2
    assert kuaiji("precheck", str(EXAMPLE), "--exam", "junior").returncode == 2
    missing = kuaiji("precheck", str(tmp_path / "none.json"), "--exam", "junior", "--year", "2026")
    assert missing.returncode == 2 and "找不到这个文件" in missing.stderr


def test_stdin(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "wang.jpg")
    result = kuaiji(
        "precheck",
        "-",
        "--exam",
        "intermediate",
        "--year",
        "2026",
        "--at",
        AT,
        "--json",
        stdin=EXAMPLE.read_text(encoding="utf-8"),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["verdict"] == "ready"


def test_plugin_failure_exits_3(tmp_path: Path) -> None:
    """A broken third-party distribution on the path: reported by name, exit code 3."""
    site = tmp_path / "site"
    dist = site / "kuaiji_broken-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: kuaiji-broken\nVersion: 0.1\n", encoding="utf-8"
    )
    # A module name of its own: another test's kuaiji_broken may already be imported.
    (dist / "entry_points.txt").write_text(
        "[kuaiji]\nbroken = kuaiji_broken_at_start\n", encoding="utf-8"
    )
    (site / "kuaiji_broken_at_start.py").write_text(
        "raise RuntimeError('cannot start')\n", encoding="utf-8"
    )
    env = {"PYTHONPATH": str(site), "KUAIJI_NATIONAL_ONLY": ""}
    result = kuaiji(
        "precheck",
        str(EXAMPLE),
        "--exam",
        "intermediate",
        "--year",
        "2026",
        "--at",
        AT,
        "--json",
        env=env,
    )
    assert result.returncode == 3, result.stderr
    errors = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "plugin.error"]
    assert errors and errors[0]["plugin"] == "broken" and "cannot start" in errors[0]["message"]
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_same_json_whatever_the_machine_time_zone(tmp_path: Path) -> None:
    """A real process per time zone: the machine's zone is read once, at start."""
    outputs = {
        tz: kuaiji_process(
            "precheck",
            str(EXAMPLE),
            "--exam",
            "intermediate",
            "--year",
            "2026",
            "--at",
            AT,
            "--json",
            env={"TZ": tz},
        ).stdout
        for tz in ("UTC", "America/Los_Angeles", "Asia/Shanghai", "Pacific/Kiritimati")
    }
    assert len(set(outputs.values())) == 1
    report = json.loads(outputs["UTC"])
    assert report["at"] == "2026-06-20T10:00:00+08:00"
    assert all(s["closes"] is None or s["closes"].endswith("+08:00") for s in report["steps"])


def test_an_offset_in_at_is_honoured() -> None:
    utc = kuaiji(
        "precheck",
        str(EXAMPLE),
        "--exam",
        "intermediate",
        "--year",
        "2026",
        "--at",
        "2026-06-20T02:00+00:00",
        "--json",
    )
    assert json.loads(utc.stdout)["at"] == "2026-06-20T10:00:00+08:00"


def test_personal_data_is_masked_unless_asked() -> None:
    raw = ("110105199003072346", "13800138000", "王芳")
    for extra in ((), ("--json",)):
        out = kuaiji(
            "precheck", str(EXAMPLE), "--exam", "intermediate", "--year", "2026", "--at", AT, *extra
        ).stdout
        assert not any(value in out for value in raw), out
        assert "110***********2346" in out
    shown = kuaiji(
        "precheck",
        str(EXAMPLE),
        "--exam",
        "intermediate",
        "--year",
        "2026",
        "--at",
        AT,
        "--json",
        "--show-personal-data",
    )
    assert json.loads(shown.stdout)["candidate"] == {
        "name": "王芳",
        "id_number": raw[0],
        "phone": raw[1],
    }


def test_json_contract() -> None:
    report = json.loads(
        kuaiji(
            "precheck",
            str(EXAMPLE),
            "--exam",
            "intermediate",
            "--year",
            "2026",
            "--at",
            AT,
            "--json",
        ).stdout
    )
    assert set(report) >= {"verdict", "candidate", "region", "exam", "at", "findings", "steps"}
    assert report["region"] == {
        "code": "110105",
        "name": "北京市朝阳区",
        "exam_area": "北京市",
        "chain": ["national"],
    }
    assert report["exam"] == {"level": "intermediate", "year": 2026}
    assert set(report["findings"][0]) == {
        "rule",
        "severity",
        "plugin",
        "message",
        "action",
        "deadline",
        "url",
        "url_reliability",
        "source",
        "source_text",
    }
    assert {"id", "title", "platform", "url", "opens", "closes", "done", "projected"} <= set(
        report["steps"][0]
    )


def test_regions_lists_all_exam_regions() -> None:
    result = kuaiji("regions", "--json")
    rows = json.loads(result.stdout)
    assert len(rows) == 35 and rows[0]["code"] == "CN"
    assert {
        "code": "4403",
        "name": "深圳市",
        "parent": "44",
        "plugin": "national",
        "aliases": ["深圳"],
    } in rows


def test_schema_is_json() -> None:
    schema = json.loads(kuaiji("schema").stdout)
    assert schema["title"] == "kuaiji candidate (v1)"


def test_change_and_transfer(tmp_path: Path) -> None:
    path = write(tmp_path, candidate(collection={"status": "approved", "region": "440305"}))
    change = kuaiji(
        "change",
        str(path),
        "--set",
        "id_number=1",
        "--set",
        "work.employer=新公司",
        "--at",
        AT,
        "--json",
    )
    assert change.returncode == 0, change.stderr
    decisions = {c["field"]: c["decision"] for c in json.loads(change.stdout)["changes"]}
    assert decisions == {"id_number": "refused", "work.employer": "allowed"}
    bad = kuaiji("change", str(path), "--set", "salary=1")
    assert bad.returncode == 2 and "salary" in bad.stderr
    plan = json.loads(kuaiji("transfer", str(path), "--to", "北京", "--at", AT, "--json").stdout)
    assert plan["cross_province"] is True
    assert [s["phase"] for s in plan["steps"]] == ["out", "in", "after"]
    unknown = kuaiji("transfer", str(path), "--to", "火星")
    assert unknown.returncode == 2 and "--to" in unknown.stderr


def test_python_m_kuaiji_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kuaiji_cli", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "precheck" in result.stdout


def test_readme_commands_are_the_ones_ci_runs_and_the_example_is_ready() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(python3 -m venv .*?)\n```", readme)
    assert len(blocks) == 2, "the README gives exactly two set-up commands"
    run_cmd, test_cmd = blocks
    assert test_cmd in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    precheck = run_cmd.split("&& .venv/bin/kuaiji ", 1)[1].split()
    result = kuaiji(*precheck, cwd=ROOT)
    assert result.returncode == 0 and "可以报名" in result.stdout


def test_readme_documents_every_rule_id() -> None:
    from kuaiji.registry.manager import Registry

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_]+\.[a-z_.]+)`", readme))
    registry = Registry(strict=True)
    rules = {doc.rule for docs in registry.rules.values() for doc in docs}
    assert rules - documented == set()


def test_readme_examples_run(tmp_path: Path) -> None:
    """Every example command in the README runs (all plugins), with no traceback."""
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line for line in readme.splitlines() if line.startswith(".venv/bin/kuaiji ")]
    assert len(lines) >= 6
    env = {"KUAIJI_NATIONAL_ONLY": "0"}
    for line in lines:
        args = shlex.split(line)[1:]
        if "--ics" in args:  # write the calendar outside the repository
            at = args.index("--ics") + 1
            args[at] = str(tmp_path / args[at])
        result = kuaiji(*args, stdin="Another#Pass1\n", env=env, cwd=ROOT)
        assert result.returncode in (0, 1), (line, result.stderr)
        assert result.stdout.strip(), line
        assert "Traceback" not in result.stderr
    assert len(list(tmp_path.glob("*.ics"))) == 2


@pytest.mark.slow
def test_a_closed_pipe_stops_quietly(tmp_path: Path) -> None:
    """`kuaiji … | head` must not end with an internal error (the output here is far larger
    than a pipe's buffer, so the write does hit the closed pipe)."""
    from benchmarks.generate import write as generate

    assert KUAIJI
    source = tmp_path / "many.jsonl"
    with source.open("w", encoding="utf-8") as out:
        generate(3000, out)
    env = {**os.environ, "KUAIJI_NATIONAL_ONLY": "0"}
    shell = (
        f"{KUAIJI} precheck --batch {source} --exam junior --year 2026 --jobs 1 | head -1;"
        " exit ${PIPESTATUS[0]}"
    )
    result = subprocess.run(
        ["bash", "-c", shell], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    assert "内部错误" not in result.stderr and "Traceback" not in result.stderr
    assert result.returncode == 141


def test_readme_python_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's Python blocks run as written, from the repository root."""
    import re

    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
