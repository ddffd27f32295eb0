"""Plugins cannot harm what they do not own (#17): faulty plugins installed as real
distributions on ``sys.path`` beside the in-tree ones. The other regions' answers stay
unchanged, the faulty plugin is named, batches write every record, processes end by
themselves."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import EXAMPLES, KUAIJI, candidate, kuaiji, rules, run
from kuaiji.registry.manager import Registry

HEADER = """
import datetime as dt
import sys
import time
from kuaiji.plugin import *  # noqa: F403
from kuaiji.plugin import hookimpl, Jurisdiction, Schedule, Finding, Severity, RuleDoc

SRC = "https://example.org/notice"
"""


def _doc(rule: str) -> str:
    return f"""
@hookimpl
def kuaiji_rules():
    return [RuleDoc({rule!r}, "测试规则", "exam_precheck", "测试用")]
"""


def _claims(code: str, name: str, parent: str = "CN") -> str:
    return f"""
@hookimpl
def kuaiji_jurisdictions():
    return [Jurisdiction({code!r}, {name!r}, SRC, parent={parent!r})]
"""


Install = Callable[[str, str], Path]


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """Install ``kuaiji_<name>`` (its module source) as a distribution with a ``kuaiji``
    entry point, on ``sys.path`` for this process and for child processes (PYTHONPATH)."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("KUAIJI_HOOK_BUDGET", "0.5")
    monkeypatch.setenv("KUAIJI_IMPORT_BUDGET", "0.5")
    names: list[str] = []

    def add(name: str, body: str) -> Path:
        module = f"kuaiji_{name}"
        (site / f"{module}.py").write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
        info = site / f"kuaiji_{name}-0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: kuaiji-{name}\nVersion: 0.1\n"
        )
        (info / "entry_points.txt").write_text(f"[kuaiji]\n{name} = {module}\n")
        names.append(module)
        return site

    yield add
    for module in names:
        sys.modules.pop(module, None)


def hebei_candidate() -> dict[str, object]:
    """A 石家庄 candidate with an approved record there and no photo: the faulty test
    plugin (claiming 13) answers for them."""
    return candidate(
        region="130102", photo=None, collection={"status": "approved", "region": "130102"}
    )


def beijing_too_late(registry: Registry, folder: Path) -> str:
    """A Beijing candidate with no record, checked after the 2026 collection closed."""
    data = candidate(collection=None)
    return run(data, registry, folder, at="2026-06-20 10:00").verdict.value


# --- 1. ownership ---


def test_a_schedule_for_a_region_it_does_not_serve_is_ignored(
    install: Install, folder: Path
) -> None:
    baseline = Registry()
    install(
        "hebei",
        _claims("13", "河北省")
        + """
@hookimpl
def kuaiji_schedules():
    close = dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return [Schedule("44", ExamLevel.JUNIOR, 2026, SRC), Schedule("CN", ExamLevel.INTERMEDIATE, 2026, SRC)]
""",
    )
    registry = Registry()
    assert "hebei" in registry.info
    refused = [p.message for p in registry.problems if p.plugin == "hebei"]
    assert any("44" in m for m in refused) and any("CN" in m for m in refused)
    for key in (("44", "junior", 2026), ("CN", "intermediate", 2026)):
        level = next(k for k in registry.schedules if k[0] == key[0] and k[1].value == key[1])
        assert all(s.plugin != "hebei" for s in registry.schedules.get(level, ()))
        assert registry.schedules.get(level) == baseline.schedules.get(level)
    assert beijing_too_late(registry, folder) == beijing_too_late(baseline, folder)


def test_a_plugin_cannot_take_over_the_nation_or_another_province(
    install: Install, folder: Path
) -> None:
    baseline = Registry()
    install(
        "zhejiang",
        _claims("33", "浙江省")
        + """
@hookimpl
def kuaiji_jurisdictions():
    return [
        Jurisdiction("33", "浙江省", SRC, parent="CN"),
        Jurisdiction("CN", "全国", SRC),
        Jurisdiction("11", "北京市", SRC, parent="CN"),
    ]
""",
    )
    registry = Registry()
    assert registry.jurisdictions["CN"].plugin == "national"
    assert registry.jurisdictions["11"].plugin == "national"
    assert registry.jurisdictions["33"].plugin == "zhejiang"
    messages = " ".join(p.message for p in registry.problems if p.plugin == "zhejiang")
    assert "CN" in messages and "11" in messages
    assert beijing_too_late(registry, folder) == beijing_too_late(baseline, folder)
    beijing = run(candidate(collection=None), registry, folder)
    assert "plugin.error" not in rules(beijing)  # not its region: nothing to say there


def test_two_plugins_claiming_tianjin_are_both_named_and_neither_wins(
    install: Install, folder: Path
) -> None:
    install("aaa_tianjin", _claims("12", "天津市"))  # sorts before "tianjin"
    registry = Registry()
    named = {p.plugin for p in registry.problems if "12" in p.regions}
    assert named == {"aaa_tianjin", "tianjin"}
    assert registry.jurisdictions["12"].plugin == "national"
    data = candidate(region="120101", collection={"status": "approved", "region": "120101"})
    report = run(data, registry, folder)
    errors = [f.message for f in report.findings if f.rule == "plugin.error"]
    assert errors and all("aaa_tianjin" in m and "tianjin" in m for m in errors)
    assert "plugin.error" not in rules(run(candidate(), registry, folder))  # Beijing


def test_a_narrower_finding_with_the_same_rule_id_does_not_replace_a_broader_one(
    install: Install, folder: Path
) -> None:
    install(
        "hebei",
        _claims("13", "河北省")
        + """
@hookimpl
def kuaiji_exam_precheck(ctx):
    return [Finding("identity.id_number", Severity.INFO, "河北的说法", source=SRC)]
""",
    )
    data = candidate(region="130102", id_number="110105199003072345")  # a wrong check digit
    report = run(data, Registry(), folder)
    same = [f for f in report.findings if f.rule == "identity.id_number"]
    assert {(f.plugin, f.severity.value) for f in same} == {
        ("national", "error"),
        ("hebei", "info"),
    }
    assert report.verdict.value == "not_ready"  # the baseline's error still counts


def test_the_official_name_is_the_whole_name_or_the_places_own() -> None:
    from kuaiji.registry.ownership import _official_name_agrees

    agreed = [("14", "山西省"), ("14", "山西"), ("4403", "深圳市"), ("4403", "广东省深圳市")]
    agreed += [("110105", "朝阳区"), ("120101", "和平区"), ("429004", "仙桃市")]  # counties,
    agreed += [("440305", "南山区"), ("440305", "深圳市南山区"), ("320106", "南京市鼓楼区")]
    refused = [("14", "省"), ("14", "西省"), ("14", "河北省"), ("440305", "区"), ("4403", "市")]
    assert all(_official_name_agrees(code, name) for code, name in agreed)
    assert not any(_official_name_agrees(code, name) for code, name in refused)


@pytest.mark.parametrize("name", ["河北省", "省"])
def test_a_code_with_another_provinces_name_is_refused(install: Install, name: str) -> None:
    install("fake", _claims("14", name))
    registry = Registry()
    assert registry.jurisdictions["14"].plugin == "national"
    assert any("山西省" in p.message for p in registry.problems if p.plugin == "fake")
    assert registry.resolve("140105").plugins == ("national",)


def test_waiving_an_identity_rule_is_refused(install: Install, folder: Path) -> None:
    install(
        "lax",
        _claims("13", "河北省")
        + """
@hookimpl
def kuaiji_rule_overrides():
    return [Override("identity.id_number", OverrideAction.WAIVE, "不查", SRC)]
""",
    )
    registry = Registry()
    assert registry.overrides.get("lax") == ()
    data = candidate(
        region="130102",
        id_number="130102199003072341",  # wrong check digit
        collection={"status": "approved", "region": "130102"},
    )
    assert "identity.id_number" in rules(run(data, registry, folder), "error")


def test_a_plugin_for_another_api_major_is_not_loaded(install: Install) -> None:
    install("future", 'KUAIJI_API = "2"\n' + _claims("13", "河北省"))
    install("current", 'KUAIJI_API = "1"\n' + _claims("14", "山西省"))
    registry = Registry()
    assert "future" not in registry.info and "current" in registry.info
    refused = [p.message for p in registry.problems if p.plugin == "future"]
    assert refused and "'2'" in refused[0] and "1.0" in refused[0]
    assert registry.jurisdictions["13"].plugin == "national"


def test_every_in_tree_plugin_declares_the_api_it_supports() -> None:
    import importlib

    for name in ("guangdong", "shenzhen", "xinjiang", "tianjin", "hunan"):
        module = importlib.import_module(f"kuaiji_{name}")
        assert module.KUAIJI_API == "1"


# --- 2. records checked where they come back ---

BAD_RECORDS = {
    "severity as text": 'Finding("x.rule", "error", "坏")',
    "naive deadline": 'Finding("x.rule", Severity.ERROR, "坏", deadline=dt.datetime(2026, 7, 1))',
    "http url": 'Finding("x.rule", Severity.INFO, "坏", url="http://evil.example", source=SRC)',
    "deadline without source": (
        'Finding("x.rule", Severity.ERROR, "坏", '
        "deadline=dt.datetime(2026, 7, 1, tzinfo=dt.timezone.utc))"
    ),
    "undocumented rule": 'Finding("nobody.knows", Severity.INFO, "坏")',
    "a look-alike bare host": (  # not a platform address any data gives
        'Finding("x.rule", Severity.INFO, "坏", url="pay-here.evil.example/login", source=SRC)'
    ),
}


@pytest.mark.parametrize("fault", sorted(BAD_RECORDS))
def test_a_bad_record_is_that_candidates_plugin_error(
    fault: str, install: Install, folder: Path
) -> None:
    install(
        "hebei",
        _claims("13", "河北省")
        + _doc("x.rule")
        + f"""
@hookimpl
def kuaiji_exam_precheck(ctx):
    return [{BAD_RECORDS[fault]}]
""",
    )
    registry = Registry()
    data = candidate(region="130102", collection={"status": "approved", "region": "130102"})
    report = run(data, registry, folder)
    errors = [f for f in report.findings if f.rule == "plugin.error"]
    assert [e.plugin for e in errors] == ["hebei"]
    assert report.verdict.value == "not_ready"
    assert "plugin.error" not in rules(run(candidate(), registry, folder))


def test_what_a_plugin_writes_never_shows_the_candidates_own_data(
    install: Install, folder: Path
) -> None:
    install(
        "hebei",
        _claims("13", "河北省")
        + _doc("x.quote")
        + """
@hookimpl
def kuaiji_exam_precheck(ctx):
    c = ctx.candidate
    return [Finding("x.quote", Severity.WARNING, f"{c.name} 电话 {c.phone} 证件 {c.id_number}",
                    action=f"请 {c.name} 本人办理", source=SRC,
                    url=f"https://example.org/lookup?sfzh={c.id_number}")]

@hookimpl
def kuaiji_timeline(ctx):
    raise RuntimeError(f"crash for {ctx.candidate.name} {ctx.candidate.id_number}")
""",
    )
    data = candidate(region="130102", collection={"status": "approved", "region": "130102"})
    report = run(data, Registry(), folder)
    shown = json.dumps(report.to_dict(), ensure_ascii=False)
    for own in (data["name"], data["phone"], data["id_number"]):
        assert own not in shown
    quote = next(f for f in report.findings if f.rule == "x.quote")
    assert quote.message == "王* 电话 138****8000 证件 110***********2346"
    crash = next(f for f in report.findings if f.rule == "plugin.error")
    assert "crash for 王*" in crash.message


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_batch_writes_every_record_whatever_a_plugin_returns(
    jobs: str, install: Install, tmp_path: Path
) -> None:
    install(
        "hebei",
        _claims("13", "河北省")
        + """
@hookimpl
def kuaiji_exam_precheck(ctx):
    return [Finding("x.rule", "error", "坏")]
""",
    )
    hebei = hebei_candidate()
    lines = [json.dumps(candidate(photo=None), ensure_ascii=False)] * 50
    lines.insert(25, json.dumps(hebei, ensure_ascii=False))
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    env = {
        "KUAIJI_NATIONAL_ONLY": "0",
        "KUAIJI_PLUGINS": "hebei",
        "PYTHONPATH": os.environ["PYTHONPATH"],
    }
    ran = kuaiji(
        "precheck", "--batch", str(source), "--exam", "intermediate", "--year", "2026",
        "--at", "2026-06-20T10:00", "--jobs", jobs, "--out", str(out), env=env,
    )  # fmt: skip
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 51, ran.stderr
    assert ["plugin.error" in r["rules"] for r in rows].count(True) == 1
    assert "plugin.error" in rows[25]["rules"]


# --- 3. containment ---

ESCAPES = {
    "endless loop": "while True:\n        pass",
    "sleeps forever": "time.sleep(10_000)",
    "sys.exit(0)": "sys.exit(0)",
    "KeyboardInterrupt": "raise KeyboardInterrupt",
    "GeneratorExit": "raise GeneratorExit",
}


@pytest.mark.parametrize("fault", sorted(ESCAPES))
def test_what_a_plugin_does_at_import_stays_its_own(
    fault: str, install: Install, folder: Path
) -> None:
    baseline = beijing_too_late(Registry(), folder)
    install("hebei", _claims("13", "河北省") + "\nif True:\n    " + ESCAPES[fault] + "\n")
    began = time.monotonic()
    registry = Registry()
    assert time.monotonic() - began < 3
    assert "hebei" not in registry.info and "tianjin" in registry.info
    assert [p.plugin for p in registry.problems] == ["hebei"]
    assert beijing_too_late(registry, folder) == baseline  # everyone else still answers
    listed = kuaiji("plugins", env={"KUAIJI_NATIONAL_ONLY": "0"})
    assert "hebei      加载失败" in listed.stdout  # named, the others listed
    assert "tianjin" in listed.stdout


@pytest.mark.parametrize("fault", sorted(ESCAPES))
def test_what_a_hook_does_stays_its_own(fault: str, install: Install, folder: Path) -> None:
    install(
        "hebei",
        _claims("13", "河北省")
        + f"""
@hookimpl
def kuaiji_exam_precheck(ctx):
    {ESCAPES[fault]}
""",
    )
    registry = Registry()
    data = candidate(region="130102", collection={"status": "approved", "region": "130102"})
    began = time.monotonic()
    report = run(data, registry, folder)
    assert time.monotonic() - began < 3
    errors = [f for f in report.findings if f.rule == "plugin.error"]
    assert errors and {e.plugin for e in errors} == {"hebei"}
    assert "identity.id_number" not in rules(report)  # the baseline still answered: valid ID
    assert "schedule.window" in rules(report) or report.findings


@pytest.mark.slow
def test_a_batch_with_a_hook_that_never_returns_ends_by_itself_with_every_record(
    install: Install, tmp_path: Path
) -> None:
    site = install(
        "hebei",
        _claims("13", "河北省")
        + """
@hookimpl
def kuaiji_exam_precheck(ctx):
    while True:
        pass
""",
    )
    hebei = hebei_candidate()
    lines = [json.dumps(hebei, ensure_ascii=False)] * 4 + [json.dumps(candidate(photo=None))] * 4
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "KUAIJI_HOOK_BUDGET": "0.5",
        "KUAIJI_NATIONAL_ONLY": "0",
    }
    args = ["precheck", "--batch", str(source), "--exam", "intermediate", "--year", "2026"]
    began = time.monotonic()
    done = subprocess.run(
        [str(KUAIJI), *args, "--jobs", "2"], env=env, capture_output=True, text=True, timeout=60
    )
    assert time.monotonic() - began < 30
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == 8, done.stderr
    assert [("plugin.error" in r["rules"]) for r in rows] == [True] * 4 + [False] * 4


WORKER_ENDERS = {
    "os._exit(0)": "import os\n    os._exit(0)",
    "stuck in C": "import itertools\n    sum(itertools.repeat(0))",  # holds the GIL
}


@pytest.mark.slow
@pytest.mark.parametrize("fault", sorted(WORKER_ENDERS))
def test_a_batch_loses_only_the_record_whose_plugin_ends_its_worker(
    fault: str, install: Install, tmp_path: Path
) -> None:
    site = install(
        "hebei",
        _claims("13", "河北省")
        + f"""
@hookimpl
def kuaiji_exam_precheck(ctx):
    if ctx.candidate.name == "赵六":
        {WORKER_ENDERS[fault]}
    return []
""",
    )
    hebei = hebei_candidate()
    lines = [json.dumps(hebei, ensure_ascii=False)] * 40
    lines[17] = json.dumps({**hebei, "name": "赵六"}, ensure_ascii=False)
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "KUAIJI_HOOK_BUDGET": "0.2",  # stuck in C: the worker's timer ends it in ~8.6 s
        "KUAIJI_NATIONAL_ONLY": "0",
    }
    args = ["precheck", "--batch", str(source), "--exam", "intermediate", "--year", "2026"]
    done = subprocess.run(
        [str(KUAIJI), *args, "--jobs", "2"], env=env, capture_output=True, text=True, timeout=120
    )
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == 40, done.stderr  # records in = records out
    lost = [i for i, r in enumerate(rows) if r["verdict"] == "error"]
    assert lost == [17] and "工作进程意外结束" in rows[17]["error"]
    assert [r["record"] for r in rows] == [f"line {i}" for i in range(1, 41)]  # in order
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_a_worker_that_dies_between_chunks_costs_one_record_in_order(
    install: Install, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kuaiji.batch import pool
    from kuaiji.batch.options import Item, Options
    from kuaiji.model.clock import parse_at
    from kuaiji.model.results import ExamLevel

    install(
        "hebei",
        _claims("13", "河北省")
        + """
@hookimpl
def kuaiji_exam_precheck(ctx):
    if ctx.candidate.name == "赵六":
        import os
        os._exit(0)
    return []
""",
    )
    monkeypatch.setenv("KUAIJI_NATIONAL_ONLY", "0")
    monkeypatch.setattr(pool, "CHUNK", 4)  # 8 chunks: several in flight when the worker dies
    hebei = hebei_candidate()
    names = ["赵六" if i == 13 else f"考生{i}" for i in range(30)]

    def slowly() -> Iterator[Item]:  # the parent is often between two submits
        for i, name in enumerate(names):
            time.sleep(0.02)
            yield Item(f"line {i + 1}", json.dumps({**hebei, "name": name}), ".")

    lines: list[str] = []
    options = Options(ExamLevel.INTERMEDIATE, 2026, parse_at("2026-06-20T10:00"))
    summary = pool.run(slowly(), options, lines.append, jobs=2)
    rows = [json.loads(line) for block in lines for line in block.splitlines()]
    assert [r["record"] for r in rows] == [f"line {i}" for i in range(1, 31)]
    assert [i for i, r in enumerate(rows) if r["verdict"] == "error"] == [13]
    assert summary.records == 30 and not summary.interrupted


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_a_stuck_batch_and_its_workers(
    signum: int, install: Install, tmp_path: Path
) -> None:
    site = install(
        "hebei",
        _claims("13", "河北省")
        + """
@hookimpl
def kuaiji_exam_precheck(ctx):
    time.sleep(0.2)
    return []
""",
    )
    hebei = hebei_candidate()
    source = tmp_path / "in.jsonl"
    source.write_text((json.dumps(hebei, ensure_ascii=False) + "\n") * 5000, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "KUAIJI_HOOK_BUDGET": "5",
        "KUAIJI_NATIONAL_ONLY": "0",
    }
    args = ["precheck", "--batch", str(source), "--exam", "intermediate", "--year", "2026"]
    process = subprocess.Popen(
        [str(KUAIJI), *args, "--jobs", "2", "--out", str(tmp_path / "out.jsonl")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    time.sleep(3)
    process.send_signal(signum)
    try:
        process.wait(timeout=20)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    time.sleep(0.5)
    left = subprocess.run(
        ["pgrep", "-g", str(process.pid)], capture_output=True, text=True, check=False
    )
    assert left.stdout.strip() == "", "workers outlived the batch"


def test_the_core_is_not_cut_off_on_a_slow_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The national baseline is the core's own code: reading its data slower than a
    plugin's budget (a slow machine, the first run) costs time, not every candidate's answer
    (the registry used to fail with 'serves no CN jurisdiction'); a plugin is still cut off."""
    import functools

    from kuaiji import national
    from kuaiji.commands.precheck import precheck
    from kuaiji.io.convert import structure
    from kuaiji.model.candidate import Candidate

    slow = national.kuaiji_jurisdictions

    @functools.wraps(slow)
    def slower() -> object:
        time.sleep(0.4)  # four watchdog ticks past the budget below
        return slow()

    monkeypatch.setenv("KUAIJI_HOOK_BUDGET", "0.05")
    monkeypatch.setattr(national, "kuaiji_jurisdictions", slower)
    registry = Registry()
    assert "CN" in registry.jurisdictions and not registry.problems
    report = precheck(
        structure(candidate(), Candidate), exam="intermediate", year=2026,
        at="2026-06-20T10:00:00+08:00", registry=registry, base_dir=EXAMPLES,
    )  # fmt: skip
    assert not report.plugin_failed
