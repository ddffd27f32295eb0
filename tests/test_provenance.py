"""Every report and calendar says which kuaiji and which data produced it (issue #15)."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
from click.testing import CliRunner

import kuaiji
from kuaiji.registry.data import PluginData
from kuaiji_cli.main import main

ARGS = ["--exam", "intermediate", "--year", "2026", "--at", "2026-06-20T10:00"]


def test_a_json_report_names_the_version_and_every_plugins_data() -> None:
    result = CliRunner().invoke(main, ["precheck", "examples/wang-fang.json", *ARGS, "--json"])
    produced = json.loads(result.output)["produced_by"]
    assert produced["kuaiji"] == kuaiji.__version__ and produced["format"] == 2
    national = produced["plugins"]["national"]
    assert national["data_origin"] == "bundled"
    assert national["data_updated"] == PluginData.every()["national"].updated.isoformat()
    assert set(produced["plugins"]) >= {"national", "guangdong", "shenzhen"}


def test_calendars_name_what_produced_them(tmp_path: Path) -> None:
    out = tmp_path / "me.ics"
    CliRunner().invoke(main, ["precheck", "examples/wang-fang.json", *ARGS, "--ics", str(out)])
    deadlines = tmp_path / "d.ics"
    CliRunner().invoke(
        main, ["deadlines", "--region", "11", "--year", "2026", "--ics", str(deadlines)]
    )
    for path in (out, deadlines):
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        text = str(calendar["X-WR-CALDESC"])
        assert f"kuaiji {kuaiji.__version__}" in text and "national" in text and "数据" in text


def test_every_result_names_the_rules_feed_in_force(tmp_path: Path) -> None:
    from helpers import ROOT, kuaiji

    env = {"KUAIJI_CACHE_DIR": str(tmp_path / "cache"), "KUAIJI_NATIONAL_ONLY": "0"}
    args = ["precheck", str(ROOT / "examples" / "wang-fang.json"), "--exam", "中级",
            "--year", "2026", "--at", "2026-06-20T10:00", "--json"]  # fmt: skip
    before = json.loads(kuaiji(*args, env=env).stdout)["produced_by"]
    assert before["rules"] is None  # bundled data only
    assert kuaiji("rules", "update", "--from", str(ROOT / "rules"), env=env).returncode == 0
    after = json.loads(kuaiji(*args, env=env).stdout)["produced_by"]
    assert after["rules"]["feed"] == "kuaiji" and after["rules"]["version"] >= 1


def test_deadlines_change_and_transfer_name_what_produced_them() -> None:
    wang = "examples/wang-fang.json"
    answers = {
        "deadlines": ["deadlines", "--region", "11", "--year", "2026", "--json"],
        "change": ["change", wang, "--set", "phone=13900139000", "--json"],
        "transfer": ["transfer", wang, "--to", "4403", "--year", "2026", "--json"],
    }
    for command, args in answers.items():
        result = CliRunner().invoke(main, args)
        assert result.exit_code in (0, 1), (command, result.output)
        produced = json.loads(result.output)["produced_by"]
        assert produced["kuaiji"] == kuaiji.__version__, command
        assert "national" in produced["plugins"], command


def test_installed_rules_that_cannot_be_used_are_said_on_stderr(tmp_path: Path) -> None:
    from helpers import ROOT, kuaiji

    env = {"KUAIJI_CACHE_DIR": str(tmp_path / "cache")}
    assert kuaiji("rules", "update", "--from", str(ROOT / "rules"), env=env).returncode == 0
    (tmp_path / "cache" / "state.json").write_text("{garbage", encoding="utf-8")
    args = ["precheck", str(ROOT / "examples" / "wang-fang.json"), "--exam", "中级",
            "--year", "2026", "--at", "2026-06-20T10:00", "--json"]  # fmt: skip
    result = kuaiji(*args, env=env)
    assert result.returncode == 0  # bundled data answered
    rules = json.loads(result.stdout)["produced_by"]["rules"]
    assert "不是有效的 JSON" in rules["problem"] and rules["expired"] is False
    assert "已安装的规则数据未能使用" in result.stderr and "kuaiji rules reset" in result.stderr
    table = kuaiji("deadlines", "--region", "11", "--year", "2026", env=env)
    assert "已安装的规则数据未能使用" in table.stderr
    clean = kuaiji(*args, env={"KUAIJI_CACHE_DIR": str(tmp_path / "other")})
    assert "注意" not in clean.stderr
