"""Dispatch by region with throwaway plugins: chains by code, claims, overrides, failures."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import kuaiji
from helpers import candidate, rules, run
from kuaiji import hookimpl
from kuaiji.errors import InputError, PluginError
from kuaiji.model.context import Context
from kuaiji.model.results import Finding, Jurisdiction, Override, OverrideAction, Severity, Step
from kuaiji.registry.manager import Registry

SRC = "test"


class Province:
    """A throwaway plugin claiming one region and reporting one marker rule."""

    def __init__(
        self, code: str, name: str, parent: str = "CN", overrides: Sequence[Override] = ()
    ) -> None:
        self.code, self.name, self.parent, self.overrides = code, name, parent, tuple(overrides)
        self.calls = 0

    @hookimpl
    def kuaiji_jurisdictions(self) -> Sequence[Jurisdiction]:
        return [
            Jurisdiction(self.code, self.name, SRC, aliases=(self.name[:2],), parent=self.parent)
        ]

    @hookimpl
    def kuaiji_rule_overrides(self) -> Sequence[Override]:
        return self.overrides

    @hookimpl
    def kuaiji_collection(self, ctx: Context) -> Sequence[Finding]:
        self.calls += 1
        return [Finding(f"marker.{self.code}", Severity.INFO, "here")]


def registry_with(*plugins: tuple[str, object], strict: bool = False) -> Registry:
    return Registry(plugins, entry_points=False, strict=strict)


def test_chain_is_by_code_not_by_registration_order(folder: Path) -> None:
    shenzhen = Province("4403", "深圳市", parent="44")
    guangdong = Province("44", "广东省")
    registry = registry_with(("shenzhen", shenzhen), ("guangdong", guangdong))
    for query in ("440305", "4403", "深圳市", "深圳"):
        assert registry.resolve(query).plugins == ("national", "guangdong", "shenzhen"), query
    assert registry.resolve("440106").plugins == ("national", "guangdong")
    assert registry.resolve("广东").plugins == ("national", "guangdong")
    report = run(
        candidate(region="440305", collection={"status": "approved", "region": "440305"}),
        registry,
        folder,
    )
    assert [f.plugin for f in report.findings if f.rule.startswith("marker.")] == [
        "guangdong",
        "shenzhen",
    ]


def test_hooks_are_called_only_on_the_chain(folder: Path) -> None:
    guangdong = Province("44", "广东省")
    registry = registry_with(("guangdong", guangdong))
    run(candidate(), registry, folder)  # a Beijing candidate
    assert guangdong.calls == 0
    run(
        candidate(region="440106", collection={"status": "approved", "region": "440106"}),
        registry,
        folder,
    )
    assert guangdong.calls == 1


def test_a_province_plugin_takes_over_the_baseline_record(registry: Registry) -> None:
    assert registry.jurisdictions["44"].plugin == "national"
    replaced = registry_with(("guangdong", Province("44", "广东省")))
    assert replaced.jurisdictions["44"].plugin == "guangdong"
    assert replaced.problems == []


def test_two_plugins_claiming_one_code_is_an_error_naming_both(folder: Path) -> None:
    registry = registry_with(
        ("guangdong", Province("44", "广东省")), ("canton", Province("44", "广东"))
    )
    # Both are named, each message naming the other; neither is decided by name order.
    named = {(p.plugin, p.regions) for p in registry.problems}
    assert named == {("guangdong", ("44",)), ("canton", ("44",))}
    assert all(
        ("canton" if p.plugin == "guangdong" else "guangdong") in p.message
        for p in registry.problems
    )
    assert registry.jurisdictions["44"].plugin == "national"  # neither serves the region
    report = run(
        candidate(region="440106", collection={"status": "approved", "region": "440106"}),
        registry,
        folder,
    )
    assert "plugin.error" in rules(report, "error") and report.exit_code == 3
    beijing = run(candidate(), registry, folder)  # another region: untouched
    assert "plugin.error" not in {f.rule for f in beijing.findings}
    with pytest.raises(PluginError, match="guangdong"):
        registry_with(
            ("guangdong", Province("44", "广东省")), ("canton", Province("44", "广东")), strict=True
        )


def test_replace_by_rule_id_applies_only_in_the_overriding_region(folder: Path) -> None:
    shenzhen = Province(
        "4403",
        "深圳市",
        parent="44",
        overrides=[
            Override(
                "photo.spec",
                OverrideAction.REPLACE,
                "receipt code instead",
                SRC,
                by="photo.receipt_code",
            )
        ],
    )
    registry = registry_with(("shenzhen", shenzhen))
    in_shenzhen = run(
        candidate(region="440305", photo=None, collection={"status": "none", "region": "440305"}),
        registry,
        folder,
    )
    assert "photo.spec" not in rules(in_shenzhen)
    in_guangzhou = run(
        candidate(region="440106", photo=None, collection={"status": "none", "region": "440106"}),
        registry,
        folder,
    )
    assert "photo.spec" in rules(in_guangzhou, "error")


def test_waive_does_not_drop_the_overriding_plugins_own_finding(folder: Path) -> None:
    class Waiver(Province):
        @hookimpl
        def kuaiji_collection(self, ctx: Context) -> Sequence[Finding]:
            return [Finding("collection.required", Severity.WARNING, "own")]

    plugin = Waiver(
        "11",
        "北京市",
        overrides=[Override("collection.required", OverrideAction.WAIVE, "why", SRC)],
    )
    registry = registry_with(("beijing", plugin))
    report = run(candidate(collection=None), registry, folder)
    found = [f for f in report.findings if f.rule == "collection.required"]
    assert [(f.plugin, f.message) for f in found] == [("beijing", "own")]


class Broken(Province):
    def __init__(self, how: str) -> None:
        super().__init__("11", "北京市")
        self.how = how

    @hookimpl
    def kuaiji_collection(self, ctx: Context) -> Any:
        if self.how == "raise":
            raise RuntimeError("boom")
        if self.how == "dict":
            return {"rule": "x"}
        return [{"rule": "x"}]


@pytest.mark.parametrize("how", ["raise", "dict", "list of dicts"])
def test_a_failing_plugin_is_named_and_the_others_still_answer(folder: Path, how: str) -> None:
    registry = registry_with(("flaky", Broken(how)))
    report = run(candidate(photo=None, collection={"status": "none"}), registry, folder)
    errors = [f for f in report.findings if f.rule == "plugin.error"]
    assert (
        len(errors) == 1
        and errors[0].plugin == "flaky"
        and "kuaiji_collection" in errors[0].message
    )
    assert "photo.spec" in rules(report, "error")  # the national baseline still answered
    assert report.exit_code == 3


def test_a_misspelt_hook_is_reported_not_registered() -> None:
    class Misspelt:
        @hookimpl
        def kuaiji_colection(self, ctx: Context) -> Sequence[Finding]:
            return []

    registry = registry_with(("typo", Misspelt()))
    assert [p.plugin for p in registry.problems] == ["typo"]
    assert "kuaiji_colection" in registry.problems[0].message
    assert "typo" not in registry.info
    with pytest.raises(PluginError, match="kuaiji_colection"):
        registry_with(("typo", Misspelt()), strict=True)


def test_an_entry_point_that_fails_to_load_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    import kuaiji.registry.manager

    ghost = ("ghost", "kuaiji_no_such_module_xyz", "kuaiji-ghost", "1.0")
    installed = kuaiji.registry.manager._Installed((ghost,), "0.1.0")
    monkeypatch.setattr(kuaiji.registry.manager, "_installed", lambda: installed)
    registry = Registry()
    assert [p.plugin for p in registry.problems] == ["ghost"]
    assert "ModuleNotFoundError" in registry.problems[0].message
    monkeypatch.setenv("KUAIJI_NATIONAL_ONLY", "1")
    assert Registry().problems == []


def test_a_more_specific_step_replaces_by_id(folder: Path) -> None:
    class Steps(Province):
        @hookimpl
        def kuaiji_timeline(self, ctx: Context) -> Sequence[Step]:
            return [Step("collection", "在北京的平台完成信息采集")]

    registry = registry_with(("beijing", Steps("11", "北京市")))
    report = run(candidate(), registry, folder)
    steps = [s for s in report.steps if s.id == "collection"]
    assert [(s.plugin, s.title) for s in steps] == [("beijing", "在北京的平台完成信息采集")]
    assert [s.id for s in report.steps][:2] == [
        "account.national",
        "collection",
    ]  # replaced in place


@pytest.mark.parametrize("query", ["", "999999", "12345", "火星", "CN", "全国"])
def test_unknown_regions_are_bad_input(registry: Registry, query: str) -> None:
    with pytest.raises(InputError) as err:
        registry.resolve(query)
    assert err.value.problems[0].path == "region"


def test_every_exam_region_resolves(registry: Registry) -> None:
    codes = [c for c in registry.jurisdictions if c != "CN"]
    assert len(codes) == 34  # 31 provinces, 兵团, 深圳, 宁波
    for code in codes:
        assert registry.resolve(code).jurisdiction.code == code
    assert registry.resolve("兵团").jurisdiction.name == "新疆生产建设兵团"
    assert registry.resolve("330203").exam_area.code == "3302"  # 宁波 is its own exam area
    assert (
        registry.resolve("659001").province is not None
        and registry.resolve("659001").province.code == "65"
    )


def test_region_names_come_from_gbt2260(registry: Registry) -> None:
    assert registry.resolve("440305").name == "广东省深圳市南山区"
    assert registry.resolve("110105").name == "北京市朝阳区"


def test_plugin_records_are_tagged_with_their_plugin(registry: Registry) -> None:
    assert {r.plugin for r in registry.rules["national"]} == {"national"}
    assert "identity.id_number" in {r.rule for r in registry.rules["national"]}
    assert isinstance(kuaiji.get_registry(), Registry)
