"""The validator (`kuaiji plugins check`, kuaiji.authoring.validate), the exercise of a
plugin's hooks it shares with the conformance suite (kuaiji.authoring.exercise), and the
scaffold (`kuaiji plugins new`): each check on a small plugin built in tmp_path from the
scaffold's output, made faulty in one way."""

from __future__ import annotations

import json
import shutil
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT, kuaiji
from kuaiji.authoring.issues import Issue, grouped
from kuaiji.authoring.scaffold import create
from kuaiji.authoring.validate import check_folders, imported_from
from kuaiji.model import clock
from kuaiji.registry.data import PluginData
from kuaiji.registry.manager import Registry
from kuaiji.testing import CHECKS, run

ALL = {"KUAIJI_NATIONAL_ONLY": "0"}
SOURCE = "https://czt.hebei.gov.cn/notice.html"
OTHER_PLATFORM = "https://kjzj.czt.zj.gov.cn"  # 浙江's (33) platform, in the national data


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean plugin for 石家庄 (1301): the scaffold's output with its placeholder filled."""
    root = create("demo", "1301", tmp_path_factory.mktemp("template"))
    edit_data(root, lambda d: _fill(d))
    return root


def _fill(data: dict[str, Any]) -> None:
    for jurisdiction in data["jurisdictions"]:
        jurisdiction["source"] = SOURCE


def plugin(
    tmp_path: Path,
    template: Path,
    *,
    code: str = "",
    data: Callable[[dict[str, Any]], None] | None = None,
) -> Path:
    """A copy of the template with ``code`` added to its ``__init__.py`` and ``data``
    applied to its data file."""
    root = tmp_path / "kuaiji-demo"
    shutil.copytree(template, root)
    init = root / "kuaiji_demo" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8") + code, encoding="utf-8")
    if data is not None:
        edit_data(root, data)
    return root


def edit_data(root: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = next((root / next(root.glob("kuaiji_*")).name / "data").glob("*.json"))
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def issues(folder: Path, registry: Registry | None = None) -> list[Issue]:
    found = check_folders([folder], registry or Registry(entry_points=False))
    assert len(found) == 1, found
    return next(iter(found.values()))


def kinds(found: list[Issue]) -> set[str]:
    return {i.kind for i in found}


def text(found: list[Issue]) -> str:
    return "\n".join(str(i) for i in found)


# --- a clean plugin, and the command's exit codes ---


def test_a_clean_scaffolded_plugin_passes(tmp_path: Path, template: Path) -> None:
    folder = plugin(tmp_path, template)
    assert issues(folder) == []
    result = kuaiji("plugins", "check", str(folder))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✓ demo" in result.stdout
    assert f"未安装：pip install -e {folder}" in result.stdout  # said, not counted


def test_exit_codes_1_with_issues_and_2_for_unusable_arguments(
    tmp_path: Path, template: Path
) -> None:
    faulty = plugin(tmp_path, template, data=lambda d: d.update(updated="2999-01-01"))
    result = kuaiji("plugins", "check", str(faulty))
    assert result.returncode == 1 and "✗ demo：1 个问题" in result.stdout
    for argument in (str(tmp_path / "nowhere"), "no_such_plugin", str(faulty / "pyproject.toml")):
        bad = kuaiji("plugins", "check", argument)
        assert bad.returncode == 2, bad.stdout
        assert "既不是插件文件夹，也不是已安装插件的名字" in bad.stderr
        assert "Traceback" not in bad.stderr


@pytest.mark.parametrize("fault", ["sys.exit(0)", "raise KeyboardInterrupt"])
def test_a_plugin_that_exits_at_import_fails_the_check(
    tmp_path: Path, template: Path, fault: str
) -> None:
    code = "\nimport sys\nsys.exit(0)\n" if fault == "sys.exit(0)" else f"\n{fault}\n"
    faulty = plugin(tmp_path, template, code=code)
    result = kuaiji("plugins", "check", str(faulty))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "无法导入" in result.stdout and "✗ demo" in result.stdout


def test_an_installed_plugin_is_checked_by_name(tmp_path: Path) -> None:
    result = kuaiji("plugins", "check", "tianjin", env=ALL)
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines() == ["✓ tianjin"]


# --- A.1: the folder named, not an installed copy of the same name ---


def test_a_folder_is_checked_as_it_is_not_the_installed_copy(tmp_path: Path) -> None:
    copy = tmp_path / "tianjin"
    shutil.copytree(ROOT / "plugins" / "tianjin", copy, ignore=shutil.ignore_patterns("*.pyc"))
    edit_data(copy, lambda d: d.update(updated="2999-01-01"))  # only in the copy
    registry = Registry()
    installed = sys.modules.get("kuaiji_tianjin")
    data = PluginData.every()["tianjin"]
    found = issues(copy, registry)
    assert kinds(found) == {"data.updated"}, text(found)
    assert found[0].file == "kuaiji_tianjin/data/tianjin.json"
    assert sys.modules.get("kuaiji_tianjin") is installed  # the installed module is put back
    assert PluginData.every()["tianjin"] is data  # and its data
    assert kuaiji("plugins", "check", "tianjin", env=ALL).returncode == 0  # still clean


# --- A.2: installed, but does not import ---


def _site(tmp_path: Path, module: str, body: str) -> dict[str, str]:
    """A distribution with a ``kuaiji`` entry point ``demobad`` on a PYTHONPATH folder."""
    site = tmp_path / "site"
    info = site / "kuaiji_demobad-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: kuaiji-demobad\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(f"[kuaiji]\ndemobad = {module}\n", encoding="utf-8")
    (site / f"{module}.py").write_text(body, encoding="utf-8")
    return {"PYTHONPATH": str(site), "KUAIJI_NATIONAL_ONLY": ""}


def test_an_installed_plugin_that_fails_to_import_says_why(tmp_path: Path) -> None:
    env = _site(
        tmp_path,
        "kuaiji_demobad_imports",
        "import no_such_dependency_of_demobad\n",
    )
    for args in (("plugins", "check", "demobad"), ("plugins", "check")):
        result = kuaiji(*args, env=env, cwd=tmp_path)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "✗ demobad" in result.stdout
        assert "无法导入：ModuleNotFoundError" in result.stdout
        assert "no_such_dependency_of_demobad" in result.stdout
        assert "未安装" not in result.stdout.split("✗ demobad")[1].split("✓")[0]


def test_an_import_error_is_short_and_masked(tmp_path: Path) -> None:
    env = _site(
        tmp_path,
        "kuaiji_demobad_masked",
        "raise RuntimeError('call 13800138000 about 110105199003072346\\n' + 'x' * 5000)\n",
    )
    result = kuaiji("plugins", "check", "demobad", env=env)
    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines() if "无法导入" in line)
    assert "RuntimeError: call 138****8000" in line and "13800138000" not in line
    assert "110105199003072346" not in line and len(line) < 400


def test_a_folder_whose_module_fails_to_import_says_why(tmp_path: Path, template: Path) -> None:
    folder = plugin(tmp_path, template, code="\nraise ValueError('broken on purpose')\n")
    found = issues(folder)
    assert [i.kind for i in found] == ["import"]
    assert "无法导入：ValueError: broken on purpose" in found[0].message
    assert not [m for m in sys.modules if m.startswith("kuaiji_demo")]


# --- A.3: a plugin that is a single module ---

SOLO = '''"""A plugin in one module."""

from collections.abc import Sequence

from kuaiji.plugin import Context, Finding, Jurisdiction, RuleDoc, Severity, hookimpl

KUAIJI_API = "1"
SOURCE = "https://czt.hebei.gov.cn/notice.html"


@hookimpl
def kuaiji_jurisdictions() -> Sequence[Jurisdiction]:
    return [Jurisdiction("1301", "河北省石家庄市", SOURCE, parent="13")]


@hookimpl
def kuaiji_rules() -> Sequence[RuleDoc]:
    return [RuleDoc("solo.notice", "提示", "collection", "A notice.")]


@hookimpl
def kuaiji_collection(ctx: Context) -> Sequence[Finding]:
    return [Finding("solo.notice", Severity.INFO, "请留意石家庄的通知", source=SOURCE)]
'''


def solo(tmp_path: Path, template: Path, body: str = SOLO) -> Path:
    folder = tmp_path / "kuaiji-solo"
    folder.mkdir()
    (folder / "kuaiji_solo.py").write_text(body, encoding="utf-8")
    (folder / "pyproject.toml").write_text(
        '[project]\nname = "kuaiji-solo"\nversion = "0.1.0"\n'
        '[project.entry-points.kuaiji]\nsolo = "kuaiji_solo"\n',
        encoding="utf-8",
    )
    shutil.copytree(template / "kuaiji_demo" / "cases", folder / "cases")  # beside the module
    return folder


def test_data_that_cannot_be_read_is_one_issue_and_hides_no_other(
    tmp_path: Path, template: Path
) -> None:
    def bad_date(data: dict[str, Any]) -> None:
        data["jurisdictions"][0]["platforms"] = [{"id": "x", "name": "平台", "since": "2024-13-40"}]

    undecorated = "\n\ndef kuaiji_timeline(ctx):\n    return []\n"
    found = issues(plugin(tmp_path, template, code=undecorated, data=bad_date))
    assert kinds(found) == {"data", "hook.undecorated"}, text(found)  # not every case as well


def test_a_single_module_plugin_is_checked(tmp_path: Path, template: Path) -> None:
    folder = solo(tmp_path, template)
    assert issues(folder) == []
    result = kuaiji("plugins", "check", str(folder))
    assert result.returncode == 0 and "✓ solo" in result.stdout, result.stdout + result.stderr


def test_a_plugin_that_does_not_say_which_api_it_supports_is_told(
    tmp_path: Path, template: Path
) -> None:
    folder = solo(tmp_path, template, SOLO.replace('KUAIJI_API = "1"\n', ""))
    assert kinds(issues(folder)) == {"api.undeclared"}


def test_a_single_module_plugin_without_cases_or_entry_point(
    tmp_path: Path, template: Path
) -> None:
    folder = solo(tmp_path, template)
    shutil.rmtree(folder / "cases")
    (folder / "pyproject.toml").unlink()
    found = issues(folder)
    assert kinds(found) == {"entry_point", "cases.none"}, text(found)


# --- A.4: the hooks, exercised ---

FAULTY = """

from kuaiji.plugin import CollectionStatus, Move, Severity, Step, TransferPhase, TransferStep

RULES = (RuleDoc("demo.link", "链接", "registration", "A link."),)
kuaiji_rules, kuaiji_rule_overrides = declared(RULES, OVERRIDES)


@hookimpl
def kuaiji_registration(ctx: Context) -> Sequence[Finding]:
    record = ctx.candidate.collection
    if record is not None and record.status is CollectionStatus.SUBMITTED:
        raise RuntimeError("a submitted record breaks me")
    return [Finding("demo.link", Severity.INFO, "提示", url=OTHER_PLATFORM, source=SOURCE)]


@hookimpl
def kuaiji_exam_precheck(ctx: Context) -> Sequence[Finding]:
    return [Finding("demo.undocumented", Severity.INFO, "提示")]


@hookimpl
def kuaiji_timeline(ctx: Context) -> Sequence[Step]:
    closes = ctx.schedule.registration_closes
    if closes is not None and ctx.at > closes:
        return [{"id": "late"}]  # type: ignore[list-item]
    return []


@hookimpl
def kuaiji_transfer(ctx: Context, move: Move) -> Sequence[TransferStep]:
    return [TransferStep("demo.out", TransferPhase.OUT, "从石家庄调出")]
""".replace("OTHER_PLATFORM", repr(OTHER_PLATFORM)).replace("SOURCE", repr(SOURCE))


def test_the_hooks_are_exercised_over_states_and_moments(tmp_path: Path, template: Path) -> None:
    found = issues(plugin(tmp_path, template, code=FAULTY))
    by_hook: dict[str, list[Issue]] = {}
    for issue in found:
        by_hook.setdefault(issue.where, []).append(issue)
    registration = text(by_hook["kuaiji_registration"])
    assert "a submitted record breaks me" in registration and "记录已提交、待审核" in registration
    assert "共 18 种情形" in registration  # one line for every situation where it happens
    assert OTHER_PLATFORM in registration  # another region's platform
    assert {i.kind for i in by_hook["kuaiji_registration"]} == {"hook.problem", "region.foreign"}
    assert len(by_hook["kuaiji_registration"]) == 2  # each once
    # Refused by the registry (hook.problem), or found by the exercise (rule.undocumented).
    assert "demo.undocumented" in text(by_hook["kuaiji_exam_precheck"])
    assert "报名结束后" in text(by_hook["kuaiji_timeline"])
    transfer = by_hook["kuaiji_transfer"]
    assert [i.kind for i in transfer] == ["region.foreign"] and "demo.out" in transfer[0].message


def test_the_conformance_suite_runs_the_same_exercise(tmp_path: Path, template: Path) -> None:
    clean, faulty = tmp_path / "clean", tmp_path / "faulty"
    clean.mkdir()
    faulty.mkdir()
    for folder, code in ((clean, ""), (faulty, FAULTY)):
        root = plugin(folder, template, code=code)
        with imported_from(root, "kuaiji_demo") as (module, error):
            assert error is None
            registry = Registry(plugins=[("demo", module)], entry_points=False)
            if folder is clean:
                for name in CHECKS:
                    run("demo", name, registry)
                continue
            failures = []
            for name in ("hook_types", "rules_documented"):
                try:
                    run("demo", name, registry)
                except AssertionError as exc:
                    failures.append(str(exc))
            said = "\n".join(failures)
            for expected in ("a submitted record breaks me", "demo.undocumented", "demo.out"):
                assert expected in said, said


# --- A.5: static checks ---


def _source(value: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["jurisdictions"][0]["source"] = value

    return change


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("my colleague said so", "source.text"),
        ("http://czt.hebei.gov.cn/notice.html", "source.http"),
        # a page only served over http may back a fact marked low-reliability
        (f"{SOURCE} ; http://czt.hebei.gov.cn/notice.html (low)", None),
        ("http:// (low)", "source.http"),
        ("seed:999-no-such-document.txt", "source.seed"),
        (f"seed:000-2024-intermediate-collection-requirements-by-region.txt ; {SOURCE}", None),
        (f"{SOURCE} (low) ; https://", "source.text"),
    ],
)
def test_every_source_is_a_known_seed_or_an_https_url(
    tmp_path: Path, template: Path, source: str, kind: str | None
) -> None:
    found = issues(plugin(tmp_path, template, data=_source(source)))
    assert kinds(found) == ({kind} if kind else set()), text(found)
    if kind:
        assert found[0].where == "jurisdictions[1301]"
        assert found[0].file == "kuaiji_demo/data/demo.json"


def test_a_seed_document_the_plugin_ships_is_known(tmp_path: Path, template: Path) -> None:
    folder = plugin(tmp_path, template, data=_source("seed:hebei-notice.txt"))
    assert kinds(issues(folder)) == {"source.seed"}
    (folder / "kuaiji_demo" / "seeds").mkdir()
    (folder / "kuaiji_demo" / "seeds" / "hebei-notice.txt").write_text("通知", encoding="utf-8")
    assert issues(folder) == []


def test_updated_may_not_be_in_the_future(tmp_path: Path, template: Path) -> None:
    today = clock.now().date()
    tomorrow = today.fromordinal(today.toordinal() + 1)
    found = issues(plugin(tmp_path, template, data=lambda d: d.update(updated=str(tomorrow))))
    assert kinds(found) == {"data.updated"} and str(tomorrow) in found[0].message
    assert (
        issues(plugin(tmp_path / "today", template, data=lambda d: d.update(updated=str(today))))
        == []
    )


def test_a_hook_function_without_hookimpl_is_reported(tmp_path: Path, template: Path) -> None:
    code = "\n\ndef kuaiji_exam_precheck(ctx: Context) -> Sequence[Finding]:\n    return []\n"
    found = issues(plugin(tmp_path, template, code=code))
    assert kinds(found) == {"hook.undecorated"}, text(found)
    assert found[0].where == "kuaiji_exam_precheck" and found[0].file == "kuaiji_demo/__init__.py"
    assert "@hookimpl" in (found[0].fix or "")


def test_an_override_of_an_identity_rule_is_refused(tmp_path: Path, template: Path) -> None:
    code = (
        "\n\nfrom kuaiji.plugin import OverrideAction\n\n"
        "OVERRIDES = (Override('identity.phone', OverrideAction.WAIVE, 'no phone check', "
        f"'{SOURCE}'),)\n"
        "kuaiji_rules, kuaiji_rule_overrides = declared(RULES, OVERRIDES)\n"
    )
    found = issues(plugin(tmp_path, template, code=code))
    assert found and "identity.phone" in text(found), text(found)


def test_a_parent_that_is_not_the_real_gbt2260_parent_is_refused(
    tmp_path: Path, template: Path
) -> None:
    def province(data: dict[str, Any]) -> None:
        data["jurisdictions"][0]["parent"] = "CN"

    found = issues(plugin(tmp_path, template, data=province))
    assert "region.parent" in kinds(found)
    assert "上级写成了 'CN'，GB/T 2260 中 1301 的上级是 13" in text(found)


# --- A.6: grouped output ---


def _bad_dates(data: dict[str, Any]) -> None:
    data["schedules"] = [
        {
            "region": "1301",
            "level": "intermediate",
            "year": 2026,
            "source": SOURCE,
            "events": [
                {
                    "id": f"step{i}",
                    "kind": "collection",
                    "opens": "2026-07-02",
                    "closes": "2026-06-02",
                    "source": SOURCE,
                }
                for i in range(14)
            ],
        }
    ]
    data["jurisdictions"][0]["platforms"] = [
        {"id": "p", "name": "平台", "roles": ["collection"], "source": SOURCE, "url": "http://x.cn"}
    ]


def test_many_issues_of_one_kind_in_one_file_make_one_line(tmp_path: Path, template: Path) -> None:
    found = issues(plugin(tmp_path, template, data=_bad_dates))
    assert len([i for i in found if i.kind == "event.order"]) == 14
    lines = grouped(found)
    order = [line for line in lines if "开始晚于结束" in line]
    assert len(order) == 1 and "共 14 处" in order[0] and "events[step0]" in order[0]
    assert "events[step13]" not in order[0]  # the first examples only
    assert any("网址 'http://x.cn' 不是 https" in line for line in lines)  # not buried
    result = kuaiji("plugins", "check", str(tmp_path / "kuaiji-demo"))
    assert result.returncode == 1
    assert sum("开始时间晚于结束时间" in line for line in result.stdout.splitlines()) == 1


# --- C: the scaffold ---


def test_the_scaffold_writes_the_real_parent_today_and_the_test_extra(tmp_path: Path) -> None:
    result = kuaiji("plugins", "new", "shijiazhuang", "--region", "1301", "--dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    root = tmp_path / "kuaiji-shijiazhuang"
    data = json.loads((root / "kuaiji_shijiazhuang" / "data" / "shijiazhuang.json").read_text())
    assert [(j["code"], j["parent"]) for j in data["jurisdictions"]] == [("1301", "13")]
    assert data["updated"] == clock.now().date().isoformat()
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["dependencies"] == ["kuaiji>=0.2.0,<0.3"]
    assert any(r.startswith("pytest") for r in project["optional-dependencies"]["test"])
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert 'pip install -e ".[test]"' in readme and "KUAIJI_API" in readme
    init = (root / "kuaiji_shijiazhuang" / "__init__.py").read_text(encoding="utf-8")
    assert 'KUAIJI_API = "1"' in init


def test_the_scaffolds_parent_is_the_parent(tmp_path: Path) -> None:
    ok = kuaiji(
        "plugins", "new", "a1", "--region", "1301", "--parent", "13", "--dir", str(tmp_path)
    )
    assert ok.returncode == 0, ok.stderr
    province = kuaiji(
        "plugins", "new", "a2", "--region", "13", "--parent", "CN", "--dir", str(tmp_path)
    )
    assert province.returncode == 0, province.stderr
    wrong = kuaiji(
        "plugins", "new", "a3", "--region", "1301", "--parent", "14", "--dir", str(tmp_path)
    )
    assert wrong.returncode == 2 and "1301 的上级是 13，不是 14" in wrong.stderr
    assert not (tmp_path / "kuaiji-a3").exists()
    help_text = kuaiji("plugins", "new", "--help").stdout
    assert "上级地区" in help_text and "子地区" not in help_text
