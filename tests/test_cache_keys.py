"""Start-up cache keys name no module (issue #16): every module of the package is in the
key, so moving or adding a file cannot silently stop invalidation; frozen records stay frozen."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

import kuaiji
from kuaiji.io import cache
from kuaiji.model.results import Finding, Severity


def test_the_code_key_stamps_every_module_of_the_package() -> None:
    root = Path(kuaiji.__file__).parent
    modules = {str(p) for p in root.rglob("*.py") if "__pycache__" not in p.parts}
    stamped = {entry[0] for entry in cache.code() if isinstance(entry, tuple)}
    assert modules and modules == stamped


def test_no_cache_key_names_a_module_by_path() -> None:
    root = Path(kuaiji.__file__).parent
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "cache.code(__file__" not in text and "cache.code(\n" not in text, path
        assert '"records.py"' not in text, path


def test_a_plugins_record_is_tagged_by_copy_never_changed() -> None:
    from kuaiji.registry.manager import _tagged

    original = Finding("x.y", Severity.INFO, "说明")
    tagged = _tagged(original, "someplugin")
    assert tagged.plugin == "someplugin" and original.plugin == ""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        original.plugin = "other"  # type: ignore[misc]
