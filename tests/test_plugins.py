"""Integrators: every hook answers on every plugin, `kuaiji plugins`, tracing, the validator
on good and broken plugins, the scaffold, and a plugin from outside this repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT, bj, kuaiji
from kuaiji.authoring.scaffold import PLACEHOLDER, create
from kuaiji.authoring.validate import check, check_folders
from kuaiji.commands.precheck import build_context, candidate_from_dict
from kuaiji.errors import BundleError
from kuaiji.model.context import Move
from kuaiji.model.results import (
    AccountRecovery,
    ChangeDecision,
    Contact,
    FieldChange,
    Finding,
    Jurisdiction,
    Override,
    RuleDoc,
    Schedule,
    Step,
    TransferStep,
)
from kuaiji.registry.manager import Registry
from kuaiji.testing import minimal_candidate

ALL = {"KUAIJI_NATIONAL_ONLY": "0"}


@pytest.fixture(scope="module")
def full() -> Registry:
    return Registry(strict=True)


HOOKS: dict[str, type] = {
    "kuaiji_jurisdictions": Jurisdiction,
    "kuaiji_schedules": Schedule,
    "kuaiji_contacts": Contact,
    "kuaiji_rules": RuleDoc,
    "kuaiji_rule_overrides": Override,
    "kuaiji_registration": Finding,
    "kuaiji_collection": Finding,
    "kuaiji_exam_precheck": Finding,
    "kuaiji_timeline": Step,
    "kuaiji_change": ChangeDecision,
    "kuaiji_transfer": TransferStep,
    "kuaiji_account_recovery": AccountRecovery,
}


def _kwargs(hook: str, registry: Registry, region: str) -> dict[str, Any]:
    ctx = build_context(
        candidate_from_dict(minimal_candidate(region)),
        exam="intermediate",
        year=2024,
        at=bj("2024-06-20 10:00"),
        registry=registry,
    )
    return {
        "kuaiji_change": {"ctx": ctx, "changes": (FieldChange("work.employer", "新公司"),)},
        "kuaiji_transfer": {"ctx": ctx, "move": Move(registry.resolve("11"), ctx.region)},
        "kuaiji_account_recovery": {"region": ctx.region, "on": ctx.at.date()},
    }.get(
        hook,
        {"ctx": ctx}
        if hook
        in ("kuaiji_registration", "kuaiji_collection", "kuaiji_exam_precheck", "kuaiji_timeline")
        else {},
    )


@pytest.mark.parametrize("hook", sorted(HOOKS))
@pytest.mark.parametrize("region", ["440305", "650102", "430202", "120101", "110105"])
def test_every_hook_answers_with_its_records_on_every_chain(
    full: Registry, hook: str, region: str
) -> None:
    chain = full.resolve(region).plugins
    result = full.call(hook, chain, HOOKS[hook], **_kwargs(hook, full, region))
    assert not result.problems, result.problems
    assert all(isinstance(r, HOOKS[hook]) for _, records in result.records for r in records)
    assert all(r.plugin == name for name, records in result.records for r in records)


def test_kuaiji_plugins_lists_distribution_regions_hooks_and_data() -> None:
    result = kuaiji("plugins", "--json", env=ALL)
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)["plugins"]}
    assert rows["xinjiang"]["distribution"] == "kuaiji-xinjiang" and rows["xinjiang"]["version"]
    assert rows["xinjiang"]["regions"] == ["65"]
    assert "kuaiji_account_recovery" in rows["xinjiang"]["hooks"]
    assert rows["shenzhen"]["data"]["origin"] == "bundled"
    only = json.loads(
        kuaiji(
            "plugins", "--json", env={"KUAIJI_NATIONAL_ONLY": "0", "KUAIJI_PLUGINS": "hunan"}
        ).stdout
    )
    assert [r["name"] for r in only["plugins"]] == ["national", "hunan"]
    human = kuaiji("plugins", env=ALL)
    assert "kuaiji-guangdong" in human.stdout and "地区：44" in human.stdout


def test_trace_reports_each_hook_call_to_stderr() -> None:
    example = str(ROOT / "examples" / "aygul-urumqi.json")
    result = kuaiji(
        "precheck",
        example,
        "--exam",
        "intermediate",
        "--year",
        "2024",
        "--at",
        "2024-06-28T10:00",
        env={**ALL, "KUAIJI_TRACE": "1"},
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith("kuaiji trace: ")]
    assert any(" xinjiang kuaiji_exam_precheck " in line and " ms " in line for line in lines)
    assert any("national kuaiji_registration" in line for line in lines)
    assert (
        "kuaiji trace"
        not in kuaiji(
            "precheck", example, "--exam", "intermediate", "--year", "2024", env=ALL
        ).stderr
    )


def test_the_validator_passes_every_in_tree_plugin(full: Registry) -> None:
    issues = check(full)
    assert issues.keys() >= {"guangdong", "shenzhen", "tianjin", "hunan", "xinjiang"}
    assert all(found == [] for found in issues.values()), issues
    result = kuaiji("plugins", "check", env=ALL, cwd=ROOT)
    assert result.returncode == 0 and "✓ xinjiang" in result.stdout


BROKEN_INIT = """
from kuaiji import hookimpl
from kuaiji.registry.data import PluginData
from kuaiji.model.results import Override, OverrideAction

DATA = PluginData("broken", __name__)
kuaiji_jurisdictions, kuaiji_schedules, kuaiji_contacts = DATA.hooks()


@hookimpl
def kuaiji_rule_overrides():
    return [Override("no.such.rule", OverrideAction.WAIVE, "why", "https://example.org/x")]
"""

BROKEN_DATA = {
    "format": 1,
    "plugin": "broken",
    "updated": "2026-11-23",
    "jurisdictions": [
        {
            "code": "99",
            "name": "火星省",
            "parent": "CN",
            "source": "TODO",
            "platforms": [
                {
                    "id": "p",
                    "name": "平台",
                    "roles": ["collection"],
                    "source": "https://example.org/a",
                    "url": "http://insecure.example.org/",
                }
            ],
        },
        {"code": "3399", "name": "X", "parent": "77", "source": "https://example.org/b"},
    ],
    "schedules": [
        {
            "region": "99",
            "level": "junior",
            "year": 2026,
            "source": "",
            "events": [
                {
                    "id": "registration",
                    "kind": "registration",
                    "opens": "2026-02-01",
                    "closes": "2026-01-01",
                    "source": "https://example.org/c",
                }
            ],
        }
    ],
}


def broken_folder(root: Path) -> Path:
    folder = root / "kuaiji-broken"
    package = folder / "kuaiji_broken"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text(BROKEN_INIT, encoding="utf-8")
    (package / "data" / "broken.json").write_text(
        json.dumps(BROKEN_DATA, ensure_ascii=False), encoding="utf-8"
    )
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "kuaiji-broken"\nversion = "0"\n[project.entry-points.kuaiji]\nbroken = "kuaiji_broken"\n',
        encoding="utf-8",
    )
    return folder


def test_the_validator_lists_every_problem_of_a_broken_plugin(tmp_path: Path) -> None:
    folder = broken_folder(tmp_path)
    issues = [str(i) for i in check_folders([folder], Registry(entry_points=False))["broken"]]
    text = "\n".join(issues)
    for expected in (
        "jurisdictions[99]：来源仍是占位内容",
        "代码 99 不在 GB/T 2260 中",
        "网址 'http://insecure.example.org/' 不是 https",
        "上级写成了 '77'，GB/T 2260 中 3399 的上级是 33",
        "开始时间晚于结束时间",
        "schedules[99 junior 2026]：没有来源",
        "覆盖的规则 no.such.rule 不存在",
        "没有示例用例",
    ):
        assert expected in text, (expected, issues)
    assert "kuaiji_broken/data/broken.json：" in text  # each data issue names its file
    result = kuaiji("plugins", "check", str(folder), env=ALL)
    assert result.returncode == 1 and "✗ broken" in result.stdout
    assert f"未安装：pip install -e {folder}" in result.stdout


def test_a_malformed_case_is_a_validator_issue_not_a_crash(tmp_path: Path) -> None:
    folder = broken_folder(tmp_path)
    cases = folder / "kuaiji_broken" / "cases"
    cases.mkdir()
    (cases / "odd.json").write_text(
        json.dumps({"candidate": {}, "expect": ["ready"]}), encoding="utf-8"
    )
    issues = check_folders([folder], Registry(entry_points=False))["broken"]
    assert any("expect 应是对象" in i.message for i in issues)
    assert BundleError


def test_a_folder_without_an_entry_point_is_named_with_the_fix(tmp_path: Path) -> None:
    folder = tmp_path / "kuaiji-nothing"
    folder.mkdir()
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "kuaiji-nothing"\nversion = "0"\n', encoding="utf-8"
    )
    issues = check_folders([folder], Registry(entry_points=False))["kuaiji-nothing"]
    assert "没有 [project.entry-points.kuaiji]" in issues[0].message and "kuaiji_<name>" in (
        issues[0].fix or ""
    )


def test_the_scaffold_loads_and_fails_on_its_placeholders(tmp_path: Path) -> None:
    root = create("zhejiang", "33", tmp_path, child="3302")
    names = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert names == [
        "README.md",
        "kuaiji_zhejiang/__init__.py",
        "kuaiji_zhejiang/cases/photo.jpg",
        "kuaiji_zhejiang/cases/zhejiang-example.json",
        "kuaiji_zhejiang/data/zhejiang.json",
        "kuaiji_zhejiang/quirks.py",
        "pyproject.toml",
        "tests/test_zhejiang_conformance.py",
    ]
    issues = check_folders([root], Registry(entry_points=False))["zhejiang"]
    assert {i.where for i in issues if i.kind == "source.placeholder"} == {
        "jurisdictions[33]",
        "jurisdictions[3302]",
    }
    data_file = root / "kuaiji_zhejiang" / "data" / "zhejiang.json"
    data_file.write_text(
        data_file.read_text(encoding="utf-8").replace(
            PLACEHOLDER, "https://www.wangxiao.cn/news/3091634.html"
        ),
        encoding="utf-8",
    )
    # Nothing is left: the national record of 浙江 it starts from cites its http-only pages
    # marked (low), which the validator accepts.
    assert check_folders([root], Registry(entry_points=False))["zhejiang"] == []
    assert not [m for m in sys.modules if m.startswith("kuaiji_zhejiang")]  # put back
    bad = kuaiji("plugins", "new", "Zhe Jiang", "--region", "33", "--dir", str(tmp_path))
    assert bad.returncode == 2 and "NAME" in bad.stderr
    assert kuaiji("plugins", "new", "x1", "--region", "99", "--dir", str(tmp_path)).returncode == 2


@pytest.mark.slow
def test_a_plugin_from_outside_the_repository_is_picked_up_by_its_entry_point(
    tmp_path: Path,
) -> None:
    """Scaffold 宁波 (3302, under 浙江 33) outside the repository, install it into a fresh
    virtual environment beside the core and the CLI, and use it: no change to this repository."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    fresh = tmp_path / "venv"
    venv.create(fresh, with_pip=True)
    python = fresh / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUAIJI_")}
    env["KUAIJI_CACHE_DIR"] = str(tmp_path / "cache")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    new = subprocess.run(
        [
            str(Path(sys.executable).parent / "kuaiji"),
            "plugins",
            "new",
            "zhejiang",
            "--region",
            "3302",
            "--parent",
            "33",
            "--dir",
            str(outside),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "kuaiji-zhejiang" in new.stdout
    install = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            str(ROOT / "core"),
            str(ROOT / "cli"),
            str(outside / "kuaiji-zhejiang"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    command = fresh / "bin" / "kuaiji"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(command), *args], capture_output=True, text=True, env=env, cwd=outside, timeout=120
        )

    listed = json.loads(run("plugins", "--json").stdout)
    assert {r["name"]: r["regions"] for r in listed["plugins"]}["zhejiang"] == ["3302"]
    regions = {r["code"]: r["plugin"] for r in json.loads(run("regions", "--json").stdout)}
    assert regions["3302"] == "zhejiang" and regions["33"] == "national"
    case = json.loads(
        (
            outside / "kuaiji-zhejiang" / "kuaiji_zhejiang" / "cases" / "zhejiang-example.json"
        ).read_text(encoding="utf-8")
    )
    candidate_file = outside / "kuaiji-zhejiang" / "kuaiji_zhejiang" / "cases" / "candidate.json"
    candidate_file.write_text(json.dumps(case["candidate"], ensure_ascii=False), encoding="utf-8")
    report = run(
        "precheck",
        str(candidate_file),
        "--exam",
        "intermediate",
        "--year",
        "2026",
        "--at",
        "2026-06-20T10:00",
        "--json",
    )
    data = json.loads(report.stdout)
    assert data["verdict"] == "ready" and data["region"]["chain"] == ["national", "zhejiang"]
    check_run = run("plugins", "check")
    assert check_run.returncode == 1 and "占位内容" in check_run.stdout  # until the TODO is filled
    assert shutil.which("kuaiji", path=str(fresh / "bin"))
