"""The guide and the code agree: every hookspec is documented with its signature, taken
from the code, and every hookspec is exercised by a test."""

from __future__ import annotations

import inspect
import re

import pytest

import kuaiji.registry.hookspecs as hookspecs
from helpers import ROOT

GUIDE = ROOT / "docs" / "writing-a-plugin.md"
SPECS = sorted(n for n in dir(hookspecs) if n.startswith("kuaiji_"))


def signature(name: str) -> str:
    return f"def {name}{inspect.signature(getattr(hookspecs, name))}".replace("'", "")


@pytest.mark.parametrize("name", SPECS)
def test_every_hookspec_is_documented_with_its_signature(name: str) -> None:
    assert signature(name) in GUIDE.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", SPECS)
def test_every_hookspec_has_a_docstring(name: str) -> None:
    assert (getattr(hookspecs, name).__doc__ or "").strip()


@pytest.mark.parametrize("name", SPECS)
def test_every_hookspec_is_exercised_by_a_test(name: str) -> None:
    """Some test calls the hook by its name (test_plugins.py calls each one on every plugin)."""
    sources = "".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT / "tests").glob("test_*.py")
        if p.name != "test_docs.py"
    )
    assert re.search(rf"\b{name}\b", sources), f"no test names {name}"


def test_readme_links_the_guide() -> None:
    assert "docs/writing-a-plugin.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readmes_python_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks
    monkeypatch.chdir(ROOT)
    for block in blocks:
        namespace: dict[str, object] = {}
        exec(compile(block, "README.md", "exec"), namespace)
        report = namespace.get("report")
        assert report is None or report.verdict.value in (
            "ready",
            "pending",
            "not_ready",
            "too_late",
        )
