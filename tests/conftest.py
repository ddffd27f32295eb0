"""Fixtures (a national-only registry, a folder with a valid photo), the ``--slow`` option and
the hypothesis profiles. What test files share otherwise is in helpers.py.

``pytest`` alone is the developer's loop: tests marked ``slow`` are deselected and hypothesis
runs a small profile. ``pytest --slow`` (or ``CI=true``) runs everything, in full.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Never read or write the user's rules cache: every test run (and its subprocesses) gets an
# empty one of its own.
os.environ["KUAIJI_CACHE_DIR"] = tempfile.mkdtemp(prefix="kuaiji-test-cache-")

from hypothesis import settings

import helpers
from helpers import EXAMPLES
from kuaiji.registry.manager import Registry

# "ci" is what the tests ask for (hypothesis's 100 examples, or the number a test names);
# "dev" a quarter of it (helpers.examples scales a test's own number the same way).
settings.register_profile("ci", max_examples=100, deadline=None)
settings.register_profile("dev", max_examples=25, deadline=None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow",
        action="store_true",
        default=False,
        help="also run the tests marked slow, and hypothesis in full (CI=true does the same)",
    )


def _everything(config: pytest.Config) -> bool:
    return bool(config.getoption("--slow")) or os.environ.get("CI", "").lower() == "true"


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("hypothesis_profile", None):  # --hypothesis-profile wins
        settings.load_profile("ci" if _everything(config) else "dev")


def pytest_report_header(config: pytest.Config) -> str:
    if _everything(config):
        return "kuaiji: every test, hypothesis profile ci"
    return "kuaiji: slow tests deselected (run them with --slow), hypothesis profile dev"


def _named(config: pytest.Config) -> set[str]:
    """The test ids named on the command line (path::name), relative to the root."""
    named = set()
    for arg in config.args:
        path, sep, rest = arg.partition("::")
        if sep:
            try:
                relative = Path(path).resolve().relative_to(config.rootpath).as_posix()
            except ValueError:
                continue
            named.add(f"{relative}::{rest}")
    return named


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _everything(config) or "slow" in (config.getoption("markexpr", "") or ""):
        return
    named = _named(config)
    keep, slow = [], []
    for item in items:
        asked = any(item.nodeid == n or item.nodeid.startswith((f"{n}[", f"{n}::")) for n in named)
        (slow if item.get_closest_marker("slow") and not asked else keep).append(item)
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = keep


@pytest.fixture(autouse=True)
def _fresh_registry_after_the_command() -> Iterator[None]:
    """The registry an in-process `kuaiji` run built under its own environment is not left
    for the next test (see helpers.kuaiji)."""
    yield
    helpers.forget_cli_registry()


@pytest.fixture(autouse=True)
def _bundled_data_after_the_test() -> Iterator[None]:
    """Plugin data a test loaded from a rules cache of its own (``KUAIJI_CACHE_DIR`` set
    with monkeypatch) is not left for the next test: it is read again, as bundled."""
    yield
    from kuaiji.registry.data import PluginData
    from kuaiji.registry.manager import get_registry

    every = PluginData.every().values()
    if any(
        d.problem or ("_loaded" in d.__dict__ and d.__dict__["_loaded"].origin != "bundled")
        for d in every
    ):
        for data in every:
            data.reload()
        get_registry.cache_clear()


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The national baseline alone: tests do not depend on which plugins are installed."""
    return Registry(entry_points=False, strict=True)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A candidate folder holding a valid photo (wang.jpg)."""
    shutil.copy(EXAMPLES / "wang.jpg", tmp_path / "wang.jpg")
    return tmp_path
