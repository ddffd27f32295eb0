"""Old import paths (before 0.2.0's package layout) kept for one minor release.

Each old module is a thin alias: importing it warns (``DeprecationWarning``) and every name
resolves from its new home. Plugins import :mod:`kuaiji.plugin`; services import
:mod:`kuaiji` (or the new modules). The aliases go in 0.3.0.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from typing import Any

REMOVED_IN = "0.3.0"


def moved(old: str, *new: str) -> Callable[[str], Any]:
    """Warn that ``old`` moved to ``new`` (the first module holding a name wins) and return
    the module ``__getattr__`` that forwards to it."""
    warnings.warn(
        f"{old} 已移动到 {' / '.join(new)}（{REMOVED_IN} 起删除旧路径；插件请从 kuaiji.plugin 导入）"
        f" — {old} moved to {' / '.join(new)}; the old path goes in {REMOVED_IN}",
        DeprecationWarning,
        stacklevel=3,
    )

    def forward(name: str) -> Any:
        for module_name in new:
            module = importlib.import_module(module_name)
            if hasattr(module, name):
                return getattr(module, name)
        raise AttributeError(f"module {old!r} has no attribute {name!r}")

    return forward
