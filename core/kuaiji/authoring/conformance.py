"""The conformance suite (what :mod:`kuaiji.testing`, its public face, exports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from kuaiji.commands.precheck import build_context, candidate_from_dict, precheck
from kuaiji.model.clock import SHANGHAI
from kuaiji.model.context import Move
from kuaiji.model.results import ChangeDecision, FieldChange, Finding, Step, TransferStep
from kuaiji.registry.manager import Registry
from kuaiji.registry.regions import gbt2260

AT = dt.datetime(2026, 6, 20, 10, 0, tzinfo=SHANGHAI)
CHECKS = ("loads", "validator", "hook_types", "rules_documented", "minimal_precheck")
_FACTORS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def minimal_candidate(region: str) -> dict[str, Any]:
    """A valid candidate with only the required fields, from a county of ``region``."""
    county = next(
        (
            code
            for code, names in sorted(gbt2260()[1].items())
            if code.startswith(region) and not code.endswith("00") and _in_use_1990(names)
        ),
        None,
    )
    if county is None:  # 兵团 and other codes outside GB/T 2260: a Beijing resident ID
        county = "110105"
    body = f"{county}19900307{234:03d}"
    check = "10X98765432"[sum(int(d) * f for d, f in zip(body, _FACTORS, strict=True)) % 11]
    return {"name": "王芳", "id_number": body + check, "phone": "13800138000", "region": region}


def _in_use_1990(names: str) -> bool:
    """Whether a county entry (``"[1983-1989]A,[1990-]B"``) was in use in 1990."""
    for name in names.split(","):
        if not name.startswith("["):
            return True
        start, end = name[1:].split("]")[0].split("-")
        if (not start or int(start) <= 1990) and (not end or int(end) >= 1990):
            return True
    return False


def _regions(registry: Registry, plugin: str) -> list[str]:
    return sorted(code for code, j in registry.jurisdictions.items() if j.plugin == plugin)


def check_loads(plugin: str, registry: Registry) -> None:
    assert plugin in registry.info, f"{plugin!r} is not installed (no `kuaiji` entry point)"
    problems = [p.message for p in registry.problems if p.plugin == plugin]
    assert not problems, problems


def check_validator(plugin: str, registry: Registry) -> None:
    from kuaiji.authoring.validate import check

    issues = check(registry, [plugin])[plugin]
    assert not issues, "\n".join(str(i) for i in issues)


def _contexts(plugin: str, registry: Registry) -> list[Any]:
    out = []
    for region in _regions(registry, plugin):
        candidate = candidate_from_dict(minimal_candidate(region))
        for exam in ("junior", "intermediate"):
            out.append(build_context(candidate, exam=exam, year=2026, at=AT, registry=registry))
    return out


def check_hook_types(plugin: str, registry: Registry) -> None:
    calls: list[tuple[str, type, dict[str, Any]]] = []
    for ctx in _contexts(plugin, registry):
        calls += [
            ("kuaiji_registration", Finding, {"ctx": ctx}),
            ("kuaiji_collection", Finding, {"ctx": ctx}),
            ("kuaiji_exam_precheck", Finding, {"ctx": ctx}),
            ("kuaiji_timeline", Step, {"ctx": ctx}),
            (
                "kuaiji_change",
                ChangeDecision,
                {"ctx": ctx, "changes": (FieldChange("work.employer", "某公司"),)},
            ),
            (
                "kuaiji_transfer",
                TransferStep,
                {"ctx": ctx, "move": Move(registry.resolve("11"), ctx.region)},
            ),
        ]
    for hook, expect, kwargs in calls:
        result = registry.call(hook, [plugin], expect, **kwargs)
        assert not result.problems, [p.message for p in result.problems]


def check_rules_documented(plugin: str, registry: Registry) -> None:
    documented = {doc.rule for docs in registry.rules.values() for doc in docs}
    for ctx in _contexts(plugin, registry):
        for hook in ("kuaiji_registration", "kuaiji_collection", "kuaiji_exam_precheck"):
            for _, findings in registry.call(hook, [plugin], Finding, ctx=ctx).records:
                for finding in findings:
                    assert finding.rule in documented, f"{finding.rule!r} is not in kuaiji_rules"


def check_minimal_precheck(plugin: str, registry: Registry) -> None:
    for region in _regions(registry, plugin):
        candidate = candidate_from_dict(minimal_candidate(region))
        report = precheck(candidate, exam="intermediate", year=2026, at=AT, registry=registry)
        assert report.verdict.value in ("ready", "pending", "not_ready", "too_late")
        assert not report.plugin_failed, [
            f.message for f in report.findings if f.rule == "plugin.error"
        ]


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
