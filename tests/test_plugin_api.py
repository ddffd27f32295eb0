"""One public API for plugin authors (issue #16): ``kuaiji.plugin``. The in-tree plugins, the
scaffold and the guide use only it (and ``kuaiji.testing``); the guide and the code agree."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import kuaiji.plugin as plugin
import kuaiji.registry.hookspecs as hookspecs
from helpers import ROOT
from kuaiji.authoring.scaffold import create
from kuaiji.registry.data import SECTIONS
from kuaiji.registry.manager import Registry

ALLOWED = {"kuaiji.plugin", "kuaiji.testing"}
GUIDE = (ROOT / "docs" / "writing-a-plugin.md").read_text(encoding="utf-8")
DATA_FORMAT = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")


def core_imports(path: Path) -> set[str]:
    """The modules of the core (``kuaiji`` and ``kuaiji.*``) a Python file imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
            if module == "kuaiji":
                found.update(f"kuaiji.{a.name}" for a in node.names)
            elif module.startswith("kuaiji."):
                found.add(module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "kuaiji")
    return found


PLUGIN_FILES = sorted((ROOT / "plugins").glob("*/**/*.py"))


@pytest.mark.parametrize("path", PLUGIN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_in_tree_plugins_import_only_the_public_api(path: Path) -> None:
    assert core_imports(path) <= ALLOWED, path


def test_the_check_sees_a_private_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from kuaiji.national import rules\nfrom kuaiji import clock\n")
    assert core_imports(bad) == {"kuaiji.national", "kuaiji.clock"}


def test_the_scaffold_writes_a_plugin_that_imports_only_the_public_api(tmp_path: Path) -> None:
    folder = create("hebei", "13", tmp_path, child=None)
    files = sorted(folder.rglob("*.py"))
    assert files
    for path in files:
        assert core_imports(path) <= ALLOWED, path
    init = next(p for p in files if p.name == "__init__.py" and "kuaiji_hebei" in str(p))
    assert "RULES" in init.read_text(encoding="utf-8")  # the rule list lives in __init__.py


def test_every_public_name_exists_is_typed_and_is_in_the_guide() -> None:
    for name in plugin.__all__:
        value = getattr(plugin, name)
        # the name itself, not a longer one it begins (`Event` is not `EventKind`)
        assert re.search(rf"`{name}[`(]", GUIDE), f"the guide does not name {name}"
        if inspect.isfunction(value):
            hints = value.__annotations__
            assert "return" in hints, f"{name} has no return type"
    assert plugin.API_VERSION.split(".")[0] == "1"


def test_the_guide_imports_from_the_public_api_only() -> None:
    for block in re.findall(r"```python\n(.*?)```", GUIDE, flags=re.S):
        for line in block.splitlines():
            match = re.match(r"\s*from (kuaiji[\w.]*) import", line)
            if match:
                assert match.group(1) in ALLOWED, line


def test_every_hookspec_states_its_merge_rule() -> None:
    for name in (n for n in dir(hookspecs) if n.startswith("kuaiji_")):
        assert "Merge" in (getattr(hookspecs, name).__doc__ or ""), name


def test_the_data_format_names_exactly_the_sections_the_loader_accepts() -> None:
    for section in SECTIONS:
        assert f"`{section}`" in DATA_FORMAT
    assert "may add sections of its own" not in DATA_FORMAT


def test_the_loader_refuses_a_section_the_data_format_does_not_name() -> None:
    from kuaiji.errors import DataError
    from kuaiji.registry.data import parse_document

    good = '{"format": 1, "plugin": "x", "updated": "2026-01-01", "schedules": []}'
    assert parse_document(good, "x.json").sections == {"schedules": []}
    typo = '{"format": 1, "plugin": "x", "updated": "2026-01-01", "schedule": [], "extras": [1]}'
    with pytest.raises(DataError, match="不认识的部分 extras、schedule"):
        parse_document(typo, "x.json")


def test_every_in_tree_plugin_answers_through_the_public_api() -> None:
    registry = Registry()
    for name in ("guangdong", "shenzhen", "tianjin", "hunan", "xinjiang"):
        assert name in registry.info and not [p for p in registry.problems if p.plugin == name]


def test_the_old_national_rules_path_still_works_and_warns() -> None:
    import warnings

    from kuaiji.national import collection, rules

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = rules.collection_required
    assert old is collection.collection_required
    assert [w.category for w in caught] == [DeprecationWarning]
    assert "kuaiji.plugin" in str(caught[0].message)
    with pytest.raises(AttributeError):
        _ = rules.no_such_rule


def test_the_national_baseline_is_written_like_a_plugin() -> None:
    import kuaiji.national as national

    for hook in ("kuaiji_jurisdictions", "kuaiji_schedules", "kuaiji_contacts", "kuaiji_rules"):
        assert callable(getattr(national, hook))
    families = {"identity", "accounts", "collection", "eligibility", "window", "timeline"}
    folder = Path(national.__file__).parent
    assert families <= {p.stem for p in folder.glob("*.py")}
