"""Every installed plugin's example cases, run by one runner (yt-dlp style)."""

from __future__ import annotations

import pytest

from kuaiji.cases import Case, load_cases, run_case
from kuaiji.plugins import Registry


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
    assert {"national", "guangdong", "shenzhen", "tianjin", "hunan"} <= plugins


@pytest.mark.parametrize(("plugin", "case"), CASES, ids=[f"{p}/{c.name}" for p, c in CASES])
def test_case(plugin: str, case: Case) -> None:
    registry = _registry()
    assert run_case(case, registry) == [], case.description


_REGISTRY: list[Registry] = []


def _registry() -> Registry:
    if not _REGISTRY:
        _REGISTRY.append(Registry(strict=True))
    return _REGISTRY[0]
