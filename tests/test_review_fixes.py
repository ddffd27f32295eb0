"""Regressions found in review: each names the input that used to break the batch, the
bundle update or the validator."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from helpers import EXAMPLES, candidate, kuaiji
from kuaiji import bundles
from kuaiji.errors import BundleError
from kuaiji.net import FetchError, Policy, check_url, client, fetch
from kuaiji.plugins import Registry
from kuaiji.validate import check_folders

ARGS = ["--exam", "intermediate", "--year", "2026", "--at", "2026-06-20T10:00"]
ALL = {"KUAIJI_NATIONAL_ONLY": "0"}


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


def _csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


HEADER = ["name", "id_number", "phone", "region", "work.status", "work.social_security_months"]


def test_csv_cells_that_used_to_crash_become_error_rows(tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "c.csv",
        [
            HEADER,
            ["王\n芳", "110105199003072346", "13800138000", "110105", "accounting", "²"],
            ["李雷", "110105199003072346", "13800138000", "110105", "accounting", "12"],
            [
                '=HYPERLINK("http://x")',
                "110105199003072346",
                "13800138000",
                "110105",
                "accounting",
                "24",
            ],
        ],
    )
    result = kuaiji(
        "precheck", "--batch", str(path), *ARGS, "--format", "csv", "--show-personal-data", env=ALL
    )
    assert result.returncode == 1, result.stderr
    table = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert [r["记录"] for r in table] == ["第 2 行", "第 4 行", "第 5 行"]  # where each starts
    assert table[0]["结论代码"] == "error" and "social_security_months" in table[0]["问题"]
    assert table[2]["姓名"].startswith("'=")  # shown as text, never run as a formula


def test_a_gbk_csv_is_read_and_a_stray_gbk_row_in_utf8_is_reported(tmp_path: Path) -> None:
    person = ["王芳", "110105199003072346", "13800138000", "110105", "accounting", "12"]
    path = _csv(tmp_path / "gbk.csv", [HEADER, person], "gbk")  # what Excel saves in China
    result = kuaiji("precheck", "--batch", str(path), *ARGS, env=ALL)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    row = json.loads(result.stdout)
    assert row["verdict"] == "not_ready" and row["name"] == "王*"
    mixed = tmp_path / "mixed.csv"
    text = _csv(tmp_path / "u.csv", [HEADER, person, person], "utf-8").read_bytes()
    mixed.write_bytes(text + ",".join(person).encode("gbk") + b"\n")
    rows = kuaiji("precheck", "--batch", str(mixed), *ARGS, env=ALL).stdout.splitlines()
    last = json.loads(rows[-1])
    assert len(rows) == 3 and last["verdict"] == "error" and "UTF-8" in last["error"]


def test_invalid_urls_are_usage_errors_and_proxy_failures_are_reported() -> None:
    with pytest.raises(FetchError) as caught:
        check_url("https://[::1/index.json", Policy())
    assert caught.value.kind == "refused"
    result = kuaiji("rules", "update", "--from", "https://[::1/index.json")
    assert result.returncode == 2 and "Traceback" not in result.stderr

    async def get() -> Any:
        policy = Policy(attempts=2, backoff=0.001, backoff_max=0.001)
        async with client(policy) as http:
            return await fetch(http, "https://rules.test/x", policy)

    with respx.mock:
        respx.get("https://rules.test/x").mock(
            side_effect=httpx.ProxyError("407 Proxy Authentication Required")
        )
        with pytest.raises(FetchError) as proxy:
            asyncio.run(get())
    assert proxy.value.kind == "connect" and proxy.value.attempts == 2


def test_a_failed_install_brings_the_good_cache_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cache"
    (root / "xinjiang").mkdir(parents=True)
    (root / "xinjiang" / "a.json").write_text("good", encoding="utf-8")
    entry = bundles.Entry("xinjiang", "a.json", "0" * 64, 3, "2099-01-01")
    real_rename = Path.rename
    calls = {"n": 0}

    def flaky(self: Path, target: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:  # the staging folder moving into place
            raise OSError("disk full")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", flaky)
    with pytest.raises(OSError):
        bundles._install(root, [entry], {"xinjiang/a.json": b"new"}, ["xinjiang"])
    monkeypatch.undo()
    assert (root / "xinjiang" / "a.json").read_text(encoding="utf-8") == "good"


@respx.mock
def test_bundle_files_are_fetched_beside_the_index_after_a_redirect(tmp_path: Path) -> None:
    Registry(strict=True)
    source = tmp_path / "bundle"
    bundles.export(source)
    index = json.loads((source / "index.json").read_text(encoding="utf-8"))
    entry = next(e for e in index["files"] if e["plugin"] == "tianjin")
    doc = json.loads((source / entry["path"]).read_text(encoding="utf-8"))
    doc["updated"] = "2099-01-01"
    body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    import hashlib

    index["files"] = [
        dict(entry, size=len(body), sha256=hashlib.sha256(body).hexdigest(), updated="2099-01-01")
    ]
    respx.get("https://rules.test/latest/index.json").mock(
        return_value=httpx.Response(302, headers={"Location": "https://cdn.test/v7/index.json"})
    )
    respx.get("https://cdn.test/v7/index.json").mock(return_value=httpx.Response(200, json=index))
    respx.get(f"https://cdn.test/v7/{entry['path']}").mock(
        return_value=httpx.Response(200, content=body)
    )
    result = bundles.update(
        "https://rules.test/latest/index.json", policy=Policy(attempts=1), root=tmp_path / "cache"
    )
    assert result.plugins == ("tianjin",)


def test_a_malformed_case_is_a_validator_issue_not_a_crash(tmp_path: Path) -> None:
    from test_plugins import broken_folder

    folder = broken_folder(tmp_path)
    cases = folder / "kuaiji_broken" / "cases"
    cases.mkdir()
    (cases / "odd.json").write_text(
        json.dumps({"candidate": {}, "expect": ["ready"]}), encoding="utf-8"
    )
    issues = check_folders([folder], Registry(entry_points=False))["broken"]
    assert any("'expect' must be an object" in i.message for i in issues)
    assert BundleError
