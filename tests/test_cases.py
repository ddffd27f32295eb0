"""Every installed plugin's example cases, run by one runner (yt-dlp style)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import kuaiji
from kuaiji.authoring.cases import Case, load_cases, run_case
from kuaiji.registry.manager import Registry


def _installed() -> list[tuple[str, Case]]:
    registry = Registry(strict=True)
    found = []
    for name, info in registry.info.items():
        package = info.module.split(":")[0] if info.module else None
        if package:
            found += [(name, case) for case in load_cases(package)]
    return found


CASES = _installed()


def test_every_in_tree_plugin_ships_cases() -> None:
    plugins = {name for name, _ in CASES}
    assert {"national", "guangdong", "shenzhen", "tianjin", "hunan", "xinjiang"} <= plugins


@pytest.mark.parametrize(("plugin", "case"), CASES, ids=[f"{p}/{c.name}" for p, c in CASES])
def test_case(plugin: str, case: Case) -> None:
    registry = _registry()
    assert run_case(case, registry) == [], case.description


_REGISTRY: list[Registry] = []


def _registry() -> Registry:
    if not _REGISTRY:
        _REGISTRY.append(Registry(strict=True))
    return _REGISTRY[0]


PRECHECK_CASES = [
    (p, c)
    for p, c in CASES
    if p in ("tianjin", "hunan", "xinjiang") and c.data.get("command", "precheck") == "precheck"
]


@pytest.mark.parametrize(
    ("plugin", "case"), PRECHECK_CASES, ids=[f"{p}/{c.name}" for p, c in PRECHECK_CASES]
)
def test_case_through_the_cli(plugin: str, case: Case, tmp_path: Path) -> None:
    """The same verdicts and rule ids come out of the `kuaiji` command (every plugin)."""
    for item in case.folder.iterdir():
        if not item.name.endswith(".json"):
            shutil.copy(str(item), tmp_path / item.name)
    path = tmp_path / "candidate.json"
    path.write_text(json.dumps(case.data["candidate"], ensure_ascii=False), encoding="utf-8")
    args = ["precheck", str(path), "--exam", case.data.get("exam", "intermediate")]
    args += ["--year", str(case.data["year"]), "--at", case.data["at"], "--json"]
    result = kuaiji(*args, env={"KUAIJI_NATIONAL_ONLY": None, "KUAIJI_PLUGINS": None})
    assert result.returncode in (0, 1, 4), result.stderr
    report = json.loads(result.stdout)
    expect = case.data["expect"]
    if "verdict" in expect:
        assert report["verdict"] == expect["verdict"]
        codes = {"ready": 0, "pending": 4}
        assert result.returncode == codes.get(expect["verdict"], 1)
    rules = {f["rule"] for f in report["findings"]}
    assert set(expect.get("rules", [])) <= rules
    assert not set(expect.get("absent", [])) & rules
