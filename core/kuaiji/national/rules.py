"""Deprecated (0.2.0, removed in 0.3.0): the national baseline's checks moved to one module
per check family (``kuaiji.national.identity``, ``accounts``, ``collection``,
``eligibility``, ``window``, ``common``). Plugins use :mod:`kuaiji.plugin` instead
(``record_deadline``, ``baseline_collection_required``, …). Every name still resolves here,
with a ``DeprecationWarning``."""

from __future__ import annotations

import importlib
import warnings
from typing import Any

_FAMILIES = ("common", "identity", "accounts", "collection", "eligibility", "window")


def __getattr__(name: str) -> Any:
    for family in _FAMILIES:
        module = importlib.import_module(f"kuaiji.national.{family}")
        if hasattr(module, name):
            warnings.warn(
                f"kuaiji.national.rules.{name} is deprecated: plugins import from kuaiji.plugin "
                f"(the baseline's own code lives in kuaiji.national.{family})",
                DeprecationWarning,
                stacklevel=2,
            )
            return getattr(module, name)
    raise AttributeError(f"module 'kuaiji.national.rules' has no attribute {name!r}")
