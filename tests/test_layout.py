"""The core's package layout (CONTRIBUTING.md, "Where code goes"): no import cycle, and
each layer imports only the layers above it; the old flat paths are aliases that warn."""

from __future__ import annotations

import functools
import importlib
import sys
import warnings

import pytest

from benchmarks.layout import cycles
from benchmarks.layout import graph as _graph


@functools.cache
def graph() -> dict[str, set[str]]:
    """The core's import graph, read once for this file's tests."""
    return _graph()


# CONTRIBUTING.md's table, top to bottom: a module may import its own layer or one above.
LAYERS = (
    ("kuaiji.errors", "kuaiji._version", "kuaiji._moved", "kuaiji.io.cache"),
    ("kuaiji.model",),
    ("kuaiji.io",),
    ("kuaiji.schedule",),
    ("kuaiji.registry",),
    ("kuaiji.national",),
    ("kuaiji.plugin",),
    ("kuaiji.commands",),
    ("kuaiji.batch",),
    ("kuaiji.authoring",),
    ("kuaiji.updates",),
    ("kuaiji.testing", "kuaiji"),
)


def layer(module: str) -> int:
    """The layer of ``module``: its longest matching prefix in LAYERS."""
    best, rank = -1, -1
    for number, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), number
    assert rank >= 0, f"{module} is in no layer of CONTRIBUTING.md's table"
    return rank


def test_the_core_has_no_import_cycle() -> None:
    assert cycles(graph()) == []


def test_cycles_are_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_module_imports_only_its_layer_or_those_above() -> None:
    upward = [
        f"{module} → {imported}"
        for module, imports in graph().items()
        for imported in imports
        if layer(imported) > layer(module)
    ]
    assert upward == []


OLD_PATHS = {
    "kuaiji.records": ("Finding", "kuaiji.model.results"),
    "kuaiji.models": ("Candidate", "kuaiji.model.candidate"),
    "kuaiji.context": ("Context", "kuaiji.model.context"),
    "kuaiji.hookspecs": ("hookimpl", "kuaiji.registry.hookspecs"),
    "kuaiji.data": ("PluginData", "kuaiji.registry.data"),
    "kuaiji.plugins": ("get_registry", "kuaiji.registry.manager"),
    "kuaiji.clock": ("SHANGHAI", "kuaiji.model.clock"),
    "kuaiji.engine": ("plan_transfer", "kuaiji.commands.plans"),
    "kuaiji.photo": ("PhotoInfo", "kuaiji.model.context"),
    "kuaiji.schema": ("LABELS", "kuaiji.model.fields"),
}


@pytest.mark.parametrize("old", sorted(OLD_PATHS))
def test_old_paths_still_work_and_warn(old: str) -> None:
    name, home = OLD_PATHS[old]
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=old.replace(".", r"\.")):
        module = importlib.import_module(old)
    assert getattr(module, name) is getattr(importlib.import_module(home), name)
    with pytest.raises(AttributeError):
        module.no_such_name  # noqa: B018


def test_old_batch_names_resolve_with_a_warning() -> None:
    import kuaiji.batch
    from kuaiji.batch.pool import run

    with pytest.warns(DeprecationWarning, match=r"kuaiji\.batch\.pool"):
        assert kuaiji.batch.run is run


def test_the_core_itself_uses_no_old_path() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        for module in sorted(graph()):
            importlib.import_module(module)
