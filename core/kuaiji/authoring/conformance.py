"""The conformance suite (what :mod:`kuaiji.testing`, its public face, exports).

Its checks run what ``kuaiji plugins check`` runs, as pytest tests: the validator's static
checks and example cases, and the exercise of every hook the plugin implements over each
region it serves, exam level and year, record state and moment around the registration
window (:mod:`kuaiji.authoring.exercise`, run once per registry and plugin).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from kuaiji.authoring.exercise import exercise, minimal_candidate, situations
from kuaiji.authoring.issues import Issue, grouped
from kuaiji.commands.precheck import precheck
from kuaiji.model.clock import SHANGHAI
from kuaiji.registry.manager import Registry

__all__ = ["AT", "CHECKS", "conformance", "minimal_candidate", "run"]

AT = dt.datetime(2026, 6, 20, 10, 0, tzinfo=SHANGHAI)  # the moment of the scaffold's case
CHECKS = ("loads", "validator", "hook_types", "rules_documented", "minimal_precheck")


def check_loads(plugin: str, registry: Registry) -> None:
    assert plugin in registry.info, f"插件 {plugin!r} 未安装（没有 kuaiji 入口点）"
    problems = [p.message for p in registry.problems if p.plugin == plugin]
    assert not problems, problems


def check_validator(plugin: str, registry: Registry) -> None:
    from kuaiji.authoring.validate import check

    issues = check(registry, [plugin], exercise=False)[plugin]
    assert not issues, "\n".join(grouped(issues))


def _exercised(plugin: str, registry: Registry, kinds: tuple[str, ...]) -> list[Issue]:
    key = (registry, plugin)
    if _EXERCISED[:1] and _EXERCISED[0][0] == key:
        found = _EXERCISED[0][1]
    else:
        found = exercise(registry, plugin)
        _EXERCISED[:] = [(key, found)]
    return [issue for issue in found if issue.kind in kinds]


_EXERCISED: list[tuple[tuple[Registry, str], list[Issue]]] = []


def check_hook_types(plugin: str, registry: Registry) -> None:
    """Every hook, in every situation, answers with the declared records, in time, without
    raising, and only about the regions the plugin serves."""
    issues = _exercised(plugin, registry, ("hook.problem", "region.foreign"))
    assert not issues, "\n".join(grouped(issues))


def check_rules_documented(plugin: str, registry: Registry) -> None:
    """Every rule id the plugin reports in any situation is in its kuaiji_rules."""
    issues = _exercised(plugin, registry, ("rule.undocumented",))
    assert not issues, "\n".join(grouped(issues))


def check_minimal_precheck(plugin: str, registry: Registry) -> None:
    """A precheck of each exercised candidate, through the whole region chain, does not
    fail in a plugin."""
    for ctx, situation, _ in situations(registry, plugin):
        assert not isinstance(ctx, Exception), f"{situation}：{ctx!r}"
        report = precheck(
            ctx.candidate, exam=ctx.level, year=ctx.year, at=ctx.at, registry=registry
        )
        assert not report.plugin_failed, (
            situation,
            [f.message for f in report.findings if f.rule == "plugin.error"],
        )


def run(plugin: str, name: str, registry: Registry | None = None) -> None:
    """Run one conformance check (one of :data:`CHECKS`) on ``plugin``."""
    checks: dict[str, Callable[[str, Registry], None]] = {
        "loads": check_loads,
        "validator": check_validator,
        "hook_types": check_hook_types,
        "rules_documented": check_rules_documented,
        "minimal_precheck": check_minimal_precheck,
    }
    checks[name](plugin, registry or Registry())


def conformance(plugin: str) -> Callable[[str], None]:
    """A pytest test, parametrised over :data:`CHECKS`, for ``plugin``."""
    import pytest

    @pytest.mark.parametrize("check", CHECKS)
    def test_conformance(check: str) -> None:
        run(plugin, check, _registry())

    return test_conformance


_CACHE: list[Registry] = []


def _registry() -> Registry:
    if not _CACHE:
        _CACHE.append(Registry())
    return _CACHE[0]
